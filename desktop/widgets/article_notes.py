"""The article dock: my status on the open article and the article's memo."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.ops.documents import STATUSES
from desktop.widgets.draft import DraftEdit


class ArticleNotes(QWidget):
    status_chosen = Signal(str)
    memo_saved = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.status = QComboBox(self)
        self.status.addItems(list(STATUSES))
        self.status.activated.connect(lambda _i: self.status_chosen.emit(self.status.currentText()))
        self.memo = DraftEdit(self, "Memo on this article…")
        self.save = QPushButton("Save memo", self)
        self.save.clicked.connect(self._save)
        row = QHBoxLayout()
        row.addWidget(QLabel("My status:"))
        row.addWidget(self.status, 1)
        row.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.memo, 1)
        self.show_article(None, "", "not started")

    def _save(self) -> None:
        self.memo_saved.emit(self.memo.toPlainText())

    def show_article(self, document_id: int | None, memo: str, status: str) -> None:
        enabled = document_id is not None
        for widget in (self.status, self.memo, self.save):
            widget.setEnabled(enabled)
        self.memo.show_text(document_id, memo)
        self.status.setCurrentText(status)
