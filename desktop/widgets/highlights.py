"""Paint highlights into the reader's document without touching its text.

Highlights are *additional formats* of each block's QTextLayout (``QTextLayout.setFormats``):
no document edit, no undo entry, no ``contentsChange`` per span. A sorted sweep
(db.logic.spans) turns the spans into non-overlapping segments once; a block's formats are the
segments that fall inside it, each with a QTextCharFormat shared by every segment of the same
look. Overlaps stay readable: a stretch covered by several highlights gets the blend of their
colours and an underline.

Formats cost twice: building them in Python, and laying the block out again (every format
boundary splits Qt's shaping runs, so a block full of highlights lays out ~3× slower than
plain text). So an article with thousands of highlights is painted where the reader looks
first: the blocks in and near the view (``focus``) at once, the rest from the event loop in
short slices, nearest first, once the reader has drawn what is in view (or after
``START_MS`` if it never does, e.g. while hidden). Nothing is ever drawn without its
highlights: the reader calls ``paint_range`` with the exposed area before it paints. Small
changes (a new highlight, a short article) are painted at once, wherever they are.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QColor, QTextBlock, QTextCharFormat, QTextDocument, QTextLayout

from db.logic.offsets import OffsetMap
from db.logic.spans import blended_segments

UNCODED_COLOR = "#d9d9d9"
TEXT_ON_HIGHLIGHT = "#1f1d1a"  # dark text on light colours, in any theme
Look = tuple[tuple[int, int, int], bool]  # (r, g, b), overlapped
Segment = tuple[int, int, tuple[int, int, int], int]  # UTF-16 start, end, mean RGB, span count
SYNC_WORK = 400
"""Up to this many spans (an article opens) or changed segments (an update) are painted at
once, wherever they are."""
SLICE_SECONDS = 0.004
"""Background painting gives the event loop back this often (input stays smooth)."""
START_MS = 50
"""Background painting starts after the first draw, or this long after the spans came."""
MAX_CACHED_FORMATS = 4096
_FORMATS: dict[Look, QTextCharFormat] = {}
"""Formats are values: one cache for every reader, so the next article starts warm."""
_FormatRange = QTextLayout.FormatRange


@lru_cache(maxsize=1024)
def _rgb(color: str) -> tuple[int, int, int]:
    value = int(color.lstrip("#")[:6], 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def blend_hex(colors: Sequence[str]) -> str:
    """The average of ``#rrggbb`` colours, computed without building a QColor per colour."""
    n = len(colors)
    r = g = b = 0
    for color in colors:
        cr, cg, cb = _rgb(color)
        r, g, b = r + cr, g + cg, b + cb
    return f"#{r // n:02x}{g // n:02x}{b // n:02x}"


def blend(colors: Sequence[str]) -> QColor:
    return QColor(blend_hex(colors))


def highlight_format(rgb: tuple[int, int, int], overlapped: bool) -> QTextCharFormat:
    """One shared format per look: the colour as background; overlaps also get an underline."""
    look = (rgb, overlapped)
    fmt = _FORMATS.get(look)
    if fmt is None:
        if len(_FORMATS) >= MAX_CACHED_FORMATS:
            _FORMATS.clear()
        color = QColor(*rgb)
        fmt = QTextCharFormat()
        fmt.setBackground(color)
        fmt.setForeground(QColor(TEXT_ON_HIGHLIGHT))
        if overlapped:
            fmt.setFontUnderline(True)
            fmt.setUnderlineColor(color.darker(220))
        _FORMATS[look] = fmt
    return fmt


