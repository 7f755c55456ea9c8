"""Load coders' highlights for comparison and adjudication, in bulk whatever the project size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.errors import InvalidInput
from db.logic.chunks import chunks
from db.logic.comparison import Coding, Passage, layer_of, passages
from db.models import Annotation, AnnotationCode, Coder, Decision, Document

GOLD_ROLE = "gold"


class Ruling(NamedTuple):
    """A settled stretch of a code layer (None: the uncoded layer), and when it was settled."""

    code_id: int | None
    start: int
    end: int
    decided_at: datetime | None = None


GOLD_NAME = "gold"


@dataclass(frozen=True, slots=True)
class Comparison:
    """One article seen through the compared coders' eyes, and the gold layer so far."""

    document_id: int
    coder_ids: tuple[int, ...]
    passages: tuple[Passage, ...]
    gold: tuple[Coding, ...]
    rulings: tuple[Ruling, ...] = ()
    """Stretches of a code layer an adjudicator settled (possibly as "nothing to code")."""

    def resolved(self, passage: Passage) -> bool:
        """Decided when gold marks the code in the passage or a ruling on the code covers it,
        and no compared coder changed a highlight there since (that reopens the passage)."""
        decided = [
            g.modified_at
            for g in self.gold
            if passage.code_id in layer_of(g) and passage.overlaps(g.start, g.end)
        ] + [
            r.decided_at
            for r in self.rulings
            if r.code_id == passage.code_id and passage.overlaps(r.start, r.end)
        ]
        if not decided:
            return False
        edited, known = passage.last_edit, [t for t in decided if t is not None]
        return edited is None or not known or max(known) >= edited

    def ruling_for(self, passage: Passage) -> Ruling | None:
        """The latest ruling on this passage's layer that overlaps it, if any."""
        found = [
            r
            for r in self.rulings
            if r.code_id == passage.code_id and passage.overlaps(r.start, r.end)
        ]
        return max(found, key=lambda r: (r.decided_at is not None, r.decided_at or 0), default=None)

    def codings_of(self, coder_id: int) -> list[Coding]:
        """A coder's highlights in this article, each once (a highlight is in every layer of
        its codes)."""
        seen = {c.annotation_id: c for p in self.passages for c in p.codings}
        return [c for c in seen.values() if c.coder_id == coder_id]

    @property
    def disagreements(self) -> list[Passage]:
        return [p for p in self.passages if not p.agreed]

    @property
    def open_disagreements(self) -> list[Passage]:
        return [p for p in self.disagreements if not self.resolved(p)]


@dataclass(frozen=True, slots=True)
class DisagreementCount:
    document_id: int
    title: str
    passages: int
    disagreements: int
    open: int


def gold_coder_id(session: Session) -> int | None:
    return session.scalar(select(Coder.id).where(Coder.role == GOLD_ROLE).order_by(Coder.id))


def coder_ids_by_name(session: Session, names: Sequence[str]) -> list[int]:
    """Ids in the order of ``names``; a clear message for a name that is not a coder."""
    found = dict(session.execute(select(Coder.name, Coder.id).where(Coder.name.in_(names))).all())
    if missing := [n for n in names if n not in found]:
        raise InvalidInput(f"No coder named {', '.join(missing)} in this project.")
    return [found[n] for n in names]


def codings(
    session: Session, coder_ids: Iterable[int], document_ids: Iterable[int] | None = None
) -> dict[int, list[Coding]]:
    """Live highlights of these coders in live articles, per document (all when none named)."""
    coder_ids = list(coder_ids)
    live_documents = select(Document.id).where(Document.deleted_at.is_(None))
    by_document: dict[int, list[Coding]] = defaultdict(list)
    batches = [None] if document_ids is None else list(chunks(list(document_ids)))
    for batch in batches:
        where = [
            Annotation.deleted_at.is_(None),
            Annotation.coder_id.in_(coder_ids),
            Annotation.document_id.in_(live_documents),
        ]
        if batch is not None:
            where.append(Annotation.document_id.in_(batch))
        tags: dict[int, set[int]] = defaultdict(set)
        for annotation_id, code_id in session.execute(
            select(AnnotationCode.annotation_id, AnnotationCode.code_id)
            .join(Annotation, Annotation.id == AnnotationCode.annotation_id)
            .where(*where)
        ):
            tags[annotation_id].add(code_id)
        for a_id, document_id, coder_id, start, end, modified_at in session.execute(
            select(
                Annotation.id,
                Annotation.document_id,
                Annotation.coder_id,
                Annotation.start,
                Annotation.end,
                Annotation.modified_at,
            ).where(*where)
        ):
            by_document[document_id].append(
                Coding(a_id, coder_id, start, end, frozenset(tags.get(a_id, ())), modified_at)
            )
    return by_document


