"""The Positions dock: every coded statement in a filterable table; double-click jumps to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.logic.stance import StanceLevel
from db.queries.positions import StatementFilter
from db.records import ActorRecord, IssueRecord, StatementRecord
from desktop.models.statements import StatementTableModel


class PositionsPanel(QWidget):
    statement_activated = Signal(object)  # StatementRecord
    edit_requested = Signal(object)
    delete_requested = Signal(object)
    filters_changed = Signal()

    shown = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.stale = True  # the list waits to be read until it shows
        self.model = StatementTableModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(self._activated)
        self.actor, self.issue, self.stance = QComboBox(self), QComboBox(self), QComboBox(self)
        self.outlet, self.coder = QComboBox(self), QComboBox(self)
        self.since = QLineEdit(self, placeholderText="from YYYY-MM-DD")
        self.until = QLineEdit(self, placeholderText="to YYYY-MM-DD")
        self.this_article = QCheckBox("This article only", self)
        for combo in (self.actor, self.issue, self.stance, self.outlet, self.coder):
            combo.currentIndexChanged.connect(lambda _i: self.filters_changed.emit())
        for box in (self.since, self.until):
            box.editingFinished.connect(lambda: self.filters_changed.emit())
        self.this_article.toggled.connect(lambda _on: self.filters_changed.emit())
        edit = QPushButton("Edit…", self)
        edit.clicked.connect(lambda: self._with_current(self.edit_requested))
        delete = QPushButton("Delete", self)
        delete.clicked.connect(lambda: self._with_current(self.delete_requested))
        self.count = QLabel(self)
        grid = QGridLayout()
        widgets = (
            self.actor,
            self.stance,
            self.issue,
            self.outlet,
            self.coder,
            self.this_article,
            self.since,
            self.until,
        )
        for i, widget in enumerate(widgets):
            grid.addWidget(widget, i // 2, i % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(grid)
        layout.addWidget(self.view, 1)
        buttons = QGridLayout()
        buttons.addWidget(self.count, 0, 0)
        buttons.addWidget(edit, 0, 1)
        buttons.addWidget(delete, 0, 2)
        layout.addLayout(buttons)

    def set_choices(
        self,
        actors: list[ActorRecord],
        issues: list[IssueRecord],
        scale: tuple[StanceLevel, ...],
        outlets: list[str],
        coders: list[str],
    ) -> None:
        for combo, any_label, items in (
            (self.actor, "Any actor", [(a.name, a.id) for a in actors]),
            (self.issue, "Any issue", [(i.path, i.id) for i in issues]),
            (self.stance, "Any stance", [(lv.label, lv.value) for lv in scale]),
            (self.outlet, "Any outlet", [(o, o) for o in outlets]),
            (self.coder, "Any coder", [(c, c) for c in coders]),
        ):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(any_label, None)
            for label, data in items:
                combo.addItem(label, data)
            combo.setCurrentIndex(max(0, combo.findData(keep)) if keep is not None else 0)
            combo.blockSignals(False)

    def criteria(self, document_id: int | None) -> StatementFilter:
        def one(combo: QComboBox):
            data = combo.currentData()
            return None if data is None else frozenset({data})

        return StatementFilter(
            actor_ids=one(self.actor),
            issue_ids=one(self.issue),
            stances=one(self.stance),
            outlets=one(self.outlet),
            coders=one(self.coder),
            since=_date(self.since.text()),
            until=_date(self.until.text()),
            document_id=document_id if self.this_article.isChecked() else None,
        )

    def show_statements(
        self, total: int, fetch: Callable[[int, int], list[StatementRecord]]
    ) -> None:
        """Show ``total`` statements; ``fetch(offset, limit)`` reads a page as the view scrolls."""
        self.model.set_source(total, fetch)
        self.count.setText(f"{total:,} statement(s)")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.shown.emit()

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.statement_activated.emit(self.model.statement_at(index.row()))

    def _with_current(self, signal) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            signal.emit(self.model.statement_at(index.row()))


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
