"""A table model over a list of plain records: the part every record table shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """Subclasses set HEADERS and implement ``data``; rows are replaced whole."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def set_records(self, rows: list[R]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def records(self) -> list[R]:
        return list(self._rows)

    def record_at(self, row: int) -> R:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class PagedRecordTableModel(RecordTableModel[R]):
    """Rows arrive a page at a time as the view scrolls (Qt's canFetchMore/fetchMore), so a
    list of 100,000 rows costs one page of records until someone scrolls through it."""

    PAGE = 500

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._total = 0
        self._fetch: Callable[[int, int], list[R]] | None = None

    @property
    def total(self) -> int:
        """Rows in the whole list, fetched or not."""
        return self._total

    def set_source(self, total: int, fetch: Callable[[int, int], list[R]]) -> None:
        """Show a list of ``total`` rows; ``fetch(offset, limit)`` reads one page of it."""
        self.beginResetModel()
        self._total, self._fetch = total, fetch
        self._rows = fetch(0, min(self.PAGE, total)) if total else []
        self.endResetModel()

    def set_records(self, rows: list[R]) -> None:
        self._total, self._fetch = len(rows), None
        super().set_records(rows)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._fetch is not None and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        assert self._fetch is not None
        rows = self._fetch(len(self._rows), self.PAGE)
        if not rows:  # the list shrank since it was counted
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
