"""Positions from the Marginalia data note: actors, issues, the stance scale and statements.

Actors match by GUID, then by name or alias; issues by GUID, then by name under the same
parent. New ones keep their GUIDs and parents. A statement is restored only if its highlight,
actor and issue are in the project now; one whose GUID is there already is left as it is. The
file's stance scale replaces this project's only while this project has no statements.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.exchange.refi_bulk import insert_returning_ids, insert_rows, lookup, update_rows
from db.exchange.refi_common import color_or_none, norm_guid, parse_datetime
from db.exchange.refi_report import RefiImportReport
from db.exchange.refi_xml import clean
from db.logic import stance as stance_logic
from db.models import Actor, Annotation, Issue, Setting, Statement
from db.ops.positions import ACTOR_KINDS, SCALE_KEY


class Positions:
    """Statements, actors, issues and the stance scale from the Marginalia data note."""

    def __init__(
        self, session: Session, report: RefiImportReport, now: Any, data: dict[str, Any]
    ) -> None:
        self.s, self.report, self.now, self.data = session, report, now, data
        self.had_statements = (
            session.scalar(
                select(func.count()).select_from(Statement).where(Statement.deleted_at.is_(None))
            )
            or 0
        )

    def run(self) -> None:
        actors = self._actors(_dicts(self.data.get("actors")))
        issues = self._issues(_dicts(self.data.get("issues")))
        self._scale(self.data.get("scale"))
        self._statements(_dicts(self.data.get("statements")), actors, issues)

    def _actors(self, items: list[dict[str, Any]]) -> dict[str, int]:
        """Actors by GUID, then by name or alias; new ones keep their GUID and parent."""
        s = self.s
        by_guid = dict(s.execute(select(Actor.uuid, Actor.id)).all())
        taken: dict[str, int | str] = {}  # name or alias → actor id, or a new actor's GUID
        for actor_id, name, aliases in s.execute(
            select(Actor.id, Actor.name, Actor.aliases).where(Actor.deleted_at.is_(None))
        ):
            for alias in (name, *(aliases or ())):
                taken.setdefault(alias.casefold(), actor_id)
        found: dict[str, int | str] = {}
        rows, parents = [], []
        for item in items:
            guid = norm_guid(_str(item.get("guid")))
            name = clean(_str(item.get("name")), 300)
            if guid is None or not name or guid in found:
                continue
            if guid in by_guid:
                found[guid] = by_guid[guid]
                continue
            if name.casefold() in taken:
                found[guid] = taken[name.casefold()]
                continue
            taken[name.casefold()] = found[guid] = guid
            aliases = []
            for alias in item.get("aliases") or []:
                alias = clean(_str(alias), 300)
                if alias and alias.casefold() not in taken:
                    aliases.append(alias)
                    taken[alias.casefold()] = guid
            kind = _str(item.get("kind")).strip().lower()
            rows.append(
                {
                    "uuid": guid,
                    "name": name,
                    "kind": kind if kind in ACTOR_KINDS else "person",
                    "color": color_or_none(_str(item.get("color"))) or "#4e79a7",
                    "aliases": aliases,
                    "notes": _str(item.get("notes")),
                    "created_at": self.now,
                }
            )
            parents.append(norm_guid(_str(item.get("parent"))))
        ids = insert_returning_ids(self.s, Actor, rows) if rows else []
        new = {row["uuid"]: actor_id for row, actor_id in zip(rows, ids, strict=True)}
        resolved = {g: new[v] if isinstance(v, str) else v for g, v in found.items()}
        updates = [
            {"id_": actor_id, "parent_id": resolved[parent]}
            for actor_id, parent in zip(ids, parents, strict=True)
            if parent in resolved and resolved[parent] != actor_id
        ]
        update_rows(s, Actor, "id", updates)
        self.report.actors += len(rows)
        return resolved

    def _issues(self, items: list[dict[str, Any]]) -> dict[str, int]:
        """Issues by GUID, then by name under the same parent; parents before children."""
        s = self.s
        by_guid = dict(s.execute(select(Issue.uuid, Issue.id)).all())
        by_key: dict[tuple[int | None, str], int] = {
            (parent, name.casefold()): i
            for i, name, parent in s.execute(
                select(Issue.id, Issue.name, Issue.parent_id).where(Issue.deleted_at.is_(None))
            )
        }
        remaining: dict[str, tuple[str, str | None, dict[str, Any]]] = {}
        for item in items:
            guid = norm_guid(_str(item.get("guid")))
            name = clean(_str(item.get("name")), 300).replace("/", "∕")
            if guid and name and guid not in remaining:
                parent = norm_guid(_str(item.get("parent")))
                remaining[guid] = (name, None if parent == guid else parent, item)
        found: dict[str, int] = {}
        while remaining:  # a level at a time; a parent the file lacks means top level
            ready = [g for g, v in remaining.items() if v[1] is None or v[1] not in remaining]
            if not ready:  # a cycle: break it by taking one as top level
                ready = [next(iter(remaining))]
            rows, level = [], []
            for guid in ready:
                name, parent, item = remaining.pop(guid)
                parent_id = found.get(parent) if parent else None
                key = (parent_id, name.casefold())
                if guid in by_guid:
                    found[guid] = by_guid[guid]
                elif key in by_key:
                    found[guid] = by_key[key]
                elif any(k == key for k, _ in level):
                    level.append((key, guid))  # the same name twice: one issue
                else:
                    position = item.get("position")
                    rows.append(
                        {
                            "uuid": guid,
                            "name": name,
                            "parent_id": parent_id,
                            "description": _str(item.get("description")),
                            "position": position if isinstance(position, int) else 0,
                            "created_at": self.now,
                        }
                    )
                    level.append((key, guid))
            ids = insert_returning_ids(self.s, Issue, rows) if rows else []
            for row, issue_id in zip(rows, ids, strict=True):
                by_key[row["parent_id"], row["name"].casefold()] = issue_id
            for key, guid in level:
                found[guid] = by_key[key]
            self.report.issues += len(rows)
        return found

    def _scale(self, raw: Any) -> None:
        """The file's stance scale, unless this project's statements already use its own."""
        if self.had_statements or not isinstance(raw, list):
            return
        try:
            levels = stance_logic.parse_scale(raw)
        except (ValueError, KeyError, TypeError):
            self.report.notes["the stance scale in the file is invalid; kept this project's"] += 1
            return
        value = stance_logic.scale_to_json(levels)
        row = self.s.get(Setting, SCALE_KEY)
        if row is None:
            self.s.add(Setting(key=SCALE_KEY, value=value))
        elif row.value != value:
            row.value = value
        self.s.flush()

    def _statements(
        self, items: list[dict[str, Any]], actors: dict[str, int], issues: dict[str, int]
    ) -> None:
        s = self.s
        guids = [g for item in items if (g := norm_guid(_str(item.get("guid"))))]
        known = lookup(s, Statement.uuid, Statement.id, guids)
        wanted = {norm_guid(_str(item.get("selection"))) or "" for item in items}
        annotations = lookup(
            s, Annotation.uuid, Annotation.id, wanted, Annotation.deleted_at.is_(None)
        )
        rows, seen = [], set()
        for item in items:
            guid = norm_guid(_str(item.get("guid")))
            if guid is None or guid in seen:
                continue
            seen.add(guid)
            if guid in known:
                self.report.known_rows += 1
                continue
            annotation_id = annotations.get(norm_guid(_str(item.get("selection"))) or "")
            actor_id = actors.get(norm_guid(_str(item.get("actor"))) or "")
            issue_id = issues.get(norm_guid(_str(item.get("issue"))) or "")
            stance = item.get("stance")
            if annotation_id is None or actor_id is None or issue_id is None:
                self.report.skipped["a statement whose highlight, actor or issue is missing"] += 1
                continue
            if not isinstance(stance, int) or isinstance(stance, bool):
                self.report.skipped["a statement without a whole-number stance"] += 1
                continue
            certainty = item.get("certainty")
            if not isinstance(certainty, int | float) or not 0 <= certainty <= 1:
                certainty = None
            created = parse_datetime(_str(item.get("created"))) or self.now
            rows.append(
                {
                    "uuid": guid,
                    "annotation_id": annotation_id,
                    "actor_id": actor_id,
                    "issue_id": issue_id,
                    "stance": stance,
                    "source": _str(item.get("source")).strip(),
                    "certainty": None if certainty is None else float(certainty),
                    "created_at": created,
                    "modified_at": parse_datetime(_str(item.get("modified"))) or created,
                }
            )
        insert_rows(s, Statement, rows)
        self.report.statements += len(rows)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
