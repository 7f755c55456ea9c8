"""Compare two coders in the GUI and build gold with the adjudication keys."""

from __future__ import annotations

import csv
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMenu, QTextEdit

from db.service import ProjectService
from desktop.dialogs.adjudicate import AdjudicateDialog
from desktop.project import ProjectController
from desktop.widgets.lanes import GOLD_COLOR, OPEN_COLOR, CoderLanes, Lane, lane_color
from tests.desktop.conftest import db_rows, open_window

SAME = "Hamas will not agree to a temporary ceasefire"
ONLY_ANN = "Hamas will reject the latest proposal"
SHIFTED = "Hamas has rejected a ceasefire proposal"


def _coded_project(path, corpus_files):
    """ann and bob: one identical passage, one only ann coded, one with other bounds and codes."""
    service = ProjectService.open(path)
    service.import_files(corpus_files)
    rejection, _ = service.create_code("Rejection")
    truce, _ = service.create_code("Truce")
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    where = {}
    for passage in (SAME, ONLY_ANN, SHIFTED):
        doc = next(d for d, t in texts.items() if passage in t)
        start = texts[doc].index(passage)
        where[passage] = (doc, start, start + len(passage))
    ann, bob = service.ensure_coder("ann"), service.ensure_coder("bob")
    for coder in (ann, bob):
        doc, s, e = where[SAME]
        service.annotate(doc, coder, s, e, [rejection])
    doc, s, e = where[ONLY_ANN]
    service.annotate(doc, ann, s, e, [rejection])
    doc, s, e = where[SHIFTED]
    service.annotate(doc, ann, s, e, [rejection, truce])
    service.annotate(doc, bob, s + 6, e, [rejection])
    service.close()
    return where, rejection, truce


def _gold(path):
    return db_rows(
        path,
        'SELECT a.document_id, a.start, a."end", group_concat(c.name) FROM annotation a '
        "JOIN coder k ON k.id = a.coder_id LEFT JOIN annotation_code ac ON ac.annotation_id = a.id "
        "LEFT JOIN code c ON c.id = ac.code_id WHERE k.role = 'gold' AND a.deleted_at IS NULL "
        "GROUP BY a.id ORDER BY a.document_id, a.start",
    )


