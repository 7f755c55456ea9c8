"""Search hits as a checkable table: the checked ones are what auto-code will tag."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from db.queries.search import Hit

Index = QModelIndex | QPersistentModelIndex


class HitTableModel(QAbstractTableModel):
    HEADERS = ("Article", "Context")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []
        self._checked: list[bool] = []

    def set_hits(self, hits: list[Hit]) -> None:
        self.beginResetModel()
        self._hits, self._checked = hits, [True] * len(hits)
        self.endResetModel()

    def hit_at(self, row: int) -> Hit:
        return self._hits[row]

    def checked_hits(self) -> list[Hit]:
        return [h for h, c in zip(self._hits, self._checked, strict=True) if c]

    def set_all_checked(self, checked: bool) -> None:
        self._checked = [checked] * len(self._hits)
        if self._hits:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._hits) - 1, 0))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        hit = self._hits[index.row()]
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
