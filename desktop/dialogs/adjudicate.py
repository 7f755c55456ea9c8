"""Edit the gold coding of a passage yourself: choose the exact words and the codes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from db.logic.offsets import OffsetMap, trim_span
from db.records import CodeRecord

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class AdjudicateDialog(QDialog):
    """Shows the passage with the span preselected; the codes the coders used are ticked."""

    def __init__(
        self,
        text: str,
        span: tuple[int, int],
        codes: list[CodeRecord],
        ticked: set[int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Gold coding of this passage")
        self.setMinimumSize(520, 420)
        self.start, self.end = span
        self.snippet = text[self.start : self.end]
        self._offsets = OffsetMap(self.snippet)
        self.passage = QPlainTextEdit(self.snippet, self)
        self.passage.setReadOnly(True)
        self.passage.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        cursor = self.passage.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        self.passage.setTextCursor(cursor)
        self.codes = QListWidget(self)
        for code in codes:
            item = QListWidgetItem(code.path, self.codes)
            item.setData(ID_ROLE, code.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if code.id in ticked else Qt.CheckState.Unchecked
            )
            swatch = QPixmap(12, 12)
            swatch.fill(QColor(code.color))
            item.setIcon(QIcon(swatch))
        self.error = QLabel(objectName="formError")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Select the words gold should highlight (all, if none):"))
        layout.addWidget(self.passage, 1)
        layout.addWidget(QLabel("Codes:"))
        layout.addWidget(self.codes, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def span(self) -> tuple[int, int]:
        """The chosen words as offsets into the article, trimmed of surrounding spaces."""
        cursor = self.passage.textCursor()
        if not cursor.hasSelection():
            start, end = 0, len(self.snippet)
        else:
            start = self._offsets.from_utf16(cursor.selectionStart())
            end = self._offsets.from_utf16(cursor.selectionEnd())
        start, end = trim_span(self.snippet, start, end)
        return self.start + start, self.start + end

    def code_ids(self) -> set[int]:
        items = [self.codes.item(r) for r in range(self.codes.count())]
        return {i.data(ID_ROLE) for i in items if i.checkState() == Qt.CheckState.Checked}

    def select_words(self, start: int, end: int) -> None:
        """Select article offsets [start, end) inside the passage (tests and keyboard users)."""
        cursor = self.passage.textCursor()
        cursor.setPosition(self._offsets.to_utf16(start - self.start))
        cursor.setPosition(
            self._offsets.to_utf16(end - self.start), QTextCursor.MoveMode.KeepAnchor
        )
        self.passage.setTextCursor(cursor)

    def accept(self) -> None:
        start, end = self.span()
        if start >= end:
            self.error.setText("Select some words.")
            return
        if not self.code_ids():
            self.error.setText("Tick at least one code (or Cancel to leave the passage open).")
            return
        super().accept()
