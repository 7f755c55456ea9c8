"""Every edit is an event with before/after states; undo and redo restore them exactly."""

import pytest

from db.errors import InvalidInput
from db.records import DocumentMetadata
from db.service import ProjectService

PASSAGE = "Hamas will not agree to a temporary ceasefire"


@pytest.fixture
def coded(service, corpus_files):
    service.use_coder("ann")
    service.import_files(corpus_files)
    doc = next(d for d in service.documents() if PASSAGE in service.document(d.id).text)
    return service, doc.id, service.document(doc.id).text


def state(service, doc_id):
    codes = sorted((c.path, c.color, c.shortcut, c.n_annotations) for c in service.codes())
    annotations = sorted((a.start, a.end, a.code_ids, a.memo) for a in service.annotations(doc_id))
    return codes, annotations


def test_undo_and_redo_every_kind_of_edit(coded):
    service, doc_id, text = coded
    start = text.index(PASSAGE)
    snapshots = [state(service, doc_id)]
    events = []

    def edit(changes):
        assert changes.event_id is not None and changes.summary
        events.append(changes.event_id)
        snapshots.append(state(service, doc_id))
        return changes

    truce, changes = service.create_code("Truce")
    edit(changes)
    reject, changes = service.create_code("Rejection")
    edit(changes)
    annotation, changes = service.annotate(doc_id, None, start, start + len(PASSAGE), [truce])
    edit(changes)
    edit(service.set_codes(annotation, add=[reject], remove=[truce]))
    edit(service.set_memo(annotation, "mediators' words"))
    edit(service.rename_code(reject, "Rejects"))
    edit(service.recolor_code(reject, "#010203"))
    edit(service.set_shortcut(reject, 7))
    edit(service.move_code(truce, reject))
    edit(service.merge_codes(truce, reject))
    edit(service.delete_annotation(annotation))
    edit(service.delete_code(reject))

    for event_id, before in zip(reversed(events), reversed(snapshots[:-1]), strict=True):
        service.undo(event_id)
        assert state(service, doc_id) == before
    for event_id, after in zip(events, snapshots[1:], strict=True):
        service.redo(event_id)
        assert state(service, doc_id) == after


def test_merge_then_undo_restores_both_codes_and_their_tags(coded):
    service, doc_id, text = coded
    a, _ = service.create_code("Truce")
    b, _ = service.create_code("Ceasefire")
    s1, s2 = text.index("temporary ceasefire"), text.index("permanent ceasefire")
    service.annotate(doc_id, None, s1, s1 + 19, [a])
    service.annotate(doc_id, None, s2, s2 + 19, [a, b])
    before = state(service, doc_id)
    merged = service.merge_codes(a, b)
    assert [c.name for c in service.codes()] == ["Ceasefire"]
    assert {x.code_ids for x in service.annotations(doc_id)} == {(b,)}
    service.undo(merged.event_id)
    assert state(service, doc_id) == before


def test_history_stack_survives_a_restart(project_path, corpus_files):
    first = ProjectService.open(project_path)
    first.use_coder("ann")
    first.import_files(corpus_files)
    doc_id = first.documents()[0].id
    code, c1 = first.create_code("Truce")
    _, c2 = first.annotate(doc_id, None, 0, 5, [code])
    first.close()

    second = ProjectService.open(project_path)
    second.use_coder("ann")
    entries, applied = second.history()
    assert [e.event_id for e in entries] == [c1.event_id, c2.event_id] and applied == 2
    second.undo(entries[-1].event_id)
    assert second.annotations(doc_id) == []
    entries, applied = second.history()
    assert applied == 1  # the undone edit is on the redo side
    other = ProjectService(second.project)
    other.use_coder("bob")
    assert other.history() == ([], 0)  # each coder has their own stack
    second.close()


def test_a_new_edit_after_undo_drops_the_redo_side(coded):
    service, *_ = coded
    _, c1 = service.create_code("A")
    _, c2 = service.create_code("B")
    service.undo(c2.event_id)
    _, c3 = service.create_code("C")
    entries, applied = service.history()
    assert [e.event_id for e in entries] == [c1.event_id, c3.event_id] and applied == 2


def test_undoing_a_code_delete_gives_back_a_free_shortcut_only(coded):
    service, *_ = coded
    a, _ = service.create_code("A")  # key 1
    deleted = service.delete_code(a)
    service.create_code("B")  # takes key 1
    service.undo(deleted.event_id)
    keys = {c.name: c.shortcut for c in service.codes()}
    assert keys == {"A": None, "B": 1}


def test_metadata_memo_delete_document_undo(coded):
    service, doc_id, _ = coded
    old = service.document(doc_id).metadata
    edit = service.update_metadata(doc_id, DocumentMetadata("New title", "JNS"))
    memo = service.set_document_memo(doc_id, "check date")
    gone = service.delete_documents([doc_id])
    assert doc_id not in {d.id for d in service.documents()}
    service.undo(gone.event_id)
    service.undo(memo.event_id)
    service.undo(edit.event_id)
    document = service.document(doc_id)
    assert document.metadata == old and document.memo == ""


def test_codebook_rules_for_moves(coded):
    service, *_ = coded
    parent, _ = service.create_code("Actors")
    child, _ = service.create_code("Hamas", parent_id=parent)
    assert [c.path for c in service.codes()] == ["Actors", "Actors/Hamas"]
    with pytest.raises(InvalidInput, match="inside itself"):
        service.move_code(parent, child)
    other, _ = service.create_code("Hamas")
    with pytest.raises(InvalidInput, match="already"):
        service.move_code(other, parent)
    service.move_code(other, None, 0)
    assert [c.path for c in service.codes()] == ["Hamas", "Actors", "Actors/Hamas"]
    service.set_archived(other, True)
    assert [c.archived for c in service.codes()] == [True, False, False]


def test_edits_on_a_stale_view_are_conflicts_not_overwrites(project_path, corpus_files):
    from db.errors import Conflict

    ann, bob = ProjectService.open(project_path), ProjectService.open(project_path)
    ann.use_coder("ann")
    bob.use_coder("bob")
    ann.import_files(corpus_files[:1])
    code, _ = ann.create_code("Truce")
    seen = ann.codes()[0]  # what ann's codebook shows
    bob.rename_code(code, "Ceasefire", bob.codes()[0].version)
    with pytest.raises(Conflict, match="now “Ceasefire”"):
        ann.rename_code(code, "Temporary truce", seen.version)
    with pytest.raises(Conflict):
        ann.describe_code(code, "rule", seen.version)
    assert [c.name for c in ann.codes()] == ["Ceasefire"]
    ann.rename_code(code, "Temporary truce", ann.codes()[0].version)  # after a fresh look: fine

    doc = ann.documents()[0].id
    version = ann.document(doc).version
    bob.set_document_memo(doc, "bob's note", bob.document(doc).version)
    with pytest.raises(Conflict, match="bob's note"):
        ann.set_document_memo(doc, "ann's note", version)
    with pytest.raises(Conflict):
        ann.update_metadata(doc, DocumentMetadata("Ann's title"), version)
    assert ann.document(doc).memo == "bob's note"
    ann.close()
    bob.close()
