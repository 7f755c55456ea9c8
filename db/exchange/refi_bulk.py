"""Bulk reads and writes for an import, in chunks, through SQLAlchemy Core.

An import writes hundreds of thousands of rows: ORM objects cost too much per row, and
``IN (…)`` lists and executemany batches must stay within what SQLite and PostgreSQL take.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.logic.chunks import chunks

INSERT_CHUNK = 2000


def insert_returning_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """INSERT the rows; their new ids in row order (``RETURNING``)."""
    table = model.__table__
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    connection = session.connection()
    ids: list[int] = []
    for chunk in chunks(rows, INSERT_CHUNK):
        ids += connection.execute(statement, list(chunk)).scalars().all()
    return ids


def insert_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT the rows, nothing returned."""
    connection = session.connection()
    for chunk in chunks(rows, INSERT_CHUNK):
        connection.execute(model.__table__.insert(), list(chunk))


def update_rows(session: Session, model: Any, key: str, rows: list[dict[str, Any]]) -> None:
    """UPDATE one row per dict: ``rows[i][key + "_"]`` picks the row by column ``key``, the
    dict's other keys are the columns to set (the same in every dict)."""
    if not rows:
        return
    table = model.__table__
    columns = [c for c in rows[0] if c != f"{key}_"]
    session.execute(
        update(table)
        .where(table.c[key] == bindparam(f"{key}_"))
        .values({c: bindparam(c) for c in columns}),
        rows,
    )


def lookup(
    session: Session,
    key: InstrumentedAttribute[Any],
    value: InstrumentedAttribute[Any],
    keys: Iterable[Any],
    *where: ColumnElement[bool],
) -> dict[Any, Any]:
    """``{key: value}`` of the rows whose ``key`` is one of ``keys`` (and ``where`` holds)."""
    found: dict[Any, Any] = {}
    for chunk in chunks(list(keys)):
        found.update(session.execute(select(key, value).where(key.in_(chunk), *where)).all())
    return found
