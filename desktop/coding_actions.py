"""What the main window does when a user codes: apply codes to the selection (keys 1–9, a
click in the codebook, the context menu, quick code), edit a clicked highlight, step between
highlights, and auto-code search hits."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from db.logic.metadata import shorten
from desktop.tasks import Task
from desktop.widgets.quick_code import QuickCodeDialog


class CodingActions:
    """Mixed into MainWindow; uses its reader, panel, codes model and controller."""

    def apply_code(self, code_id: int) -> int | None:
        """Tag the reader's selection with a code; returns the annotation id."""
        document, span = self.reader.document, self.reader.selected_span()
        if document is None or span is None:
            self.statusBar().showMessage("Select some text first, then choose a code.", 4000)
            return None
        result = self._run(
            self.service.annotate, document.id, self.controller.coder_id, *span, [code_id]
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

    def quick_code(self) -> QuickCodeDialog:
        dialog = QuickCodeDialog(self.codes.active_codes(), self)
        dialog.code_chosen.connect(self.apply_code)
        dialog.open()
        return dialog

    def new_code_from_selection(self) -> None:
        code_id = self.codebook.new_code_dialog(None)
        if code_id is not None:
            self.apply_code(code_id)

    # The highlight panel ---------------------------------------------------------------------
    def _reader_clicked(self, utf16_position: int) -> None:
        self.show_highlights_at(self.reader.offset_at(utf16_position))

    def show_highlights_at(self, offset: int) -> None:
        annotations = self.reader.annotations_at(offset)
        self.panel.show_annotations(annotations, self.codes.codes)
        if annotations:
            self.details.setCurrentWidget(self.panel)

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
            for code in self.codes.active_codes():
                key = f"{code.shortcut}  " if code.shortcut else ""
                action = code_menu.addAction(f"{key}{code.path}")
                action.setData(code.id)
                action.triggered.connect(lambda _c=False, cid=code.id: self.apply_code(cid))
            menu.addAction("Quick code…\tCtrl+K", self.quick_code)
            menu.addAction("New code from selection…", self.new_code_from_selection)
        for a in self.reader.annotations_at(self.reader.offset_at(utf16_position)):
            menu.addSeparator()
            label = shorten(a.quote, 30)
            menu.addAction(
                f"Edit highlight “{label}”",
                lambda a=a: self.panel.show_annotations([a], self.codes.codes),
            )
            menu.addAction(f"Delete highlight “{label}”", lambda a=a: self.delete_annotation(a.id))
        menu.addSeparator()
        menu.addAction("Copy", self.reader.body.copy)
        return menu

    def _context_menu(self, global_pos: QPoint, utf16_position: int) -> None:
        self.context_menu(utf16_position).exec(global_pos)

    # Stepping through highlights ------------------------------------------------------------
    def step_highlight(self, delta: int) -> None:
        """Select the next (+1) or previous (-1) highlight and say which codes it carries."""
        annotations = self.reader.annotations
        if not annotations:
            self.statusBar().showMessage("This article has no highlights.", 3000)
            return
        here = self.reader.cursor_offset()
        if delta > 0:
            target = next((a for a in annotations if a.start > here), annotations[0])
        else:
            target = next((a for a in reversed(annotations) if a.start < here), annotations[-1])
        self.reader.select_span(target.start, target.end)
        self.panel.show_annotations([target], self.codes.codes)
        names = [self.codes.by_id(c).path for c in target.code_ids if self.codes.by_id(c)]
        self.statusBar().showMessage(
            f"{', '.join(names) or 'No code'} — {target.coder_name}: “{shorten(target.quote, 60)}”",
            8000,
        )

    # Search and auto-code --------------------------------------------------------------------
    def open_hit(self, document_id: int, start: int, end: int) -> None:
        self.articles.select_document(document_id) or self.open_document(document_id)
        if self.reader.document is not None and self.reader.document.id == document_id:
            self.reader.select_span(start, end)

    def autocode(self, code_id: int, hits: list[tuple[int, int, int]]) -> Task | None:
        code = self.codes.by_id(code_id)
        if code is None or not self.confirm(
            "Auto-code",
            f"Tag {len(hits)} passage(s) with “{code.path}”? This is one step: Ctrl+Z undoes it.",
        ):
            return None
        service = self.service
        task = Task(
            self,
            f"Auto-coding {len(hits)} passages…",
            lambda progress: service.autocode(code_id, hits, progress),
        )
        task.succeeded.connect(lambda result: self.controller.finished_elsewhere(result[1]))
        task.succeeded.connect(
            lambda result: self.statusBar().showMessage(f"Tagged {result[0]} passage(s).", 8000)
        )
        task.failed.connect(self.show_error)
        task.cancelled.connect(
            lambda: self.statusBar().showMessage("Auto-code cancelled; nothing changed.", 6000)
        )
        return self._start(task)
