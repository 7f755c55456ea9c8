"""Paint highlights into the reader's document without touching its text.

A QSyntaxHighlighter formats each block from a precomputed, sorted list of non-overlapping
segments (db.logic.spans), so opening an article costs one pass over its blocks, and a new
highlight repaints only the blocks whose segments changed. Overlaps stay readable: a stretch
covered by several highlights gets the blend of their colours and an underline.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from db.logic.offsets import OffsetMap
from db.logic.spans import segments

UNCODED_COLOR = "#d9d9d9"
Segment = tuple[int, int, tuple[str, ...]]  # UTF-16 start, end, one colour per covering span


def blend(colors: Sequence[str]) -> QColor:
    qcolors = [QColor(c) for c in colors]
    n = len(qcolors)
    return QColor(
        sum(c.red() for c in qcolors) // n,
        sum(c.green() for c in qcolors) // n,
        sum(c.blue() for c in qcolors) // n,
    )


class HighlightPainter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._segments: list[Segment] = []
        self._starts: list[int] = []
        self._formats: dict[tuple[str, ...], QTextCharFormat] = {}

    @property
    def segment_count(self) -> int:
        return len(self._segments)

    def set_spans(
        self, spans: Iterable[tuple[int, int, str]], offsets: OffsetMap, *, full: bool = False
    ) -> None:
        """Spans are (code-point start, end, blended colour of the span's codes)."""
        new = [
            (offsets.to_utf16(s), offsets.to_utf16(e), colors) for s, e, colors in segments(spans)
        ]
        old = self._segments
        self._segments, self._starts = new, [s for s, _, _ in new]
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

    def _format(self, colors: tuple[str, ...]) -> QTextCharFormat:
        fmt = self._formats.get(colors)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setBackground(blend(colors))
            fmt.setForeground(QColor("#1f1d1a"))  # dark text on light colours, in any theme
            if len(colors) > 1:
                fmt.setFontUnderline(True)
                fmt.setUnderlineColor(blend(colors).darker(220))
            self._formats[colors] = fmt
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
            start, stop, colors = segments_[i]
            if start >= end:
                break
            if stop > begin:
                lo = max(start, begin)
                self.setFormat(lo - begin, min(stop, end) - lo, self._format(colors))
            i += 1
