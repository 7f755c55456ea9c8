"""The codebook: create, rename, recolour, describe, nest, reorder, archive, merge, delete.

Every edit is one history entry (undoable across restarts). Deletes are soft; a deleted code's
tags are removed and recorded with their annotations, so undo puts them back.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import Conflict, InvalidInput, NotFound
from db.models import Annotation, AnnotationCode, Code, utcnow
from db.ops.history import Recorder

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
PALETTE = (
    "#f2c94c",
    "#6fcf97",
    "#56ccf2",
    "#eb5757",
    "#bb6bd9",
    "#f2994a",
    "#2d9cdb",
    "#27ae60",
    "#9b51e0",
    "#e0a458",
)
"""Light, distinct colours that keep black text readable when highlighted."""

LIVE = Code.deleted_at.is_(None)


def create_code(
    session: Session,
    name: str,
    color: str | None = None,
    parent_id: int | None = None,
    description: str = "",
    *,
    coder_id: int | None = None,
    recorder: Recorder | None = None,
) -> tuple[int, Changes]:
    """A new code; it gets the next free shortcut key 1–9 and a palette colour if none is given.

    With ``recorder``, the code joins that edit's history entry (and Changes come from it).
    """
    if parent_id is not None:
        _code(session, parent_id)
    name = _valid_name(session, name, parent_id)
    count = session.scalar(select(func.count()).select_from(Code).where(LIVE)) or 0
    used = set(session.scalars(select(Code.shortcut).where(LIVE, Code.shortcut.is_not(None))))
    siblings = session.scalar(select(func.max(Code.position)).where(LIVE, _parent_is(parent_id)))
    code = Code(
        name=name,
        color=_valid_color(color or PALETTE[count % len(PALETTE)]),
        parent_id=parent_id,
        description=description,
        shortcut=next((k for k in range(1, 10) if k not in used), None),
        position=(siblings if siblings is not None else -1) + 1,
    )
    session.add(code)
    session.flush()
    own = recorder is None
    recorder = recorder or Recorder(session, coder_id, "create_code", f"Create code {name}")
    recorder.created("code", [code.id])
    return code.id, recorder.finish() if own else Changes()


def rename_code(
    session: Session,
    code_id: int,
    name: str,
    *,
    coder_id: int | None = None,
    expected_version: int | None = None,
) -> Changes:
    code = _code(session, code_id, expected_version)
    new = _valid_name(session, name, code.parent_id, exclude=code_id)
    recorder = _recorder(
        session, coder_id, "rename_code", f"Rename code {code.name} → {new}", [code_id]
    )
    code.name = new
    return recorder.finish()


def recolor_code(
    session: Session,
    code_id: int,
    color: str,
    *,
    coder_id: int | None = None,
    expected_version: int | None = None,
) -> Changes:
    code = _code(session, code_id, expected_version)
    recorder = _recorder(session, coder_id, "recolor_code", f"Recolour code {code.name}", [code_id])
    code.color = _valid_color(color)
    return recorder.finish()


def describe_code(
    session: Session,
    code_id: int,
    description: str,
    *,
    coder_id: int | None = None,
    expected_version: int | None = None,
) -> Changes:
    code = _code(session, code_id, expected_version)
    summary = f"Describe code {code.name}"
    recorder = _recorder(session, coder_id, "describe_code", summary, [code_id])
    code.description = description.strip()
    return recorder.finish()


def set_shortcut(
    session: Session, code_id: int, key: int | None, *, coder_id: int | None = None
) -> Changes:
    """Give a code the key 1–9 (taking it from another code) or none."""
    if key is not None and not 1 <= key <= 9:
        raise InvalidInput("Shortcut keys are 1 to 9.")
    code = _code(session, code_id)
    holders = (
        []
        if key is None
        else list(
            session.scalars(select(Code.id).where(LIVE, Code.shortcut == key, Code.id != code_id))
        )
    )
    summary = f"Key {key} for {code.name}" if key else f"No key for {code.name}"
    recorder = _recorder(session, coder_id, "set_shortcut", summary, [code_id, *holders])
    if holders:
        session.execute(update(Code).where(Code.id.in_(holders)).values(shortcut=None))
        session.flush()
    code.shortcut = key
    return recorder.finish()


def set_archived(
    session: Session, code_id: int, archived: bool, *, coder_id: int | None = None
) -> Changes:
    """Archived codes leave the codebook's working list; their tags and exports stay."""
    code = _code(session, code_id)
    verb = "Archive" if archived else "Restore"
    recorder = _recorder(session, coder_id, "archive_code", f"{verb} code {code.name}", [code_id])
    code.archived = archived
    if archived:
        code.shortcut = None
    return recorder.finish()


