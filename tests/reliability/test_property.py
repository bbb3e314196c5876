"""Property and fuzz tests (Hypothesis). Kept small and deterministic (derandomize, no example
database) so that `make test` is fast and repeatable; set CASEFILE_FUZZ_EXAMPLES to search
longer, e.g. CASEFILE_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/reliability/test_property.py"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings, strategies as st
from pypdf import PdfReader

from casefile.case.body import parse_body
from casefile.errors import CaseError
from casefile.case.loading import load_cases
from conftest import CASE_YAML, REPO, item, run

from .cases import ROW
from .conftest import PROBLEM_LINE, assert_report

SCALE = int(os.environ.get("CASEFILE_FUZZ_EXAMPLES", "0"))


def examples(n: int) -> settings:
    return settings(max_examples=SCALE or n, deadline=None, derandomize=not SCALE, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# ------------------------------------------------------------------ text round trip

PERSIAN = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءآأؤئًٌٍَُِّْ۰۱۲۳۴۵۶۷۸۹،؛؟ـ"
SPECIAL = ["&", "<", ">", "&amp;", "<b>x</b>", "'", '"', "\u200c", "\u200d", "\u200e", "\u200f", "\u202e",
           "\u2066", "\u2069", "\u00ad", "a\u0301", "\u0301", "\ufefb", "١٢٣", "۱۲۳", "(", ")", "[", "]", "*",
           "**", "_", "#", "> ", "- ", "1. ", "[[x]]", "\t", "\n", " ", "\u00a0", "\u3000", "ß", "\ufb01", "\u2126",
           "Ω", "µ", "İ", "ǅ", "…", "–", "—", "«", "»", "“", "”", "€", "%", "{{", "}}", "{%", "%}", "\\", "/",
           "حمید", "نوری", "Noury", "1988", "\u2028", "\x85", "\x7f", "\x1b", "\ufffe", "\U0001F600", "中"]
TEXT = st.one_of(
    st.text(max_size=20),  # any code point: most have no glyph and are refused
    st.text(st.characters(codec="latin-1"), max_size=30),
    st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"], max_codepoint=0x24FF), max_size=30),
    st.text(st.sampled_from(PERSIAN + " \u200c"), max_size=30),
    st.lists(st.sampled_from(SPECIAL), max_size=8).map("".join),
)
_ESCAPE_ALWAYS = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def yaml_quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text` (what YAML may not carry raw is escaped)."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch in _ESCAPE_ALWAYS:
            out.append(_ESCAPE_ALWAYS[ch])
        elif o < 0x20 or 0x7F <= o <= 0x9F or ch in "\u2028\u2029\ufeff\ufffe\uffff":
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def visible(text: str) -> str:
    """What a reader sees, as extracted text can give it back: NFKC, without white space and
    without the characters that are never drawn (bidi marks, joiners, soft hyphen: format)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))


def is_rtl(text: str) -> bool:
    """Right-to-left letters or Arabic-script characters (Persian digits are bidi class EN, but
    are set inside the right-to-left run)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL", "AN") or 0x0590 <= ord(ch) <= 0x08FF
               or 0xFB1D <= ord(ch) <= 0xFEFF for ch in text)


def unmarked(text: str) -> str:
    """The text as the confidential edition prints it: a `[[…]]` span (accepted, so balanced)
    keeps its words, highlighted, without the brackets."""
    return text.replace("[[", "").replace("]]", "")


def printed(want: str, page_text: str) -> bool:
    """`want` is in the extracted text: as one run when it is left to right; when it has
    right-to-left text, word by word in its order (the words of a right-to-left line come back
    in logical order, but a line may break between any two words)."""
    if not is_rtl(want):
        return visible(want) in page_text
    at = 0
    for word in filter(None, (visible(w) for w in want.split())):
        at = page_text.find(word, at)
        if at < 0:
            return False
        at += len(word)
    return True


@examples(25)
@given(title=TEXT, person=TEXT, body=TEXT)
def test_any_text_is_printed_or_refused_clearly(title, person, body):
    row = ROW["unicode-property"]
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "cases/demo/evidence").mkdir(parents=True)
        (root / "cases/demo/case.yaml").write_text(CASE_YAML, encoding="utf-8")
        text = item("a1", body=body, extra=f"persons: [{yaml_quoted(person)}]\n").replace(
            "title: Title of a1", f"title: {yaml_quoted(title)}")
        (root / "cases/demo/evidence/a1.md").write_text(text, encoding="utf-8")
        code, out, err = run("build", "--edition", "confidential", root=root)
        assert code in row.codes, f"exit {code}: {err}"
        if code == 1:
            for line in assert_report(err):
                assert line.startswith("cases/demo/evidence/a1.md:"), line
            event("refused")
            return
        event("printed")
        reader = PdfReader(str(root / "out/demo/confidential/alpha.pdf"))
        page_text = visible("".join(p.extract_text() or "" for p in reader.pages))
        assert printed(unmarked(title), page_text), f"title {title!r} not printed"
        assert printed(unmarked(person), page_text), f"person {person!r} not printed"
        for block in parse_body(body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")):
            assert printed(unmarked(block.text), page_text), f"body block {block.text!r} not printed"


# ------------------------------------------------------------------ loader fuzz

SEEDS = [CASE_YAML, item("a1", extra="charges: [murder/killing]\nplaces: [Evin]\n"),
         item("t1", type="testimony", extra="witness:\n  name: W\n  protected: true\n  pseudonym: P\n"),
         *(p.read_text(encoding="utf-8") for p in sorted((REPO / "cases/1988-massacre/evidence").rglob("*.md"))[:4])]
TOKENS = [":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "!!python/object:os.system ", "!x ", "<<: ",
          "|", ">", "#", "%YAML 1.1\n", "---\n", "...\n", "\t", "\x00", "\ufeff", "'", '"', "\\", "?", "@", "`",
          "\n", "\n  ", "~", "null", "true", "1988-02-30", "../", "/etc/passwd", "\U0001F600", "\x07", "\r",
          "\u2028", "\x85", "id: a1\n", "type: media\n", "accused: [alpha]\n", "accused: []\n"]


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate", "truncate"]))
        if op == "insert":
            text = text[:i] + draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4))) + text[i:]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "replace":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i]
    return text


@examples(150)
@given(target=st.sampled_from(["cases/demo/evidence/a1.md", "cases/demo/case.yaml"]),
       content=st.one_of(st.text(max_size=200), st.binary(max_size=200), mutated()))
def test_the_loader_raises_only_case_error(target, content):
    row = ROW["loader-fuzz"]
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "cases/demo/evidence").mkdir(parents=True)
        (root / "exhibits/demo").mkdir(parents=True)
        (root / "cases/demo/case.yaml").write_text(CASE_YAML, encoding="utf-8")
        (root / "cases/demo/evidence/a1.md").write_text(item("a1"), encoding="utf-8")
        data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
        (root / target).write_bytes(data)
        try:
            load_cases(root)
            event("loaded")
        except CaseError as e:
            event("refused")
            assert e.exit_code in row.codes
            assert e.problems
            for p in e.problems:
                assert PROBLEM_LINE.fullmatch(str(p)), f"not one path:line: field: message line: {str(p)!r}"
