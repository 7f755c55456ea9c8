"""Light and dark palettes with their style sheets (resources/style.qss, style-dark.qss)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop.resources import style_sheet

_DARK = {
    QPalette.ColorRole.Window: "#25231f",
    QPalette.ColorRole.WindowText: "#e8e4da",
    QPalette.ColorRole.Base: "#1d1b18",
    QPalette.ColorRole.AlternateBase: "#2a2824",
    QPalette.ColorRole.Text: "#e8e4da",
    QPalette.ColorRole.Button: "#2f2c27",
    QPalette.ColorRole.ButtonText: "#e8e4da",
    QPalette.ColorRole.Highlight: "#4f6fae",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#2f2c27",
    QPalette.ColorRole.ToolTipText: "#e8e4da",
    QPalette.ColorRole.PlaceholderText: "#8a8578",
}


def is_dark() -> bool:
    app = QApplication.instance()
    return bool(app and app.property("marginalia_dark"))


def apply(dark: bool) -> None:
    app = QApplication.instance()
    if app is None:
        return
    palette = app.style().standardPalette()
    if dark:
        for role, color in _DARK.items():
            palette.setColor(role, QColor(color))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet("style-dark.qss" if dark else "style.qss"))
    app.setProperty("marginalia_dark", dark)
