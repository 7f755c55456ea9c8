"""The document list: a table model over plain rows, and a proxy that sorts and filters them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import (
    QSortFilterProxyModel,
    Qt,
)

from db.records import DocumentRow
from desktop.models.base import Index, RecordTableModel

ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_MARKS = {"not started": "", "in progress": "◐", "done": "✓"}


class DocumentTableModel(RecordTableModel[DocumentRow]):
    HEADERS = ("Title", "Outlet", "Published", "#", "Status", "Memo")

    document_at = RecordTableModel.record_at

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._row_of: dict[int, int] = {}
        self._order: tuple[int, Qt.SortOrder] | None = None
        self._total = 0

    def set_rows(self, rows: list[DocumentRow]) -> None:
        if self._order is not None:
            rows = _sorted(rows, *self._order)
        self._row_of = {r.id: i for i, r in enumerate(rows)}
        self._total = sum(r.n_annotations for r in rows)
        self.set_records(rows)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows here, in one Python sort: a proxy sorting 10,000 rows asks ``data``
        for a key some 300,000 times. Rows changed later stay put until the next sort."""
        self._order = (column, order)
        if not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._rows[i.row()].id for i in before]
        self._rows = _sorted(self._rows, column, order)
        self._row_of = {r.id: i for i, r in enumerate(self._rows)}
        after = [self.index(self._row_of[d], i.column()) for d, i in zip(ids, before, strict=True)]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def update_rows(self, rows: list[DocumentRow]) -> None:
        """Replace these rows in place (selection and scroll stay); unknown ids are ignored.

        Only the cells that changed are announced: a sorted proxy re-sorts on any change in
        its sort column, and a whole-row signal made it re-read every row of a large project.
        """
        for new in rows:
            i = self._row_of.get(new.id)
            if i is None or self._rows[i] == new:
                continue
            old, self._rows[i] = self._rows[i], new
            self._total += new.n_annotations - old.n_annotations
            changed = [c for c in range(len(self.HEADERS)) if _display(old, c) != _display(new, c)]
            if changed:
                self.dataChanged.emit(self.index(i, changed[0]), self.index(i, changed[-1]))

    @property
    def total_annotations(self) -> int:
        """Everyone's annotations on the listed articles (kept as rows change)."""
        return self._total

    def row_of(self, document_id: int) -> int | None:
        return self._row_of.get(document_id)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return ("Title", "Outlet", "Published", "#", "", "✎")[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADERS[section] if section != 3 else "Annotations (everyone's)"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return row.title
            if column == 4:
                return f"My status: {row.status}"
            if column == 3:
                return f"{row.n_annotations} annotations, {row.n_mine} mine"
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 3:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


def _display(row: DocumentRow, column: int):
    if column == 0:
        return row.title
    if column == 1:
        return row.outlet or ""
    if column == 2:
        return row.published.isoformat() if row.published else ""
    if column == 3:
        return row.n_annotations
    if column == 4:
        return STATUS_MARKS.get(row.status, "")
    return "✎" if row.has_memo else ""


def _sorted(rows: list[DocumentRow], column: int, order: Qt.SortOrder) -> list[DocumentRow]:
    descending = order == Qt.SortOrder.DescendingOrder
    return sorted(rows, key=lambda r: _sort_key(r, column), reverse=descending)


def _sort_key(row: DocumentRow, column: int):
    if column in (0, 1):
        return _display(row, column).casefold()
    if column == 4:
        return row.status
    if column == 5:
        return row.has_memo
    return _display(row, column)


@dataclass
class DocumentFilter:
    """What the user narrowed the list to; None means "any"."""

    text: str = ""
    outlet: str | None = None
    since: date | None = None
    until: date | None = None
    with_code: set[int] | None = None  # ids of documents that carry the chosen code
    coded_by_me: bool | None = None
    status: str | None = None

    def accepts(self, row: DocumentRow) -> bool:
        if self.text:
            needle = self.text.casefold()
            if needle not in row.title.casefold() and needle not in (row.outlet or "").casefold():
                return False
        if self.outlet is not None and row.outlet != self.outlet:
            return False
        if self.since and (row.published is None or row.published < self.since):
            return False
        if self.until and (row.published is None or row.published > self.until):
            return False
        if self.with_code is not None and row.id not in self.with_code:
            return False
        if self.coded_by_me is not None and (row.n_mine > 0) != self.coded_by_me:
            return False
        return self.status is None or row.status == self.status


class DocumentFilterProxy(QSortFilterProxyModel):
    """Filters with a DocumentFilter; sorting is passed on to the source model, which sorts
    its rows in one go (the proxy itself keeps the source order)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.criteria = DocumentFilter()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)

    def set_criteria(self, criteria: DocumentFilter) -> None:
        self.beginFilterChange()
        self.criteria = criteria
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return self.criteria.accepts(self.sourceModel().document_at(source_row))
