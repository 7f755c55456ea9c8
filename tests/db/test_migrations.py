import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from db import migrate
from db.errors import ProjectOpenError
from db.models import Base
from db.project import Project
from db.service import ProjectService


def test_empty_file_migrates_to_head_with_no_drift(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.touch()
    project = Project(path)
    with project.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()
        assert {"document", "annotation", "annotation_code", "code", "coder"} <= set(
            inspect(connection).get_table_names()
        )
        context = MigrationContext.configure(
            connection, opts={"include_object": migrate.include_object}
        )
        diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
    project.close()


def test_sqlite_pragmas_are_on(service):
    with service.project.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_reopening_a_current_project_makes_no_backup(tmp_path):
    path = tmp_path / "p.sqlite"
    Project(path).close()
    again = Project(path)
    assert again.backup is None
    again.close()
    assert list(tmp_path.glob("*.bak*")) == []


def test_backup_is_a_consistent_copy_including_uncheckpointed_wal(service, corpus_dir):
    service.import_files([corpus_dir])  # the rows sit in the WAL file, not yet in the main file
    path = service.project.path
    backup = migrate.backup_sqlite(path, "before-test")
    assert backup.name.startswith("project.before-test.") and backup.suffix == ".sqlite"
    with sqlite3.connect(backup) as c:
        assert c.execute("SELECT count(*) FROM document").fetchone()[0] == 5
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "p.sqlite"
    Project(path).close()
    with sqlite3.connect(path) as c:
        c.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    with pytest.raises(ProjectOpenError, match="newer version"):
        Project(path)


def test_foreign_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(ProjectOpenError, match="not a Marginalia project"):
        Project(path)


def test_non_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("just some notes")
    with pytest.raises(ProjectOpenError, match="not a SQLite database"):
        Project(path)


def test_damaged_file_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "p.sqlite"
    Project(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # trash the schema page after the header
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"p.sqlite{suffix}").unlink(missing_ok=True)
    with pytest.raises(ProjectOpenError, match=r"damaged|malformed|not a database"):
        Project(path)


def test_missing_project_without_create(tmp_path):
    with pytest.raises(ProjectOpenError, match="no project"):
        Project(tmp_path / "missing.sqlite", create=False)


def test_a_plain_engine_sees_the_migrated_schema(tmp_path):
    path = tmp_path / "p.sqlite"
    Project(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert "annotation" in inspect(connection).get_table_names()
    engine.dispose()


def test_a_locked_database_gives_a_clear_message_and_writes_nothing(service, monkeypatch):
    from db import engine as engine_module
    from db.errors import ProjectWriteError

    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    locked = Project(service.project.path)  # a second program on the same file, short timeout
    holder = sqlite3.connect(service.project.path, timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with pytest.raises(ProjectWriteError, match="locked"):
            locked.ensure_coder("ann")
    finally:
        holder.rollback()
        holder.close()
    assert locked.ensure_coder("ann") > 0  # once free, it works
    locked.close()


def test_upgrading_an_older_project_backs_it_up_and_keeps_its_data(tmp_path, corpus_files):
    from alembic import command

    from db.engine import make_engine

    path = tmp_path / "old.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), "0001")
        connection.exec_driver_sql(
            "INSERT INTO document (uuid, title, extra, text, sha256, imported_at) "
            "VALUES ('u1', 'Old article', '{}', 'Truce talks resume in Cairo', 'h1', "
            "'2024-01-01 00:00:00')"
        )
    engine.dispose()
    project = Project(path)
    assert project.backup is not None and project.backup.exists()
    with sqlite3.connect(project.backup) as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    with project.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()
        hits = connection.exec_driver_sql(
            "SELECT rowid FROM document_fts WHERE document_fts MATCH 'cairo'"
        ).fetchall()
        assert hits == [(1,)]  # the search index was built for existing articles
    project.close()


def test_backup_command_and_network_share_detection(service, corpus_files, tmp_path):
    from db.errors import InvalidInput
    from db.paths import is_network_path

    service.import_files(corpus_files)
    target = service.backup(tmp_path / "copy.sqlite")
    with sqlite3.connect(target) as c:
        assert c.execute("SELECT count(*) FROM document").fetchone()[0] == 5
    with pytest.raises(InvalidInput, match="another file"):
        service.backup(service.project.path)
    mounts = "/dev/sda1 / ext4 rw 0 0\nserver:/team /mnt/team nfs4 rw 0 0\n"
    assert is_network_path(Path("/mnt/team/project.sqlite"), mounts)
    assert not is_network_path(Path("/home/me/project.sqlite"), mounts)
    assert not is_network_path(Path("/mnt/teamwork/p.sqlite"), mounts)
    assert is_network_path(Path("//fileserver/share/p.sqlite"), "")
    assert not service.on_network_share


def test_exporting_from_an_empty_file_does_not_turn_it_into_a_project(tmp_path, capsys):
    from db.cli import main as cli_main

    empty = tmp_path / "zero.sqlite"
    empty.touch()
    assert cli_main(["export", "annotations", str(empty), "-o", str(tmp_path / "z.csv")]) == 1
    assert "not a Marginalia project" in capsys.readouterr().err
    assert empty.stat().st_size == 0
    assert not (tmp_path / "z.csv").exists()


def test_a_project_in_a_read_only_folder_says_why(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes to read-only folders; run as a normal user to see the message")
    Project(tmp_path / "ro" / "p.sqlite").close()
    (tmp_path / "ro").chmod(0o555)
    try:
        with pytest.raises(ProjectOpenError, match="folder must be writable"):
            Project(tmp_path / "ro" / "p.sqlite", create=False)
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_an_old_sqlite_library_is_refused_with_a_clear_message(tmp_path):
    from db.project import _check_sqlite_file

    with pytest.raises(
        ProjectOpenError, match=r"needs SQLite 3\.35 or newer; this Python has 3\.31"
    ):
        _check_sqlite_file(tmp_path / "p.sqlite", create=True, library=(3, 31, 1))
    assert not (tmp_path / "p.sqlite").exists()
    _check_sqlite_file(tmp_path / "p.sqlite", create=True)  # this machine's library is fine


def test_upgrading_a_postgres_project_indexes_its_articles_for_search(pg_url):
    from alembic import command

    from db.engine import make_engine
    from db.service import ProjectService

    engine = make_engine(pg_url)
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), "0006")
        connection.exec_driver_sql(
            "INSERT INTO document (uuid, title, extra, text, sha256, imported_at) VALUES "
            "('u1', 'Old article', '{}', 'Truce talks resume in Cairo', 'h1', now()), "
            "('u2', 'Other', '{}', 'Qatar''s envoy: a truce-deal.', 'h2', now())"
        )
    engine.dispose()
    service = ProjectService.open(pg_url)
    try:
        with service.project.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
            indexed = connection.exec_driver_sql(
                "SELECT document_id FROM document_fts_pg ORDER BY document_id"
            ).fetchall()
            assert len(indexed) == 2  # the articles from before the upgrade are searchable
        hits = service.search('truce NOT "Qatar s"')
        assert [(h.title, h.start, h.end) for h in hits] == [("Old article", 0, 5)]
        assert [h.title for h in service.search("cairo OR deal")] == ["Old article", "Other"]
        with service.project.engine.begin() as connection:  # another program edits a text
            connection.exec_driver_sql("UPDATE document SET text = 'Talks stall' WHERE uuid = 'u1'")
        titles = [h.title for h in service.search("cairo OR stall OR deal")]
        assert titles == ["Old article", "Other"]
        assert service.search("cairo") == []
    finally:
        service.close()


def test_reads_in_a_snapshot_share_one_session(project_path):
    """A window refresh reads through one session (one connection check, BEGIN and ROLLBACK
    for all its reads); reads give the same answers, and later ones see others' commits."""
    service, other = ProjectService.open(project_path), ProjectService.open(project_path)
    try:
        service.create_code("Truce")
        with service.snapshot():
            with service.project.read() as first, service.project.read() as second:
                assert first is second
            assert [c.name for c in service.codes()] == ["Truce"]
            other.create_code("Ceasefire")
            assert [c.name for c in service.codes()] == ["Truce", "Ceasefire"]
        with service.project.read() as later:
            assert later is not first
        service.create_code("Aid")  # writes keep their own transaction meanwhile
        assert len(service.codes()) == 3
    finally:
        service.close()
        other.close()
