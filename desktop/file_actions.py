"""What the main window does with files: import articles (tables through a column mapping)
and REFI-QDA files, export, open or create projects, and switch coder."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QActionGroup, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from db.changes import Changes
from db.engine import url_user
from db.errors import InvalidInput
from db.queries.positions import StatementFilter
from db.readers.registry import SUPPORTED_SUFFIXES, is_table
from db.readers.tables import TableMapping
from db.records import ImportReport
from desktop.dialogs.network import NetworkDialog
from desktop.dialogs.server import ServerDialog
from desktop.dialogs.table_mapping import TableMappingDialog
from desktop.project import open_controller
from desktop.tasks import Task

EXCHANGE_SUFFIXES = (".qdpx", ".qdc")


def _patterns(suffixes) -> str:
    # both cases: some platforms' dialogs match "*.pdf" case-sensitively (REPORT.PDF)
    return " ".join(f"*{s} *{s.upper()}" for s in sorted(suffixes))


def _with_suffix(path: Path, suffix: str) -> Path:
    """Some platforms' save dialogs do not add the suffix; REFI-QDA tools need it."""
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


class FileActions:
    """Mixed into MainWindow."""

    import_task: Task | None = None
    """The running (or last) article import, once tables are mapped: tests wait on it."""
    mapping_dialog: TableMappingDialog | None = None
    """The open column-mapping dialog while tables wait to be imported."""
    last_exchange_import = None

    def import_files_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import articles",
            "",
            f"Articles and tables ({_patterns(SUPPORTED_SUFFIXES)});;"
            f"REFI-QDA project or codebook ({_patterns(EXCHANGE_SUFFIXES)});;All files (*)",
        )
        if files:
            self.import_any([Path(f) for f in files])

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import every article in a folder")
        if folder:
            self.import_paths([Path(folder)])

    def import_any(self, paths: list[Path]) -> None:
        """REFI-QDA files (each its own import), then articles and tables, one after another."""
        exchange = [p for p in paths if p.suffix.lower() in EXCHANGE_SUFFIXES]
        articles = [p for p in paths if p not in exchange]
        steps: list[Callable[[], Task | None]] = [
            lambda p=p: self.import_exchange(p) for p in exchange
        ]
        if articles:
            steps.append(lambda: self.import_paths(articles))
        self._one_after_another(steps)

    def _one_after_another(self, steps: list[Callable[[], Task | None]]) -> None:
        """Start each step when the one before has succeeded (a failure or Cancel stops)."""
        if not steps:
            return
        task = steps[0]()
        if task is not None and len(steps) > 1:
            task.succeeded.connect(lambda _r: self._one_after_another(steps[1:]))

    def import_paths(self, paths: list[Path]) -> Task:
        """Import articles; tables among the files are read first and each one's columns
        confirmed in the mapping dialog (Cancel there skips that table)."""
        tables = [p for p in paths if is_table(p) and p.is_file()]
        if not tables:
            return self._import_articles(paths, {})
        service, rest = self.service, [p for p in paths if p not in tables]

        def read(progress) -> dict[Path, tuple]:
            found = {}
            for done, path in enumerate(tables):
                progress(done, len(tables))
                with suppress(InvalidInput):  # unreadable: the import reports why, with the rest
                    found[path] = service.read_table(path)
            return found

        task = Task(self, "Reading tables…", read)
        task.succeeded.connect(lambda found: self._map_tables(rest, tables, found, {}))
        task.failed.connect(self.show_error)
        task.cancelled.connect(
            lambda: self.statusBar().showMessage("Import cancelled; nothing was added.", 6000)
        )
        return self._start(task)

    def _map_tables(
        self,
        rest: list[Path],
        queue: list[Path],
        found: dict[Path, tuple],
        mappings: dict[Path, TableMapping],
    ) -> None:
        """Ask for the next table's columns; once all are answered, import in the background."""
        unreadable = [p for p in queue if p not in found]
        rest, queue = rest + unreadable, [p for p in queue if p in found]
        if not queue:
            self.mapping_dialog = None
            if rest or mappings:
                self._import_articles(rest + list(mappings), mappings)
            else:
                self.statusBar().showMessage("Import cancelled; nothing was added.", 6000)
            return
        path, later = queue[0], queue[1:]
        table, guess = found[path]
        dialog = TableMappingDialog(path.name, table, guess, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.mapping_dialog = dialog

        def answered(result: int) -> None:
            chosen = dict(mappings)
            if result:
                chosen[path] = dialog.mapping()
            self._map_tables(rest, later, found, chosen)

        dialog.finished.connect(answered)
        dialog.open()

    def _import_articles(self, paths: list[Path], mappings: dict[Path, TableMapping]) -> Task:
        service = self.service
        task = Task(
            self,
            "Importing articles…",
            lambda progress: service.import_files(paths, progress, mappings),
        )
        task.succeeded.connect(self._imported)
        task.failed.connect(self.show_error)
        task.cancelled.connect(
            lambda: self.statusBar().showMessage("Import cancelled; nothing was added.", 6000)
        )
        self.import_task = task
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

    # REFI-QDA exchange ------------------------------------------------------------------------
    def import_exchange_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import a REFI-QDA project or codebook",
            "",
            f"REFI-QDA project or codebook ({_patterns(EXCHANGE_SUFFIXES)});;All files (*)",
        )
        if path:
            self.import_exchange(Path(path))

    def import_exchange(self, path: Path) -> Task:
        """A .qdpx project (articles, codes, highlights, positions) or a .qdc codebook, merged
        into this project in one transaction: Cancel or a broken file leaves it as it was."""
        service = self.service
        if path.suffix.lower() == ".qdc":
            title = "Importing the codebook…"
            task = Task(self, title, lambda _progress: service.import_qdc(path))
        else:
            title = "Importing the REFI-QDA project…"
            task = Task(self, title, lambda progress: service.import_qdpx(path, progress))
        task.succeeded.connect(self._exchange_imported)
        task.failed.connect(self.show_error)
        task.cancelled.connect(
            lambda: self.statusBar().showMessage("Import cancelled; nothing was added.", 6000)
        )
        return self._start(task)

    def _exchange_imported(self, result) -> None:
        report, changes = result
        self.last_exchange_import = report
        self.refresh(changes)
        self.statusBar().showMessage(report.summary(), 10000)
        if details := report.details():
            box = QMessageBox(
                QMessageBox.Icon.Information, "Import finished", report.summary(), parent=self
            )
            box.setDetailedText(details)
            box.open()

    def export_qdpx_dialog(self) -> None:
        filters = f"REFI-QDA project ({_patterns(['.qdpx'])})"
        if path := self._save_path("Export REFI-QDA project", f"{self.service.name}.qdpx", filters):
            self.export_qdpx(_with_suffix(path, ".qdpx"))

    def export_qdpx(self, path: Path) -> Task:
        """The whole project for other QDA tools; Cancel leaves no file behind."""
        service = self.service
        task = Task(
            self,
            "Exporting the REFI-QDA project…",
            lambda progress: service.export_qdpx(path, progress),
        )
        task.succeeded.connect(
            lambda summary: self.statusBar().showMessage(
                f"{summary.summary()} Written: {path}", 10000
            )
        )
        task.failed.connect(self.show_error)
        task.cancelled.connect(
            lambda: self.statusBar().showMessage("Export cancelled; no file was written.", 6000)
        )
        return self._start(task)

    def export_qdc_dialog(self) -> None:
        filters = f"REFI-QDA codebook ({_patterns(['.qdc'])})"
        if path := self._save_path("Export codebook", "codebook.qdc", filters):
            self.export_qdc(_with_suffix(path, ".qdc"))

    def export_qdc(self, path: Path) -> Task:
        return self.export(path, "Exporting the codebook…", self.service.export_qdc)

    def import_annotations_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import annotations", "", "JSON Lines (*.jsonl *.ndjson);;All files (*)"
        )
        if path:
            self.import_annotations(Path(path))

    def import_annotations(self, path: Path) -> Task:
        """JSON Lines of annotations and statements, as this coder unless a line names one."""
        service = self.service
        task = Task(self, "Importing annotations…", lambda _p: service.import_annotations(path))
        task.succeeded.connect(self._annotations_imported)
        task.failed.connect(self.show_error)
        return self._start(task)

    def _annotations_imported(self, result) -> None:
        report, changes = result
        self.last_annotation_import = report
        self.controller.finished_elsewhere(changes)
        self.refresh(Changes(documents=True, codebook=True, positions=True))
        self.statusBar().showMessage(report.summary(), 10000)
        if report.skipped:
            box = QMessageBox(
                QMessageBox.Icon.Information, "Import finished", report.summary(), parent=self
            )
            box.setDetailedText(report.details())
            box.open()

    def export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export annotations", "annotations.csv", "CSV (*.csv)"
        )
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> Task:
        service, coders = self.service, self.export_coders
        task = Task(
            self,
            "Exporting annotations…",
            lambda progress: service.export_annotations_csv(path, progress=progress, coders=coders),
        )  # Cancel stops between batches and leaves no file behind
        task.succeeded.connect(lambda _r: self.statusBar().showMessage(f"Written: {path}", 10000))
        task.failed.connect(self.show_error)
        return self._start(task)

    def export(self, path: Path, title: str, write, *args, **kwargs) -> Task:
        """Run an export in the background; say where it went, or why it failed."""
        task = Task(self, title, lambda _progress: write(path, *args, **kwargs))
        task.succeeded.connect(lambda _r: self.statusBar().showMessage(f"Written: {path}", 10000))
        task.failed.connect(self.show_error)
        return self._start(task)

    def _save_path(self, title: str, default: str, filters: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, title, default, filters)
        return Path(path) if path else None

    # Whose coding the exports hold ------------------------------------------------------------
    export_coders: list[str] | None = None
    """None: everyone's; else these coders' (e.g. ["gold"] after adjudication)."""

    def export_criteria(self) -> StatementFilter | None:
        coders = self.export_coders
        return None if coders is None else StatementFilter(coders=frozenset(coders))

    def fill_export_scope_menu(self, menu: QMenu) -> None:
        """All coders, gold (once it exists) and each coder: a radio choice."""
        menu.clear()
        group = QActionGroup(menu)
        coders = self.controller.read(self.service.coders, default=[])
        gold = [c.name for c in coders if c.role == "gold"]
        people = [c.name for c in coders if c.role != "gold"]
        choices = [("All coders", None)] + [(f"{g} (adjudicated)", [g]) for g in gold]
        choices += [(name, [name]) for name in people]
        for label, value in choices:
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(value == self.export_coders)
            action.setActionGroup(group)
            action.triggered.connect(lambda _checked=False, v=value: self.set_export_coders(v))

    def set_export_coders(self, coders: list[str] | None) -> None:
        self.export_coders = coders
        whose = "everyone's" if coders is None else f"{', '.join(coders)}'s"
        self.statusBar().showMessage(f"Exports and summaries now hold {whose} coding.", 6000)

    def export_positions_dialog(self) -> None:
        if path := self._save_path("Export positions", "positions.csv", "CSV (*.csv)"):
            criteria = self.export_criteria()
            self.export(path, "Exporting positions…", self.service.export_positions_csv, criteria)

    def export_summary_dialog(self) -> None:
        if path := self._save_path("Export summary workbook", "summary.xlsx", "Excel (*.xlsx)"):
            criteria = self.export_criteria()
            self.export(path, "Exporting the summary…", self.service.export_summary, criteria)

    def export_brief_dialog(self) -> None:
        filters = "Web page (*.html);;Word (*.docx);;Markdown (*.md)"
        if path := self._save_path("Export issue brief", "issue-brief.html", filters):
            criteria = self.export_criteria()
            self.export(path, "Writing the issue brief…", self.service.export_brief, criteria)

    def export_network_dialog(self) -> None:
        scale = self.controller.read(self.service.stance_scale, default=())
        dialog = NetworkDialog(scale, self)
        if not dialog.exec():
            return
        kind, options = dialog.options()
        filters = "GraphML (*.graphml);;CSV edge list (*.csv)"
        if path := self._save_path("Export network", f"{kind}.graphml", filters):
            criteria = self.export_criteria()
            self.export(
                path,
                "Exporting the network…",
                self.service.export_network,
                kind,
                criteria,
                **options,
            )

    def _start(self, task: Task) -> Task:
        self.tasks.add(task)
        task.finished.connect(lambda: self.tasks.discard(task))
        task.finished.connect(self.controller.resync)  # our own job is not news from elsewhere
        return task.start()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_any(paths)

    def backup_dialog(self) -> None:
        project = self.service.project.path
        default = f"{project.stem}-backup.sqlite" if project else "backup.sqlite"
        if path := self._save_path("Back up the project", default, "SQLite (*.sqlite)"):
            self.export(path, "Backing up…", self.service.backup)

    def export_copy_dialog(self) -> None:
        filters = "Marginalia projects (*.sqlite)"
        if path := self._save_path("Export a coder copy", "coder-copy.sqlite", filters):
            self.export(path, "Writing the copy…", self.service.export_copy)

    def merge_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Merge a coder copy", "", "Marginalia projects (*.sqlite *.db);;All files (*)"
        )
        if path:
            self.merge_copy(Path(path))

    def merge_copy(self, path: Path) -> Task:
        """Fold a coder's offline copy into this project (by UUID; conflicts are listed)."""
        service = self.service
        task = Task(self, "Merging…", lambda _progress: service.merge_from(path))
        task.succeeded.connect(self._merged)
        task.failed.connect(self.show_error)
        return self._start(task)

    def _merged(self, result) -> None:
        report, changes = result
        self.last_merge = report
        self.controller.finished_elsewhere(changes)
        self.statusBar().showMessage(report.summary(), 10000)
        if report.conflicts:
            box = QMessageBox(QMessageBox.Icon.Information, "Merge", report.summary(), parent=self)
            box.setDetailedText(report.details())
            box.open()

    def warn_if_network_share(self) -> bool:
        if not self.service.on_network_share:
            return False
        self.show_error(
            "This project file is on a network share, where SQLite cannot lock it safely: "
            "two people coding at once may corrupt it. Work on a local copy, or use a server."
        )
        return True

    # Projects and coder ----------------------------------------------------------------------
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

    def connect_dialog(self) -> None:
        dialog = ServerDialog(self.controller.coder_name, self)
        if dialog.exec():
            self.open_project(dialog.url(), create=False)

    def open_project(self, path: Path | str, *, create: bool) -> bool:
        """A project file, or a server URL (never remembered: it may carry a password)."""
        if self.tasks:  # a job's result must land in the project it was started on
            self.show_error("Wait for the running job to finish (or cancel it) first.")
            return False
        coder = self.controller.coder_name
        if isinstance(path, str):
            coder = url_user(path) or coder  # on a server you code as your login
        try:
            controller = open_controller(path, coder, create=create)
        except Exception as exc:  # any failure to open is shown; nothing changes
            self.show_error(str(exc))
            return False
        self.switch_project(controller)
        if isinstance(path, Path):
            self.settings.last_project = path
        return True

    def change_coder_dialog(self) -> None:
        name, ok = QInputDialog.getText(
            self, "Coder", "Your name as coder:", text=self.controller.coder_name
        )
        if ok and name.strip():
            self.change_coder(name.strip())

    def change_coder(self, name: str) -> None:
        try:
            self.controller.switch_coder(name)
        except Exception as exc:
            self.show_error(str(exc))
            return
        self.settings.coder = name
        self._set_title()
        self.refresh(Changes(documents=True, codebook=True))
