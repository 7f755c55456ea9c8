"""Start the GUI: Qt application, coder identity, the project to open, and screenshot mode."""

from __future__ import annotations

import ctypes.util
import os
import sys
import tempfile
from pathlib import Path

XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-xinerama": "libxcb-xinerama0",
    "xcb-xkb": "libxcb-xkb1",
    "xcb-shape": "libxcb-shape0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


def display_problem() -> str | None:
    """A one-line hint when Qt would die opening a window on Linux, else None.

    Qt aborts the process ("Could not load the Qt platform plugin xcb") when these libraries
    are missing; that cannot be caught, so we check first.
    """
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if os.environ.get("WAYLAND_DISPLAY") and not platform:
        return None
    if not os.environ.get("DISPLAY"):
        return (
            "marginalia: no display found (DISPLAY is not set). Run it on a desktop, "
            "or render offscreen with: marginalia --screenshot window.png"
        )
    missing = [pkg for lib, pkg in XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None]
    if missing:
        return (
            "marginalia: Qt cannot open a window because system libraries are missing; "
            f"install them with: sudo apt install {' '.join(missing)}"
        )
    return None


def run(
    project: Path | str | None = None, screenshot: Path | None = None, coder: str | None = None
) -> int:
    """Open the GUI on a project file or a server URL (a URL is never remembered: it may hold
    a password)."""
    if screenshot is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if problem := display_problem():
        print(problem, file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication, QMessageBox

    from db.errors import MarginaliaError
    from db.paths import default_project
    from desktop.main_window import MainWindow
    from desktop.project import open_controller
    from desktop.resources import style_sheet
    from desktop.settings import Settings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Marginalia")
    app.setStyleSheet(style_sheet())
    # A screenshot must not answer the first-run question nor change the remembered project.
    settings = Settings(Path(tempfile.mkdtemp()) / "settings.ini") if screenshot else Settings()

    name = coder_name(settings, coder, ask=screenshot is None)
    if name is None:
        return 0
    path = project or _remembered(settings) or default_project()
    try:
        controller = open_controller(path, name, seed_sample=path == default_project())
    except (MarginaliaError, OSError) as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        if screenshot is None:
            QMessageBox.critical(None, "Marginalia", str(exc))
        return 1
    if isinstance(path, Path):
        settings.last_project = path
    window = MainWindow(controller, settings)
    if screenshot is not None:
        return save_screenshot(window, screenshot)
    window.show()
    return app.exec()


def coder_name(settings, explicit: str | None, *, ask: bool) -> str | None:
    """The coder for this session: given, remembered, or asked on first run (None: cancelled)."""
    from PySide6.QtWidgets import QInputDialog

    name = (explicit or settings.coder or "").strip()
    if not name:
        name = default_coder_name()
        if ask:
            name, ok = QInputDialog.getText(
                None,
                "Welcome to Marginalia",
                "Your name as coder (recorded on every annotation):",
                text=name,
            )
            name = name.strip()
            if not ok or not name:
                return None
    settings.coder = name
    return name


def default_coder_name() -> str:
    from db.paths import os_user_name

    return os_user_name()


def _remembered(settings) -> Path | None:
    last = settings.last_project
    return last if last is not None and last.exists() else None


def save_screenshot(window, target: Path) -> int:
    """Show the window offscreen on its busiest article, with a highlight selected, and save it."""
    from PySide6.QtWidgets import QApplication

    window.resize(1440, 860)
    window.show()
    rows = [window.documents.document_at(i) for i in range(window.documents.rowCount())]
    if rows:
        busiest = max(rows, key=lambda r: r.n_annotations)
        window.select_document(busiest.id)
        if window.reader.annotations:
            window.show_highlights_at(window.reader.annotations[0].start)
    for _ in range(5):
        QApplication.processEvents()
    ok = window.grab().save(str(target))
    window.close()
    print(f"screenshot saved to {target}" if ok else f"could not write {target}")
    return 0 if ok else 1
