"""The append-only event log: record every edit's before/after states; undo and redo them.

An edit touches rows; the Recorder captures their tracked fields before and after, and writes
one Event. Undo restores ``before``, redo restores ``after``, each as a new Event, so the log
is never rewritten and a coder's undo stack can be rebuilt after a restart from the log alone.
A row that did not exist is stored as None and restored as soft-deleted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, cast, delete, func, insert, select, update
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import NotFound
from db.logic.chunks import chunks
from db.models import (
    Actor,
    Annotation,
    AnnotationCode,
    Code,
    Decision,
    Document,
    Event,
    Issue,
    Statement,
    utcnow,
)

State = dict[str, Any] | None
TRACKED: dict[str, tuple[type, tuple[str, ...]]] = {
    "annotation": (
        Annotation,
        (
            "document_id",
            "coder_id",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "memo",
            "deleted_at",
        ),
    ),
    "code": (
        Code,
        (
            "name",
            "parent_id",
            "color",
            "description",
            "shortcut",
            "archived",
            "position",
            "deleted_at",
        ),
    ),
    "document": (Document, ("title", "outlet", "author", "published", "url", "memo", "deleted_at")),
    "actor": (Actor, ("name", "kind", "parent_id", "color", "aliases", "notes", "deleted_at")),
    "issue": (Issue, ("name", "parent_id", "description", "position", "deleted_at")),
    "statement": (
        Statement,
        ("annotation_id", "actor_id", "issue_id", "stance", "source", "certainty", "deleted_at"),
    ),
    "decision": (
        Decision,
        ("document_id", "code_id", "start", "end", "choice", "coder_id", "deleted_at"),
    ),
}
RESTORE_ORDER = ("code", "document", "actor", "issue", "annotation", "statement", "decision")
"""Rows others point at come back first (tags need codes, statements need annotations)."""
_DATETIMES = frozenset({"deleted_at"})
_DATES = frozenset({"published"})


def _key(kind: str, row_id: int) -> str:
    return f"{kind}:{row_id}"


def _split(key: str) -> tuple[str, int]:
    kind, row_id = key.split(":")
    return kind, int(row_id)


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _from_json(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in _DATETIMES:
        return datetime.fromisoformat(value)
    if field in _DATES:
        return date.fromisoformat(value)
    return value


def capture(session: Session, kind: str, ids: Iterable[int]) -> dict[str, State]:
    """The tracked fields of these rows, one query a chunk (annotations' codes joined in, in
    tagging order: a click's edit reads its highlight once, not twice)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    model, fields = TRACKED[kind]
    columns = [getattr(model, f) for f in fields]
    states: dict[str, State] = {_key(kind, i): None for i in ids}
    tagged = kind == "annotation"
    query = select(model.id, *columns)
    if tagged:
        query = (
            query.add_columns(AnnotationCode.code_id)
            .outerjoin(AnnotationCode, AnnotationCode.annotation_id == model.id)
            .order_by(model.id, AnnotationCode.created_at, AnnotationCode.code_id)
        )
    for chunk in chunks(ids):
        for row in session.execute(query.where(model.id.in_(chunk))):
            key = _key(kind, row[0])
            state = states[key]
            if state is None:
                state = states[key] = {
                    f: _to_json(v) for f, v in zip(fields, row[1 : len(fields) + 1], strict=True)
                }
                if tagged:
                    state["codes"] = []
            if tagged and row[-1] is not None:
                state["codes"].append(row[-1])
    return states


def restore(session: Session, states: dict[str, State]) -> None:
    """Put rows back into these states; a None state means the row is (soft-)deleted."""
    by_kind: dict[str, dict[int, State]] = defaultdict(dict)
    for key, state in states.items():
        kind, row_id = _split(key)
        by_kind[kind][row_id] = state
    now = utcnow()
    for kind in RESTORE_ORDER:
        rows = by_kind.get(kind)
        if not rows:
            continue
        model, fields = TRACKED[kind]
        objects = {
            o.id: o
            for chunk in chunks(list(rows))
            for o in session.scalars(select(model).where(model.id.in_(chunk)))
        }
        if missing := set(rows) - set(objects):
            raise NotFound(f"Cannot undo: {kind} {min(missing)} is gone from the database.")
        if kind == "code":
            rows = _free_shortcuts(session, rows)
        for row_id, state in rows.items():
            obj = objects[row_id]
            if state is None:
                obj.deleted_at = obj.deleted_at or now
                continue
            for field in fields:
                setattr(obj, field, _from_json(field, state[field]))
        session.flush()
        if kind == "annotation":
            _restore_tags(session, {i: s["codes"] for i, s in rows.items() if s is not None})


def _restore_tags(session: Session, codes: dict[int, list[int]]) -> None:
    if not codes:
        return
    for chunk in chunks(list(codes)):
        session.execute(delete(AnnotationCode).where(AnnotationCode.annotation_id.in_(chunk)))
    rows = [{"annotation_id": a, "code_id": c} for a, cs in codes.items() for c in cs]
    if rows:
        session.execute(insert(AnnotationCode), rows)


def _free_shortcuts(session: Session, rows: dict[int, State]) -> dict[int, State]:
    """Clear the restored codes' keys first (so keys can swap), and drop a key that another
    live code took meanwhile: the unique index on live shortcuts must hold at every step."""
    session.execute(update(Code).where(Code.id.in_(rows)).values(shortcut=None))
    session.flush()
    taken = set(
        session.scalars(
            select(Code.shortcut).where(
                Code.id.not_in(rows), Code.deleted_at.is_(None), Code.shortcut.is_not(None)
            )
        )
    )
    fixed: dict[int, State] = {}
    for row_id, state in rows.items():
        if state is not None and state["shortcut"] in taken and state["deleted_at"] is None:
            state = {**state, "shortcut": None}
        fixed[row_id] = state
    return fixed


def changes_of(
    session: Session, *state_sets: dict[str, State], created: frozenset[str] = frozenset()
) -> Changes:
    """What these before/after states touched. ``created``: keys of rows this very edit made
    (a highlight made now carries no statement unless the edit recorded one too)."""
    documents, codebook, positions, annotations_of = False, False, False, set()
    annotation_ids: set[int] = set()
    existing: set[int] = set()
    for states in state_sets:
        for key, state in states.items():
            kind, row_id = _split(key)
            if kind in ("annotation", "decision") and state is not None:
                annotations_of.add(state["document_id"])
            if kind == "annotation":
                annotation_ids.add(row_id)
                if key not in created:
                    existing.add(row_id)
            codebook |= kind == "code"
            documents |= kind == "document"
            positions |= kind in ("actor", "issue", "statement")
    if not positions and existing:  # a statement's list row shows its passage
        positions = _have_statements(session, existing)
    return Changes(
        documents,
        frozenset(annotations_of),
        frozenset(annotation_ids),  # every highlight whose row this edit wrote
        codebook,
        positions=positions,
        code_counts=bool(annotation_ids),  # code counts follow tags
    )


def tag_deltas(
    before: dict[str, State], after: dict[str, State]
) -> tuple[tuple[int, int, int], ...]:
    """How the codes' usage counts moved from ``before`` to ``after``: (code, coder, change),
    counting each live highlight's tags, as the tallies of migration 0008 do."""
    moved: Counter[tuple[int, int]] = Counter()
    for key in before.keys() | after.keys():
        if _split(key)[0] != "annotation":
            continue
        for state, sign in ((before.get(key), -1), (after.get(key), 1)):
            if state is not None and state["deleted_at"] is None:
                for code_id in state["codes"]:
                    moved[code_id, state["coder_id"]] += sign
    return tuple((code, coder, n) for (code, coder), n in sorted(moved.items()) if n)


def _have_statements(session: Session, annotation_ids: Iterable[int]) -> bool:
    """Whether any of these annotations carries a statement (so the Positions list changed)."""
    return any(
        session.scalar(select(Statement.id).where(Statement.annotation_id.in_(chunk)).limit(1))
        for chunk in chunks(list(annotation_ids))
    )


_NEW_EVENT = insert(Event.__table__).returning(Event.__table__.c.id)


class Recorder:
    """Collects one edit's touched rows; ``finish()`` writes the Event and returns Changes."""

    def __init__(self, session: Session, coder_id: int | None, action: str, summary: str = ""):
        self.session, self.coder_id, self.action, self.summary = session, coder_id, action, summary
        self.before: dict[str, State] = {}

    def touch(self, kind: str, ids: Iterable[int]) -> None:
        """Call before changing existing rows."""
        fresh = [i for i in set(ids) if _key(kind, i) not in self.before]
        self.before.update(capture(self.session, kind, fresh))

    def created(self, kind: str, ids: Iterable[int]) -> None:
        for i in ids:
            self.before.setdefault(_key(kind, i), None)

    def finish(self) -> Changes:
        self.session.flush()
        grouped: dict[str, list[int]] = defaultdict(list)
        for key in self.before:
            kind, row_id = _split(key)
            grouped[kind].append(row_id)
        after: dict[str, State] = {}
        for kind, ids in grouped.items():
            after.update(capture(self.session, kind, ids))
        before = {k: v for k, v in self.before.items() if after.get(k) != v}
        after = {k: v for k, v in after.items() if k in before}
        if not before:
            return Changes()
        event_id = (
            self.session.connection()
            .execute(  # Core: a flush cost ~1 ms a click
                _NEW_EVENT,
                {
                    "coder_id": self.coder_id,
                    "kind": "do",
                    "action": self.action,
                    "summary": self.summary,
                    "before": before,
                    "after": after,
                },
            )
            .scalar_one()
        )
        created = frozenset(k for k, v in before.items() if v is None)
        changes = changes_of(self.session, before, after, created=created)
        if changes.code_counts:  # exact here: both states were read in this transaction
            changes = replace(changes, code_deltas=tag_deltas(before, after))
        return changes.with_event(event_id, self.summary)


def undo(session: Session, coder_id: int | None, event_id: int) -> Changes:
    return _replay(session, coder_id, event_id, "undo")


def redo(session: Session, coder_id: int | None, event_id: int) -> Changes:
    return _replay(session, coder_id, event_id, "redo")


def _replay(session: Session, coder_id: int | None, event_id: int, kind: str) -> Changes:
    event = session.get(Event, event_id)
    if event is None or event.kind != "do":
        raise NotFound(f"There is no edit {event_id} to {kind}.")
    target = event.before if kind == "undo" else event.after
    current = event.after if kind == "undo" else event.before
    restore(session, target)
    session.add(
        Event(
            coder_id=coder_id,
            kind=kind,
            action=event.action,
            summary=event.summary,
            target_id=event.id,
            before=current,
            after=target,
        )
    )
    session.flush()
    return changes_of(session, event.before, event.after)


def weight(session: Session, event_id: int) -> int:
    """How much an undo or redo of this edit restores: the size of its recorded ``before``
    states in characters, at least ~20 per row touched (a GUI runs heavy replays in the
    background). Only the database reads the states: nothing is decoded here."""
    size = session.scalar(select(func.length(cast(Event.before, Text))).where(Event.id == event_id))
    return int(size or 0)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    event_id: int
    summary: str
    created_at: datetime


def stack(session: Session, coder_id: int, limit: int = 500) -> tuple[list[HistoryEntry], int]:
    """This coder's undo stack as the log left it: the entries and how many are applied."""
    entries: list[HistoryEntry] = []
    index = 0
    for event_id, kind, target_id, summary, created_at in session.execute(
        select(Event.id, Event.kind, Event.target_id, Event.summary, Event.created_at)
        .where(Event.coder_id == coder_id)
        .order_by(Event.id)
    ):
        if kind == "do":
            del entries[index:]
            entries.append(HistoryEntry(event_id, summary, created_at))
            index += 1
        elif kind == "undo" and index and entries[index - 1].event_id == target_id:
            index -= 1
        elif kind == "redo" and index < len(entries) and entries[index].event_id == target_id:
            index += 1
    drop = max(0, len(entries) - limit)
    return entries[drop:], index - drop
