"""The case format, as pydantic models: validated at the edge, plain data inside.

Every model forbids unknown fields. Dates are kept as their EDTF text (see dates.py) and
checked here, so a case file never has a date silently coerced by YAML.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from casefile.case.dates import parse_date, parse_full_date
from casefile.case.sizes import SIZE_FORM, parse_size

_SLUG = r"^[a-z0-9][a-z0-9._-]*$"


def _check_date(v: str) -> str:
    parse_date(v)  # DateError is a ValueError: pydantic reports it at the field
    return v


def _check_full_date(v: str) -> str:
    parse_full_date(v)
    return v


# C0 and C1 control characters other than tab, line feed and carriage return: XML (and so the
# typesetter) cannot carry them, and they print as nothing or as boxes
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _baseless_mark(v: str) -> int | None:
    """Where a combining mark (an accent, a vowel sign such as U+064B) follows no letter: at the
    start of the text or after a space, digit or sign. It has nothing to sit on, and the
    right-to-left ordering moves it (Unicode bidi rule W1) to a place the writer did not mean."""
    for i, ch in enumerate(v):
        if unicodedata.category(ch) == "Mn" and (i == 0 or unicodedata.category(v[i - 1])[0] not in "LM"):
            return i
    return None


def unprintable(v: str) -> tuple[int, str] | None:
    """The first character the dossier cannot print as written (a control character, else a
    combining mark with no letter to sit on): its index and what to say about it."""
    m = CONTROL_CHARS.search(v)
    if m is not None:
        if m.group() == "\x00":
            return m.start(), "contains a NUL character"
        return m.start(), f"contains the control character U+{ord(m.group()):04X}, which cannot be printed"
    at = _baseless_mark(v)
    if at is None:
        return None
    ch = v[at]
    return at, (f"the combining mark U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed').lower()}) follows no letter: "
                "delete it, or type the letter it belongs on before it")


def control_char_problem(v: str) -> str | None:
    found = unprintable(v)
    return found[1] if found else None


def _check_text(v: str) -> str:
    if not v:  # a blank field is dropped before validation (Model): this is an entry of a list
        raise ValueError("an empty entry: remove it, or write its value")
    why = control_char_problem(v)
    if why:
        raise ValueError(why)
    return v


def _size(v) -> int:
    """A size as written ("25MB"; a whole number is bytes), in bytes."""
    n = parse_size(str(v)) if isinstance(v, (str, int)) and not isinstance(v, bool) else None
    if n is None:
        shown = repr(v if len(v) < 40 else v[:37] + "...") if isinstance(v, str) else \
            "a list" if isinstance(v, list) else "a mapping" if isinstance(v, dict) else str(v)
        raise ValueError(f"write a size: {SIZE_FORM} (got {shown})")
    return n


Size = Annotated[int, BeforeValidator(_size), WithJsonSchema({  # written as text, held as bytes
    "type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*(([KkMmGg][Ii]?)?[Bb])?\s*$",
    "description": "a file size: 25MB, 500KB, 2GB, 20MiB (KB, MB, GB: powers of 1000; KiB, MiB, GiB: of 1024; "
                   "a plain number is bytes), at least 10KB", "examples": ["25MB", "500KB", "20MiB"]})]
Date = Annotated[str, AfterValidator(_check_date), Field(
    description="EDTF date: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-21..24 (season), ~ approximate, "
                "? uncertain, START/END interval", examples=["1988", "1988-07-25/1988-07-28", "1988-22~"])]
FullDate = Annotated[str, AfterValidator(_check_full_date), Field(description="YYYY-MM-DD")]
Slug = Annotated[str, Field(pattern=_SLUG, description="lower-case letters, digits, '.', '_', '-'")]
Text = Annotated[str, AfterValidator(_check_text)]


COMPILER = ("fields whose value the compiler supplied, not the sources (e.g. name_original, forum, "
            "witness.name_original); the dossier prints them as supplied by the compiler")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_no_value(cls, data):
        """A field left empty (nothing, `~`, `null`, `""` or only spaces) is as if it were not
        written: an optional field takes its default, a required one is reported missing (and
        the loader, which sees the key in the file, says it is empty)."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (v is None or (isinstance(v, str) and not v.strip()))}
        return data


# ---------------------------------------------------------------- case.yaml

class Numbering(Model):
    exhibit_prefix: Text = Field("EX-", description="prefix of exhibit numbers, e.g. EX- gives EX-0001")
    exhibit_width: int = Field(4, ge=1, le=8, description="digits of exhibit numbers")
    stamp_prefix: Text = Field("CF", pattern=r"^[A-Za-z0-9-]{1,16}$",
                               description="page-stamp (Bates) prefix; the accused's stamp code follows")


class Role(Model):
    title: Text
    institution: Text | None = None
    from_: Date | None = Field(None, alias="from")
    to: Date | None = None
    source: Text | None = Field(None, description="where this role is stated")


class Accused(Model):
    id: Slug
    name: Text
    name_original: Text | None = Field(None, description="the name in its original script")
    aliases: list[Text] = []
    status: Text = Field(description="free text: deceased, convicted, at large…")
    stamp: str | None = Field(None, pattern=r"^[A-Z0-9]{1,12}$",
                              description="page-stamp code of this accused's dossier (default: from id)")
    roles: list[Role] = []
    notes: Text | None = None
    supplied_by_compiler: list[Text] = Field([], description=COMPILER)


class Element(Model):
    id: Slug
    label: Text


class Charge(Model):
    id: Slug
    label: Text
    basis: Text
    elements: list[Element] = []


