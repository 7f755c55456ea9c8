"""What the main window does when an owner compares coders and settles their disagreements:
lanes beside the text, the passage list, next disagreement (across articles), and the
adjudication keys that build the gold layer."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt

from db.logic.comparison import Passage, Target, differing_ranges, layer_of
from db.queries.comparison import Comparison
from db.records import CoderRecord
from desktop.dialogs.adjudicate import AdjudicateDialog
from desktop.dialogs.agreement import AgreementDialog
from desktop.tasks import Task
from desktop.widgets.compare import LETTERS
from desktop.widgets.lanes import GOLD_COLOR, lane_color


class CompareActions:
    """Mixed into MainWindow; uses its reader, compare panel, codes model and controller."""

    comparison: Comparison | None = None
    current_passage: Passage | None = None
    coder_records: Sequence[CoderRecord] = ()
    """The project's coders as last read by ``refresh`` (on open and on Changes to highlights
    or documents): a key press names coders without asking the database again."""

    @property
    def comparing(self) -> bool:
        """Lanes and keys are live while the Compare tab is in front with two coders ticked."""
        return (
            self.details.currentWidget() is self.compare_panel
            and self.docks["details"].isVisible()
            and len(self.compare_panel.coder_ids()) >= 2
        )

    def open_compare(self) -> None:
        self.docks["details"].show()
        self.details.setCurrentWidget(self.compare_panel)
        docks = [self.docks["codebook"], self.docks["details"]]
        total = sum(d.height() for d in docks)
        sizes = [total // 4, total - total // 4]  # room for the passages
        self.resizeDocks(docks, sizes, Qt.Orientation.Vertical)
        if len(self.compare_panel.coder_ids()) < 2:  # a sensible start: the two busiest coders
            people = [c for c in self.read_coders() if c.role != "gold" and c.n_annotations]
            people.sort(key=lambda c: -c.n_annotations)
            self.compare_panel.tick([c.id for c in people[:2]])
        self.refresh_comparison()

    def read_coders(self) -> list[CoderRecord]:
        return list(self.coder_records)

    def compare_visibility_changed(self) -> None:
        """The Details dock was closed, hidden behind another dock, or shown again: lanes and
        keys follow whether the Compare tab can be seen."""
        if self.comparing != (self.comparison is not None):
            self.refresh_comparison()

    def refresh_comparison(self) -> None:
        """Re-read the open article's comparison and repaint lanes, list and detail."""
        document = self.reader.document
        coder_ids = self.compare_panel.coder_ids()
        if document is None or not self.comparing:
            self.comparison = self.current_passage = None
            self.reader.show_lanes([], [])
            if document is None or len(coder_ids) < 2:
                self.compare_panel.show_passages("", [], [])
                self.compare_panel.summary.setText("Tick two or more coders to compare them.")
            return
        comparison = self.controller.read(
            self.service.compare, document.id, coder_ids, default=None
        )
        if comparison is None:
            return
        self.comparison = comparison
        names = self._coder_names(coder_ids)
        self.compare_panel.set_letters(names)
        states = [self._state(p) for p in comparison.passages]
        names_of_codes = {c.id: c.name for c in self.codes.codes}
        self.compare_panel.show_passages(
            document.text, list(comparison.passages), states, names_of_codes
        )
        n_open = states.count("open")
        self.compare_panel.summary.setText(
            f"This article: {_count(len(states), 'passage')} · "
            f"{_count(len(comparison.disagreements), 'disagreement')} · {n_open} open"
        )
        lanes = [
            (name, lane_color(i), [(c.start, c.end) for c in comparison.codings_of(coder)])
            for i, (coder, name) in enumerate(zip(coder_ids, names, strict=True))
        ]
        lanes.append(("gold", GOLD_COLOR, [(g.start, g.end) for g in comparison.gold]))
        marks = [
            (start, end, state == "open")
            for passage, state in zip(comparison.passages, states, strict=True)
            if state != "agreed"
            for start, end in differing_ranges(passage, coder_ids) or [(passage.start, passage.end)]
        ]
        self.reader.show_lanes(lanes, marks)
        self._show_current_passage()

    def _state(self, passage: Passage) -> str:
        if passage.agreed:
            return "agreed"
        return "decided" if self.comparison.resolved(passage) else "open"

    def _coder_names(self, coder_ids: list[int]) -> list[str]:
        names = {c.id: c.name for c in self.read_coders()}
        return [names.get(c, "?") for c in coder_ids]

    def _show_current_passage(self) -> None:
        comparison, passage = self.comparison, self.current_passage
        rows = list(comparison.passages) if comparison else []
        if passage is not None:  # the same passage after a refresh (its bounds may have moved)
            same_code = [p for p in rows if p.code_id == passage.code_id]
            passage = next(
                (p for p in same_code if (p.start, p.end) == (passage.start, passage.end)),
                next((p for p in same_code if p.overlaps(passage.start, passage.end)), None),
            )
        self.current_passage = passage
        self.compare_panel.select_row(rows.index(passage) if passage else None)
        coder_ids = list(comparison.coder_ids) if comparison else []
        gold = list(comparison.gold) if comparison else []
        ruled = bool(passage and comparison and comparison.ruling_for(passage))
        in_passage = [
            (g.start, g.end, g.code_ids)
            for g in gold
            if passage and passage.overlaps(g.start, g.end) and passage.code_id in layer_of(g)
        ]
        self.compare_panel.show_passage(
            passage,
            self._coder_names(coder_ids),
            {c.id: c for c in self.codes.codes},
            coder_ids,
            in_passage,
            self.reader.document.text if self.reader.document else "",
            self._state(passage) if passage else "open",
            ruled,
        )

    def choose_passage(self, row: int) -> None:
        if self.comparison is None or not 0 <= row < len(self.comparison.passages):
            return
        self.current_passage = self.comparison.passages[row]
        self.reader.select_span(self.current_passage.start, self.current_passage.end)
        self._show_current_passage()

    # Moving between disagreements ------------------------------------------------------------
    def step_disagreement(self, step: int = 1) -> bool:
        """Select the next (or previous) open disagreement, opening another article if needed."""
        if not self.comparing:
            self.open_compare()
            if not self.comparing:
                self.statusBar().showMessage("Tick two coders in the Compare tab first.", 5000)
                return False
        rows = list(self.comparison.passages)
        current = self.current_passage
        here = rows.index(current) if current in rows else (-1 if step > 0 else len(rows))
        ahead = [
            i
            for i, p in enumerate(rows)
            if self._state(p) == "open" and (i > here if step > 0 else i < here)
        ]
        if ahead:
            self.choose_passage(ahead[0 if step > 0 else -1])
            return True
        return self._next_article_with_disagreements(step)

    def _next_article_with_disagreements(self, step: int) -> bool:
        coder_ids = self.compare_panel.coder_ids()
        current = self.reader.document.id if self.reader.document else None
        target = self.controller.read(
            self.service.next_open_document, coder_ids, current, step, default=None
        )
        if target is None:
            self.statusBar().showMessage("No open disagreements left between these coders.", 8000)
            return False
        self.current_passage = None
        self.select_document(target)
        self.open_document(target)
        opened = [i for i, p in enumerate(self.comparison.passages) if self._state(p) == "open"]
        if opened:
            self.choose_passage(opened[0 if step > 0 else -1])
        title = self.reader.document.title if self.reader.document else ""
        self.statusBar().showMessage(f"Next open disagreement: {title}", 6000)
        return True

    # Deciding ---------------------------------------------------------------------------------
    def adjudication_key(self, key: str) -> None:
        """A/B/C/D accept a coder, U everyone, E edit, S skip, N next."""
        if not self.comparing:
            return
        if key in ("n", "s"):
            self.step_disagreement(1)
            return
        passage, document = self.current_passage, self.reader.document
        if passage is None or document is None:
            self.statusBar().showMessage("Press N to go to the next disagreement first.", 4000)
            return
        coder_ids = list(self.comparison.coder_ids)
        target = Target.of(document.id, passage)
        if key in LETTERS and LETTERS.index(key) < len(coder_ids):
            chosen = [coder_ids[LETTERS.index(key)]]
            done = self._run(self.service.accept_coding, target, chosen)
        elif key == "u":
            done = self._run(self.service.accept_coding, target, coder_ids)
        elif key == "e":
            done = self.edit_gold(passage)
        else:
            return
        if done is not None:
            self.step_disagreement(1)

    def edit_gold(self, passage: Passage):
        document = self.reader.document
        used = set() if passage.code_id is None else {passage.code_id}
        dialog = AdjudicateDialog(
            document.text, (passage.start, passage.end), self.codes.active_codes(), used, self
        )
        if not dialog.exec():
            return None
        items = [(*dialog.span(), dialog.code_ids())]
        return self._run(self.service.settle_passage, Target.of(document.id, passage), items)

    def accept_agreed(self) -> Task | None:
        """Copy every agreed passage to gold in the background (one undoable step)."""
        coder_ids = self.compare_panel.coder_ids()
        if len(coder_ids) < 2:
            self.statusBar().showMessage("Tick two coders in the Compare tab first.", 5000)
            return None
        service = self.service
        task = Task(
            self,
            "Copying agreed passages to gold…",
            lambda progress: service.accept_agreed(coder_ids, progress),
        )
        task.succeeded.connect(lambda result: self.controller.finished_elsewhere(result[1]))
        task.succeeded.connect(
            lambda result: self.statusBar().showMessage(
                f"{result[0]} agreed span(s) copied to gold.", 8000
            )
        )
        task.failed.connect(self.show_error)
        task.cancelled.connect(
            lambda: self.statusBar().showMessage("Cancelled; gold is as it was.", 6000)
        )
        return self._start(task)

    # The agreement report ----------------------------------------------------------------------
    def open_agreement(self) -> AgreementDialog:
        ticked = self.compare_panel.coder_ids()
        if len(ticked) < 2:
            people = [c for c in self.read_coders() if c.role != "gold" and c.n_annotations]
            ticked = [c.id for c in sorted(people, key=lambda c: -c.n_annotations)[:2]]
        dialog = AgreementDialog(self.read_coders(), self.codes.codes, ticked, self)
        dialog.compute_requested.connect(
            lambda coders, codes: self.compute_agreement(dialog, coders, codes)
        )
        dialog.save_requested.connect(lambda: self.save_agreement(dialog))
        dialog.open()
        return dialog

    def compute_agreement(
        self, dialog: AgreementDialog, coders: list[str], codes: list[str] | None
    ) -> Task:
        """Coefficients can take seconds on a big project: computed off the GUI thread."""
        service = self.service
        task = Task(
            self, "Computing agreement…", lambda _progress: service.agreement(coders, codes)
        )
        task.succeeded.connect(dialog.show_rows)
        task.failed.connect(lambda message: dialog.message.setText(message))
        dialog.report_coders = coders
        dialog.report_codes = codes
        return self._start(task)

    def save_agreement(self, dialog: AgreementDialog) -> Task | None:
        filters = "Web page (*.html);;CSV (*.csv)"
        if path := self._save_path("Save the agreement report", "agreement.html", filters):
            rows = dialog.rows.records()
            return self.export(
                path,
                "Saving the report…",
                self.service.export_agreement,
                rows,
                dialog.report_coders,
                getattr(dialog, "report_codes", None),
            )
        return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
