"""The passages of the open article under comparison: where, who coded it, and its state."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from db.logic.comparison import Passage
from db.logic.metadata import shorten
from desktop.models.base import Index, RecordTableModel

STATE_COLORS = {"open": "#d62728", "decided": "#b8860b", "agreed": "#3a9a4b"}


class PassageTableModel(RecordTableModel[Passage]):
    HEADERS = ("State", "Code", "Passage")
    passage_at = RecordTableModel.record_at

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.text = ""
        self._states: list[str] = []
        self._code_names: dict[int, str] = {}

    def set_passages(
        self, text: str, passages: list[Passage], states: list[str], code_names: dict[int, str]
    ) -> None:
        """``states``: "agreed", "open" (a disagreement nobody decided) or "decided"."""
        self.text, self._states, self._code_names = text, states, code_names
        self.set_records(passages)

    def state_of(self, row: int) -> str:
        return self._states[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        passage, state = self._rows[index.row()], self._states[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return state
            if index.column() == 1:
                code = passage.code_id
                return "(no code)" if code is None else self._code_names.get(code, "?")
            return shorten(self.text[passage.start : passage.end].replace("\n", " "), 90)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return QColor(STATE_COLORS[state])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.text[passage.start : passage.end]
        return None
