"""The highlight panel: the codes, memo and delete button of the highlight the user clicked."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.logic.metadata import shorten
from db.records import AnnotationRecord, CodeRecord
from desktop.widgets.draft import DraftEdit


class AnnotationPanel(QWidget):
    code_toggled = Signal(int, int, bool)  # annotation id, code id, now checked
    memo_saved = Signal(int, str)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = QComboBox(self)
        self.choice.currentIndexChanged.connect(self._show_current)
        self.quote = QLabel(wordWrap=True, objectName="panelQuote")
        self.info = QLabel(objectName="panelInfo")
        self.codes = QListWidget(self)
        self.codes.itemChanged.connect(self._item_changed)
        self.memo = DraftEdit(self, "Memo on this highlight…")
        self.memo.setMaximumHeight(110)
        self.save_memo = QPushButton("Save memo", self)
        self.save_memo.clicked.connect(self._save_memo)
        self.delete = QPushButton("Delete highlight", self)
        self.delete.clicked.connect(self._delete)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_memo)
        buttons.addStretch(1)
        buttons.addWidget(self.delete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for widget in (self.choice, self.quote, self.info, self.codes, self.memo):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self._annotations: list[AnnotationRecord] = []
        self._code_list: list[CodeRecord] = []
        self._filling = False
        self.show_annotations([], [])

    @property
    def current(self) -> AnnotationRecord | None:
        row = self.choice.currentIndex()
        return self._annotations[row] if 0 <= row < len(self._annotations) else None

    @property
    def shown_ids(self) -> set[int]:
        return {a.id for a in self._annotations}

    def show_annotations(
        self, annotations: list[AnnotationRecord], codes: list[CodeRecord], keep: int | None = None
    ) -> None:
        """Show the highlights under the click (several when they overlap)."""
        self._annotations, self._code_list = annotations, codes
        self._filling = True
        self.choice.clear()
        for a in annotations:
            self.choice.addItem(f"{shorten(a.quote, 40)} — {a.coder_name}")
        self._filling = False
        ids = [a.id for a in annotations]
        self.choice.setCurrentIndex(ids.index(keep) if keep in ids else 0 if ids else -1)
        self.choice.setVisible(len(annotations) > 1)
        self._show_current()

    def _show_current(self) -> None:
        if self._filling:
            return
        annotation = self.current
        enabled = annotation is not None
        for widget in (self.codes, self.memo, self.save_memo, self.delete):
            widget.setEnabled(enabled)
        self._filling = True
        self.codes.clear()
        if annotation is None:
            self.quote.setText("Click a highlight in the text to see and edit its codes.")
            self.info.setText("")
            self.memo.show_text(None, "")
        else:
            self.quote.setText(f"“{shorten(annotation.quote, 300)}”")
            when = annotation.created_at.strftime("%Y-%m-%d %H:%M")
            self.info.setText(f"{annotation.coder_name} · {when} UTC")
            for code in self._code_list:
                item = QListWidgetItem(code.path, self.codes)
                item.setData(Qt.ItemDataRole.UserRole, code.id)
                item.setData(Qt.ItemDataRole.DecorationRole, QColor(code.color))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = code.id in annotation.code_ids
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.memo.show_text(annotation.id, annotation.memo)
        self._filling = False

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._filling or self.current is None:
            return
        checked = item.checkState() == Qt.CheckState.Checked
        self.code_toggled.emit(self.current.id, item.data(Qt.ItemDataRole.UserRole), checked)

    def _save_memo(self) -> None:
        if self.current is not None:
            self.memo_saved.emit(self.current.id, self.memo.toPlainText())

    def _delete(self) -> None:
        if self.current is not None:
            self.delete_requested.emit(self.current.id)
