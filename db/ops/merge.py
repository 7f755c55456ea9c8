"""Merge one project into another by UUID: coders' offline copies into the master, or a master
into a new coder copy.

Rows are matched by UUID, then by a natural key (coder name, code path, document text hash,
actor name, issue path); unmatched rows are added with their UUIDs, so merging twice adds nothing.
A row both sides have but with different content is never overwritten: it is listed as a
conflict in the report. New rows join one history entry, so a merge is undoable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.changes import Changes
from db.models import (
    Actor,
    Annotation,
    AnnotationCode,
    Code,
    Coder,
    Decision,
    Document,
    Issue,
    Statement,
)
from db.ops.history import Recorder


@dataclass
class MergeReport:
    added: dict[str, int] = field(default_factory=dict)  # table -> rows added
    conflicts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        added = ", ".join(f"{n} {table}(s)" for table, n in self.added.items() if n) or "nothing"
        conflicts = (
            f"; {len(self.conflicts)} conflict(s) kept as they were" if self.conflicts else ""
        )
        return f"Added {added}{conflicts}."

    def details(self) -> str:
        return "\n".join(self.conflicts)


# What identifies a row besides its UUID, what is copied, and what a conflict compares.
COPIED = {
    Coder: ("name", "color", "role", "created_at"),
    Code: (
        "name",
        "parent_id",
        "color",
        "description",
        "archived",
        "position",
        "created_at",
        "deleted_at",
    ),
    Document: (
        "title",
        "outlet",
        "author",
        "published",
        "url",
        "language",
        "source_name",
        "extra",
        "memo",
        "text",
        "sha256",
        "imported_at",
        "deleted_at",
    ),
    Actor: ("name", "kind", "parent_id", "color", "aliases", "notes", "created_at", "deleted_at"),
    Issue: ("name", "parent_id", "description", "position", "created_at", "deleted_at"),
    Annotation: (
        "document_id",
        "coder_id",
        "start",
        "end",
        "quote",
        "prefix",
        "suffix",
        "memo",
        "created_at",
        "modified_at",
        "deleted_at",
    ),
    Statement: (
        "annotation_id",
        "actor_id",
        "issue_id",
        "stance",
        "source",
        "certainty",
        "created_at",
        "modified_at",
        "deleted_at",
    ),
    Decision: (
        "document_id",
        "code_id",
        "start",
        "end",
        "choice",
        "coder_id",
        "created_at",
        "deleted_at",
    ),
}
COMPARED = {
    Coder: (),
    Code: ("name", "parent_id", "color", "description", "archived", "deleted_at"),
    Document: ("title", "outlet", "author", "published", "url", "memo", "deleted_at"),
    Actor: ("name", "kind", "parent_id", "aliases", "notes", "deleted_at"),
    Issue: ("name", "parent_id", "description", "deleted_at"),
    Annotation: ("start", "end", "memo", "deleted_at"),
    Statement: ("actor_id", "issue_id", "stance", "source", "certainty", "deleted_at"),
    Decision: ("code_id", "start", "end", "choice", "deleted_at"),
}
FOREIGN = {  # column -> model whose id map translates it
    "parent_id": None,  # the same model
    "document_id": Document,
    "coder_id": Coder,
    "annotation_id": Annotation,
    "actor_id": Actor,
    "issue_id": Issue,
    "code_id": Code,
}
HISTORY_KIND = {
    Code: "code",
    Document: "document",
    Actor: "actor",
    Issue: "issue",
    Annotation: "annotation",
    Statement: "statement",
    Decision: "decision",
}


class _Merger:
    def __init__(self, target: Session, source: Session, recorder: Recorder) -> None:
        self.target, self.source, self.recorder = target, source, recorder
        self.ids: dict[type, dict[int, int]] = {}
        self.report = MergeReport()

    def run(self) -> MergeReport:
        for model in (Coder, Code, Document, Actor, Issue, Annotation, Statement, Decision):
            self.merge(model)
        self.merge_tags()
        return self.report

    def _natural(self, session: Session, model, row):
        """A key that names the same thing in both databases when UUIDs differ."""
        if model is Coder:
            return ("name", row.name)
        if model is Document:
            return ("sha", row.sha256)
        if model in (Code, Actor, Issue) and row.deleted_at is None:
            return (
                "name",
                row.name.casefold(),
                getattr(row, "parent_id", None) if model is not Actor else None,
            )
        return None

    def merge(self, model) -> None:
        mapping = self.ids.setdefault(model, {})
        target_by_uuid = {r.uuid: r for r in self.target.scalars(select(model))}
        target_by_key = {}
        for row in target_by_uuid.values():
            key = self._natural(self.target, model, row)
            if key is not None:
                target_by_key.setdefault(key, row)
        added = []
        rows = self.source.scalars(select(model).order_by(model.id)).all()
        for row in rows:  # parents come before children: ids grow with creation
            match = target_by_uuid.get(row.uuid)
            if match is None:
                key = self._natural(self.source, model, row)
                if key is not None and key[-1:] != (None,) and model in (Code, Issue):
                    key = (*key[:-1], mapping.get(key[-1]))
                match = target_by_key.get(key) if key is not None else None
            if match is not None:
                mapping[row.id] = match.id
                self._compare(model, row, match)
                continue
            values = {f: self._translate(model, f, getattr(row, f)) for f in COPIED[model]}
            if model is Code:
                values["shortcut"] = self._free_shortcut(row.shortcut)
            new = model(uuid=row.uuid, **values)
            self.target.add(new)
            self.target.flush()
            mapping[row.id] = new.id
            added.append(new.id)
        if model in HISTORY_KIND:
            self.recorder.created(HISTORY_KIND[model], added)
        self.report.added[model.__tablename__] = len(added)

    def _translate(self, model, column: str, value):
        if value is None or column not in FOREIGN:
            return value
        other = FOREIGN[column] or model
        return self.ids[other][value]

    def _compare(self, model, theirs, ours) -> None:
        differs = [
            f
            for f in COMPARED[model]
            if self._translate(model, f, getattr(theirs, f)) != getattr(ours, f)
        ]
        if differs:
            label = getattr(ours, "name", None) or getattr(ours, "title", None) or ours.uuid
            if model in (Annotation, Statement, Decision):
                label = f"{model.__tablename__} {ours.uuid[:8]}"
            self.report.conflicts.append(
                f"{model.__tablename__} “{label}”: {', '.join(differs)} differ; kept this project's"
            )

    def _free_shortcut(self, key: int | None) -> int | None:
        if key is None:
            return None
        taken = self.target.scalar(
            select(func.count()).where(Code.shortcut == key, Code.deleted_at.is_(None))
        )
        return None if taken else key

    def merge_tags(self) -> None:
        """Tags are added, never removed; an existing highlight that gains one is recorded."""
        annotations, codes = self.ids[Annotation], self.ids[Code]
        created = set(self.recorder.before)
        present = {
            (a, c)
            for a, c in self.target.execute(
                select(AnnotationCode.annotation_id, AnnotationCode.code_id)
            )
        }
        added = 0
        for annotation_id, code_id in self.source.execute(
            select(AnnotationCode.annotation_id, AnnotationCode.code_id)
        ):
            pair = (annotations[annotation_id], codes[code_id])
            if pair not in present:
                if f"annotation:{pair[0]}" not in created:
                    self.recorder.touch("annotation", [pair[0]])
                self.target.add(AnnotationCode(annotation_id=pair[0], code_id=pair[1]))
                present.add(pair)
                added += 1
        self.report.added["tag"] = added


def merge(
    target: Session, source: Session, coder_id: int | None, label: str
) -> tuple[MergeReport, Changes]:
    """Bring ``source``'s rows into ``target`` (one transaction on the caller's side)."""
    recorder = Recorder(target, coder_id, "merge", f"Merge {label}")
    report = _Merger(target, source, recorder).run()
    target.flush()
    return report, recorder.finish() | Changes(documents=True, codebook=True, positions=True)
