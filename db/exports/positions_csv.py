"""Positions to CSV: one row per statement, with its document, actor, issue and stance."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from db.exports.csvfile import write_csv
from db.logic.csvcells import neutralise
from db.queries.positions import StatementFilter, list_statements

COLUMNS = (
    "statement_id",
    "document_id",
    "title",
    "outlet",
    "published",
    "actor",
    "actor_kind",
    "actor_parent",
    "issue",
    "stance",
    "stance_label",
    "source",
    "certainty",
    "quote",
    "start",
    "end",
    "coder",
    "created",
    "modified",
    "statement_uuid",
)


def position_rows(session: Session, criteria: StatementFilter | None = None):
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    for s in list_statements(session, criteria):
        yield [
            s.id,
            s.document_id,
            neutralise(s.title),
            neutralise(s.outlet or ""),
            s.published.isoformat() if s.published else "",
            neutralise(s.actor),
            s.actor_kind,
            neutralise(s.actor_parent or ""),
            neutralise(s.issue),
            s.stance,
            s.stance_label,
            neutralise(s.source),
            "" if s.certainty is None else s.certainty,
            neutralise(s.quote),
            s.start,
            s.end,
            neutralise(s.coder),
            s.created_at.strftime(stamp),
            s.modified_at.strftime(stamp),
            s.uuid,
        ]


def write_positions_csv(
    session: Session,
    target: str | Path,
    criteria: StatementFilter | None = None,
    *,
    excel: bool = False,
) -> int:
    return write_csv(target, COLUMNS, position_rows(session, criteria), excel=excel)
