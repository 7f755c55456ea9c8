"""Position coding in the core: vocabularies, statements, undo, positions CSV, JSON Lines."""

import csv
import json

import pytest

from db.cli import main as cli_main
from db.errors import InvalidInput
from db.exports.positions_csv import COLUMNS
from db.logic.stance import StanceLevel
from db.queries.positions import StatementFilter

TRUCE_QUOTE = "Hamas will not agree to a temporary ceasefire"
PERMANENT = "present its own road map for a permanent ceasefire in Gaza"


@pytest.fixture
def coded(service, corpus_files):
    service.use_coder("ann")
    service.import_files(corpus_files)
    doc = next(d for d in service.documents() if TRUCE_QUOTE in service.document(d.id).text)
    text = service.document(doc.id).text
    israel, _ = service.create_actor("Israeli government", "state")
    hamas, _ = service.create_actor(
        "Hamas", "group", aliases=["the terror group", "the Gaza rulers"]
    )
    netanyahu, _ = service.create_actor("Benjamin Netanyahu", "person", parent_id=israel)
    truce, _ = service.create_issue("Temporary truce")
    permanent, _ = service.create_issue("Permanent ceasefire")
    return (
        service,
        doc,
        text,
        dict(hamas=hamas, netanyahu=netanyahu, truce=truce, permanent=permanent),
    )


def test_one_passage_two_statements_and_undo(coded):
    service, doc, text, ids = coded
    start = text.index(PERMANENT)
    end = start + len(PERMANENT)
    s1, c1 = service.code_statement(doc.id, start, end, ids["hamas"], ids["truce"], -1, "WSJ")
    s2, c2 = service.code_statement(doc.id, start, end, ids["hamas"], ids["permanent"], "support")
    assert c1.positions and c2.event_id
    statements = service.statements()
    assert [(s.actor, s.issue, s.stance_label) for s in statements] == [
        ("Hamas", "Temporary truce", "oppose"),
        ("Hamas", "Permanent ceasefire", "support"),
    ]
    assert (
        statements[0].annotation_id == statements[1].annotation_id
    )  # one highlight, two positions
    assert text[statements[0].start : statements[0].end] == PERMANENT
    service.update_statement(s1, stance=0, source="Wall Street Journal")
    assert service.statements()[0].stance_label == "neutral"
    service.delete_statement(s2)
    assert len(service.statements()) == 1
    entries, applied = service.history()
    for entry in reversed(entries[applied - 4 : applied]):  # code, code, edit, delete
        service.undo(entry.event_id)
    assert service.statements() == []


def test_vocabulary_rules(coded):
    service, _doc, _text, ids = coded
    with pytest.raises(InvalidInput, match="already names Hamas"):
        service.create_actor("Islamic Resistance", aliases=["The Gaza Rulers"])
    with pytest.raises(InvalidInput, match="one of"):
        service.create_actor("Qatar", "country")
    with pytest.raises(InvalidInput, match="already an actor"):
        service.create_actor("hamas")
    actors = {a.name: a for a in service.actors()}
    assert actors["Benjamin Netanyahu"].parent_name == "Israeli government"
    sub, _ = service.create_issue("Hostage release", parent_id=ids["truce"])
    assert "Temporary truce/Hostage release" in {i.path for i in service.issues()}
    service.update_issue(sub, name="Release of hostages")
    assert "Temporary truce/Release of hostages" in {i.path for i in service.issues()}


def test_stance_scale_can_be_widened_but_not_below_used_values(coded):
    service, doc, text, ids = coded
    labels = ((-2, "reject"), (-1, "oppose"), (0, "neutral"), (1, "support"), (2, "demand"))
    wide = [StanceLevel(v, label, str(v + 3)) for v, label in labels]
    service.set_stance_scale(wide)
    start = text.index(TRUCE_QUOTE)
    service.code_statement(doc.id, start, start + 20, ids["hamas"], ids["truce"], "reject")
    assert service.statements()[0].stance == -2
    with pytest.raises(InvalidInput, match="use stance value"):
        service.set_stance_scale(wide[1:])
    with pytest.raises(InvalidInput, match="not on the stance scale"):
        service.code_statement(doc.id, start, start + 20, ids["hamas"], ids["truce"], 5)
    with pytest.raises(InvalidInput, match="used by"):
        service.delete_actor(ids["hamas"])


