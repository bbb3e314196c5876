"""reportlab only: styles, markup → flowables, exhibit pages, the document, right-to-left text.

Every PDF casefile typesets (dossiers, submissions, renditions of e-mails, web captures and
tables) is written with reportlab set up the same way, whatever the process typeset before:
no empty page transition on a page, printable links (fastpath.pdfa_page_objects). Set up here,
on the package's import, so that no output depends on which document a process made first."""

from casefile.typeset import fastpath

fastpath.pdfa_page_objects()
