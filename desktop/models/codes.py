"""The codebook as a tree model: name (with colour), shortcut key, my count, everyone's count.

Drag and drop does not move rows itself: it reports the wanted move (``move_requested``) and the
window asks the core, which records an undoable edit; the model is then rebuilt from the core.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from db.records import CodeRecord

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
MIME_TYPE = "application/x-marginalia-code-id"


class CodeTreeModel(QAbstractItemModel):
    HEADERS = ("Code", "Key", "Mine", "All")
    move_requested = Signal(int, object, int)  # code id, new parent id (or None), position

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._codes: list[CodeRecord] = []
        self._by_id: dict[int, CodeRecord] = {}
        self._children: dict[int | None, list[int]] = {None: []}
        self.show_archived = False

    # Data in -----------------------------------------------------------------------------
    def set_codes(self, codes: list[CodeRecord]) -> None:
        self.beginResetModel()
        self._codes = codes
        self._by_id = {c.id: c for c in codes}
        self._children = {None: []}
        for code in codes:  # the core returns parents before children, in position order
            if code.archived and not self.show_archived:
                continue
            parent = code.parent_id if code.parent_id in self._children else None
            self._children.setdefault(parent, []).append(code.id)
            self._children.setdefault(code.id, [])
        self.endResetModel()

    def update_counts(self, codes: list[CodeRecord]) -> None:
        """Take the new counts of codes already shown, announcing only the count cells: a
        reset would collapse the tree and cost a repaint of the whole codebook per click."""
        for code in codes:
            old = self._by_id.get(code.id)
            if old is None or (old.n_mine, old.n_annotations) == (code.n_mine, code.n_annotations):
                continue
            self._by_id[code.id] = code
            self._codes = [code if c.id == code.id else c for c in self._codes]
            index = self.index_of(code.id)
            if index.isValid():
                self.dataChanged.emit(index.siblingAtColumn(2), index.siblingAtColumn(3))

    def shift_counts(self, deltas: Iterable[tuple[int, int, int]], coder_id: int | None) -> None:
        """Move the counts by (code, coder, change) as an edit reported them; ``coder_id``'s
        changes count as "mine" too."""
        moved: dict[int, tuple[int, int]] = {}
        for code_id, coder, change in deltas:
            everyone, mine = moved.get(code_id, (0, 0))
            moved[code_id] = (everyone + change, mine + (change if coder == coder_id else 0))
        self.update_counts(
            [
                replace(
                    code, n_annotations=code.n_annotations + everyone, n_mine=code.n_mine + mine
                )
                for code_id, (everyone, mine) in moved.items()
                if (code := self._by_id.get(code_id)) is not None
            ]
        )

    def set_show_archived(self, show: bool) -> None:
        self.show_archived = show
        self.set_codes(self._codes)

    @property
    def codes(self) -> list[CodeRecord]:
        """Every live code, archived ones included (for lookups and colours)."""
        return self._codes

    def active_codes(self) -> list[CodeRecord]:
        return [c for c in self._codes if not c.archived]

    def by_id(self, code_id: int) -> CodeRecord | None:
        return self._by_id.get(code_id)

    def by_shortcut(self, key: int) -> CodeRecord | None:
        return next((c for c in self._codes if c.shortcut == key and not c.archived), None)

    def index_of(self, code_id: int) -> QModelIndex:
        code = self._by_id.get(code_id)
        if code is None:
            return QModelIndex()
        parent = code.parent_id if code.parent_id in self._children else None
        siblings = self._children.get(parent, [])
        if code_id not in siblings:
            return QModelIndex()
        return self.createIndex(siblings.index(code_id), 0, code_id)

    def code_at(self, index: Index) -> CodeRecord | None:
        return self._by_id.get(index.internalId()) if index.isValid() else None

    # Structure ---------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        parent_id = parent.internalId() if parent.isValid() else None
        siblings = self._children.get(parent_id, [])
        if 0 <= row < len(siblings) and 0 <= column < len(self.HEADERS):
            return self.createIndex(row, column, siblings[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        code = self._by_id[index.internalId()]
        if code.parent_id is None or code.parent_id not in self._children:
            return QModelIndex()
        return self.index_of(code.parent_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children.get(parent.internalId() if parent.isValid() else None, []))

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        code = self.code_at(index)
        if code is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            key = str(code.shortcut) if code.shortcut else ""
            return (code.name, key, code.n_mine, code.n_annotations)[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return QColor(code.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            rule = code.description or "No description yet."
            return f"{code.path}\n{rule}"
        if role == Qt.ItemDataRole.FontRole and code.archived:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and code.archived:
            return QColor("#8a8578")
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return code.id
        return None

    # Drag and drop -----------------------------------------------------------------------
    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return (
            base
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
        )

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData:
        mime = QMimeData()
        code = next((self.code_at(i) for i in indexes if i.isValid()), None)
        if code is not None:
            mime.setData(MIME_TYPE, QByteArray(str(code.id).encode()))
        return mime

    def dropMimeData(self, data, action, row: int, column: int, parent: Index) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not data.hasFormat(MIME_TYPE):
            return False
        code_id = int(bytes(data.data(MIME_TYPE).data()).decode())
        target = self.code_at(parent)
        parent_id = target.id if target is not None else None
        position = row if row >= 0 else None
        if position is not None:  # positions count the moving code's old slot among siblings
            siblings = self._children.get(parent_id, [])
            if code_id in siblings and siblings.index(code_id) < position:
                position -= 1
        self.move_requested.emit(code_id, parent_id, position if position is not None else -1)
        return False  # the rebuilt model shows the move; the view must not remove rows itself