class Person(Model):
    """A person named in the case; a protected one is declared here (or as a protected witness)
    once, with every form that identifies them."""
    name: Text
    name_original: Text | None = Field(None, description="the name in its original script")
    aliases: list[Text] = Field([], description="other spellings and forms of the name")
    protected: bool = Field(False, description="replaced by the pseudonym everywhere in the public edition")
    pseudonym: Text | None = None
    not_identifying: list[Text] = Field([], description="words of the name that do not identify the person "
                                                         "on their own (every other word of three letters or "
                                                         "more does)")

    @model_validator(mode="after")
    def _pseudonym_for_protected(self):
        if self.protected and not self.pseudonym:
            raise ValueError("a protected person needs a pseudonym")
        return self


class Event(Model):
    date: Date
    title: Text
    places: list[Text] = []
    source: Text | None = Field(None, description="the source that states this event")
    items: list[Slug] = Field([], description="ids of the items that record this event: the chronology "
                                              "gives the event one row, linked to their exhibit")


class Case(Model):
    id: Slug
    title: Text
    forum: Text
    prepared_by: Text
    as_of: FullDate
    language: Text = "en"
    numbering: Numbering = Numbering()
    translation_layout: Literal["side-by-side", "sequential"] = "side-by-side"
    page_size: Literal["A4", "Letter"] = Field("A4", description="the paper of the dossiers' and submissions' "
                                                                   "own pages (exhibit file pages keep theirs)")
    max_size: Size | None = Field(None, description="the largest dossier file: a dossier over it is written in "
                                                    "volumes (build's --max-size overrides it)")
    summary: Text | None = None
    accused: list[Accused] = Field(min_length=1)
    charges: list[Charge] = []
    events: list[Event] = []
    persons: list[Person] = Field([], description="persons of the case; protected ones are replaced by their "
                                                  "pseudonym in every field of the public edition")


# ---------------------------------------------------------------- evidence items

class Source(Model):
    title: Text
    publisher: Text | None = None
    url: Text | None = None
    file: Text | None = Field(None, description="file name of a stored copy of the source")
    published: Date | None = None
    accessed: Date | None = None
    locator: Text | None = Field(None, description="where in the source: section, paragraph, page")


class ExhibitFile(Model):
    file: Text = Field(description="path under exhibits/<case-id>/")
    description: Text | None = None
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    confidential: bool = Field(False, description="withheld from the public edition (wherever the file is listed)")
    public_reviewed: bool = Field(False, description="a person has checked the pages the leak check cannot read "
                                                     "(images and pages without a text layer, and pages OCR did "
                                                     "not read in full): they may be public")


class Witness(Model):
    name: Text
    name_original: Text | None = None
    aliases: list[Text] = Field([], description="other spellings and forms of the name")
    protected: bool = False
    pseudonym: Text | None = None
    not_identifying: list[Text] = Field([], description="words of the name that do not identify the witness "
                                                         "on their own")

    @model_validator(mode="after")
    def _pseudonym_for_protected(self):
        if self.protected and not self.pseudonym:
            raise ValueError("a protected witness needs a pseudonym (pseudonym: …), which the public "
                             "edition shows instead of the name")
        return self


class Detention(Model):
    place: Text
    from_: Date | None = Field(None, alias="from")
    to: Date | None = None
    note: Text | None = None


class Original(Model):
    language: Text
    text: Text
    title: Text | None = None


class Translation(Model):
    translator: Text
    certified: bool = False
    certification: Text | None = None


class ItemBase(Model):
    id: Slug
    title: Text
    date: Date | None = None
    accused: list[Slug] = Field(min_length=1, description="ids of the accused this item concerns")
    charges: list[str] = Field([], description="charge ids, or charge-id/element-id")
    places: list[Text] = []
    persons: list[Text] = []
    organisations: list[Text] = []
    language: Text = "en"
    summary: Text | None = None
    sources: list[Source] = Field(min_length=1)
    exhibits: list[ExhibitFile] = []
    confidential: bool = Field(False, description="withheld from the public edition")
    redact: list[Text] = Field([], description="names and phrases removed from the public edition")
    supplied_by_compiler: list[Text] = Field([], description=COMPILER + "; accused.ID marks a link to an accused "
                                             "that the source does not make")


class Testimony(ItemBase):
    type: Literal["testimony"]
    witness: Witness
    given_on: Date | None = None
    forum: Text | None = None
    detention: list[Detention] = []


class Decree(ItemBase):
    type: Literal["decree"]
    issuer: Text
    issued: Date | None = None
    addressee: Text | None = None
    original: Original | None = None
    translation: Translation | None = None


class Statement(ItemBase):
    type: Literal["statement"]
    speaker: Text
    role: Text | None = None
    outlet: Text | None = None
    medium: Text | None = None
    context: Text | None = None


class Document(ItemBase):
    type: Literal["document"]
    kind: Text = "letter"
    author: Text
    recipient: Text | None = None


class Media(ItemBase):
    type: Literal["media"]
    kind: Text = "post"
    author: Text
    handle: Text | None = None
    platform: Text | None = None
    url: Text | None = None
    captured: Date | None = None
    archive_url: Text | None = None


Item = Annotated[Union[Testimony, Decree, Statement, Document, Media], Field(discriminator="type")]
ITEM_TYPES = {"testimony": Testimony, "decree": Decree, "statement": Statement,
              "document": Document, "media": Media}


class FrontMatter(BaseModel):
    """Wrapper used to validate one item's front matter (a discriminated union)."""
    item: Item


