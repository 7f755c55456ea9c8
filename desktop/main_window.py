"""The main window: it assembles the panels, builds the menus and refreshes views on changes.

What the window does for the user lives in two mixins: coding (coding_actions.py) and files
and projects (file_actions.py).
"""

from __future__ import annotations

import dataclasses
import hashlib

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from db.changes import Changes
from db.logic.aliases import AliasMatcher
from db.records import AnnotationRecord, CoderRecord, DocumentRow
from desktop import heap, theme
from desktop.coding_actions import CodingActions
from desktop.compare_actions import CompareActions
from desktop.dialogs.metadata import MetadataDialog
from desktop.file_actions import FileActions
from desktop.models.codes import CodeTreeModel
from desktop.models.documents import DocumentTableModel
from desktop.position_actions import PositionActions
from desktop.project import ProjectController
from desktop.settings import Settings
from desktop.tasks import Task
from desktop.widgets.annotation_panel import AnnotationPanel
from desktop.widgets.article_notes import ArticleNotes
from desktop.widgets.articles import ArticlesPanel
from desktop.widgets.codebook import CodebookPanel
from desktop.widgets.coders import CodersPanel
from desktop.widgets.compare import ComparePanel
from desktop.widgets.find_bar import FindBar
from desktop.widgets.highlights import UNCODED_COLOR, blend_hex
from desktop.widgets.positions import PositionsPanel
from desktop.widgets.reader import ReaderView
from desktop.widgets.search import SearchPanel

READING_WIDTHS = {"Narrow": 34, "Medium": 42, "Wide": 56}


PATCH_AT_MOST = 500
"""An edit that changed more highlights of the open article than this reads them all again."""


