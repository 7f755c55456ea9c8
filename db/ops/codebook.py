"""Create, rename, recolour and delete codes."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import InvalidInput, NotFound
from db.models import Annotation, AnnotationCode, Code

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
PALETTE = (
    "#f2c94c", "#6fcf97", "#56ccf2", "#eb5757", "#bb6bd9",
    "#f2994a", "#2d9cdb", "#27ae60", "#9b51e0", "#e0a458",
)  # fmt: skip
"""Light, distinct colours that keep black text readable when highlighted."""


def create_code(
    session: Session,
    name: str,
    color: str | None = None,
    parent_id: int | None = None,
    description: str = "",
) -> tuple[int, Changes]:
    """A new code; it gets the next free shortcut key 1–9 and a palette colour if none is given."""
    name = _valid_name(session, name, parent_id)
    count = session.scalar(select(func.count()).select_from(Code)) or 0
    used = set(session.scalars(select(Code.shortcut).where(Code.shortcut.is_not(None))))
    shortcut = next((k for k in range(1, 10) if k not in used), None)
    code = Code(
        name=name,
        color=_valid_color(color or PALETTE[count % len(PALETTE)]),
        parent_id=parent_id,
        description=description,
        shortcut=shortcut,
        position=count,
    )
    session.add(code)
    session.flush()
    return code.id, Changes(codebook=True)


def rename_code(session: Session, code_id: int, name: str) -> Changes:
    code = _code(session, code_id)
    code.name = _valid_name(session, name, code.parent_id, exclude=code_id)
    return Changes(codebook=True, annotations_of=_documents_using(session, code_id))


def recolor_code(session: Session, code_id: int, color: str) -> Changes:
    _code(session, code_id).color = _valid_color(color)
    return Changes(codebook=True, annotations_of=_documents_using(session, code_id))


def delete_code(session: Session, code_id: int) -> Changes:
    """Delete a code, its sub-codes and its tags; highlights left with no code stay as plain."""
    code = _code(session, code_id)
    documents = _documents_using(session, code_id)
    session.delete(code)
    session.flush()
    return Changes(codebook=True, annotations_of=documents)


def usage(session: Session, code_id: int) -> int:
    """How many annotations carry this code (the GUI asks before deleting a used code)."""
    return session.scalar(select(func.count()).where(AnnotationCode.code_id == code_id)) or 0


def _documents_using(session: Session, code_id: int) -> frozenset[int]:
    return frozenset(
        session.scalars(
            select(Annotation.document_id)
            .join(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
            .where(AnnotationCode.code_id == code_id)
            .distinct()
        )
    )


def _code(session: Session, code_id: int) -> Code:
    code = session.get(Code, code_id)
    if code is None:
        raise NotFound("That code no longer exists.")
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
        func.lower(Code.name) == name.lower(),
        Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id,
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
