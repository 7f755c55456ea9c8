"""Edit a document's metadata (its text is frozen: offsets depend on it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import InvalidInput, NotFound
from db.models import Document
from db.records import DocumentMetadata


def update_metadata(session: Session, document_id: int, meta: DocumentMetadata) -> Changes:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"Document {document_id} no longer exists.")
    title = meta.title.strip()
    if not title:
        raise InvalidInput("A document needs a title.")
    doc.title = title
    doc.outlet = _blank_to_none(meta.outlet)
    doc.author = _blank_to_none(meta.author)
    doc.url = _blank_to_none(meta.url)
    doc.published = meta.published
    return Changes(documents=True)


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
