"""The articles dock: the document table with a text filter and filter fields.

Filters: text (title or outlet), outlet, published from/to, has code X, coded by me or not yet,
and my status. "Has code" asks the core for the documents carrying the code; the rest filters
the rows already in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QModelIndex, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.ops.documents import STATUSES
from db.records import CodeRecord
from desktop.models.documents import (
    ID_ROLE,
    DocumentFilter,
    DocumentFilterProxy,
    DocumentTableModel,
)

ANY = "Any"
_DATE = QRegularExpression(r"^$|^\d{0,4}(-\d{0,2}(-\d{0,2})?)?$")


class ArticlesPanel(QWidget):
    document_chosen = Signal(int)
    edit_requested = Signal()
    filters_changed = Signal()

    def __init__(self, model: DocumentTableModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = DocumentFilterProxy(self)
        self.proxy.setSourceModel(model)
        self.documents_with_code: Callable[[int], set[int]] = lambda _code_id: set()
        self.current_id: int | None = None  # the open article; list changes never switch it
        self._quiet = False
        model.modelAboutToBeReset.connect(lambda: setattr(self, "_quiet", True))
        model.modelReset.connect(self._keep_current)

        self.text = QLineEdit(self, placeholderText="Filter by title or outlet…")
        self.text.setClearButtonEnabled(True)
        self.outlet = QComboBox(self, toolTip="Outlet")
        self.status = QComboBox(self, toolTip="My status")
        self.status.addItems(["Any status", *STATUSES])
        self.mine = QComboBox(self, toolTip="Coded by me")
        self.mine.addItems(["Coded by anyone", "Coded by me", "Not yet coded by me"])
        self.code = QComboBox(self, toolTip="Has this code")
        self.since = QLineEdit(self, placeholderText="from YYYY-MM-DD")
        self.until = QLineEdit(self, placeholderText="to YYYY-MM-DD")
        for box in (self.since, self.until):
            box.setValidator(QRegularExpressionValidator(_DATE))
            box.textChanged.connect(self.apply_filters)
        self.text.textChanged.connect(self.apply_filters)
        for combo in (self.outlet, self.status, self.mine, self.code):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.set_outlets([])
        self.set_codes([])

        self.view = QTableView(self)
        view = self.view
        view.setModel(self.proxy)
        view.setSortingEnabled(True)
        view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        header = view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 120)
        # Fixed widths from the font: ResizeToContents re-reads every row on each change.
        metrics = view.fontMetrics()
        for column, sample in ((2, "0000-00-00"), (3, "00000"), (4, "◐"), (5, "✎")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 18)
        view.selectionModel().currentRowChanged.connect(self._current_changed)
        view.doubleClicked.connect(lambda _index: self.edit_requested.emit())

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.text, 0, 0, 1, 3)
        grid.addWidget(self.outlet, 1, 0)
        grid.addWidget(self.status, 1, 1)
        grid.addWidget(self.mine, 1, 2)
        grid.addWidget(self.code, 2, 0)
        grid.addWidget(self.since, 2, 1)
        grid.addWidget(self.until, 2, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(grid)
        layout.addWidget(view, 1)

    # Choices -----------------------------------------------------------------------------
    def set_outlets(self, outlets: list[str]) -> None:
        if not _refill(self.outlet, [(ANY, None), *[(o, o) for o in outlets]], "All outlets"):
            self.apply_filters()

    def set_codes(self, codes: list[CodeRecord]) -> None:
        if not _refill(self.code, [(ANY, None), *[(c.path, c.id) for c in codes]], "Any code"):
            self.apply_filters()

    def criteria(self) -> DocumentFilter:
        code_id = self.code.currentData()
        mine = {1: True, 2: False}.get(self.mine.currentIndex())
        status = self.status.currentText() if self.status.currentIndex() > 0 else None
        return DocumentFilter(
            text=self.text.text().strip(),
            outlet=self.outlet.currentData(),
            since=_date(self.since.text()),
            until=_date(self.until.text()),
            with_code=self.documents_with_code(code_id) if code_id is not None else None,
            coded_by_me=mine,
            status=status,
        )

    def filters_by_code(self) -> bool:
        return self.code.currentData() is not None

    def apply_filters(self) -> None:
        self._quiet = True
        self.proxy.set_criteria(self.criteria())
        self._keep_current()
        self.filters_changed.emit()

    def _keep_current(self) -> None:
        """After a reset or a filter, select the open article again (if shown), quietly."""
        self._quiet = True
        try:
            row = self.model.row_of(self.current_id) if self.current_id is not None else None
            index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else None
            if index is not None and index.isValid():
                self.view.setCurrentIndex(index)
            else:
                self.view.selectionModel().clearCurrentIndex()
        finally:
            self._quiet = False

    # Navigation --------------------------------------------------------------------------
    def _current_changed(self, index: QModelIndex, _previous: QModelIndex) -> None:
        if index.isValid() and not self._quiet:
            self.current_id = index.data(ID_ROLE)
            self.document_chosen.emit(self.current_id)

    def select_document(self, document_id: int) -> bool:
        row = self.model.row_of(document_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        return True

    def step(self, delta: int) -> None:
        """Open the next (+1) or previous (-1) article in the list's current order."""
        current = self.view.currentIndex()
        row = (current.row() + delta) if current.isValid() else 0
        if 0 <= row < self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(row, 0))

    def select_first(self) -> None:
        if self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, 0))


def _refill(combo: QComboBox, items: list[tuple[str, object]], any_label: str) -> bool:
    """Replace a combo's items, keeping the current choice; False when that choice is gone."""
    keep = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for label, data in items:
        combo.addItem(any_label if data is None else label, data)
    found = combo.findData(keep) if keep is not None else 0
    combo.setCurrentIndex(max(0, found))
    combo.blockSignals(False)
    return found >= 0


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
