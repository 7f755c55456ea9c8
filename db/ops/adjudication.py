"""Settle disagreements into the gold layer: a special coder holding the team's final coding.

Decisions are made per code layer (see db.logic.comparison). Each one replaces what gold marks
with that code in the passage and records a ruling (who, how), in one undoable history entry
under the adjudicator's name. Accepted highlights bring their positions along; accepting a coder
who marked nothing there settles the passage as "nothing to code".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import InvalidInput, NotFound
from db.logic.chunks import chunks
from db.logic.comparison import Target, layer_of
from db.logic.metadata import shorten
from db.models import (
    Annotation,
    AnnotationCode,
    Code,
    Coder,
    Decision,
    Document,
    Statement,
    utcnow,
)
from db.ops.annotating import tag_each
from db.ops.history import Recorder
from db.queries.comparison import (
    GOLD_NAME,
    GOLD_ROLE,
    codings,
    comparison_of,
    gold_coder_id,
    rulings,
)

Item = tuple[int, int, frozenset[int]]
"""A gold highlight to be: start, end and its codes."""


@dataclass(frozen=True, slots=True)
class _Wanted:
    start: int
    end: int
    codes: frozenset[int]
    sources: tuple[int, ...] = ()  # coders' annotations whose positions come along


def ensure_gold(session: Session) -> int:
    """The gold coder's id, created on first use (named "gold" unless a person took that name)."""
    if (found := gold_coder_id(session)) is not None:
        return found
    taken = set(session.scalars(select(Coder.name).where(Coder.name.like(f"{GOLD_NAME}%"))))
    candidates = (GOLD_NAME if i == 1 else f"{GOLD_NAME} {i}" for i in range(1, len(taken) + 2))
    name = next(n for n in candidates if n not in taken)
    gold = Coder(name=name, role=GOLD_ROLE, color="#b8860b")
    session.add(gold)
    session.flush()
    return gold.id


def accept(
    session: Session, adjudicator_id: int, target: Target, from_coders: Sequence[int]
) -> Changes:
    """Gold takes these coders' spans with the target's code in the passage (A, B or both).

    One coder's spans are copied as they are; accepting several coders takes the union, so
    overlapping spans become one gold highlight carrying every source's positions once.
    """
    if not from_coders:
        raise InvalidInput("Choose whose coding to accept.")
    found = [
        (c.start, c.end, c.annotation_id)
        for c in codings(session, from_coders, [target.document_id]).get(target.document_id, [])
        if target.code_id in layer_of(c) and c.start < target.end and c.end > target.start
    ]
    codes = frozenset() if target.code_id is None else frozenset({target.code_id})
    wanted = [
        _Wanted(start, end, codes, tuple(sources))
        for start, end, sources in _spans(found, union=len(from_coders) > 1)
    ]
    names = dict(
        session.execute(select(Coder.id, Coder.name).where(Coder.id.in_(from_coders))).all()
    )
    verb = "accept " + " and ".join(names.get(c, "?") for c in from_coders)
    return _settle(session, adjudicator_id, target, wanted, verb)


def _spans(
    found: Iterable[tuple[int, int, int]], *, union: bool
) -> list[tuple[int, int, list[int]]]:
    """(start, end, source annotations): identical spans once; with ``union`` overlapping ones
    joined into one."""
    merged: list[tuple[int, int, list[int]]] = []
    for start, end, source in sorted(found):
        if merged and (
            (merged[-1][0], merged[-1][1]) == (start, end) or (union and start < merged[-1][1])
        ):
            first, reach, sources = merged[-1]
            merged[-1] = (first, max(reach, end), [*sources, source])
        else:
            merged.append((start, end, [source]))
    return merged


def settle(session: Session, adjudicator_id: int, target: Target, items: Iterable[Item]) -> Changes:
    """Gold's marking of the passage becomes the adjudicator's own: these spans and codes."""
    wanted = [_Wanted(s, e, frozenset(codes)) for s, e, codes in items]
    return _settle(session, adjudicator_id, target, wanted, "edit")


