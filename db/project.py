"""Open a project database: engine, migrations, and one transaction per user action."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from db import migrate
from db.engine import is_sqlite, make_engine, project_url, sqlite_path
from db.errors import MarginaliaError, ProjectOpenError, ProjectWriteError, Unavailable
from db.models import Coder

SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_NEEDED = (3, 35)
"""Bulk writes use INSERT … RETURNING, which SQLite has since 3.35 (2021)."""


class Project:
    """A migrated project database. Sessions are short: one per user action (or one snapshot of
    several reads), never shared between threads."""

    def __init__(self, target: str | Path, *, create: bool = True) -> None:
        self.url = project_url(target)
        self.path = sqlite_path(self.url)
        if self.path is not None:
            _check_sqlite_file(self.path, create=create)
        self.engine: Engine = make_engine(self.url)
        try:
            self.backup = migrate.upgrade(self.engine, create=create)
        except MarginaliaError:
            self.engine.dispose()
            raise
        except (DatabaseError, OperationalError) as exc:
            self.engine.dispose()
            raise ProjectOpenError(f"Cannot open {self.name}: {_reason(exc)}") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # A server's reads in READ COMMITTED see each statement's own snapshot anyway: without
        # a transaction they skip a BEGIN and a ROLLBACK, two round trips (see ``snapshot``).
        autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._bare_reads = (
            self._sessions if self.is_sqlite else sessionmaker(autocommit, expire_on_commit=False)
        )
        self._snapshot: ContextVar[Session | None] = ContextVar(f"read-{id(self)}", default=None)

    @property
    def name(self) -> str:
        return self.path.stem if self.path is not None else self.engine.url.database or "server"

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back (nothing left) if not."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except MarginaliaError:
            session.rollback()
            raise
        except IntegrityError as exc:
            session.rollback()
            raise ProjectWriteError(f"The change conflicts with existing data: {exc.orig}") from exc
        except StaleDataError as exc:  # 0 rows updated: the server's row-level security said no
            session.rollback()
            raise ProjectWriteError(
                "The change was not saved: that row is another coder's, or was changed meanwhile."
            ) from exc
        except (DatabaseError, OperationalError) as exc:
            _quiet_rollback(session)
            error = Unavailable if _temporary(exc) else ProjectWriteError
            raise error(f"The change was not saved: {_reason(exc)}") from exc
        except BaseException:
            _quiet_rollback(session)
            raise
        finally:
            session.close()

    @contextmanager
    def read(self, *, bare: bool = False) -> Iterator[Session]:
        """A session for reading, rolled back at the end; ``bare``: outside any transaction
        on a server (no streamed results then: those need one)."""
        shared = self._snapshot.get()
        session = shared or (self._bare_reads if bare else self._sessions)()
        try:
            yield session
        except (DatabaseError, OperationalError) as exc:
            raise ProjectOpenError(f"Cannot read {self.name}: {_reason(exc)}") from exc
        finally:
            if shared is None:
                session.rollback()
                session.close()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads in this block (in this thread) share one session: one connection check instead
        of one per read, and on a server no transaction (a BEGIN and a ROLLBACK each, two round
        trips): each read sees what was committed when it ran, as it would in READ COMMITTED.
        Writes keep their own sessions. For the window's refresh after every click."""
        if self._snapshot.get() is not None:
            yield
            return
        with self.read(bare=True) as session:
            token = self._snapshot.set(session)
            try:
                yield
            finally:
                self._snapshot.reset(token)

    def ensure_coder(self, name: str) -> int:
        """The id of the coder with this name, created on first use."""
        name = name.strip()
        if not name:
            raise ProjectWriteError("A coder needs a name.")
        with self.write() as session:
            coder_id = session.scalar(select(Coder.id).where(Coder.name == name))
            if coder_id is None:
                coder = Coder(name=name)
                session.add(coder)
                session.flush()
                coder_id = coder.id
            return coder_id

    def close(self) -> None:
        self.engine.dispose()


def _check_sqlite_file(
    path: Path, *, create: bool, library: tuple[int, ...] = sqlite3.sqlite_version_info
) -> None:
    if library < SQLITE_NEEDED:
        raise ProjectOpenError(
            f"Marginalia needs SQLite {'.'.join(map(str, SQLITE_NEEDED))} or newer; this Python "
            f"has {'.'.join(map(str, library))}. Please use a newer Python (3.11 from python.org "
            "or your system's packages)."
        )
    if not path.exists():
        if not create:
            raise ProjectOpenError(f"There is no project at {path}.")
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    if path.is_dir():
        raise ProjectOpenError(f"{path} is a folder, not a project file.")
    if not create and path.stat().st_size == 0:  # opening must not make an empty file a project
        raise ProjectOpenError(f"{path.name} is not a Marginalia project (the file is empty).")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head and head != SQLITE_MAGIC:
        raise ProjectOpenError(f"{path.name} is not a Marginalia project (not a SQLite database).")


def _quiet_rollback(session: Session) -> None:
    """Roll back; on a dead connection the rollback itself fails, and that is no news."""
    with suppress(Exception):
        session.rollback()


def _temporary(exc: DatabaseError | OperationalError) -> bool:
    """A lost server connection or a locked file: worth trying the same change again later."""
    if getattr(exc, "connection_invalidated", False):
        return True
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        text = str(orig)
        return "locked" in text or "busy" in text
    return isinstance(exc, OperationalError) or getattr(orig, "sqlstate", "")[:2] == "08"


def _reason(exc: DatabaseError | OperationalError) -> str:
    orig = exc.orig
    text = str(orig) if orig is not None else str(exc)
    if isinstance(orig, sqlite3.DatabaseError):
        if "locked" in text or "busy" in text:
            return "the database is locked by another program; try again in a moment."
        if "malformed" in text or "not a database" in text:
            return "the database file is damaged. Restore a backup (*.bak.sqlite beside it)."
        if "readonly" in text:
            return "the file is read-only."
        if "unable to open" in text:
            return (
                "the file cannot be opened for writing. SQLite also writes small files beside the "
                "project, so its folder must be writable: copy the project somewhere you may write."
            )
    if _temporary(exc) and not isinstance(orig, sqlite3.Error):
        return "the server cannot be reached; Marginalia keeps the change and tries again."
    return text
