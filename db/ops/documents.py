"""Edit a document's metadata and memo, delete documents, and keep each coder's status.

The text is frozen (offsets depend on it); metadata edits, memos and deletes are history
entries. Status and reading position are a coder's bookkeeping, not edits, so they are not.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import Conflict, InvalidInput, NotFound
from db.logic.metadata import shorten
from db.models import Document, DocumentStatus, utcnow
from db.ops.history import Recorder
from db.records import DocumentMetadata

STATUSES = ("not started", "in progress", "done")


def update_metadata(
    session: Session,
    document_id: int,
    meta: DocumentMetadata,
    *,
    coder_id: int | None = None,
    expected_version: int | None = None,
) -> Changes:
    doc = _document(session, document_id, expected_version)
    title = meta.title.strip()
    if not title:
        raise InvalidInput("A document needs a title.")
    recorder = Recorder(session, coder_id, "metadata", f"Edit metadata of “{shorten(title, 40)}”")
    recorder.touch("document", [document_id])
    doc.title = title
    doc.outlet = _blank_to_none(meta.outlet)
    doc.author = _blank_to_none(meta.author)
    doc.url = _blank_to_none(meta.url)
    doc.published = meta.published
    return recorder.finish()


def set_document_memo(
    session: Session,
    document_id: int,
    memo: str,
    *,
    coder_id: int | None = None,
    expected_version: int | None = None,
) -> Changes:
    doc = _document(session, document_id, expected_version)
    if doc.memo == memo:
        return Changes()
    recorder = Recorder(session, coder_id, "document_memo", f"Memo on “{shorten(doc.title, 40)}”")
    recorder.touch("document", [document_id])
    doc.memo = memo
    return recorder.finish()


def delete_documents(
    session: Session, document_ids: Iterable[int], *, coder_id: int | None = None
) -> Changes:
    ids = list(dict.fromkeys(document_ids))
    if not ids:
        return Changes()
    recorder = Recorder(session, coder_id, "delete_documents", f"Delete {len(ids)} article(s)")
    recorder.touch("document", ids)
    session.execute(
        update(Document)
        .where(Document.id.in_(ids), Document.deleted_at.is_(None))
        .values(deleted_at=utcnow())
    )
    return recorder.finish()


def set_status(
    session: Session,
    document_id: int,
    coder_id: int,
    status: str | None = None,
    position: int | None = None,
) -> Changes:
    """Set a coder's status on a document and/or where they stopped reading."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"Status must be one of: {', '.join(STATUSES)}.")
    row = session.get(DocumentStatus, (document_id, coder_id))
    if row is None:
        _document(session, document_id)
        row = DocumentStatus(document_id=document_id, coder_id=coder_id, position=0)
        row.status = "not started"
        session.add(row)
    if status is not None:
        row.status = status
    if position is not None:
        row.position = max(0, position)
    row.modified_at = utcnow()
    return Changes(documents=status is not None)


def reading_position(session: Session, document_id: int, coder_id: int) -> int:
    return (
        session.scalar(
            select(DocumentStatus.position).where(
                DocumentStatus.document_id == document_id, DocumentStatus.coder_id == coder_id
            )
        )
        or 0
    )


def _document(session: Session, document_id: int, expected_version: int | None = None) -> Document:
    doc = session.get(Document, document_id)
    if doc is None or doc.deleted_at is not None:
        raise NotFound(f"Document {document_id} no longer exists.")
    if expected_version is not None and doc.version != expected_version:
        raise Conflict(
            "Someone changed this article's memo or metadata meanwhile; their version was kept "
            f"(title “{shorten(doc.title, 60)}”, memo “{shorten(doc.memo, 60)}”). "
            "Reload the article and redo your change if it still applies."
        )
    return doc


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
