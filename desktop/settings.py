"""Per-user settings (coder name, last project, window layout) in an INI file beside the data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from db.paths import data_dir


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        path = path or data_dir() / "settings.ini"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def coder(self) -> str:
        return str(self._qs.value("coder/name", "") or "")

    @coder.setter
    def coder(self, name: str) -> None:
        self._qs.setValue("coder/name", name)

    @property
    def last_project(self) -> Path | None:
        value = self._qs.value("project/last", "")
        return Path(str(value)) if value else None

    @last_project.setter
    def last_project(self, path: Path | None) -> None:
        self._qs.setValue("project/last", str(path) if path else "")

    def value(self, key: str, default=None):
        return self._qs.value(key, default)

    def set_value(self, key: str, value) -> None:
        self._qs.setValue(key, value)

    def sync(self) -> None:
        self._qs.sync()
