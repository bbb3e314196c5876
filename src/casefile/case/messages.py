"""Validation errors in the case format's own words: what is wrong, and how to write it instead.

pydantic's wording ("Input should be a valid dictionary or instance of Witness", "List should
have at least 1 item after validation, not 0") never reaches the user: each kind of error is
said here, with the field's meaning and an example of the right form.
"""

from __future__ import annotations

import difflib
import re
import typing

from pydantic import BaseModel, ValidationError

from casefile.errors import Problem

ITEM_TYPE_NAMES = ("testimony", "decree", "statement", "document", "media")

# what a required value is, by its place (list indexes left out): items, then case.yaml
ITEM_VALUES = {
    "id": "the item's id, e.g. testimony-smith (lower-case letters, digits, '.', '_', '-')",
    "title": "the item's title",
    "sources.title": "the source's title (for an untitled source, a descriptive title marked as yours)",
    "witness.name": "the witness's name",
    "speaker": "who made the statement",
    "issuer": "who issued the decree",
    "author": "its author, or \"not stated in the sources\"",
    "original.language": "the language of the original, e.g. fa",
    "original.text": "the original text, as the source gives it",
    "translation.translator": "who made the translation",
    "detention.place": "the place of detention",
    "exhibits.file": "the file's path under exhibits/<case-id>/",
}
CASE_VALUES = {
    "id": "the case id, which is the name of its folder under cases/",
    "title": "the case's title",
    "forum": "the forum the dossiers are for (a court, a prosecutor, a UN body)",
    "prepared_by": "who prepared the dossiers",
    "as_of": "the day the dossiers speak for, as YYYY-MM-DD",
    "accused.id": "the accused's id, e.g. smith (lower-case letters, digits, '.', '_', '-')",
    "accused.name": "the accused's name",
    "accused.status": "the accused's status, in words (deceased, convicted, at large, not stated…)",
    "accused.roles.title": "the title of the role",
    "charges.id": "the charge's id, e.g. murder-cah",
    "charges.label": "the charge's label",
    "charges.basis": "its legal basis, e.g. Rome Statute art. 7(1)(a)",
    "charges.elements.id": "the element's id, e.g. killing",
    "charges.elements.label": "the element's label",
    "events.date": "the event's date, e.g. 1988-07-25 (EDTF)",
    "events.title": "what happened",
}
# how a whole mapping is written, by its field (the field is missing, empty or not a mapping)
MAPPINGS = {
    "witness": "needs a name (witness: {name: …})",
    "original": "needs the language and the text (original: {language: fa, text: …})",
    "translation": "needs a translator (translation: {translator: …})",
    "numbering": "is a mapping (numbering: {exhibit_prefix: EX-, exhibit_width: 4, stamp_prefix: CF})",
    "sources": "each source is a mapping with at least a title (- title: …)",
    "exhibits": "each exhibit file is a mapping with at least a file (- file: …)",
    "detention": "each detention is a mapping with at least a place (- place: …)",
    "accused": "each accused is a mapping (- id: …, name: …, status: …)",
    "roles": "each role is a mapping with at least a title (- title: …)",
    "charges": "each charge is a mapping (- id: …, label: …, basis: …)",
    "elements": "each element is a mapping (- id: …, label: …)",
    "events": "each event is a mapping (- date: …, title: …)",
}
PATTERNS = {
    "stamp": "a page-stamp code is 1 to 12 capital letters or digits, e.g. NOURY",
    "stamp_prefix": "a page-stamp prefix is 1 to 16 letters, digits or '-', e.g. IR88",
    "sha256": "a SHA-256 pin is 64 lower-case hexadecimal digits (or leave the pin out)",
}
SLUG = "use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit"


def _slugged(v: str) -> str:
    s = re.sub(r"[^a-z0-9._-]+", "-", v.lower()).strip("-._")
    return s or "x"


def _shown(v) -> str:
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if v is None:
        return "nothing"
    s = str(v)
    return repr(s if len(s) < 40 else s[:37] + "...")


