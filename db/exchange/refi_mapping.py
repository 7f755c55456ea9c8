"""Who and what a REFI-QDA file names, matched to this project's rows: users and codes.

Users become coders by GUID, then by name. Codes match by GUID, then by name under the same
parent; a matched row is left as it is (nothing is overwritten) and what the file hangs on it
joins it. Codes the project lacks are created level by level, parents first.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from xml.etree.ElementTree import Element

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from db.exchange.refi_bulk import insert_returning_ids, update_rows
from db.exchange.refi_common import norm_guid
from db.exchange.refi_report import RefiImportReport
from db.exchange.refi_xml import CodeItem, children, clean
from db.models import Code, Coder
from db.ops.codebook import PALETTE

IMPORT_CODER = "REFI-QDA import"
"""Owns selections that name no known user when the importing coder is unknown too."""


class Users:
    """The file's users as coder ids; selections of nobody known go to the importing coder."""

    def __init__(self, session: Session, report: RefiImportReport, coder_id: int | None) -> None:
        self.s, self.report, self.coder_id = session, report, coder_id
        self.by_guid = dict(session.execute(select(Coder.uuid, Coder.id)).all())
        self.by_name = {n: i for i, n in session.execute(select(Coder.id, Coder.name))}
        self.users: dict[str, int] = {}
        self.fallback_id: int | None = None

    def add(self, element: Element) -> None:
        """``<Users>``: each user is the coder with its GUID or name, or a new coder."""
        for user in children(element, "User"):
            guid = norm_guid(user.get("guid"))
            if guid is None:
                continue
            name = clean(user.get("name")) or f"User {guid[:8]}"
            coder_id = self.by_guid.get(guid) or self.by_name.get(name)
            if coder_id is None:
                coder_id = self.s.scalar(
                    insert(Coder).returning(Coder.id), {"uuid": guid, "name": name}
                )
                self.by_guid[guid] = self.by_name[name] = coder_id
                self.report.coders += 1
            self.users[guid] = coder_id

    def coder(self, guid: str | None) -> int:
        """The coder id of a user GUID; an unknown or missing one is the importing coder."""
        if guid is not None and guid in self.users:
            return self.users[guid]
        if self.coder_id is not None:
            return self.coder_id
        if self.fallback_id is None:
            self.fallback_id = self.by_name.get(IMPORT_CODER) or self.s.scalar(
                insert(Coder).returning(Coder.id), {"name": IMPORT_CODER}
            )
            self.by_name[IMPORT_CODER] = self.fallback_id
        return self.fallback_id


class Codebook:
    """The file's codes as code ids, adding the codes this project lacks."""

    def __init__(self, session: Session, report: RefiImportReport, now: Any) -> None:
        self.s, self.report, self.now = session, report, now
        s = session
        self.ids: dict[str, int | None] = {}
        """File code GUID → our code id; None: the code exists here but was deleted; -1: a
        position's code, whose codings are statements (restored from the Marginalia data)."""
        self.by_guid = {
            g: (i if deleted is None else None)
            for g, i, deleted in s.execute(select(Code.uuid, Code.id, Code.deleted_at))
        }
        self.by_key = {
            (parent, name.casefold()): i
            for i, name, parent in s.execute(
                select(Code.id, Code.name, Code.parent_id).where(Code.deleted_at.is_(None))
            )
        }
        self.next_position: dict[int | None, int] = {
            parent: (top or 0) + 1
            for parent, top in s.execute(
                select(Code.parent_id, func.max(Code.position))
                .where(Code.deleted_at.is_(None))
                .group_by(Code.parent_id)
            )
        }
        self.n_codes = s.scalar(select(func.count()).select_from(Code)) or 0
        self.new: list[tuple[int, str]] = []
        """(code id, GUID) of the codes this import created."""

    def add(self, items: list[CodeItem]) -> None:
        """Match or create codes, level by level (a level's parents exist before it)."""
        taken: set[tuple[int | None, str]] = set()
        levels: dict[int, list[CodeItem]] = defaultdict(list)
        for item in items:
            levels[item.depth].append(item)
        for depth in sorted(levels):
            rows: list[dict[str, Any]] = []
            guids: list[str] = []
            for item in levels[depth]:
                if item.guid in self.ids:
                    continue  # the same GUID twice in one file
                if item.guid in self.by_guid:
                    self.ids[item.guid] = self.by_guid[item.guid]
                    self.report.known_codes += 1
                    continue
                parent_id = self.ids.get(item.parent) if item.parent else None
                if item.parent and parent_id is None:
                    self.ids[item.guid] = None
                    self.report.skipped["a code under a code deleted in this project"] += 1
                    continue
                key = (parent_id, item.name.casefold())
                if key in self.by_key and key not in taken:
                    self.ids[item.guid] = self.by_key[key]
                    self.report.known_codes += 1
                    continue
                base = item.name.replace("/", "∕")  # "/" separates levels in our code paths
                name, n = base, 2
                while (parent_id, name.casefold()) in self.by_key:
                    name, n = f"{base[:190]} ({n})", n + 1
                self.by_key[parent_id, name.casefold()] = -1  # placeholder until inserted
                taken.add((parent_id, name.casefold()))
                position = self.next_position.get(parent_id, 0)
                self.next_position[parent_id] = position + 1
                rows.append(
                    {
                        "uuid": item.guid,
                        "name": name,
                        "parent_id": parent_id,
                        "color": item.color or PALETTE[(self.n_codes + len(rows)) % len(PALETTE)],
                        "description": item.description,
                        "position": position,
                        "created_at": self.now,
                    }
                )
                guids.append(item.guid)
            if not rows:
                continue
            ids = insert_returning_ids(self.s, Code, rows)
            self.n_codes += len(rows)
            for guid, row, code_id in zip(guids, rows, ids, strict=True):
                self.ids[guid] = code_id
                self.by_guid[guid] = code_id
                self.by_key[row["parent_id"], row["name"].casefold()] = code_id
                self.new.append((code_id, guid))
            self.report.codes += len(rows)

    def hold_for_statements(self, items: list[CodeItem]) -> None:
        """Codes whose codings are statements: those codings are dropped, not tagged."""
        for item in items:
            self.ids.setdefault(item.guid, -1)

    def apply_extras(self, extras: Any) -> None:
        """Shortcut keys and archive flags of the codes this import created.

        Without Marginalia data, new codes take the free keys 1–9 in order (as when created by
        hand); with it, the keys they had, where free.
        """
        if not self.new:
            return
        used = set(
            self.s.scalars(
                select(Code.shortcut).where(Code.deleted_at.is_(None), Code.shortcut.is_not(None))
            )
        )
        updates = []
        for code_id, guid in self.new:
            values: dict[str, Any] = {"archived": False, "shortcut": None}
            if isinstance(extras, dict):
                extra = extras.get(guid) if isinstance(extras.get(guid), dict) else {}
                key = extra.get("shortcut")
                if isinstance(key, int) and 1 <= key <= 9 and key not in used:
                    values["shortcut"] = key
                values["archived"] = extra.get("archived") is True
            else:
                key = next((k for k in range(1, 10) if k not in used), None)
                values["shortcut"] = key
            if values["shortcut"] is not None:
                used.add(values["shortcut"])
            if values["shortcut"] is not None or values["archived"]:
                updates.append({"id_": code_id, **values})
        update_rows(self.s, Code, "id", updates)