def move_code(
    session: Session,
    code_id: int,
    parent_id: int | None,
    position: int | None = None,
    *,
    coder_id: int | None = None,
) -> Changes:
    """Nest a code under ``parent_id`` (None: top level) at ``position`` among its siblings."""
    code = _code(session, code_id)
    if parent_id is not None:
        _code(session, parent_id)
        if code_id in _ancestors_and_self(session, parent_id):
            raise InvalidInput("A code cannot be moved inside itself.")
    _valid_name(session, code.name, parent_id, exclude=code_id)
    siblings = list(
        session.scalars(
            select(Code.id)
            .where(LIVE, _parent_is(parent_id), Code.id != code_id)
            .order_by(Code.position, Code.id)
        )
    )
    position = len(siblings) if position is None else max(0, min(position, len(siblings)))
    order = [*siblings[:position], code_id, *siblings[position:]]
    recorder = _recorder(session, coder_id, "move_code", f"Move code {code.name}", order)
    code.parent_id = parent_id
    for index, sibling in enumerate(order):
        session.execute(update(Code).where(Code.id == sibling).values(position=index))
    return recorder.finish()


def merge_codes(
    session: Session, source_id: int, target_id: int, *, coder_id: int | None = None
) -> Changes:
    """Move every tag and sub-code of ``source`` to ``target``, then delete ``source``."""
    if source_id == target_id:
        raise InvalidInput("Choose two different codes to merge.")
    source, target = _code(session, source_id), _code(session, target_id)
    if source_id in _ancestors_and_self(session, target_id):
        raise InvalidInput("A code cannot be merged into one of its own sub-codes.")
    tagged = _annotations_tagged(session, [source_id])
    children = list(session.scalars(select(Code.id).where(LIVE, Code.parent_id == source_id)))
    summary = f"Merge code {source.name} into {target.name}"
    recorder = _recorder(session, coder_id, "merge_codes", summary, [source_id, *children])
    recorder.touch("annotation", tagged)
    both = set(
        session.scalars(
            select(AnnotationCode.annotation_id).where(
                AnnotationCode.code_id == target_id, AnnotationCode.annotation_id.in_(tagged)
            )
        )
    )
    session.execute(
        delete(AnnotationCode).where(
            AnnotationCode.code_id == source_id, AnnotationCode.annotation_id.in_(both)
        )
    )
    session.execute(
        update(AnnotationCode).where(AnnotationCode.code_id == source_id).values(code_id=target_id)
    )
    session.execute(update(Code).where(Code.id.in_(children)).values(parent_id=target_id))
    source.deleted_at, source.shortcut = utcnow(), None
    return recorder.finish()


def delete_code(session: Session, code_id: int, *, coder_id: int | None = None) -> Changes:
    """Delete a code and its sub-codes; their tags go, highlights keep their other codes."""
    code = _code(session, code_id)
    subtree = _descendants_and_self(session, code_id)
    tagged = _annotations_tagged(session, subtree)
    recorder = _recorder(session, coder_id, "delete_code", f"Delete code {code.name}", subtree)
    recorder.touch("annotation", tagged)
    session.execute(delete(AnnotationCode).where(AnnotationCode.code_id.in_(subtree)))
    now = utcnow()
    session.execute(update(Code).where(Code.id.in_(subtree)).values(deleted_at=now, shortcut=None))
    return recorder.finish()


def usage(session: Session, code_id: int) -> int:
    """Live annotations carrying this code or a sub-code (all lose a tag if it is deleted)."""
    return len(_annotations_tagged(session, _descendants_and_self(session, code_id)))


def _recorder(session, coder_id, action: str, summary: str, code_ids) -> Recorder:
    recorder = Recorder(session, coder_id, action, summary)
    recorder.touch("code", code_ids)
    return recorder


def _annotations_tagged(session: Session, code_ids: list[int]) -> list[int]:
    return list(
        session.scalars(
            select(AnnotationCode.annotation_id)
            .join(Annotation, Annotation.id == AnnotationCode.annotation_id)
            .where(AnnotationCode.code_id.in_(code_ids), Annotation.deleted_at.is_(None))
            .distinct()
        )
    )


def _parents(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(Code.id, Code.parent_id).where(LIVE)).all())


def _ancestors_and_self(session: Session, code_id: int) -> list[int]:
    parents, chain, current = _parents(session), [], code_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def _descendants_and_self(session: Session, code_id: int) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for child, parent in _parents(session).items():
        children.setdefault(parent, []).append(child)
    found, todo = [], [code_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.append(current)
            todo.extend(children.get(current, []))
    return found


def _parent_is(parent_id: int | None):
    return Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id


def _code(session: Session, code_id: int, expected_version: int | None = None) -> Code:
    code = session.get(Code, code_id)
    if code is None or code.deleted_at is not None:
        raise NotFound("That code no longer exists.")
    if expected_version is not None and code.version != expected_version:
        raise Conflict(
            f"Someone changed the code meanwhile (it is now “{code.name}”, {code.color}); "
            "their change was kept. Look again and redo yours if it still applies."
        )
    return code


def _valid_name(
    session: Session, name: str, parent_id: int | None, exclude: int | None = None
) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("A code needs a name.")
    if "/" in name:
        raise InvalidInput("A code name cannot contain “/” (it separates levels in code paths).")
    clash = select(Code.id).where(
        LIVE, func.lower(Code.name) == name.lower(), _parent_is(parent_id)
    )
    if exclude is not None:
        clash = clash.where(Code.id != exclude)
    if session.scalar(clash) is not None:
        raise InvalidInput(f"There is already a code named “{name}” here.")
    return name


def _valid_color(color: str) -> str:
    if not _COLOR.match(color):
        raise InvalidInput(f"“{color}” is not a colour like #a1b2c3.")
    return color.lower()
