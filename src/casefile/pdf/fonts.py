"""Fonts of exhibit PDFs, as PDF/A needs them: every font that draws text is embedded.

A font an exhibit page selects but never shows text with (reportlab, for one, selects
Helvetica at the start of every page it makes) is replaced in the copy by one of the page's
embedded fonts; an exhibit page that draws text with a font that is not
embedded is refused with one line at inspection, saying how to mend the file."""

from __future__ import annotations

import re

from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

# content stream tokens: comments, literal strings (one level of nested brackets), hex strings,
# names, other words, array brackets
_TOKEN = re.compile(rb"%[^\r\n]*|\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)|<[0-9A-Fa-f\s]*>|/[^\s/\[\]()<>{}%]*"
                    rb"|[^\s/\[\]()<>{}%]+|[\[\]]", re.S)
_SHOW = frozenset([b"Tj", b"TJ", b"'", b'"'])
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def is_embedded(font) -> bool:
    """Does the font dictionary carry its font program (or draw its own glyphs, Type 3)?"""
    font = font.get_object() if font is not None else None
    if not isinstance(font, DictionaryObject):
        return True  # not a font: nothing to say
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        descendants = descendants.get_object() if descendants is not None else None
        if not isinstance(descendants, ArrayObject) or not descendants:
            return False
        font = descendants[0].get_object()
        if not isinstance(font, DictionaryObject):
            return False
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else None
    return isinstance(descriptor, DictionaryObject) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def font_resources(resources) -> dict:
    """name (as in the content, without its slash) -> font dictionary, of one resources dictionary."""
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject):
        return {}
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else None
    if not isinstance(fonts, DictionaryObject):
        return {}
    return {str(k)[1:]: v for k, v in fonts.items()}


def embedded_only(fonts: DictionaryObject, shown: frozenset | set = frozenset()) -> DictionaryObject:
    """A resources' /Font dictionary whose fonts that are not embedded and show no text (they
    are only selected) stand for one of its embedded fonts, so that every font a content stream
    names is there and embedded. A font that is not embedded but shows text (its base name in
    `shown`, as unembedded_in_use gives them) is kept: drawn with another font, its text would
    be other glyphs (the dossier then makes no PDF/A claim). Without any embedded font to
    stand in, the dictionary is kept as it is."""
    stand_in = next((v for v in fonts.values() if is_embedded(v)), None)
    if stand_in is None:
        return fonts

    def kept(v) -> bool:
        if is_embedded(v):
            return True
        f = v.get_object()
        return isinstance(f, DictionaryObject) and str(f.get("/BaseFont", ""))[1:] in shown
    return DictionaryObject({k: (v if kept(v) else stand_in) for k, v in fonts.items()})


def used_font_names(content: bytes) -> set[str]:
    """The resource names of the fonts a content stream draws text with: selected (`/F1 12 Tf`)
    and then shown (Tj, TJ, ', "). A font selected but never shown with draws nothing."""
    used, current, previous = set(), None, []
    for m in _TOKEN.finditer(content):
        tok = m.group()
        if tok == b"Tf" and len(previous) == 2 and previous[0].startswith(b"/"):
            current = previous[0][1:]
        elif tok in _SHOW and current is not None:
            used.add(_ESCAPE.sub(lambda e: bytes([int(e.group(1), 16)]), current).decode("latin-1"))
        previous = (previous + [tok])[-2:]
    return used


def lists_unembedded(resources) -> bool:
    return any(not is_embedded(f) for f in font_resources(resources).values())


def unembedded_in_use(resources, contents: list[bytes]) -> list[str]:
    """The base font names of fonts not embedded that the content streams draw with."""
    used = set()
    for c in contents:
        used |= used_font_names(c)
    out = []
    for name, font in sorted(font_resources(resources).items()):
        if name in used and not is_embedded(font):
            f = font.get_object()
            out.append(str(f.get("/BaseFont", f"/{name}"))[1:] if isinstance(f, DictionaryObject) else name)
    return out


def forms(resources, seen=None) -> list[tuple]:
    """(resources, stream) of every form XObject reachable from `resources`, each once (a form
    without resources of its own uses those it is drawn with)."""
    seen = set() if seen is None else seen
    out = []
    stack = [resources]
    while stack:
        res = stack.pop()
        res = res.get_object() if res is not None else None
        if not isinstance(res, DictionaryObject):
            continue
        xobjects = res.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        if not isinstance(xobjects, DictionaryObject):
            continue
        for ref in xobjects.values():
            key = (ref.idnum, ref.generation) if hasattr(ref, "idnum") else id(ref)
            if key in seen:
                continue
            seen.add(key)
            x = ref.get_object()
            if isinstance(x, StreamObject) and x.get("/Subtype") == "/Form":
                own = x.get("/Resources")
                out.append((own if own is not None else res, x))
                if own is not None:
                    stack.append(own)
    return out
