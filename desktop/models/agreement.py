"""Agreement report rows as a table: coefficient, code, value, units, what was compared."""

from __future__ import annotations

from PySide6.QtCore import Qt

from db.queries.agreement import AgreementRow
from desktop.models.base import Index, RecordTableModel


class AgreementTableModel(RecordTableModel[AgreementRow]):
    HEADERS = ("Coefficient", "Code", "Value", "Units", "Compared")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = f"{row.value:.3f}" if row.value is not None else "—"
            return (row.coefficient, row.code, value, str(row.units), row.compared)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.compared
        return None
