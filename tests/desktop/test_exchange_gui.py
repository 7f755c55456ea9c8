"""Tables through the column-mapping dialog, and the REFI-QDA menu items, on a real window."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialogButtonBox, QTableView

import desktop.file_actions as file_actions
from desktop.dialogs.table_mapping import NONE, TableMappingDialog
from tests.desktop.conftest import db_rows, import_and_wait, open_window

ROWS = [
    ("Headline", "Story", "When", "Paper", "Section"),
    (
        "Council passes the school budget",
        "After a long evening debate the council agreed to the school budget on Monday.",
        "2024-03-01",
        "Daily Planet",
        "Local",
    ),
    (
        "Floods expected in the valley",
        "Rain is expected all week, the weather service said, and rivers may rise.",
        "02.03.2024",
        "Valley Gazette",
        "Weather",
    ),
    ("Empty row", "", "2024-03-03", "Valley Gazette", "Misc"),
]


def write_table(path: Path, rows=ROWS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def mapping_dialog(qtbot, window) -> TableMappingDialog:
    qtbot.waitUntil(
        lambda: window.mapping_dialog is not None and window.mapping_dialog.isVisible(),
        timeout=10000,
    )
    return window.mapping_dialog


def choose(dialog: TableMappingDialog, field: str, column: str | None) -> None:
    combo = dialog.combos[field]
    combo.setCurrentIndex(combo.findData(column) if column else combo.findText(NONE))


def press(qtbot, dialog: TableMappingDialog, button: QDialogButtonBox.StandardButton) -> None:
    box = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)


def test_mapping_dialog_imports_a_table_with_the_chosen_columns(
    qtbot, window, project_path, corpus_files, tmp_path
):
    table = write_table(tmp_path / "stories.csv")
    window.import_paths([table, corpus_files[0]])
    dialog = mapping_dialog(qtbot, window)
    assert dialog.windowTitle() == "Import stories.csv"
    # the guess: hints for the title, the longest column for the text; When/Paper unknown words
    assert dialog.mapping().text == "Story" and dialog.mapping().title == "Headline"
    assert dialog.mapping().published is None
    preview = dialog.findChild(QTableView).model()
    assert (preview.rowCount(), preview.columnCount()) == (3, 5)
    dialog.grab().save(str(tmp_path / "mapping.png"))
    choose(dialog, "text", None)
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.isVisible() and "article text" in dialog.error.text()
    choose(dialog, "text", "Story")
    choose(dialog, "published", "When")
    choose(dialog, "outlet", "Paper")
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    qtbot.waitUntil(lambda: window.import_task is not None, timeout=10000)
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=20000)
    report = window.last_import
    assert len(report.imported) == 3  # two rows and the corpus article
    assert report.rejected == [("stories.csv row 4", "empty text")]
    assert window.documents.rowCount() == 3
    rows = db_rows(
        project_path,
        "SELECT title, published, outlet, extra FROM document WHERE source_name LIKE 'stories%'"
        " ORDER BY source_name",
    )
    assert [(t, d, o, json.loads(e)) for t, d, o, e in rows] == [
        ("Council passes the school budget", "2024-03-01", "Daily Planet", {"Section": "Local"}),
        ("Floods expected in the valley", "2024-03-02", "Valley Gazette", {"Section": "Weather"}),
    ]


def test_cancel_in_the_dialog_skips_that_table_only(qtbot, window, tmp_path):
    first = write_table(tmp_path / "first.csv")
    second = write_table(
        tmp_path / "second.xlsx.csv",
        [("title", "text"), ("Harbour reopens", "The harbour reopened on Friday after repairs.")],
    )
    window.import_paths([first, second])
    dialog = mapping_dialog(qtbot, window)
    assert dialog.windowTitle() == "Import first.csv"
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    qtbot.waitUntil(lambda: window.mapping_dialog is not dialog, timeout=5000)
    dialog = mapping_dialog(qtbot, window)
    assert dialog.windowTitle() == "Import second.xlsx.csv"
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=20000)
    assert [t for _n, t in window.last_import.imported] == ["Harbour reopens"]


def test_cancelling_every_table_adds_nothing(qtbot, window, tmp_path):
    window.import_paths([write_table(tmp_path / "only.csv")])
    press(qtbot, mapping_dialog(qtbot, window), QDialogButtonBox.StandardButton.Cancel)
    qtbot.waitUntil(lambda: window.mapping_dialog is None, timeout=5000)
    assert window.import_task is None and window.service.documents() == []
    assert window.statusBar().currentMessage() == "Import cancelled; nothing was added."


def test_an_unreadable_table_is_reported_without_a_dialog(qtbot, window, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    window.import_paths([broken])
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=20000)
    assert window.last_import.rejected == [("broken.xlsx", "not a readable Excel workbook (.xlsx)")]
    assert window.mapping_dialog is None


def test_file_dialog_filters_list_every_format(qtbot, window, monkeypatch):
    seen = []
    monkeypatch.setattr(
        file_actions.QFileDialog,
        "getOpenFileNames",
        lambda *args: seen.append(args[3]) or ([], ""),
    )
    window.import_files_dialog()
    for suffix in (".html", ".htm", ".docx", ".pdf", ".odt", ".csv", ".xlsx", ".txt", ".qdpx"):
        assert f"*{suffix}" in seen[0]


def _menu_action(window, text: str):
    file_menu = window.menuBar().actions()[0].menu()
    (action,) = [a for a in file_menu.actions() if a.text().replace("&", "") == text]
    return action


def test_refi_menu_items_export_files_that_reimport(
    qtbot, window, corpus_files, tmp_path, monkeypatch, data_dir
):
    import_and_wait(qtbot, window, corpus_files[:2])
    service = window.service
    talks, _ = service.create_code("Talks", "#56ccf2")
    document = service.documents()[0]
    text = service.document(document.id).text
    service.annotate(document.id, None, 5, 25, [talks])
    saved = iter([tmp_path / "out", tmp_path / "book.qdc"])  # the first without its suffix
    monkeypatch.setattr(
        file_actions.QFileDialog, "getSaveFileName", lambda *a: (str(next(saved)), "")
    )
    _menu_action(window, "Export REFI-QDA project (.qdpx)…").trigger()
    qdpx = tmp_path / "out.qdpx"
    qtbot.waitUntil(lambda: qdpx.exists() and not window.tasks, timeout=20000)
    assert "2 article(s)" in window.statusBar().currentMessage()
    _menu_action(window, "Export codebook (.qdc)…").trigger()
    qdc = tmp_path / "book.qdc"
    qtbot.waitUntil(lambda: qdc.exists() and not window.tasks, timeout=20000)

    other = open_window(qtbot, tmp_path / "other.sqlite", coder="bob")
    monkeypatch.setattr(file_actions.QFileDialog, "getOpenFileName", lambda *a: (str(qdc), ""))
    _menu_action(other, "Import REFI-QDA project or codebook (.qdpx, .qdc)…").trigger()
    qtbot.waitUntil(lambda: other.last_exchange_import is not None, timeout=20000)
    assert [c.path for c in other.service.codes()] == ["Talks"]
    assert other.codes.rowCount() == 1 and other.documents.rowCount() == 0

    task = other.import_exchange(qdpx)
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    assert other.last_exchange_import.documents == 2
    assert other.documents.rowCount() == 2
    (copy,) = [d for d in other.service.documents() if d.title == document.title]
    (highlight,) = other.service.annotations(copy.id)
    assert (highlight.start, highlight.end, highlight.quote) == (5, 25, text[5:25])
    other.close()


def test_dropping_a_qdpx_imports_the_project(qtbot, window, corpus_files, tmp_path):
    import_and_wait(qtbot, window, corpus_files[:1])
    qdpx = tmp_path / "drop.qdpx"
    window.service.export_qdpx(qdpx)
    other = open_window(qtbot, tmp_path / "other.sqlite")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(qdpx)), QUrl.fromLocalFile(str(corpus_files[1]))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    other.dropEvent(event)
    qtbot.waitUntil(lambda: other.documents.rowCount() == 2, timeout=20000)
    assert other.last_exchange_import.documents == 1 and len(other.last_import.imported) == 1
    other.close()


def test_a_broken_qdpx_is_a_message_and_adds_nothing(qtbot, window, tmp_path):
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"not a zip")
    task = window.import_exchange(broken)
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    assert "not a zip archive" in window.last_error
    assert window.service.documents() == [] and window.last_exchange_import is None
