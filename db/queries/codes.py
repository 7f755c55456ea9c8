"""The codebook with full paths and usage counts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import AnnotationCode, Code, Coder
from db.records import CodeRecord, CoderRecord

PATH_SEPARATOR = "/"


def code_paths(rows: list[tuple[int, str, int | None]]) -> dict[int, str]:
    """Full paths ("Actors/Hamas") from (id, name, parent_id) rows, resolving each parent once."""
    by_id = {code_id: (name, parent) for code_id, name, parent in rows}
    paths: dict[int, str] = {}

    def path(code_id: int, depth: int = 0) -> str:
        if code_id not in paths:
            name, parent = by_id[code_id]
            if parent is None or parent not in by_id or depth > 64:
                paths[code_id] = name
            else:
                paths[code_id] = path(parent, depth + 1) + PATH_SEPARATOR + name
        return paths[code_id]

    for code_id in by_id:
        path(code_id)
    return paths


def list_codes(session: Session, *, include_archived: bool = False) -> list[CodeRecord]:
    counts = dict(
        session.execute(
            select(AnnotationCode.code_id, func.count()).group_by(AnnotationCode.code_id)
        ).all()
    )
    codes = session.scalars(select(Code).order_by(Code.position, Code.id)).all()
    paths = code_paths([(c.id, c.name, c.parent_id) for c in codes])
    return [
        CodeRecord(
            id=c.id,
            uuid=c.uuid,
            name=c.name,
            parent_id=c.parent_id,
            path=paths[c.id],
            color=c.color,
            description=c.description,
            shortcut=c.shortcut,
            n_annotations=counts.get(c.id, 0),
        )
        for c in codes
        if include_archived or not c.archived
    ]


def list_coders(session: Session) -> list[CoderRecord]:
    return [
        CoderRecord(c.id, c.uuid, c.name, c.color)
        for c in session.scalars(select(Coder).order_by(Coder.name))
    ]
