"""The codebook with full paths and usage counts (everyone's and one coder's)."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.models import AnnotationTally, Code, Coder, CodeTally
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


def list_codes(
    session: Session, coder_id: int | None = None, *, include_archived: bool = True
) -> list[CodeRecord]:
    """Live codes, parents before children, siblings in their set order."""
    mine = func.sum(case((CodeTally.coder_id == coder_id, CodeTally.n), else_=0))
    counts = (
        select(CodeTally.code_id, func.sum(CodeTally.n).label("n"), mine.label("mine"))
        .group_by(CodeTally.code_id)
        .subquery()
    )
    codes = session.execute(  # one query, plain rows: the codebook is read after every click
        select(
            Code.id,
            Code.uuid,
            Code.name,
            Code.parent_id,
            Code.color,
            Code.description,
            Code.shortcut,
            Code.archived,
            Code.position,
            Code.version,
            func.coalesce(counts.c.n, 0).label("n_annotations"),
            func.coalesce(counts.c.mine, 0).label("n_mine"),
        )
        .outerjoin(counts, counts.c.code_id == Code.id)
        .where(Code.deleted_at.is_(None))
        .order_by(Code.position, Code.id)
    ).all()
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
            n_annotations=int(c.n_annotations),
            n_mine=int(c.n_mine),
            archived=c.archived,
            position=c.position,
            version=c.version,
        )
        for c in _tree_order(codes)
        if include_archived or not c.archived
    ]


def _tree_order(codes):
    """Depth-first: each parent, then its children in position order."""
    children: dict[int | None, list] = {}
    ids = {c.id for c in codes}
    for c in codes:
        children.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
    out, stack = [], list(reversed(children.get(None, [])))
    while stack:
        code = stack.pop()
        out.append(code)
        stack.extend(reversed(children.get(code.id, [])))
    return out


def list_coders(session: Session) -> list[CoderRecord]:
    """Every coder with the number of live annotations they made."""
    counts = dict(
        session.execute(
            select(AnnotationTally.coder_id, func.sum(AnnotationTally.n)).group_by(
                AnnotationTally.coder_id
            )
        ).all()
    )
    return [
        CoderRecord(c.id, c.uuid, c.name, c.color, c.role, counts.get(c.id, 0))
        for c in session.scalars(select(Coder).order_by(Coder.name))
    ]