def accept_agreed(
    session: Session,
    adjudicator_id: int,
    coder_ids: Sequence[int],
    document_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, Changes]:
    """Copy every passage the coders agree on and nobody has settled yet: one history entry.

    A passage gold already marks, or that a ruling settled (even as "nothing to code"), is left
    as the adjudicator decided. ``progress(done, total)`` runs per 500 articles; raising in it
    (Cancel) rolls all back.
    """
    gold_id = ensure_gold(session)
    found = codings(session, [*coder_ids, gold_id], document_ids)
    settled = rulings(session, list(found))
    recorder = Recorder(session, adjudicator_id, "adjudicate")
    wanted: dict[int, list[_Wanted]] = defaultdict(list)
    for done, (document_id, items) in enumerate(found.items(), 1):
        if progress and done % 500 == 0:
            progress(done, len(found) + 1)
        comparison = comparison_of(
            document_id, coder_ids, gold_id, items, settled.get(document_id, [])
        )
        for passage in comparison.passages:
            if passage.agreed and not comparison.resolved(passage):
                codes = frozenset() if passage.code_id is None else frozenset({passage.code_id})
                wanted[document_id].extend(
                    _Wanted(c.start, c.end, codes, (c.annotation_id,))
                    for c in passage.of(coder_ids[0])
                )
    _create(session, recorder, gold_id, wanted)
    if progress:
        progress(len(found), len(found) + 1)
    n = sum(len(v) for v in wanted.values())
    recorder.summary = f"Gold: accept {n} agreed span(s)"
    return n, recorder.finish()


def _settle(
    session: Session, adjudicator_id: int, target: Target, wanted: list[_Wanted], verb: str
) -> Changes:
    text = session.scalar(
        select(Document.text).where(
            Document.id == target.document_id, Document.deleted_at.is_(None)
        )
    )
    if text is None:
        raise NotFound("That article no longer exists.")
    if not 0 <= target.start < target.end <= len(text):
        raise InvalidInput("That passage is outside the article.")
    if target.code_id is not None and session.get(Code, target.code_id) is None:
        raise NotFound("That code no longer exists.")
    gold_id = ensure_gold(session)
    quote = shorten(text[target.start : target.end], 40)
    recorder = Recorder(session, adjudicator_id, "adjudicate", f"Gold: {verb} “{quote}”")
    _clear_layer(session, recorder, gold_id, target)
    overruled = list(
        session.scalars(
            select(Decision.id).where(
                Decision.document_id == target.document_id,
                Decision.code_id.is_(None)
                if target.code_id is None
                else Decision.code_id == target.code_id,
                Decision.deleted_at.is_(None),
                Decision.start < target.end,
                Decision.end > target.start,
            )
        )
    )
    if overruled:
        recorder.touch("decision", overruled)
        session.execute(
            update(Decision).where(Decision.id.in_(overruled)).values(deleted_at=utcnow())
        )
    ruling = Decision(
        document_id=target.document_id,
        code_id=target.code_id,
        start=target.start,
        end=target.end,
        choice=verb,
        coder_id=adjudicator_id,
    )
    session.add(ruling)
    session.flush()
    recorder.created("decision", [ruling.id])
    _create(session, recorder, gold_id, {target.document_id: wanted})
    return recorder.finish()


