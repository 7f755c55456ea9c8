"""The coding workbench (issue 3): undo across restarts, codebook tree, search and auto-code,
find, filters, memos, status, navigation and view settings — each checked in the database."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QTextCharFormat
from PySide6.QtWidgets import QApplication

from db.records import AnnotationRecord, DocumentMetadata, DocumentRecord
from desktop import theme
from desktop.widgets.reader import ReaderView
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


# Highlights in a long article (issue 8): painted in view first, everywhere soon, always right --


def _long_article(seed: int = 8, paragraphs: int = 90) -> DocumentRecord:
    """~30,000 characters in short paragraphs, with characters outside the BMP here and there."""
    rng = random.Random(seed)
    words = ["truce", "talks", "hostages", "Cairo", "mediators", "phase", "said", "the", "a"]
    lines = []
    for p in range(paragraphs):
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(40, 70)))
        lines.append(("😀 " if p % 3 == 0 else "") + sentence + (" 𝔊." if p % 4 == 0 else "."))
    text = "\n".join(lines)
    return DocumentRecord(1, "doc-uuid", DocumentMetadata("Long article"), text, None)


def _highlights(text: str, count: int, seed: int = 9):
    rng = random.Random(seed)
    palette = ["#eb5757", "#6fcf97", "#56ccf2", "#f2c94c", "#bb6bd9", "#f2994a"]
    now = datetime(2024, 6, 1, tzinfo=UTC)
    annotations, colors = [], {}
    for i in range(count):
        start = rng.randrange(len(text) - 30)
        end = min(len(text), start + rng.randint(20, 400))
        annotations.append(
            AnnotationRecord(
                i + 1, f"a{i}", 1, 1, "ann", start, end, text[start:end], "", (), now, now
            )
        )
        colors[i + 1] = rng.choice(palette)
    return annotations, colors


def _expected(text: str, annotations, colors) -> dict[int, tuple[tuple[float, ...], int]]:
    """UTF-16 position -> (exact mean colour, how many highlights), by brute force."""
    units = []  # the UTF-16 positions of each code point: two for one outside the BMP
    position = 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        units.append(range(position, position + width))
        position += width
    cover: dict[int, list[QColor]] = {}
    for a in annotations:
        for i in range(a.start, a.end):
            if text[i] == "\n":
                continue  # a paragraph end takes no format
            for p in units[i]:
                cover.setdefault(p, []).append(QColor(colors[a.id]))
    return {
        p: (
            tuple(sum(getattr(c, k)() for c in cs) / len(cs) for k in ("red", "green", "blue")),
            len(cs),
        )
        for p, cs in cover.items()
    }


def _painted(view) -> dict[int, QTextCharFormat]:
    """UTF-16 position -> the highlight format laid out there."""
    out = {}
    block = view.body.document().begin()
    while block.isValid():
        for r in block.layout().formats():
            fmt = QTextCharFormat(r.format)  # a copy: the range's own dies with the range
            for p in range(block.position() + r.start, block.position() + r.start + r.length):
                out[p] = fmt
        block = block.next()
    return out


def _assert_painted(view, expected, lo: int = 0, hi: int | None = None) -> None:
    """Every character in lo..hi: the blend of the highlights over it (exact for one, within
    rounding for several, underlined then), or no format where there is none."""
    painted = _painted(view)
    hi = view.body.document().characterCount() - 1 if hi is None else hi
    for p in range(lo, hi):
        if p not in expected:
            assert p not in painted, f"format at {p} where no highlight is"
            continue
        mean, n = expected[p]
        assert p in painted, f"highlight at {p} not painted"
        colour = painted[p].background().color()
        got = (colour.red(), colour.green(), colour.blue())
        if n == 1:
            assert got == tuple(int(v) for v in mean), p
        else:
            assert all(abs(c - v) <= 5 for c, v in zip(got, mean, strict=True)), (p, got, mean)
        assert painted[p].fontUnderline() == (n > 1), p


def _open_long(qtbot, count: int = 1200):
    view = ReaderView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    document = _long_article()
    annotations, colors = _highlights(document.text, count)
    view.show_document(document)
    view.set_annotations(annotations, colors, full=True)
    return view, document, annotations, colors


def test_long_article_paints_the_view_at_once_and_the_rest_soon(qtbot):
    view, document, annotations, colors = _open_long(qtbot)
    expected = _expected(document.text, annotations, colors)
    assert view.painter.pending > 0  # most of the article waits for the event loop
    body = view.body
    bottom = body.cursorForPosition(QPoint(body.viewport().width(), body.viewport().height()))
    assert bottom.position() > 500
    _assert_painted(view, expected, 0, bottom.position())
    qtbot.waitUntil(lambda: view.painter.pending == 0, timeout=5000)
    _assert_painted(view, expected)


def test_long_article_never_draws_text_without_its_highlights(qtbot):
    view, document, annotations, colors = _open_long(qtbot)
    expected = _expected(document.text, annotations, colors)
    view.scroll_to(len(document.text) - 10)  # straight to the end, before any background work
    assert view.painter.pending > 0
    view.body.viewport().grab()  # draws: what is in view is painted first
    assert view.painter.pending > 0
    body = view.body
    top = body.cursorForPosition(QPoint(0, 0)).position()
    assert top > len(document.text) // 2
    _assert_painted(view, expected, top)


def test_long_article_live_updates_zoom_and_theme_keep_highlights_right(qtbot):
    view, document, annotations, colors = _open_long(qtbot)
    qtbot.waitUntil(lambda: view.painter.pending == 0, timeout=5000)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    start = len(document.text) - 300  # far out of view: still painted at once
    added = AnnotationRecord(9999, "new", 1, 1, "ann", start, start + 120, "", "", (), now, now)
    more = [*annotations, added]
    view.set_annotations(more, {**colors, 9999: "#123456"})
    assert view.painter.pending == 0
    _assert_painted(view, _expected(document.text, more, {**colors, 9999: "#123456"}))

    view.set_annotations(annotations, colors)  # undo: back as before
    expected = _expected(document.text, annotations, colors)
    _assert_painted(view, expected)
    before = {p: f.background().color().name() for p, f in _painted(view).items()}
    view.zoom(3)
    theme.apply(True)
    try:
        QApplication.processEvents()
        view.body.viewport().grab()
        assert {p: f.background().color().name() for p, f in _painted(view).items()} == before
    finally:
        theme.apply(False)
        view.zoom(0)


def test_new_article_and_placeholder_start_clean(qtbot):
    view = _open_long(qtbot)[0]
    view.show_document(_long_article(seed=3, paragraphs=20))
    view.set_annotations([], {}, full=True)
    qtbot.wait(10)
    assert _painted(view) == {} and view.painter.pending == 0
    view.show_placeholder()
    assert view.painter.pending == 0 and view.painter.segment_count == 0


def test_hidden_reader_still_paints_everything_in_the_background(qtbot):
    view = ReaderView()
    qtbot.addWidget(view)  # never shown: no paint will ask for anything
    document = _long_article()
    annotations, colors = _highlights(document.text, 1200)
    view.show_document(document)
    view.set_annotations(annotations, colors, full=True)
    assert view.painter.pending > 0
    qtbot.waitUntil(lambda: view.painter.pending == 0, timeout=5000)
    _assert_painted(view, _expected(document.text, annotations, colors))


def _blocks_with_highlights(view) -> set[int]:
    document = view.body.document()
    return {document.findBlock(p).blockNumber() for p in _painted(view)}


def _blocks_between(view, top: float, bottom: float) -> set[int]:
    """Numbers of the blocks whose laid-out rectangle reaches into document y top..bottom."""
    document = view.body.document()
    layout = document.documentLayout()
    out = set()
    block = document.begin()
    while block.isValid():
        rect = layout.blockBoundingRect(block)
        if rect.bottom() >= top and rect.top() <= bottom:
            out.add(block.blockNumber())
        block = block.next()
    return out


def test_scrolled_view_edges_between_blocks_paint_the_view_whole_and_only_it(qtbot):
    """Scrolled so that an edge of the view falls in the margin between two blocks: the draw
    paints the blocks in view and no others, and all of them, even though painting a block
    with a character from a fallback font (𝔊) makes it shorter and pulls the next block
    into view."""
    view, document, annotations, colors = _open_long(qtbot)
    expected = _expected(document.text, annotations, colors)
    body = view.body
    qdoc = body.document()
    layout = qdoc.documentLayout()
    height = body.viewport().height()
    assert _blocks_with_highlights(view) <= _blocks_between(view, 0, height - 1)
    layout.documentSize()  # the whole text laid out: the scroll bar reaches every block
    bar = body.verticalScrollBar()
    done = _blocks_with_highlights(view)
    for number, edge in ((30, "bottom"), (60, "top")):
        rect = layout.blockBoundingRect(qdoc.findBlockByNumber(number))
        gap = int(rect.bottom()) + 1  # below the block's text, in its bottom margin
        assert gap < layout.blockBoundingRect(qdoc.findBlockByNumber(number + 1)).top()
        bar.setValue(gap - (height - 1) if edge == "bottom" else gap)
        top = bar.value()
        body.viewport().grab()  # draws: paints what is in view first
        in_view = _blocks_between(view, top, top + height - 1)
        assert view.painter.pending > len(in_view), edge  # not the whole article
        assert _blocks_with_highlights(view) - done <= in_view, edge
        first = qdoc.findBlockByNumber(min(in_view)).position()
        last = qdoc.findBlockByNumber(max(in_view))
        _assert_painted(view, expected, first, last.position() + last.length() - 1)
        done = _blocks_with_highlights(view)
    qtbot.waitUntil(lambda: view.painter.pending == 0, timeout=5000)
    _assert_painted(view, expected)


def test_reader_shown_after_opening_paints_its_first_screen_only(qtbot):
    """As bench_render opens an article (hidden, then shown and drawn once), with the view's
    bottom edge in the margin between two blocks while the text below is not laid out yet:
    where Qt's fuzzy hit test answers the end of the document."""
    plain = _long_article()  # without characters from fallback fonts: see _paint_exposed
    text = plain.text.replace("😀 ", "").replace(" 𝔊", "")
    document = DocumentRecord(1, "doc-uuid", DocumentMetadata("Long article"), text, None)
    annotations, colors = _highlights(document.text, 1200)
    probe = ReaderView()
    qtbot.addWidget(probe)
    probe.resize(900, 600)
    probe.show_document(document)
    probe.show()
    qtbot.waitExposed(probe)
    qdoc = probe.body.document()
    gap = int(qdoc.documentLayout().blockBoundingRect(qdoc.findBlockByNumber(2)).bottom()) + 1
    chrome = probe.height() - probe.body.viewport().height()

    view = ReaderView()
    qtbot.addWidget(view)
    view.resize(900, gap + 1 + chrome)
    view.show_document(document)
    view.set_annotations(annotations, colors, full=True)
    view.show()
    view.grab()
    height = view.body.viewport().height()
    assert height - 1 == gap  # the bottom edge is below block 2's text, above block 3
    in_view = _blocks_between(view, 0, height - 1)
    assert in_view == {0, 1, 2}
    assert _blocks_with_highlights(view) <= in_view
    assert view.painter.pending > view.body.document().blockCount() // 2
    last = view.body.document().findBlockByNumber(2)
    expected = _expected(document.text, annotations, colors)
    _assert_painted(view, expected, 0, last.position() + last.length() - 1)


def test_first_false_finds_where_a_prefix_ends():
    from desktop.widgets.reader import _first_false

    for hi in range(0, 40):
        for answer in range(0, hi + 1):
            for lo in range(0, hi + 1):
                asked = []

                def holds(n, answer=answer, asked=asked):
                    asked.append(n)
                    return n < answer

                assert _first_false(holds, lo, hi) == max(lo, answer), (lo, hi, answer)
                assert all(lo <= n < hi for n in asked)
                assert all(n <= lo + 2 * max(1, answer - lo) for n in asked)
