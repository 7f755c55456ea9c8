"""Annotations of a document, with their codes, in two queries whatever their number."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Annotation, AnnotationCode, Coder
from db.records import AnnotationRecord


def annotations_of(session: Session, document_id: int) -> list[AnnotationRecord]:
    tags: dict[int, list[int]] = defaultdict(list)
    for annotation_id, code_id in session.execute(
        select(AnnotationCode.annotation_id, AnnotationCode.code_id)
        .join(Annotation, Annotation.id == AnnotationCode.annotation_id)
        .where(Annotation.document_id == document_id, Annotation.deleted_at.is_(None))
        .order_by(AnnotationCode.created_at)
    ):
        tags[annotation_id].append(code_id)
    rows = session.execute(
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
        )
        .join(Coder, Coder.id == Annotation.coder_id)
        .where(Annotation.document_id == document_id, Annotation.deleted_at.is_(None))
        .order_by(Annotation.start, Annotation.end, Annotation.id)
    )
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
            code_ids=tuple(tags.get(r.id, ())),
            created_at=r.created_at,
            modified_at=r.modified_at,
        )
        for r in rows
    ]
