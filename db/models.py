"""The annotation database's tables, as typed SQLAlchemy 2 models.

Every row that may travel between databases (a coder's offline copy, a server) carries a UUID so
merging is idempotent. Offsets are code points into ``Document.text``. Timestamps are UTC.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UuidMixin:
    uuid: Mapped[str] = mapped_column(
        String(36), unique=True, default=new_uuid, insert_sentinel=True
    )
    """Also the sentinel that lets bulk INSERT … RETURNING keep row order in one statement."""


class SoftDeleteMixin:
    """Deleted rows stay (undo, audit, merge); every query filters ``deleted_at IS NULL``."""

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Coder(UuidMixin, Base):
    __tablename__ = "coder"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    color: Mapped[str] = mapped_column(String(9), default="#4e79a7")
    role: Mapped[str] = mapped_column(String(10), default="coder")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Document(UuidMixin, SoftDeleteMixin, Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    outlet: Mapped[str | None] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(300))
    published: Mapped[date | None]
    url: Mapped[str | None] = mapped_column(String(2000))
    language: Mapped[str | None] = mapped_column(String(20))
    source_name: Mapped[str | None] = mapped_column(String(500))
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    memo: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    """Bumped on every change: an edit made on an older version is a conflict, not a win."""
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class DocumentFts(Base):
    """PostgreSQL only: each article's search vector, written by a trigger (migration 0007) or,
    for imports, through ``marginalia_add_vectors`` (0009; db/ops/bulk_documents.py).

    SQLite files have no such table (FTS5 indexes them); like FTS5's tables its name starts
    with ``document_fts``, which the SQLite schema-drift check leaves out. Never written through
    this model; read only by db/queries/search.py.
    """

    __tablename__ = "document_fts_pg"
    __table_args__ = (Index("ix_document_fts_pg_vector", "vector", postgresql_using="gin"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    vector: Mapped[str] = mapped_column(TSVECTOR)


class Code(UuidMixin, SoftDeleteMixin, Base):
    __tablename__ = "code"
    __table_args__ = (
        CheckConstraint("shortcut BETWEEN 1 AND 9", name="shortcut_digit"),
        Index(
            "uq_code_shortcut",
            "shortcut",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"))
    color: Mapped[str] = mapped_column(String(9), default="#f2c94c")
    description: Mapped[str] = mapped_column(Text, default="")
    shortcut: Mapped[int | None] = mapped_column(Integer)
    archived: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Annotation(UuidMixin, SoftDeleteMixin, Base):
    __tablename__ = "annotation"
    __table_args__ = (
        CheckConstraint('start >= 0 AND start < "end"', name="span_order"),
        Index("ix_annotation_document_start", "document_id", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coder.id"), index=True)
    start: Mapped[int]
    end: Mapped[int]
    quote: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(Text, default="")
    suffix: Mapped[str] = mapped_column(Text, default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tags: Mapped[list[AnnotationCode]] = relationship(
        back_populates="annotation", cascade="all, delete-orphan", passive_deletes=True
    )


class AnnotationCode(Base):
    """A code attached to an annotation (the association object, so a tag has its own time)."""

    __tablename__ = "annotation_code"
    annotation_id: Mapped[int] = mapped_column(
        ForeignKey("annotation.id", ondelete="CASCADE"), primary_key=True
    )
    code_id: Mapped[int] = mapped_column(
        ForeignKey("code.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    annotation: Mapped[Annotation] = relationship(back_populates="tags")


class AnnotationTally(Base):
    """Live annotations per document and coder, kept by database triggers (migration 0008) so
    the article list, the coders and the status bar count 500,000 annotations without
    reading them. Never written by the app."""

    __tablename__ = "annotation_tally"
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    coder_id: Mapped[int] = mapped_column(
        ForeignKey("coder.id", ondelete="CASCADE"), primary_key=True
    )
    n: Mapped[int] = mapped_column(default=0)


class CodeTally(Base):
    """Live annotations carrying each code, per coder: the codebook's counts (trigger-kept)."""

    __tablename__ = "code_tally"
    code_id: Mapped[int] = mapped_column(
        ForeignKey("code.id", ondelete="CASCADE"), primary_key=True
    )
    coder_id: Mapped[int] = mapped_column(
        ForeignKey("coder.id", ondelete="CASCADE"), primary_key=True
    )
    n: Mapped[int] = mapped_column(default=0)


class Event(Base):
    """One entry of the append-only history: who changed what, with the states before and after.

    ``kind`` is "do" for an edit, "undo"/"redo" for reversing or replaying the edit ``target_id``.
    States map "table:id" to the row's tracked fields (None: the row did not exist), so undo
    restores ``before`` and redo restores ``after`` whatever the edit was.
    """

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_coder_id_id", "coder_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(8), default="do")
    action: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="")
    target_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DocumentStatus(Base):
    """A coder's own progress on a document, and where they stopped reading."""

    __tablename__ = "document_status"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    coder_id: Mapped[int] = mapped_column(ForeignKey("coder.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="not started")
    position: Mapped[int] = mapped_column(default=0)
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Actor(UuidMixin, SoftDeleteMixin, Base):
    """Who takes a position: a person, organisation, state or group, with aliases."""

    __tablename__ = "actor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="person")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    color: Mapped[str] = mapped_column(String(9), default="#4e79a7")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Issue(UuidMixin, SoftDeleteMixin, Base):
    """What a position is about; issues form a tree."""

    __tablename__ = "issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("issue.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Statement(UuidMixin, SoftDeleteMixin, Base):
    """A coded position on an annotation: actor — stance — issue (DNA's statement)."""

    __tablename__ = "statement"
    __table_args__ = (Index("ix_statement_actor_issue", "actor_id", "issue_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotation.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id"))
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id"))
    stance: Mapped[int]
    source: Mapped[str] = mapped_column(Text, default="")
    certainty: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Setting(Base):
    """Project-wide settings shared by the team (e.g. the stance scale), as JSON values."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Decision(UuidMixin, SoftDeleteMixin, Base):
    """An adjudicator's ruling on a passage where coders disagreed.

    Gold's highlights hold the result; the ruling itself records that the passage is settled
    even when the result is nothing to code, and who settled it how.
    """

    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_document_start", "document_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("code.id"))
    """The code layer settled; None for highlights without a code."""
    start: Mapped[int]
    end: Mapped[int]
    choice: Mapped[str] = mapped_column(String(200))
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
