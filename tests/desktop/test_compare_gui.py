"""Compare two coders in the GUI and build gold with the adjudication keys."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMenu

from db.service import ProjectService
from desktop.dialogs.adjudicate import AdjudicateDialog
from desktop.widgets.lanes import GOLD_COLOR, OPEN_COLOR, lane_color
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
    assert len(rows) == 5


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
