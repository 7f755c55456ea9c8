"""Position coding in the window: the P form, alias pre-fill, the Positions tab, undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

import desktop.position_actions as position_actions
from tests.desktop.conftest import db_rows, import_and_wait, open_titled, show_positions

PASSAGE = "Hamas will not agree to a temporary ceasefire"


@pytest.fixture
def gaza_doc(tmp_path):
    path = tmp_path / "rulers.txt"
    path.write_text(
        "Talks stall\n\nThe Gaza rulers rejected the offer, officials said. Qatar mediates.\n",
        encoding="utf-8",
    )
    return path


def fill(actor=None, issue="Temporary truce", stance_key="1", source="", seen=None):
    """A stand-in for the user: type into the real form, press the stance key and Enter."""

    def exec_(dialog):
        if seen is not None:
            seen["actor"] = dialog.actor.text()
        if actor is not None:
            dialog.actor.setText(actor)
        dialog.issue.setText(issue)
        dialog.source.setText(source)
        dialog.stances.button(dialog.stances.checkedId()).setFocus()
        from pytestqt.qtbot import QtBot

        QtBot.keyClicks(dialog, stance_key)
        QtBot.keyClick(dialog, Qt.Key.Key_Return)
        return dialog.result()

    return exec_


def test_p_form_prefills_the_actor_from_an_alias_and_saves(
    qtbot, window, project_path, gaza_doc, monkeypatch
):
    show_positions(window)
    window.service.create_actor("Hamas", "group", aliases=["the Gaza rulers", "the terror group"])
    window.refresh_positions()
    import_and_wait(qtbot, window, [gaza_doc])
    open_titled(window, "Gaza rulers")
    window.reader.find_and_select("The Gaza rulers rejected the offer")
    seen = {}
    monkeypatch.setattr(
        position_actions.PositionDialog, "exec", fill(seen=seen, source="officials")
    )
    qtbot.keyClick(window.reader.body, Qt.Key.Key_P)
    assert seen["actor"] == "Hamas"
    ((actor, issue, stance, source, quote),) = db_rows(
        project_path,
        "SELECT ac.name, i.name, s.stance, s.source, a.quote FROM statement s "
        "JOIN actor ac ON ac.id = s.actor_id JOIN issue i ON i.id = s.issue_id "
        "JOIN annotation a ON a.id = s.annotation_id",
    )
    assert (actor, issue, stance, source) == ("Hamas", "Temporary truce", -1, "officials")
    assert quote == "The Gaza rulers rejected the offer"
    assert window.positions.model.rowCount() == 1
    assert window.positions.model.index(0, 3).data() == "oppose"
    assert len(window.reader.body.extraSelections()) == 1  # "The Gaza rulers" underlined


def test_two_statements_on_one_passage_then_edit_delete_and_undo(
    qtbot, window, project_path, corpus_files, monkeypatch
):
    show_positions(window)
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    monkeypatch.setattr(
        position_actions.PositionDialog, "exec", fill(actor="Hamas", stance_key="1")
    )
    window.code_position()
    window.reader.find_and_select(PASSAGE)
    monkeypatch.setattr(
        position_actions.PositionDialog,
        "exec",
        fill(actor="Hamas", issue="Permanent ceasefire", stance_key="3"),
    )
    window.code_position()
    rows = db_rows(project_path, "SELECT annotation_id, stance FROM statement ORDER BY id")
    assert [r[1] for r in rows] == [-1, 1] and rows[0][0] == rows[1][0]
    model = window.positions.model
    assert {model.index(r, 4).data() for r in range(2)} == {
        "Temporary truce",
        "Permanent ceasefire",
    }

    first = model.statement_at(0)
    monkeypatch.setattr(
        position_actions.PositionDialog, "exec", fill(actor="Hamas", stance_key="2")
    )
    assert window.edit_statement(first)
    assert db_rows(project_path, "SELECT stance FROM statement WHERE id = ?", first.id) == [(0,)]
    assert window.delete_statement(model.statement_at(0))
    assert model.rowCount() == 1
    for _ in range(4):  # delete, edit, statement, statement
        window.undo_action.trigger()
    assert db_rows(project_path, "SELECT count(*) FROM statement WHERE deleted_at IS NULL") == [
        (0,)
    ]


def test_positions_filters_and_jump(qtbot, window, corpus_files, monkeypatch):
    show_positions(window)
    import_and_wait(qtbot, window, corpus_files)
    doc = open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    monkeypatch.setattr(
        position_actions.PositionDialog, "exec", fill(actor="Hamas", stance_key="1")
    )
    window.code_position()
    other = open_titled(window, "not going well")
    window.reader.find_and_select("not going well")
    monkeypatch.setattr(
        position_actions.PositionDialog,
        "exec",
        fill(actor="Hamas sources", issue="Talks", stance_key="2"),
    )
    window.code_position()
    panel = window.positions
    assert panel.model.rowCount() == 2
    panel.stance.setCurrentIndex(panel.stance.findData(-1))
    assert panel.model.rowCount() == 1
    panel.stance.setCurrentIndex(0)
    panel.this_article.setChecked(True)
    assert [panel.model.statement_at(r).document_id for r in range(panel.model.rowCount())] == [
        other
    ]
    panel.this_article.setChecked(False)
    target = next(s for s in panel.model._rows if s.document_id == doc)
    window.open_statement(target)
    assert window.reader.document.id == doc
    assert window.reader.body.textCursor().selectedText() == PASSAGE


def test_vocabulary_dialog_edits_actors_issues_and_scale(qtbot, window, project_path):
    dialog = window.open_vocabulary()
    qtbot.addWidget(dialog)
    actors = dialog.actors
    actors.new()
    actors.name.setText("Hamas")
    actors.kind.setCurrentText("group")
    actors.aliases.setPlainText("the Gaza rulers\nthe terror group\n")
    actors.save()
    assert db_rows(project_path, "SELECT name, kind, aliases FROM actor") == [
        ("Hamas", "group", '["the Gaza rulers", "the terror group"]')
    ]
    actors.list.setCurrentIndex(actors.items.index(0, 0))
    actors.notes.setPlainText("Palestinian movement")
    actors.save()
    assert db_rows(project_path, "SELECT notes FROM actor") == [("Palestinian movement",)]
    dialog.issues.new()
    dialog.issues.name.setText("Ceasefire")
    dialog.issues.save()
    dialog.issues.new()
    dialog.issues.name.setText("Temporary truce")
    dialog.issues.parent_issue.setCurrentIndex(dialog.issues.parent_issue.findText("Ceasefire"))
    dialog.issues.save()
    assert "Ceasefire/Temporary truce" in {i.path for i in window.service.issues()}
    dialog.scale.setPlainText(
        "-2, reject, 1\n-1, oppose, 2\n0, neutral, 3\n1, support, 4\n2, demand, 5"
    )
    assert dialog.save_scale()
    assert [lv.label for lv in window.service.stance_scale()] == [
        "reject",
        "oppose",
        "neutral",
        "support",
        "demand",
    ]
    dialog.scale.setPlainText("nonsense")
    assert not dialog.save_scale() and "value, label, key" in window.last_error


def test_exports_from_the_window(qtbot, window, tmp_path, corpus_files):
    from openpyxl import load_workbook

    import_and_wait(qtbot, window, corpus_files)
    doc = open_titled(window, PASSAGE)
    text = window.reader.document.text
    start = text.index(PASSAGE)
    window.service.code_position(doc, start, start + len(PASSAGE), "Hamas", "Truce", -1)
    for name, write in (
        ("s.xlsx", window.service.export_summary),
        ("p.csv", window.service.export_positions_csv),
        ("b.html", window.service.export_brief),
    ):
        task = window.export(tmp_path / name, "Exporting…", write)
        with qtbot.waitSignal(task.finished, timeout=20000):
            pass
    assert list(load_workbook(tmp_path / "s.xlsx").worksheets[0].values)[1][:2] == (
        "Hamas",
        "Truce",
    )
    assert PASSAGE in (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "Hamas" in (tmp_path / "p.csv").read_text(encoding="utf-8")


def test_summary_charts_draw_and_save(qtbot, window, tmp_path, corpus_files):
    import_and_wait(qtbot, window, corpus_files)
    doc = open_titled(window, PASSAGE)
    start = window.reader.document.text.index(PASSAGE)
    window.service.code_position(doc, start, start + len(PASSAGE), "Hamas", "Truce", -1)
    window.service.code_position(doc, start, start + 5, "Israel", "Truce", "support")
    view = window.open_summary()
    qtbot.addWidget(view)
    heatmap = view.figures["Actor × issue"].axes[0]
    assert [t.get_text() for t in heatmap.get_yticklabels()] == ["Hamas", "Israel"]
    assert sorted(t.get_text() for t in heatmap.texts) == ["+1", "-1"]
    for index, suffix in enumerate((".png", ".svg", ".pdf")):
        view.tabs.setCurrentIndex(index)
        target = tmp_path / f"chart{suffix}"
        view.save(target)
        assert target.stat().st_size > 1000
    assert (tmp_path / "chart.pdf").read_bytes().startswith(b"%PDF")


def test_import_annotations_from_the_window_is_one_undo_step(
    qtbot, window, project_path, corpus_files, tmp_path
):
    show_positions(window)
    import json

    import_and_wait(qtbot, window, corpus_files)
    doc = open_titled(window, PASSAGE)
    path = tmp_path / "machine.jsonl"
    lines = [
        {
            "document": doc,
            "quote": PASSAGE,
            "codes": ["Model/Rejection"],
            "statements": [{"actor": "Hamas", "issue": "Truce", "stance": "oppose"}],
        },
        {"document": doc, "quote": "no such passage anywhere"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    task = window.import_annotations(path)
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    report = window.last_annotation_import
    assert (report.annotations, report.statements, [n for n, _ in report.skipped]) == (1, 1, [2])
    assert [a.quote for a in window.reader.annotations] == [PASSAGE]
    assert window.positions.model.rowCount() == 1
    assert "Model/Rejection" in {c.path for c in window.codes.codes}
    window.undo_action.trigger()
    assert db_rows(project_path, "SELECT count(*) FROM statement WHERE deleted_at IS NULL") == [
        (0,)
    ]
    assert window.reader.annotations == []


def test_positions_list_is_read_when_shown_and_a_page_at_a_time(
    qtbot, window, corpus_files, monkeypatch
):
    import_and_wait(qtbot, window, corpus_files)
    doc = open_titled(window, PASSAGE)
    text = window.reader.document.text
    for i in range(5):
        window.service.code_position(doc, i * 10, i * 10 + 8, f"Actor {i}", "Truce", -1)
    monkeypatch.setattr(window.positions.model, "PAGE", 2)
    window.refresh_positions()  # the Articles tab shows: nothing is read yet
    assert window.positions.stale and window.positions.model.rowCount() == 0

    show_positions(window)
    panel = window.positions
    assert not panel.stale and panel.model.total == 5 and panel.model.rowCount() == 2
    assert panel.count.text() == "5 statement(s)"
    while panel.model.canFetchMore():
        panel.model.fetchMore()
    quotes = [panel.model.statement_at(r).quote for r in range(panel.model.rowCount())]
    assert quotes == [text[i * 10 : i * 10 + 8] for i in range(5)]  # every row, in order, once


def test_deleting_a_highlight_takes_its_statement_off_the_list_and_undo_brings_it_back(
    qtbot, window, corpus_files
):
    show_positions(window)
    import_and_wait(qtbot, window, corpus_files)
    doc = open_titled(window, PASSAGE)
    start = window.reader.document.text.index(PASSAGE)
    window.reader.select_span(start, start + len(PASSAGE))
    window.apply_code(window.create_code("Truce"))  # a plain highlight: the list stays as it was
    window.service.code_position(doc, start, start + 10, "Hamas", "Truce", -1)
    window.refresh_positions()
    assert window.positions.model.rowCount() == 1
    annotations = window.service.annotations(doc)
    (highlight,) = [a for a in annotations if (a.start, a.end) == (start, start + 10)]
    window.delete_annotation(highlight.id)
    assert window.positions.model.rowCount() == 0
    window.undo_action.trigger()
    assert window.positions.model.rowCount() == 1