def rulings(session: Session, document_ids: Iterable[int] | None = None) -> dict[int, list[Ruling]]:
    """Live adjudication rulings per document (all documents when none are named)."""
    found: dict[int, list[Ruling]] = defaultdict(list)
    batches = [None] if document_ids is None else list(chunks(list(document_ids)))
    for batch in batches:
        query = select(
            Decision.document_id,
            Decision.code_id,
            Decision.start,
            Decision.end,
            Decision.created_at,
        ).where(
            Decision.deleted_at.is_(None),
            Decision.document_id.in_(select(Document.id).where(Document.deleted_at.is_(None))),
        )
        if batch is not None:
            query = query.where(Decision.document_id.in_(batch))
        for document_id, code_id, start, end, decided_at in session.execute(query):
            found[document_id].append(Ruling(code_id, start, end, decided_at))
    return found


def compare(
    session: Session, document_id: int, coder_ids: Sequence[int], gold_id: int | None
) -> Comparison:
    everyone = [*coder_ids, *([gold_id] if gold_id is not None else [])]
    found = codings(session, everyone, [document_id]).get(document_id, [])
    return comparison_of(
        document_id, coder_ids, gold_id, found, rulings(session, [document_id])[document_id]
    )


def comparison_of(
    document_id: int,
    coder_ids: Sequence[int],
    gold_id: int | None,
    found: list[Coding],
    settled: list[Ruling],
) -> Comparison:
    return Comparison(
        document_id,
        tuple(coder_ids),
        tuple(passages(found, coder_ids)),
        tuple(c for c in found if c.coder_id == gold_id),
        tuple(settled),
    )


def disagreement_counts(
    session: Session, coder_ids: Sequence[int], gold_id: int | None
) -> list[DisagreementCount]:
    """Per article the compared coders touched: passages, disagreements, and those still open."""
    everyone = [*coder_ids, *([gold_id] if gold_id is not None else [])]
    found = codings(session, everyone)
    settled = rulings(session)
    titles = dict(
        session.execute(
            select(Document.id, Document.title).where(Document.deleted_at.is_(None))
        ).all()
    )
    counts = []
    for document_id in sorted(d for d in found if d in titles):
        comparison = comparison_of(
            document_id, coder_ids, gold_id, found[document_id], settled[document_id]
        )
        if comparison.passages:
            counts.append(
                DisagreementCount(
                    document_id,
                    titles[document_id],
                    len(comparison.passages),
                    len(comparison.disagreements),
                    len(comparison.open_disagreements),
                )
            )
    return counts


SCAN_BATCH = 200


def next_open_document(
    session: Session,
    coder_ids: Sequence[int],
    gold_id: int | None,
    after: int | None,
    step: int = 1,
) -> int | None:
    """The next article (by id, wrapping around) with an open disagreement, or None.

    Scans the articles the coders marked in batches and stops at the first hit, so the jump
    stays quick on a big project (counting every article first took seconds).
    """
    marked = sorted(
        session.scalars(
            select(Annotation.document_id)
            .join(Document, Document.id == Annotation.document_id)
            .where(
                Annotation.coder_id.in_(list(coder_ids)),
                Annotation.deleted_at.is_(None),
                Document.deleted_at.is_(None),
            )
            .distinct()
        )
    )
    if step < 0:
        marked.reverse()
    if after is not None:  # start just past ``after`` and come round to it last
        beyond = [d for d in marked if (d > after if step > 0 else d < after)]
        marked = beyond + marked[: len(marked) - len(beyond)]
    everyone = [*coder_ids, *([gold_id] if gold_id is not None else [])]
    for offset in range(0, len(marked), SCAN_BATCH):
        batch = marked[offset : offset + SCAN_BATCH]
        found = codings(session, everyone, batch)
        settled = rulings(session, batch)
        for document_id in batch:
            comparison = comparison_of(
                document_id, coder_ids, gold_id, found.get(document_id, []), settled[document_id]
            )
            if comparison.open_disagreements:
                return document_id
    return None
