from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor

from desktop.main_window import MainWindow
from desktop.project import open_controller
from desktop.settings import Settings


def open_window(qtbot, path: Path, coder: str = "ann", settings_dir: Path | None = None):
    controller = open_controller(path, coder)
    window = MainWindow(controller, Settings((settings_dir or path.parent) / "settings.ini"))
    qtbot.addWidget(window)
    window.show()
    window.destroyed.connect(controller.close)
    return window


@pytest.fixture
def window(qtbot, project_path, data_dir):
    w = open_window(qtbot, project_path)
    yield w
    w.controller.close()


def show_positions(window) -> None:
    """Bring the Positions tab forward: the list is read only while it shows."""
    window.library.setCurrentWidget(window.positions)


def import_and_wait(qtbot, window, paths) -> None:
    task = window.import_paths(list(paths))
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass


def open_titled(window, fragment: str) -> int:
    rows = [window.documents.document_at(i) for i in range(window.documents.rowCount())]
    (row,) = [r for r in rows if fragment in window.service.document(r.id).text]
    window.select_document(row.id)
    assert window.reader.document.id == row.id
    return row.id


def db_rows(path: Path, sql: str, *args):
    """Read the project file directly, as another program would."""
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, args).fetchall()


def painted_ranges(window) -> list[tuple[int, int, str]]:
    """(UTF-16 start, end, background colour) of the formats the highlighter laid out."""
    out = []
    block = window.reader.body.document().begin()
    while block.isValid():
        for r in block.layout().formats():
            color = r.format.background().color().name()
            out.append((block.position() + r.start, block.position() + r.start + r.length, color))
        block = block.next()
    return out


def select_utf16(window, start: int, end: int) -> None:
    cursor = window.reader.body.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    window.reader.body.setTextCursor(cursor)