class MainWindow(CodingActions, PositionActions, CompareActions, FileActions, QMainWindow):
    def __init__(self, controller: ProjectController, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.controller: ProjectController = controller
        self.last_error = ""
        self.last_import = None
        self.tasks: set[Task] = set()
        self.setAcceptDrops(True)
        self.resize(1380, 860)

        self.documents = DocumentTableModel(self)
        self.codes = CodeTreeModel(self)
        self.articles = ArticlesPanel(self.documents, self)
        self.documents_proxy = self.articles.proxy
        self.reader = ReaderView(self)
        self.reader.body.setAcceptDrops(False)
        self.find_bar = FindBar(self.reader.body, self)
        center = QWidget(self)
        column = QVBoxLayout(center)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.reader, 1)
        column.addWidget(self.find_bar)
        self.setCentralWidget(center)
        self.codebook = CodebookPanel(
            self.codes, lambda title, text: self.confirm(title, text), self
        )
        self.panel = AnnotationPanel(self)
        self.notes = ArticleNotes(self)
        self.search_panel = SearchPanel(self)
        self.positions = PositionsPanel(self)
        self.coders = CodersPanel(self)
        self.compare_panel = ComparePanel(self)
        self.mentions = AliasMatcher([])
        self.coder_records: list[CoderRecord] = []
        self.coder_counts_stale = False
        self._annotations_held: tuple[int | None, list[AnnotationRecord]] = (None, [])
        self.history = QUndoView(self)
        self.history.setEmptyLabel("Project opened")
        # Tabs inside two docks rather than tabified docks: fewer moving parts, and Qt leaves
        # stray tab bars behind when docks are tabified and their state restored.
        self.library = _tabs(
            self,
            ("Articles", self.articles),
            ("Search", self.search_panel),
            ("Positions", self.positions),
        )
        self.details = _tabs(
            self,
            ("Highlight", self.panel),
            ("Article", self.notes),
            ("Coders", self.coders),
            ("Compare", self.compare_panel),
            ("History", self.history),
        )
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.docks = {
            "library": self._dock("Library", self.library, left),
            "codebook": self._dock("Codebook", self.codebook, right),
            "details": self._dock("Details", self.details, right),
        }
        self.docks["library"].setMinimumWidth(320)
        self.reader.setMinimumWidth(420)  # side panels give way before the text does
        self.status_counts = QLabel(self)
        self.status_connection = QLabel(self, objectName="connectionState")
        self.statusBar().addPermanentWidget(self.status_connection)
        self.statusBar().addPermanentWidget(self.status_counts)
        self._build_menus()
        self._connect()
        self._restore_layout()
        self.bind(controller)

    # Construction -----------------------------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}Dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

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
        self._action(file, "Connect to a &server…", self.connect_dialog)
        file.addSeparator()
        self._action(file, "&Import articles…", self.import_files_dialog, "Ctrl+I")
        self._action(file, "Import a &folder…", self.import_folder_dialog, "Ctrl+Shift+I")
        self._action(file, "Import a&nnotations (JSON Lines)…", self.import_annotations_dialog)
        self._action(
            file, "Import &REFI-QDA project or codebook (.qdpx, .qdc)…", self.import_exchange_dialog
        )
        file.addSeparator()
        self._action(file, "&Export annotations to CSV…", self.export_csv_dialog, "Ctrl+Shift+E")
        self._action(file, "Export &positions to CSV…", self.export_positions_dialog)
        self._action(file, "Export summary &workbook…", self.export_summary_dialog)
        self._action(file, "Export issue &brief…", self.export_brief_dialog)
        self._action(file, "Export &network…", self.export_network_dialog)
        self._action(file, "Export REFI-QDA pro&ject (.qdpx)…", self.export_qdpx_dialog)
        self._action(file, "Export co&debook (.qdc)…", self.export_qdc_dialog)
        scope = file.addMenu("Exports &hold the coding of")
        scope.aboutToShow.connect(lambda: self.fill_export_scope_menu(scope))
        self.fill_export_scope_menu(scope)
        file.addSeparator()
        self._action(file, "&Back up the project…", self.backup_dialog)
        self._action(file, "Export a &coder copy…", self.export_copy_dialog)
        self._action(file, "&Merge a coder copy…", self.merge_dialog)
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")

        edit = bar.addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo", lambda: self.controller.undo_stack.undo())
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self._action(edit, "&Redo", lambda: self.controller.undo_stack.redo())
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addSeparator()
        self._action(edit, "&Find in article…", self.find_bar.open, "Ctrl+F")
        self._action(edit, "&Search the project…", self.open_search, "Ctrl+Shift+F")
        self._action(edit, "&Quick code…", self.quick_code, "Ctrl+K")
        self._action(edit, "Code a &position…\tP", self.code_position)
        self._action(edit, "&Actors, issues and stances…", self.open_vocabulary)
        edit.addSeparator()
        self._action(
            edit, "New &code…", lambda: self.codebook.new_code_dialog(None), "Ctrl+Shift+N"
        )
        self._action(edit, "Change c&oder…", self.change_coder_dialog)

        article = bar.addMenu("&Article")
        self._action(article, "&Metadata…", self.edit_metadata, "Ctrl+E")
        self._action(article, "M&emo", self.open_article_memo, "Ctrl+M")
        status = article.addMenu("Mark as")
        for i, name in enumerate(("not started", "in progress", "done"), 1):
            self._action(
                status, name.capitalize(), lambda n=name: self.set_status(n), f"Ctrl+Alt+{i}"
            )
        article.addSeparator()
        self._action(article, "&Delete article…", self.delete_current_article)

        navigate = bar.addMenu("&Navigate")
        self._action(navigate, "Next highlight", lambda: self.step_highlight(1), "Alt+Down")
        self._action(navigate, "Previous highlight", lambda: self.step_highlight(-1), "Alt+Up")
        self._action(navigate, "Next article", lambda: self.articles.step(1), "Ctrl+PgDown")
        self._action(navigate, "Previous article", lambda: self.articles.step(-1), "Ctrl+PgUp")

        compare = bar.addMenu("&Compare")
        self._action(compare, "&Compare coders", self.open_compare, "Ctrl+Shift+C")
        self._action(compare, "&Next disagreement", lambda: self.step_disagreement(1), "Ctrl+]")
        self._action(
            compare, "&Previous disagreement", lambda: self.step_disagreement(-1), "Ctrl+["
        )
        self._action(compare, "Copy all &agreed passages to gold", self.accept_agreed)
        compare.addSeparator()
        self._action(compare, "Agreement &report…", self.open_agreement, "Ctrl+Shift+R")

        view = bar.addMenu("&View")
        self._action(view, "&Summary charts…", self.open_summary, "Ctrl+Shift+S")
        view.addSeparator()
        self._action(view, "Zoom in", lambda: self.zoom(1), "Ctrl++").setShortcuts(
            [QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")]
        )
        self._action(view, "Zoom out", lambda: self.zoom(-1), "Ctrl+-")
        self._action(view, "Actual size", lambda: self.zoom(0), "Ctrl+0")
        widths = view.addMenu("Reading width")
        for label, em in READING_WIDTHS.items():
            self._action(widths, label, lambda em=em: self.set_reading_width(em))
        self.underline_action = self._action(view, "Underline actor mentions", self.show_mentions)
        self.underline_action.setCheckable(True)
        self.underline_action.setChecked(True)
        self.dark_action = self._action(view, "Dark theme", lambda: self.set_dark(None))
        self.dark_action.setCheckable(True)
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())

    def _connect(self) -> None:
        self.reader.body.digit_pressed.connect(self.apply_shortcut)
        self.reader.body.position_key.connect(self.code_position)
        self.positions.statement_activated.connect(self.open_statement)
        self.positions.edit_requested.connect(self.edit_statement)
        self.positions.delete_requested.connect(self.delete_statement)
        self.positions.filters_changed.connect(self.reload_statements)
        self.positions.shown.connect(self.statements_shown)
        self.coders.shown_changed.connect(self._reload_annotations)
        self.reader.body.letter_pressed.connect(self.adjudication_key)
        self.compare_panel.key_pressed.connect(self.adjudication_key)
        self.compare_panel.coders_changed.connect(self.refresh_comparison)
        self.compare_panel.passage_chosen.connect(self.choose_passage)
        self.compare_panel.accept_agreed_requested.connect(self.accept_agreed)
        self.details.currentChanged.connect(lambda _index: self._coder_counts_appear())
        self.details.currentChanged.connect(lambda _index: self.refresh_comparison())
        self.docks["details"].visibilityChanged.connect(lambda _v: self._coder_counts_appear())
        self.docks["details"].visibilityChanged.connect(
            lambda _visible: self.compare_visibility_changed()
        )
        self.reader.body.clicked_at.connect(self._reader_clicked)
        self.reader.body.context_menu_at.connect(self._context_menu)
        self.codebook.code_clicked.connect(self._code_clicked)
        self.panel.code_toggled.connect(self._toggle_code)
        self.panel.memo_saved.connect(lambda aid, memo: self._run(self.service.set_memo, aid, memo))
        self.panel.delete_requested.connect(self.delete_annotation)
        self.articles.document_chosen.connect(self.open_document)
        self.articles.edit_requested.connect(self.edit_metadata)
        self.articles.filters_changed.connect(self._show_counts)
        self.articles.documents_with_code = lambda code_id: self.controller.read(
            self.service.documents_with_code, code_id, default=set()
        )
        self.notes.status_chosen.connect(self.set_status)
        self.notes.memo_saved.connect(self.save_article_memo)
        self.search_panel.run_search = lambda query: self.controller.read(
            self.service.search, query, default=[]
        )
        self.search_panel.hit_activated.connect(self.open_hit)
        self.search_panel.autocode_requested.connect(self.autocode)

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        size = self.settings.value("reader/point_size")
        if size is not None:
            self.reader.point_size = float(size)
            self.reader.apply_font()
        width = self.settings.value("reader/width_em")
        if width is not None:
            self.reader.set_reading_width(int(width))
        self.set_dark(str(self.settings.value("view/dark", "false")) == "true")

    # The project ------------------------------------------------------------------------------
    @property
    def service(self):
        return self.controller.service

    def bind(self, controller: ProjectController) -> None:
        """Show a (new) project: reload every view, then the article the coder last read."""
        self.controller = controller
        controller.task_parent = self  # a big undo shows its progress over this window
        self.codebook.controller = controller
        controller.changed.connect(self.refresh)
        controller.failed.connect(self.show_error)
        controller.connection_changed.connect(self._connection_changed)
        controller.changed_elsewhere.connect(
            lambda: self.statusBar().showMessage("Updated with changes made elsewhere.", 4000)
        )
        self.history.setStack(controller.undo_stack)
        self._set_title()
        self.reader.show_placeholder()
        self.panel.show_annotations([], [])
        self.refresh(Changes(documents=True, codebook=True), reset=True)
        self.warn_if_network_share()
        last = self.settings.value(self._last_document_key())
        if not (last is not None and self.articles.select_document(int(last))):
            self.articles.select_first()
        heap.settle()

    def switch_project(self, controller: ProjectController) -> None:
        self._remember_position()
        old = self.controller
        old.changed.disconnect(self.refresh)
        old.failed.disconnect(self.show_error)
        old.close()
        self.bind(controller)

    def _set_title(self) -> None:
        c = self.controller
        self.setWindowTitle(f"{c.name} — {c.coder_name} — Marginalia")

    def _last_document_key(self) -> str:
        digest = hashlib.sha1(self.controller.service.project.url.encode()).hexdigest()[:16]
        return f"last_document/{digest}"

    def _run(self, action, *args, **kwargs):
        return self.controller.run(action, *args, **kwargs)

    def refresh(self, changes: Changes, reset: bool = False) -> None:
        """Reload only what ``changes`` says changed, all reads through one session."""
        with self.service.snapshot():
            self._refresh(changes, reset)

    def _refresh(self, changes: Changes, reset: bool) -> None:
        read = self.controller.read
        if reset or changes.documents or (changes.annotations_of and self._coder_counts_shown()):
            self.reload_coders()
        elif changes.annotations_of:
            self.coder_counts_stale = True  # read when the Coders or Compare tab appears
        if changes.codebook:
            codes = read(self.service.codes, default=[])
            self.codes.set_codes(codes)
            active = [c for c in codes if not c.archived]
            self.articles.set_codes(active)
            self.search_panel.set_codes(active)
        elif changes.code_counts:
            if changes.code_deltas is not None:  # our own edit says by how much: no read
                self.codes.shift_counts(changes.code_deltas, self.controller.coder_id)
            else:
                self.codes.update_counts(read(self.service.codes, default=[]))
            if self.articles.filters_by_code():  # which articles carry it may have changed
                self.articles.apply_filters()
        if reset or changes.documents:
            self.documents.set_rows(read(self.service.documents, default=[]))
            self.articles.set_outlets(read(self.service.outlets, default=[]))
        current = self.reader.document
        annotations = None  # the open article's, when they changed: read once, used twice
        if current is not None and (changes.codebook or current.id in changes.annotations_of):
            annotations = self._annotations_after(current.id, changes)
            if annotations is None:  # not read: shown as they were, nothing held to patch
                self._annotations_held = (None, [])
        if not (reset or changes.documents) and changes.annotations_of:
            # Only these rows' counts changed; the open article's come from its annotations.
            counted = current.id if annotations is not None else None
            others = sorted(changes.annotations_of - {counted})
            rows = read(self.service.documents, others, default=[]) if others else []
            if counted in changes.annotations_of and (row := self._counted(counted, annotations)):
                rows.append(row)
            self.documents.update_rows(rows)
        self._show_counts()
        if reset or changes.positions:  # set too when a changed passage carries a statement
            self.refresh_positions()
        if current is None:
            return
        if changes.documents:
            document = read(self.service.document, current.id, default=None)
            if document is None:
                self.reader.show_placeholder()
                self.notes.show_article(None, "", "not started")
                return
            self.reader.update_metadata(document)
            self._show_notes()
        if annotations is not None:
            self._reload_annotations(annotations=annotations)

    def reload_coders(self) -> None:
        coders = self.controller.read(self.service.coders, default=[])
        self.coder_records = coders  # the compare view's names, kept until the next change
        self.coders.set_coders(coders, self.controller.coder_id)
        self.compare_panel.set_coders(coders)
        self.coder_counts_stale = False

    def _coder_counts_shown(self) -> bool:
        """Whether a list with coders' counts is on screen (counting costs ~10 ms a click)."""
        return self.coders.isVisible() or self.compare_panel.isVisible()

    def _coder_counts_appear(self) -> None:
        if self.coder_counts_stale and self._coder_counts_shown():
            self.reload_coders()

    def _connection_changed(self, reachable: bool, waiting: int) -> None:
        if reachable:
            self.status_connection.setText("")
            self.statusBar().showMessage("Connected again; every change is saved.", 6000)
        else:
            self.status_connection.setText(
                f"⚠ Database unavailable — {waiting} change(s) not saved yet, retrying…"
            )

    def _show_counts(self) -> None:
        shown, total = self.documents_proxy.rowCount(), self.documents.rowCount()
        articles = f"{total} articles" if shown == total else f"{shown} of {total} articles"
        self.status_counts.setText(f"{articles} · {self.documents.total_annotations} highlights")

    # Documents --------------------------------------------------------------------------------
    def select_document(self, document_id: int) -> None:
        """Select a document in the list (which opens it)."""
        self.articles.select_document(document_id)

    def open_document(self, document_id: int) -> None:
        if self.reader.document is not None and self.reader.document.id == document_id:
            return
        self._remember_position()
        with self.service.snapshot():  # its five reads through one session
            self._open_document(document_id)

    def _open_document(self, document_id: int) -> None:
        document = self.controller.read(self.service.document, document_id, default=None)
        if document is None:
            self.reader.show_placeholder()
            return
        self.reader.show_document(document)
        self._reload_annotations(full=True)
        self._show_notes()
        self.show_mentions()
        if self.positions.this_article.isChecked():
            self.reload_statements()
        self.reader.scroll_to(
            self.controller.read(self.service.reading_position, document_id, default=0)
        )
        self.settings.set_value(self._last_document_key(), document_id)

    def _remember_position(self) -> None:
        document = self.reader.document
        if document is not None:
            self.controller.apply(
                self.service.save_reading_position, document.id, self.reader.visible_offset()
            )

    def _annotations_after(
        self, document_id: int, changes: Changes
    ) -> list[AnnotationRecord] | None:
        """The open article's highlights after an edit (None: they could not be read): when it
        names the few highlights it changed, only those are read and the list held is patched
        (one row, not the article's hundred)."""
        read = self.controller.read
        held_for, held = self._annotations_held
        ids = changes.annotation_ids
        patch = ids is not None and len(ids) <= PATCH_AT_MOST and held_for == document_id
        if changes.codebook or not patch:
            return read(self.service.annotations, document_id, default=None)
        if not ids:
            return held
        changed = read(self.service.annotations, document_id, ids, default=None)
        if changed is None:
            return None
        kept = [a for a in held if a.id not in ids]
        return sorted(kept + changed, key=lambda a: (a.start, a.end, a.id))  # as read in full

    def _counted(self, document_id: int, annotations: list[AnnotationRecord]) -> DocumentRow | None:
        """The article's list row with its counts taken from its (everyone's) annotations."""
        row = self.documents.row_of(document_id)
        if row is None:
            return None
        mine = sum(a.coder_id == self.controller.coder_id for a in annotations)
        old = self.documents.document_at(row)
        return dataclasses.replace(old, n_annotations=len(annotations), n_mine=mine)

    def _reload_annotations(
        self, full: bool = False, annotations: list[AnnotationRecord] | None = None
    ) -> None:
        document = self.reader.document
        if document is None:
            return
        if annotations is None:
            annotations = self.controller.read(self.service.annotations, document.id, default=None)
        if annotations is None:  # not read (the error is shown): nothing held to patch
            self._annotations_held = (None, [])
            annotations = []
        else:
            self._annotations_held = (document.id, annotations)
        hidden = self.coders.hidden_ids()
        annotations = [a for a in annotations if a.coder_id not in hidden]
        self.reader.set_annotations(annotations, self._colors(annotations), full=full)
        current = self.panel.current
        shown_ids = self.panel.shown_ids
        shown = [a for a in annotations if a.id in shown_ids]
        self.panel.show_annotations(shown, self.codes.codes, current.id if current else None)
        self.refresh_comparison()

    def _colors(self, annotations: list[AnnotationRecord]) -> dict[int, str]:
        by_id = {c.id: c.color for c in self.codes.codes}
        colors = {}
        for a in annotations:
            code_colors = [by_id[c] for c in a.code_ids if c in by_id]
            colors[a.id] = blend_hex(code_colors) if code_colors else UNCODED_COLOR
        return colors

    def _show_notes(self) -> None:
        document = self.reader.document
        row = self.documents.row_of(document.id) if document else None
        status = self.documents.document_at(row).status if row is not None else "not started"
        self.notes.show_article(
            document.id if document else None, document.memo if document else "", status
        )

    def edit_metadata(self) -> None:
        document = self.reader.document
        if document is None:
            return
        dialog = MetadataDialog(document.metadata, self)
        if dialog.exec():
            update = self.service.update_metadata
            self._run(update, document.id, dialog.metadata(), document.version)

    def open_article_memo(self) -> None:
        self.docks["details"].show()
        self.details.setCurrentWidget(self.notes)
        self.notes.memo.setFocus()

    def save_article_memo(self, memo: str) -> None:
        if self.reader.document is not None:
            document = self.reader.document
            self._run(self.service.set_document_memo, document.id, memo, document.version)

    def set_status(self, status: str) -> None:
        if self.reader.document is not None:
            self._run(self.service.set_status, self.reader.document.id, status)

    def delete_current_article(self) -> bool:
        document = self.reader.document
        if document is None or not self.confirm(
            "Delete article",
            f"Delete “{document.title}” and hide its highlights? (Ctrl+Z undoes it.)",
        ):
            return False
        self.reader.show_placeholder()
        return self._run(self.service.delete_documents, [document.id]) is not None

    def open_search(self) -> None:
        self.docks["library"].show()
        self.library.setCurrentWidget(self.search_panel)
        self.search_panel.query.setFocus()
        self.search_panel.query.selectAll()

    def create_code(self, name: str, color: str | None = None, parent_id: int | None = None):
        return self.codebook.create_code(name, parent_id, color)

    # View -------------------------------------------------------------------------------------
    def zoom(self, steps: int) -> None:
        self.settings.set_value("reader/point_size", self.reader.zoom(steps))

    def set_reading_width(self, em: int) -> None:
        self.reader.set_reading_width(em)
        self.settings.set_value("reader/width_em", em)

    def set_dark(self, dark: bool | None) -> None:
        """Switch the palette; None toggles."""
        dark = not theme.is_dark() if dark is None else dark
        theme.apply(dark)
        self.dark_action.setChecked(dark)
        self.settings.set_value("view/dark", "true" if dark else "false")

    # Messages ---------------------------------------------------------------------------------
    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, message: str) -> None:
        """Tell the user without blocking (tests and long jobs go on)."""
        self.last_error = message
        self.statusBar().showMessage(message, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, "Marginalia", message, parent=self)
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        waiting = len(self.controller.pending)
        if waiting and not self.confirm(
            "Changes not saved",
            f"{waiting} change(s) could not be saved yet (the database is unavailable). "
            "Quit anyway and lose them?",
        ):
            event.ignore()
            return
        for task in list(self.tasks):
            task.cancel()
        QThreadPool.globalInstance().waitForDone(10_000)  # cancelled jobs roll back first
        self._remember_position()
        self.settings.set_value("window/state", self.saveState())
        self.settings.set_value("window/geometry", self.saveGeometry())
        self.settings.sync()
        super().closeEvent(event)


def _tabs(parent: QWidget, *pages: tuple[str, QWidget]) -> QTabWidget:
    tabs = QTabWidget(parent)
    tabs.setDocumentMode(True)
    for title, page in pages:
        tabs.addTab(page, title)
    return tabs
