"""Coder lanes: one narrow column per compared coder beside the text, a bar per highlight.

Bars line up with the lines they cover, so a reader sees at a glance who coded what; a red
mark in the last column flags where the coders differ and nobody has decided yet (grey once
gold holds a decision). Painted in the reader's left margin and kept in step with scrolling.
Only the bars in view are measured on a paint (a long article can hold thousands of spans).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QTextCursor
from PySide6.QtWidgets import QTextEdit, QToolTip, QWidget

LANE_COLORS = ("#2f6db5", "#d9731a", "#3a9a4b", "#8e5bb5", "#c0392b", "#6b7b8c")
GOLD_COLOR = "#b8860b"
OPEN_COLOR = "#d62728"
DECIDED_COLOR = "#9aa0a6"
LANE_WIDTH = 9
GAP = 3


def lane_color(index: int) -> str:
    return LANE_COLORS[index % len(LANE_COLORS)]


@dataclass(frozen=True, slots=True)
class Lane:
    title: str
    color: str
    spans: tuple[tuple[int, int], ...]  # UTF-16 positions in the reader's document


@dataclass(frozen=True, slots=True)
class _Sorted:
    """Spans by start, with the furthest end reached so far: finds those in view by bisection."""

    spans: tuple[tuple[int, int], ...]
    starts: list[int] = field(default_factory=list)
    reach: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, spans: Sequence[tuple[int, int]]) -> _Sorted:
        ordered = tuple(sorted(spans))
        return cls(ordered, [s for s, _ in ordered], list(accumulate((e for _, e in ordered), max)))

    def between(self, top: int, bottom: int) -> list[tuple[int, int]]:
        """Spans that touch the positions top..bottom."""
        first = bisect_left(self.reach, top)  # every span before ends above the view
        last = bisect_right(self.starts, bottom)  # every span from here starts below it
        return [(s, e) for s, e in self.spans[first:last] if e >= top]


class CoderLanes(QWidget):
    """Child of the reader body; sits in its left viewport margin."""

    def __init__(self, body: QTextEdit) -> None:
        super().__init__(body)
        self.body = body
        self.lanes: list[Lane] = []
        self.marks: list[tuple[int, int, bool]] = []  # UTF-16 start, end, still open
        self._lane_spans: list[_Sorted] = []
        self._mark_spans = _Sorted.of([])
        self._open: dict[tuple[int, int], bool] = {}
        self._ys: dict[int, int] = {}  # UTF-16 position → y in document coordinates
        self.setMouseTracking(True)
        body.verticalScrollBar().valueChanged.connect(self.update)
        body.document().documentLayout().documentSizeChanged.connect(self.relayout)
        self.hide()

    @property
    def needed_width(self) -> int:
        return (len(self.lanes) + 1) * (LANE_WIDTH + GAP) + 8

    def show_lanes(self, lanes: list[Lane], marks: list[tuple[int, int, bool]]) -> None:
        self.lanes, self.marks = lanes, marks
        self._lane_spans = [_Sorted.of(lane.spans) for lane in lanes]
        self._mark_spans = _Sorted.of([(s, e) for s, e, _ in marks])
        self._open = {}
        for start, end, still_open in marks:  # a span both open and decided shows as open
            self._open[start, end] = self._open.get((start, end), False) or still_open
        self.relayout()
        self.setVisible(bool(lanes))

    def relayout(self) -> None:
        """Forget cached line positions (new text, font, width) and fit the margin."""
        self._ys.clear()
        viewport = self.body.viewport().geometry()
        width = self.needed_width
        self.setGeometry(max(0, viewport.left() - width), viewport.top(), width, viewport.height())
        self.update()

    def _y(self, position: int, bottom: bool = False) -> int:
        key = -position - 1 if bottom else position
        if key not in self._ys:
            cursor = QTextCursor(self.body.document())
            cursor.setPosition(min(position, self.body.document().characterCount() - 1))
            rect = self.body.cursorRect(cursor)
            scroll = self.body.verticalScrollBar().value()
            self._ys[key] = (rect.bottom() if bottom else rect.top()) + scroll
        return self._ys[key] - self.body.verticalScrollBar().value()

    def _bar(self, start: int, end: int) -> tuple[int, int]:
        top = self._y(start)
        bottom = self._y(max(start, end - 1), bottom=True)
        return top, max(bottom, top + 4)

    def visible_range(self) -> tuple[int, int]:
        """The first and last document positions on the lines in the reader's viewport.

        Bisects the blocks by their laid-out rectangles, then the lines of the edge blocks:
        a few layout look-ups, where hit-testing the viewport's top edge (cursorForPosition)
        answered arbitrary positions while Qt was still laying a long article out.
        """
        scroll = self.body.verticalScrollBar().value()
        top = self._position_at(scroll, first=True)
        bottom = self._position_at(scroll + self.body.viewport().height(), first=False)
        return top, max(top, bottom)

    def _position_at(self, y: float, first: bool) -> int:
        """The start of the first line reaching down to ``y`` (document coordinates), or the
        end of the last line starting above it."""
        document = self.body.document()
        layout = document.documentLayout()
        low, high = 0, document.blockCount()
        while low < high:  # the first block whose bottom is below y
            middle = (low + high) // 2
            if layout.blockBoundingRect(document.findBlockByNumber(middle)).bottom() < y:
                low = middle + 1
            else:
                high = middle
        block = document.findBlockByNumber(min(low, document.blockCount() - 1))
        rect = layout.blockBoundingRect(block)
        if not first and rect.top() > y and block.previous().isValid():
            block = block.previous()  # y falls between blocks: the one above ends the view
            rect = layout.blockBoundingRect(block)
        lines = block.layout()
        chosen = None
        for i in range(lines.lineCount()):
            line = lines.lineAt(i)
            if first and rect.top() + line.y() + line.height() >= y:
                chosen = line
                break
            if not first and rect.top() + line.y() <= y:
                chosen = line
        if chosen is None:
            return block.position() + (0 if first else max(0, block.length() - 1))
        start = block.position() + chosen.textStart()
        return start if first else start + chosen.textLength()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        height = self.height()
        first, last = self.visible_range()
        for i, (lane, spans) in enumerate(zip(self.lanes, self._lane_spans, strict=True)):
            x = 4 + i * (LANE_WIDTH + GAP)
            painter.setBrush(QColor(lane.color))
            for start, end in spans.between(first, last):
                top, bottom = self._bar(start, end)
                if bottom >= 0 and top <= height:
                    painter.drawRoundedRect(QRect(x, top, LANE_WIDTH, bottom - top), 3, 3)
        x = 4 + len(self.lanes) * (LANE_WIDTH + GAP)
        for start, end in self._mark_spans.between(first, last):
            top, bottom = self._bar(start, end)
            if bottom >= 0 and top <= height:
                still_open = self._open[start, end]
                painter.setBrush(QColor(OPEN_COLOR if still_open else DECIDED_COLOR))
                painter.drawRect(QRect(x, top, 4, bottom - top))
        painter.end()

    def lane_at(self, x: int) -> int | None:
        index = (x - 4) // (LANE_WIDTH + GAP)
        return index if 0 <= index < len(self.lanes) else None

    def mouseMoveEvent(self, event) -> None:
        index = self.lane_at(int(event.position().x()))
        title = self.lanes[index].title if index is not None else "disagreements"
        QToolTip.showText(event.globalPosition().toPoint(), title, self)
