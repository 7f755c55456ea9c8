"""Paint highlights into the reader's document without touching its text.

A QSyntaxHighlighter formats each block from a precomputed, sorted list of non-overlapping
segments (db.logic.spans), so opening an article costs one pass over its blocks, and a new
highlight repaints only the blocks whose segments changed. Overlaps stay readable: a stretch
covered by several highlights gets the blend of their colours and an underline.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from db.logic.offsets import OffsetMap
from db.logic.spans import blended_segments

UNCODED_COLOR = "#d9d9d9"
Segment = tuple[int, int, tuple[int, bool]]  # UTF-16 start, end, (0xRRGGBB, overlapped)
MAX_CACHED_FORMATS = 4096
_FORMATS: dict[tuple[int, bool], QTextCharFormat] = {}
"""Formats are values: one cache for every reader, so the next article starts warm."""


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


class HighlightPainter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._segments: list[Segment] = []
        self._starts: list[int] = []

    @property
    def segment_count(self) -> int:
        return len(self._segments)

    def set_spans(
        self, spans: Iterable[tuple[int, int, str]], offsets: OffsetMap, *, full: bool = False
    ) -> None:
        """Spans are (code-point start, end, blended colour of the span's codes)."""
        to_utf16 = offsets.to_utf16
        coloured = ((s, e, _rgb(color)) for s, e, color in spans)
        new = [
            (to_utf16(s), to_utf16(e), ((r << 16) | (g << 8) | b, n > 1))
            for s, e, (r, g, b), n in blended_segments(coloured)
        ]
        old = self._segments
        self._segments, self._starts = new, [s for s, _, _ in new]
        if self.document() is None:
            return
        if full:
            self.rehighlight()
            return
        changed = set(old).symmetric_difference(new)
        if changed:
            self._rehighlight_range(min(s for s, _, _ in changed), max(e for _, e, _ in changed))

    def _rehighlight_range(self, start: int, end: int) -> None:
        document = self.document()
        block = document.findBlock(start)
        while block.isValid() and block.position() < end:
            self.rehighlightBlock(block)
            block = block.next()

    def _format(self, look: tuple[int, bool]) -> QTextCharFormat:
        """One format per (colour, overlapped): overlaps blend their colours and underline."""
        fmt = _FORMATS.get(look)
        if fmt is None:
            if len(_FORMATS) >= MAX_CACHED_FORMATS:
                _FORMATS.clear()
            rgb, overlapped = look
            color = QColor(rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF)
            fmt = QTextCharFormat()
            fmt.setBackground(color)
            fmt.setForeground(QColor("#1f1d1a"))  # dark text on light colours, in any theme
            if overlapped:
                fmt.setFontUnderline(True)
                fmt.setUnderlineColor(color.darker(220))
            _FORMATS[look] = fmt
        return fmt

    def highlightBlock(self, text: str) -> None:
        if not self._segments:
            return
        block = self.currentBlock()
        begin = block.position()
        end = begin + block.length() - 1
        i = max(0, bisect_right(self._starts, begin) - 1)
        segments_ = self._segments
        while i < len(segments_):
            start, stop, look = segments_[i]
            if start >= end:
                break
            if stop > begin:
                lo = max(start, begin)
                self.setFormat(lo - begin, min(stop, end) - lo, self._format(look))
            i += 1
