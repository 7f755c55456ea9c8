"""Position coding: actors (with aliases), issues, the stance scale, and statements.

Every edit but the scale is a history entry. A statement sits on an annotation: coding a
position on a passage reuses this coder's highlight of the same span or creates one.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import InvalidInput, NotFound
from db.logic import stance as stance_logic
from db.logic.metadata import shorten
from db.models import Actor, Issue, Setting, Statement, utcnow
from db.ops.annotating import tag_spans
from db.ops.history import Recorder

ACTOR_KINDS = ("person", "organisation", "state", "group")
SCALE_KEY = "stance_scale"


# The stance scale ----------------------------------------------------------------------------
def stance_scale(session: Session) -> tuple[stance_logic.StanceLevel, ...]:
    return stance_logic.parse_scale(
        session.scalar(select(Setting.value).where(Setting.key == SCALE_KEY))
    )


def set_stance_scale(session: Session, levels: Iterable[stance_logic.StanceLevel]) -> Changes:
    levels = tuple(levels)
    try:
        stance_logic.check_scale(levels)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    used = set(session.scalars(select(Statement.stance).where(Statement.deleted_at.is_(None))))
    if missing := used - {lv.value for lv in levels}:
        raise InvalidInput(
            f"Statements use stance value(s) {sorted(missing)}; keep them on the scale."
        )
    row = session.get(Setting, SCALE_KEY)
    if row is None:
        session.add(Setting(key=SCALE_KEY, value=stance_logic.scale_to_json(levels)))
    else:
        row.value = stance_logic.scale_to_json(levels)
    return Changes(positions=True)


# Actors and issues ---------------------------------------------------------------------------
def create_actor(
    session: Session,
    name: str,
    kind: str = "person",
    parent_id: int | None = None,
    aliases: Iterable[str] = (),
    color: str = "#4e79a7",
    notes: str = "",
    *,
    coder_id: int | None = None,
    recorder: Recorder | None = None,
) -> tuple[int, Changes]:
    name = _unique_name(session, Actor, name)
    actor = Actor(
        name=name,
        kind=_kind(kind),
        parent_id=_live(session, Actor, parent_id),
        aliases=_clean_aliases(session, aliases),
        color=color,
        notes=notes,
    )
    session.add(actor)
    session.flush()
    own = recorder is None
    recorder = recorder or Recorder(session, coder_id, "create_actor", f"Create actor {name}")
    recorder.created("actor", [actor.id])
    return actor.id, recorder.finish() if own else Changes()


def update_actor(
    session: Session, actor_id: int, *, coder_id: int | None = None, **fields
) -> Changes:
    """Change any of name, kind, parent_id, aliases, color, notes."""
    actor = _get(session, Actor, actor_id)
    recorder = Recorder(session, coder_id, "update_actor", f"Edit actor {actor.name}")
    recorder.touch("actor", [actor_id])
    if "name" in fields:
        actor.name = _unique_name(session, Actor, fields["name"], exclude=actor_id)
    if "kind" in fields:
        actor.kind = _kind(fields["kind"])
    if "parent_id" in fields:
        parent = _live(session, Actor, fields["parent_id"])
        if parent == actor_id:
            raise InvalidInput("An actor cannot be its own parent.")
        actor.parent_id = parent
    if "aliases" in fields:
        actor.aliases = _clean_aliases(session, fields["aliases"], exclude=actor_id)
    for key in ("color", "notes"):
        if key in fields:
            setattr(actor, key, fields[key])
    return recorder.finish()


def create_issue(
    session: Session,
    name: str,
    parent_id: int | None = None,
    description: str = "",
    *,
    coder_id: int | None = None,
    recorder: Recorder | None = None,
) -> tuple[int, Changes]:
    name = _unique_name(session, Issue, name, parent_id=parent_id)
    issue = Issue(name=name, parent_id=_live(session, Issue, parent_id), description=description)
    session.add(issue)
    session.flush()
    own = recorder is None
    recorder = recorder or Recorder(session, coder_id, "create_issue", f"Create issue {name}")
    recorder.created("issue", [issue.id])
    return issue.id, recorder.finish() if own else Changes()


def update_issue(
    session: Session, issue_id: int, *, coder_id: int | None = None, **fields
) -> Changes:
    """Change any of name, parent_id, description."""
    issue = _get(session, Issue, issue_id)
    recorder = Recorder(session, coder_id, "update_issue", f"Edit issue {issue.name}")
    recorder.touch("issue", [issue_id])
    parent_id = fields.get("parent_id", issue.parent_id)
    if "parent_id" in fields:
        if parent_id == issue_id:
            raise InvalidInput("An issue cannot be its own parent.")
        issue.parent_id = _live(session, Issue, parent_id)
    if "name" in fields:
        issue.name = _unique_name(
            session, Issue, fields["name"], parent_id=parent_id, exclude=issue_id
        )
    if "description" in fields:
        issue.description = fields["description"]
    return recorder.finish()


def delete_actor(session: Session, actor_id: int, *, coder_id: int | None = None) -> Changes:
    return _delete_vocabulary(session, Actor, "actor", actor_id, coder_id)


def delete_issue(session: Session, issue_id: int, *, coder_id: int | None = None) -> Changes:
    return _delete_vocabulary(session, Issue, "issue", issue_id, coder_id)


def _delete_vocabulary(session, model, kind: str, row_id: int, coder_id) -> Changes:
    row = _get(session, model, row_id)
    column = Statement.actor_id if model is Actor else Statement.issue_id
    used = session.scalar(
        select(func.count()).where(column == row_id, Statement.deleted_at.is_(None))
    )
    if used:
        raise InvalidInput(
            f"“{row.name}” is used by {used} statement(s); change or delete them first."
        )
    recorder = Recorder(session, coder_id, f"delete_{kind}", f"Delete {kind} {row.name}")
    recorder.touch(kind, [row_id])
    row.deleted_at = utcnow()
    return recorder.finish()


# Statements ----------------------------------------------------------------------------------
def code_statement(
    session: Session,
    coder_id: int,
    document_id: int,
    start: int,
    end: int,
    actor_id: int,
    issue_id: int,
    stance: int,
    source: str = "",
    certainty: float | None = None,
    *,
    recorder: Recorder | None = None,
) -> tuple[int, Changes]:
    """Code a position on the passage [start, end): one history entry with its highlight."""
    actor, issue = _get(session, Actor, actor_id), _get(session, Issue, issue_id)
    level = _level(session, stance)
    own = recorder is None
    recorder = recorder or Recorder(session, coder_id, "code_statement")
    (annotation_id,), (quote,) = tag_spans(
        session, recorder, document_id, coder_id, [(start, end)], []
    )
    statement = Statement(
        annotation_id=annotation_id,
        actor_id=actor_id,
        issue_id=issue_id,
        stance=level.value,
        source=source.strip(),
        certainty=_certainty(certainty),
    )
    session.add(statement)
    session.flush()
    recorder.created("statement", [statement.id])
    recorder.summary = f"{actor.name} {level.label} {issue.name}: “{shorten(quote, 30)}”"
    return statement.id, recorder.finish() if own else Changes()


def update_statement(
    session: Session, statement_id: int, *, coder_id: int | None = None, **fields
) -> Changes:
    """Change any of actor_id, issue_id, stance, source, certainty."""
    statement = _get(session, Statement, statement_id)
    recorder = Recorder(session, coder_id, "update_statement", "Edit statement")
    recorder.touch("statement", [statement_id])
    if "actor_id" in fields:
        statement.actor_id = _get(session, Actor, fields["actor_id"]).id
    if "issue_id" in fields:
        statement.issue_id = _get(session, Issue, fields["issue_id"]).id
    if "stance" in fields:
        statement.stance = _level(session, fields["stance"]).value
    if "source" in fields:
        statement.source = fields["source"].strip()
    if "certainty" in fields:
        statement.certainty = _certainty(fields["certainty"])
    statement.modified_at = utcnow()
    return recorder.finish()


def delete_statement(
    session: Session, statement_id: int, *, coder_id: int | None = None
) -> Changes:
    statement = _get(session, Statement, statement_id)
    recorder = Recorder(session, coder_id, "delete_statement", "Delete statement")
    recorder.touch("statement", [statement_id])
    statement.deleted_at = utcnow()
    return recorder.finish()


# Names as typed -----------------------------------------------------------------------------
def find_or_create_actor(session: Session, typed: str, recorder: Recorder) -> tuple[int, bool]:
    """The actor whose name or alias is ``typed`` (any case); a new person when none is.

    Returns (id, created). The new actor joins ``recorder``'s history entry.
    """
    name = " ".join(typed.split())
    folded = name.casefold()
    for actor_id, actor_name, aliases in session.execute(
        select(Actor.id, Actor.name, Actor.aliases).where(Actor.deleted_at.is_(None))
    ):
        if folded in {actor_name.casefold(), *(a.casefold() for a in aliases or ())}:
            return actor_id, False
    actor_id, _ = create_actor(session, name, recorder=recorder)
    return actor_id, True


def find_or_create_issue(session: Session, typed: str, recorder: Recorder) -> tuple[int, bool]:
    """The issue at path ``typed`` ("Parent/Child") or with that name; created when missing."""
    parts = [" ".join(p.split()) for p in typed.split("/") if p.strip()]
    if not parts:
        raise InvalidInput("An issue needs a name.")
    if len(parts) == 1:
        found = session.scalar(
            select(Issue.id)
            .where(Issue.deleted_at.is_(None), func.lower(Issue.name) == parts[0].lower())
            .order_by(Issue.parent_id.is_not(None), Issue.id)
        )
        if found is not None:
            return found, False
    parent, created = None, False
    for part in parts:
        found = session.scalar(
            select(Issue.id).where(
                Issue.deleted_at.is_(None),
                func.lower(Issue.name) == part.lower(),
                Issue.parent_id.is_(None) if parent is None else Issue.parent_id == parent,
            )
        )
        if found is None:
            found, _ = create_issue(session, part, parent, recorder=recorder)
            created = True
        parent = found
    return parent, created


def code_position(
    session: Session,
    coder_id: int,
    document_id: int,
    start: int,
    end: int,
    actor: str,
    issue: str,
    stance: int | str,
    source: str = "",
    certainty: float | None = None,
) -> tuple[int, Changes]:
    """Code a position from names as typed: new actors and issues join the same undo step."""
    recorder = Recorder(session, coder_id, "code_statement")
    actor_id, _ = find_or_create_actor(session, actor, recorder)
    issue_id, _ = find_or_create_issue(session, issue, recorder)
    statement_id, _ = code_statement(
        session,
        coder_id,
        document_id,
        start,
        end,
        actor_id,
        issue_id,
        stance,
        source,
        certainty,
        recorder=recorder,
    )
    return statement_id, recorder.finish()


def update_position(
    session: Session,
    coder_id: int | None,
    statement_id: int,
    actor: str,
    issue: str,
    stance: int | str,
    source: str = "",
    certainty: float | None = None,
) -> Changes:
    recorder = Recorder(session, coder_id, "update_statement", "Edit statement")
    actor_id, _ = find_or_create_actor(session, actor, recorder)
    issue_id, _ = find_or_create_issue(session, issue, recorder)
    statement = _get(session, Statement, statement_id)
    recorder.touch("statement", [statement_id])
    statement.actor_id, statement.issue_id = actor_id, issue_id
    statement.stance = _level(session, stance).value
    statement.source, statement.certainty = source.strip(), _certainty(certainty)
    statement.modified_at = utcnow()
    return recorder.finish()


# Helpers -------------------------------------------------------------------------------------
def _level(session: Session, stance: int | str) -> stance_logic.StanceLevel:
    try:
        return stance_logic.resolve(stance_scale(session), stance)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def _certainty(value: float | None) -> float | None:
    if value is None:
        return None
    if not 0.0 <= float(value) <= 1.0:
        raise InvalidInput("Certainty is a number from 0 to 1.")
    return float(value)


def _kind(kind: str) -> str:
    kind = kind.strip().lower()
    if kind not in ACTOR_KINDS:
        raise InvalidInput(f"An actor is one of: {', '.join(ACTOR_KINDS)}.")
    return kind


def _get(session: Session, model, row_id: int):
    row = session.get(model, row_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(f"That {model.__tablename__} no longer exists.")
    return row


def _live(session: Session, model, row_id: int | None) -> int | None:
    return None if row_id is None else _get(session, model, row_id).id


def _unique_name(session: Session, model, name: str, *, parent_id=None, exclude=None) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(f"An {model.__tablename__} needs a name.")
    clash = select(model.id).where(
        model.deleted_at.is_(None), func.lower(model.name) == name.lower()
    )
    if model is Issue:
        clash = clash.where(
            model.parent_id.is_(None) if parent_id is None else model.parent_id == parent_id
        )
    if exclude is not None:
        clash = clash.where(model.id != exclude)
    if session.scalar(clash) is not None:
        raise InvalidInput(f"There is already an {model.__tablename__} named “{name}”.")
    return name


def _clean_aliases(
    session: Session, aliases: Iterable[str], exclude: int | None = None
) -> list[str]:
    """Trimmed, de-duplicated aliases that no other actor uses as a name or alias."""
    cleaned = list(dict.fromkeys(" ".join(a.split()) for a in aliases if a.strip()))
    taken = {}
    for actor_id, name, other in session.execute(
        select(Actor.id, Actor.name, Actor.aliases).where(Actor.deleted_at.is_(None))
    ):
        if actor_id != exclude:
            for alias in (name, *(other or [])):
                taken[alias.casefold()] = name
    for alias in cleaned:
        if alias.casefold() in taken:
            raise InvalidInput(f"“{alias}” already names {taken[alias.casefold()]}.")
    return cleaned
