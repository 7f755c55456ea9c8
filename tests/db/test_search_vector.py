"""Search vectors built by the importer equal the server's own (migration 0009).

A vector that differed from what PostgreSQL builds would make a search miss an article, so
each one is compared with ``marginalia_document_vector`` on a real server: the corpus, tricky
texts, and every article an import wrote, whichever side built its vector.
"""

from __future__ import annotations

import importlib
import random
import string

import pytest
from alembic import command
from sqlalchemy import text

from db.engine import make_engine
from db.logic import search_vector
from db.logic.search_vector import vector_literal
from db.migrate import alembic_config
from db.ops import bulk_documents, importing
from db.service import ProjectService

MIGRATION_0007 = importlib.import_module("db.migrations.versions.0007_search_pg")

TRICKY = (
    "Truce talks resume in Cairo",
    "Israel-Hamas talks; the U.S. envoy: 1.5 million, e-mail info@example.com, www.un.org/aid",
    "Sīsī, Zürich, café, naïve — “quoted” 10 €",  # diacritics fold away to ASCII
    "½ x²",  # not letters to Python, letters to the server in some locales
    "2e5ab 3rd 10am 1E10x 0x1F e12 99e99e9 007 a1b2",  # scientific notation into letters
    "cease_fire O'Brien's \\ backslash 'quote'",
    "word " * 300,  # one word more often than the server keeps positions for
    "x" * 3000,  # too long a word to index
    "Straße, Øresund",  # lower case depends on the server's locale: the server builds it
    "Хамас отверг перемирие",
    "Hamas\x01\x7f\ttab\nline",
    "",
)


def server_vectors(engine, bodies: list[str]) -> list[str]:
    with engine.connect() as c:
        return (
            c.execute(
                text(
                    "SELECT CAST(marginalia_document_vector(b) AS text) "
                    "FROM unnest(CAST(:b AS text[])) WITH ORDINALITY AS t (b, n) ORDER BY n"
                ),
                {"b": bodies},
            )
            .scalars()
            .all()
        )


def client_vectors(engine, bodies: list[str]) -> list[str | None]:
    """What the server makes of each literal (it orders lexemes its own way)."""
    literals = [vector_literal(b) for b in bodies]
    with engine.connect() as c:
        parsed = (
            c.execute(
                text(
                    "SELECT CAST(CAST(v AS tsvector) AS text) "
                    "FROM unnest(CAST(:v AS text[])) WITH ORDINALITY AS t (v, n) ORDER BY n"
                ),
                {"v": literals},
            )
            .scalars()
            .all()
        )
    return [p if literal is not None else None for p, literal in zip(parsed, literals, strict=True)]


@pytest.fixture
def server(pg_url):
    ProjectService.open(pg_url).close()  # the schema, with its functions
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


def test_built_vectors_equal_the_servers(server, corpus_files):
    bodies = [p.read_text(encoding="utf-8") for p in corpus_files] + list(TRICKY)
    rng = random.Random(8)
    alphabet = string.ascii_letters + string.digits + "eE -."
    bodies += ["".join(rng.choice(alphabet) for _ in range(200)) for _ in range(200)]
    built = client_vectors(server, bodies)
    expected = server_vectors(server, bodies)
    for body, mine, theirs in zip(bodies, built, expected, strict=True):
        assert mine is None or mine == theirs, body[:60]
    assert all(v is not None for v in built[: len(corpus_files)])  # news text: built here
    left = dict(zip(TRICKY, built[len(corpus_files) :], strict=False))
    assert left["word " * 300] is None and left["x" * 3000] is None
    assert left["Straße, Øresund"] is None and left["Хамас отверг перемирие"] is None
    assert left["Sīsī, Zürich, café, naïve — “quoted” 10 €"] is not None and left["½ x²"] is None


def indexed_wrongly(service: ProjectService) -> list[str]:
    with service.project.engine.connect() as c:
        return (
            c.execute(
                text(
                    "SELECT d.title FROM document AS d LEFT JOIN document_fts_pg AS f "
                    "ON f.document_id = d.id "
                    "WHERE f.vector IS DISTINCT FROM marginalia_document_vector(d.text)"
                )
            )
            .scalars()
            .all()
        )


def test_imported_articles_are_indexed_whoever_built_the_vector(pg_url, tmp_path, corpus_files):
    extra = {"ascii.txt": "Truce talks\n\nThe 2e5ab draft.", "cyrillic.txt": "Хамас\n\nперемирие"}
    for name, body in extra.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    service = ProjectService.open(pg_url)
    try:
        report, _ = service.import_files([*corpus_files, *(tmp_path / n for n in extra)])
        assert len(report.imported) == len(corpus_files) + 2
        assert indexed_wrongly(service) == []
        assert [h.title for h in service.search("перемирие")] == ["Хамас"]
        assert [h.title for h in service.search('"2e5ab draft"')] == ["Truce talks"]

        # The trigger is off only for the importer's own INSERT: other writers still get theirs.
        with service.project.write() as session:
            session.connection().exec_driver_sql(
                "INSERT INTO document (uuid, title, extra, text, sha256, imported_at) VALUES "
                "('u1', 'By hand', '{}', 'An armistice in Doha', 'h1', now())"
            )
        assert [h.title for h in service.search("armistice")] == ["By hand"]
    finally:
        service.close()


