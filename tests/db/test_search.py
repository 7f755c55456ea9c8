"""Full-text search finds words, phrases and prefixes as exact spans; auto-code tags them."""

import pytest

from db.errors import InvalidInput
from db.logic.search_query import QueryError, parse, to_fts5
from db.queries.search import marked_spans


@pytest.fixture
def corpus(service, corpus_files):
    service.use_coder("ann")
    service.import_files(corpus_files)
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    return service, texts


def test_word_hits_are_exact_spans_of_the_text(corpus):
    service, texts = corpus
    hits = service.search("ceasefire")
    assert hits
    for hit in hits:
        assert texts[hit.document_id][hit.start : hit.end].lower() == "ceasefire"
        assert "«" in hit.snippet
    expected = sum(
        1
        for text in texts.values()
        for i in range(len(text))
        if text[i : i + 9].lower() == "ceasefire"
        and not text[i + 9 : i + 10].isalnum()
        and not text[i - 1 : i].isalnum()
    )
    assert len(hits) == expected


def test_phrase_and_prefix(corpus):
    service, texts = corpus
    phrase = service.search('"temporary ceasefire"')
    assert {texts[h.document_id][h.start : h.end] for h in phrase} == {"temporary ceasefire"}
    prefix = service.search("negotiat*")
    words = {texts[h.document_id][h.start : h.end].lower() for h in prefix}
    assert {"negotiations", "negotiating"} <= words
    assert all(w.startswith("negotiat") for w in words)
    assert service.search("Israel-Hamas")  # punctuation is not a syntax error


def test_search_follows_deletes_and_metadata_edits(corpus):
    service, _ = corpus
    doc = service.search('"not going well"')[0].document_id
    service.delete_documents([doc])
    assert service.search('"not going well"') == []


def test_empty_query_is_a_clear_error(corpus):
    service, _ = corpus
    with pytest.raises(InvalidInput, match="Type a word"):
        service.search('  "" ')


def test_autocode_codes_exactly_the_hits_in_one_undoable_step(corpus):
    service, texts = corpus
    code, _ = service.create_code("Ceasefire")
    hits = service.search("ceasefire")
    count, changes = service.autocode(code, [(h.document_id, h.start, h.end) for h in hits])
    assert count == len(hits)
    coded = sorted(
        (a.document_id, a.start, a.end)
        for doc in texts
        for a in service.annotations(doc)
        if a.code_ids == (code,)
    )
    assert coded == sorted((h.document_id, h.start, h.end) for h in hits)
    service.undo(changes.event_id)
    assert all(service.annotations(doc) == [] for doc in texts)
    service.redo(changes.event_id)
    assert sum(len(service.annotations(doc)) for doc in texts) == len(hits)


def test_query_translation():
    assert to_fts5('Hamas "temporary truce" cease* OR Qatar') == (
        'text : ("Hamas" "temporary truce" "cease" * OR "Qatar")'
    )
    assert parse("AND truce NOT")[0].words == ("truce",)
    with pytest.raises(QueryError):
        parse("--- !!")


def test_marked_spans():
    assert marked_spans("a \ue000bc\ue001 d \ue000e\ue001") == [(2, 4), (7, 8)]


def test_text_holding_the_marker_characters_still_gives_exact_spans(service, tmp_path):
    path = tmp_path / "private.txt"
    path.write_text(
        "Title\n\n\ue000odd\ue001 text: the ceasefire holds, ceasefire.\n", encoding="utf-8"
    )
    service.import_files([path])
    text = service.document(service.documents()[0].id).text
    hits = service.search("ceasefire")
    assert [text[h.start : h.end] for h in hits] == ["ceasefire", "ceasefire"]


def test_limit_stops_early(corpus):
    service, _ = corpus
    assert len(service.search("ceasefire", limit=3)) == 3
