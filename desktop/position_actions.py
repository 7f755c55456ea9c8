"""What the main window does for position coding: the P form, the Positions dock, and
underlining mentions of known actors in the reader."""

from __future__ import annotations

from db.logic.aliases import AliasMatcher
from db.records import StatementRecord
from desktop.dialogs.position import PositionDialog, PositionInput


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
            quote, actors, self.controller.read(self.service.issues, default=[]),
            self.controller.read(self.service.stance_scale, default=()), actor=name, parent=self,
        )  # fmt: skip
        if not dialog.exec():
            return None
        return self._save_position(dialog.value(), document.id, span)

    def _save_position(self, value: PositionInput, document_id: int, span) -> int | None:
        actor_id = self._actor_id(value.actor)
        issue_id = self._issue_id(value.issue)
        if actor_id is None or issue_id is None:
            return None
        result = self._run(
            self.service.code_statement, document_id, *span, actor_id, issue_id, value.stance,
            value.source, value.certainty,
        )  # fmt: skip
        return None if result is None else result[0]

    def _actor_id(self, typed: str) -> int | None:
        """The actor named (or aliased) ``typed``; a new actor when none is."""
        folded = typed.casefold()
        for actor in self.controller.read(self.service.actors, default=[]):
            if folded in {actor.name.casefold(), *(a.casefold() for a in actor.aliases)}:
                return actor.id
        result = self._run(self.service.create_actor, typed, "person")
        if result is not None:
            self.statusBar().showMessage(
                f"New actor “{typed}” (edit kind and aliases in Actors).", 6000
            )
        return None if result is None else result[0]

    def _issue_id(self, typed: str) -> int | None:
        folded = typed.casefold()
        for issue in self.controller.read(self.service.issues, default=[]):
            if folded in (issue.path.casefold(), issue.name.casefold()):
                return issue.id
        result = self._run(self.service.create_issue, typed)
        return None if result is None else result[0]

    def edit_statement(self, statement: StatementRecord) -> bool:
        dialog = PositionDialog(
            statement.quote,
            self.controller.read(self.service.actors, default=[]),
            self.controller.read(self.service.issues, default=[]),
            self.controller.read(self.service.stance_scale, default=()),
            actor=statement.actor, issue=statement.issue, stance=statement.stance,
            source=statement.source, certainty=statement.certainty, parent=self,
        )  # fmt: skip
        if not dialog.exec():
            return False
        value = dialog.value()
        actor_id, issue_id = self._actor_id(value.actor), self._issue_id(value.issue)
        if actor_id is None or issue_id is None:
            return False
        fields = dict(actor_id=actor_id, issue_id=issue_id, stance=value.stance,
                      source=value.source, certainty=value.certainty)  # fmt: skip
        return self._run(self.service.update_statement, statement.id, **fields) is not None

    def delete_statement(self, statement: StatementRecord) -> bool:
        return self._run(self.service.delete_statement, statement.id) is not None

    def open_statement(self, statement: StatementRecord) -> None:
        self.open_hit(statement.document_id, statement.start, statement.end)

    def refresh_positions(self) -> None:
        read = self.controller.read
        actors = read(self.service.actors, default=[])
        self.positions.set_choices(
            actors,
            read(self.service.issues, default=[]),
            read(self.service.stance_scale, default=()),
            read(self.service.outlets, default=[]),
            [c.name for c in read(self.service.coders, default=[])],
        )
        self.mentions = AliasMatcher((a.id, a.name, a.aliases) for a in actors)
        self.reload_statements()
        self.show_mentions()

    def reload_statements(self) -> None:
        document = self.reader.document
        criteria = self.positions.criteria(document.id if document else None)
        self.positions.show_statements(
            self.controller.read(self.service.statements, criteria, default=[])
        )

    def show_mentions(self) -> None:
        """Underline known actors' names and aliases in the open article (View menu toggle)."""
        document = self.reader.document
        spans = []
        if document is not None and self.underline_action.isChecked():
            spans = [(s, e) for s, e, _ in self.mentions.mentions(document.text)]
        self.reader.set_mentions(spans)