def test_downgrading_restores_the_server_built_vectors(pg_url, tmp_path):
    (tmp_path / "a.txt").write_text("Talks\n\nTruce talks in Cairo", encoding="utf-8")
    ProjectService.open(pg_url).close()
    engine = make_engine(pg_url)
    with engine.begin() as c:
        command.downgrade(alembic_config(c), "0009-1")
    with engine.begin() as c:
        functions = (
            "SELECT count(*) FROM pg_proc "
            "WHERE proname IN ('marginalia_document_vector', 'marginalia_add_vectors')"
        )
        assert c.exec_driver_sql(functions).scalar() == 0
        c.exec_driver_sql(  # 0007's trigger builds the vector again
            "INSERT INTO document (uuid, title, extra, text, sha256, imported_at) VALUES "
            "('u1', 'Old', '{}', 'An armistice in Doha', 'h1', now())"
        )
        assert c.exec_driver_sql("SELECT count(*) FROM document_fts_pg").scalar() == 1
    engine.dispose()
    service = ProjectService.open(pg_url)  # upgrades again
    try:
        service.import_files([tmp_path / "a.txt"])
        assert [h.title for h in service.search("cairo")] == ["Talks"]
    finally:
        service.close()


def test_the_folding_is_the_migrations():
    assert search_vector.SEPARATORS.pattern == MIGRATION_0007.SEPARATORS
    assert search_vector.COMBINING_MARKS.pattern == MIGRATION_0007.COMBINING_MARKS


def test_the_trigger_is_off_only_for_the_importers_copy(pg_url, corpus_files):
    """In the import's own transaction, a document written after it still gets its vector."""
    service = ProjectService.open(pg_url)
    try:
        with service.project.write() as session:
            importing.import_files(session, corpus_files)
            session.connection().exec_driver_sql(
                "INSERT INTO document (uuid, title, extra, text, sha256, imported_at) VALUES "
                "('u1', 'Same transaction', '{}', 'An armistice in Doha', 'h1', now())"
            )
        assert indexed_wrongly(service) == []
        assert [h.title for h in service.search("armistice")] == ["Same transaction"]
    finally:
        service.close()


def test_a_server_that_lowercases_differently_builds_every_vector(
    pg_url, corpus_files, monkeypatch
):
    """A database whose locale lower-cases ASCII its own way (Turkish "I" → "ı") fails the
    probe: the importer then sends no vectors and the server builds them all."""
    service = ProjectService.open(pg_url)
    try:
        with service.project.read() as session:
            assert bulk_documents.builds_vectors_here(session)
        monkeypatch.setattr(bulk_documents, "vector_literal", lambda body: "'ıstanbul':1")
        with service.project.read() as session:
            assert not bulk_documents.builds_vectors_here(session)
        built = []
        monkeypatch.setattr(importing, "vector_literal", lambda body: built.append(body))
        report, _ = service.import_files(corpus_files)
        assert len(report.imported) == len(corpus_files) and built == []
        assert indexed_wrongly(service) == []  # every vector came from the server
        assert len(service.search("ceasefire")) > 0
    finally:
        service.close()


def test_only_those_who_may_add_articles_may_hand_over_vectors(pg_url, corpus_files):
    """``marginalia_add_vectors`` runs with its owner's rights: a coder or reader must not be able
    to call it, and even its callers only fill articles that have no vector yet."""
    import uuid

    service = ProjectService.open(pg_url)
    role = f"marginalia_test_{uuid.uuid4().hex[:8]}"
    engine = make_engine(pg_url)
    try:
        service.import_files(corpus_files[:1])
        with engine.begin() as c:
            sha = c.execute(text("SELECT sha256 FROM document")).scalar()
            before = c.execute(text("SELECT vector::text FROM document_fts_pg")).scalar()
            c.execute(text("SELECT marginalia_add_vectors(ARRAY[:s], ARRAY[''])"), {"s": sha})
            after = c.execute(text("SELECT vector::text FROM document_fts_pg")).scalar()
            assert after == before  # an article's vector is never replaced
        with engine.connect() as c:
            c.execute(text(f"CREATE ROLE {role} NOLOGIN"))
            c.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
            c.commit()
            c.execute(text(f"SET ROLE {role}"))
            with pytest.raises(Exception, match="permission denied"):
                c.execute(text("SELECT marginalia_add_vectors(ARRAY[:s], ARRAY[''])"), {"s": sha})
            c.rollback()
    finally:
        with engine.begin() as c:
            if c.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                c.execute(text(f"DROP OWNED BY {role}"))
                c.execute(text(f"DROP ROLE {role}"))
        engine.dispose()
        service.close()
