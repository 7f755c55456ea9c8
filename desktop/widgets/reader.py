"""The reader: title, a metadata line, and the article body with its highlights.

The body shows ``Document.text`` unchanged, so a Qt position maps to a stored offset by the
UTF-16 ↔ code-point conversion alone (db.logic.offsets).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPaintEvent,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QLabel, QTextEdit, QVBoxLayout, QWidget

from db.logic.offsets import OffsetMap, trim_span
from db.records import AnnotationRecord, DocumentRecord
from desktop.widgets.highlights import HighlightPainter
from desktop.widgets.lanes import CoderLanes, Lane

READING_FONTS = ["Literata", "Source Serif 4", "Georgia", "Noto Serif", "DejaVu Serif", "serif"]
READING_WIDTH_EM = 42
DEFAULT_POINT_SIZE = 12.5
LINE_HEIGHT_PERCENT = 145


def reading_font(point_size: float = DEFAULT_POINT_SIZE) -> QFont:
    font = QFont()
    font.setFamilies(READING_FONTS)
    font.setPointSizeF(point_size)
    font.setStyleHint(QFont.StyleHint.Serif)
    return font


def _first_false(holds: Callable[[int], bool], lo: int, hi: int) -> int:
    """The first number in ``lo``..``hi`` for which ``holds`` is false (``hi`` if none), where
    it holds for a prefix: steps of 1, 2, 4, ... from ``lo``, then halving, so the numbers
    probed stay within about twice the answer's distance from ``lo``."""
    if lo >= hi or not holds(lo):
        return lo
    good, step = lo, 1
    while good + step < hi and holds(good + step):
        good += step
        step *= 2
    bad = min(hi, good + step)
    while bad - good > 1:
        middle = (good + bad) // 2
        if holds(middle):
            good = middle
        else:
            bad = middle
    return bad


