"""Export a project as a REFI-QDA project (.qdpx) or codebook (.qdc), streamed to disk.

A ``.qdpx`` is a zip of ``project.qde`` (XML, Project-mrt2019.xsd) and ``sources/<guid>.txt``,
one UTF-8 file per article holding exactly our stored text, so positions — Unicode code points,
end exclusive, as REFI-QDA counts them — are our offsets unchanged. What goes where:

- coders → ``Users/User``; codes → ``CodeBook`` (tree, ``#rrggbb`` colours, ``Description``);
- articles → ``Sources/TextSource`` named by title, memo as ``Description``; outlet, author,
  date, URL and language as document ``Variables`` (what MAXQDA and QualCoder read);
- every live highlight → ``PlainTextSelection`` (its GUID is the highlight's UUID, ``name`` the
  beginning of the quote, ``creatingUser`` its coder), memo as ``Description``, one ``Coding``
  per code with a GUID derived from highlight and code;
- positions → codes other tools can use: a group *Positions* › actor › stance › issue, and a
  ``Coding`` of the matching leaf per statement (GUID = the statement's UUID). The schema has no
  extension point (no ``xsd:any``), so what REFI-QDA cannot say — statements with source and
  certainty, actors with kinds and aliases, issues, the stance scale, code shortcuts, article
  metadata beyond the variables — travels as JSON in one ``Note`` whose text starts with
  ``marginalia-extension/1``. Marginalia restores statements from it exactly; other tools show
  a memo and the plain codes.

Soft-deleted rows are left out. Queries are batched (one per 2,000 highlights for their codes);
nothing holds the whole project in memory but the statements.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.errors import InvalidInput
from db.exchange.refi_common import (
    CODEBOOK_NS,
    EXTENSION_FORMAT,
    EXTENSION_PREFIX,
    POSITIONS_GROUP_GUID,
    PROJECT_NS,
    SOURCES_DIR,
    VARIABLES,
    Progress,
    attr,
    color_or_none,
    derived_guid,
    iso,
    origin,
    text,
    variable_guid,
)
from db.exports.atomic import atomic_path
from db.logic.chunks import chunks
from db.logic.metadata import shorten
from db.logic.stance import label_of, scale_to_json
from db.models import (
    Actor,
    Annotation,
    AnnotationCode,
    Code,
    Coder,
    Document,
    Issue,
    Statement,
)
from db.ops.positions import stance_scale
from db.queries.codes import code_paths

BATCH = 2000
NAME_CHARS = 60
"""A selection's ``name`` holds the quote's beginning: a label for other tools, and what the
import checks positions against."""
COMPRESS_LEVEL = 5
FLUSH_CHARS = 1 << 20


@dataclass(frozen=True, slots=True)
class RefiExportSummary:
    documents: int = 0
    annotations: int = 0
    codings: int = 0
    codes: int = 0
    statements: int = 0
    coders: int = 0

    def summary(self) -> str:
        return (
            f"{self.documents} article(s), {self.annotations} highlight(s) with "
            f"{self.codings} coding(s), {self.codes} code(s), {self.statements} statement(s), "
            f"{self.coders} coder(s) exported."
        )


@dataclass
class _Node:
    guid: str
    name: str
    codable: bool = True
    color: str | None = None
    description: str = ""
    children: list[_Node] = field(default_factory=list)


def write_qdpx(
    session: Session,
    target: str | Path,
    project_name: str,
    *,
    creating_coder_id: int | None = None,
    progress: Progress | None = None,
) -> RefiExportSummary:
    """Write the project as a .qdpx archive, atomically (an error leaves no half file)."""
    with (
        atomic_path(target) as tmp,
        zipfile.ZipFile(
            tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
        ) as archive,
    ):
        return _ProjectExport(session, archive, progress).run(project_name, creating_coder_id)


def write_qdc(session: Session, target: str | Path) -> int:
    """Write the codebook as a .qdc file (Codebook.xsd); returns the number of codes."""
    roots, count = _codebook(session)
    if not roots:
        raise InvalidInput("The codebook is empty: there is no code to export.")
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write(f'<CodeBook xmlns="{CODEBOOK_NS}" origin="{attr(origin())}">\n<Codes>\n')
        for chunk in _code_xml(roots):
            out.write(chunk)
        out.write("</Codes>\n</CodeBook>\n")
    return count


# The codebook --------------------------------------------------------------------------------
def _codebook(session: Session) -> tuple[list[_Node], int]:
    """Live codes as a tree, siblings in their set order; orphans go to the top level."""
    rows = session.execute(
        select(Code.id, Code.uuid, Code.name, Code.parent_id, Code.color, Code.description)
        .where(Code.deleted_at.is_(None))
        .order_by(Code.position, Code.id)
    ).all()
    nodes = {
        r.id: _Node(r.uuid, r.name, True, color_or_none(r.color), r.description or "") for r in rows
    }
    roots: list[_Node] = []
    for r in rows:
        parent = nodes.get(r.parent_id) if r.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[r.id])
    return roots, len(rows)


def _code_xml(roots: Iterable[_Node]) -> Iterator[str]:
    """``Code`` elements, depth first without recursion (trees may be deep)."""
    stack: list[tuple[_Node, bool]] = [(n, False) for n in reversed(list(roots))]
    while stack:
        node, closing = stack.pop()
        if closing:
            yield "</Code>\n"
            continue
        color = f' color="{node.color}"' if node.color else ""
        head = (
            f'<Code guid="{node.guid}" name="{attr(node.name)}" '
            f'isCodable="{"true" if node.codable else "false"}"{color}'
        )
        if not node.description and not node.children:
            yield head + "/>\n"
            continue
        yield head + ">\n"
        if node.description:
            yield f"<Description>{text(node.description)}</Description>\n"
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.children))


# The project ---------------------------------------------------------------------------------
class _Writer:
    """Buffers XML text and writes it to the zip member in large UTF-8 chunks."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.parts, self.size = raw, [], 0

    def write(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.size += len(chunk)
        if self.size >= FLUSH_CHARS:
            self.flush()

    def flush(self) -> None:
        self.raw.write("".join(self.parts).encode("utf-8"))
        self.parts, self.size = [], 0


class _ProjectExport:
    def __init__(self, session: Session, archive: zipfile.ZipFile, progress: Progress | None):
        self.session, self.archive, self.progress = session, archive, progress
        self.coders: dict[int, tuple[str, str]] = {}
        self.code_guids: dict[int, str] = {}
        self.extension: dict[str, Any] = {"format": EXTENSION_FORMAT, "version": 1}

    def run(self, project_name: str, creating_coder_id: int | None) -> RefiExportSummary:
        s = self.session
        self.coders = {
            r.id: (r.uuid, r.name) for r in s.execute(select(Coder.id, Coder.uuid, Coder.name))
        }
        roots, n_codes = _codebook(s)
        self.code_guids = dict(
            s.execute(select(Code.id, Code.uuid).where(Code.deleted_at.is_(None))).all()
        )
        self._code_extras()
        positions_group, statements = self._positions()
        if positions_group is not None:
            roots = [*roots, positions_group]
        n_documents = (
            s.scalar(
                select(func.count()).select_from(Document).where(Document.deleted_at.is_(None))
            )
            or 0
        )
        self.total = 2 * n_documents
        self._write_texts()
        with self.archive.open("project.qde", "w", force_zip64=True) as raw:
            out = _Writer(raw)
            creator = self.coders.get(creating_coder_id) if creating_coder_id else None
            out.write('<?xml version="1.0" encoding="utf-8"?>\n')
            out.write(
                f'<Project xmlns="{PROJECT_NS}" name="{attr(project_name)}" '
                f'origin="{attr(origin())}"'
                + (f' creatingUserGUID="{creator[0]}"' if creator else "")
                + f' creationDateTime="{iso(datetime.now(UTC))}">\n'
            )
            if self.coders:
                out.write("<Users>\n")
                for guid, name in self.coders.values():
                    out.write(f'<User guid="{guid}" name="{attr(name)}"/>\n')
                out.write("</Users>\n")
            if roots:
                out.write("<CodeBook>\n<Codes>\n")
                for chunk in _code_xml(roots):
                    out.write(chunk)
                out.write("</Codes>\n</CodeBook>\n")
            annotations = codings = 0
            if n_documents:
                out.write("<Variables>\n")
                for _, name, kind in VARIABLES:
                    out.write(
                        f'<Variable guid="{variable_guid(name)}" name="{name}"'
                        f' typeOfVariable="{kind}"/>\n'
                    )
                out.write("</Variables>\n")
                annotations, codings = self._write_sources(out, statements)
            if n_documents or n_codes or "positions" in self.extension:
                self._write_extension(out)
            out.write("</Project>\n")
            out.flush()
        return RefiExportSummary(
            documents=n_documents,
            annotations=annotations,
            codings=codings,
            codes=n_codes,
            statements=len(self.extension.get("positions", {}).get("statements", [])),
            coders=len(self.coders),
        )

    def _tick(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, self.total)

    def _code_extras(self) -> None:
        extras = {}
        for guid, shortcut, archived in self.session.execute(
            select(Code.uuid, Code.shortcut, Code.archived).where(
                Code.deleted_at.is_(None), (Code.shortcut.is_not(None)) | Code.archived
            )
        ):
            extras[guid] = {"shortcut": shortcut, "archived": bool(archived)}
        if extras:
            self.extension["codes"] = extras

    # Positions -------------------------------------------------------------------------------
    def _positions(self) -> tuple[_Node | None, dict[int, list[tuple[str, str, Any]]]]:
        """The Positions code group and, per highlight, its statements' codings."""
        s = self.session
        scale = stance_scale(s)
        actors = s.execute(
            select(
                Actor.id, Actor.uuid, Actor.name, Actor.kind, Actor.parent_id, Actor.color,
                Actor.aliases, Actor.notes,
            )
            .where(Actor.deleted_at.is_(None))
            .order_by(Actor.name, Actor.id)
        ).all()  # fmt: skip
        issues = s.execute(
            select(
                Issue.id, Issue.uuid, Issue.name, Issue.parent_id, Issue.description,
                Issue.position,
            )
            .where(Issue.deleted_at.is_(None))
            .order_by(Issue.position, Issue.id)
        ).all()  # fmt: skip
        actor_guid = {a.id: a.uuid for a in actors}
        issue_guid = {i.id: i.uuid for i in issues}
        issue_path = code_paths([(i.id, i.name, i.parent_id) for i in issues])
        rows = s.execute(
            select(
                Statement.uuid, Statement.annotation_id, Statement.actor_id, Statement.issue_id,
                Statement.stance, Statement.source, Statement.certainty, Statement.created_at,
                Statement.modified_at, Annotation.uuid, Annotation.coder_id,
            )
            .join(Annotation, Annotation.id == Statement.annotation_id)
            .join(Document, Document.id == Annotation.document_id)
            .where(
                Statement.deleted_at.is_(None),
                Annotation.deleted_at.is_(None),
                Document.deleted_at.is_(None),
                Statement.actor_id.in_(select(Actor.id).where(Actor.deleted_at.is_(None))),
                Statement.issue_id.in_(select(Issue.id).where(Issue.deleted_at.is_(None))),
            )
            .order_by(Annotation.document_id, Annotation.start, Statement.id)
        ).all()  # fmt: skip
        if not (rows or actors or issues):
            return None, {}
        codings: dict[int, list[tuple[str, str, Any]]] = defaultdict(list)
        leaves: dict[tuple[int, int, int], str] = {}
        statements = []
        for r in rows:
            a, i = actor_guid[r.actor_id], issue_guid[r.issue_id]
            leaf = leaves.setdefault(
                (r.actor_id, r.stance, r.issue_id),
                derived_guid("position", a, str(r.stance), i),
            )
            codings[r.annotation_id].append((r.uuid, leaf, r.created_at))
            statements.append(
                {
                    "guid": r.uuid,
                    "selection": r[9],
                    "actor": a,
                    "issue": i,
                    "stance": r.stance,
                    "source": r.source or "",
                    "certainty": r.certainty,
                    "created": iso(r.created_at),
                    "modified": iso(r.modified_at),
                }
            )
        self.extension["positions"] = {
            "group": POSITIONS_GROUP_GUID,
            "scale": scale_to_json(scale),
            "actors": [
                {
                    "guid": a.uuid,
                    "name": a.name,
                    "kind": a.kind,
                    "parent": actor_guid.get(a.parent_id),
                    "color": a.color,
                    "aliases": list(a.aliases or []),
                    "notes": a.notes or "",
                }
                for a in actors
            ],
            "issues": [
                {
                    "guid": i.uuid,
                    "name": i.name,
                    "parent": issue_guid.get(i.parent_id),
                    "description": i.description or "",
                    "position": i.position,
                }
                for i in issues
            ],
            "statements": statements,
        }
        if not leaves:
            return None, {}
        return self._positions_tree(leaves, actors, scale, issue_path), codings

    @staticmethod
    def _positions_tree(leaves, actors, scale, issue_path) -> _Node:
        """Positions › actor › stance › issue, for tools that know only codes."""
        group = _Node(
            POSITIONS_GROUP_GUID,
            "Positions",
            codable=False,
            description=(
                "Positions coded in Marginalia: actor › stance › issue. Each coding of an issue "
                "code is one statement. Marginalia restores the statements (with source and "
                "certainty) from the note “Marginalia data”."
            ),
        )
        by_actor: dict[int, dict[int, list[tuple[str, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for (actor_id, stance, issue_id), guid in leaves.items():
            by_actor[actor_id][stance].append((guid, issue_id))
        for actor in actors:
            if actor.id not in by_actor:
                continue
            color = color_or_none(actor.color)
            actor_node = _Node(
                derived_guid("position", actor.uuid), actor.name, codable=False, color=color
            )
            for stance in sorted(by_actor[actor.id]):
                stance_node = _Node(
                    derived_guid("position", actor.uuid, str(stance)),
                    label_of(scale, stance),
                    codable=False,
                    color=color,
                )
                for guid, issue_id in sorted(
                    by_actor[actor.id][stance], key=lambda g: issue_path[g[1]].casefold()
                ):
                    name = issue_path[issue_id].replace("/", " › ")
                    stance_node.children.append(_Node(guid, name, color=color))
                actor_node.children.append(stance_node)
            group.children.append(actor_node)
        return group

    # Sources ---------------------------------------------------------------------------------
    def _write_texts(self) -> None:
        """Every live article's stored text as ``sources/<guid>.txt`` (UTF-8, no BOM)."""
        stamp = datetime.now().timetuple()[:6]
        result = self.session.execute(
            select(Document.uuid, Document.text)
            .where(Document.deleted_at.is_(None))
            .order_by(Document.id),
            execution_options={"yield_per": BATCH},
        )
        for done, (guid, body) in enumerate(result, 1):
            info = zipfile.ZipInfo(f"{SOURCES_DIR}/{guid}.txt", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            self.archive.writestr(info, body.encode("utf-8"), compresslevel=COMPRESS_LEVEL)
            if done % 100 == 0:
                self._tick(done)

    def _write_sources(self, out: _Writer, statements) -> tuple[int, int]:
        s = self.session
        variables = [(f, variable_guid(name), kind) for f, name, kind in VARIABLES]
        documents_extra: dict[str, dict[str, Any]] = {}
        highlights = self._highlights()
        pending = next(highlights, None)
        n_annotations = n_codings = 0
        done = self.total // 2
        out.write("<Sources>\n")
        result = s.execute(
            select(
                Document.id, Document.uuid, Document.title, Document.memo, Document.imported_at,
                Document.outlet, Document.author, Document.published, Document.url,
                Document.language, Document.source_name, Document.extra,
            )
            .where(Document.deleted_at.is_(None))
            .order_by(Document.id),
            execution_options={"yield_per": BATCH},
        )  # fmt: skip
        for doc in result:
            out.write(
                f'<TextSource guid="{doc.uuid}" name="{attr(doc.title)}" '
                f'plainTextPath="internal://{doc.uuid}.txt"'
                f' creationDateTime="{iso(doc.imported_at)}">\n'
            )
            if doc.memo:
                out.write(f"<Description>{text(doc.memo)}</Description>\n")
            while pending is not None and pending[0].document_id < doc.id:
                pending = next(highlights, None)  # a highlight of a skipped article
            while pending is not None and pending[0].document_id == doc.id:
                row, tags = pending
                n_codings += self._selection(out, row, tags, statements.get(row.id, ()))
                n_annotations += 1
                pending = next(highlights, None)
            for name, guid, kind in variables:
                value = getattr(doc, name)
                if value is None or value == "":
                    continue
                element = "DateValue" if kind == "Date" else "TextValue"
                value = value.isoformat() if kind == "Date" else text(str(value))
                out.write(
                    f'<VariableValue><VariableRef targetGUID="{guid}"/>'
                    f"<{element}>{value}</{element}></VariableValue>\n"
                )
            out.write("</TextSource>\n")
            if doc.source_name or doc.extra:
                documents_extra[doc.uuid] = {"source_name": doc.source_name, "extra": doc.extra}
            done += 1
            if done % 100 == 0:
                self._tick(done)
        out.write("</Sources>\n")
        if documents_extra:
            self.extension["documents"] = documents_extra
        self._tick(self.total)
        return n_annotations, n_codings

    def _highlights(self) -> Iterator[tuple[Any, list[tuple[int, Any]]]]:
        """Live highlights of live articles in article and text order, with their codes."""
        s = self.session
        query = (
            select(
                Annotation.id, Annotation.document_id, Annotation.uuid, Annotation.start,
                Annotation.end, Annotation.quote, Annotation.memo, Annotation.created_at,
                Annotation.modified_at, Annotation.coder_id,
            )
            .join(Document, Document.id == Annotation.document_id)
            .where(Annotation.deleted_at.is_(None), Document.deleted_at.is_(None))
            .order_by(Annotation.document_id, Annotation.start, Annotation.id)
        )  # fmt: skip
        connection = s.connection()  # Core rows: the ORM adds nothing to plain column reads
        for batch in connection.execute(query.execution_options(yield_per=BATCH)).partitions():
            tags: dict[int, list[tuple[int, Any]]] = defaultdict(list)
            for chunk in chunks([r.id for r in batch]):
                for annotation_id, code_id, created in connection.execute(
                    select(
                        AnnotationCode.annotation_id,
                        AnnotationCode.code_id,
                        AnnotationCode.created_at,
                    )
                    .where(AnnotationCode.annotation_id.in_(chunk))
                    .order_by(AnnotationCode.created_at, AnnotationCode.code_id)
                ):
                    tags[annotation_id].append((code_id, created))
            for row in batch:
                yield row, tags.get(row.id, [])

    def _selection(self, out: _Writer, row, tags, statements) -> int:
        coder = self.coders[row.coder_id][0]
        name = shorten(" ".join(row.quote.split()), NAME_CHARS) if row.quote else ""
        parts = [
            f'<PlainTextSelection guid="{row.uuid}"',
            f' name="{attr(name)}"' if name else "",
            f' startPosition="{row.start}" endPosition="{row.end}" creatingUser="{coder}"',
            f' creationDateTime="{iso(row.created_at)}" modifiedDateTime="{iso(row.modified_at)}">',
        ]
        if row.memo:
            parts.append(f"<Description>{text(row.memo)}</Description>")
        codings = [
            (derived_guid(row.uuid, guid), guid, created)
            for code_id, created in tags
            if (guid := self.code_guids.get(code_id)) is not None  # None: a deleted code's tag
        ]
        codings += statements  # (statement GUID, the leaf code of its position, created)
        parts += [
            f'<Coding guid="{coding}" creatingUser="{coder}" creationDateTime="{iso(created)}">'
            f'<CodeRef targetGUID="{target}"/></Coding>'
            for coding, target, created in codings
        ]
        parts.append("</PlainTextSelection>\n")
        out.write("".join(parts))
        return len(codings)

    def _write_extension(self, out: _Writer) -> None:
        """The note with what REFI-QDA has no element for (see the module docstring)."""
        payload = json.dumps(self.extension, ensure_ascii=False, separators=(",", ":"))
        out.write(
            f'<Notes>\n<Note guid="{uuid.uuid4()}"'
            f' name="Marginalia data" creationDateTime="{iso(datetime.now(UTC))}">\n'
            "<Description>Data for Marginalia (statements, actors, issues, stance scale, code "
            "shortcuts, article metadata) in machine-readable form. Other programs can ignore "
            "this note; editing it may break the positions when the file returns to "
            "Marginalia.</Description>\n"
            f"<PlainTextContent>{text(EXTENSION_PREFIX)}\n"
        )
        out.write(text(payload))
        out.write("</PlainTextContent>\n</Note>\n</Notes>\n")
