"""One dossier typeset, in one pass: the document and its page decoration, and `render`.

Typesetting is single-pass. Page numbers that are not known yet when a page is drawn (the
contents, the index of exhibits, "Page X of Y", the cover's page count) are drawn as PDF form
XObjects referenced by name and defined once the last page is done. Back matter (the index of
names, the annex) is rendered from its template only when the body has been laid out, so its
page numbers are plain text.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.pdfdoc import xObjectName
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from casefile import __version__
from casefile.case.body import strip_marks
from casefile.dossier.assembly import Dossier
from casefile.dossier.sections import AFTER_EXHIBITS, BEFORE_EXHIBITS, EXHIBIT_TEMPLATE
from casefile.errors import fail
from casefile.pdf.limits import pdf_limits
from casefile.pdf.manifest import SIDECAR_HASH, manifest_json
from casefile.pdf.volumes import volume_name
from casefile.typeset import fastpath, marks, rtl
from casefile.typeset.archive import OUTPUT_CONDITION, Conformance, conformance, srgb_icc, xmp_packet
from casefile.typeset.exhibit_pages import add_manifest, set_document_id
from casefile.typeset.flowables import VOLUME, VOLUME_LINE, VOLUME_LINE_SIZE, Deferred, KeepWithNext, RenderState
from casefile.typeset.markup import Markup
from casefile.typeset.styles import (
    BANNER,
    FILE_BAND_TOP,
    GREY,
    INK,
    RULE,
    PageGeometry,
    page_geometry,
    paragraph_styles,
)
from casefile.typeset.templates import render_markup

TOTAL = "@total"
FRAME = "@frame"  # the form of what every page has
OPEN_AT = "@open"  # the destination the document opens at: page 1, 100 %
HEAD = "@head"  # forms of running heads: key (HEAD, text)


def pdf_date(as_of: str) -> str | None:
    """The document's /CreationDate and /ModDate: the day the dossier speaks for (the case's
    `as_of`, at 00:00 UTC), not the build's time, so the same inputs still give the same bytes.
    None when SOURCE_DATE_EPOCH is set: reportlab then dates the file from it."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return None
    return f"D:{as_of.replace('-', '')}000000+00'00'"


