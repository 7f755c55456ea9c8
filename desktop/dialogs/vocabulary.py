"""Actors, issues and the stance scale: the vocabularies of position coding.

Each edit goes through the service (and onto the undo stack) as soon as the user saves it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.logic.stance import StanceLevel
from db.ops.positions import ACTOR_KINDS
from desktop.project import ProjectController

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class _Editor(QWidget):
    """A list on the left, a form on the right, New / Save / Delete below."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.items = QStandardItemModel(self)
        self.list = QListView(self)
        self.list.setModel(self.items)
        self.list.selectionModel().currentChanged.connect(lambda *_: self.show_current())
        self.form = QFormLayout()
        self.buttons = QHBoxLayout()
        for label, slot in (("New", self.new), ("Save", self.save), ("Delete", self.delete)):
            button = QPushButton(label, self)
            button.clicked.connect(slot)
            self.buttons.addWidget(button)
        right = QVBoxLayout()
        right.addLayout(self.form)
        right.addStretch(1)
        right.addLayout(self.buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(right, 2)
        self.current_id: int | None = None

    def fill(self, rows: list[tuple[str, int]]) -> None:
        keep = self.current_id
        self.items.clear()
        for label, row_id in rows:
            item = QStandardItem(label)
            item.setData(row_id, ID_ROLE)
            item.setEditable(False)
            self.items.appendRow(item)
            if row_id == keep:
                self.list.setCurrentIndex(item.index())

    def selected_id(self) -> int | None:
        index = self.list.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def show_current(self) -> None: ...
    def new(self) -> None:
        self.list.clearSelection()
        self.list.setCurrentIndex(self.items.index(-1, -1))
        self.current_id = None
        self.show_current()

    def save(self) -> None: ...
    def delete(self) -> None: ...


class VocabularyDialog(QDialog):
    def __init__(self, controller: ProjectController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Actors, issues and stances")
        self.resize(760, 460)
        self.controller = controller
        self.actors = _ActorEditor(self)
        self.issues = _IssueEditor(self)
        self.scale = QPlainTextEdit(self)
        self.scale.setToolTip("One level per line: value, label, key — e.g. -1, oppose, 1")
        save_scale = QPushButton("Save scale", self)
        save_scale.clicked.connect(self.save_scale)
        scale_page = QWidget(self)
        scale_layout = QVBoxLayout(scale_page)
        scale_layout.addWidget(
            QLabel("One level per line: value, label, key (e.g. “-1, oppose, 1”)")
        )
        scale_layout.addWidget(self.scale)
        scale_layout.addWidget(save_scale)
        tabs = QTabWidget(self)
        tabs.addTab(self.actors, "Actors")
        tabs.addTab(self.issues, "Issues")
        tabs.addTab(scale_page, "Stance scale")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(close)
        controller.changed.connect(lambda changes: changes.positions and self.reload())
        self.reload()

    @property
    def service(self):
        return self.controller.service

    def reload(self) -> None:
        self.actor_records = self.controller.read(self.service.actors, default=[])
        self.issue_records = self.controller.read(self.service.issues, default=[])
        self.actors.fill([(a.name, a.id) for a in self.actor_records])
        self.issues.fill([(i.path, i.id) for i in self.issue_records])
        levels = self.controller.read(self.service.stance_scale, default=())
        self.scale.setPlainText("\n".join(f"{lv.value}, {lv.label}, {lv.key}" for lv in levels))

    def save_scale(self) -> bool:
        levels = []
        for line in self.scale.toPlainText().splitlines():
            parts = [p.strip() for p in line.split(",")]
            if not line.strip():
                continue
            try:
                levels.append(
                    StanceLevel(int(parts[0]), parts[1], parts[2] if len(parts) > 2 else "")
                )
            except (ValueError, IndexError):
                self.controller.failed.emit(f"“{line}” is not “value, label, key”.")
                return False
        return self.controller.run(self.service.set_stance_scale, levels) is not None


class _ActorEditor(_Editor):
    def __init__(self, dialog: VocabularyDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.name = QLineEdit(self)
        self.kind = QComboBox(self)
        self.kind.addItems(list(ACTOR_KINDS))
        self.parent_actor = QComboBox(self)
        self.aliases = QPlainTextEdit(
            self, placeholderText="One alias per line, e.g. the Gaza rulers"
        )
        self.color = QLineEdit(self, placeholderText="#4e79a7")
        self.notes = QPlainTextEdit(self)
        for label, widget in (
            ("Name", self.name),
            ("Kind", self.kind),
            ("Part of", self.parent_actor),
            ("Aliases", self.aliases),
            ("Colour", self.color),
            ("Notes", self.notes),
        ):
            self.form.addRow(label, widget)

    def show_current(self) -> None:
        self.current_id = self.selected_id()
        actor = next((a for a in self.dialog.actor_records if a.id == self.current_id), None)
        self.parent_actor.clear()
        self.parent_actor.addItem("—", None)
        for other in self.dialog.actor_records:
            if other.id != self.current_id:
                self.parent_actor.addItem(other.name, other.id)
        self.name.setText(actor.name if actor else "")
        self.kind.setCurrentText(actor.kind if actor else "person")
        self.parent_actor.setCurrentIndex(
            max(0, self.parent_actor.findData(actor.parent_id)) if actor else 0
        )
        self.aliases.setPlainText("\n".join(actor.aliases) if actor else "")
        self.color.setText(actor.color if actor else "#4e79a7")
        self.notes.setPlainText(actor.notes if actor else "")

    def values(self) -> dict:
        return dict(
            name=self.name.text(),
            kind=self.kind.currentText(),
            parent_id=self.parent_actor.currentData(),
            aliases=[a for a in self.aliases.toPlainText().splitlines() if a.strip()],
            color=self.color.text().strip() or "#4e79a7",
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        run, service, v = self.dialog.controller.run, self.dialog.service, self.values()
        if self.current_id is None:
            result = run(
                service.create_actor,
                v["name"],
                v["kind"],
                v["parent_id"],
                v["aliases"],
                v["color"],
                v["notes"],
            )
            self.current_id = None if result is None else result[0]
        else:
            run(service.update_actor, self.current_id, **v)

    def delete(self) -> None:
        if self.current_id is not None:
            self.dialog.controller.run(self.dialog.service.delete_actor, self.current_id)


class _IssueEditor(_Editor):
    def __init__(self, dialog: VocabularyDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.name = QLineEdit(self)
        self.parent_issue = QComboBox(self)
        self.description = QPlainTextEdit(self)
        for label, widget in (
            ("Name", self.name),
            ("Under", self.parent_issue),
            ("Description", self.description),
        ):
            self.form.addRow(label, widget)

    def show_current(self) -> None:
        self.current_id = self.selected_id()
        issue = next((i for i in self.dialog.issue_records if i.id == self.current_id), None)
        self.parent_issue.clear()
        self.parent_issue.addItem("—", None)
        for other in self.dialog.issue_records:
            if other.id != self.current_id:
                self.parent_issue.addItem(other.path, other.id)
        self.name.setText(issue.name if issue else "")
        self.parent_issue.setCurrentIndex(
            max(0, self.parent_issue.findData(issue.parent_id)) if issue else 0
        )
        self.description.setPlainText(issue.description if issue else "")

    def save(self) -> None:
        run, service = self.dialog.controller.run, self.dialog.service
        name, parent = self.name.text(), self.parent_issue.currentData()
        description = self.description.toPlainText()
        if self.current_id is None:
            result = run(service.create_issue, name, parent, description)
            self.current_id = None if result is None else result[0]
        else:
            run(
                service.update_issue,
                self.current_id,
                name=name,
                parent_id=parent,
                description=description,
            )

    def delete(self) -> None:
        if self.current_id is not None:
            self.dialog.controller.run(self.dialog.service.delete_issue, self.current_id)
