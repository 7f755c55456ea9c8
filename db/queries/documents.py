"""The document list (with counts and this coder's status) and a single document."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.errors import NotFound
from db.models import Annotation, AnnotationCode, AnnotationTally, Document, DocumentStatus
from db.records import DocumentMetadata, DocumentRecord, DocumentRow


def list_documents(
    session: Session, coder_id: int | None = None, ids: Iterable[int] | None = None
) -> list[DocumentRow]:
    """Every live document (or those with these ids) with counts, from the trigger-kept tally."""
    mine = func.sum(case((AnnotationTally.coder_id == coder_id, AnnotationTally.n), else_=0))
    counts = select(
        AnnotationTally.document_id, func.sum(AnnotationTally.n).label("n"), mine.label("mine")
    )
    if ids is not None:
        ids = list(ids)
        counts = counts.where(AnnotationTally.document_id.in_(ids))
    counts = counts.group_by(AnnotationTally.document_id).subquery()
    status = select(DocumentStatus.document_id, DocumentStatus.status).where(
        DocumentStatus.coder_id == coder_id
    )
    if ids is not None:
        status = status.where(DocumentStatus.document_id.in_(ids))
    status = status.subquery()
    query = (
        select(
            Document.id,
            Document.title,
            Document.outlet,
            Document.published,
            func.coalesce(counts.c.n, 0),
            func.coalesce(counts.c.mine, 0),
            func.coalesce(status.c.status, "not started"),
            Document.memo != "",
        )
        .outerjoin(counts, counts.c.document_id == Document.id)
        .outerjoin(status, status.c.document_id == Document.id)
        .where(Document.deleted_at.is_(None))
        .order_by(Document.id)
    )
    if ids is not None:
        query = query.where(Document.id.in_(ids))
    return [DocumentRow(*row) for row in session.execute(query)]


def get_document(session: Session, document_id: int) -> DocumentRecord:
    doc = session.get(Document, document_id)
    if doc is None or doc.deleted_at is not None:
        raise NotFound(f"Document {document_id} no longer exists.")
    return DocumentRecord(
        id=doc.id,
        uuid=doc.uuid,
        metadata=DocumentMetadata(doc.title, doc.outlet, doc.author, doc.published, doc.url),
        text=doc.text,
        source_name=doc.source_name,
        memo=doc.memo,
        version=doc.version,
        extra=dict(doc.extra or {}),
    )


def documents_with_code(session: Session, code_id: int) -> set[int]:
    """Ids of live documents with at least one live annotation carrying this code."""
    return set(
        session.scalars(
            select(Annotation.document_id)
            .join(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
            .where(AnnotationCode.code_id == code_id, Annotation.deleted_at.is_(None))
            .distinct()
        )
    )


def outlets(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Document.outlet)
            .where(Document.deleted_at.is_(None), Document.outlet.is_not(None))
            .distinct()
            .order_by(Document.outlet)
        )
    )
