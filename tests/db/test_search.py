"""Full-text search finds words, phrases and prefixes as exact spans; auto-code tags them.

Every service test runs on SQLite (FTS5) and on PostgreSQL (tsvector, migration 0007): the same
query must give the same hits, with the same code-point offsets, on both.
"""

import pytest

from db.errors import InvalidInput
from db.logic.search_query import QueryError, parse, to_fts5
from db.queries.search import Leaf, Op, marked_spans, parse_tree, to_tsquery
from db.service import ProjectService


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, project_path):
    """A fresh project on each backend (PostgreSQL skips without a test server)."""
    target = project_path if request.param == "sqlite" else request.getfixturevalue("pg_url")
    svc = ProjectService.open(target)
    yield svc
    svc.close()


@pytest.fixture
def corpus(backend, corpus_files):
    backend.use_coder("ann")
    backend.import_files(corpus_files)
    texts = {d.id: backend.document(d.id).text for d in backend.documents()}
    return backend, texts


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


def test_tsquery_translation_follows_fts5_precedence():
    """A run of terms binds tightest, then NOT (binary), AND, OR: as FTS5 reads them."""
    assert to_tsquery(parse_tree('Hamas "temporary truce" cease* OR Qatar')) == (
        "((('Hamas') & ('temporary' <-> 'truce') & ('cease':*)) | ('Qatar'))"
    )
    assert to_tsquery(parse_tree("a NOT b c")) == "(('a') & !(('b') & ('c')))"
    assert to_tsquery(parse_tree("a NOT b AND c")) == "((('a') & !('b')) & ('c'))"
    assert to_tsquery(parse_tree("a OR b NOT c")) == "(('a') | (('b') & !('c')))"
    # The index folds more than FTS5: a NOT of accented or non-Latin words is left to Python.
    assert to_tsquery(parse_tree("truce NOT Sīsī")) == "('truce')"
    # Diacritics folded as the index folds them; quotes and backslashes never reach the SQL.
    assert to_tsquery(parse_tree("Zürich")) == "('Zurich')"
    assert to_tsquery(parse_tree("O'Brien's \\x")) == "(('O' <-> 'Brien' <-> 's') & ('x'))"
    assert parse_tree("a_b") == Leaf(("a", "b"), False)
    assert parse_tree("a OR b") == Op("OR", (Leaf(("a",), False), Leaf(("b",), False)))


def test_marked_spans():
    assert marked_spans("a \ue000bc\ue001 d \ue000e\ue001") == [(2, 4), (7, 8)]


def test_text_holding_the_marker_characters_still_gives_exact_spans(backend, tmp_path):
    path = tmp_path / "private.txt"
    path.write_text(
        "Title\n\n\ue000odd\ue001 text: the ceasefire holds, ceasefire.\n", encoding="utf-8"
    )
    backend.import_files([path])
    text = backend.document(backend.documents()[0].id).text
    hits = backend.search("ceasefire")
    assert [text[h.start : h.end] for h in hits] == ["ceasefire", "ceasefire"]


def test_limit_stops_early(corpus):
    service, _ = corpus
    assert len(service.search("ceasefire", limit=3)) == 3
    assert len(service.search("the", limit=100)) == 100
    assert len(service.search("the", limit=None)) > 100


ARTICLES = (
    "Talks in Cairo\n\nHamas rejected the temporary ceasefire. The Israel-Hamas talks in "
    "Cairo went on; the U.S. envoy said it was “not going well”. Negotiations, negotiating.\n"
    "Café owners and cafe staff; O'Brien's note on 1.5 million and the cease_fire draft. "
    "A truce truce truce, said Sīsī.\n",
    "Qatar mediates\n\nQatar and Egypt mediate a phased deal; Hamas studies it. The "
    "ceasefire-deal talks, no truce yet. Zürich e-mail: info@example.com, www.reuters.com.\n",
    "Gaza\n\nAid reaches Gaza (2024). No temporary ceasefire; a ceasefire later? Sisi said.\n",
)

