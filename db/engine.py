"""Engines for a project: a SQLite file (default) or a PostgreSQL URL.

SQLite gets WAL (readers never block the writer, several processes can code at once),
foreign keys (off by default in SQLite!) and a busy timeout so a short lock waits, not fails.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError

BUSY_TIMEOUT_MS = 5000
RECENTLY = 1.0


def project_url(target: str | Path) -> str:
    """A database URL for a path or URL string; plain paths are SQLite files."""
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    if not is_sqlite(url):  # a silent network must not freeze the window for minutes
        engine = create_engine(url, connect_args={"connect_timeout": 5})
        _ping_when_idle(engine)
        # Bulk inserts as multi-row INSERTs (SQLAlchemy's "insertmanyvalues", 1,000 rows a
        # statement) rather than one statement a row: the count and search-index triggers
        # fire once per statement (migrations 0007, 0008).
        engine.dialect.use_insertmanyvalues_wo_returning = True
        return engine
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled server connection before use unless it was in use within the last
    RECENTLY seconds (SQLAlchemy's pessimistic handling, checking every checkout, cost a
    round trip per read: two on every click). A dead one is replaced before it is used."""

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, _proxy) -> None:
        used = record.info.get("used_at")
        if used is not None and time.monotonic() - used < RECENTLY:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc

    @event.listens_for(engine, "checkin")
    def _used(_dbapi_connection, record) -> None:
        record.info["used_at"] = time.monotonic()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def server_url(user: str, password: str | None, host: str, port: int, database: str) -> str:
    """A PostgreSQL URL from a connection form (kept in memory: it carries the password)."""
    return URL.create(
        "postgresql+psycopg",
        username=user,
        password=password or None,
        host=host,
        port=port,
        database=database,
    ).render_as_string(hide_password=False)


def url_user(url: str) -> str | None:
    """The user name in a server URL (on a server, you code as your login)."""
    return make_url(url).username
