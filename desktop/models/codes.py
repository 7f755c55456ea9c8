"""The codebook as a list model: shortcut key, name, usage count and colour swatch."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from db.records import CodeRecord

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class CodeListModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._codes: list[CodeRecord] = []

    def set_codes(self, codes: list[CodeRecord]) -> None:
        self.beginResetModel()
        self._codes = codes
        self.endResetModel()

    @property
    def codes(self) -> list[CodeRecord]:
        return self._codes

    def code_at(self, row: int) -> CodeRecord:
        return self._codes[row]

    def by_id(self, code_id: int) -> CodeRecord | None:
        return next((c for c in self._codes if c.id == code_id), None)

    def by_shortcut(self, key: int) -> CodeRecord | None:
        return next((c for c in self._codes if c.shortcut == key), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._codes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        code = self._codes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            key = f"{code.shortcut}  " if code.shortcut else "   "
            return f"{key}{code.path}  ({code.n_annotations})"
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(code.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            rule = f"\n{code.description}" if code.description else ""
            key = f"\nShortcut: {code.shortcut}" if code.shortcut else ""
            return f"{code.path}{rule}{key}"
        if role == ID_ROLE:
            return code.id
        return None
