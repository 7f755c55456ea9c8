"""The search dock: full-text search over the project, hits with context, and auto-code.

Click a hit to open the article with the hit selected. Auto-code applies a code to the checked
hits after this preview, as one undoable step, in a worker with a progress dialog.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.records import CodeRecord
from desktop.models.hits import HitTableModel

HIT_LIMIT = 2000
"""Hits shown (and auto-coded) at most per search; the count says when there are more."""


class SearchPanel(QWidget):
    hit_activated = Signal(int, int, int)  # document id, start, end
    autocode_requested = Signal(int, list)  # code id, [(document id, start, end)]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run_search = lambda query: []  # set by the window: query -> list[Hit]
        self.query = QLineEdit(self, placeholderText='Search: words, "a phrase", prefix*')
        self.query.setClearButtonEnabled(True)
        self.query.returnPressed.connect(self.search)
        self.model = HitTableModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().resizeSection(0, 160)
        self.view.clicked.connect(self._activated)
        self.view.activated.connect(self._activated)
        self.count = QLabel(self)
        self.code = QComboBox(self, toolTip="Code to apply to the checked hits")
        self.apply = QPushButton("Auto-code checked", self)
        self.apply.clicked.connect(self._autocode)
        check_all = QPushButton("All", self, toolTip="Check every hit")
        check_all.clicked.connect(lambda: self.model.set_all_checked(True))
        check_none = QPushButton("None", self, toolTip="Uncheck every hit")
        check_none.clicked.connect(lambda: self.model.set_all_checked(False))
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(check_all)
        row.addWidget(check_none)
        row.addWidget(self.code)
        row.addWidget(self.apply)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.query)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self._show_count()

    def set_codes(self, codes: list[CodeRecord]) -> None:
        keep = self.code.currentData()
        self.code.clear()
        for code in codes:
            self.code.addItem(code.path, code.id)
        self.code.setCurrentIndex(max(0, self.code.findData(keep)))

    def search(self, query: str | None = None) -> int:
        if query is not None:
            self.query.setText(query)
        text = self.query.text().strip()
        hits = self.run_search(text) if text else []
        self.model.set_hits(hits)
        self._show_count()
        return len(hits)

    def _show_count(self) -> None:
        n = self.model.rowCount()
        documents = len({self.model.hit_at(i).document_id for i in range(n)})
        more = "+ (the first shown; refine the search)" if n >= HIT_LIMIT else ""
        self.count.setText(f"{n}{more} hits in {documents} articles" if n else "No hits")
        self.apply.setEnabled(n > 0)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            hit = self.model.hit_at(index.row())
            self.hit_activated.emit(hit.document_id, hit.start, hit.end)

    def _autocode(self) -> None:
        code_id = self.code.currentData()
        hits = self.model.checked_hits()
        if code_id is not None and hits:
            self.autocode_requested.emit(code_id, [(h.document_id, h.start, h.end) for h in hits])
