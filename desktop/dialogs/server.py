"""File → Connect to server: host, port, database, user; the password is asked, and kept only
in the system keyring when the user says so (never in our files)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from db.engine import server_url
from desktop.secrets import load_password, save_password


class ServerDialog(QDialog):
    def __init__(self, user: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a team server")
        self.host = QLineEdit("localhost", self)
        self.port = QSpinBox(self, minimum=1, maximum=65535, value=5432)
        self.database = QLineEdit("marginalia", self)
        self.user = QLineEdit(user, self)
        self.password = QLineEdit(self, echoMode=QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember the password in the system keyring", self)
        form = QFormLayout(self)
        for label, widget in (
            ("Host", self.host),
            ("Port", self.port),
            ("Database", self.database),
            ("User", self.user),
            ("Password", self.password),
        ):
            form.addRow(label, widget)
        form.addRow(self.remember)
        for field in (self.host, self.database, self.user):
            field.editingFinished.connect(self.fill_saved_password)
        self.port.valueChanged.connect(lambda _v: self.fill_saved_password())
        self.fill_saved_password()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def account(self) -> str:
        return (
            f"{self.user.text().strip()}@{self.host.text().strip()}:{self.port.value()}"
            f"/{self.database.text().strip()}"
        )

    def fill_saved_password(self) -> None:
        saved = load_password(self.account())
        if saved is not None and not self.password.text():
            self.password.setText(saved)
            self.remember.setChecked(True)

    def accept(self) -> None:
        if self.remember.isChecked() and not save_password(self.account(), self.password.text()):
            self.remember.setChecked(False)
            self.remember.setToolTip("This system has no keyring: the password is not kept.")
        super().accept()

    def url(self) -> str:
        """The connection URL (held in memory only: it carries the password)."""
        return server_url(
            self.user.text().strip(),
            self.password.text(),
            self.host.text().strip(),
            self.port.value(),
            self.database.text().strip(),
        )
