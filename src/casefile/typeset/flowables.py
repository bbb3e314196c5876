"""The flowables of a dossier beyond reportlab's own, and the state they record while the
dossier is typeset (pages of named places, outline, running heads, exhibit stamps, forms)."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import ActionFlowable, CondPageBreak, Flowable, KeepTogether, NotAtTopPageBreak, NullActionFlowable
from reportlab.platypus import Paragraph, Spacer, Table

from casefile.typeset import fastpath
from casefile.typeset.fastpath import link
from casefile.typeset.styles import LINK, RULE, PageGeometry, page_geometry


@dataclass
class RenderState:
    page: PageGeometry = field(default_factory=page_geometry)  # the dossier's pages (case.yaml's page_size)
    pages: dict = field(default_factory=dict)  # key -> page
    refs: set = field(default_factory=set)  # keys whose page number is drawn by a form
    outline: list = field(default_factory=list)  # (level, title, key)
    running: dict = field(default_factory=dict)  # page -> running head
    stamps: dict = field(default_factory=dict)  # page -> exhibit stamp text
    evidence: dict = field(default_factory=dict)  # page -> evidence number of the exhibit file page on it
    text_lines: dict = field(default_factory=dict)  # a typeset text file's document number -> page -> [first, last line]
    exhibit_of: dict = field(default_factory=dict)  # page -> number of the exhibit the page belongs to
    file_pages: set = field(default_factory=set)  # pages given to a page of an exhibit file (own size)
    reserved: list = field(default_factory=list)  # (page, pdf path, page index) of exhibit PDF pages
    exhibit_pages: object = None  # exhibit_pages.ExhibitPages, made at the first exhibit PDF page

    form_ids: dict = field(default_factory=dict)  # (key, size, align) -> form name
    current_head: str = ""
    current_exhibit: str | None = None  # the exhibit being typeset (its number), if any
    volumes: dict | None = None  # a dossier in volumes: page -> volume ({}: not known yet, room made)
    volume_lines: dict = field(default_factory=dict)  # volume -> its cover's line ("Volume 2 of 3 (pages …)")

    def contents_form(self, key: str) -> str:
        """The form of a contents line's number: the page, and in volumes its volume too."""
        return self.form_name((VOLUME, key) if self.volumes is not None else key, 10, "right")

    def form_name(self, key: str, size: float, align: str) -> str:
        k = (key, size, align)
        if k not in self.form_ids:
            self.form_ids[k] = f"pn{len(self.form_ids)}"
        return self.form_ids[k]


VOLUME = "@volume"  # forms of a contents line's volume and page: key (VOLUME, key)
VOLUME_LINE = "@volume-line"  # forms of the cover's line saying which volume it is: key (VOLUME_LINE, volume)
VOLUME_LINE_SIZE = 12.5
OUTLINE_CHARS = 60  # a bookmark's title is cut to about this many characters


