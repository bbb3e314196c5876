"""The editions and what the public one must not show: protected witnesses' names (replaced by
their pseudonyms), `redact:` terms and `[[…]]` spans (replaced by "[redacted]"), items marked
confidential (withheld). This is the one place that says what the public edition removes: the
assembly applies it, the leak check searches for it."""

from __future__ import annotations

from dataclasses import dataclass

from casefile.case.body import NameMap, marked_spans, redact_text, replace_names
from casefile.case.loading import LoadedCase

EDITIONS = ("confidential", "public")


@dataclass(frozen=True)
class Term:
    text: str
    path: str  # where the term comes from (item file)
    line: int
    field: str


def protected_names(lc: LoadedCase) -> NameMap:
    """Every protected witness's names (Latin and original script) -> pseudonym."""
    out = NameMap()
    for li in lc.items:
        w = getattr(li.item, "witness", None)
        if w is not None and w.protected:
            for n in (w.name, w.name_original):
                if n:
                    out[n] = w.pseudonym
    return out


def public_terms(li) -> list[str]:
    """Terms removed from one item in the public edition: its `redact` list and marked spans."""
    return list(li.item.redact) + marked_spans(li.body)


def redaction_terms(lc: LoadedCase, item_ids: set[str]) -> list[Term]:
    """What the public edition must not contain: every protected witness name of the case,
    and the `redact` terms and `[[…]]` spans of the items in the dossier."""
    terms = []
    for li in lc.items:
        w = getattr(li.item, "witness", None)
        if w is not None and w.protected:
            for f, v in (("name", w.name), ("name_original", w.name_original)):
                if v:
                    terms.append(Term(v, li.path, li.line_of("witness", f), f"witness.{f}"))
        if li.item.id not in item_ids:
            continue
        for i, t in enumerate(li.item.redact):
            terms.append(Term(t, li.path, li.line_of("redact", i), f"redact.{i}"))
        for span in marked_spans(li.body):
            n = li.body.find(span)
            terms.append(Term(span, li.path, li.body_line + li.body[:n].count("\n"), "body"))
    return terms


def public_text(text: str, terms: list[str], names: dict[str, str]) -> str:
    """A text as the public edition prints it: protected names become pseudonyms, then every
    term becomes "[redacted]"."""
    return redact_text(replace_names(text, names), terms)


def submission_terms(sub) -> list[str]:
    """Terms removed from a submission (case/submission.py) in the public edition: its `redact`
    list and its `[[…]]` spans."""
    return list(sub.front.redact) + [text for text, _ in sub.marked_spans()]


def submission_redaction_terms(lc: LoadedCase, sub, item_ids: set[str]) -> list[Term]:
    """What the public edition of a submission must not contain: what its annexed dossiers must
    not (`item_ids`: their items), and the submission's own `redact` terms and `[[…]]` spans."""
    terms = redaction_terms(lc, item_ids)
    terms += [Term(t, sub.path, sub.line_of("redact", i), f"redact.{i}") for i, t in enumerate(sub.front.redact)]
    terms += [Term(text, sub.path, line, "body") for text, line in sub.marked_spans()]
    return terms
