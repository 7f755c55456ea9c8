"""Find in the open article (Ctrl+F), with next and previous (Enter / Shift+Enter, F3)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextEdit, QWidget


class FindBar(QWidget):
    def __init__(self, editor: QTextEdit, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.field = QLineEdit(self, placeholderText="Find in article…")
        self.field.setClearButtonEnabled(True)
        self.field.returnPressed.connect(self.find_next)
        self.field.textChanged.connect(lambda _t: self.find_next(from_start=True))
        self.status = QLabel(self)
        previous = QPushButton("◀", self, toolTip="Previous (Shift+Enter)")
        previous.clicked.connect(self.find_previous)
        following = QPushButton("▶", self, toolTip="Next (Enter)")
        following.clicked.connect(self.find_next)
        close = QPushButton("✕", self, toolTip="Close (Esc)")
        close.clicked.connect(self.hide)
        QShortcut(QKeySequence("Shift+Return"), self.field, self.find_previous)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        for widget in (self.field, previous, following, self.status, close):
            layout.addWidget(widget)
        self.hide()

    def open(self) -> None:
        self.show()
        self.field.setFocus()
        self.field.selectAll()

    def find_next(self, from_start: bool = False) -> bool:
        return self._find(QTextDocument.FindFlag(0), from_start)

    def find_previous(self) -> bool:
        return self._find(QTextDocument.FindFlag.FindBackward, False)

    def _find(self, flags: QTextDocument.FindFlag, from_start: bool) -> bool:
        needle = self.field.text()
        if not needle:
            self.status.setText("")
            return False
        if from_start:
            self.editor.moveCursor(QTextCursor.MoveOperation.Start)
        found = self.editor.find(needle, flags)
        if not found:  # wrap around once
            backward = bool(flags & QTextDocument.FindFlag.FindBackward)
            self.editor.moveCursor(
                QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
            )
            found = self.editor.find(needle, flags)
        self.status.setText("" if found else "Not found")
        return found
