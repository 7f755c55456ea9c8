"""The same core on a real PostgreSQL server: migrations, import, coding, export."""

import csv
import time

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from db.models import Base
from db.service import ProjectService


def test_migrations_reach_head_with_no_drift_on_postgres(pg_url):
    service = ProjectService.open(pg_url)
    try:
        with service.project.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        service.close()


def test_import_annotate_export_on_postgres(pg_url, corpus_files, tmp_path):
    service = ProjectService.open(pg_url)
    try:
        report, _ = service.import_files(corpus_files)
        assert len(report.imported) == 5
        report, _ = service.import_files(corpus_files)
        assert len(report.duplicates) == 5
        doc = service.documents()[0]
        text = service.document(doc.id).text
        code, _ = service.create_code("Ceasefire")
        coder = service.ensure_coder("pg coder")
        start = text.index("ceasefire")
        service.annotate(doc.id, coder, start, start + 9, [code])
        out = tmp_path / "pg.csv"
        assert service.export_annotations_csv(out) == 1
        with out.open(encoding="utf-8", newline="") as f:
            (row,) = list(csv.DictReader(f))
        assert row["quote"] == "ceasefire" and row["code"] == "Ceasefire"
        assert row["created"].endswith("Z") and len(row["created"]) == 20
        service.delete_code(code)
        assert service.annotations(doc.id)[0].code_ids == ()
    finally:
        service.close()


def test_search_undo_and_history_on_postgres(pg_url, corpus_files):
    service = ProjectService.open(pg_url)
    try:
        service.use_coder("pg coder")
        service.import_files(corpus_files)
        texts = {d.id: service.document(d.id).text for d in service.documents()}
        hits = service.search('"temporary ceasefire"')
        assert hits and all(
            texts[h.document_id][h.start : h.end].lower() == "temporary ceasefire" for h in hits
        )
        code, _ = service.create_code("Truce")
        _, changes = service.autocode(code, [(h.document_id, h.start, h.end) for h in hits])
        service.undo(changes.event_id)
        assert all(service.annotations(d) == [] for d in texts)
        entries, applied = service.history()
        assert len(entries) == 2 and applied == 1
    finally:
        service.close()


def eventually(check, seconds: float = 5.0) -> bool:
    """Whether ``check()`` turns true within ``seconds`` (asked every 20 ms)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_watcher_sees_other_coders_edits_on_postgres(pg_url, corpus_files):
    ann, bob = ProjectService.open(pg_url), ProjectService.open(pg_url)
    try:
        ann.use_coder("ann")
        bob.use_coder("bob")
        watcher = bob.watcher()
        assert not watcher.poll()
        ann.create_code("Truce")
        assert eventually(watcher.poll) and not watcher.poll()  # the notice takes a moment
        bob.create_code("Ceasefire")  # bob's own edit is not news to bob
        assert not watcher.poll()
        watcher.close()
    finally:
        ann.close()
        bob.close()


def test_merge_a_sqlite_copy_into_a_postgres_master(pg_url, corpus_files, tmp_path):
    master = ProjectService.open(pg_url)
    try:
        master.use_coder("owner")
        master.import_files(corpus_files)
        code, _ = master.create_code("Truce")
        master.export_copy(tmp_path / "ann.sqlite")
        ann = ProjectService.open(tmp_path / "ann.sqlite", create=False)
        ann.use_coder("ann")
        doc = ann.documents()[0].id
        ann.annotate(doc, None, 0, 12, [code])
        ann.close()
        report, _ = master.merge_from(tmp_path / "ann.sqlite")
        assert report.added["annotation"] == 1
        assert sum(master.merge_from(tmp_path / "ann.sqlite")[0].added.values()) == 0
        assert [a.coder_name for a in master.annotations(doc)] == ["ann"]
    finally:
        master.close()


def test_a_dropped_server_connection_is_replaced_before_use(pg_url, monkeypatch):
    import db.engine

    monkeypatch.setattr(db.engine, "RECENTLY", 0.0)  # as if the connection had idled a while
    service = ProjectService.open(pg_url)
    try:
        service.create_code("Truce")
        with service.project.engine.connect() as c:
            pid = c.execute(text("SELECT pg_backend_pid()")).scalar()
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            assert c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
        admin.dispose()
        assert [code.name for code in service.codes()] == ["Truce"]  # no error: reconnected
    finally:
        service.close()


def test_a_window_refresh_reads_without_holding_a_transaction(pg_url, corpus_files):
    """The refresh's reads (Project.snapshot) run outside a transaction on a server: no BEGIN
    or ROLLBACK round trips, nothing left "idle in transaction", and each read sees what was
    committed before it, as in READ COMMITTED."""
    service = ProjectService.open(pg_url)
    try:
        service.import_files(corpus_files[:1])
        code, _ = service.create_code("Truce")
        doc = service.documents()[0].id
        coder = service.ensure_coder("ann")
        with service.snapshot(), service.project.read() as session:
            assert service.annotations(doc) == []
            # In a transaction begun before, now() would be when it began.
            assert session.scalar(text("SELECT now() = statement_timestamp()")) is True
            service.annotate(doc, coder, 0, 5, [code])  # a write commits in its own session
            assert [a.code_ids for a in service.annotations(doc)] == [(code,)]
    finally:
        service.close()
