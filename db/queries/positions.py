"""Actors, issues and statements as plain records, each list in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from db.logic.summary import StatementFact
from db.models import Actor, Annotation, Coder, Document, Issue, Statement
from db.ops.positions import stance_scale
from db.queries.codes import code_paths
from db.records import ActorRecord, IssueRecord, StatementRecord


def _counts(session: Session, column) -> dict[int, int]:
    return dict(
        session.execute(
            select(column, func.count()).where(Statement.deleted_at.is_(None)).group_by(column)
        ).all()
    )


def list_actors(session: Session, with_counts: bool = True) -> list[ActorRecord]:
    """Live actors by name; ``with_counts=False`` skips counting their statements."""
    counts = _counts(session, Statement.actor_id) if with_counts else {}
    actors = session.scalars(
        select(Actor).where(Actor.deleted_at.is_(None)).order_by(Actor.name)
    ).all()
    names = {a.id: a.name for a in actors}
    return [
        ActorRecord(
            a.id,
            a.name,
            a.kind,
            a.parent_id,
            names.get(a.parent_id),
            a.color,
            tuple(a.aliases or ()),
            a.notes,
            counts.get(a.id, 0),
        )
        for a in actors
    ]


def issue_paths(session: Session) -> dict[int, str]:
    rows = session.execute(
        select(Issue.id, Issue.name, Issue.parent_id).where(Issue.deleted_at.is_(None))
    )
    return code_paths(list(rows))


def list_issues(session: Session, with_counts: bool = True) -> list[IssueRecord]:
    """Live issues by path; ``with_counts=False`` skips counting their statements."""
    counts = _counts(session, Statement.issue_id) if with_counts else {}
    issues = session.scalars(
        select(Issue).where(Issue.deleted_at.is_(None)).order_by(Issue.position, Issue.name)
    ).all()
    paths = code_paths([(i.id, i.name, i.parent_id) for i in issues])
    records = [
        IssueRecord(i.id, i.name, i.parent_id, paths[i.id], i.description, counts.get(i.id, 0))
        for i in issues
    ]
    return sorted(records, key=lambda r: r.path.casefold())


@dataclass(frozen=True, slots=True)
class StatementFilter:
    """Narrow statements; None means any."""

    actor_ids: frozenset[int] | None = None
    issue_ids: frozenset[int] | None = None
    stances: frozenset[int] | None = None
    outlets: frozenset[str] | None = None
    coders: frozenset[str] | None = None
    since: date | None = None
    until: date | None = None
    document_id: int | None = None
    annotation_ids: frozenset[int] | None = None


def statements_query(criteria: StatementFilter | None = None) -> Select:
    """The join behind every statement list, export and summary, filtered in SQL."""
    parent = aliased(Actor)
    query = (
        select(
            Statement.id,
            Statement.uuid,
            Annotation.id,
            Document.id,
            Document.title,
            Document.outlet,
            Document.published,
            Annotation.start,
            Annotation.end,
            Annotation.quote,
            Coder.name,
            Actor.id,
            Actor.name,
            Actor.kind,
            parent.name,
            Issue.id,
            Statement.stance,
            Statement.source,
            Statement.certainty,
            Statement.created_at,
            Statement.modified_at,
        )
        .join(Annotation, Annotation.id == Statement.annotation_id)
        .join(Document, Document.id == Annotation.document_id)
        .join(Coder, Coder.id == Annotation.coder_id)
        .join(Actor, Actor.id == Statement.actor_id)
        .outerjoin(parent, parent.id == Actor.parent_id)
        .join(Issue, Issue.id == Statement.issue_id)
        .where(
            Statement.deleted_at.is_(None),
            Annotation.deleted_at.is_(None),
            Document.deleted_at.is_(None),
        )
        .order_by(Document.published, Document.id, Annotation.start, Statement.id)
    )
    c = criteria or StatementFilter()
    for values, column in (
        (c.actor_ids, Actor.id),
        (c.issue_ids, Issue.id),
        (c.stances, Statement.stance),
        (c.outlets, Document.outlet),
        (c.coders, Coder.name),
        (c.annotation_ids, Annotation.id),
    ):
        if values is not None:
            query = query.where(column.in_(values))
    if c.since:
        query = query.where(Document.published >= c.since)
    if c.until:
        query = query.where(Document.published <= c.until)
    if c.document_id is not None:
        query = query.where(Document.id == c.document_id)
    return query


def list_statements(
    session: Session,
    criteria: StatementFilter | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[StatementRecord]:
    """Statements in list order; ``offset``/``limit`` give one page of a long list."""
    labels = {level.value: level.label for level in stance_scale(session)}
    paths = issue_paths(session)
    query = statements_query(criteria)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [
        StatementRecord(
            id=r[0],
            uuid=r[1],
            annotation_id=r[2],
            document_id=r[3],
            title=r[4],
            outlet=r[5],
            published=r[6],
            start=r[7],
            end=r[8],
            quote=r[9],
            coder=r[10],
            actor_id=r[11],
            actor=r[12],
            actor_kind=r[13],
            actor_parent=r[14],
            issue_id=r[15],
            issue=paths.get(r[15], ""),
            stance=r[16],
            stance_label=labels.get(r[16]) or str(r[16]),
            source=r[17],
            certainty=r[18],
            created_at=r[19],
            modified_at=r[20],
        )
        for r in session.execute(query)
    ]


def count_statements(session: Session, criteria: StatementFilter | None = None) -> int:
    """How many statements ``list_statements`` would give, counted in SQL."""
    listed = statements_query(criteria).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(listed)) or 0


def list_statement_facts(
    session: Session, criteria: StatementFilter | None = None
) -> list[StatementFact]:
    """What ``list_statements`` lists, in its order, as seven columns instead of twenty-one.

    The same joins and filters (``statements_query`` with its columns swapped), so summaries and
    networks of 100,000 statements skip the quotes, UUIDs and timestamps and build a tuple per
    row, not a record: about half the time of ``list_statements``.
    """
    paths = issue_paths(session)
    query = statements_query(criteria).with_only_columns(
        Document.id,
        Document.published,
        Document.outlet,
        Coder.name,
        Actor.name,
        Issue.id,
        Statement.stance,
    )
    return [
        StatementFact(doc, published, outlet, coder, actor, paths.get(issue, ""), stance)
        for doc, published, outlet, coder, actor, issue, stance in session.execute(query)
    ]