def _clear_layer(session: Session, recorder: Recorder, gold_id: int, target: Target) -> None:
    """Take the target's code off gold's highlights in the passage. A highlight left with no
    code goes, with the positions it carried: they came with the decision being replaced."""
    overlapping = list(
        session.scalars(
            select(Annotation.id).where(
                Annotation.document_id == target.document_id,
                Annotation.coder_id == gold_id,
                Annotation.deleted_at.is_(None),
                Annotation.start < target.end,
                Annotation.end > target.start,
            )
        )
    )
    if not overlapping:
        return
    tags: dict[int, set[int]] = defaultdict(set)
    for annotation_id, code_id in session.execute(
        select(AnnotationCode.annotation_id, AnnotationCode.code_id).where(
            AnnotationCode.annotation_id.in_(overlapping)
        )
    ):
        tags[annotation_id].add(code_id)
    if target.code_id is None:
        touched = [a for a in overlapping if not tags[a]]
    else:
        touched = [a for a in overlapping if target.code_id in tags[a]]
    if not touched:
        return
    recorder.touch("annotation", touched)
    if target.code_id is not None:
        session.execute(
            delete(AnnotationCode).where(
                AnnotationCode.annotation_id.in_(touched),
                AnnotationCode.code_id == target.code_id,
            )
        )
    gone = [a for a in touched if not (tags[a] - {target.code_id})]
    if not gone:
        return
    now = utcnow()
    session.execute(update(Annotation).where(Annotation.id.in_(gone)).values(deleted_at=now))
    positions = list(
        session.scalars(
            select(Statement.id).where(
                Statement.annotation_id.in_(gone), Statement.deleted_at.is_(None)
            )
        )
    )
    if positions:
        recorder.touch("statement", positions)
        session.execute(update(Statement).where(Statement.id.in_(positions)).values(deleted_at=now))


def _create(
    session: Session, recorder: Recorder, gold_id: int, wanted: dict[int, list[_Wanted]]
) -> None:
    """Gold highlights as ``wanted`` (an existing gold highlight of the same span gains the
    codes), with copies of the source highlights' positions."""
    merged: dict[tuple[int, int, int], frozenset[int]] = defaultdict(frozenset)
    sources: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    for document_id, items in wanted.items():
        for w in items:
            merged[document_id, w.start, w.end] |= w.codes
            sources[document_id, w.start, w.end].update(w.sources)
    items: dict[int, list[tuple[int, int, list[int]]]] = defaultdict(list)
    for (document_id, start, end), codes in merged.items():
        items[document_id].append((start, end, sorted(codes)))
    made = tag_each(session, recorder, gold_id, dict(items))
    gold_of = {
        (document_id, start, end): annotation_id
        for document_id, (ids, _) in made.items()
        for (start, end, _), annotation_id in zip(items[document_id], ids, strict=True)
    }
    _copy_statements(
        session, recorder, {a: gold_of[key] for key, ids in sources.items() for a in ids}
    )


def _copy_statements(session: Session, recorder: Recorder, target: dict[int, int]) -> None:
    """Copy the live positions of source annotations onto their gold highlights, once each."""
    if not target:
        return
    fields = (
        Statement.annotation_id,
        Statement.actor_id,
        Statement.issue_id,
        Statement.stance,
        Statement.source,
        Statement.certainty,
    )
    live = Statement.deleted_at.is_(None)
    now = utcnow()
    seen: set[tuple] = set()
    for chunk in chunks(sorted(set(target.values()))):
        seen.update(
            (r.annotation_id, r.actor_id, r.issue_id, r.stance)
            for r in session.execute(
                select(*fields).where(Statement.annotation_id.in_(chunk), live)
            )
        )
    made = []
    for chunk in chunks(sorted(target)):
        for row in session.execute(
            select(*fields).where(Statement.annotation_id.in_(chunk), live).order_by(Statement.id)
        ):
            key = (target[row.annotation_id], row.actor_id, row.issue_id, row.stance)
            if key not in seen:
                seen.add(key)
                made.append(
                    {
                        "annotation_id": key[0],
                        "actor_id": row.actor_id,
                        "issue_id": row.issue_id,
                        "stance": row.stance,
                        "source": row.source,
                        "certainty": row.certainty,
                        "created_at": now,
                        "modified_at": now,
                    }
                )
    ids: list[int] = []
    for chunk in chunks(made):
        ids += session.scalars(
            insert(Statement).returning(Statement.id, sort_by_parameter_order=True), chunk
        ).all()
    recorder.created("statement", ids)
