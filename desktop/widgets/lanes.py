"""Coder lanes: one narrow column per compared coder beside the text, a bar per highlight.

Bars line up with the lines they cover, so a reader sees at a glance who coded what; a red
mark in the last column flags where the coders differ and nobody has decided yet (grey once
gold holds a decision). Painted in the reader's left margin and kept in step with scrolling.
"""

from __future__ import annotations

from dataclasses import dataclass

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


class CoderLanes(QWidget):
    """Child of the reader body; sits in its left viewport margin."""

    def __init__(self, body: QTextEdit) -> None:
        super().__init__(body)
        self.body = body
        self.lanes: list[Lane] = []
        self.marks: list[tuple[int, int, bool]] = []  # UTF-16 start, end, still open
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

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        height = self.height()
        columns = [(lane.color, lane.spans) for lane in self.lanes]
        for i, (color, spans) in enumerate(columns):
            x = 4 + i * (LANE_WIDTH + GAP)
            painter.setBrush(QColor(color))
            for start, end in spans:
                top, bottom = self._bar(start, end)
                if bottom >= 0 and top <= height:
                    painter.drawRoundedRect(QRect(x, top, LANE_WIDTH, bottom - top), 3, 3)
        x = 4 + len(columns) * (LANE_WIDTH + GAP)
        for start, end, still_open in self.marks:
            top, bottom = self._bar(start, end)
            if bottom >= 0 and top <= height:
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
