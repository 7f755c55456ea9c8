"""Coded positions as a table: article, actor, stance, issue, source, coder, quote."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from db.records import StatementRecord
from desktop.models.base import Index, PagedRecordTableModel, RecordTableModel

STANCE_COLORS = {-1: "#f4c7c3", 0: "#e8e6e1", 1: "#c8e6c9"}


class StatementTableModel(PagedRecordTableModel[StatementRecord]):
    HEADERS = ("Article", "Published", "Actor", "Stance", "Issue", "Source", "Coder", "Quote")
    statement_at = RecordTableModel.record_at

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