# (query, [(article, quote) of each hit, in order]) — checked on both backends.
CASES = (
    ("ceasefire", [(0, "ceasefire"), (1, "ceasefire"), (2, "ceasefire"), (2, "ceasefire")]),
    ('"temporary ceasefire"', [(0, "temporary ceasefire"), (2, "temporary ceasefire")]),
    ("negotiat*", [(0, "Negotiations"), (0, "negotiating")]),
    ('"Israel-Hamas talks"', [(0, "Israel-Hamas talks")]),
    ("Israel-Hamas", [(0, "Israel-Hamas")]),
    ("U.S.", [(0, "U.S")]),
    ('"1.5"', [(0, "1.5")]),
    ("cafe", [(0, "Café"), (0, "cafe")]),
    ("Zurich", [(1, "Zürich")]),
    ("sisi", [(0, "Sīsī"), (2, "Sisi")]),
    ("example", [(1, "example")]),
    ("reuters", [(1, "reuters")]),
    ('"cease fire"', [(0, "cease_fire")]),
    ('"ceasefire deal"', [(1, "ceasefire-deal")]),
    ('"truce truce"', [(0, "truce truce truce")]),  # overlapping instances, one span
    ("Hamas AND Cairo", [(0, "Cairo"), (0, "Hamas"), (0, "Hamas"), (0, "Cairo")]),
    ("Hamas Cairo", [(0, "Cairo"), (0, "Hamas"), (0, "Hamas"), (0, "Cairo")]),
    ("Qatar OR Gaza", [(1, "Qatar"), (1, "Qatar"), (2, "Gaza"), (2, "Gaza")]),
    ("Hamas NOT Cairo", [(1, "Hamas")]),
    ("ceasefire NOT truce", [(2, "ceasefire"), (2, "ceasefire")]),
    ("ceasefire NOT Sīsī", [(1, "ceasefire")]),  # article 2 holds "Sisi": accents ignored
    ("Egypt NOT Qatar OR Gaza", [(2, "Gaza"), (2, "Gaza")]),
    ("Qatar Egypt OR Aid", [(1, "Qatar"), (1, "Qatar"), (1, "Egypt"), (2, "Aid")]),
    ("Qatar NOT Hamas phased", []),  # Qatar NOT (Hamas AND phased)
    ("Qatar NOT Hamas Cairo", [(1, "Qatar"), (1, "Qatar")]),
    ("NOT Qatar", [(1, "Qatar"), (1, "Qatar")]),  # a lone NOT is ignored
    ("gaza AND", [(2, "Gaza"), (2, "Gaza")]),
    ("2024", [(2, "2024")]),
    ('"unbalanced quote', []),
    ('"unbalanced ceasefire', []),
    ('"later? sisi"', [(2, "later? Sisi")]),
    ("ceasefire later", [(2, "ceasefire"), (2, "ceasefire"), (2, "later")]),
    ("O'Brien's", [(0, "O'Brien's")]),
    ("'; DROP TABLE document; --", []),
    ("ceasefire) & !(x:* | y <-> z", []),
    ("ceasefire):*", [(0, "ceasefire"), (1, "ceasefire"), (2, "ceasefire"), (2, "ceasefire")]),
    ("\\' OR qatar", [(1, "Qatar"), (1, "Qatar")]),
    ("absent", []),
)


@pytest.fixture
def articles(backend, tmp_path):
    paths = []
    for number, body in enumerate(ARTICLES):
        paths.append(tmp_path / f"{number}.txt")
        paths[-1].write_text(body, encoding="utf-8")
    backend.import_files(paths)
    docs = sorted(backend.documents(), key=lambda d: d.id)
    return backend, [(d.id, backend.document(d.id).text) for d in docs]


def test_the_same_queries_give_the_same_hits(articles):
    service, docs = articles
    ids = {doc_id: number for number, (doc_id, _) in enumerate(docs)}
    texts = dict(docs)
    for query, expected in CASES:
        hits = service.search(query)
        got = [(ids[h.document_id], texts[h.document_id][h.start : h.end]) for h in hits]
        assert got == expected, query
        for hit in hits:
            quote = texts[hit.document_id][hit.start : hit.end]
            assert f"«{quote}»" in hit.snippet


@pytest.mark.parametrize(
    "query", ["Hamas OR NOT Qatar", "Hamas AND NOT Qatar", "Hamas NOT NOT Qatar", "a OR AND b"]
)
def test_operators_side_by_side_are_a_clear_error(articles, query):
    service, _ = articles
    with pytest.raises(InvalidInput, match=r'Cannot search for that: .*syntax error near "'):
        service.search(query)


def test_index_follows_new_and_deleted_articles(articles, tmp_path):
    service, _ = articles
    path = tmp_path / "late.txt"
    path.write_text("Late news\n\nA late armistice in Doha.\n", encoding="utf-8")
    service.import_files([path])
    (hit,) = service.search("armistice")
    assert hit.title == "Late news"
    service.delete_documents([hit.document_id])
    assert service.search("armistice") == []
    assert len(service.search("Hamas NOT Cairo")) == 1
