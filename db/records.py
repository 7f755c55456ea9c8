"""Plain, immutable records that queries return: safe to hand to the GUI thread or another one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One line of the document list."""

    id: int
    title: str
    outlet: str | None
    published: date | None
    n_annotations: int
    n_mine: int = 0
    status: str = "not started"
    has_memo: bool = False


@dataclass(frozen=True, slots=True)
class DocumentMetadata:
    title: str
    outlet: str | None = None
    author: str | None = None
    published: date | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    id: int
    uuid: str
    metadata: DocumentMetadata
    text: str
    source_name: str | None
    memo: str = ""
    version: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.metadata.title


@dataclass(frozen=True, slots=True)
class CodeRecord:
    id: int
    uuid: str
    name: str
    parent_id: int | None
    path: str
    color: str
    description: str
    shortcut: int | None
    n_annotations: int
    n_mine: int = 0
    archived: bool = False
    position: int = 0
    version: int = 1


@dataclass(frozen=True, slots=True)
class CoderRecord:
    id: int
    uuid: str
    name: str
    color: str
    role: str = "coder"
    n_annotations: int = 0


@dataclass(frozen=True, slots=True)
class AnnotationRecord:
    id: int
    uuid: str
    document_id: int
    coder_id: int
    coder_name: str
    start: int
    end: int
    quote: str
    memo: str
    code_ids: tuple[int, ...]
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What a batch import did, file by file, in words the user can act on."""

    imported: list[tuple[str, str]] = field(default_factory=list)  # (file name, title)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file name, existing title)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)

    def summary(self) -> str:
        parts = [f"{len(self.imported)} imported"]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} duplicate(s) skipped")
        if self.rejected:
            parts.append(f"{len(self.rejected)} rejected")
        return ", ".join(parts)

    def details(self) -> str:
        lines = [f"{name}: duplicate of “{title}”" for name, title in self.duplicates]
        lines += [f"{name}: {reason}" for name, reason in self.rejected]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ActorRecord:
    id: int
    name: str
    kind: str
    parent_id: int | None
    parent_name: str | None
    color: str
    aliases: tuple[str, ...]
    notes: str
    n_statements: int = 0


@dataclass(frozen=True, slots=True)
class IssueRecord:
    id: int
    name: str
    parent_id: int | None
    path: str
    description: str
    n_statements: int = 0


@dataclass(frozen=True, slots=True)
class StatementRecord:
    """One coded position with everything a table, an export or a summary shows of it."""

    id: int
    uuid: str
    annotation_id: int
    document_id: int
    title: str
    outlet: str | None
    published: date | None
    start: int
    end: int
    quote: str
    coder: str
    actor_id: int
    actor: str
    actor_kind: str
    actor_parent: str | None
    issue_id: int
    issue: str  # full path
    stance: int
    stance_label: str
    source: str
    certainty: float | None
    created_at: datetime
    modified_at: datetime
