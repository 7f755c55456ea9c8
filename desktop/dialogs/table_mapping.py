"""Map a table's columns to article fields before importing it (one article per row)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.readers.tables import FIELDS, PREVIEW_ROWS, Table, TableMapping

LABELS = {
    "text": "Article &text (required)",
    "title": "T&itle",
    "published": "&Date",
    "outlet": "&Outlet",
    "author": "&Author",
    "url": "&URL",
}
NONE = "— not in this table —"


class _Preview(QAbstractTableModel):
    """The first rows as the file holds them, so the user sees what each column contains."""

    def __init__(self, table: Table, parent=None) -> None:
        super().__init__(parent)
        self.table = table
        self.rows = table.rows[:PREVIEW_ROWS]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.table.columns[section]
        return None

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        value = row[index.column()] if index.column() < len(row) else None
        text = "" if value is None else str(value)
        return text if role == Qt.ItemDataRole.ToolTipRole else text[:120]


class TableMappingDialog(QDialog):
    def __init__(
        self, name: str, table: Table, guess: TableMapping, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import {name}")
        self.resize(820, 520)
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        for field in FIELDS:
            combo = QComboBox(self)
            combo.addItem(NONE, None)
            for column in table.columns:
                combo.addItem(column, column)
            chosen = getattr(guess, field)
            combo.setCurrentIndex(combo.findData(chosen) if chosen else 0)
            self.combos[field] = combo
            form.addRow(LABELS[field], combo)
        preview = QTableView(self)
        preview.setModel(_Preview(table, preview))
        preview.verticalHeader().hide()
        preview.setWordWrap(False)  # one line per row; the tooltip holds the whole cell
        preview.resizeColumnsToContents()
        for column in range(len(table.columns)):  # each column legible, none taking all
            preview.setColumnWidth(column, min(max(preview.columnWidth(column), 90), 280))
        self.error = QLabel(objectName="formError")
        note = QLabel(
            f"{len(table.rows):,} rows: one article each. Other columns are kept with each "
            "article as metadata.",
            wordWrap=True,
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(preview, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def mapping(self) -> TableMapping:
        return TableMapping(**{f: combo.currentData() for f, combo in self.combos.items()})

    def accept(self) -> None:
        mapping = self.mapping()
        if mapping.text is None:
            self.error.setText("Choose the column that holds the article text.")
            return
        chosen = [c for c in (getattr(mapping, f) for f in FIELDS) if c]
        if len(chosen) != len(set(chosen)):
            self.error.setText("Each column can fill one field only.")
            return
        super().accept()
