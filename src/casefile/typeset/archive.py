"""PDF/A as casefile writes it: the archive copy (PDF/A-3b, the manifest an associated file) and
the filing copy (PDF/A-2b, no embedded file at all). What makes the file PDF/A is written by
casefile itself, not by a converter afterwards: XMP metadata that agrees with the document
information, an sRGB output intent, `/Lang`, fonts embedded, links printable.

Pure functions here (no reportlab): the XMP packet and the ICC profile; typeset/fastpath.py puts
them into the document's catalog.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

PROFILES = ("archive", "filing")


@dataclass(frozen=True)
class Conformance:
    profile: str  # archive | filing
    part: int  # PDF/A part: 3 (archive), 2 (filing)
    level: str = "B"
    embeds_files: bool = True  # the manifest (and --attach-media files) inside the PDF

    @property
    def label(self) -> str:
        return f"PDF/A-{self.part}{self.level.lower()}"


def conformance(profile: str) -> Conformance:
    if profile == "filing":
        return Conformance("filing", 2, embeds_files=False)
    return Conformance("archive", 3)


OUTPUT_CONDITION = "sRGB IEC61966-2.1"


@functools.lru_cache(maxsize=1)
def srgb_icc() -> bytes:
    """An sRGB ICC profile (LittleCMS's built-in sRGB, through Pillow), with its creation date
    set to a fixed value so that identical inputs still give identical dossiers."""
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = bytes.fromhex("07d000010001000000000000")  # 2000-01-01 00:00:00
    data[84:100] = bytes(16)  # profile ID: not computed (the date changed)
    return bytes(data)


_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:([+-])(\d{2})'(\d{2})'?|Z)?")


def xmp_date(pdf_date: str) -> str:
    """A PDF date (D:YYYYMMDDHHmmSS+HH'mm') as an XMP date, the same instant."""
    m = _PDF_DATE.match(pdf_date)
    if not m:
        raise ValueError(f"not a PDF date: {pdf_date!r}")
    y, mo, d, h, mi, s, sign, oh, om = m.groups()
    zone = f"{sign}{oh}:{om}" if sign else "Z"
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone}"


def xmp_packet(c: Conformance | None, *, title: str, author: str, subject: str, keywords: str, creator: str,
               producer: str, created: str, modified: str, lang: str) -> bytes:
    """The XMP metadata of a dossier: each value the same as in the document information
    dictionary (PDF/A requires them to agree), and the PDF/A identification (none without a
    conformance `c`: a file that does not conform does not claim to)."""
    def text(v):
        return escape(v, {'"': "&quot;"})

    lang = text(lang or "x-default")
    claim = (f"   <pdfaid:part>{c.part}</pdfaid:part>\n   <pdfaid:conformance>{c.level}</pdfaid:conformance>\n"
             if c is not None else "")
    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{text(author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text(subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Keywords>{text(keywords)}</pdf:Keywords>
   <pdf:Producer>{text(producer)}</pdf:Producer>
   <xmp:CreatorTool>{text(creator)}</xmp:CreatorTool>
   <xmp:CreateDate>{xmp_date(created)}</xmp:CreateDate>
   <xmp:ModifyDate>{xmp_date(modified)}</xmp:ModifyDate>
   <xmp:MetadataDate>{xmp_date(modified)}</xmp:MetadataDate>
{claim}  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""
    return body.encode("utf-8")
