"""Offline coding: coders' copies merge into the master by UUID; twice adds nothing."""

import pytest

from db.cli import main as cli_main
from db.errors import InvalidInput
from db.service import ProjectService

PASSAGE = "Hamas will not agree to a temporary ceasefire"


def open_as(path, coder):
    service = ProjectService.open(path, create=False)
    service.use_coder(coder)
    return service


def doc_with(service, fragment):
    return next(d.id for d in service.documents() if fragment in service.document(d.id).text)


def test_copies_merge_back_idempotently_with_conflicts_reported(
    service, corpus_files, tmp_path, capsys
):
    master = service
    master.use_coder("owner")
    master.import_files(corpus_files)
    truce, _ = master.create_code("Truce")
    for name in ("ann", "bob"):
        master.export_copy(tmp_path / f"{name}.sqlite")

    ann = open_as(tmp_path / "ann.sqlite", "ann")
    doc = doc_with(ann, PASSAGE)
    start = ann.document(doc).text.index(PASSAGE)
    ann.annotate(doc, None, start, start + len(PASSAGE), [truce])
    mediation, _ = ann.create_code("Mediation")
    ann.annotate(doc, None, start, start + 5, [mediation])
    ann.code_position(doc, start, start + len(PASSAGE), "Hamas", "Truce", -1)
    ann.close()

    bob = open_as(tmp_path / "bob.sqlite", "bob")
    doc_b = doc_with(bob, "not going well")
    bob.annotate(doc_b, None, 0, 10, [truce])
    bob.create_code("mediation")  # the same new code, made independently: matched by name
    bob.rename_code(truce, "Temporary truce")  # a change the master did not make: a conflict
    bob.close()

    report, changes = master.merge_from(tmp_path / "ann.sqlite")
    assert report.added["annotation"] == 2 and report.added["statement"] == 1
    assert report.added["code"] == 1 and report.added["coder"] == 1 and report.conflicts == []
    assert changes.event_id is not None
    again, _ = master.merge_from(tmp_path / "ann.sqlite")
    assert sum(again.added.values()) == 0 and again.conflicts == []

    assert cli_main(["merge", str(master.project.path), str(tmp_path / "bob.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "1 annotation(s)" in out and "conflict" in out and "name differ" in out
    codes = sorted(c.name for c in master.codes())
    assert codes == ["Mediation", "Truce"]  # no duplicate, master's name kept
    quotes = sorted(
        (a.coder_name, a.quote) for d in master.documents() for a in master.annotations(d.id)
    )
    assert [c for c, _ in quotes] == ["ann", "ann", "bob"]
    assert [s.actor for s in master.statements()] == ["Hamas"]

    master.undo(changes.event_id)  # the first merge is one undoable step
    assert sorted(
        c
        for c, _ in (
            (a.coder_name, a.quote) for d in master.documents() for a in master.annotations(d.id)
        )
    ) == ["bob"]


def test_export_copy_refuses_an_existing_file(service, tmp_path):
    (tmp_path / "there.sqlite").write_text("x")
    with pytest.raises(InvalidInput, match="exists already"):
        service.export_copy(tmp_path / "there.sqlite")
    assert (tmp_path / "there.sqlite").read_text() == "x"
