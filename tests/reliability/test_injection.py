"""Markup and template syntax in every text field of every item type (and of case.yaml) is
printed literally: no reportlab markup (colour, image, link), no jinja2 evaluation."""

from __future__ import annotations

import re

from pypdf import PdfReader

from conftest import norm, run

from .cases import ROW
from .conftest import make_workspace

# (`]]` is redaction markup: a stray one is refused, see tests/test_redaction_markup.py)
PAYLOAD = ("<font color=red>red</font> <img src=/etc/passwd/> <a href=javascript:alert(1)>link</a> "
           "{{ cycler.__init__ }} {% raw %} &amp; ]>")

# item type -> its own text fields (dotted paths); COMMON fields are in every type
COMMON = ["title", "summary", "places.0", "persons.0", "organisations.0", "sources.0.title", "sources.0.publisher",
          "sources.0.url", "sources.0.file", "sources.0.locator", "exhibits.0.description"]
TYPES = {
    "testimony": ["witness.name", "witness.name_original", "witness.pseudonym", "forum", "detention.0.place",
                  "detention.0.note"],
    "decree": ["issuer", "addressee", "original.language", "original.title", "original.text",
               "translation.translator", "translation.certification"],
    "statement": ["speaker", "role", "outlet", "medium", "context"],
    "document": ["kind", "author", "recipient"],
    "media": ["kind", "author", "handle", "platform", "url", "archive_url"],
}
# text fields that are never printed: checked to be accepted (the build succeeds) only
NOT_PRINTED = ["language", "redact.0"]
CASE_FIELDS = ["title", "forum", "prepared_by", "summary", "accused.0.name", "accused.0.name_original",
               "accused.0.aliases.0", "accused.0.status", "accused.0.notes", "accused.0.roles.0.title",
               "accused.0.roles.0.institution", "accused.0.roles.0.source", "charges.0.label", "charges.0.basis",
               "charges.0.elements.0.label", "events.0.title", "events.0.places.0", "events.0.source"]
CASE_NOT_PRINTED: list[str] = []


def q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nest(paths: dict[str, str]) -> dict:
    """{"a.0.b": v} -> {"a": [{"b": v}]}"""
    root: dict = {}
    for path, value in paths.items():
        parts = path.split(".")
        cur = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = value if last else ([] if parts[i + 1].isdigit() else {})
            if part.isdigit():
                if len(cur) <= int(part):
                    cur.append(nxt)
                cur = cur[int(part)]
            else:
                cur = cur.setdefault(part, nxt)
    return root


def to_yaml(v, indent=0) -> str:
    pad = " " * indent
    if isinstance(v, dict):
        out = ""
        for k, x in v.items():
            if isinstance(x, (dict, list)):
                out += f"{pad}{k}:\n{to_yaml(x, indent + 2)}"
            else:
                out += f"{pad}{k}: {x if x in ('true', 'false') or x.startswith('[') else q(x)}\n"
        return out
    out = ""
    for x in v:
        if isinstance(x, dict):
            body = to_yaml(x, indent + 2)
            out += f"{pad}- {body[indent + 2:]}"
        else:
            out += f"{pad}- {q(x)}\n"
    return out


def marked(tag: str) -> str:
    return f"{tag}: {PAYLOAD}"


def test_markup_and_template_syntax_printed_literally(tmp_path):
    ws = make_workspace(tmp_path / "ws", files={})
    expected: dict[str, str] = {}
    case_fields = {}
    for f in CASE_FIELDS + CASE_NOT_PRINTED:
        tag = f"C-{f}"
        case_fields[f] = marked(tag)
        if f not in CASE_NOT_PRINTED:
            expected[tag] = marked(tag)
    case = nest(case_fields)
    case["accused"][0].update(id="alpha", stamp="ALPHA")
    case["charges"][0].update(id="murder")
    case["charges"][0]["elements"][0].update(id="killing")
    case["events"][0].update(date="1988-07-18")
    ws.write("cases/demo/case.yaml", "id: demo\nas_of: 2026-11-01\n" + to_yaml(case))
    ws.write("exhibits/demo/file.txt", "An exhibit file.\n")
    for n, (type_, own) in enumerate(TYPES.items()):
        fields = {}
        for f in COMMON + own + NOT_PRINTED:
            tag = f"{type_[:3].upper()}-{f}"
            fields[f] = marked(tag)
            if f not in NOT_PRINTED:
                expected[tag] = marked(tag)
        fields["exhibits.0.file"] = "file.txt"
        data = nest(fields)
        if type_ == "testimony":
            from casefile.dossier.editions import name_parts

            data["witness"]["protected"] = "true"
            # no single word of this name identifies the witness (they are in every field here)
            data["witness"]["not_identifying"] = sorted({w for f in ("witness.name", "witness.name_original")
                                                         for w in name_parts(fields[f])})
        if type_ == "decree":
            data["translation"]["certified"] = "true"
        body = f"{type_[:3].upper()}-body: {PAYLOAD}\n\n> {type_[:3].upper()}-quote: {PAYLOAD}\n"
        expected[f"{type_[:3].upper()}-body"] = marked(f"{type_[:3].upper()}-body")
        expected[f"{type_[:3].upper()}-quote"] = marked(f"{type_[:3].upper()}-quote")
        ws.write(f"cases/demo/evidence/{type_}.md",
                 f"---\nid: {type_}\ntype: {type_}\ndate: 1988-08-0{n + 1}\naccused: [alpha]\n"
                 f"charges: [murder/killing]\n{to_yaml(data)}---\n{body}")
    code, out, err = run("build", root=ws.path)
    assert code in ROW["injection"].codes and code == 0, err
    for edition in ("confidential", "public"):
        assert (ws.out / f"demo/{edition}/alpha.pdf").is_file()
    pdf = ws.out / "demo/confidential/alpha.pdf"
    reader = PdfReader(str(pdf))
    text = "".join(norm(p.extract_text() or "") for p in reader.pages)
    flat = re.sub(r"\s+", "", text)
    missing = [tag for tag, want in expected.items() if re.sub(r"\s+", "", want) not in flat]
    assert missing == [], f"not printed literally: {missing}"
    # nothing became a link, an image or evaluated template code
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            action = annot.get_object().get("/A")
            if action is not None:
                assert "javascript" not in str(action.get("/URI", "")).lower()
                assert action.get("/S") != "/JavaScript"
        xobjects = page["/Resources"].get("/XObject", {}) if "/Resources" in page else {}
        for name in xobjects:
            assert xobjects[name].get_object().get("/Subtype") != "/Image", "an <img> became an image"
    assert "cycler" in flat and "<bound method" not in text and "Cycler" not in text
