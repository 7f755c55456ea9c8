"""File → Connect to server: host, port, database and user; the password is asked, never saved."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox, QWidget
from sqlalchemy.engine import URL


class ServerDialog(QDialog):
    def __init__(self, user: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a team server")
        self.host = QLineEdit("localhost", self)
        self.port = QSpinBox(self, minimum=1, maximum=65535, value=5432)
        self.database = QLineEdit("marginalia", self)
        self.user = QLineEdit(user, self)
        self.password = QLineEdit(self, echoMode=QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        for label, widget in (
            ("Host", self.host),
            ("Port", self.port),
            ("Database", self.database),
            ("User", self.user),
            ("Password", self.password),
        ):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def url(self) -> str:
        """The connection URL (held in memory only: it carries the password)."""
        return URL.create(
            "postgresql+psycopg",
            username=self.user.text().strip(),
            password=self.password.text() or None,
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip(),
        ).render_as_string(hide_password=False)
