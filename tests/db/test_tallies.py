"""The trigger-kept annotation tallies (migration 0008) stay equal to counting the rows.

The article list, the codebook and the coders list read their counts from these tallies, so
every way annotations change — click, untag, delete, undo, redo, merge, hard delete, import —
must leave them exact, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from db.changes import Changes
from db.migrate import alembic_config
from db.service import ProjectService

TRUE_DOCUMENT_COUNTS = """SELECT document_id, coder_id, count(*) FROM annotation
    WHERE deleted_at IS NULL GROUP BY document_id, coder_id"""
TRUE_CODE_COUNTS = """SELECT ac.code_id, a.coder_id, count(*) FROM annotation_code AS ac
    JOIN annotation AS a ON a.id = ac.annotation_id WHERE a.deleted_at IS NULL
    GROUP BY ac.code_id, a.coder_id"""


def counts(service: ProjectService, sql: str) -> dict[tuple[int, int], int]:
    with service.project.engine.connect() as c:
        return {(a, b): n for a, b, n in c.execute(text(sql)) if n}


def assert_tallies_exact(service: ProjectService) -> None:
    assert counts(service, "SELECT document_id, coder_id, n FROM annotation_tally") == counts(
        service, TRUE_DOCUMENT_COUNTS
    )
    assert counts(service, "SELECT code_id, coder_id, n FROM code_tally") == counts(
        service, TRUE_CODE_COUNTS
    )


def exercise(service: ProjectService, corpus_files) -> None:
    """Every kind of annotation change, checking the tallies and the lists after each."""
    service.import_files(corpus_files)
    ann, bob = service.ensure_coder("ann"), service.ensure_coder("bob")
    service.use_coder("ann")
    a, _ = service.create_code("Truce")
    b, _ = service.create_code("Hostages")
    c, _ = service.create_code("Aid")
    first, second = (d.id for d in service.documents()[:2])
    one, _ = service.annotate(first, ann, 0, 20, [a, b])
    two, _ = service.annotate(first, bob, 10, 30, [a])
    three, _ = service.annotate(second, ann, 5, 15, [c])
    assert_tallies_exact(service)
    by_id = {d.id: d for d in service.documents()}
    assert (by_id[first].n_annotations, by_id[first].n_mine) == (2, 1)
    assert {x.name: (x.n_annotations, x.n_mine) for x in service.codes()} == {
        "Truce": (2, 1),
        "Hostages": (1, 1),
        "Aid": (1, 1),
    }
    assert {x.name: x.n_annotations for x in service.coders()} == {"ann": 2, "bob": 1}

    removed = service.set_codes(one, add=[c], remove=[b])
    assert_tallies_exact(service)
    deleted = service.delete_annotation(three)
    assert_tallies_exact(service)
    assert service.documents([second])[0].n_annotations == 0
    service.undo(deleted.event_id)
    assert_tallies_exact(service)
    service.redo(deleted.event_id)
    service.undo(removed.event_id)
    assert_tallies_exact(service)
    hits = [(d.id, 40, 60) for d in service.documents()] + [(second, 70, 90)]
    _, coded = service.autocode(c, hits)  # many rows in one statement (PostgreSQL: one firing)
    assert_tallies_exact(service)
    assert {x.name: x.n_annotations for x in service.codes()}["Aid"] == len(hits)
    service.undo(coded.event_id)  # and many soft-deleted by one UPDATE
    assert_tallies_exact(service)
    service.merge_codes(b, a)  # moves tags with an UPDATE of annotation_code
    assert_tallies_exact(service)
    service.delete_code(c)
    assert_tallies_exact(service)
    with service.project.engine.begin() as conn:  # another program removes rows outright
        conn.execute(text("DELETE FROM annotation_code WHERE annotation_id = :i"), {"i": two})
        conn.execute(text("DELETE FROM annotation WHERE id = :i"), {"i": one})
    assert_tallies_exact(service)
    assert service.documents([first])[0].n_annotations == 1


@pytest.mark.parametrize("backend", ["project_path", "pg_url"], ids=["sqlite", "postgres"])
def test_tallies_follow_every_change(backend, request, corpus_files):
    service = ProjectService.open(request.getfixturevalue(backend))
    try:
        exercise(service, corpus_files)
    finally:
        service.close()


def test_upgrading_an_older_project_fills_the_tallies(project_path, corpus_files):
    service = ProjectService.open(project_path)
    try:
        service.import_files(corpus_files)
        coder = service.ensure_coder("ann")
        code, _ = service.create_code("Truce")
        for d in service.documents():
            service.annotate(d.id, coder, 0, 10, [code])
    finally:
        service.close()
    service = ProjectService.open(project_path)
    with service.project.engine.begin() as c:
        command.downgrade(alembic_config(c), "0008-1")  # just before the tallies
    service.close()

    service = ProjectService.open(project_path)  # upgrades again, counting what is there
    try:
        assert_tallies_exact(service)
        assert service.codes()[0].n_annotations == 5
    finally:
        service.close()


def test_an_edit_reports_how_the_code_counts_moved(service, corpus_files):
    """The GUI shifts its codebook counts by ``Changes.code_deltas`` instead of reading them:
    after each kind of edit, those counts plus the deltas equal the counts read afresh."""
    service.import_files(corpus_files)
    ann, bob = service.ensure_coder("ann"), service.ensure_coder("bob")
    service.use_coder("ann")
    a, _ = service.create_code("Truce")
    b, _ = service.create_code("Hostages")
    doc = service.documents()[0].id
    shown = {c.id: (c.n_annotations, 0) for c in service.codes()}  # what a view holds, per ann

    def follow(changes) -> None:
        assert changes.code_deltas is not None or not changes.code_counts
        for code_id, coder_id, change in changes.code_deltas or ():
            everyone, mine = shown[code_id]
            shown[code_id] = (everyone + change, mine + change * (coder_id == ann))
        fresh = {c.id: (c.n_annotations, c.n_mine) for c in service.codes()}
        assert shown == fresh

    one, changes = service.annotate(doc, ann, 0, 20, [a, b])
    follow(changes)
    follow(service.annotate(doc, bob, 5, 25, [a])[1])
    follow(service.annotate(doc, ann, 0, 20, [a])[1])  # already tagged: nothing moves
    follow(service.set_codes(one, add=[b], remove=[]))
    follow(service.set_codes(one, add=[], remove=[b]))
    follow(service.set_memo(one, "a note"))
    follow(service.delete_annotation(one))
    assert service.undo(service.history()[0][-1].event_id).code_deltas is None  # re-read
    tagged = service.annotate(doc, ann, 30, 40, [a])[1]
    untagged = service.set_codes(service.annotations(doc)[-1].id, add=[], remove=[a])
    joined = tagged | untagged
    assert joined.code_deltas == (tagged.code_deltas or ()) + (untagged.code_deltas or ())
    assert (tagged | Changes(code_counts=True)).code_deltas is None  # an unknown amount
    assert (tagged | Changes(documents=True)).code_deltas == tagged.code_deltas


def test_joined_changes_name_their_highlights_or_say_they_cannot():
    one = Changes(annotations_of=frozenset({1}), annotation_ids=frozenset({10}))
    two = Changes(annotations_of=frozenset({2}), annotation_ids=frozenset({20}))
    assert (one | two).annotation_ids == {10, 20}
    assert (one | Changes(documents=True)).annotation_ids == {10}  # no highlights there
    unnamed = Changes(annotations_of=frozenset({3}))  # e.g. a merge: read those again
    assert (one | unnamed).annotation_ids is None and (unnamed | one).annotation_ids is None
