"""The document list and a single document."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.errors import NotFound
from db.models import Annotation, Document
from db.records import DocumentMetadata, DocumentRecord, DocumentRow


def list_documents(session: Session, ids: Iterable[int] | None = None) -> list[DocumentRow]:
    """Every document (or those with these ids) with its annotation count, in one query."""
    counts = select(Annotation.document_id, func.count().label("n"))
    if ids is not None:
        ids = list(ids)
        counts = counts.where(Annotation.document_id.in_(ids))
    counts = counts.group_by(Annotation.document_id).subquery()
    query = (
        select(
            Document.id,
            Document.title,
            Document.outlet,
            Document.published,
            func.coalesce(counts.c.n, 0),
        )
        .outerjoin(counts, counts.c.document_id == Document.id)
        .order_by(Document.id)
    )
    if ids is not None:
        query = query.where(Document.id.in_(ids))
    return [DocumentRow(*row) for row in session.execute(query)]


def get_document(session: Session, document_id: int) -> DocumentRecord:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"Document {document_id} no longer exists.")
    return DocumentRecord(
        id=doc.id,
        uuid=doc.uuid,
        metadata=DocumentMetadata(doc.title, doc.outlet, doc.author, doc.published, doc.url),
        text=doc.text,
        source_name=doc.source_name,
        extra=dict(doc.extra or {}),
    )
