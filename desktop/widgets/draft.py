"""A text box that keeps what the user typed when the same row is shown again after a refresh."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit


class DraftEdit(QPlainTextEdit):
    """``show_text(key, text)`` replaces the text, unless ``key`` is the row already shown and
    the user has edited it since: refreshes (own edits, other coders' changes) must not wipe a
    memo or rule someone is still typing."""

    def __init__(self, parent=None, placeholder: str = "") -> None:
        super().__init__(parent, placeholderText=placeholder)
        self._key: object = None
        self._loaded = ""

    @property
    def edited(self) -> bool:
        return self.toPlainText() != self._loaded

    def show_text(self, key: object, text: str) -> None:
        if key == self._key and key is not None and self.edited:
            # Keep the user's text. Once it is saved, the stored text equals the box again.
            self._loaded = text
            return
        self._key, self._loaded = key, text
        self.setPlainText(text)
