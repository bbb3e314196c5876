"""A dossier over a size limit, split into volumes (`casefile build --max-size 25MB`).

The dossier is typeset once, whole: its page numbers ("Page X of Y", Y the whole dossier's page
count), the evidence numbers and every cross-reference are those of the one dossier. It is then
cut, here, at exhibit boundaries (never inside an exhibit: an exhibit that does not fit in a
volume by itself is refused, naming it and its size) into `<accused>.vol1.pdf`,
`<accused>.vol2.pdf`, … in the folder the dossier would have been written to:

- volume 1 holds the pages before the exhibits (cover, contents, profile, indexes, chronology,
  matrix) and the first exhibits; each later volume starts with the cover and the contents again
  (the same pages, with their own page numbers), then its exhibits; the last one ends with the
  back matter (index of names, annex);
- each cover says which volume it is ("Volume 2 of 3 (pages 41–80)"): the cover draws a form
  XObject, volume 1's line, and the dossier holds every volume's line as a form of its own,
  typeset with the rest (typeset/document.py); in a volume's copy of the cover, that form is
  given its volume's line (the page's content, its links and its fonts are the dossier's);
- every link and bookmark to a page of the same volume stays a link inside it; one to a page of
  another volume is a `/GoToR` action naming that volume's file by its name alone (relative: the
  folder can be moved or copied as a whole) and the page's place in it;
- each volume's page labels are the dossier's page numbers (a reader shows "121" where the
  footer says "Page 121 of 480");
- each volume carries its own manifest (the dossier's, with `volume`, `volumes` and
  `dossier_sha256`: see pdf/manifest.py) sealed by its own content hash, or beside it for the
  filing copy; `casefile verify` on any volume checks every volume of the set.

The size measured is the size of the bytes written: the cut is found by writing candidate
volumes (a binary search over the exhibits that fit), deterministically, so the same dossier is
cut the same way and gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from casefile.pdf.fastpath import stored_bytes
from casefile.pdf.manifest import CONTENT_HASH, HASH_FIELD, MANIFEST_NAME, NO_HASH, SIDECAR_HASH

VOLUME_NAME = "{stem}.vol{n}.pdf"
_SKIPPED_CATALOG = ("/Pages", "/Outlines", "/Names", "/AF", "/OpenAction", "/PageLabels", "/Dests", "/Type")


def volume_name(stem: str, n: int) -> str:
    return VOLUME_NAME.format(stem=stem, n=n)


@dataclass(frozen=True)
class Volume:
    number: int
    pages: tuple[int, ...]  # the dossier's page numbers it holds, in order (1-based)
    own: tuple[int, int]  # its own pages (first, last): those not repeated from volume 1


class TooBig(Exception):
    """A unit (an exhibit, or the pages before the exhibits) that fits in no volume."""

    def __init__(self, unit: int, size: int):
        super().__init__(unit, size)
        self.unit, self.size = unit, size


def volume_pages(front: tuple[int, int], units: list[tuple[int, int]], first: int, last: int) -> tuple[int, ...]:
    """The pages of a volume holding units first..last (indices); unit 0 is the head (pages
    before the exhibits, which holds the front): a volume without it repeats the front."""
    own = list(range(units[first][0], units[last][1] + 1))
    if first == 0:
        return tuple(own)
    return tuple(range(front[0], front[1] + 1)) + tuple(own)


def plan(front: tuple[int, int], units: list[tuple[int, int]], measure, limit: int) -> list[Volume]:
    """The volumes: units (page ranges, in order, unit 0 the head) taken greedily, each volume
    as many as fit in `limit` bytes as `measure(pages, number)` measures them (binary search:
    a volume's size grows with its pages). Raise TooBig for a unit that fits in no volume."""
    out: list[Volume] = []
    i = 0
    while i < len(units):
        n = len(out) + 1
        if measure(volume_pages(front, units, i, i), n) > limit:
            raise TooBig(i, measure(volume_pages(front, units, i, i), n))
        lo, hi = i, len(units) - 1  # lo fits; find the last that fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if measure(volume_pages(front, units, i, mid), n) <= limit:
                lo = mid
            else:
                hi = mid - 1
        out.append(Volume(n, volume_pages(front, units, i, lo), (units[i][0], units[lo][1])))
        i = lo + 1
    return out


def _fit(dest) -> ArrayObject:
    """The view part of an explicit destination ([page /Fit] -> [/Fit])."""
    return ArrayObject(list(dest[1:])) if len(dest) > 1 else ArrayObject([NameObject("/Fit")])


class Split:
    """The whole dossier, read once, written as any of its volumes."""

    def __init__(self, pdf: bytes, stem: str, cover_lines: tuple | None = None):
        self.reader = PdfReader(io.BytesIO(pdf), strict=False)
        self.stem = stem
        self.cover_lines = cover_lines  # (resource name the cover draws, {volume: object number of its line})
        self.page_of = {p.indirect_reference.idnum: i + 1 for i, p in enumerate(self.reader.pages)}
        root = self.reader.trailer["/Root"]
        self.open_view = None
        action = root.get("/OpenAction")
        if action is not None:
            self.open_view = _fit(action.get_object())
        self.outline = self._outline(root)

    def _target(self, dest) -> int | None:
        dest = dest.get_object() if dest is not None else None
        if isinstance(dest, (list, ArrayObject)) and dest and hasattr(dest[0], "idnum"):
            return self.page_of.get(dest[0].idnum)
        return None

    def _outline(self, root) -> list:
        """(depth, title, page, view, open) of every bookmark, depth first."""
        out = []

        def walk(node, depth):
            while node is not None:
                node = node.get_object()
                dest = node.get("/Dest")
                if dest is None and "/A" in node:
                    dest = node["/A"].get_object().get("/D")
                page = self._target(dest)
                count = node.get("/Count", 0)
                out.append((depth, str(node.get("/Title", "")), page, _fit(dest.get_object()) if page else None,
                            int(count) > 0))
                if "/First" in node:
                    walk(node["/First"], depth + 1)
                node = node.get("/Next")

        top = root.get("/Outlines")
        if top is not None and "/First" in top.get_object():
            walk(top.get_object()["/First"], 0)
        return out

    def write(self, vol: Volume, volumes: list[Volume], attachments, ident: bytes) -> bytes:
        """Volume `vol` of `volumes` as PDF bytes. `attachments`: (name, file specification
        dictionary data) to embed, the first the manifest (see embed); `ident`: the /ID."""
        r = self.reader
        w = PdfWriter()
        index = {page: i for i, page in enumerate(vol.pages)}  # dossier page -> index in this volume
        home = {}  # dossier page -> (volume, index there) for a page held by another volume
        for v in volumes:
            for i, page in enumerate(v.pages):
                home.setdefault(page, (v.number, i))
        for page in vol.pages:
            w.add_page(r.pages[page - 1], excluded_keys=("/Annots",))
        pages = w.pages
        self._own_line(w, pages[index[1]], vol.number)
        for page in vol.pages:
            for a in r.pages[page - 1].get("/Annots", []) or []:
                a = a.get_object()
                if a.get("/Subtype") != "/Link":
                    continue  # casefile's pages carry links only
                dest = a.get("/Dest") if "/Dest" in a else a["/A"].get_object().get("/D") if "/A" in a else None
                action = self._go(dest, index, home, pages)
                if action is None:
                    continue
                new = DictionaryObject({NameObject(k): v.clone(w) for k, v in a.items()
                                        if k not in ("/Dest", "/A", "/P")})
                new.update(action)
                w.add_annotation(index[page], new)
        # the bookmarks, each to its page here or in another volume
        parents: list = [None]
        for depth, title, page, view, is_open in self.outline:
            del parents[depth + 1:]
            parent = parents[depth]
            if page is not None and page in index:
                item = w.add_outline_item(title=title, page_number=index[page], parent=parent, is_open=is_open)
                obj = item.get_object()
                obj.pop("/A", None)  # a destination, as the dossier's bookmarks have
                obj[NameObject("/Dest")] = ArrayObject([pages[index[page]].indirect_reference, *view])
            else:
                item = w.add_outline_item(title=title, page_number=None, parent=parent, is_open=is_open)
                obj = item.get_object()
                obj.pop("/Dest", None)
                obj.pop("/A", None)
                if page is not None:
                    obj.update(self._go(ArrayObject([None, *view]), index, home, pages, page))
            parents.append(item)
        # catalog: what the dossier's has (metadata, output intent, language, page mode), the
        # opening view, page labels, the embedded files
        root = r.trailer["/Root"]
        for k, v in root.items():
            if k not in _SKIPPED_CATALOG:
                w.root_object[NameObject(k)] = v.clone(w)
        if self.open_view is not None:
            w.root_object[NameObject("/OpenAction")] = ArrayObject([pages[0].indirect_reference, *self.open_view])
        self._label(w, vol)
        specs = []
        for name, (raw, description, relationship, subtype) in attachments:
            f = w.add_attachment(name, raw)
            f.alternative_name = TextStringObject(name)
            f.description = TextStringObject(description)
            f.associated_file_relationship = NameObject(relationship)
            f.subtype = NameObject(subtype)
            f.size = NumberObject(len(raw))
            specs.append((name, f.pdf_object.indirect_reference))
        if specs:
            w.root_object[NameObject("/AF")] = ArrayObject(ref for _, ref in sorted(
                specs, key=lambda e: e[0].encode("utf-16-be")))
        # the document information as the dossier's (but /Trapped, a name pypdf would write as a
        # string: it is optional, and XMP does not state it)
        info = r.metadata or {}
        w.add_metadata({k: v for k, v in info.items() if not isinstance(v, NameObject)})
        buf = io.BytesIO()
        w.write(buf)
        return with_id(buf.getvalue(), ident)

    def _own_line(self, w: PdfWriter, cover, number: int):
        """The cover page `cover` (as copied into volume `number`'s writer `w`) drawing that
        volume's line where it drew volume 1's: the form it draws (the writer's copy) given the
        content and box of that volume's line (so no other volume's line is in the file)."""
        if self.cover_lines is None or number == 1:
            return
        name, forms = self.cover_lines
        if number not in forms:  # a cut other than the one typeset: it is typeset again
            return
        slot = cover["/Resources"]["/XObject"][NameObject("/" + name)]
        line = self.reader.get_object(forms[number])
        for key in list(slot):
            del slot[key]
        slot.update({NameObject(k): v.clone(w) for k, v in line.items() if k != "/Length"})
        StreamObject.set_data(slot, stored_bytes(line))  # as stored (whatever its filter), not encoded again
        if hasattr(slot, "decoded_self"):
            slot.decoded_self = None

    def _go(self, dest, index, home, pages, page=None) -> dict | None:
        """The /Dest (a page of this volume) or the /A GoToR action (a page of another) of a
        link to `dest` (or to dossier page `page` with the view of `dest`)."""
        dest = dest.get_object() if dest is not None else None
        if page is None:
            page = self._target(dest)
        if page is None:
            return None
        view = _fit(dest)
        if page in index:
            return {NameObject("/Dest"): ArrayObject([pages[index[page]].indirect_reference, *view])}
        n, at = home[page]
        return {NameObject("/A"): DictionaryObject({
            NameObject("/S"): NameObject("/GoToR"),
            NameObject("/F"): TextStringObject(volume_name(self.stem, n)),
            NameObject("/D"): ArrayObject([NumberObject(at), *view]),
            NameObject("/NewWindow"): BooleanObject(False)})}

    @staticmethod
    def _label(w, vol: Volume):
        """Page labels: the dossier's page numbers."""
        runs, start = [], 0
        for i in range(1, len(vol.pages) + 1):
            if i == len(vol.pages) or vol.pages[i] != vol.pages[i - 1] + 1:
                runs.append((start, i - 1, vol.pages[start]))
                start = i
        for a, b, first in runs:
            w.set_page_label(a, b, style=PageLabelStyle.DECIMAL, start=first)


def with_id(pdf: bytes, ident: bytes) -> bytes:
    """The file with its trailer's /ID set to `ident` (hexadecimal, both halves): written into
    the trailer dictionary, which follows the cross-reference table (no offset moves)."""
    at = pdf.rfind(b"trailer")
    head = pdf.find(b"<<", at)
    if at < 0 or head < 0:
        raise RuntimeError("the volume has no trailer dictionary")
    return pdf[:head + 2] + b"\n/ID [<" + ident + b"><" + ident + b">]" + pdf[head + 2:]



def _manifest(whole: dict, vol: Volume, volumes: list[Volume], stem: str, dossier_sha256: str, content: str,
              content_hash: str) -> bytes:
    """Volume `vol`'s manifest: the dossier's (its exhibits, evidence numbers and page numbers are
    the dossier's), with `pages` the pages of this volume, `dossier_pages` the dossier's,
    `volume` its number, `volumes` every volume of the set (file name, own pages, page count),
    each exhibit's `volume`, and `dossier_sha256` naming the set (the SHA-256 of the dossier as
    typeset whole, never written itself): every volume of one build carries the same."""
    def holder(page):
        return next((v.number for v in volumes if v.own[0] <= page <= v.own[1]), None)

    m = json.loads(json.dumps(whole))
    for e in m.get("exhibits", []):
        if e.get("pages"):
            e["volume"] = holder(e["pages"][0])
    for row in m.get("evidence", []) + m.get("text_lines", []):
        row["volume"] = holder(row["page"])
    m.update(pages=len(vol.pages), dossier_pages=whole["pages"], volume=vol.number, dossier_sha256=dossier_sha256,
             content_sha256=content, content_hash=content_hash,
             volumes=[{"number": v.number, "file": volume_name(stem, v.number), "pages": list(v.own),
                       "page_count": len(v.pages)} for v in volumes])
    return (json.dumps(m, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def split(pdf: bytes, stem: str, front: tuple[int, int], units: list[tuple[int, int]], limit: int,
          sidecar: bytes | None, ident, cover_lines: tuple | None = None) -> list[tuple[Volume, bytes, bytes | None]]:
    """The dossier `pdf` (sealed; or, for the filing copy, with its manifest `sidecar`) as
    volumes of at most `limit` bytes each: (volume, its bytes, its sidecar manifest or None).
    `ident(number, count)` gives a volume's /ID; `cover_lines` (typeset/document.Rendered) each
    cover's line. Raise TooBig for a unit that fits nowhere."""
    whole_sha = hashlib.sha256(pdf).hexdigest()
    s = Split(pdf, stem, cover_lines)
    if sidecar is not None:
        whole, media = json.loads(sidecar.decode("utf-8")), {}
    else:
        found = s.reader.attachments
        whole = json.loads(found[MANIFEST_NAME][0].decode("utf-8"))
        media = {name: data[0] for name, data in found.items() if name != MANIFEST_NAME}
    number_of = {f["attachment"]: e["number"] for e in whole.get("exhibits", []) for f in e.get("files", [])
                 if f.get("attachment")}
    first_page = {e["number"]: e["pages"][0] for e in whole.get("exhibits", []) if e.get("pages")}

    def attachments(vol: Volume, volumes: list[Volume], content: str) -> list:
        if sidecar is not None:
            return []
        out = [(MANIFEST_NAME, (_manifest(whole, vol, volumes, stem, whole_sha, content, CONTENT_HASH),
                                "casefile manifest: exhibits, files, page ranges and the content hash", "/Data",
                                "/application/json"))]
        for name, data in sorted(media.items()):
            page = first_page.get(number_of.get(name), 0)
            if vol.own[0] <= page <= vol.own[1]:  # a media file goes with its exhibit
                out.append((name, (data, f"{name}", "/Source", "/application/octet-stream")))
        return out

    def rest(vol: Volume, count: int) -> list[Volume]:
        """While measuring: the other volumes are not known yet; a stand-in holding the rest."""
        others = tuple(p for p in range(1, whole["pages"] + 1) if p not in set(vol.pages))
        return [vol, Volume(vol.number + 1, others, (min(others, default=0), max(others, default=0)))]

    reserve = 8192
    while True:
        def measure(pages, number):
            vol = Volume(number, pages, (pages[0], pages[-1]))
            volumes = rest(vol, number)
            return len(s.write(vol, volumes, attachments(vol, volumes, NO_HASH), ident(number, number + 1)))

        volumes = plan(front, units, measure, limit - reserve)
        out = []
        for vol in volumes:
            data = s.write(vol, volumes, attachments(vol, volumes, NO_HASH), ident(vol.number, len(volumes)))
            side = None
            if sidecar is None:
                key = HASH_FIELD + NO_HASH.encode()
                if data.count(key) != 1:
                    raise RuntimeError("the volume's manifest content hash field was not found once")
                at = data.index(key) + len(HASH_FIELD)
                data = data[:at] + hashlib.sha256(data).hexdigest().encode() + data[at + 64:]
            else:
                side = _manifest(whole, vol, volumes, stem, whole_sha, hashlib.sha256(data).hexdigest(), SIDECAR_HASH)
            out.append((vol, data, side))
        over = max(len(data) for _, data, _ in out) - limit
        if over <= 0:
            return out
        reserve += over + 4096  # measured bytes and written bytes differ (the volumes' names and pages): again
