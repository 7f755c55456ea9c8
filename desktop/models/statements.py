"""Coded positions as a table: article, actor, stance, issue, source, coder, quote."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from db.records import StatementRecord

Index = QModelIndex | QPersistentModelIndex
STANCE_COLORS = {-1: "#f4c7c3", 0: "#e8e6e1", 1: "#c8e6c9"}


class StatementTableModel(QAbstractTableModel):
    HEADERS = ("Article", "Published", "Actor", "Stance", "Issue", "Source", "Coder", "Quote")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[StatementRecord] = []

    def set_statements(self, rows: list[StatementRecord]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def statement_at(self, row: int) -> StatementRecord:
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
        s = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (
                s.title,
                s.published.isoformat() if s.published else "",
                s.actor,
                s.stance_label,
                s.issue,
                s.source,
                s.coder,
                s.quote,
            )[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 3:
            return QColor(STANCE_COLORS.get(max(-1, min(1, s.stance)), "#e8e6e1"))
        return None
