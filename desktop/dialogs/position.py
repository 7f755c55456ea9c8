"""The position form (P): actor — stance — issue for the selected passage, keyboard first.

Actor and issue fields complete over names and aliases; the actor is pre-filled when the
selection mentions exactly one known actor. Stance keys follow the project's scale (1–3 by
default). Enter saves. Unknown names are offered as new actors or issues.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from db.logic.metadata import shorten
from db.logic.stance import StanceLevel
from db.records import ActorRecord, IssueRecord


@dataclass(frozen=True, slots=True)
class PositionInput:
    actor: str  # a name or alias as typed
    issue: str  # an issue name or path as typed
    stance: int
    source: str
    certainty: float | None


class PositionDialog(QDialog):
    def __init__(
        self,
        quote: str,
        actors: list[ActorRecord],
        issues: list[IssueRecord],
        scale: tuple[StanceLevel, ...],
        *,
        actor: str = "",
        issue: str = "",
        stance: int | None = None,
        source: str = "",
        certainty: float | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Code a position")
        self.setMinimumWidth(460)
        self.scale = scale
        self.actor = QLineEdit(actor, self, placeholderText="Who? (name or alias)")
        self.actor.setCompleter(_completer([n for a in actors for n in (a.name, *a.aliases)], self))
        self.issue = QLineEdit(issue, self, placeholderText="On what issue?")
        self.issue.setCompleter(_completer([i.path for i in issues], self))
        self.stances = QButtonGroup(self)
        row = QHBoxLayout()
        for index, level in enumerate(scale):  # button ids are positions: -1 means "none" to Qt
            button = QRadioButton(f"{level.label} ({level.key})" if level.key else level.label)
            self.stances.addButton(button, index)
            row.addWidget(button)
        values = [lv.value for lv in scale]
        chosen = stance if stance in values else (0 if 0 in values else values[0])
        self.stances.button(values.index(chosen)).setChecked(True)
        self.source = QLineEdit(
            source, self, placeholderText="Reported by, e.g. Egyptian officials"
        )
        self.certainty = QDoubleSpinBox(self, minimum=0.0, maximum=1.0, singleStep=0.1, decimals=2)
        self.certainty.setSpecialValueText("—")
        self.certainty.setValue(certainty if certainty is not None else 0.0)
        self.error = QLabel(self, objectName="formError")
        form = QFormLayout(self)
        form.addRow(QLabel(f"“{shorten(quote, 160)}”", wordWrap=True, objectName="panelQuote"))
        form.addRow("&Actor", self.actor)
        form.addRow("&Stance", row)
        form.addRow("&Issue", self.issue)
        form.addRow("S&ource", self.source)
        form.addRow("&Certainty", self.certainty)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        (self.issue if actor else self.actor).setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Stance keys choose a stance unless the user is typing in a text field."""
        typing = isinstance(self.focusWidget(), QLineEdit)
        level = next((lv for lv in self.scale if lv.key and lv.key == event.text()), None)
        if level is not None and not typing:
            self.stances.button(self.scale.index(level)).setChecked(True)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return
        super().keyPressEvent(event)

    def value(self) -> PositionInput:
        certainty = self.certainty.value()
        return PositionInput(
            " ".join(self.actor.text().split()),
            " ".join(self.issue.text().split()),
            self.scale[self.stances.checkedId()].value,
            self.source.text().strip(),
            certainty if certainty > 0 else None,
        )

    def accept(self) -> None:
        value = self.value()
        if not value.actor or not value.issue:
            self.error.setText("An actor and an issue are needed.")
            return
        super().accept()


def _completer(words: list[str], parent: QWidget) -> QCompleter:
    completer = QCompleter(sorted(set(words), key=str.casefold), parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    return completer
