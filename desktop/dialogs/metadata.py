"""Edit a document's metadata (title, outlet, author, published date, URL)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from db.records import DocumentMetadata


class MetadataDialog(QDialog):
    def __init__(self, meta: DocumentMetadata, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Article metadata")
        self.setMinimumWidth(520)
        self.title = QLineEdit(meta.title)
        self.outlet = QLineEdit(meta.outlet or "")
        self.author = QLineEdit(meta.author or "")
        self.published = QLineEdit(meta.published.isoformat() if meta.published else "")
        self.published.setPlaceholderText("YYYY-MM-DD or empty")
        self.published.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"^$|^\d{0,4}(-\d{0,2}(-\d{0,2})?)?$"))
        )
        self.url = QLineEdit(meta.url or "")
        self.error = QLabel(objectName="formError")
        form = QFormLayout(self)
        form.addRow("&Title", self.title)
        form.addRow("&Outlet", self.outlet)
        form.addRow("&Author", self.author)
        form.addRow("&Published", self.published)
        form.addRow("&URL", self.url)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def metadata(self) -> DocumentMetadata:
        """The edited values; raises ValueError with a message when the date is not a date."""
        raw = self.published.text().strip()
        try:
            published = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise ValueError(f"“{raw}” is not a date like 2024-02-07.") from None
        return DocumentMetadata(
            self.title.text(), self.outlet.text(), self.author.text(), published, self.url.text()
        )

    def accept(self) -> None:
        if not self.title.text().strip():
            self.error.setText("A title is needed.")
            return
        try:
            self.metadata()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        super().accept()