def outline_title(title: str, page: int) -> str:
    """A bookmark: the title, cut short at a word if long ("EX-0014 — Mahmoud Royaei: political
    prisoners…"), and its page ("· p. 12")."""
    if len(title) > OUTLINE_CHARS:
        cut = title[:OUTLINE_CHARS]
        title = (cut.rsplit(" ", 1)[0] if " " in cut[OUTLINE_CHARS // 2:] else cut).rstrip(" ,;:—-(") + "…"
    return f"{title} · p. {page}"


class Anchor(Flowable):
    """A named place: records its page, adds a bookmark and an outline entry."""

    def __init__(self, key: str, title: str | None, level: int, state: RenderState):
        super().__init__()
        self.key, self.title, self.level, self.state = key, title, level, state
        self.width = self.height = 0

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        c = self.canv
        page = c.getPageNumber()
        self.state.pages[self.key] = page
        c.bookmarkPage(self.key)
        if self.title is not None:
            c.addOutlineEntry(outline_title(self.title, page), self.key, self.level, closed=self.level > 0)
            self.state.outline.append((self.level, self.title, self.key))
        if self.level <= 1 and self.title:
            self.state.running[page] = self.title
            self.state.current_head = self.title
            self.state.current_exhibit = self.key if self.level == 1 else None


class PageRef(Flowable):
    """The page number of a key, right-aligned, drawn from a form defined after the last page."""

    def __init__(self, key: str, state: RenderState, size: float = 8.8, align: str = "right"):
        super().__init__()
        self.key, self.state, self.size, self.align = key, state, size, align
        state.refs.add(key)

    def wrap(self, aw, ah):
        self.width = aw
        return aw, self.size * 1.3

    def draw(self):
        x = self.width if self.align == "right" else 0
        self.canv.saveState()
        self.canv.translate(x, self.size * 0.25)
        self.canv.doForm(self.state.form_name(self.key, self.size, self.align))
        self.canv.restoreState()


class VolumeLine(Flowable):
    """The cover's line saying which volume of a dossier in volumes it is ("Volume 2 of 3 (pages
    41–80)"), centred: drawn from the form of volume 1's line, which each volume's cover points
    at its own line when the dossier is cut (pdf/volumes.py; the cover is typeset once)."""

    def __init__(self, state: RenderState):
        super().__init__()
        self.state = state

    def wrap(self, aw, ah):
        self.width = aw
        return aw, VOLUME_LINE_SIZE * 2.4  # a space above it, as between the title's lines

    def draw(self):
        self.canv.saveState()
        self.canv.translate(self.width / 2, VOLUME_LINE_SIZE * 0.4)
        self.canv.doForm(self.state.form_name((VOLUME_LINE, 1), VOLUME_LINE_SIZE, "center"))
        self.canv.restoreState()


class RefList(Flowable):
    """A list of linked references ("12 (EX-0003), 45 (EX-0010)"), as in a names-index row:
    the references are laid out whole, line by line, each one a link to its key, the page
    number in link colour. Far cheaper than a paragraph of hundreds of links, and a long list
    splits between lines when its table row is taller than a page."""

    SEP = ", "

    def __init__(self, refs: list, style: ParagraphStyle, lines: list | None = None):
        super().__init__()
        self.refs, self.style = refs, style  # refs: (page text, rest of the text, key)
        self.lines = lines
        self._laid_at = None

    def _layout(self, width: float) -> list:
        font, size = self.style.fontName, self.style.fontSize
        sep_w = stringWidth(self.SEP, font, size)
        lines, line, x = [], [], 0.0
        for i, (page, rest, key) in enumerate(self.refs):
            pw, rw = stringWidth(page, font, size), stringWidth(rest, font, size)
            w = pw + rw
            if line and x + w > width:
                lines.append(line)
                line, x = [], 0.0
            last = i == len(self.refs) - 1
            line.append((x, page, pw, rest + ("" if last else self.SEP), w, key))
            x += w + (0 if last else sep_w)
        if line:
            lines.append(line)
        return lines

    def wrap(self, aw, ah):
        if self.lines is None or (self._laid_at is not None and self._laid_at != aw):
            self.lines, self._laid_at = self._layout(aw), aw
        self.width, self.height = aw, len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, aw, ah):
        self.wrap(aw, ah)
        n = int(ah // self.style.leading)
        if n < 1 or n >= len(self.lines):
            return [] if n < 1 else [self]
        return [RefList(self.refs, self.style, self.lines[:n]), RefList(self.refs, self.style, self.lines[n:])]

    def draw(self):
        c, st = self.canv, self.style
        lead, size = st.leading, st.fontSize
        for i, line in enumerate(self.lines):
            y = self.height - i * lead - size
            t = c.beginText(0, y)
            t.setFont(st.fontName, size, lead)
            for x, page, pw, rest, w, key in line:  # each reference ends with its separator:
                # the text goes on where the next one starts
                t.setFillColor(LINK)
                t.textOut(page)
                t.setFillColor(st.textColor)
                t.textOut(rest)
            c.drawText(t)
            for x, page, pw, rest, w, key in line:
                link(c, key, (x, y - size * 0.25, x + w, y + size))


class LeaderLine(Flowable):
    """A contents line: title (wrapped, indented by its level), dot leaders from the end of its
    last line to the number at the right, the whole line a link. What the number is and where
    the link goes is the subclass's (`draw_number`, `draw_link`)."""

    number_width = 34.0  # room kept at the right for the number

    def __init__(self, para: Paragraph, level: int):
        super().__init__()
        self.para, self.level = para, level
        self.indent = 14 * level

    def wrap(self, aw, ah):
        self.width = aw
        self.avail = aw - self.indent - self.number_width - 8
        self.pw, self.ph = self.para.wrap(self.avail, ah)
        self.height = self.ph + 2
        return aw, self.height

    def draw(self):
        c = self.canv
        self.para.drawOn(c, self.indent, 2)
        # dot leaders from the end of the last line to the number
        last = self.para.blPara.lines[-1]
        extra = last[0] if isinstance(last, tuple) else last.extraSpace
        x0 = self.indent + (self.avail - extra) + 4
        x1 = self.width - self.number_width
        if x1 - x0 > 8:  # a dotted line: round caps on a dash pattern (no text to encode)
            c.saveState()
            c.setStrokeColor(RULE)
            c.setLineWidth(0.9)
            c.setLineCap(1)
            c.setDash([0, 4], 0)
            c.line(x1 - 4 * int((x1 - x0) / 4), 5.3, x1, 5.3)
            c.restoreState()
        self.draw_number(c, self.width, 5)
        self.draw_link(c, (0, 0, self.width, self.height))

    def draw_number(self, c, right: float, baseline: float):
        raise NotImplementedError

    def draw_link(self, c, rect):
        raise NotImplementedError


class ContentsEntry(LeaderLine):
    """A dossier's contents line: its number is the page of `key` (a form, drawn once the
    dossier is laid out), the line a link to `key`."""

    def __init__(self, para: Paragraph, key: str, level: int, state: RenderState):
        super().__init__(para, level)
        self.key, self.state = key, state
        state.refs.add(key)
        self.number_width = 34 if state.volumes is None else 66  # "vol. 2 · 1234"

    def draw_number(self, c, right, baseline):
        c.saveState()
        c.translate(right, baseline)
        c.doForm(self.state.contents_form(self.key))
        c.restoreState()

    def draw_link(self, c, rect):
        link(c, self.key, rect)


class Deferred(Flowable):
    """Stands for flowables made only when reached: `make()` runs once the body before it is
    laid out. It asks for more room than there is, so reportlab splits it, and its split is
    what `make()` makes."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def wrap(self, aw, ah):
        return aw, ah + 1

    def split(self, aw, ah):
        return [NullActionFlowable()] + self.make()  # (an action first: reportlab places the rest)


class KeepWithNext(KeepTogether):
    """A heading kept with what follows it (reportlab groups a keepWithNext paragraph and the
    next flowable in one of these). reportlab moves the whole group to a new page whenever it is
    taller than the space left, which for a heading followed by a table longer than a page
    leaves a page empty but for the heading before it. A group taller than a page is instead
    kept only with the start of what follows: the headings and the first row of a table (its
    repeated header included) or the first lines of a paragraph."""

    def __init__(self, flowables, maxHeight=None, frame_height: float | None = None):
        super().__init__(flowables, maxHeight)
        self.parts = list(flowables)
        self.frame_height = frame_height or page_geometry().content_height  # the dossier's text frame

    def split(self, aW, aH):
        if fastpath.kept_height(self, aW, aH) <= self.frame_height:
            return super().split(aW, aH)
        *heads, last = self.parts
        need = sum(f.wrap(aW, aH)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in heads)
        _, h = last.wrap(aW, aH)
        if isinstance(last, RowSplitTable):
            rows = (last.repeatRows if isinstance(last.repeatRows, int) else 0) + 1
            h = sum(fastpath.row_heights(last, aW, aH, wrapped=True)[:rows])
        need += min(h, 48) if not isinstance(last, Table) else h
        return [CondPageBreak(min(need, self.frame_height))] + self.parts


class OnePage(KeepTogether):
    """Flowables meant for one page (the cover). When they are taller than the room they start
    in (a Letter page is 50 pt shorter than an A4 one; a long summary), their spacers give up
    room, all in the same proportion, down to none; when they fit, they are set as they are."""

    def __init__(self, flowables):
        super().__init__(flowables)
        self.parts = list(flowables)

    def split(self, aW, aH):
        over = fastpath.kept_height(self, aW, aH) - aH
        room = sum(f.height for f in self.parts if isinstance(f, Spacer))
        if over <= 0 or not room:
            return list(self.parts)
        keep = max(0.0, 1 - over / room)
        return [Spacer(f.width, f.height * keep) if isinstance(f, Spacer) else f for f in self.parts]


class RowSplitTable(Table):
    """A table whose rows move whole to the next page, as usual, except (with `split_tall`) a
    row taller than a whole page (a person named in hundreds of exhibits has an index row
    longer than a page): that one is split inside, each part keeping at least two lines,
    instead of stopping the build. `links` gives each row the key it links to (or None): the
    whole row is the link. `cell_box` is (left, right, top, bottom padding, leading of text
    cells), as the table's style sets them; `frame_height` the height of the dossier's text frame
    (a row taller than that is split inside)."""

    def __init__(self, data, colWidths=None, rowHeights=None, *args, links=None, split_tall=True,
                 cell_box=(6, 6, 3, 3, 12), frame_height: float | None = None, **kwargs):
        super().__init__(data, colWidths, rowHeights, *args, **kwargs)
        self.rows, self.col_widths, self.given_heights = data, colWidths, rowHeights
        self.links = list(links) if links else []
        self.split_tall, self.cell_box = split_tall, cell_box
        self.frame_height = frame_height or page_geometry().content_height
        self.size = None

    def wrap(self, availWidth, availHeight):
        self.size = super().wrap(availWidth, availHeight)
        return self.size

    def split(self, availWidth, availHeight):
        if self.split_tall:
            heights = fastpath.row_heights(self, availWidth, availHeight)
            head = self.repeatRows if isinstance(self.repeatRows, int) else 0
            first = heights[head] if len(heights) > head else 0
            self.splitInRow = 24 if sum(heights[:head]) + first > self.frame_height else 0
        parts = super().split(availWidth, availHeight)
        for p in parts:
            p.split_tall, p.cell_box, p.frame_height = self.split_tall, self.cell_box, self.frame_height
        if len(parts) == 2 and self.links:
            # the first part has the first rows; the second the repeated header, then the last
            # rows (a row split inside is in both)
            first, rest = parts
            head = self.repeatRows if isinstance(self.repeatRows, int) else 0
            first.links = self.links[:len(first.rows)]
            tail = len(rest.rows) - head
            rest.links = self.links[:head] + self.links[len(self.links) - tail:]
        return parts

    def draw(self):
        super().draw()
        if not self.links:
            return
        positions, width = fastpath.row_positions(self)
        for i, key in enumerate(self.links[:len(positions) - 1]):
            if key:
                top, bottom = positions[i], positions[i + 1]
                link(self.canv, key, (0, bottom, width, top))


class Quoted(Flowable):
    """A block quote with a rule on its left."""

    def __init__(self, inner: Paragraph):
        super().__init__()
        self.inner = inner

    def wrap(self, aw, ah):
        self.width = aw
        _, self.height = self.inner.wrap(aw, ah)
        return aw, self.height

    def split(self, aw, ah):
        parts = self.inner.split(aw, ah)
        return [Quoted(p) for p in parts]

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def draw(self):
        self.inner.drawOn(self.canv, 0, 0)
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(2)
        self.canv.line(4, 0, 4, self.height)


class PageBreakIfNotTop(NotAtTopPageBreak):
    """A page break, unless the frame is still empty (no blank pages between sections)."""

    locChanger = 0  # may be kept with a heading before it, as any flowable


class PageSize(ActionFlowable):
    """The pages begun from now on are `size` (width, height) with one frame filling them (an
    exhibit file's page); None: the dossier's own pages again (DossierDoc.handle_pageSize)."""

    def __init__(self, size: tuple[float, float] | None):
        super().__init__(("pageSize", size))
        self.size = size
