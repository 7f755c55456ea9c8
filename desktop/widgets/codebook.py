"""The codebook dock: the code list and buttons to create, rename, recolour and delete codes."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QListView, QPushButton, QVBoxLayout, QWidget

from db.records import CodeRecord
from desktop.models.codes import CodeListModel


class CodebookPanel(QWidget):
    code_clicked = Signal(int)  # code id
    new_requested = Signal()
    rename_requested = Signal(int)
    recolor_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, model: CodeListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.view = QListView(self)
        self.view.setModel(model)
        self.view.setUniformItemSizes(True)
        self.view.setObjectName("codebookList")
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for label, tip, slot in (
            ("New", "Create a code (Ctrl+Shift+N)", self.new_requested.emit),
            ("Rename", "Rename the chosen code", lambda: self._with_current(self.rename_requested)),
            (
                "Colour",
                "Recolour the chosen code",
                lambda: self._with_current(self.recolor_requested),
            ),
            ("Delete", "Delete the chosen code", lambda: self._with_current(self.delete_requested)),
        ):
            button = QPushButton(label, self, toolTip=tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        hint = "Select text, then click a code or press its number key."
        self.view.setToolTip(hint)

    def current_code(self) -> CodeRecord | None:
        index = self.view.currentIndex()
        return self.model.code_at(index.row()) if index.isValid() else None

    def select_code(self, code_id: int) -> None:
        for row, code in enumerate(self.model.codes):
            if code.id == code_id:
                self.view.setCurrentIndex(self.model.index(row))
                return

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.code_clicked.emit(self.model.code_at(index.row()).id)

    def _with_current(self, signal) -> None:
        code = self.current_code()
        if code is not None:
            signal.emit(code.id)
