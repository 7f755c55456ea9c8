"""Writing imported articles in bulk, with their PostgreSQL search vectors (migration 0009).

SQLite: one multi-row INSERT a chunk (its FTS5 triggers index them, in C). PostgreSQL: a COPY
(a fifth of the client time of SQLAlchemy's multi-row INSERT, which an import of 10,000
articles spends ~1.5 s building), with the server's vector trigger off for it, then the
vectors the importer built on its reading thread (db.logic.search_vector) in one call, which
builds the missing ones on the server with the trigger's SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import pq
from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, text
from sqlalchemy.orm import Session

from db.logic.search_vector import vector_literal
from db.models import Document, new_uuid, utcnow

_TRIGGER = text("SELECT set_config('marginalia.client_vectors', :on, true)")
_ADD = text("SELECT marginalia_add_vectors(CAST(:hashes AS text[]), CAST(:vectors AS text[]))")
_SAME = text("SELECT marginalia_document_vector(:probe) = CAST(:literal AS tsvector)")
_JSON = frozenset(c.name for c in Document.__table__.c if isinstance(c.type, JSON))

PROBE = "The QUICK brown fox, 2e5ab: Jumps over 10 lazy DOGS in İzmir and Istanbul"
"""Every vector built here assumes the server lower-cases ASCII as Python does; a database whose
locale does not (Turkish: "I" → "ı") fails on this text, and the server builds them all."""


def builds_vectors_here(session: Session) -> bool:
    """Whether the importer should build search vectors (PostgreSQL, agreeing with Python)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    literal = vector_literal(PROBE)
    same = session.execute(_SAME, {"probe": PROBE, "literal": literal}).scalar()
    return literal is not None and bool(same)


def insert_documents(
    session: Session, rows: Sequence[dict[str, object]], vectors: Sequence[str | None]
) -> None:
    """Insert ``rows`` of ``document`` (each with its ``sha256``, all with the same keys); on
    PostgreSQL with ``vectors[i]`` as row i's search vector (None: built by the server)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(Document.__table__.insert(), rows)
        return
    connection.execute(_TRIGGER, {"on": "on"})
    try:
        _copy(connection, rows)
    finally:  # the trigger is off for this COPY only (unless it failed: then all is undone)
        status = connection.connection.dbapi_connection.info.transaction_status
        if status != pq.TransactionStatus.INERROR:
            connection.execute(_TRIGGER, {"on": "off"})
    connection.execute(_ADD, {"hashes": [r["sha256"] for r in rows], "vectors": list(vectors)})


def _copy(connection: Connection, rows: Sequence[dict[str, object]]) -> None:
    """COPY the rows in, with the defaults the model would give them in Python."""
    now = utcnow()
    columns = ["uuid", "imported_at", *rows[0]]
    json = [i for i, name in enumerate(columns) if name in _JSON]
    quoted = ", ".join(f'"{c}"' for c in columns)
    statement = f"COPY document ({quoted}) FROM STDIN"
    with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [new_uuid(), now, *row.values()]
            for i in json:
                values[i] = Json(values[i])
            copy.write_row(values)