def test_positions_csv_reads_back_and_filters_by_coder(coded, tmp_path):
    service, doc, text, ids = coded
    start = text.index(TRUCE_QUOTE)
    service.code_statement(
        doc.id, start, start + len(TRUCE_QUOTE), ids["hamas"], ids["truce"], -1, "mediators", 0.8
    )
    service.use_coder("bob")
    service.code_statement(doc.id, start, start + 5, ids["netanyahu"], ids["truce"], 1)
    out = tmp_path / "positions.csv"
    assert service.export_positions_csv(out) == 2
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(COLUMNS)
    first = next(r for r in rows if r["coder"] == "ann")
    assert (first["actor"], first["actor_kind"], first["issue"], first["stance"]) == (
        "Hamas",
        "group",
        "Temporary truce",
        "-1",
    )
    assert (first["stance_label"], first["source"], first["certainty"]) == (
        "oppose",
        "mediators",
        "0.8",
    )
    assert text[int(first["start"]) : int(first["end"])] == first["quote"] == TRUCE_QUOTE
    bob = next(r for r in rows if r["coder"] == "bob")
    assert (bob["actor_parent"], bob["stance_label"]) == ("Israeli government", "support")
    only_bob = service.statements(StatementFilter(coders=frozenset({"bob"})))
    assert [s.actor for s in only_bob] == ["Benjamin Netanyahu"]
    path = str(service.project.path)
    assert cli_main(["export", "positions", path, "-o", str(out), "--coder", "ann"]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        assert [r["coder"] for r in csv.DictReader(f)] == ["ann"]


def test_json_lines_import(coded, tmp_path, capsys):
    service, doc, *_ = coded
    lines = [
        {
            "document": doc.title,
            "quote": "temporary ceasefire",
            "codes": ["Talks/Truce"],
            "memo": "model suggestion",
            "statements": [
                {"actor": "the terror group", "issue": "Temporary truce", "stance": "oppose"}
            ],
        },
        {
            "document": doc.id,
            "start": 0,
            "end": 5,
            "coder": "classifier",
            "statements": [{"actor": "Egypt", "issue": "Mediation", "stance": 1, "source": "dpa"}],
        },
        {"document": "No such title", "quote": "x"},
        {"document": doc.id, "quote": "never in the text"},
        {"document": doc.id, "start": 5, "end": 10**6},
        {
            "document": doc.id,
            "quote": "ceasefire",
            "codes": ["Ghost"],
            "statements": [{"actor": "Hamas", "issue": "Truce", "stance": 9}],
        },
    ]
    path = tmp_path / "suggestions.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    report, changes = service.import_annotations(path)
    assert (report.annotations, report.statements) == (2, 2)
    assert [n for n, _ in report.skipped] == [3, 4, 5, 6, 7]
    assert "unknown document" in report.skipped[0][1] and "not found" in report.skipped[1][1]
    assert sorted(report.created) == [
        "actor Egypt",
        "code Talks",
        "code Talks/Truce",
        "coder classifier",
        "issue Mediation",
    ]
    assert "Ghost" not in {c.name for c in service.codes()}  # a skipped line leaves nothing
    by_coder = {s.coder: s for s in service.statements()}
    assert by_coder["ann"].actor == "Hamas"  # resolved through the alias
    assert by_coder["classifier"].source == "dpa"
    annotation = next(a for a in service.annotations(doc.id) if a.memo)
    assert annotation.quote == "temporary ceasefire" and annotation.memo == "model suggestion"
    service.undo(changes.event_id)  # the whole import is one step
    assert service.statements() == [] and service.annotations(doc.id) == []
    assert (
        cli_main(["import-annotations", str(service.project.path), str(path), "--coder", "ann"])
        == 0
    )
    assert "2 annotation(s), 2 statement(s) imported" in capsys.readouterr().out
