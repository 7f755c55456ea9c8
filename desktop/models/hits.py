"""Search hits as a checkable table: the checked ones are what auto-code will tag."""

from __future__ import annotations

from PySide6.QtCore import Qt

from db.queries.search import Hit
from desktop.models.base import Index, RecordTableModel


class HitTableModel(RecordTableModel[Hit]):
    HEADERS = ("Article", "Context")
    hit_at = RecordTableModel.record_at

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._checked: list[bool] = []

    def set_hits(self, hits: list[Hit]) -> None:
        self._checked = [True] * len(hits)
        self.set_records(hits)

    def checked_hits(self) -> list[Hit]:
        return [h for h, c in zip(self._rows, self._checked, strict=True) if c]

    def set_all_checked(self, checked: bool) -> None:
        self._checked = [checked] * len(self._rows)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        hit = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title if index.column() == 0 else hit.snippet
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.snippet
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            return Qt.CheckState.Checked if self._checked[index.row()] else Qt.CheckState.Unchecked
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != 0:
            return False
        self._checked[index.row()] = Qt.CheckState(value) == Qt.CheckState.Checked
        self.dataChanged.emit(index, index, [role])
        return True