def _unwrap(annotation):
    """The model class inside an annotation (Optional, list, Annotated, a union of models)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _unwrap(arg)
        if found is not None:
            return found
    return None


def _model_at(root, loc: tuple):
    model = root
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None:
            return None
        info = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None)
        if info is None:
            return None
        model = _unwrap(info.annotation)
    return model


def _field_names(model) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()] if model else []


def validation_problems(err: ValidationError, shown: str, lines: dict, line_for, *, root=None,
                        item: bool, default_line: int = 1, known_accused: list[str] | None = None,
                        skip: set | None = None) -> list[Problem]:
    """One problem per pydantic error, said in the case format's terms. `root` is the model
    validated (for an item: its type's model, when the type is known); `skip` holds places
    already reported by another check (an unknown accused id, say)."""
    values = ITEM_VALUES if item else CASE_VALUES
    out = []
    for e in err.errors():
        loc = tuple(e["loc"])
        kind = e["type"]
        if item and loc and kind not in ("union_tag_invalid", "union_tag_not_found"):
            loc = loc[1:]  # the discriminated union's tag (the type name) comes first
        if skip and loc in skip:
            continue
        name = next((str(x) for x in reversed(loc) if not isinstance(x, int)), "")
        place = ".".join(str(x) for x in loc if not isinstance(x, int))
        given = e.get("input")
        present = loc in lines
        if kind == "union_tag_not_found":
            loc, msg = ("type",), ("is missing (required): add 'type: …', one of: " + ", ".join(ITEM_TYPE_NAMES))
        elif kind == "union_tag_invalid":
            got = given.get("type") if isinstance(given, dict) else None
            loc = ("type",)
            msg = (f"unknown type {got!r} (one of: {', '.join(ITEM_TYPE_NAMES)})" if got else
                   "is empty (required): write one of: " + ", ".join(ITEM_TYPE_NAMES))
        elif kind == "extra_forbidden":
            near = difflib.get_close_matches(name, _field_names(_model_at(root, loc[:-1])), n=1, cutoff=0.75)
            msg = f"unknown field (did you mean '{near[0]}'?)" if near else "unknown field"
        elif kind == "missing":
            msg = _missing(place, name, present, values, item, known_accused)
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            hint = MAPPINGS.get(name) if not isinstance(loc[-1], int) else MAPPINGS.get(
                next((str(x) for x in reversed(loc[:-1]) if not isinstance(x, int)), ""))
            msg = hint or f"write a mapping of fields here, not {_shown(given)}"
            if hint and given not in (None, ""):
                msg += f" (got {_shown(given)})"
        elif kind == "too_short":
            msg = _too_short(name, item, known_accused)
        elif kind == "list_type":
            if isinstance(given, str):
                msg = f"write a list: [{given}], or one '- ' line per entry"
            else:
                msg = f"write a list ([a, b], or one '- ' line per entry), not {_shown(given)}"
        elif kind == "string_type":
            msg = (f"write one text here, not {_shown(given)}" if given is not None else
                   "an empty entry: remove it, or write its value")
        elif kind == "string_pattern_mismatch":
            if given == "":
                msg = "an empty entry: remove it, or write its value"
            elif name in PATTERNS:
                msg = f"{_shown(given)}: {PATTERNS[name]}"
            else:
                msg = f"{_shown(given)} is not an id: {SLUG} (e.g. {_slugged(str(given))})"
        elif kind == "bool_parsing":
            msg = f"write true or false (got {_shown(given)})"
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            msg = f"write a whole number (got {_shown(given)})"
        elif kind in ("greater_than_equal", "less_than_equal"):
            msg = f"write a number from 1 to 8 (got {_shown(given)})" if name == "exhibit_width" else \
                f"out of range (got {_shown(given)})"
        elif kind == "literal_error":
            expected = e.get("ctx", {}).get("expected", "")
            msg = f"write {expected.replace(chr(39), '')} (got {_shown(given)})"
        elif kind == "string_unicode":
            msg = "not valid text: contains a lone surrogate (an escape such as \\ud800 that is not a character)"
        else:
            msg = e["msg"]
            for prefix in ("Value error, ", "Assertion failed, "):
                if msg.startswith(prefix):
                    msg = msg[len(prefix):]
        out.append(Problem(shown, line_for(lines, loc, default_line), ".".join(str(x) for x in loc) or "-", msg))
    return out


def _missing(place: str, name: str, present: bool, values: dict, item: bool, known_accused) -> str:
    if name in MAPPINGS and place in ("witness", "original", "translation", "numbering"):
        return MAPPINGS[name]
    if item and place == "accused":
        return _too_short("accused", item, known_accused)
    if item and place == "sources":
        return _too_short("sources", item, known_accused)
    if not item and place == "accused":
        return _too_short("accused", item, known_accused)
    what = values.get(place)
    if present:
        return f"is empty (required): write {what}" if what else "is empty (required): write its value"
    return f"is missing (required): add '{name}: …', {what}" if what else f"is missing (required): add '{name}: …'"


def _too_short(name: str, item: bool, known_accused) -> str:
    if name == "accused" and item:
        return ("list at least one accused id from case.yaml (known: "
                f"{', '.join(sorted(known_accused or [])) or 'none yet'})")
    if name == "accused":
        return "list at least one accused (- id: …, name: …, status: …)"
    if name == "sources":
        return "list at least one source (- title: …, locator: …)"
    return f"list at least one entry in {name}"
