"""User stories on the real main window, checked in the database afterwards."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QTextCursor
from PySide6.QtWidgets import QColorDialog, QInputDialog

from desktop.models.documents import ID_ROLE
from desktop.widgets.highlights import blend
from tests.desktop.conftest import (
    db_rows,
    import_and_wait,
    open_titled,
    open_window,
    painted_ranges,
)

PASSAGE = "Hamas will not agree to a temporary ceasefire"


def test_import_select_press_key_stores_and_survives_a_restart(
    qtbot, window, project_path, corpus_files
):
    code_id = window.create_code("Rejection", "#eb5757")
    import_and_wait(qtbot, window, corpus_files)
    assert window.documents.rowCount() == 5
    doc_id = open_titled(window, PASSAGE)

    assert window.reader.find_and_select(PASSAGE)
    window.reader.body.setFocus()
    qtbot.keyClick(window.reader.body, Qt.Key.Key_1)

    ((start, end, quote, coder, code),) = db_rows(
        project_path,
        'SELECT a.start, a."end", a.quote, c.name, ac.code_id FROM annotation a '
        "JOIN coder c ON c.id = a.coder_id JOIN annotation_code ac ON ac.annotation_id = a.id",
    )
    ((text,),) = db_rows(project_path, "SELECT text FROM document WHERE id = ?", doc_id)
    assert text[start:end] == quote == PASSAGE
    assert (coder, code) == ("ann", code_id)
    assert "#eb5757" in {c for _, _, c in painted_ranges(window)}
    assert window.documents.document_at(window.documents.row_of(doc_id)).n_annotations == 1

    window.close()
    again = open_window(qtbot, project_path)
    open_titled(again, PASSAGE)
    (annotation,) = again.reader.annotations
    assert (annotation.start, annotation.end) == (start, end)
    assert (start, end, "#eb5757") in painted_ranges(again)


def test_emoji_before_the_passage_keeps_offsets_right(qtbot, window, project_path, tmp_path):
    path = tmp_path / "emoji.txt"
    path.write_text("Truce 🕊️ talk 😀😀𝔊\n\nThe mediators said the truce holds.\n", encoding="utf-8")
    code_id = window.create_code("Truce")
    import_and_wait(qtbot, window, [path])
    open_titled(window, "truce holds")
    assert window.reader.find_and_select("truce holds")
    qtbot.keyClick(window.reader.body, Qt.Key.Key_1)
    ((start, end, quote),) = db_rows(project_path, 'SELECT start, "end", quote FROM annotation')
    text = window.reader.document.text
    assert text[start:end] == quote == "truce holds"
    utf16_start = len(text[:start].encode("utf-16-le")) // 2
    color = window.codes.by_id(code_id).color
    assert (utf16_start, utf16_start + 11, color) in painted_ranges(window)


def test_codebook_click_and_context_menu_code_the_selection(qtbot, window, corpus_files):
    first = window.create_code("First")
    second = window.create_code("Second")
    import_and_wait(qtbot, window, corpus_files)
    doc_id = open_titled(window, PASSAGE)
    window.reader.find_and_select("temporary ceasefire")
    view = window.codebook.view
    index = window.codes.index(1, 0)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )
    (annotation,) = window.service.annotations(doc_id)
    assert annotation.quote == "temporary ceasefire" and annotation.code_ids == (second,)

    window.reader.find_and_select("according to the latest report")
    menu = window.context_menu(window.reader.body.textCursor().position())
    submenu = next(a.menu() for a in menu.actions() if a.text() == "Code selection as")
    next(a for a in submenu.actions() if a.data() == first).trigger()
    quotes = {a.quote: a.code_ids for a in window.service.annotations(doc_id)}
    assert quotes["according to the latest report"] == (first,)


def test_overlapping_highlights_blend_and_stay_separate(qtbot, window, project_path, corpus_files):
    red = window.create_code("Red", "#ff0000")
    blue = window.create_code("Blue", "#0000ff")
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.reader.find_and_select("Hamas will not agree")
    window.apply_code(red)
    window.reader.find_and_select("not agree to a temporary")
    window.apply_code(blue)
    assert len(db_rows(project_path, "SELECT id FROM annotation")) == 2
    first, both, second = [QColor(c) for _, _, c in sorted(painted_ranges(window))[:3]]
    assert (first.name(), second.name()) == ("#ff0000", "#0000ff")
    mixed = blend(["#ff0000", "#0000ff"])  # the overlap shows the blend (to within rounding)
    assert abs(both.red() - mixed.red()) <= 4 and abs(both.blue() - mixed.blue()) <= 4
    assert both.green() == 0


def test_click_highlight_then_edit_codes_memo_and_delete(qtbot, window, project_path, corpus_files):
    a = window.create_code("A")
    b = window.create_code("B")
    import_and_wait(qtbot, window, corpus_files)
    doc_id = open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    annotation_id = window.apply_code(a)

    body = window.reader.body
    cursor = QTextCursor(body.document())
    cursor.setPosition(body.toPlainText().index("temporary"))
    body.setTextCursor(cursor)
    qtbot.mouseClick(body.viewport(), Qt.MouseButton.LeftButton, pos=body.cursorRect().center())
    assert window.panel.current is not None and window.panel.current.id == annotation_id

    item_b = window.panel.codes.item(1)
    item_b.setCheckState(Qt.CheckState.Checked)
    assert window.service.annotations(doc_id)[0].code_ids == (a, b)
    window.panel.codes.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert window.service.annotations(doc_id)[0].code_ids == (b,)

    window.panel.memo.setPlainText("Mediators' view, not Hamas's own words")
    qtbot.mouseClick(window.panel.save_memo, Qt.MouseButton.LeftButton)
    assert db_rows(project_path, "SELECT memo FROM annotation") == [
        ("Mediators' view, not Hamas's own words",)
    ]
    qtbot.mouseClick(window.panel.delete, Qt.MouseButton.LeftButton)
    assert db_rows(project_path, "SELECT id FROM annotation WHERE deleted_at IS NULL") == []
    assert painted_ranges(window) == []


def test_codes_create_rename_recolour_delete_asks_when_used(
    qtbot, window, project_path, corpus_files, monkeypatch
):
    code = window.create_code("Truce")
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    window.apply_code(code)

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Ceasefire", True))
    window.codebook.rename_dialog(window.codes.by_id(code))
    assert db_rows(project_path, "SELECT name FROM code") == [("Ceasefire",)]
    assert window.codes.data(window.codes.index(0, 0)) == "Ceasefire"

    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor("#123456"))
    window.codebook.recolor_dialog(window.codes.by_id(code))
    assert any(c == "#123456" for _, _, c in painted_ranges(window))

    asked = []
    monkeypatch.setattr(window, "confirm", lambda title, text: asked.append(text) or False)
    assert not window.codebook.delete(window.codes.by_id(code))
    assert "used by 1 highlight" in asked[0]
    assert db_rows(project_path, "SELECT count(*) FROM code") == [(1,)]
    monkeypatch.setattr(window, "confirm", lambda title, text: True)
    assert window.codebook.delete(window.codes.by_id(code))
    assert db_rows(project_path, "SELECT count(*) FROM code WHERE deleted_at IS NULL") == [(0,)]
    assert window.codes.rowCount() == 0

    window.create_code("Unused")
    monkeypatch.setattr(window, "confirm", lambda *a: (_ for _ in ()).throw(AssertionError))
    assert window.codebook.delete(window.codes.codes[0])  # unused: no question


def test_duplicate_code_name_is_refused_with_a_message(window):
    window.create_code("Truce")
    assert window.create_code("truce") is None
    assert "already" in window.last_error
    assert window.codes.rowCount() == 1


def test_filter_sort_and_counts(qtbot, window, corpus_files):
    import_and_wait(qtbot, window, corpus_files)
    proxy = window.documents_proxy
    window.articles.text.setText("deutsche")
    assert proxy.rowCount() == 1
    window.articles.text.clear()
    assert proxy.rowCount() == 5
    window.articles.select_first()
    open_doc = window.reader.document.id
    window.articles.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    titles = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    assert titles == sorted(titles, key=str.casefold)
    assert window.articles.view.currentIndex().data(ID_ROLE) == open_doc  # selection follows
    window.articles.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == titles[::-1]
    assert window.articles.view.currentIndex().data(ID_ROLE) == open_doc
    window.articles.text.setText("deutsche")  # filtering keeps the sorted order's rows
    assert proxy.rowCount() == 1
    assert window.status_counts.text() == "1 of 5 articles · 0 highlights"
    window.articles.text.clear()
    assert window.status_counts.text() == "5 articles · 0 highlights"


def test_drop_files_imports_them(qtbot, window, corpus_files):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in corpus_files[:2]])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.documents.rowCount() == 2, timeout=10000)


def test_import_reports_bad_files_and_duplicates(qtbot, window, corpus_files, tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    import_and_wait(qtbot, window, [*corpus_files, corpus_files[0], bad])
    report = window.last_import
    assert len(report.imported) == 5 and report.rejected == [("broken.txt", report.rejected[0][1])]
    assert "binary" in report.rejected[0][1]
    assert window.statusBar().currentMessage().startswith("5 imported")


def test_cancelled_import_writes_nothing(qtbot, window, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(3000):
        (folder / f"{i:05}.txt").write_text(f"Article {i}\n\nBody {i} " * 20, encoding="utf-8")
    task = window.import_paths([folder])
    writing = []

    def cancel_while_writing(done, total):  # past half: the rows are being inserted
        if done > total / 2 and not writing:
            writing.append(done)
            task.cancel()

    task.progressed.connect(cancel_while_writing)
    with qtbot.waitSignal(task.cancelled, timeout=60000):
        pass
    assert writing and window.service.documents() == []


def test_edit_metadata_form(qtbot, window, project_path, corpus_files, monkeypatch):
    import desktop.main_window as main_window

    import_and_wait(qtbot, window, corpus_files)
    doc_id = open_titled(window, PASSAGE)

    def fill_and_accept(dialog):
        dialog.outlet.setText("Jewish News Syndicate")
        dialog.published.setText("2024-02-07")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(main_window.MetadataDialog, "exec", fill_and_accept)
    window.edit_metadata()
    assert db_rows(project_path, "SELECT outlet, published FROM document WHERE id = ?", doc_id) == [
        ("Jewish News Syndicate", "2024-02-07")
    ]
    assert "Jewish News Syndicate" in window.reader.meta.text()
    row = window.documents.document_at(window.documents.row_of(doc_id))
    assert row.outlet == "Jewish News Syndicate"


def test_metadata_dialog_refuses_bad_dates_and_empty_titles(qtbot):
    from db.records import DocumentMetadata
    from desktop.dialogs.metadata import MetadataDialog

    dialog = MetadataDialog(DocumentMetadata("Title"))
    qtbot.addWidget(dialog)
    dialog.published.setText("2024-02-30")
    dialog.accept()
    assert dialog.result() == 0 and "not a date" in dialog.error.text()
    dialog.published.setText("")
    dialog.title.setText("  ")
    dialog.accept()
    assert dialog.result() == 0 and "title" in dialog.error.text()


def test_window_title_and_export_from_the_window(qtbot, window, corpus_files, tmp_path):
    import csv

    assert window.windowTitle() == "project — ann — Marginalia"
    code = window.create_code("Truce")
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    window.apply_code(code)
    out = tmp_path / "gui.csv"
    task = window.export_csv(out)
    with qtbot.waitSignal(task.finished, timeout=10000):
        pass
    with out.open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["quote"], row["code"], row["coder"]) == (PASSAGE, "Truce", "ann")
    window.change_coder("bob")
    assert window.windowTitle() == "project — bob — Marginalia"


def test_models_pass_the_model_tester(qtbot, window, corpus_files, qtmodeltester):
    window.create_code("Truce")
    import_and_wait(qtbot, window, corpus_files)
    parent = window.codes.codes[0].id
    window.create_code("Child", parent_id=parent)  # the tree needs a level to check
    window.search_panel.search("ceasefire")
    doc = open_titled(window, PASSAGE)
    start = window.reader.document.text.index(PASSAGE)
    window.service.code_position(doc, start, start + 10, "Hamas", "Truce", -1)
    window.library.setCurrentWidget(window.positions)  # the list is read when it shows
    window.refresh_positions()
    for model in (
        window.documents,
        window.documents_proxy,
        window.codes,
        window.search_panel.model,
        window.positions.model,
    ):
        qtmodeltester.check(model)
    assert window.codes.rowCount(window.codes.index_of(parent)) == 1


def test_a_memo_being_typed_survives_refreshes(qtbot, window, project_path, corpus_files):
    a = window.create_code("A")
    b = window.create_code("B")
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    annotation_id = window.apply_code(a)
    window.show_highlights_at(window.reader.annotations[0].start)
    window.panel.memo.setPlainText("half-written thought")
    window.panel.codes.item(1).setCheckState(Qt.CheckState.Checked)  # an edit: views refresh
    window.controller.changed.emit(window.service.set_codes(annotation_id, add=[b]))
    assert window.panel.memo.toPlainText() == "half-written thought"
    window.codebook.select_code(a)
    window.codebook.rule.setPlainText("rule draft")
    window.create_code("C")  # the code tree resets
    window.codebook.select_code(a)
    assert window.codebook.rule.toPlainText() == "rule draft"
    qtbot.mouseClick(window.panel.save_memo, Qt.MouseButton.LeftButton)
    assert db_rows(project_path, "SELECT memo FROM annotation") == [("half-written thought",)]


def test_deleting_a_parent_asks_when_only_a_sub_code_is_used(
    qtbot, window, corpus_files, monkeypatch
):
    parent = window.create_code("Actors")
    child = window.create_code("Hamas", parent_id=parent)
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    window.apply_code(child)
    asked = []
    monkeypatch.setattr(window, "confirm", lambda title, text: asked.append(text) or False)
    assert not window.codebook.delete(window.codes.by_id(parent))
    assert "used by 1 highlight" in asked[0]


def test_clicking_either_half_of_a_highlights_last_character_finds_it(qtbot, window, corpus_files):
    code = window.create_code("Truce")
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    window.apply_code(code)
    body = window.reader.body
    end = body.toPlainText().index(PASSAGE) + len(PASSAGE)
    cursor = QTextCursor(body.document())
    cursor.setPosition(end - 1)
    left = body.cursorRect(cursor).center()  # the caret before the last character
    cursor.setPosition(end)
    right = body.cursorRect(cursor).center()  # and after it
    for share in (0.25, 0.75):  # left half, then right half, of the last character
        point = QPoint(left.x() + round((right.x() - left.x()) * share), left.y())
        window.panel.show_annotations([], [])
        window._reader_clicked(body.char_at(point))
        assert window.panel.current is not None, f"missed at {share}"


def test_a_filter_whose_choice_disappears_is_dropped(qtbot, window, corpus_files, monkeypatch):
    code = window.create_code("Truce")
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    window.apply_code(code)
    panel = window.articles
    panel.code.setCurrentIndex(panel.code.findData(code))
    assert window.documents_proxy.rowCount() == 1
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    window.codebook.delete(window.codes.by_id(code))
    assert panel.code.currentData() is None and window.documents_proxy.rowCount() == 5


def test_dragging_files_over_the_window_is_accepted(qtbot, window, corpus_files):
    from PySide6.QtGui import QDragEnterEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(corpus_files[0]))])
    event = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dragEnterEvent(event)
    assert event.isAccepted()
    text_only = QMimeData()
    text_only.setText("not a file")
    refused = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        text_only,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    refused.ignore()
    window.dragEnterEvent(refused)
    assert not refused.isAccepted()


def test_the_code_filter_follows_new_tags(qtbot, window, corpus_files):
    code = window.create_code("Truce")
    import_and_wait(qtbot, window, corpus_files)
    panel = window.articles
    panel.code.setCurrentIndex(panel.code.findData(code))
    assert window.documents_proxy.rowCount() == 0
    rows = [window.documents.document_at(i) for i in range(window.documents.rowCount())]
    (doc,) = [r.id for r in rows if PASSAGE in window.service.document(r.id).text]
    window.open_document(doc)  # from elsewhere: the filtered list does not show it
    window.reader.find_and_select(PASSAGE)
    assert window.apply_code(code) is not None, window.last_error  # only a count changed
    assert window.documents_proxy.rowCount() == 1
    assert window.documents_proxy.index(0, 0).data(ID_ROLE) == doc


def test_clicks_patch_counts_and_highlights_without_rereading(qtbot, window, corpus_files):
    """The codebook's counts move by what each edit reports, and the article's highlights are
    patched with just the ones it changed: both must equal what a fresh read gives."""
    a = window.create_code("A")
    b = window.create_code("B")
    import_and_wait(qtbot, window, corpus_files)
    doc = open_titled(window, PASSAGE)

    def shown_is_true() -> bool:
        fresh = {c.id: (c.n_annotations, c.n_mine) for c in window.service.codes()}
        shown = {c.id: (c.n_annotations, c.n_mine) for c in window.codes.codes}
        return shown == fresh and window.reader.annotations == window.service.annotations(doc)

    window.reader.find_and_select(PASSAGE)
    annotation_id = window.apply_code(a)
    assert window.codes.by_id(a).n_mine == 1 and shown_is_true()
    window.apply_code(b)  # the same passage: one more tag
    assert window.codes.by_id(b).n_annotations == 1 and shown_is_true()
    window.reader.select_span(0, 4)  # one before it, one after it
    window.apply_code(b)
    window.reader.select_span(200, 230)
    window.apply_code(a)
    assert len(window.reader.annotations) == 3 and shown_is_true()
    window._toggle_code(annotation_id, a, False)
    assert window.codes.by_id(a).n_annotations == 1 and shown_is_true()
    window.delete_annotation(annotation_id)
    assert len(window.reader.annotations) == 2 and shown_is_true()
    window.controller.undo_stack.undo()  # replays re-read the counts, patch the highlights
    assert len(window.reader.annotations) == 3 and shown_is_true()
    window.controller.undo_stack.redo()
    assert len(window.reader.annotations) == 2 and shown_is_true()

    bob = window.service.ensure_coder("bob")  # another coder's highlight, hidden from view
    window.service.annotate(doc, bob, 5, 9, [a])
    window.controller.poll()
    window.coders.show_only({window.coders.me})
    window.reader.select_span(300, 310)
    window.apply_code(b)
    fresh = window.service.annotations(doc)
    assert window.reader.annotations == [x for x in fresh if x.coder_id != bob]
    window.coders.show_only(None)
    assert window.reader.annotations == fresh
