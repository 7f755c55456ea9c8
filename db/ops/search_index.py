"""Writing articles with their PostgreSQL search vectors (migrations 0007, 0009).

The importer builds most vectors on its reading thread (db.logic.search_vector); this inserts
the articles with the server's vector trigger off for that one statement, then hands the
vectors over in one call, which builds the missing ones on the server with the trigger's SQL.
Elsewhere, and on SQLite (whose FTS5 triggers index in C), articles are inserted as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from db.models import Document

_TRIGGER = text("SELECT set_config('marginalia.client_vectors', :on, true)")
_ADD = text("SELECT marginalia_add_vectors(CAST(:hashes AS text[]), CAST(:vectors AS text[]))")


def takes_vectors(session: Session) -> bool:
    """Whether articles written through this session want vectors built ahead."""
    return session.get_bind().dialect.name == "postgresql"


def insert_documents(
    session: Session, rows: Sequence[dict[str, object]], vectors: Sequence[str | None]
) -> None:
    """Insert ``rows`` of ``document`` (each with its ``sha256``), in one statement; on
    PostgreSQL with ``vectors[i]`` as row i's search vector (None: built by the server)."""
    connection = session.connection()
    if not takes_vectors(session):
        connection.execute(Document.__table__.insert(), rows)
        return
    connection.execute(_TRIGGER, {"on": "on"})
    connection.execute(Document.__table__.insert(), rows)
    connection.execute(_TRIGGER, {"on": "off"})
    connection.execute(_ADD, {"hashes": [r["sha256"] for r in rows], "vectors": list(vectors)})
