import pytest

from db.errors import InvalidInput, NotFound
from db.models import Annotation


@pytest.fixture
def emoji_doc(service, tmp_path):
    path = tmp_path / "emoji.txt"
    path.write_text(
        "Talks 🕊️ resume\n\nNegotiators 😀😀 said 𝔊aza truce plan is off. Hamas rejected it.\n",
        encoding="utf-8",
    )
    service.import_files([path])
    return service.documents()[0].id


def test_offsets_are_code_points_past_emoji(service, emoji_doc):
    code, _ = service.create_code("Rejection")
    coder = service.ensure_coder("ann")
    text = service.document(emoji_doc).text
    start = text.index("Hamas rejected it")
    annotation_id, changes = service.annotate(emoji_doc, coder, start, start + 17, [code])
    assert emoji_doc in changes.annotations_of
    (record,) = service.annotations(emoji_doc)
    assert record.id == annotation_id
    assert text[record.start : record.end] == record.quote == "Hamas rejected it"
    assert record.code_ids == (code,) and record.coder_name == "ann"


def test_same_span_gets_several_codes_on_one_annotation(service, emoji_doc):
    a, _ = service.create_code("A")
    b, _ = service.create_code("B")
    coder = service.ensure_coder("ann")
    first, _ = service.annotate(emoji_doc, coder, 0, 5, [a])
    second, _ = service.annotate(emoji_doc, coder, 0, 5, [b, a])
    assert first == second
    assert service.annotations(emoji_doc)[0].code_ids == (a, b)
    other = service.ensure_coder("bob")
    third, _ = service.annotate(emoji_doc, other, 0, 5, [a])
    assert third != first  # another coder's highlight is their own


def test_codes_memo_and_delete(service, emoji_doc):
    a, _ = service.create_code("A")
    b, _ = service.create_code("B")
    coder = service.ensure_coder("ann")
    annotation_id, _ = service.annotate(emoji_doc, coder, 2, 9, [a])
    service.set_codes(annotation_id, add=[b], remove=[a])
    service.set_memo(annotation_id, "check the source")
    (record,) = service.annotations(emoji_doc)
    assert record.code_ids == (b,) and record.memo == "check the source"
    service.delete_annotation(annotation_id)
    assert service.annotations(emoji_doc) == []
    with service.project.read() as s:  # soft delete: the row stays for undo and audit
        deleted = s.get(Annotation, annotation_id)
        assert deleted.deleted_at is not None and [t.code_id for t in deleted.tags] == [b]
    with pytest.raises(NotFound):
        service.set_memo(annotation_id, "gone")


def test_bad_spans_and_codes_write_nothing(service, emoji_doc):
    coder = service.ensure_coder("ann")
    a, _ = service.create_code("A")
    with pytest.raises(InvalidInput):
        service.annotate(emoji_doc, coder, 5, 5, [a])
    with pytest.raises(InvalidInput):
        service.annotate(emoji_doc, coder, 0, 10_000, [a])
    with pytest.raises(NotFound):
        service.annotate(emoji_doc, coder, 0, 4, [a, 999])
    assert service.annotations(emoji_doc) == []


def test_codebook_rules(service, emoji_doc):
    a, _ = service.create_code("Ceasefire", "#AABBCC")
    assert service.codes()[0].color == "#aabbcc" and service.codes()[0].shortcut == 1
    with pytest.raises(InvalidInput, match="already"):
        service.create_code("ceasefire")
    with pytest.raises(InvalidInput):
        service.create_code("  ")
    with pytest.raises(InvalidInput):
        service.recolor_code(a, "red")
    service.rename_code(a, "Truce")
    service.recolor_code(a, "#112233")
    (code,) = service.codes()
    assert (code.name, code.color) == ("Truce", "#112233")
    shortcuts = [service.create_code(f"C{i}")[0] for i in range(9)]
    assert [c.shortcut for c in service.codes()] == [*range(1, 10), None]
    assert len(shortcuts) == 9


def test_deleting_a_used_code_removes_its_tags_but_keeps_other_codes(service, emoji_doc):
    a, _ = service.create_code("A")
    b, _ = service.create_code("B")
    coder = service.ensure_coder("ann")
    service.annotate(emoji_doc, coder, 0, 5, [a, b])
    assert service.code_usage(a) == 1
    changes = service.delete_code(a)
    assert emoji_doc in changes.annotations_of
    assert service.annotations(emoji_doc)[0].code_ids == (b,)
    assert [c.name for c in service.codes()] == ["B"]
