"""Highlight spans and tag them with codes; edit memos; delete — each edit one history entry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Text,
    cast,
    delete,
    insert,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import InvalidInput, NotFound
from db.logic.chunks import SIZE, chunks
from db.logic.metadata import shorten
from db.logic.offsets import quote
from db.models import Annotation, AnnotationCode, Code, Document, utcnow
from db.ops.history import Recorder

QUOTE_IN_SUMMARY = 40
_NEW_ANNOTATIONS = insert(Annotation.__table__).returning(
    Annotation.__table__.c.id, sort_by_parameter_order=True
)
_NEW_TAGS = insert(AnnotationCode.__table__)


def annotate(
    session: Session,
    document_id: int,
    coder_id: int,
    start: int,
    end: int,
    code_ids: Iterable[int] = (),
) -> tuple[int, Changes]:
    """Tag the span [start, end) with codes; reuses this coder's annotation of the same span.

    Returns the annotation's id. ``start``/``end`` are code-point offsets into the stored text.
    """
    ids, changes = annotate_many(session, document_id, coder_id, [(start, end)], code_ids)
    return ids[0], changes


def annotate_many(
    session: Session,
    document_id: int,
    coder_id: int,
    spans: Sequence[tuple[int, int]],
    code_ids: Iterable[int],
) -> tuple[list[int], Changes]:
    """Tag several spans of one document at once: one history entry, bulk SQL."""
    code_ids = list(dict.fromkeys(code_ids))
    names = code_names(session, code_ids)
    recorder = Recorder(session, coder_id, "annotate")
    ids, quotes = tag_spans(session, recorder, document_id, coder_id, spans, code_ids)
    what = f"“{shorten(quotes[0], QUOTE_IN_SUMMARY)}”" if len(ids) == 1 else f"{len(ids)} passages"
    recorder.summary = f"Tag {what} with {', '.join(names) or 'no code'}"
    return ids, recorder.finish()


def tag_spans(
    session: Session,
    recorder: Recorder,
    document_id: int,
    coder_id: int,
    spans: Sequence[tuple[int, int]],
    code_ids: list[int],
) -> tuple[list[int], list[str]]:
    """Within ``recorder``'s edit: tag spans of one document (see ``tag_spans_many``).

    Returns the annotation ids and quotes, in the order of ``spans``.
    """
    found = tag_spans_many(session, recorder, coder_id, {document_id: list(spans)}, code_ids)
    return found[document_id]


def tag_spans_many(
    session: Session,
    recorder: Recorder,
    coder_id: int,
    spans_by_document: dict[int, list[tuple[int, int]]],
    code_ids: list[int],
) -> dict[int, tuple[list[int], list[str]]]:
    """Tag spans in many documents with the same codes (auto-code's path); see ``tag_each``."""
    return tag_each(
        session,
        recorder,
        coder_id,
        {d: [(s, e, code_ids) for s, e in spans] for d, spans in spans_by_document.items()},
    )


def tag_each(
    session: Session,
    recorder: Recorder,
    coder_id: int,
    items_by_document: dict[int, list[tuple[int, int, Sequence[int]]]],
) -> dict[int, tuple[list[int], list[str]]]:
    """Tag spans of many documents, each span with its own codes, in a fixed number of bulk
    statements (Core inserts: ORM objects cost ~0.1 ms a row, too much for 100,000 spans).

    This coder's live annotation of the same span is reused; others are created. Returns, per
    document, the annotation ids and quotes in the order of its items.
    """
    documents = list(items_by_document)
    texts: dict[int, str] = {}
    existing: dict[tuple[int, int, int], int] = {}
    for chunk in chunks(documents, SIZE // 2):  # bound twice in the query
        for document_id, body, annotation_id, start, end in session.execute(
            _texts_and_spans(chunk, coder_id)
        ):
            if annotation_id is None:
                texts[document_id] = body
            else:
                existing[document_id, start, end] = annotation_id
    if missing := [d for d in documents if d not in texts]:
        raise NotFound(f"Document {missing[0]} no longer exists.")
    quotes: dict[int, list] = {}
    for document_id, items in items_by_document.items():
        try:
            quotes[document_id] = [quote(texts[document_id], s, e) for s, e, _ in items]
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
    recorder.touch(
        "annotation",
        [
            existing[d, q.start, q.end]
            for d, qs in quotes.items()
            for q in qs
            if (d, q.start, q.end) in existing
        ],
    )
    new: dict[tuple[int, int, int], dict] = {}
    now = utcnow()
    for document_id, qs in quotes.items():
        for q in qs:
            key = (document_id, q.start, q.end)
            if key not in existing and key not in new:
                new[key] = {
                    "document_id": document_id,
                    "coder_id": coder_id,
                    "start": q.start,
                    "end": q.end,
                    "quote": q.exact,
                    "prefix": q.prefix,
                    "suffix": q.suffix,
                    "created_at": now,
                    "modified_at": now,
                }
    made: list[int] = []
    rows = list(new.values())
    core = session.connection()  # Core inserts: the ORM's bulk path cost ~1 ms a click
    for chunk in chunks(rows):
        made += core.execute(_NEW_ANNOTATIONS, chunk).scalars().all()
    recorder.created("annotation", made)
    ids = existing | dict(zip(new, made, strict=True))
    result = {
        d: ([ids[d, q.start, q.end] for q in qs], [q.exact for q in qs]) for d, qs in quotes.items()
    }
    fresh = set(made)
    pairs = [
        (annotation_id, code_id)
        for d, items in items_by_document.items()
        for annotation_id, (_, _, codes) in zip(result[d][0], items, strict=True)
        for code_id in codes
    ]
    new_tags = list(dict.fromkeys(p for p in pairs if p[0] in fresh))
    if new_tags:  # new highlights have no tags yet: no lookup, no timestamp update
        core.execute(_NEW_TAGS, [{"annotation_id": a, "code_id": c} for a, c in new_tags])
    add_tag_pairs(session, [p for p in pairs if p[0] not in fresh])
    return result


def _texts_and_spans(documents: list[int], coder_id: int) -> CompoundSelect:
    """The live documents' texts and this coder's live spans in them, as one result (a click
    waits for one round trip, not two): (document, text, None, None, None) for a text,
    (document, None, annotation, start, end) for a span."""
    no_number, no_text = cast(null(), Integer), cast(null(), Text)
    texts = select(Document.id, Document.text, no_number, no_number, no_number).where(
        Document.id.in_(documents), Document.deleted_at.is_(None)
    )
    spans = select(
        Annotation.document_id, no_text, Annotation.id, Annotation.start, Annotation.end
    ).where(
        Annotation.document_id.in_(documents),
        Annotation.coder_id == coder_id,
        Annotation.deleted_at.is_(None),
    )
    return union_all(texts, spans)


def add_tags(session: Session, annotation_ids: list[int], code_ids: list[int]) -> None:
    """Attach codes the annotations lack, in bulk; their modification time moves on."""
    add_tag_pairs(session, [(a, c) for a in annotation_ids for c in code_ids])


def add_tag_pairs(session: Session, pairs: list[tuple[int, int]]) -> None:
    """Attach (annotation, code) tags that are not there yet, in bulk."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return
    annotation_ids = list({a for a, _ in pairs})
    present: set[tuple[int, int]] = set()
    for chunk in chunks(annotation_ids):
        present.update(
            (a, c)
            for a, c in session.execute(
                select(AnnotationCode.annotation_id, AnnotationCode.code_id).where(
                    AnnotationCode.annotation_id.in_(chunk)
                )
            )
        )
    rows = [{"annotation_id": a, "code_id": c} for a, c in pairs if (a, c) not in present]
    if rows:
        session.connection().execute(_NEW_TAGS, rows)
        touched = list({r["annotation_id"] for r in rows})
        for chunk in chunks(touched):
            session.execute(
                update(Annotation).where(Annotation.id.in_(chunk)).values(modified_at=utcnow())
            )


def set_codes(
    session: Session, coder_id: int, annotation_id: int, add: Iterable[int], remove: Iterable[int]
) -> Changes:
    annotation = _annotation(session, annotation_id)
    add, remove = list(dict.fromkeys(add)), set(remove)
    names = code_names(session, [*add, *remove])
    recorder = Recorder(
        session, coder_id, "set_codes", _codes_summary(annotation, add, remove, names)
    )
    recorder.touch("annotation", [annotation_id])
    if remove:
        session.execute(
            delete(AnnotationCode).where(
                AnnotationCode.annotation_id == annotation_id, AnnotationCode.code_id.in_(remove)
            )
        )
    add_tags(session, [annotation_id], [c for c in add if c not in remove])
    annotation.modified_at = utcnow()
    return recorder.finish()


def _codes_summary(annotation: Annotation, add: list[int], remove: set[int], names) -> str:
    label = f"“{shorten(annotation.quote, QUOTE_IN_SUMMARY)}”"
    parts = []
    if add:
        parts.append(f"tag {label} with {', '.join(names[: len(add)])}")
    if remove:
        parts.append(f"untag {', '.join(names[len(add) :])} from {label}")
    return "; ".join(parts).capitalize() if parts else f"Edit codes of {label}"


def set_memo(session: Session, coder_id: int, annotation_id: int, memo: str) -> Changes:
    annotation = _annotation(session, annotation_id)
    if annotation.memo == memo:
        return Changes()
    label = shorten(annotation.quote, QUOTE_IN_SUMMARY)
    recorder = Recorder(session, coder_id, "memo", f"Memo on “{label}”")
    recorder.touch("annotation", [annotation_id])
    annotation.memo = memo
    annotation.modified_at = utcnow()
    return recorder.finish()


def delete_annotation(session: Session, coder_id: int, annotation_id: int) -> Changes:
    annotation = _annotation(session, annotation_id)
    label = shorten(annotation.quote, QUOTE_IN_SUMMARY)
    recorder = Recorder(session, coder_id, "delete_annotation", f"Delete highlight “{label}”")
    recorder.touch("annotation", [annotation_id])
    annotation.deleted_at = utcnow()
    return recorder.finish()


def _annotation(session: Session, annotation_id: int) -> Annotation:
    annotation = session.get(Annotation, annotation_id)
    if annotation is None or annotation.deleted_at is not None:
        raise NotFound("That highlight no longer exists.")
    return annotation


def code_names(session: Session, code_ids: Iterable[int]) -> list[str]:
    """The codes' names in the given order; raises NotFound if one is gone."""
    wanted = list(code_ids)
    if not wanted:
        return []
    found = dict(
        session.execute(
            select(Code.id, Code.name).where(Code.id.in_(wanted), Code.deleted_at.is_(None))
        ).all()
    )
    if missing := set(wanted) - set(found):
        raise NotFound(f"Code(s) {sorted(missing)} no longer exist.")
    return [found[c] for c in wanted]
