"""Settle disagreements into the gold layer: a special coder holding the team's final coding.

Each decision replaces whatever gold holds in the passage and records a ruling (who, how), in
one undoable history entry under the adjudicator's name. Accepted highlights bring their codes
and positions along; accepting a coder who coded nothing there settles it as "nothing to code".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import InvalidInput, NotFound
from db.logic.comparison import Coding, passages
from db.logic.metadata import shorten
from db.models import Annotation, Coder, Decision, Document, Statement, utcnow
from db.ops.annotating import tag_spans_many
from db.ops.history import Recorder
from db.queries.comparison import GOLD_NAME, GOLD_ROLE, codings, gold_coder_id

Item = tuple[int, int, frozenset[int]]
"""A gold highlight to be: start, end and its codes."""


def ensure_gold(session: Session) -> int:
    """The gold coder's id, created on first use (named "gold" unless a person took that name)."""
    if (found := gold_coder_id(session)) is not None:
        return found
    taken = set(session.scalars(select(Coder.name).where(Coder.name.like(f"{GOLD_NAME}%"))))
    name = next(
        n for i in range(1, 1000) if (n := GOLD_NAME if i == 1 else f"{GOLD_NAME} {i}") not in taken
    )
    gold = Coder(name=name, role=GOLD_ROLE, color="#b8860b")
    session.add(gold)
    session.flush()
    return gold.id


def accept(
    session: Session,
    adjudicator_id: int,
    document_id: int,
    span: tuple[int, int],
    from_coders: Sequence[int],
) -> Changes:
    """Gold takes these coders' highlights (with codes and positions) in the passage ``span``."""
    if not from_coders:
        raise InvalidInput("Choose whose coding to accept.")
    start, end = span
    chosen = [
        c
        for c in codings(session, from_coders, [document_id]).get(document_id, [])
        if c.start < end and c.end > start
    ]
    names = dict(
        session.execute(select(Coder.id, Coder.name).where(Coder.id.in_(from_coders))).all()
    )
    verb = "accept " + " and ".join(names.get(c, "?") for c in from_coders)
    return _settle(session, adjudicator_id, document_id, span, chosen, verb)


def settle(
    session: Session,
    adjudicator_id: int,
    document_id: int,
    span: tuple[int, int],
    items: Iterable[Item],
) -> Changes:
    """Gold's coding of the passage becomes exactly ``items`` (the adjudicator's own edit)."""
    own = [Coding(0, 0, s, e, frozenset(codes)) for s, e, codes in items]
    return _settle(session, adjudicator_id, document_id, span, own, "edit")


def accept_agreed(
    session: Session,
    adjudicator_id: int,
    coder_ids: Sequence[int],
    document_ids: Iterable[int] | None = None,
) -> tuple[int, Changes]:
    """Copy every passage the coders agree on and gold has not decided yet: one history entry."""
    gold_id = ensure_gold(session)
    found = codings(session, [*coder_ids, gold_id], document_ids)
    recorder = Recorder(session, adjudicator_id, "adjudicate")
    wanted: dict[int, list[Coding]] = defaultdict(list)
    for document_id, items in found.items():
        gold = [c for c in items if c.coder_id == gold_id]
        for passage in passages(items, coder_ids):
            if passage.agreed and not any(passage.overlaps(g.start, g.end) for g in gold):
                wanted[document_id].extend(passage.of(coder_ids[0]))
    _copy(session, recorder, gold_id, wanted)
    n = sum(len(v) for v in wanted.values())
    recorder.summary = f"Gold: accept {n} agreed highlight(s)"
    return n, recorder.finish()


def _settle(
    session: Session,
    adjudicator_id: int,
    document_id: int,
    span: tuple[int, int],
    chosen: list[Coding],
    verb: str,
) -> Changes:
    start, end = span
    text = session.scalar(
        select(Document.text).where(Document.id == document_id, Document.deleted_at.is_(None))
    )
    if text is None:
        raise NotFound("That article no longer exists.")
    if not 0 <= start < end <= len(text):
        raise InvalidInput("That passage is outside the article.")
    gold_id = ensure_gold(session)
    recorder = Recorder(
        session, adjudicator_id, "adjudicate", f"Gold: {verb} “{shorten(text[start:end], 40)}”"
    )
    replaced = list(
        session.scalars(
            select(Annotation.id).where(
                Annotation.document_id == document_id,
                Annotation.coder_id == gold_id,
                Annotation.deleted_at.is_(None),
                Annotation.start < end,
                Annotation.end > start,
            )
        )
    )
    if replaced:
        recorder.touch("annotation", replaced)
        session.execute(
            update(Annotation).where(Annotation.id.in_(replaced)).values(deleted_at=utcnow())
        )
    overruled = list(
        session.scalars(
            select(Decision.id).where(
                Decision.document_id == document_id,
                Decision.deleted_at.is_(None),
                Decision.start < end,
                Decision.end > start,
            )
        )
    )
    if overruled:
        recorder.touch("decision", overruled)
        session.execute(
            update(Decision).where(Decision.id.in_(overruled)).values(deleted_at=utcnow())
        )
    ruling = Decision(
        document_id=document_id, start=start, end=end, choice=verb, coder_id=adjudicator_id
    )
    session.add(ruling)
    session.flush()
    recorder.created("decision", [ruling.id])
    _copy(session, recorder, gold_id, {document_id: chosen})
    return recorder.finish()


def _copy(
    session: Session, recorder: Recorder, gold_id: int, wanted: dict[int, list[Coding]]
) -> None:
    """Create gold highlights like ``wanted`` (same spans and codes) and copy their positions."""
    by_codes: dict[frozenset[int], dict[int, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    merged: dict[tuple[int, int, int], frozenset[int]] = defaultdict(frozenset)
    sources: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for document_id, items in wanted.items():
        for c in items:
            merged[document_id, c.start, c.end] |= c.code_ids
            if c.annotation_id:
                sources[document_id, c.start, c.end].append(c.annotation_id)
    for (document_id, start, end), codes in merged.items():
        by_codes[codes][document_id].append((start, end))
    gold_of: dict[tuple[int, int, int], int] = {}
    for codes, spans in by_codes.items():
        made = tag_spans_many(session, recorder, gold_id, dict(spans), sorted(codes))
        for document_id, (ids, _) in made.items():
            for (start, end), annotation_id in zip(spans[document_id], ids, strict=True):
                gold_of[document_id, start, end] = annotation_id
    _copy_statements(session, recorder, sources, gold_of)


def _copy_statements(
    session: Session,
    recorder: Recorder,
    sources: dict[tuple[int, int, int], list[int]],
    gold_of: dict[tuple[int, int, int], int],
) -> None:
    target = {a: gold_of[key] for key, ids in sources.items() for a in ids}
    if not target:
        return
    seen: set[tuple] = set()
    made = []
    for row in session.execute(
        select(
            Statement.annotation_id,
            Statement.actor_id,
            Statement.issue_id,
            Statement.stance,
            Statement.source,
            Statement.certainty,
        )
        .where(Statement.annotation_id.in_(list(target)), Statement.deleted_at.is_(None))
        .order_by(Statement.id)
    ):
        key = (target[row.annotation_id], row.actor_id, row.issue_id, row.stance)
        if key not in seen:
            seen.add(key)
            made.append(
                Statement(
                    annotation_id=key[0],
                    actor_id=row.actor_id,
                    issue_id=row.issue_id,
                    stance=row.stance,
                    source=row.source,
                    certainty=row.certainty,
                )
            )
    session.add_all(made)
    session.flush()
    recorder.created("statement", [s.id for s in made])
