"""Web captures (.html, .htm, and .mhtml/.mht as browsers save them) read into plain data,
without fetching anything: the page's text (headings, paragraphs, list items, table cells,
preformatted text, link targets written out), never its scripts, styles or frames.

Every resource the page refers to (images, scripts, style sheets, frames, media, CSS url()
values) stays out, and is counted: remote ones (http:, https:, //), local ones (file: and
paths, which would read this machine's files) and embedded ones (data: URIs, MHTML parts).
The rendition says so on its first page, with the capture's URL and date from the item and
what the file itself says (an MHTML's Snapshot-Content-Location and Date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from casefile.errors import fail

WEB_FORMAT = "web-capture/2"  # 2: every font embedded
MAX_PAGE_BYTES = 20 * 1024 * 1024  # the HTML of one page
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024  # an MHTML file (the page and its parts)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Text as the dossier can print it: line ends as \\n, control characters as U+FFFD."""
    return _CONTROL.sub("\ufffd", str(text).replace("\r\n", "\n").replace("\r", "\n"))


_SKIP = {"script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "svg",
         "math", "canvas", "head", "select", "button"}
_BLOCK = {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote", "figure",
          "figcaption", "address", "form", "fieldset", "dl", "dt", "dd", "ul", "ol", "table", "tr", "br", "hr",
          "center", "caption", "details", "summary"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_RESOURCE_ATTRS = {"src", "srcset", "data", "poster", "background", "href", "xlink:href"}
_RESOURCE_TAGS = {"img", "script", "link", "iframe", "frame", "embed", "object", "source", "video", "audio", "track",
                  "input", "image", "use", "body", "table", "td"}
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.I)


@dataclass
class Block:
    kind: str  # h | p | li | pre
    text: str


@dataclass
class Resources:
    remote: int = 0
    local: int = 0
    embedded: int = 0

    def count(self, url: str):
        u = url.strip().lower()
        if not u or u.startswith(("#", "javascript:", "mailto:", "about:")):
            return
        if u.startswith("data:") or u.startswith("cid:"):
            self.embedded += 1
        elif u.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:")):
            self.remote += 1
        else:
            self.local += 1

    @property
    def total(self) -> int:
        return self.remote + self.local + self.embedded


@dataclass
class HtmlText:
    title: str
    blocks: list
    resources: Resources

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.kind = "p"
        self.skip = 0
        self.pre = 0
        self.title: list[str] = []
        self.in_title = False
        self.resources = Resources()
        self.link: str | None = None

    def flush(self):
        text = "".join(self.buffer)
        text = clean(text)
        if not self.pre:
            text = " ".join(text.split())
        else:
            text = text.strip("\n")
        if text.strip():
            self.blocks.append(Block("pre" if self.pre else self.kind, text))
        self.buffer = []
        self.kind = "p"

    def handle_starttag(self, tag, attrs):
        attrs = dict((k.lower(), v or "") for k, v in attrs)
        if tag in _RESOURCE_TAGS or tag in ("a", "area"):
            for k, v in attrs.items():
                if k in _RESOURCE_ATTRS and not (tag in ("a", "area") and k == "href"):
                    for part in (v.split(",") if k == "srcset" else [v]):
                        self.resources.count(part.strip().split(" ")[0])
        for m in _CSS_URL.finditer(attrs.get("style", "")):
            self.resources.count(m.group(1))
        if tag == "title":
            self.in_title = True
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in _BLOCK or tag in _HEADINGS or tag in ("li", "pre", "td", "th"):
            self.flush()
        if tag in _HEADINGS:
            self.kind = "h"
        elif tag == "li":
            self.kind = "li"
        elif tag == "pre":
            self.pre += 1
        elif tag in ("td", "th"):
            self.buffer.append("")
        elif tag == "img" and attrs.get("alt", "").strip():
            self.buffer.append(f" [image: {attrs['alt'].strip()}] ")
        elif tag == "a":
            href = attrs.get("href", "")
            self.link = href if href.lower().startswith(("http:", "https:")) else None

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "a" and self.link:
            shown = "".join(self.buffer).rstrip()
            if not shown.endswith(self.link):
                self.buffer.append(f" [{self.link}]")
            self.link = None
        if tag in _BLOCK or tag in _HEADINGS or tag in ("li", "td", "th"):
            self.flush()
        elif tag == "pre":
            self.flush()
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if self.skip:
            return
        self.buffer.append(data)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _SKIP:
            self.handle_endtag(tag)


def html_text(html: str) -> HtmlText:
    r = _Reader()
    for m in _CSS_URL.finditer(" ".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.S | re.I))):
        r.resources.count(m.group(1))
    try:
        r.feed(html)
        r.close()
    except (AssertionError, ValueError):  # the parser is lenient; what it read so far is kept
        pass
    r.flush()
    title = " ".join(clean("".join(r.title)).split())
    return HtmlText(title, r.blocks, r.resources)


def decode_html(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    m = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", data[:4096], re.I)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    return data.decode("utf-8", "replace")


@dataclass
class WebCapture:
    source: str  # the file, as shown
    title: str
    blocks: list
    resources: Resources
    url: str = ""  # from the item: where the page was captured
    captured: str = ""  # from the item: when
    saved_from: str = ""  # what the file says: the page's address when saved (MHTML)
    saved_on: str = ""  # and when (MHTML Date)
    embedded_parts: int = 0  # MHTML parts besides the page (images, styles): not shown
    notices: list = field(default_factory=list)


def read_capture(path: Path, shown: str, ext: str, url: str = "", captured: str = "") -> WebCapture:
    size = Path(path).stat().st_size
    limit = MAX_ARCHIVE_BYTES if ext in ("mhtml", "mht") else MAX_PAGE_BYTES
    if size > limit:
        raise fail(shown, "web", f"refused: larger than {limit // (1024 * 1024)} MiB (not read)")
    data = Path(path).read_bytes()
    saved_from = saved_on = ""
    parts = 0
    if ext in ("mhtml", "mht"):
        import email
        from email import policy

        msg = email.message_from_bytes(data, policy=policy.default)
        saved_from = clean(msg.get("Snapshot-Content-Location", "") or "")
        saved_on = clean(msg.get("Date", "") or "")
        page = None
        for part in msg.walk():
            if part.get_content_maintype() == "multipart":
                continue
            if page is None and part.get_content_type() == "text/html":
                page = part
            else:
                parts += 1
        if page is None:
            raise fail(shown, "web", "not a web capture: the MHTML file has no text/html part")
        saved_from = saved_from or clean(page.get("Content-Location", "") or "")
        try:
            html = page.get_content()
        except (LookupError, UnicodeError, KeyError, ValueError):
            html = decode_html(page.get_payload(decode=True) or b"")
    else:
        html = decode_html(data)
        if "<" not in html[:100000]:
            raise fail(shown, "web", "not a web page: no HTML markup")
    text = html_text(html)
    return WebCapture(shown, text.title, text.blocks, text.resources, url, captured, " ".join(saved_from.split()),
                      " ".join(saved_on.split()), parts)
