"""Notice changes that other programs (or other coders) made to the project meanwhile.

SQLite: ``PRAGMA data_version`` on one long-lived connection is a free check that something was
committed elsewhere. PostgreSQL: a LISTEN connection receives the notifications that migration
0005's triggers send. Only then a small signature query runs (the newest other coder's event, the
article count), so own edits do not make the GUI reload after each of its own clicks.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, or_, select
from sqlalchemy.engine import make_url

from db.models import Document, Event
from db.project import Project


class ChangeWatcher:
    def __init__(self, project: Project, coder_id: int | None) -> None:
        self.project, self.coder_id = project, coder_id
        self._sqlite = (
            sqlite3.connect(f"file:{project.path}?mode=ro", uri=True, check_same_thread=False)
            if project.path is not None
            else None
        )
        self._listener = _listen(project.url) if project.path is None else None
        self._version = self._data_version()
        self._signature = self._read_signature()

    def _data_version(self) -> int | None:
        if self._sqlite is None:
            return None
        return self._sqlite.execute("PRAGMA data_version").fetchone()[0]

    def _read_signature(self) -> tuple:
        with self.project.read() as s:
            others = select(func.max(Event.id)).where(
                or_(Event.coder_id.is_(None), Event.coder_id != self.coder_id)
            )
            documents = select(func.count(), func.max(Document.id)).where(
                Document.deleted_at.is_(None)
            )
            return (s.scalar(others), *s.execute(documents).one())

    def poll(self) -> bool:
        """True when someone else changed the project since the last poll."""
        version = self._data_version()
        if version is not None and version == self._version:
            return False
        self._version = version
        if self._listener is not None and not self._notified():
            return False
        signature = self._read_signature()
        changed, self._signature = signature != self._signature, signature
        return changed

    def resync(self) -> None:
        """Forget what happened so far (our own import or merge is no news)."""
        self._version = self._data_version()
        if self._listener is not None:
            self._notified()
        self._signature = self._read_signature()

    def _notified(self) -> bool:
        """Whether PostgreSQL sent a change notification (a lost listener counts as yes)."""
        try:
            return any(True for _ in self._listener.notifies(timeout=0))
        except Exception:  # the listening connection is gone: poll the signature instead
            self._listener = None
            return True

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._listener is not None:
            self._listener.close()


def _listen(url: str):
    """A separate autocommit connection that LISTENs on the project's channel, or None."""
    try:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = psycopg.connect(conninfo, autocommit=True)
        connection.execute("LISTEN marginalia")
        return connection
    except Exception:  # no psycopg or no server: the signature poll still works
        return None
