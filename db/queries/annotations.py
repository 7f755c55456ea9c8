"""Annotations of a document, with their codes, in one query whatever their number."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from db.models import Annotation, AnnotationCode, Coder
from db.records import AnnotationRecord

# Built once: read after every click, where building the statement cost ~0.4 ms a time.
_ANNOTATIONS_OF = (
    select(
        Annotation.id,
        Annotation.uuid,
        Annotation.document_id,
        Annotation.coder_id,
        Coder.name,
        Annotation.start,
        Annotation.end,
        Annotation.quote,
        Annotation.memo,
        Annotation.created_at,
        Annotation.modified_at,
        AnnotationCode.code_id,
    )
    .join(Coder, Coder.id == Annotation.coder_id)
    .outerjoin(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
    .where(Annotation.document_id == bindparam("document_id"), Annotation.deleted_at.is_(None))
    .order_by(
        Annotation.start,
        Annotation.end,
        Annotation.id,
        AnnotationCode.created_at,
        AnnotationCode.code_id,
    )
)


_SOME_ANNOTATIONS_OF = _ANNOTATIONS_OF.where(Annotation.id.in_(bindparam("ids", expanding=True)))


def annotations_of(
    session: Session, document_id: int, only: Collection[int] | None = None
) -> list[AnnotationRecord]:
    """Live annotations of a document with their codes (in tagging order), in one query: a row
    per (annotation, code), folded here (read after every click: a round trip saved).
    ``only``: just those of these ids that are live there (what an edit changed)."""
    if only is None:
        rows = session.execute(_ANNOTATIONS_OF, {"document_id": document_id})
    else:
        parameters = {"document_id": document_id, "ids": list(only)}
        rows = session.execute(_SOME_ANNOTATIONS_OF, parameters)
    annotations: list[tuple[Row, list[int]]] = []  # in order, each with its codes
    for r in rows:
        if not annotations or annotations[-1][0].id != r.id:
            annotations.append((r, []))
        if r.code_id is not None:
            annotations[-1][1].append(r.code_id)
    return [
        AnnotationRecord(
            id=r.id,
            uuid=r.uuid,
            document_id=r.document_id,
            coder_id=r.coder_id,
            coder_name=r.name,
            start=r.start,
            end=r.end,
            quote=r.quote,
            memo=r.memo,
            code_ids=tuple(codes),
            created_at=r.created_at,
            modified_at=r.modified_at,
        )
        for r, codes in annotations
    ]