def test_keys_walk_disagreements_and_build_gold(
    qtbot, project_path, data_dir, corpus_files, tmp_path, monkeypatch
):
    where, rejection, truce = _coded_project(project_path, corpus_files)
    window = open_window(qtbot, project_path, coder="owner")
    window.open_compare()
    assert window.comparing
    names = [window.compare_panel.coder_model.item(r).text() for r in range(2)]
    assert [n.split(" — ")[0] for n in names] == ["ann", "bob"]

    window.reader.setFocus()
    qtbot.keyClick(window.reader.body, Qt.Key.Key_N)  # first open disagreement, any article
    first = window.current_passage
    assert first is not None and not first.agreed
    assert window.reader.selected_span() == (first.start, first.end)
    # the lanes show ann (A) and bob (B) beside the text and a red mark where they differ
    image = window.reader.lanes.grab().toImage()
    colors = {
        QColor(image.pixel(x, y)).name()
        for x in range(image.width())
        for y in range(image.height())
    }
    assert {lane_color(0), OPEN_COLOR} <= colors
    window.grab().save(str(tmp_path / "compare.png"))

    # three disagreements (ONLY_ANN's Rejection, SHIFTED's Rejection bounds and its Truce):
    # B, A, A — after each key gold marks the code exactly where the chosen coder did
    ann, bob = window.comparison.coder_ids
    decided = []
    for key, chosen in ((Qt.Key.Key_B, bob), (Qt.Key.Key_A, ann), (Qt.Key.Key_A, ann)):
        passage, doc = window.current_passage, window.reader.document.id
        assert passage is not None and not passage.agreed
        decided.append((doc, passage.code_id, passage.start))
        qtbot.keyClick(window.reader.body, key)
        gold = window.service.compare(doc, [ann, bob]).gold
        marked = {
            (g.start, g.end)
            for g in gold
            if passage.code_id in g.code_ids and passage.overlaps(g.start, g.end)
        }
        assert marked == passage.spans_of(chosen)
    assert len(set(decided)) == 3
    assert "No open disagreements" in window.statusBar().currentMessage()
    assert window.compare_panel.passages.rowCount() >= 1
    window.grab().save(str(tmp_path / "compare2.png"))
    image = window.reader.lanes.grab().toImage()
    gold_seen = any(
        QColor(image.pixel(x, y)).name() == GOLD_COLOR
        for x in range(image.width())
        for y in range(image.height())
    )
    assert gold_seen

    # edit: gold gets the words and codes the owner chose
    doc, s, e = where[SHIFTED]
    window.select_document(doc)
    row = next(
        i
        for i, p in enumerate(window.comparison.passages)
        if p.overlaps(s, e) and p.code_id == rejection
    )
    window.choose_passage(row)

    def choose(dialog: AdjudicateDialog) -> int:
        assert dialog.code_ids() == {rejection}  # the passage's code, ticked
        dialog.select_words(s + 6, s + 16)
        for r in range(dialog.codes.count()):
            item = dialog.codes.item(r)
            wanted = item.text() == "Truce"
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
        assert dialog.code_ids() == {truce}
        return 1

    monkeypatch.setattr(AdjudicateDialog, "exec", choose)
    qtbot.keyClick(window.reader.body, Qt.Key.Key_E)
    # Rejection is gone from gold there; Truce (decided before: ann's span) stays
    gold = [g for g in _gold(project_path) if g[0] == doc and s <= g[1] < e]
    assert sorted(gold) == [(doc, s, e, "Truce"), (doc, s + 6, s + 16, "Truce")]
    # one Ctrl+Z takes the edit back
    window.controller.undo_stack.undo()
    gold = [g for g in _gold(project_path) if g[0] == doc and s <= g[1] < e]
    assert (doc, s + 6, s + 16, "Truce") not in gold


def test_copy_agreed_and_no_more_disagreements(
    qtbot, project_path, data_dir, corpus_files, tmp_path
):
    where, *_ = _coded_project(project_path, corpus_files)
    window = open_window(qtbot, project_path, coder="owner")
    window.open_compare()
    with qtbot.waitSignal(window.accept_agreed().finished, timeout=10000):
        pass
    assert window.controller.undo_stack.count() >= 1  # one undoable step
    doc, s, e = where[SAME]
    assert (doc, s, e, "Rejection") in _gold(project_path)
    assert window.step_disagreement(1)
    for _ in range(3):  # each decision moves on to the next open disagreement
        qtbot.keyClick(window.reader.body, Qt.Key.Key_U)
    assert not window.step_disagreement(1)
    assert "No open disagreements" in window.statusBar().currentMessage()

    # File → Exports hold the coding of → gold: the CSV holds gold's highlights only
    menu = QMenu()
    window.fill_export_scope_menu(menu)
    labels = [a.text() for a in menu.actions()]
    assert labels[:2] == ["All coders", "gold (adjudicated)"]
    menu.actions()[1].trigger()
    assert window.export_coders == ["gold"]
    out = tmp_path / "gold.csv"
    with qtbot.waitSignal(window.export_csv(out).finished, timeout=10000):
        pass
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["coder"] for r in rows} == {"gold"}
    assert len(rows) == len(_gold(project_path)) + 1  # ann's shifted span carries two codes
    assert len(rows) == 4  # accepting both joined bob's shifted span into ann's


