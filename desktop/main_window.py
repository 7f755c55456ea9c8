"""The main window: document list, reader, codebook and highlight panel, menus, import/export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QCloseEvent, QColor, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QColorDialog,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from db.logic.metadata import shorten
from db.ops.importing import SUPPORTED_SUFFIXES
from db.records import AnnotationRecord, ImportReport
from desktop.dialogs.metadata import MetadataDialog
from desktop.models.codes import CodeListModel
from desktop.models.documents import ID_ROLE, DocumentFilterProxy, DocumentTableModel
from desktop.project import ProjectController, open_controller
from desktop.settings import Settings
from desktop.tasks import Task
from desktop.widgets.annotation_panel import AnnotationPanel
from desktop.widgets.codebook import CodebookPanel
from desktop.widgets.highlights import UNCODED_COLOR, blend
from desktop.widgets.reader import ReaderView


class MainWindow(QMainWindow):
    def __init__(self, controller: ProjectController, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.controller: ProjectController = controller
        self.last_error = ""
        self.current_task: Task | None = None
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.documents = DocumentTableModel(self)
        self.documents_proxy: QSortFilterProxyModel = DocumentFilterProxy(self)
        self.documents_proxy.setSourceModel(self.documents)
        self.codes = CodeListModel(self)

        self.reader = ReaderView(self)
        self.reader.body.setAcceptDrops(False)
        self.setCentralWidget(self.reader)
        self._build_document_dock()
        self.codebook = CodebookPanel(self.codes, self)
        self.panel = AnnotationPanel(self)
        self._dock("Codebook", self.codebook, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Highlight", self.panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.status_counts = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_counts)
        self._build_menus()
        self._connect()
        self._restore_layout()
        self.bind(controller)

    # Construction -------------------------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}Dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_document_dock(self) -> None:
        box = QWidget(self)
        self.filter_box = QLineEdit(box, placeholderText="Filter by title or outlet…")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self.documents_proxy.setFilterFixedString)
        self.document_view = QTableView(box)
        view = self.document_view
        view.setModel(self.documents_proxy)
        view.setSortingEnabled(True)
        view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        header = view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 120)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        view.selectionModel().currentRowChanged.connect(self._document_chosen)
        view.doubleClicked.connect(lambda _index: self.edit_metadata())
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_box)
        layout.addWidget(view, 1)
        dock = self._dock("Articles", box, Qt.DockWidgetArea.LeftDockWidgetArea)
        dock.setMinimumWidth(420)

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def _action(self, menu: QMenu, text: str, slot, shortcut: str | None = None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&New project…", self.new_project_dialog, "Ctrl+N")
        self._action(file, "&Open project…", self.open_project_dialog, "Ctrl+O")
        file.addSeparator()
        self._action(file, "&Import articles…", self.import_files_dialog, "Ctrl+I")
        self._action(file, "Import a &folder…", self.import_folder_dialog, "Ctrl+Shift+I")
        file.addSeparator()
        self._action(file, "&Export annotations to CSV…", self.export_csv_dialog, "Ctrl+Shift+E")
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")
        edit = bar.addMenu("&Edit")
        self._action(edit, "Article &metadata…", self.edit_metadata, "Ctrl+E")
        self._action(edit, "&New code…", self.new_code_dialog, "Ctrl+Shift+N")
        self._action(edit, "Change &coder…", self.change_coder_dialog)
        view = bar.addMenu("&View")
        for dock in self.findChildren(QDockWidget):
            view.addAction(dock.toggleViewAction())

    def _connect(self) -> None:
        self.reader.body.digit_pressed.connect(self.apply_shortcut)
        self.reader.body.clicked_at.connect(self._reader_clicked)
        self.reader.body.context_menu_at.connect(self._context_menu)
        self.codebook.code_clicked.connect(self._code_clicked)
        self.codebook.new_requested.connect(self.new_code_dialog)
        self.codebook.rename_requested.connect(self.rename_code_dialog)
        self.codebook.recolor_requested.connect(self.recolor_code_dialog)
        self.codebook.delete_requested.connect(self.delete_code)
        self.panel.code_toggled.connect(self._toggle_code)
        self.panel.memo_saved.connect(lambda aid, memo: self._run(self.service.set_memo, aid, memo))
        self.panel.delete_requested.connect(self.delete_annotation)

    # The project ----------------------------------------------------------------------------
    @property
    def service(self):
        return self.controller.service

    def bind(self, controller: ProjectController) -> None:
        """Show a (new) project: reload every view."""
        self.controller = controller
        controller.changed.connect(self.refresh)
        controller.failed.connect(self.show_error)
        self.setWindowTitle(f"{controller.name} — {controller.coder_name} — Marginalia")
        self.reader.show_placeholder()
        self.panel.show_annotations([], [])
        self.refresh(Changes(documents=True, codebook=True), reset=True)
        if self.documents_proxy.rowCount():  # open the top article rather than an empty page
            self.document_view.setCurrentIndex(self.documents_proxy.index(0, 0))

    def switch_project(self, controller: ProjectController) -> None:
        old = self.controller
        old.changed.disconnect(self.refresh)
        old.failed.disconnect(self.show_error)
        old.close()
        self.bind(controller)

    def _run(self, action, *args):
        return self.controller.run(action, *args)

    def refresh(self, changes: Changes, reset: bool = False) -> None:
        """Reload only what ``changes`` says changed."""
        read = self.controller.read
        if changes.codebook:
            self.codes.set_codes(read(self.service.codes, default=[]))
        if reset or changes.documents:
            self.documents.set_rows(read(self.service.documents, default=[]))
        elif changes.annotations_of:  # only the counts of these rows changed
            ids = sorted(changes.annotations_of)
            self.documents.update_rows(read(self.service.documents, ids, default=[]))
        self.status_counts.setText(
            f"{self.documents.rowCount()} articles · {self.documents.total_annotations} highlights"
        )
        current = self.reader.document
        if current is None:
            return
        if changes.documents:
            document = read(self.service.document, current.id, default=None)
            if document is None:
                self.reader.show_placeholder()
                return
            self.reader.update_metadata(document)
        if changes.codebook or current.id in changes.annotations_of:
            self._reload_annotations()

    # Documents ------------------------------------------------------------------------------
    def _document_chosen(self, index, _previous=None) -> None:
        if index.isValid():
            self.open_document(index.data(ID_ROLE))

    def select_document(self, document_id: int) -> None:
        """Select a document in the list (which opens it)."""
        row = self.documents.row_of(document_id)
        if row is not None:
            proxy_index = self.documents_proxy.mapFromSource(self.documents.index(row, 0))
            self.document_view.setCurrentIndex(proxy_index)

    def open_document(self, document_id: int) -> None:
        if self.reader.document is not None and self.reader.document.id == document_id:
            return
        self._reload_document(document_id)

    def _reload_document(self, document_id: int) -> None:
        document = self.controller.read(self.service.document, document_id, default=None)
        if document is None:
            self.reader.show_placeholder()
            return
        self.reader.show_document(document)
        self._reload_annotations(full=True)

    def _reload_annotations(self, full: bool = False) -> None:
        document = self.reader.document
        if document is None:
            return
        annotations = self.controller.read(self.service.annotations, document.id, default=[])
        self.reader.set_annotations(annotations, self._colors(annotations), full=full)
        current = self.panel.current
        shown_ids = self.panel.shown_ids
        shown = [a for a in annotations if a.id in shown_ids]
        self.panel.show_annotations(shown, self.codes.codes, current.id if current else None)

    def _colors(self, annotations: list[AnnotationRecord]) -> dict[int, str]:
        by_id = {c.id: c.color for c in self.codes.codes}
        colors = {}
        for a in annotations:
            code_colors = [by_id[c] for c in a.code_ids if c in by_id]
            colors[a.id] = blend(code_colors).name() if code_colors else UNCODED_COLOR
        return colors

    def edit_metadata(self) -> None:
        document = self.reader.document
        if document is None:
            return
        dialog = MetadataDialog(document.metadata, self)
        if dialog.exec():
            self._run(self.service.update_metadata, document.id, dialog.metadata())

    # Coding ---------------------------------------------------------------------------------
    def apply_code(self, code_id: int) -> int | None:
        """Tag the reader's selection with a code; returns the annotation id."""
        document, span = self.reader.document, self.reader.selected_span()
        if document is None or span is None:
            self.statusBar().showMessage("Select some text first, then choose a code.", 4000)
            return None
        result = self._run(
            self.service.annotate,
            document.id,
            self.controller.coder_id,
            span[0],
            span[1],
            [code_id],
        )
        return None if result is None else result[0]

    def apply_shortcut(self, key: int) -> None:
        code = self.codes.by_shortcut(key)
        if code is None:
            self.statusBar().showMessage(f"No code has the key {key}.", 4000)
        else:
            self.apply_code(code.id)

    def _code_clicked(self, code_id: int) -> None:
        if self.reader.selected_span() is not None:
            self.apply_code(code_id)

    def _reader_clicked(self, utf16_position: int) -> None:
        self.show_highlights_at(self.reader.offset_at(utf16_position))

    def show_highlights_at(self, offset: int) -> None:
        self.panel.show_annotations(self.reader.annotations_at(offset), self.codes.codes)

    def _toggle_code(self, annotation_id: int, code_id: int, checked: bool) -> None:
        add, remove = ([code_id], []) if checked else ([], [code_id])
        self._run(self.service.set_codes, annotation_id, add, remove)

    def delete_annotation(self, annotation_id: int) -> None:
        if self._run(self.service.delete_annotation, annotation_id) is not None:
            self.panel.show_annotations([], self.codes.codes)

    def context_menu(self, utf16_position: int) -> QMenu:
        menu = QMenu(self)
        if self.reader.selected_span() is not None:
            code_menu = menu.addMenu("Code selection as")
            for code in self.codes.codes:
                key = f"{code.shortcut}  " if code.shortcut else ""
                action = code_menu.addAction(f"{key}{code.path}")
                action.setData(code.id)
                action.triggered.connect(lambda _c=False, cid=code.id: self.apply_code(cid))
            self._action(menu, "New code from selection…", self.new_code_from_selection)
        for a in self.reader.annotations_at(self.reader.offset_at(utf16_position)):
            menu.addSeparator()
            label = shorten(a.quote, 30)
            self._action(
                menu,
                f"Edit highlight “{label}”",
                lambda a=a: self.panel.show_annotations([a], self.codes.codes),
            )
            self._action(
                menu, f"Delete highlight “{label}”", lambda a=a: self.delete_annotation(a.id)
            )
        menu.addSeparator()
        menu.addAction("Copy", self.reader.body.copy)
        return menu

    def _context_menu(self, global_pos: QPoint, utf16_position: int) -> None:
        self.context_menu(utf16_position).exec(global_pos)

    # Codebook -------------------------------------------------------------------------------
    def create_code(self, name: str, color: str | None = None) -> int | None:
        result = self._run(self.service.create_code, name, color)
        return None if result is None else result[0]

    def new_code_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "New code", "Name of the new code:")
        if ok and name.strip():
            self.create_code(name)

    def new_code_from_selection(self) -> None:
        name, ok = QInputDialog.getText(self, "New code", "Name of the new code:")
        if ok and name.strip() and (code_id := self.create_code(name)) is not None:
            self.apply_code(code_id)

    def rename_code_dialog(self, code_id: int) -> None:
        code = self.codes.by_id(code_id)
        if code is None:
            return
        name, ok = QInputDialog.getText(self, "Rename code", "New name:", text=code.name)
        if ok:
            self._run(self.service.rename_code, code_id, name)

    def recolor_code_dialog(self, code_id: int) -> None:
        code = self.codes.by_id(code_id)
        if code is None:
            return
        color = QColorDialog.getColor(QColor(code.color), self, f"Colour of “{code.name}”")
        if color.isValid():
            self._run(self.service.recolor_code, code_id, color.name())

    def delete_code(self, code_id: int) -> bool:
        code = self.codes.by_id(code_id)
        if code is None:
            return False
        used = self.controller.read(self.service.code_usage, code_id, default=0)
        if used and not self.confirm(
            "Delete code",
            f"“{code.path}” is used by {used} highlight(s). Delete the code and remove it from "
            "them? Highlights keep their other codes.",
        ):
            return False
        return self._run(self.service.delete_code, code_id) is not None

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    # Import and export ----------------------------------------------------------------------
    def import_files_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(SUPPORTED_SUFFIXES))
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import articles", "", f"Articles ({patterns});;All files (*)"
        )
        if files:
            self.import_paths([Path(f) for f in files])

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import every article in a folder")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> Task:
        service = self.service
        task = Task(
            self, "Importing articles…", lambda progress: service.import_files(paths, progress)
        )
        task.succeeded.connect(self._imported)
        task.failed.connect(self.show_error)
        task.cancelled.connect(
            lambda: self.statusBar().showMessage("Import cancelled; nothing was added.", 6000)
        )
        return self._start(task)

    def _imported(self, result: tuple[ImportReport, Changes]) -> None:
        report, changes = result
        self.last_import = report
        self.refresh(changes)
        self.statusBar().showMessage(report.summary(), 10000)
        if report.duplicates or report.rejected:
            box = QMessageBox(
                QMessageBox.Icon.Information, "Import finished", report.summary(), parent=self
            )
            box.setDetailedText(report.details())
            box.setInformativeText("Some files were not imported; see the details.")
            box.open()

    def export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export annotations", "annotations.csv", "CSV (*.csv)"
        )
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> Task:
        service = self.service
        task = Task(
            self, "Exporting annotations…", lambda _progress: service.export_annotations_csv(path)
        )
        task.succeeded.connect(
            lambda rows: self.statusBar().showMessage(f"{rows} rows written to {path}", 10000)
        )
        task.failed.connect(self.show_error)
        return self._start(task)

    def _start(self, task: Task) -> Task:
        self.current_task = task
        task.finished.connect(lambda: setattr(self, "current_task", None))
        return task.start()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # Projects and coder ---------------------------------------------------------------------
    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", "", "Marginalia projects (*.sqlite *.db);;All files (*)"
        )
        if path:
            self.open_project(Path(path), create=False)

    def new_project_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New project", "project.sqlite", "Marginalia projects (*.sqlite)"
        )
        if path:
            self.open_project(Path(path), create=True)

    def open_project(self, path: Path, *, create: bool) -> bool:
        try:
            controller = open_controller(path, self.controller.coder_name, create=create)
        except Exception as exc:
            self.show_error(str(exc))
            return False
        self.switch_project(controller)
        self.settings.last_project = path
        return True

    def change_coder_dialog(self) -> None:
        name, ok = QInputDialog.getText(
            self, "Coder", "Your name as coder:", text=self.controller.coder_name
        )
        if ok and name.strip():
            self.change_coder(name.strip())

    def change_coder(self, name: str) -> None:
        coder_id = self.controller.read(self.service.ensure_coder, name, default=None)
        if coder_id is None:
            return
        self.controller.coder_id, self.controller.coder_name = coder_id, name
        self.settings.coder = name
        self.setWindowTitle(f"{self.controller.name} — {name} — Marginalia")

    # Messages -------------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        """Tell the user without blocking (tests and long jobs go on)."""
        self.last_error = message
        self.statusBar().showMessage(message, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, "Marginalia", message, parent=self)
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.current_task is not None:
            self.current_task.cancel()
        self.settings.set_value("window/state", self.saveState())
        self.settings.set_value("window/geometry", self.saveGeometry())
        self.settings.sync()
        super().closeEvent(event)