class ReaderBody(QTextEdit):
    """Read-only, selectable text; digits code the selection, clicks report highlights."""

    digit_pressed = Signal(int)
    position_key = Signal()  # P: code a position on the selection
    letter_pressed = Signal(str)  # other plain letters: adjudication keys when comparing
    clicked_at = Signal(int)  # UTF-16 position
    context_menu_at = Signal(QPoint, int)  # global point, UTF-16 position
    about_to_paint = Signal(QRect)  # the viewport area about to be drawn

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setUndoRedoEnabled(False)
        self.wanted_font = reading_font()
        self.setFont(self.wanted_font)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.document().setDocumentMargin(12)
        self.setObjectName("readerBody")
        self.reading_width_em = READING_WIDTH_EM
        self.left_reserve = 0  # room for the coder lanes when comparing

    def set_reading_font(self, font: QFont) -> None:
        self.wanted_font = font
        self.setFont(font)

    def changeEvent(self, event: QEvent) -> None:
        """Style-sheet repolishes reset widget fonts; keep the reader's chosen font."""
        super().changeEvent(event)
        changed = event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange)
        if changed and self.font() != self.wanted_font:
            self.setFont(self.wanted_font)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if plain and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.digit_pressed.emit(key - Qt.Key.Key_0)
            event.accept()
            return
        if plain and key == Qt.Key.Key_P:
            self.position_key.emit()
            event.accept()
            return
        if plain and Qt.Key.Key_A <= key <= Qt.Key.Key_Z:
            self.letter_pressed.emit(chr(key).lower())
            event.accept()
            return
        super().keyPressEvent(event)

    def char_at(self, point: QPoint) -> int:
        """The UTF-16 position of the character under ``point`` (viewport coordinates), or -1.

        cursorForPosition gives the nearest caret position, which is one character off on the
        right half of a character; an exact hit test names the character itself.
        """
        offset = QPoint(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        layout = self.document().documentLayout()
        return layout.hitTest(QPointF(point + offset), Qt.HitTestAccuracy.ExactHit)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.about_to_paint.emit(event.rect())  # highlights still waiting are painted first
        super().paintEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            self.clicked_at.emit(self.char_at(event.position().toPoint()))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.context_menu_at.emit(event.globalPos(), self.char_at(event.pos()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_column()
        for child in self.findChildren(CoderLanes):
            child.relayout()

    def fit_column(self) -> None:
        """Keep a comfortable line length: centre a column of ``reading_width_em``."""
        column = self.fontMetrics().averageCharWidth() * self.reading_width_em * 2
        side = max(0, (self.width() - column) // 2)
        left = max(side, self.left_reserve)
        margins = self.viewportMargins()
        if (margins.left(), margins.right()) != (left, side):
            self.setViewportMargins(left, 0, side, 0)
            if self.document().textWidth() != self.viewport().width():
                # QTextEdit re-wraps on its own resize, which came before the new margins
                QTextEdit.resizeEvent(self, QResizeEvent(self.size(), QSize(-1, -1)))


class ReaderView(QWidget):
    """Shows one document; converts between Qt positions and stored offsets."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(objectName="readerTitle", wordWrap=True)
        self.meta = QLabel(objectName="readerMeta", wordWrap=True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = reading_font(18)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.body = ReaderBody(self)
        self.point_size = DEFAULT_POINT_SIZE
        self.painter = HighlightPainter(self.body.document(), focus=self._focus_range)
        self.body.about_to_paint.connect(self._paint_exposed)
        self.lanes = CoderLanes(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 0)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.body, 1)
        self.document: DocumentRecord | None = None
        self.annotations: list[AnnotationRecord] = []
        self._offsets = OffsetMap("")
        self.show_placeholder()

    def show_placeholder(self) -> None:
        self.document = None
        self.annotations = []
        self.title.setText("No article open")
        self.meta.setText("Pick an article on the left, or import some with File → Import.")
        self.painter.reset()
        self.body.clear()
        self.show_lanes([], [])

    def show_document(self, document: DocumentRecord) -> None:
        self._offsets = OffsetMap(document.text)
        self.update_metadata(document)
        qdoc: QTextDocument = self.body.document()
        self.painter.reset()  # new blocks: highlights come with set_annotations(full=True)
        qdoc.setPlainText(document.text)
        block_format = QTextBlockFormat()
        block_format.setLineHeight(LINE_HEIGHT_PERCENT, 1)  # 1 = ProportionalHeight
        block_format.setBottomMargin(3)
        cursor = QTextCursor(qdoc)
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.mergeBlockFormat(block_format)
        self.body.moveCursor(QTextCursor.MoveOperation.Start)

    def update_metadata(self, document: DocumentRecord) -> None:
        """New title and metadata for the open document (its text never changes)."""
        self.document = document
        self.title.setText(document.title)
        self.set_meta_line()

    def set_meta_line(self) -> None:
        if self.document is None:
            return
        m = self.document.metadata
        parts = [
            m.outlet or "Outlet unknown",
            m.published.isoformat() if m.published else "date unknown",
        ]
        if m.author:
            parts.append(m.author)
        parts.append(f"{len(self.annotations)} highlight(s)")
        self.meta.setText("  ·  ".join(parts))

    def set_annotations(
        self, annotations: list[AnnotationRecord], colors: dict[int, str], *, full: bool = False
    ) -> None:
        """Repaint highlights; ``colors`` maps an annotation id to its (blended) colour."""
        self.annotations = annotations
        spans = [(a.start, a.end, colors[a.id]) for a in annotations]
        self.painter.set_spans(spans, self._offsets, full=full)
        self.set_meta_line()

    def _span_in_view(self, rect: QRect) -> tuple[int, int]:
        """UTF-16 positions from the start of the first block to the end of the last block that
        ``rect`` (viewport coordinates) shows.

        Found from the blocks' laid-out rectangles, not by hit tests: Qt's fuzzy ``hitTest``
        answers the end of the document for a point between two blocks (in a block's bottom
        margin) or in the document margin, and the reader then painted the highlights of the
        whole article before its first draw (2.5× the plain time on one article in
        bench_scale, 1.2× on another whose view edges happened to fall on text).

        Both searches step 1, 2, 4, ... blocks and then halve. The first block in view is
        looked for among the blocks already laid out (the text above the view is); a block not
        laid out yet counts as below the top, so this search lays nothing out. The last one is
        looked for from the first on, laying out the blocks it asks about: at most about twice
        what is in view, which the draw lays out anyway."""
        body = self.body
        qdoc = body.document()
        layout = qdoc.documentLayout()
        dy = body.verticalScrollBar().value()
        top, bottom = rect.top() + dy, rect.bottom() + dy
        count = qdoc.blockCount()

        def ends_above_top(number: int) -> bool:
            block = qdoc.findBlockByNumber(number)
            return block.layout().lineCount() > 0 and layout.blockBoundingRect(block).bottom() < top

        def starts_above_bottom(number: int) -> bool:
            return layout.blockBoundingRect(qdoc.findBlockByNumber(number)).top() <= bottom

        first = _first_false(ends_above_top, 0, count)
        after = _first_false(starts_above_bottom, first, count)
        if first >= count:  # only the margin below the text is in view
            end = qdoc.characterCount() - 1
            return end, end
        last = qdoc.findBlockByNumber(max(first, after - 1))  # a rect inside a gap: one block
        return qdoc.findBlockByNumber(first).position(), last.position() + last.length() - 1

    def _focus_range(self) -> tuple[int, int] | None:
        """What to highlight before the rest: the text in view, or nothing while the body is
        hidden (its first paint asks for what it shows)."""
        if not self.body.isVisible():
            return None
        return self._span_in_view(self.body.viewport().rect())

    def _paint_exposed(self, rect: QRect) -> None:
        """Before the body draws ``rect``, paint the highlights still waiting there.

        Painting can move the text below: Qt lays every line of a block holding a character
        from a fallback font (𝔊) out 4 px taller without formats than with them. So look
        again until what is in view stays put, lest a block that moved up be drawn bare."""
        seen = None
        for _ in range(8):  # twice in practice; the bound only guards against a Qt surprise
            if not self.painter.pending:
                return
            span = self._span_in_view(rect)
            if span == seen:
                return
            self.painter.paint_range(*span)
            seen = span

    def show_lanes(
        self,
        lanes: list[tuple[str, str, list[tuple[int, int]]]],
        marks: list[tuple[int, int, bool]],
    ) -> None:
        """Coder lanes beside the text: (title, colour, code-point spans) each, plus marks
        (start, end, still open) where coders differ; empty lists hide them."""
        to16 = self._offsets.to_utf16
        self.lanes.show_lanes(
            [Lane(t, c, tuple((to16(s), to16(e)) for s, e in spans)) for t, c, spans in lanes],
            [(to16(s), to16(e), still_open) for s, e, still_open in marks],
        )
        self.body.left_reserve = self.lanes.needed_width if lanes else 0
        self.body.fit_column()
        self.lanes.relayout()

    # Offsets --------------------------------------------------------------------------------
    def selected_span(self) -> tuple[int, int] | None:
        """The selection as code-point offsets, trimmed of surrounding whitespace."""
        cursor = self.body.textCursor()
        if self.document is None or not cursor.hasSelection():
            return None
        start = self._offsets.from_utf16(cursor.selectionStart())
        end = self._offsets.from_utf16(cursor.selectionEnd())
        start, end = trim_span(self.document.text, start, end)
        return (start, end) if start < end else None

    def select_span(self, start: int, end: int) -> None:
        cursor = self.body.textCursor()
        cursor.setPosition(self._offsets.to_utf16(start))
        cursor.setPosition(self._offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.body.setTextCursor(cursor)
        self.body.ensureCursorVisible()

    def set_mentions(self, spans: list[tuple[int, int]]) -> None:
        """Underline these code-point spans (mentions of known actors), apart from highlights."""
        selections = []
        for start, end in spans:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.body.document())
            cursor.setPosition(self._offsets.to_utf16(start))
            cursor.setPosition(self._offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format.setFontUnderline(True)
            selection.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            selection.format.setUnderlineColor(QColor("#3d5a99"))
            selections.append(selection)
        self.body.setExtraSelections(selections)

    def cursor_offset(self) -> int:
        """Where the cursor is, or where the selection starts."""
        return self._offsets.from_utf16(self.body.textCursor().selectionStart())

    def visible_offset(self) -> int:
        """The offset of the first character in view: the reading position to remember."""
        return self._offsets.from_utf16(self.body.cursorForPosition(QPoint(0, 0)).position())

    def scroll_to(self, offset: int) -> None:
        """Put the line holding ``offset`` at the top of the view."""
        cursor = self.body.textCursor()
        cursor.setPosition(self._offsets.to_utf16(min(offset, self._offsets.length)))
        self.body.setTextCursor(cursor)
        bar = self.body.verticalScrollBar()
        margin = int(self.body.document().documentMargin())
        bar.setValue(
            0 if offset <= 0 else bar.value() + self.body.cursorRect(cursor).top() - margin
        )

    def zoom(self, steps: float) -> float:
        """Make the reading font larger (+) or smaller (-); 0 resets. Returns the point size."""
        size = DEFAULT_POINT_SIZE if steps == 0 else self.point_size + steps
        self.point_size = max(8.0, min(32.0, size))
        self.apply_font()
        return self.point_size

    def apply_font(self) -> None:
        self.body.set_reading_font(reading_font(self.point_size))
        self.body.fit_column()

    def set_reading_width(self, em: int) -> None:
        self.body.reading_width_em = em
        self.body.fit_column()

    def find_and_select(self, needle: str) -> bool:
        """Select the first occurrence of ``needle`` with Qt's own search (UTF-16 positions)."""
        self.body.moveCursor(QTextCursor.MoveOperation.Start)
        return self.body.find(needle)

    def offset_at(self, utf16_position: int) -> int:
        """-1 (no character under the pointer) stays -1: it is inside no highlight."""
        return -1 if utf16_position < 0 else self._offsets.from_utf16(utf16_position)

    def annotations_at(self, offset: int) -> list[AnnotationRecord]:
        return [a for a in self.annotations if a.start <= offset < a.end]