def test_agreement_report_window_computes_and_saves(
    qtbot, project_path, data_dir, corpus_files, tmp_path, monkeypatch
):
    _coded_project(project_path, corpus_files)
    window = open_window(qtbot, project_path, coder="owner")
    dialog = window.open_agreement()
    assert dialog.chosen_coders() == ["ann", "bob"]  # the two busiest coders, ticked for you
    with qtbot.waitSignal(dialog.rows.modelReset, timeout=10000):
        dialog.compute.click()
    rows = dialog.rows.records()
    by_key = {(r.coefficient, r.code): r for r in rows}
    assert ("unitizing alpha (α-u)", "Rejection") in by_key
    assert ("cohen kappa", "(all codes)") in by_key
    expected = window.service.agreement(["ann", "bob"])
    assert rows == expected
    out = tmp_path / "agreement.html"
    monkeypatch.setattr(window, "_save_path", lambda *_args: out)
    with qtbot.waitSignal(window.save_agreement(dialog).finished, timeout=10000):
        pass
    page = out.read_text(encoding="utf-8")
    assert "unitizing alpha" in page and "ann" in page and "bob" in page
    dialog.grab().save(str(tmp_path / "agreement.png"))


def _choose(window, passage_text, code_id=None):
    """Open the article holding ``passage_text`` and choose its (first) passage there."""
    texts = {d.id: window.service.document(d.id).text for d in window.service.documents()}
    doc, text = next((d, t) for d, t in texts.items() if passage_text in t)
    window.select_document(doc)
    start = text.index(passage_text)
    row = next(
        i
        for i, p in enumerate(window.comparison.passages)
        if p.overlaps(start, start + len(passage_text)) and code_id in (None, p.code_id)
    )
    window.choose_passage(row)
    return doc


def test_lanes_follow_the_compare_tab_and_dock(qtbot, project_path, data_dir, corpus_files):
    _coded_project(project_path, corpus_files)
    window = open_window(qtbot, project_path, coder="owner")
    window.open_compare()
    _choose(window, SHIFTED)
    lanes = window.reader.lanes
    assert lanes.isVisible() and window.reader.body.left_reserve > 0

    window.docks["details"].close()  # the dock's close button
    assert not window.comparing
    assert not lanes.isVisible() and window.reader.body.left_reserve == 0
    qtbot.keyClick(window.reader.body, Qt.Key.Key_A)  # no compare view: no decision
    assert _gold(project_path) == []

    window.docks["details"].show()  # back again: lanes too
    assert window.comparing and lanes.isVisible()
    window.details.setCurrentWidget(window.panel)  # another tab in front
    assert not lanes.isVisible()
    window.details.setCurrentWidget(window.compare_panel)
    assert lanes.isVisible()


def test_letters_in_the_coder_list_or_detail_do_not_decide(
    qtbot, project_path, data_dir, corpus_files
):
    _coded_project(project_path, corpus_files)
    window = open_window(qtbot, project_path, coder="owner")
    window.open_compare()
    _choose(window, SHIFTED)
    chosen = window.current_passage
    panel = window.compare_panel
    window.activateWindow()  # shortcuts only fire in the active window
    qtbot.waitUntil(window.isActiveWindow)
    for widget in (panel.coder_list, panel.detail):
        widget.setFocus()
        for key in (Qt.Key.Key_A, Qt.Key.Key_B, Qt.Key.Key_U, Qt.Key.Key_N, Qt.Key.Key_S):
            qtbot.keyClick(widget, key)
    assert _gold(project_path) == []
    assert window.current_passage == chosen
    assert panel.coder_ids() == list(window.comparison.coder_ids)  # still both ticked

    panel.table.setFocus()  # the passage list: its letters are the adjudication keys
    qtbot.keyClick(panel.table, Qt.Key.Key_A)
    assert _gold(project_path) != []
    assert window.current_passage != chosen  # and on to the next one


def test_nothing_to_code_shows_as_decided(qtbot, project_path, data_dir, corpus_files):
    _coded_project(project_path, corpus_files)
    window = open_window(qtbot, project_path, coder="owner")
    window.open_compare()
    doc = _choose(window, ONLY_ANN)
    assert "not decided" in window.compare_panel.detail.toPlainText()
    qtbot.keyClick(window.reader.body, Qt.Key.Key_B)  # bob marked nothing: nothing to code
    assert [g for g in _gold(project_path) if g[0] == doc] == []
    _choose(window, ONLY_ANN)
    detail = window.compare_panel.detail.toPlainText()
    assert "nothing to code" in detail and "not decided" not in detail
    row = window.comparison.passages.index(window.current_passage)
    assert window.compare_panel.passages.state_of(row) == "decided"


