"""Bring a project's schema to the newest revision, backing up a SQLite file first.

Opening a project always runs this, so users never run migrations by hand. A file written by a
newer Marginalia (unknown revision) is refused rather than damaged.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from db.engine import sqlite_path
from db.errors import ProjectOpenError
from db.exports.atomic import atomic_path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave the FTS5 search index (a virtual table and its shadow tables) out of comparisons."""
    return not (type_ == "table" and name is not None and name.startswith("document_fts"))


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, *, create: bool = True) -> Path | None:
    """Migrate to head; returns the backup file made before changing an existing SQLite file.

    With ``create=False`` an empty database is refused instead of becoming a new project.
    """
    head = head_revision()
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    with engine.connect() as connection:
        current = current_revision(connection)
        tables = set(inspect(connection).get_table_names())
        may_change_schema = current is None or _owns_schema(connection)
    if current == head:
        return None
    if current is not None and current not in known:
        raise ProjectOpenError(
            "This project was written by a newer version of Marginalia; please update the app."
        )
    if not may_change_schema:
        raise ProjectOpenError(
            "This team server needs an update for this version of Marginalia. Ask its "
            "administrator to run: marginalia server init <server URL>"
        )
    if current is None and not create:  # opening (export, merge) must not make a project
        raise ProjectOpenError("This file is not a Marginalia project (it holds no project).")
    if current is None and tables - {"alembic_version"}:
        raise ProjectOpenError("This database holds other tables and is not a Marginalia project.")
    backup = None
    path = sqlite_path(str(engine.url))
    if current is not None and path is not None:
        backup = backup_sqlite(path, f"before-{head}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    return backup


def _owns_schema(connection: Connection) -> bool:
    """Whether this login may migrate: on a team server members lack the right to change the
    schema (and a table they created would be theirs, with no grants for the others)."""
    if connection.dialect.name != "postgresql":
        return True
    allowed = connection.execute(
        text(
            "SELECT pg_has_role(current_user, tableowner, 'MEMBER') FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'alembic_version'"
        )
    ).scalar()
    return allowed is not False


def backup_sqlite(path: Path, label: str) -> Path:
    """A timestamped copy beside the project (made before every migration)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return copy_sqlite(path, path.with_name(f"{path.stem}.{label}.{stamp}.bak{path.suffix}"))


def copy_sqlite(path: Path, target: Path) -> Path:
    """A consistent copy through SQLite's online backup API (safe while others write)."""
    source = sqlite3.connect(path)
    try:
        with atomic_path(target) as tmp:
            copy = sqlite3.connect(tmp)
            try:
                source.backup(copy)
            finally:
                copy.close()
    finally:
        source.close()
    return target
