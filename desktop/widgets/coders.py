"""The coders tab: who codes in this project, how much, and whose highlights the reader shows."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHBoxLayout, QListView, QPushButton, QVBoxLayout, QWidget

from db.records import CoderRecord

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class CodersPanel(QWidget):
    shown_changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = QStandardItemModel(self)
        self.model.itemChanged.connect(lambda _item: self.shown_changed.emit())
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.me: int | None = None
        everyone = QPushButton("Everyone", self)
        everyone.clicked.connect(lambda: self.show_only(None))
        mine = QPushButton("Only mine", self)
        mine.clicked.connect(lambda: self.show_only({self.me} if self.me else None))
        row = QHBoxLayout()
        row.addWidget(everyone)
        row.addWidget(mine)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)

    def set_coders(self, coders: list[CoderRecord], me: int) -> None:
        hidden = self.hidden_ids()
        self.me = me
        self.model.blockSignals(True)
        self.model.clear()
        for coder in coders:
            you = " (you)" if coder.id == me else ""
            item = QStandardItem(
                f"{coder.name}{you} — {coder.n_annotations} highlight(s), {coder.role}"
            )
            item.setData(coder.id, ID_ROLE)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(
                Qt.CheckState.Unchecked if coder.id in hidden else Qt.CheckState.Checked
            )
            self.model.appendRow(item)
        self.model.blockSignals(False)

    def hidden_ids(self) -> set[int]:
        return {
            self.model.item(r).data(ID_ROLE)
            for r in range(self.model.rowCount())
            if self.model.item(r).checkState() != Qt.CheckState.Checked
        }

    def show_only(self, coder_ids: set[int] | None) -> None:
        """None shows everyone's highlights."""
        self.model.blockSignals(True)
        for r in range(self.model.rowCount()):
            item = self.model.item(r)
            visible = coder_ids is None or item.data(ID_ROLE) in coder_ids
            item.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
        self.model.blockSignals(False)
        self.shown_changed.emit()
