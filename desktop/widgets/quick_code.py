"""Quick code (Ctrl+K): type a few letters of a code, Enter applies the best match."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QListView, QVBoxLayout, QWidget

from db.records import CodeRecord


class QuickCodeDialog(QDialog):
    code_chosen = Signal(int)

    def __init__(self, codes: list[CodeRecord], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quick code")
        self.codes = codes
        self.field = QLineEdit(self, placeholderText="Type part of a code's name…")
        self.names = QStringListModel([c.path for c in codes], self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.names)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list = QListView(self)
        self.list.setModel(self.proxy)
        self.field.textChanged.connect(self._filter)
        self.field.returnPressed.connect(self.choose)
        self.list.activated.connect(lambda _i: self.choose())
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        self._filter("")

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.list.keyPressEvent(event)  # arrows move in the list while typing
            return
        super().keyPressEvent(event)

    def choose(self) -> None:
        index = self.list.currentIndex()
        if not index.isValid():
            return
        path = self.proxy.data(index)
        code = next(c for c in self.codes if c.path == path)
        self.code_chosen.emit(code.id)
        self.accept()