class HighlightPainter(QObject):
    """Keeps the highlight formats of one QTextDocument's blocks up to date.

    ``focus`` returns the UTF-16 range to paint first (what is on screen, give or take), or
    None while nothing is on screen; without it, every change is painted at once. The segments
    of the whole article are cut lazily: the first paint of a newly opened article only blends
    the spans that reach into view.
    """

    def __init__(
        self,
        document: QTextDocument,
        focus: Callable[[], tuple[int, int] | None] | None = None,
    ) -> None:
        super().__init__(document)
        self._document = document
        self.focus = focus
        self._spans: list[tuple[int, int, str]] = []  # code points, as given
        self._offsets = OffsetMap("")
        self._cut: tuple[list[Segment], list[int]] | None = ([], [])  # segments, their starts
        self._pending: set[int] = set()  # block numbers whose formats are out of date
        self._formatted: set[int] = set()  # block numbers that carry highlight formats now
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._paint_slice)
        self._start = QTimer(self)
        self._start.setSingleShot(True)
        self._start.setInterval(START_MS)
        self._start.timeout.connect(self._timer.start)

    def document(self) -> QTextDocument:
        return self._document

    @property
    def segment_count(self) -> int:
        return len(self._segments()[0])

    @property
    def pending(self) -> int:
        """How many blocks still wait for their highlights (0: everything is painted)."""
        return len(self._pending)

    def reset(self) -> None:
        """Forget every span and block: call before the document's text is replaced."""
        self._timer.stop()
        self._start.stop()
        self._spans, self._cut = [], ([], [])
        self._pending.clear()
        self._formatted.clear()

    def set_spans(
        self, spans: Iterable[tuple[int, int, str]], offsets: OffsetMap, *, full: bool = False
    ) -> None:
        """Spans are (code-point start, end, blended colour of the span's codes).

        ``full`` repaints every block (a newly opened article); otherwise only the blocks whose
        segments changed are repainted.
        """
        spans = list(spans)
        if full:
            self._spans, self._offsets, self._cut = spans, offsets, None
            if self.focus is None or len(spans) <= SYNC_WORK:
                self._pending |= self._blocks_touching(self._segments()[0]) | self._formatted
                self.finish()
                return
            self._pending.update(range(self._document.blockCount()))
        else:
            old = self._segments()[0]
            self._spans, self._offsets, self._cut = spans, offsets, None
            changed = sorted(set(old).symmetric_difference(self._segments()[0]))
            blocks = self._blocks_touching(changed)
            if not blocks:
                return
            self._pending |= blocks
            if self.focus is None or len(changed) <= SYNC_WORK:
                self.finish()
                return
        focus = self.focus()
        if focus is not None:
            self._paint_range(*focus)
        if self._pending and not self._timer.isActive():
            self._start.start()

    def paint_range(self, start: int, end: int) -> None:
        """The view is about to draw UTF-16 positions ``start``..``end``: paint the blocks
        still waiting there now, and the others in the background from the next turn of the
        event loop on."""
        self._paint_range(start, end)
        if self._pending and not self._timer.isActive():
            self._start.stop()
            self._timer.start()

    def finish(self) -> None:
        """Paint every waiting block now."""
        self._paint_blocks(sorted(self._pending), *self._segments())

    # Internals ------------------------------------------------------------------------------
    def _coloured(self, spans: Iterable[tuple[int, int, str]]) -> list:
        """UTF-16 (start, end, (r, g, b)) of code-point spans."""
        offsets = self._offsets
        if offsets.to_utf16(offsets.length) == offsets.length:  # no character outside the BMP
            return [(s, e, _rgb(color)) for s, e, color in spans]
        to16 = offsets.to_utf16
        return [(to16(s), to16(e), _rgb(color)) for s, e, color in spans]

    def _segments(self) -> tuple[list[Segment], list[int]]:
        """The segments of every span, cut once per set of spans, and their starts."""
        if self._cut is None:
            segments_ = blended_segments(self._coloured(self._spans), merge=True)
            self._cut = segments_, [s[0] for s in segments_]
        return self._cut

    def _segments_between(self, lo: int, hi: int) -> tuple[list[Segment], list[int]]:
        """Segments right for UTF-16 ``lo``..``hi`` (block boundaries): the whole cut if it is
        there, else a cut of only the spans that reach in, clipped (a blend at any character
        depends only on the spans over it)."""
        if self._cut is not None:
            return self._cut
        clo, chi = self._offsets.from_utf16(lo), self._offsets.from_utf16(hi)
        near = [(max(s, clo), min(e, chi), c) for s, e, c in self._spans if s < chi and e > clo]
        segments_ = blended_segments(self._coloured(near), merge=True)
        return segments_, [s[0] for s in segments_]

    def _paint_range(self, start: int, end: int) -> None:
        if not self._pending:
            return
        document = self._document
        last_position = max(0, document.characterCount() - 1)
        first = document.findBlock(min(max(0, start), last_position)).blockNumber()
        last = document.findBlock(min(max(0, end), last_position)).blockNumber()
        wanted = [n for n in range(first, last + 1) if n in self._pending]
        if not wanted:
            return
        lo = document.findBlockByNumber(wanted[0]).position()
        last_block = document.findBlockByNumber(wanted[-1])
        hi = last_block.position() + last_block.length() - 1
        self._paint_blocks(wanted, *self._segments_between(lo, hi))

    def _blocks_touching(self, segments_: Sequence[Segment]) -> set[int]:
        """Numbers of the blocks whose text overlaps any of the (sorted) segments: one walk
        over the blocks from the first segment to the last."""
        out: set[int] = set()
        if not segments_:
            return out
        block = self._document.findBlock(segments_[0][0])
        i, n = 0, len(segments_)
        while block.isValid() and i < n:
            begin = block.position()
            end = begin + block.length() - 1  # the paragraph separator takes no format
            while i < n and segments_[i][1] <= begin:
                i += 1
            if i < n and segments_[i][0] < end:
                out.add(block.blockNumber())
            block = block.next()
        return out

    @staticmethod
    def _ranges(
        block: QTextBlock, segments_: list[Segment], starts: list[int]
    ) -> list[QTextLayout.FormatRange]:
        begin = block.position()
        end = begin + block.length() - 1
        i = max(0, bisect_right(starts, begin) - 1)
        n = len(segments_)
        out = []
        while i < n:
            start, stop, rgb, count = segments_[i]
            if start >= end:
                break
            if stop > begin:
                lo = start if start > begin else begin
                r = _FormatRange()
                r.start = lo - begin
                r.length = (stop if stop < end else end) - lo
                r.format = highlight_format(rgb, count > 1)
                out.append(r)
            i += 1
        return out

    def _paint_blocks(
        self, numbers: Sequence[int], segments_: list[Segment], starts: list[int]
    ) -> None:
        """Set the formats of these blocks (ascending numbers) from ``segments_`` and lay out
        again those already laid out, in one ``markContentsDirty`` per run of adjacent
        blocks."""
        document = self._document
        dirty_from = dirty_to = -1
        for number in numbers:
            self._pending.discard(number)
            block = document.findBlockByNumber(number)
            if not block.isValid():
                continue
            ranges = self._ranges(block, segments_, starts)
            if ranges:
                self._formatted.add(number)
            elif number in self._formatted:
                self._formatted.discard(number)
            else:
                continue  # had no highlights, still has none
            layout = block.layout()
            laid_out = layout.lineCount() > 0
            layout.setFormats(ranges)
            if not laid_out:
                continue  # the document layout will lay it out, formats and all
            begin = block.position()
            if begin != dirty_to:
                if dirty_from >= 0:
                    document.markContentsDirty(dirty_from, dirty_to - dirty_from)
                dirty_from = begin
            dirty_to = begin + block.length()
        if dirty_from >= 0:
            document.markContentsDirty(dirty_from, dirty_to - dirty_from)
        if not self._pending:
            self._timer.stop()
            self._start.stop()

    def _paint_slice(self) -> None:
        """Background painting: the waiting blocks nearest the focus, for SLICE_SECONDS."""
        if not self._pending:
            self._timer.stop()
            return
        deadline = time.perf_counter() + SLICE_SECONDS
        cut = self._segments()
        focus = self.focus() if self.focus is not None else None
        centre = 0
        if focus is not None:
            centre = self._document.findBlock(max(0, sum(focus) // 2)).blockNumber()
        queue = sorted(self._pending, key=lambda n: abs(n - centre))
        step = 4
        for i in range(0, len(queue), step):
            self._paint_blocks(sorted(queue[i : i + step]), *cut)
            if time.perf_counter() >= deadline:
                break
