"""Highlight spans and tag them with codes; edit memos; delete."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import InvalidInput, NotFound
from db.logic.offsets import quote
from db.models import Annotation, AnnotationCode, Code, Document, utcnow


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
    text = session.scalar(select(Document.text).where(Document.id == document_id))
    if text is None:
        raise NotFound(f"Document {document_id} no longer exists.")
    try:
        q = quote(text, start, end)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    code_ids = list(dict.fromkeys(code_ids))
    _require_codes(session, code_ids)
    annotation = session.scalar(
        select(Annotation).where(
            Annotation.document_id == document_id,
            Annotation.coder_id == coder_id,
            Annotation.start == start,
            Annotation.end == end,
        )
    )
    if annotation is None:
        annotation = Annotation(
            document_id=document_id,
            coder_id=coder_id,
            start=start,
            end=end,
            quote=q.exact,
            prefix=q.prefix,
            suffix=q.suffix,
        )
        session.add(annotation)
        session.flush()
    present = set(
        session.scalars(
            select(AnnotationCode.code_id).where(AnnotationCode.annotation_id == annotation.id)
        )
    )
    new = [c for c in code_ids if c not in present]
    session.add_all(AnnotationCode(annotation_id=annotation.id, code_id=c) for c in new)
    if new and present:
        annotation.modified_at = utcnow()
    session.flush()
    return annotation.id, Changes(annotations_of=frozenset({document_id}), codebook=bool(new))


def set_codes(
    session: Session, annotation_id: int, add: Iterable[int], remove: Iterable[int]
) -> Changes:
    annotation = _annotation(session, annotation_id)
    add, remove = set(add), set(remove)
    _require_codes(session, add)
    present = {tag.code_id for tag in annotation.tags}
    annotation.tags = [t for t in annotation.tags if t.code_id not in remove]
    annotation.tags += [AnnotationCode(code_id=c) for c in sorted(add - present - remove)]
    annotation.modified_at = utcnow()
    session.flush()
    return Changes(annotations_of=frozenset({annotation.document_id}), codebook=True)


def set_memo(session: Session, annotation_id: int, memo: str) -> Changes:
    annotation = _annotation(session, annotation_id)
    if annotation.memo != memo:
        annotation.memo = memo
        annotation.modified_at = utcnow()
    return Changes(annotations_of=frozenset({annotation.document_id}))


def delete_annotation(session: Session, annotation_id: int) -> Changes:
    annotation = _annotation(session, annotation_id)
    document_id = annotation.document_id
    session.delete(annotation)
    session.flush()
    return Changes(annotations_of=frozenset({document_id}), codebook=True)


def _annotation(session: Session, annotation_id: int) -> Annotation:
    annotation = session.get(Annotation, annotation_id)
    if annotation is None:
        raise NotFound("That highlight no longer exists.")
    return annotation


def _require_codes(session: Session, code_ids: Iterable[int]) -> None:
    wanted = set(code_ids)
    if not wanted:
        return
    found = set(session.scalars(select(Code.id).where(Code.id.in_(wanted))))
    if missing := wanted - found:
        raise NotFound(f"Code(s) {sorted(missing)} no longer exist.")