class HeldCanvas(Canvas):
    """The dossier's canvas. reportlab's build() ends by saving it, but the page-number forms
    and the manifest come after the last page: `save` waits for `finish`."""

    def __init__(self, *args, created: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if created:
            self.setDateFormatter(lambda *_ymdhms: created)

    def save(self):
        pass

    def finish(self):
        super().save()


class DossierDoc(BaseDocTemplate):
    """The dossier's pages are of the geometry `state.page` (the case's page_size); an exhibit
    file's pages are of that page's own size (handle_pageSize)."""

    def __init__(self, stream, dossier: Dossier, state: RenderState, **kw):
        g = state.page
        super().__init__(stream, pagesize=g.size, leftMargin=g.margin_l, rightMargin=g.margin_r,
                         topMargin=g.margin_t, bottomMargin=g.margin_b, invariant=1, **kw)
        self.dossier, self.state = dossier, state
        frame = Frame(*g.frame, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", frames=[frame], onPageEnd=self._decorate)])
        self.keepTogetherClass = functools.partial(KeepWithNext, frame_height=g.content_height)
        self._file_templates: set = set()

    def handle_pageSize(self, size):
        """The pages begun from now on are `size` (flowables.PageSize; None: the dossier's own)."""
        self.handle_nextPageTemplate(self._template_of(size))

    def _template_of(self, size) -> str:
        """The page template for pages of `size` (an exhibit file's): one frame filling the page."""
        if size is None:
            return "page"
        name = f"file {size[0]:.3f}x{size[1]:.3f}"
        if name not in self._file_templates:
            frame = Frame(0, 0, *size, id=name, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
            self.addPageTemplates([PageTemplate(name, frames=[frame], pagesize=size, onPageEnd=self._decorate)])
            self._file_templates.add(name)
        return name

    def _decorate(self, c, doc):
        st = self.state
        g = st.page
        page = c.getPageNumber()
        if page == 1:  # where the document opens: the first page at 100 %
            c.bookmarkPage(OPEN_AT, fit="XYZ", left=0, top=g.height, zoom=1)
        marks.draw_notes(c, g.width - g.margin_r + 2.5 * mm, g.margin_r - 3.5 * mm)
        if st.current_exhibit and page not in st.exhibit_of:
            st.exhibit_of[page] = st.current_exhibit
        if page in st.file_pages:
            self._decorate_file_page(c, page, *self.pageTemplate.pagesize)
            return
        c.saveState()
        # what every page has (edition banner, case title, rules, case and accused): one form,
        # defined once after the last page
        c.doForm(st.form_name(FRAME, 0, ""))
        # running head and "Page X of"; the page count; edition and page stamp
        head = st.running.get(page) or st.current_head
        if head:  # one form per running head
            c.saveState()
            c.translate(g.width - g.margin_r, g.height - 16 * mm)
            c.doForm(st.form_name((HEAD, _fit(rtl.ltr_visual(head), rtl.FONT_REGULAR, 7.5, 70 * mm)), 7.5, "right"))
            c.restoreState()
        t = c.beginText()
        t.setFillColor(INK)
        t.setFont(rtl.FONT_REGULAR, 7.5)
        label = f"Page {page} of "
        w = stringWidth(label, rtl.FONT_REGULAR, 7.5)
        x = g.width / 2 - (w + 8) / 2
        t.setTextOrigin(x, 12 * mm)
        t.textOut(label)
        c.drawText(t)
        c.saveState()
        c.translate(x + w, 12 * mm)
        c.doForm(st.form_name(TOTAL, 7.5, "left"))  # the page count, known at the end
        c.restoreState()
        # the page's permanent number (an exhibit file's page), else the exhibit it belongs to
        mark = st.evidence.get(page) or st.exhibit_of.get(page)
        if mark:
            c.setFillColor(INK)
            c.setFont(rtl.FONT_BOLD, 8)
            c.drawRightString(g.width - g.margin_r, 12 * mm, mark)
        c.restoreState()

        if page in st.stamps:
            c.saveState()
            c.setFillColor(colors.white)
            c.setStrokeColor(INK)
            c.setLineWidth(0.6)
            text = st.stamps[page]
            c.setFont(rtl.FONT_BOLD, 8)
            w = stringWidth(text, rtl.FONT_BOLD, 8) + 10
            x, y = g.width - g.margin_r - w, g.margin_b - 5.5 * mm
            c.rect(x, y, w, 4.6 * mm, fill=1, stroke=1)
            c.setFillColor(INK)
            c.drawString(x + 5, y + 1.5 * mm, text)
            c.restoreState()


    def _decorate_file_page(self, c, page: int, w: float, h: float):
        """The bands of an exhibit file's page (FILE_BAND_TOP above it, FILE_BAND_BOTTOM below):
        the edition banner; the exhibit stamp and the evidence number; case and accused, "Page X
        of Y" and the edition."""
        d, st = self.dossier, self.state
        x = min(14.0, w * 0.025)
        c.saveState()
        text, colour = banner(d)
        c.setFillColor(colour)
        c.setFont(rtl.FONT_BOLD, 7)
        c.drawCentredString(w / 2, h - FILE_BAND_TOP + 4.5, text)
        number = st.evidence.get(page, "")
        c.setFillColor(INK)
        c.setFont(rtl.FONT_BOLD, 8)
        c.drawRightString(w - x, 16.5, number)
        c.setFont(rtl.FONT_REGULAR, 7)
        room = w - 2 * x - stringWidth(number, rtl.FONT_BOLD, 8) - 12
        c.drawString(x, 16.5, _fit(rtl.ltr_visual(st.stamps.get(page, "")), rtl.FONT_REGULAR, 7, room))
        original = f" · {d.accused['name_original']}" if d.accused.get("name_original") else ""
        left = rtl.ltr_visual(f"{d.case['id']} · {d.accused['name']}{original}")
        c.drawString(x, 6, _fit(left, rtl.FONT_REGULAR, 7, w / 2 - x - 50))
        c.drawRightString(w - x, 6, f"{d.edition} edition")
        label = f"Page {page} of "
        lw = stringWidth(label, rtl.FONT_REGULAR, 7)
        c.drawString(w / 2 - (lw + 8) / 2, 6, label)
        c.translate(w / 2 - (lw + 8) / 2 + lw, 6)
        c.doForm(st.form_name(TOTAL, 7, "left"))
        c.restoreState()


def banner(d: Dossier) -> tuple[str, object]:
    """The edition banner: "PUBLIC — REDACTED" only when the public edition took something out."""
    text, colour = BANNER[d.edition]
    if d.edition == "public" and not d.removed:
        text = "PUBLIC"
    return text, colour


@functools.lru_cache(maxsize=1024)
def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text`, cut short with "…" if wider than `width`."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _draw_frame(c, d: Dossier, g: PageGeometry):
    """What every page of the dossier has: edition banner, case title, rules, case and accused."""
    text, colour = banner(d)
    c.setFillColor(colour)
    c.setFont(rtl.FONT_BOLD, 8.5)
    c.drawCentredString(g.width / 2, g.height - 11 * mm, text)
    c.setFillColor(GREY)
    c.setFont(rtl.FONT_REGULAR, 7.5)
    c.drawString(g.margin_l, g.height - 16 * mm, _fit(strip_marks(d.case["title"]), rtl.FONT_REGULAR, 7.5, 95 * mm))
    c.setStrokeColor(RULE)
    c.setLineWidth(0.4)
    c.line(g.margin_l, g.height - 18 * mm, g.width - g.margin_r, g.height - 18 * mm)
    c.line(g.margin_l, 17 * mm, g.width - g.margin_r, 17 * mm)
    c.setFillColor(INK)
    c.setFont(rtl.FONT_REGULAR, 7.5)
    original = f" · {d.accused['name_original']}" if d.accused.get("name_original") else ""
    left = rtl.ltr_visual(strip_marks(f"{d.case['id']} · {d.accused['name']}{original}"))
    c.drawString(g.margin_l, 12 * mm, _fit(left, rtl.FONT_REGULAR, 7.5, 70 * mm))
    # the edition, left of the page stamp (as wide as its widest digits allow)
    digit = max(stringWidth(ch, rtl.FONT_BOLD, 8) for ch in "0123456789")
    stamp_w = stringWidth(f"{d.evidence_prefix}--", rtl.FONT_BOLD, 8) + 8 * digit
    c.drawRightString(g.width - g.margin_r - stamp_w - 8, 12 * mm, f"{d.edition} edition")


def _define_forms(c, st: RenderState, total: int, d: Dossier):
    for (key, size, align), name in st.form_ids.items():
        if key == FRAME:
            c.beginForm(name, lowerx=0, lowery=0, upperx=st.page.width, uppery=st.page.height)
            _draw_frame(c, d, st.page)
            c.endForm()
            continue
        if isinstance(key, tuple) and key[0] == VOLUME_LINE:  # a cover's "Volume 2 of 3 (pages 41–80)"
            fastpath.text_form(c, name, st.volume_lines[key[1]], rtl.FONT_BOLD, size, False, INK, centre=True)
            continue
        if isinstance(key, tuple) and key[0] == VOLUME:  # a contents line in volumes: volume and page
            page = st.pages.get(key[1])
            text = f"vol. {st.volumes.get(page, 1)} · {page}" if page is not None else "—"
            fastpath.text_form(c, name, text, rtl.FONT_REGULAR, size, align == "right", INK)
            continue
        if isinstance(key, tuple):  # (HEAD, running head as fitted)
            fastpath.text_form(c, name, key[1], rtl.FONT_REGULAR, size, True, GREY)
            continue
        if key == TOTAL:
            text = str(total)
        elif key in st.pages:
            text = str(st.pages[key])
        else:
            text = "—"  # a withheld exhibit, or a key never placed: shown as a dash
        fastpath.text_form(c, name, text, rtl.FONT_REGULAR, size, align == "right", INK)


def _make_archival(doc: DossierDoc, d: Dossier, associated: list, conf: Conformance, claim: bool = True) -> None:
    """The PDF/A identification (3b for the archive copy, 2b for the filing copy; none when
    `claim` is false) and what the standard asks beyond what reportlab writes."""
    c = doc.canv
    when = fastpath.info_date(c)
    xmp = xmp_packet(conf if claim else None, title=doc.title, author=doc.author, subject=doc.subject, keywords=doc.keywords,
                     creator=doc.creator, producer=doc.producer, created=when, modified=when,
                     lang=d.case.get("language") or "en")
    fastpath.make_archival(c, xmp, srgb_icc(), OUTPUT_CONDITION, associated)


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    anchors: dict  # key -> page
    reserved: list  # (page, pdf path, page index) of exhibit PDF pages
    sidecar: bytes | None = None  # the filing copy's manifest, written beside it
    notes: list = field(default_factory=list)  # warnings for the build's report (not problems)
    text_lines: dict = field(default_factory=dict)  # a typeset text file's document number -> page -> lines
    # a dossier to be cut into volumes: (the resource name its cover draws its volume line by,
    # {volume: object number of that volume's line}): pdf/volumes.py gives each cover its own
    cover_lines: tuple | None = None


def _volume_list(d: Dossier, volumes: dict) -> list[dict]:
    """The volumes for the cover: file name, first and last page (the pages each holds as its own)."""
    out: list[dict] = []
    for page, n in sorted(volumes.items()):
        if out and out[-1]["number"] == n:
            out[-1]["last"] = page
        else:
            out.append({"number": n, "file": volume_name(d.file_stem, n), "first": page, "last": page})
    return out


def _volume_lines(state: RenderState, listed: list[dict]) -> tuple[str, dict] | None:
    """The forms of each volume's cover line (defined with the other forms after the last page),
    and what pdf/volumes.py needs to point each cover at its own: the resource name the cover
    draws (volume 1's line) and each line's object number. None when the cover has no line."""
    first = (VOLUME_LINE, 1), VOLUME_LINE_SIZE, "center"
    if first not in state.form_ids:
        return None
    state.volume_lines = {v["number"]: f"Volume {v['number']} of {len(listed)} (pages {v['first']}–{v['last']})"
                          for v in listed} or {1: "Volume 1"}  # (the cut not known yet: typeset again)
    return xObjectName(state.form_ids[first]), {n: state.form_name((VOLUME_LINE, n), VOLUME_LINE_SIZE, "center")
                                                for n in sorted(state.volume_lines)}


def render(dossier: Dossier, env: Environment, context: dict, attach_media: bool = False,
           profile: str = "archive", volumes: dict | None = None) -> Rendered:
    """Typeset one dossier, finished: exhibit pages in place, manifest attached (with
    `attach_media` the media files too), content hash sealed. `context` carries what the
    templates need beyond the dossier (chronology rows, matrix, names index, file list).
    `volumes` (page -> volume) for a dossier to be split into volumes (pdf/volumes.py): the
    contents give each line's volume with its page ({}: not known yet; the room is the same)."""
    state = RenderState(page=page_geometry(dossier.case.get("page_size")), volumes=volumes)
    styles = paragraph_styles()
    mk = Markup(state, styles, dossier)
    buf = io.BytesIO()
    doc = DossierDoc(buf, dossier, state, title=dossier.title,
                     author=strip_marks(dossier.case["prepared_by"]),
                     subject=strip_marks(f"{dossier.case['forum']} — {dossier.edition} edition"),
                     keywords=", ".join(["casefile", dossier.case["id"], dossier.accused["id"], dossier.edition]),
                     creator=f"casefile {__version__}", producer=f"casefile {__version__} (reportlab)",
                     lang=dossier.case.get("language") or "en", initialFontName=rtl.FONT_REGULAR)
    listed = _volume_list(dossier, volumes or {})
    ctx = dict(context, d=dossier, case=dossier.case, accused=dossier.accused, exhibits=dossier.exhibits,
               TOTAL=TOTAL, volumes=listed)
    flows: list[Flowable] = []
    for section in BEFORE_EXHIBITS:
        flows += mk.blocks(render_markup(env, section.template, **ctx))
    for i, ex in enumerate(dossier.exhibits):
        flows += mk.blocks(render_markup(env, EXHIBIT_TEMPLATE, ex=ex, first=i == 0, **ctx))
    for section in AFTER_EXHIBITS:
        flows.append(Deferred(lambda name=section.template: mk.blocks(
            render_markup(env, name, pages=state.pages, page_of=lambda k: state.pages.get(k, "—"), **ctx))))
    with pdf_limits():  # exhibit PDFs are read while typesetting
        doc.build(flows, canvasmaker=functools.partial(HeldCanvas, created=pdf_date(dossier.case["as_of"])))
    total = doc.canv.getPageNumber() - 1
    doc.canv.showOutline()  # the bookmarks panel open
    fastpath.open_at(doc.canv, OPEN_AT)
    lines = _volume_lines(state, listed)
    _define_forms(doc.canv, state, total, dossier)
    if lines is not None:
        lines = (lines[0], {n: fastpath.form_number(doc.canv, name) for n, name in lines[1].items()})
    conf = conformance(profile)
    if conf.embeds_files:
        seal = add_manifest(doc.canv, dossier, state.pages, total, attach_media, state.text_lines)
        associated = seal.associated
    else:  # the filing copy embeds no file: its manifest goes beside it
        set_document_id(doc.canv, dossier, profile)
        associated = []
    notes = []
    unembedded = state.exhibit_pages.unembedded_fonts() if state.exhibit_pages is not None else {}
    shown = {str(Path(f.abspath)): f"exhibits/{dossier.case['id']}/{f.path}" for e in dossier.exhibits for f in e.files}
    shown.update({str(Path(f.rendition)): f"exhibits/{dossier.case['id']}/{f.path} (its PDF rendition)"
                  for e in dossier.exhibits for f in e.files if getattr(f, "rendition", None)})
    for path, fonts in unembedded.items():
        path = shown.get(path, path)
        mend = ("save the exhibit again with its fonts embedded (print it to PDF, or gs -o fixed.pdf "
                "-sDEVICE=pdfwrite -dEmbedAllFonts=true file.pdf) and record it with --accept-changes")
        if conf.profile == "filing":
            raise fail(path, "pdf", f"shows text in fonts that are not embedded ({', '.join(fonts)}): a filing copy "
                                    f"is PDF/A-2b, which embeds every font; {mend}")
        notes.append(f"{path}:0: pdf: shows text in fonts that are not embedded ({', '.join(fonts)}): the "
                     f"dossier of '{dossier.accused['id']}' ({dossier.edition}) is written without its "
                     f"{conf.label} identification; for a PDF/A dossier, {mend}")
    _make_archival(doc, dossier, associated, conf, claim=not unembedded)
    doc.canv.finish()
    if conf.embeds_files:
        return Rendered(seal(buf.getvalue()), total, dict(state.pages), list(state.reserved),
                        notes=notes, text_lines=state.text_lines, cover_lines=lines)
    pdf = buf.getvalue()
    sidecar = manifest_json(dossier, state.pages, hashlib.sha256(pdf).hexdigest(), total, {}, SIDECAR_HASH,
                            state.text_lines)
    return Rendered(pdf, total, dict(state.pages), list(state.reserved), sidecar, notes,
                    state.text_lines, cover_lines=lines)
