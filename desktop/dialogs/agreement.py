"""The agreement report window: choose coders (and codes), compute, read, save as CSV or HTML."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.queries.agreement import AgreementRow
from db.records import CodeRecord, CoderRecord
from desktop.models.agreement import AgreementTableModel

GUIDE = (
    "α ≥ 0.800: reliable · 0.667–0.800: tentative conclusions only (Krippendorff 2004). "
    "No codes ticked means every code."
)


class AgreementDialog(QDialog):
    compute_requested = Signal(list, object)  # coder names, code paths or None
    save_requested = Signal()

    def __init__(
        self,
        coders: list[CoderRecord],
        codes: list[CodeRecord],
        ticked: list[int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Inter-coder agreement")
        self.resize(960, 620)
        self.coders = _checklist(self, [(c.name, c.id in ticked) for c in coders])
        self.codes = _checklist(self, [(c.path, False) for c in codes if not c.archived])
        self.compute = QPushButton("Compute", self, default=True)
        self.compute.clicked.connect(self._compute)
        self.save = QPushButton("Save report…", self, enabled=False)
        self.save.clicked.connect(self.save_requested.emit)
        self.message = QLabel(GUIDE, wordWrap=True, objectName="agreementMessage")
        self.rows = AgreementTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.rows)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((170, 200, 70, 70)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        pickers = QHBoxLayout()
        for title, widget in (("Coders (two or more)", self.coders), ("Codes", self.codes)):
            column = QVBoxLayout()
            column.addWidget(QLabel(title))
            column.addWidget(widget)
            pickers.addLayout(column)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compute)
        buttons.addWidget(self.save)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

    def chosen_coders(self) -> list[str]:
        return _ticked(self.coders)

    def chosen_codes(self) -> list[str] | None:
        return _ticked(self.codes) or None

    def _compute(self) -> None:
        coders = self.chosen_coders()
        if len(coders) < 2:
            self.message.setText("Tick at least two coders.")
            return
        self.compute_requested.emit(coders, self.chosen_codes())

    def show_rows(self, rows: list[AgreementRow]) -> None:
        self.rows.set_records(rows)
        self.save.setEnabled(bool(rows))
        self.message.setText(
            GUIDE if rows else "Nothing to compare: these coders share no coded articles."
        )


def _checklist(parent: QWidget, items: list[tuple[str, bool]]) -> QListWidget:
    widget = QListWidget(parent)
    widget.setMaximumHeight(130)
    for text, checked in items:
        item = QListWidgetItem(text, widget)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    return widget


def _ticked(widget: QListWidget) -> list[str]:
    items = [widget.item(r) for r in range(widget.count())]
    return [i.text() for i in items if i.checkState() == Qt.CheckState.Checked]
