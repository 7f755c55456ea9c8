"""The document list: a table model over plain rows, sorted and filtered by a proxy."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from db.records import DocumentRow

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


class DocumentTableModel(QAbstractTableModel):
    HEADERS = ("Title", "Outlet", "Published", "#")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[DocumentRow] = []
        self._row_of: dict[int, int] = {}

    def set_rows(self, rows: list[DocumentRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._row_of = {r.id: i for i, r in enumerate(rows)}
        self.endResetModel()

    def update_rows(self, rows: list[DocumentRow]) -> None:
        """Replace these rows in place (selection and scroll stay); unknown ids are ignored."""
        for new in rows:
            i = self._row_of.get(new.id)
            if i is not None and self._rows[i] != new:
                self._rows[i] = new
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.HEADERS) - 1))

    @property
    def total_annotations(self) -> int:
        return sum(r.n_annotations for r in self._rows)

    def row_of(self, document_id: int) -> int | None:
        return self._row_of.get(document_id)

    def document_at(self, row: int) -> DocumentRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.title,
                row.outlet or "",
                row.published.isoformat() if row.published else "",
                row.n_annotations,
            )[column]
        if role == SORT_ROLE:
            return (
                row.title.casefold(),
                (row.outlet or "").casefold(),
                row.published.isoformat() if row.published else "",
                row.n_annotations,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.title if column == 0 else "Annotations" if column == 3 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class DocumentFilterProxy(QSortFilterProxyModel):
    """Case-insensitive filter over title and outlet; sorts by the model's sort keys."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
