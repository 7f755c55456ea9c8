"""Options for a network export: kind, stance, de-duplication, binary counting, normalisation."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QWidget

from db.logic.networks import NORMALISATIONS
from db.logic.stance import StanceLevel
from db.summaries.networks import KINDS


class NetworkDialog(QDialog):
    def __init__(self, scale: tuple[StanceLevel, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a network")
        self.kind = QComboBox(self)
        self.kind.addItems(list(KINDS))
        self.stance = QComboBox(self, toolTip="Two-mode only: keep one stance")
        self.stance.addItem("All stances", None)
        for level in scale:
            self.stance.addItem(level.label, level.value)
        self.dedupe = QCheckBox("One statement per actor, issue, stance and article", self)
        self.binary = QCheckBox("Count shared issues (binary), not products", self)
        self.normalise = QComboBox(self)
        self.normalise.addItems(list(NORMALISATIONS))
        form = QFormLayout(self)
        form.addRow("Network", self.kind)
        form.addRow("Stance", self.stance)
        form.addRow(self.dedupe)
        form.addRow(self.binary)
        form.addRow("Normalise", self.normalise)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def options(self) -> tuple[str, dict]:
        return self.kind.currentText(), {
            "stance": self.stance.currentData(),
            "dedupe": self.dedupe.isChecked(),
            "binary": self.binary.isChecked(),
            "normalise": self.normalise.currentText(),
        }
