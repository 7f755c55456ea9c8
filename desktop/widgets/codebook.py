"""The codebook dock: a tree of codes with counts, the selected code's rule, and every codebook
edit (new, sub-code, rename, colour, describe, key, archive, merge, delete, drag to nest)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QColorDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from db.records import CodeRecord
from desktop.models.codes import CodeTreeModel
from desktop.project import ProjectController
from desktop.widgets.draft import DraftEdit


class CodebookPanel(QWidget):
    code_clicked = Signal(int)  # code id: apply it to the reader's selection

    def __init__(self, model: CodeTreeModel, confirm: Callable[[str, str], bool], parent=None):
        super().__init__(parent)
        self.model = model
        self.confirm = confirm
        self.controller: ProjectController | None = None
        self.view = QTreeView(self, objectName="codebookTree")
        self.view.setModel(model)
        self.view.setUniformRowHeights(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        metrics = self.view.fontMetrics()
        for column in (1, 2, 3):  # fixed: ResizeToContents re-reads every row on each change
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, metrics.horizontalAdvance("00000") + 12)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._show_rule())
        model.modelReset.connect(self._after_reset)
        model.move_requested.connect(self._move)

        self.show_archived = QCheckBox("Show archived", self)
        self.show_archived.toggled.connect(model.set_show_archived)
        self.rule = DraftEdit(self, "The coding rule for this code…")
        self.rule.setMaximumHeight(90)
        self.save_rule = QPushButton("Save rule", self)
        self.save_rule.clicked.connect(self._save_rule)

        buttons = QHBoxLayout()
        for label, tip, slot in (
            ("New", "New top-level code (Ctrl+Shift+N)", lambda: self.new_code_dialog(None)),
            ("Sub-code", "New code inside the chosen one", self._new_subcode),
            ("Merge…", "Merge the chosen code into another", self._merge_dialog),
            ("Delete", "Delete the chosen code", self._delete_current),
        ):
            button = QPushButton(label, self, toolTip=tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        rule_row = QHBoxLayout()
        rule_row.addWidget(QLabel("Rule:"))
        rule_row.addStretch(1)
        rule_row.addWidget(self.save_rule)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.show_archived)
        layout.addLayout(rule_row)
        layout.addWidget(self.rule)
        self._selected_id: int | None = None
        self._show_rule()

    # Selection ---------------------------------------------------------------------------
    def current_code(self) -> CodeRecord | None:
        return self.model.code_at(self.view.currentIndex())

    def select_code(self, code_id: int) -> None:
        index = self.model.index_of(code_id)
        if index.isValid():
            self.view.setCurrentIndex(index)

    def _after_reset(self) -> None:
        self.view.expandAll()
        if self._selected_id is not None:
            self.select_code(self._selected_id)
        self._show_rule()

    def _clicked(self, index: QModelIndex) -> None:
        code = self.model.code_at(index)
        if code is not None:
            self.code_clicked.emit(code.id)

    def _show_rule(self) -> None:
        code = self.current_code()
        self._selected_id = code.id if code else None
        self.rule.setEnabled(code is not None)
        self.save_rule.setEnabled(code is not None)
        self.rule.show_text(code.id if code else None, code.description if code else "")

    # Edits -------------------------------------------------------------------------------
    def _run(self, action, *args):
        return self.controller.run(action, *args) if self.controller else None

    def create_code(self, name: str, parent_id: int | None = None, color: str | None = None):
        result = self._run(self.controller.service.create_code, name, color, parent_id)
        return None if result is None else result[0]

    def new_code_dialog(self, parent_id: int | None) -> int | None:
        name, ok = QInputDialog.getText(self, "New code", "Name of the new code:")
        if ok and name.strip():
            return self.create_code(name, parent_id)
        return None

    def _new_subcode(self) -> None:
        code = self.current_code()
        self.new_code_dialog(code.id if code else None)

    def rename_dialog(self, code: CodeRecord) -> None:
        name, ok = QInputDialog.getText(self, "Rename code", "New name:", text=code.name)
        if ok:
            self._run(self.controller.service.rename_code, code.id, name, code.version)

    def recolor_dialog(self, code: CodeRecord) -> None:
        color = QColorDialog.getColor(QColor(code.color), self, f"Colour of “{code.name}”")
        if color.isValid():
            self._run(self.controller.service.recolor_code, code.id, color.name(), code.version)

    def _save_rule(self) -> None:
        code = self.current_code()
        if code is not None:
            service = self.controller.service
            self._run(service.describe_code, code.id, self.rule.toPlainText(), code.version)

    def set_key(self, code: CodeRecord, key: int | None) -> None:
        self._run(self.controller.service.set_shortcut, code.id, key)

    def set_archived(self, code: CodeRecord, archived: bool) -> None:
        self._run(self.controller.service.set_archived, code.id, archived)

    def merge(self, source: CodeRecord, target: CodeRecord) -> bool:
        text = (
            f"Move all {source.n_annotations} tag(s) and the sub-codes of “{source.path}” to "
            f"“{target.path}” and remove “{source.path}”? (Undo with Ctrl+Z.)"
        )
        if not self.confirm("Merge codes", text):
            return False
        return self._run(self.controller.service.merge_codes, source.id, target.id) is not None

    def _merge_dialog(self) -> None:
        source = self.current_code()
        if source is None:
            return
        others = [c for c in self.model.codes if c.id != source.id]
        paths = [c.path for c in others]
        path, ok = QInputDialog.getItem(
            self, "Merge codes", f"Merge “{source.path}” into:", paths, 0, False
        )
        if ok and path in paths:
            self.merge(source, others[paths.index(path)])

    def delete(self, code: CodeRecord) -> bool:
        used = self.controller.read(self.controller.service.code_usage, code.id, default=0)
        if used and not self.confirm(
            "Delete code",
            f"“{code.path}” is used by {used} highlight(s). Delete the code and its sub-codes and "
            "remove them from those highlights? Highlights keep their other codes.",
        ):
            return False
        return self._run(self.controller.service.delete_code, code.id) is not None

    def _delete_current(self) -> None:
        code = self.current_code()
        if code is not None:
            self.delete(code)

    def _move(self, code_id: int, parent_id: int | None, position: int) -> None:
        self._run(
            self.controller.service.move_code,
            code_id,
            parent_id,
            None if position < 0 else position,
        )

    # Context menu ------------------------------------------------------------------------
    def context_menu_for(self, code: CodeRecord | None) -> QMenu:
        menu = QMenu(self)
        menu.addAction("New code…", lambda: self.new_code_dialog(None))
        if code is None:
            return menu
        menu.addAction("New sub-code…", lambda: self.new_code_dialog(code.id))
        menu.addSeparator()
        menu.addAction("Rename…", lambda: self.rename_dialog(code))
        menu.addAction("Colour…", lambda: self.recolor_dialog(code))
        menu.addAction("Edit rule", self.rule.setFocus)
        keys = menu.addMenu("Shortcut key")
        for key in range(1, 10):
            holder = self.model.by_shortcut(key)
            label = f"{key}" + (f"  (now {holder.name})" if holder and holder.id != code.id else "")
            keys.addAction(label, lambda k=key: self.set_key(code, k))
        keys.addAction("None", lambda: self.set_key(code, None))
        merge = menu.addMenu("Merge into")
        for other in self.model.codes:
            if other.id != code.id:
                merge.addAction(other.path, lambda o=other: self.merge(code, o))
        menu.addAction("Move to top level", lambda: self._move(code.id, None, -1))
        if code.archived:
            menu.addAction("Unarchive", lambda: self.set_archived(code, False))
        else:
            menu.addAction("Archive", lambda: self.set_archived(code, True))
        menu.addSeparator()
        menu.addAction("Delete…", lambda: self.delete(code))
        return menu

    def _context_menu(self, point: QPoint) -> None:
        code = self.model.code_at(self.view.indexAt(point))
        self.context_menu_for(code).exec(self.view.viewport().mapToGlobal(point))
