"""What the main window does with files: import articles, export CSV, open or create
projects, and switch coder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QActionGroup, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from db.changes import Changes
from db.engine import url_user
from db.queries.positions import StatementFilter
from db.readers.registry import SUPPORTED_SUFFIXES
from db.records import ImportReport
from desktop.dialogs.network import NetworkDialog
from desktop.dialogs.server import ServerDialog
from desktop.project import open_controller
from desktop.tasks import Task


class FileActions:
    """Mixed into MainWindow."""

    def import_files_dialog(self) -> None:
        # both cases: some platforms' dialogs match "*.pdf" case-sensitively (REPORT.PDF)
        patterns = " ".join(f"*{s} *{s.upper()}" for s in sorted(SUPPORTED_SUFFIXES))
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
            self.import_paths(paths)

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
