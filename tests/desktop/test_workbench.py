"""The coding workbench (issue 3): undo across restarts, codebook tree, search and auto-code,
find, filters, memos, status, navigation and view settings — each checked in the database."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.desktop.conftest import db_rows, import_and_wait, open_titled, open_window

PASSAGE = "Hamas will not agree to a temporary ceasefire"


def live(path, table):
    return db_rows(path, f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL")[0][0]


def code_and_import(qtbot, window, corpus_files, *names):
    ids = [window.create_code(name) for name in names]
    import_and_wait(qtbot, window, corpus_files)
    return ids


def test_annotate_restart_then_undo_removes_it(qtbot, project_path, data_dir, corpus_files):
    window = open_window(qtbot, project_path)
    code_and_import(qtbot, window, corpus_files, "Truce")
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    qtbot.keyClick(window.reader.body, Qt.Key.Key_1)
    assert live(project_path, "annotation") == 1
    window.close()

    again = open_window(qtbot, project_path)
    stack = again.controller.undo_stack
    assert stack.count() == 2 and stack.undoText().startswith("Tag “Hamas will not agree")
    again.undo_action.trigger()
    assert live(project_path, "annotation") == 0
    assert again.reader.annotations == [] or again.reader.document.id is not None
    again.redo_action.trigger()
    assert live(project_path, "annotation") == 1
    assert again.history.model().rowCount() == 3  # "Project opened" + two edits


def test_merge_two_codes_then_undo_restores_both(
    qtbot, window, project_path, corpus_files, monkeypatch
):
    truce, ceasefire = code_and_import(qtbot, window, corpus_files, "Truce", "Ceasefire")
    open_titled(window, PASSAGE)
    window.reader.find_and_select("temporary ceasefire")
    window.apply_code(truce)
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    assert window.codebook.merge(window.codes.by_id(truce), window.codes.by_id(ceasefire))
    assert [c.name for c in window.codes.codes] == ["Ceasefire"]
    assert window.reader.annotations[0].code_ids == (ceasefire,)
    window.undo_action.trigger()
    assert sorted(c.name for c in window.codes.codes) == ["Ceasefire", "Truce"]
    assert db_rows(project_path, "SELECT code_id FROM annotation_code") == [(truce,)]


def test_drag_a_code_under_another_and_undo(qtbot, window, project_path):
    actors = window.create_code("Actors")
    hamas = window.create_code("Hamas")
    model = window.codes
    mime = model.mimeData([model.index_of(hamas)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, model.index_of(actors))
    assert db_rows(project_path, "SELECT parent_id FROM code WHERE id = ?", hamas) == [(actors,)]
    assert model.rowCount(model.index_of(actors)) == 1
    assert [c.path for c in model.codes] == ["Actors", "Actors/Hamas"]
    window.undo_action.trigger()
    assert db_rows(project_path, "SELECT parent_id FROM code WHERE id = ?", hamas) == [(None,)]


def test_codebook_rule_key_archive_and_counts(qtbot, window, project_path, corpus_files):
    truce, reject = code_and_import(qtbot, window, corpus_files, "Truce", "Rejection")
    panel = window.codebook
    panel.select_code(truce)
    panel.rule.setPlainText("Any call for a pause in fighting.")
    panel.save_rule.click()
    assert db_rows(project_path, "SELECT description FROM code WHERE id = ?", truce) == [
        ("Any call for a pause in fighting.",)
    ]
    panel.set_key(window.codes.by_id(reject), 1)  # takes key 1 from Truce
    keys = dict(db_rows(project_path, "SELECT name, shortcut FROM code"))
    assert keys == {"Truce": None, "Rejection": 1}
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    qtbot.keyClick(window.reader.body, Qt.Key.Key_1)
    row = window.codes.index_of(reject).row()
    assert window.codes.index(row, 2).data() == 1 and window.codes.index(row, 3).data() == 1
    panel.set_archived(window.codes.by_id(truce), True)
    assert window.codes.rowCount() == 1  # archived codes leave the working list
    panel.show_archived.setChecked(True)
    assert window.codes.rowCount() == 2
    menu = panel.context_menu_for(window.codes.by_id(reject))
    assert {"Rename…", "Merge into", "Shortcut key", "Archive", "Delete…"} <= {
        a.text() for a in menu.actions()
    }


def test_search_then_autocode_codes_exactly_the_hits(
    qtbot, window, project_path, corpus_files, monkeypatch
):
    (code,) = code_and_import(qtbot, window, corpus_files, "Ceasefire")
    n = window.search_panel.search("ceasefire")
    hits = [window.search_panel.model.hit_at(i) for i in range(n)]
    assert n == len(window.service.search("ceasefire")) > 10
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    task = window.autocode(code, [(h.document_id, h.start, h.end) for h in hits])
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    rows = db_rows(
        project_path,
        'SELECT a.document_id, a.start, a."end", d.text FROM annotation a '
        "JOIN document d ON d.id = a.document_id WHERE a.deleted_at IS NULL",
    )
    assert sorted(r[:3] for r in rows) == sorted((h.document_id, h.start, h.end) for h in hits)
    assert all(text[s:e].lower() == "ceasefire" for _, s, e, text in rows)
    window.undo_action.trigger()  # the whole auto-code is one step
    assert live(project_path, "annotation") == 0


def test_click_a_hit_opens_and_selects_it(qtbot, window, corpus_files):
    import_and_wait(qtbot, window, corpus_files)
    window.search_panel.search('"not going well"')
    view = window.search_panel.view
    index = window.search_panel.model.index(0, 1)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )
    assert window.reader.document.title.startswith("Hamas sources say")
    assert window.reader.body.textCursor().selectedText() == "not going well"


def test_quick_code_box(qtbot, window, project_path, corpus_files):
    code_and_import(qtbot, window, corpus_files, "Truce", "Rejection", "Mediation")
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    dialog = window.quick_code()
    qtbot.keyClicks(dialog.field, "medi")
    assert dialog.proxy.rowCount() == 1
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert db_rows(
        project_path, "SELECT c.name FROM annotation_code ac JOIN code c ON c.id = ac.code_id"
    ) == [("Mediation",)]


def test_find_in_article_next_previous_and_wrap(qtbot, window, corpus_files):
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.find_bar.open()
    qtbot.keyClicks(window.find_bar.field, "ceasefire")
    body = window.reader.body
    first = body.textCursor().selectionStart()
    assert body.textCursor().selectedText().lower() == "ceasefire"
    window.find_bar.find_next()
    second = body.textCursor().selectionStart()
    assert second > first
    window.find_bar.find_previous()
    assert body.textCursor().selectionStart() == first
    window.find_bar.field.setText("no such words here")
    assert window.find_bar.status.text() == "Not found"


def test_filters_status_memo_and_counts(qtbot, window, corpus_files):
    (code,) = code_and_import(qtbot, window, corpus_files, "Truce")
    panel, proxy = window.articles, window.documents_proxy
    panel.outlet.setCurrentIndex(panel.outlet.findData("The Wall Street Journal"))
    assert proxy.rowCount() == 1
    panel.outlet.setCurrentIndex(0)
    panel.since.setText("2023-12-01")
    assert proxy.rowCount() == 1  # only 004 has a date
    panel.since.clear()
    doc = open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    window.apply_code(code)
    panel.code.setCurrentIndex(panel.code.findData(code))
    assert proxy.rowCount() == 1
    panel.code.setCurrentIndex(0)
    panel.mine.setCurrentIndex(2)  # not yet coded by me
    assert proxy.rowCount() == 4
    panel.mine.setCurrentIndex(0)
    window.set_status("done")
    panel.status.setCurrentText("done")
    assert proxy.rowCount() == 1 and "1 of 5 articles" in window.status_counts.text()
    panel.status.setCurrentIndex(0)
    window.notes.memo.setPlainText("Check the WSJ original")
    window.notes.save.click()
    row = window.documents.row_of(doc)
    assert window.documents.index(row, 5).data() == "✎"
    assert window.documents.document_at(row).status == "done"
    assert window.service.document(doc).memo == "Check the WSJ original"


def test_navigation_positions_and_view_settings(qtbot, project_path, data_dir, corpus_files):
    window = open_window(qtbot, project_path)
    (code,) = code_and_import(qtbot, window, corpus_files, "Truce")
    doc = open_titled(window, PASSAGE)
    for quote in ("temporary ceasefire", "permanent ceasefire"):
        window.reader.find_and_select(quote)
        window.apply_code(code)
    window.reader.select_span(0, 0)
    window.step_highlight(1)
    assert window.reader.body.textCursor().selectedText() == "temporary ceasefire"
    window.step_highlight(1)
    assert window.reader.body.textCursor().selectedText() == "permanent ceasefire"
    assert "Truce" in window.statusBar().currentMessage()
    window.step_highlight(-1)
    assert window.reader.body.textCursor().selectedText() == "temporary ceasefire"

    window.resize(900, 400)
    QApplication.processEvents()
    window.reader.scroll_to(len(window.reader.document.text) - 50)
    remembered = window.reader.visible_offset()
    assert remembered > 0
    row = window.articles.view.currentIndex().row()
    window.articles.step(1 if row == 0 else -1)
    assert window.reader.document.id != doc
    window.zoom(2)
    window.set_reading_width(56)
    window.set_dark(True)
    window.close()

    again = open_window(qtbot, project_path)  # reopens the last article where it was read
    again.select_document(doc)
    again.resize(900, 400)
    QApplication.processEvents()
    assert again.reader.document.id == doc
    assert abs(again.controller.service.reading_position(doc) - remembered) < 200
    assert again.reader.body.font().pointSizeF() == 14.5
    assert again.reader.body.reading_width_em == 56
    assert again.dark_action.isChecked()
    again.set_dark(False)


def test_delete_article_and_undo(qtbot, window, project_path, corpus_files, monkeypatch):
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    assert window.delete_current_article()
    assert window.documents.rowCount() == 4 and live(project_path, "document") == 4
    assert window.service.search('"Hamas will not agree"') == []
    window.undo_action.trigger()
    assert window.documents.rowCount() == 5


def test_cancelled_autocode_changes_nothing(qtbot, window, project_path, corpus_files, monkeypatch):
    (code,) = code_and_import(qtbot, window, corpus_files, "Ceasefire")
    hits = window.service.search("ceasefire")
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    task = window.autocode(code, [(h.document_id, h.start, h.end) for h in hits])
    task.cancel()
    with qtbot.waitSignal(task.cancelled, timeout=20000):
        pass
    assert live(project_path, "annotation") == 0
    assert window.controller.undo_stack.count() == 1  # only the code creation


def test_drag_reorders_siblings(qtbot, window, project_path):
    first, second, third = (window.create_code(n) for n in ("First", "Second", "Third"))
    model = window.codes
    mime = model.mimeData([model.index_of(third)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, model.index(-1, -1))
    assert [c.name for c in model.codes] == ["Third", "First", "Second"]
    mime = model.mimeData([model.index_of(third)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, model.index(-1, -1))
    assert [c.name for c in model.codes] == ["First", "Second", "Third"]
    assert {first, second, third} == {c.id for c in model.codes}