def test_a_key_press_reads_coders_at_most_once(
    qtbot, project_path, data_dir, corpus_files, monkeypatch
):
    _, rejection, _ = _coded_project(project_path, corpus_files)
    window = open_window(qtbot, project_path, coder="owner")
    window.open_compare()
    _choose(window, SHIFTED, rejection)  # its article holds a second disagreement (Truce)
    calls = {"coders": 0, "compare": 0}
    service = window.service
    for name in calls:
        real = getattr(service, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(service, name, counted)
    qtbot.keyClick(window.reader.body, Qt.Key.Key_A)
    assert window.current_passage is not None and window.current_passage.code_id != rejection
    assert calls == {"coders": 1, "compare": 1}  # the highlight counts changed: one read


def test_lanes_measure_only_the_spans_in_view(qtbot):
    body = QTextEdit()
    qtbot.addWidget(body)
    body.setPlainText("\n".join(f"Line {i} of a long article." for i in range(3000)))
    body.resize(500, 300)
    body.setViewportMargins(40, 0, 0, 0)
    body.show()
    lanes = CoderLanes(body)
    starts = [m.start() for m in re.finditer("Line", body.toPlainText())]
    spans = tuple((s, s + 4) for s in starts)
    lanes.show_lanes([Lane("ann", lane_color(0), spans)], [(s, e, True) for s, e in spans])
    measured = []
    real = body.cursorRect

    def counted(cursor):
        measured.append(cursor.position())
        return real(cursor)

    body.cursorRect = counted
    for where in (0, body.verticalScrollBar().maximum() // 2):
        body.verticalScrollBar().setValue(where)
        measured.clear()
        image = lanes.grab().toImage()
        assert 0 < len(measured) < 200  # a screenful of lines, not 3000 spans × 2
        colors = {
            QColor(image.pixel(x, y)).name()
            for x in range(image.width())
            for y in range(0, image.height(), 3)
        }
        assert {lane_color(0), OPEN_COLOR} <= colors


def test_undo_of_copying_agreed_runs_in_the_background(
    qtbot, project_path, data_dir, corpus_files, monkeypatch
):
    """A big undo (here: any above a lowered threshold) runs off the GUI thread; gold goes."""
    service = ProjectService.open(project_path)
    service.import_files(corpus_files)
    code, _ = service.create_code("Everything")
    hits = [
        (d.id, m.start(), m.end())
        for d in service.documents()
        for m in re.finditer(r"\w{4,}", service.document(d.id).text)
    ]
    for name in ("ann", "bob"):
        service.use_coder(name)
        service.autocode(code, hits)
    service.close()
    window = open_window(qtbot, project_path, coder="owner")
    window.open_compare()
    with qtbot.waitSignal(window.accept_agreed().finished, timeout=20000):
        pass
    assert len(_gold(project_path)) == len(hits)
    monkeypatch.setattr(ProjectController, "HEAVY_REPLAY", 10_000)
    small = window.controller.undo_stack.count()

    window.undo_action.trigger()  # Ctrl+Z
    assert window.controller.replaying is not None  # a worker thread has it
    qtbot.waitUntil(lambda: window.controller.replaying is None, timeout=20000)
    assert _gold(project_path) == []
    assert window.comparison.gold == ()  # the views followed

    window.redo_action.trigger()
    assert window.controller.replaying is not None
    qtbot.waitUntil(lambda: window.controller.replaying is None, timeout=20000)
    assert len(_gold(project_path)) == len(hits)
    assert window.controller.undo_stack.count() == small
    assert window.controller.undo_stack.index() == small
