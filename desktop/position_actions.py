"""What the main window does for position coding: the P form, the Positions dock, and
underlining mentions of known actors in the reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.logic.aliases import AliasMatcher
from db.records import StatementRecord
from desktop.dialogs.position import PositionDialog, PositionInput
from desktop.dialogs.vocabulary import VocabularyDialog

if TYPE_CHECKING:
    from desktop.widgets.summary_view import SummaryView


class PositionActions:
    """Mixed into MainWindow."""

    def code_position(self) -> int | None:
        """Open the position form for the selection; returns the new statement's id."""
        document, span = self.reader.document, self.reader.selected_span()
        if document is None or span is None:
            self.statusBar().showMessage("Select the passage first, then press P.", 4000)
            return None
        actors = self.controller.read(self.service.actors, default=[])
        quote = document.text[span[0] : span[1]]
        matcher = AliasMatcher((a.id, a.name, a.aliases) for a in actors)
        mentioned = matcher.single_actor(quote)
        name = next((a.name for a in actors if a.id == mentioned), "")
        dialog = PositionDialog(
            quote,
            actors,
            self.controller.read(self.service.issues, default=[]),
            self.controller.read(self.service.stance_scale, default=()),
            actor=name,
            parent=self,
        )
        body = self.reader.body
        dialog.move(body.viewport().mapToGlobal(body.cursorRect().bottomLeft()))  # at the passage
        if not dialog.exec():
            return None
        return self._save_position(dialog.value(), document.id, span)

    def _save_position(self, value: PositionInput, document_id: int, span) -> int | None:
        result = self._run(
            self.service.code_position,
            document_id,
            *span,
            value.actor,
            value.issue,
            value.stance,
            value.source,
            value.certainty,
        )
        return None if result is None else result[0]

    def open_summary(self) -> SummaryView:
        from desktop.widgets.summary_view import SummaryView  # matplotlib: ~1 s to import

        criteria = self.export_criteria()
        statements = self.controller.read(self.service.statements, criteria, default=[])
        view = SummaryView(statements, self.codes.codes, self)
        view.open()
        return view

    def open_vocabulary(self) -> VocabularyDialog:
        dialog = VocabularyDialog(self.controller, self)
        dialog.open()
        return dialog

    def edit_statement(self, statement: StatementRecord) -> bool:
        dialog = PositionDialog(
            statement.quote,
            self.controller.read(self.service.actors, default=[]),
            self.controller.read(self.service.issues, default=[]),
            self.controller.read(self.service.stance_scale, default=()),
            actor=statement.actor,
            issue=statement.issue,
            stance=statement.stance,
            source=statement.source,
            certainty=statement.certainty,
            parent=self,
        )
        if not dialog.exec():
            return False
        v = dialog.value()
        update = self.service.update_position
        result = self._run(update, statement.id, v.actor, v.issue, v.stance, v.source, v.certainty)
        return result is not None

    def delete_statement(self, statement: StatementRecord) -> bool:
        return self._run(self.service.delete_statement, statement.id) is not None

    def open_statement(self, statement: StatementRecord) -> None:
        self.open_hit(statement.document_id, statement.start, statement.end)

    def refresh_positions(self) -> None:
        read = self.controller.read
        actors = read(self.service.actors, False, default=[])  # names only: no counting
        self.positions.set_choices(
            actors,
            read(self.service.issues, False, default=[]),
            read(self.service.stance_scale, default=()),
            read(self.service.outlets, default=[]),
            [c.name for c in read(self.service.coders, default=[])],
        )
        self.mentions = AliasMatcher((a.id, a.name, a.aliases) for a in actors)
        self.reload_statements()
        self.show_mentions()

    def reload_statements(self) -> None:
        """The Positions list: counted in SQL, then read a page at a time as it scrolls.

        Only while the list shows: counting 100,000 statements takes a few hundred ms, so a
        hidden list is marked stale and read when it appears (``statements_shown``).
        """
        self.positions.stale = not self.positions.isVisible()
        if self.positions.stale:
            return
        document = self.reader.document
        criteria = self.positions.criteria(document.id if document else None)
        read, service = self.controller.read, self.service

        def page(offset: int, limit: int) -> list[StatementRecord]:
            return read(service.statements, criteria, offset, limit, default=[])

        self.positions.show_statements(read(service.statement_count, criteria, default=0), page)

    def statements_shown(self) -> None:
        if self.positions.stale:
            self.reload_statements()

    def show_mentions(self) -> None:
        """Underline known actors' names and aliases in the open article (View menu toggle)."""
        document = self.reader.document
        spans = []
        if document is not None and self.underline_action.isChecked():
            spans = [(s, e) for s, e, _ in self.mentions.mentions(document.text)]
        self.reader.set_mentions(spans)
