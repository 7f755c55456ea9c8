"""Import a REFI-QDA project (.qdpx) or codebook (.qdc) into a project, in one transaction.

Into a fresh project or an existing one: rows are matched by GUID (our UUIDs), then by what
names the same thing (a coder's name, a code's name under the same parent, an article's text
hash, an actor's name or alias, an issue's name under the same parent). Matched rows are left
as they are — nothing is overwritten — and what the file hangs on them (selections of a known
article, codings of a known code) joins them; re-importing a file adds nothing.

The file is untrusted (``safe_zip``, ``safe_xml``) and read as a stream: the XML is parsed
incrementally and each ``TextSource`` is written (in batches, bulk inserts) and dropped before
the next is read, so memory stays flat for 500,000 selections. A broken archive or XML raises
InvalidInput and the caller's transaction writes nothing; a single unusable source or
selection is skipped and counted in the report instead, because a project with one odd memo
file is still worth importing.

Tolerated: ``Sources/`` or ``sources/``, any ``*.qde`` name, ``internal://`` paths, GUIDs in any
case or braces, text given inline as ``PlainTextContent``, code paths written as names
(``A::B``), missing colours, empty elements, selections coded by several users (split into one
highlight per coder). Positions are re-counted per source when the file evidently counts UTF-16
units or line breaks differently (``refi_offsets``). Not imported: pictures, PDFs, audio and
video, cases, sets, links, graphs, and codings of whole sources.
"""

from __future__ import annotations

import codecs
import gc
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import InvalidInput
from db.exchange import safe_xml
from db.exchange.refi_common import (
    EXTENSION_PREFIX,
    NS_PREFIX,
    POSITIONS_GROUP_GUID,
    SOURCES_DIR,
    color_or_none,
    derived_guid,
    norm_guid,
    parse_date,
    parse_datetime,
)
from db.exchange.refi_offsets import Selection, SourceText, resolve
from db.exchange.safe_zip import SafeZip, member_path
from db.logic import stance as stance_logic
from db.logic import text as text_logic
from db.logic.chunks import chunks
from db.logic.metadata import infer_title
from db.logic.offsets import quote
from db.models import (
    Actor,
    Annotation,
    AnnotationCode,
    Code,
    Coder,
    Document,
    Issue,
    Setting,
    Statement,
    utcnow,
)
from db.ops.annotating import add_tag_pairs
from db.ops.codebook import PALETTE
from db.ops.positions import ACTOR_KINDS, SCALE_KEY

Progress = Callable[[int, int], None]
MiB = 1024 * 1024
MAX_QDC_BYTES = 64 * MiB
MAX_NOTE_BYTES = 64 * MiB
FLUSH_SOURCES = 200
FLUSH_SELECTIONS = 20_000
INSERT_CHUNK = 2000
IMPORT_CODER = "REFI-QDA import"
"""Owns selections that name no known user when the importing coder is unknown too."""
_VARIABLE_FIELDS = {
    "outlet": "outlet",
    "source": "outlet",
    "author": "author",
    "published": "published",
    "date": "published",
    "url": "url",
    "language": "language",
}
_LIMITS = {"title": 500, "outlet": 200, "author": 300, "url": 2000, "language": 20}


@dataclass
class RefiImportReport:
    """What an import did, in numbers and in words the user can act on."""

    documents: int = 0
    known_documents: int = 0
    coders: int = 0
    codes: int = 0
    known_codes: int = 0
    annotations: int = 0
    codings: int = 0
    statements: int = 0
    actors: int = 0
    issues: int = 0
    known_rows: int = 0
    """Selections and statements whose GUID the project has already: left as they were."""
    offsets_corrected: int = 0
    notes: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        parts = [
            f"Imported {self.documents} article(s), {self.codes} code(s), "
            f"{self.annotations} highlight(s) with {self.codings} coding(s), "
            f"{self.statements} statement(s)"
        ]
        if self.known_documents or self.known_codes or self.known_rows:
            parts.append(
                f"already in the project: {self.known_documents} article(s), "
                f"{self.known_codes} code(s), {self.known_rows} highlight(s)/statement(s)"
            )
        if self.offsets_corrected:
            parts.append(f"{self.offsets_corrected} selection position(s) corrected")
        if self.skipped:
            parts.append(f"{sum(self.skipped.values())} item(s) skipped")
        return "; ".join(parts) + "."

    def details(self) -> str:
        lines = [f"{reason} ({n}×)" if n > 1 else reason for reason, n in self.notes.items()]
        lines += [
            f"Skipped: {reason} ({n}×)" if n > 1 else f"Skipped: {reason}"
            for reason, n in self.skipped.items()
        ]
        return "\n".join(lines)


def import_qdpx(
    session: Session,
    path: str | Path,
    coder_id: int | None = None,
    progress: Progress | None = None,
) -> tuple[RefiImportReport, Changes]:
    """Import a .qdpx archive; ``coder_id`` owns selections that name no user of the file."""
    path = Path(path)
    with SafeZip(path) as archive:
        qde = _project_member(archive)
        folder = qde.rpartition("/")[0]
        importer = _Importer(session, coder_id, archive, folder, path.name)
        total = archive.size(qde)
        tick = (lambda done: progress(done, total)) if progress else None
        with archive.open(qde, archive.limits.max_member_bytes, tick) as stream, _gc_paused():
            importer.run(stream)
    return importer.report, importer.changes()


def import_qdc(
    session: Session, path: str | Path, coder_id: int | None = None
) -> tuple[RefiImportReport, Changes]:
    """Import a .qdc codebook into the project's codebook."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_QDC_BYTES:
            raise InvalidInput(
                f"{path.name} is too large for a codebook ({size / MiB:,.0f} MB; the limit is "
                f"{MAX_QDC_BYTES // MiB} MB); nothing was imported."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    root = safe_xml.parse_bytes(data, path.name)
    name, space = safe_xml.local(root.tag), safe_xml.namespace(root.tag)
    if space and not space.startswith(NS_PREFIX):
        raise InvalidInput(
            f"{path.name} is not a REFI-QDA codebook (its XML namespace is {space}); "
            "nothing was imported."
        )
    if name == "Project":
        root = next((c for c in root if safe_xml.local(c.tag) == "CodeBook"), None)
    if root is None or safe_xml.local(root.tag) != "CodeBook":
        raise InvalidInput(
            f"{path.name} is not a REFI-QDA codebook (no <CodeBook>); nothing was imported."
        )
    importer = _Importer(session, coder_id, None, "", path.name)
    for codes in _children(root, "Codes"):
        importer.codebook(codes)
    importer.finish()
    return importer.report, importer.changes()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while importing (restored afterwards).

    An import holds a few million long-lived containers (rows, parsed elements); every full
    collection would scan them all, for garbage the import does not make: 15–20 % of its time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _project_member(archive: SafeZip) -> str:
    """The project XML: ``project.qde``, or the one ``*.qde`` (ATLAS.ti names it after the
    project), at the top or in one folder."""
    candidates = [n for n in archive.names if n.lower().endswith(".qde")]
    top = [n for n in candidates if "/" not in n]
    for group in (top, candidates):
        named = [n for n in group if n.rsplit("/", 1)[-1].lower() == "project.qde"]
        if len(named) == 1:
            return named[0]
        if len(group) == 1:
            return group[0]
        if len(group) > 1:
            raise archive.error(
                f"holds {len(group)} project files ({', '.join(sorted(group)[:3])}…); "
                "a .qdpx holds one"
            )
    raise archive.error("holds no project.qde, so it is not a REFI-QDA project")


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if safe_xml.local(child.tag) == name)


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if safe_xml.local(child.tag) == name:
            return child.text or ""
    return None


def _clean(name: str | None, limit: int = 200) -> str:
    return " ".join((name or "").split())[:limit]


# The rows being built ------------------------------------------------------------------------
@dataclass
class _Doc:
    id: int | None
    row: dict[str, Any] | None = None
    """Values of a new article (None: the article exists already)."""
    text: str = ""


@dataclass
class _CodeItem:
    guid: str
    name: str
    parent: str | None
    """The parent's GUID in the file (None: top level)."""
    color: str | None
    description: str
    depth: int


@dataclass
class _Highlight:
    doc: _Doc
    row: dict[str, Any]
    codes: list[str]
    notes: list[str]


class _Importer:
    def __init__(
        self,
        session: Session,
        coder_id: int | None,
        archive: SafeZip | None,
        folder: str,
        label: str,
    ) -> None:
        self.s, self.archive, self.folder, self.label = session, archive, folder, label
        self.coder_id = coder_id
        self.report = RefiImportReport()
        self.now = utcnow()
        s = session
        self.coder_by_guid = dict(s.execute(select(Coder.uuid, Coder.id)).all())
        self.coder_by_name = {n: i for i, n in s.execute(select(Coder.id, Coder.name))}
        self.users: dict[str, int] = {}
        self.code_ids: dict[str, int | None] = {}
        """File code GUID → our code id; None: the code exists here but was deleted."""
        self.code_by_guid = {
            g: (i if deleted is None else None)
            for g, i, deleted in s.execute(select(Code.uuid, Code.id, Code.deleted_at))
        }
        self.code_by_key = {
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
        self.new_codes: list[tuple[int, str]] = []
        self.held_codes: list[_CodeItem] = []
        self.doc_by_guid = {
            g: (i, deleted is not None, sha)
            for g, i, deleted, sha in s.execute(
                select(Document.uuid, Document.id, Document.deleted_at, Document.sha256)
            )
        }
        self.doc_by_sha = {sha: (i, deleted) for _, (i, deleted, sha) in self.doc_by_guid.items()}
        self.new_by_sha: dict[str, _Doc] = {}
        self.new_docs: dict[str, int] = {}  # guid → id of articles this import created
        self.had_annotations = s.scalar(select(func.count()).select_from(Annotation)) or 0
        self.had_statements = (
            s.scalar(
                select(func.count()).select_from(Statement).where(Statement.deleted_at.is_(None))
            )
            or 0
        )
        self.variables: dict[str, str] = {}
        self.seen_selections: set[str] = set()
        self.batch_docs: list[_Doc] = []
        self.batch: list[_Highlight] = []
        self.pending_tags: list[tuple[int, str]] = []
        self.memo_notes: list[tuple[str, list[str]]] = []  # (annotation uuid, note GUIDs)
        self.doc_notes: list[tuple[_Doc, list[str]]] = []
        self.notes: dict[str, str] = {}
        self.extension: str | None = None
        self.touched: set[int] = set()
        self.fallback_id: int | None = None
        self._guids: dict[str, str] = {}

    # Reading the XML -------------------------------------------------------------------------
    def run(self, stream) -> None:
        root: Element | None = None
        section: Element | None = None
        for event, element, depth in safe_xml.iterparse(stream, self.label):
            if depth > 3:
                continue  # inside a source or note: handled with it
            if event == "start":
                if depth == 1:
                    root = element
                    self._check_root(element)
                elif depth == 2:
                    section = element
                continue
            name = safe_xml.local(element.tag)
            if depth == 3 and section is not None:
                kind = safe_xml.local(section.tag)
                if kind == "Sources":
                    self._source(element, name)
                    section.remove(element)
                elif kind == "Notes" and name == "Note":
                    self._note(element)
                    section.remove(element)
            elif depth == 2 and root is not None:
                if name == "Users":
                    self._users(element)
                elif name == "CodeBook":
                    for codes in _children(element, "Codes"):
                        self.codebook(codes)
                elif name == "Variables":
                    self._variables(element)
                root.remove(element)
                section = None
        self.finish()

    def _check_root(self, element: Element) -> None:
        name, space = safe_xml.local(element.tag), safe_xml.namespace(element.tag)
        if name != "Project" or (space and not space.startswith(NS_PREFIX)):
            what = f"<{name}>" + (f" in {space}" if space else "")
            raise InvalidInput(
                f"{self.label} is not a REFI-QDA project (its XML starts with {what}, not "
                "<Project> in urn:QDA-XML:project); nothing was imported."
            )

    def _users(self, element: Element) -> None:
        for user in _children(element, "User"):
            guid = norm_guid(user.get("guid"))
            if guid is None:
                continue
            name = _clean(user.get("name")) or f"User {guid[:8]}"
            coder_id = self.coder_by_guid.get(guid) or self.coder_by_name.get(name)
            if coder_id is None:
                coder_id = self.s.scalar(
                    insert(Coder).returning(Coder.id), {"uuid": guid, "name": name}
                )
                self.coder_by_guid[guid] = self.coder_by_name[name] = coder_id
                self.report.coders += 1
            self.users[guid] = coder_id

    def _variables(self, element: Element) -> None:
        for variable in _children(element, "Variable"):
            guid = norm_guid(variable.get("guid"))
            name = _clean(variable.get("name"))
            if guid and name:
                self.variables[guid] = name

    # The codebook ----------------------------------------------------------------------------
    def codebook(self, codes: Element) -> None:
        """Read the code tree (``A::B`` names become levels) and add the codes missing here.

        The Positions group we export is held back: it becomes codes only if the file turns out
        to carry no Marginalia data to restore the statements from (see ``finish``).
        """
        items: list[_CodeItem] = []
        held: set[str] = set()
        stack: list[tuple[Element, str | None, int]] = [
            (c, None, 0) for c in reversed(list(_children(codes, "Code")))
        ]
        while stack:
            element, parent, depth = stack.pop()
            parts = [_clean(p) for p in (element.get("name") or "").split("::")]
            parts = [p for p in parts if p] or ["Unnamed code"]
            for part in parts[:-1]:  # "A::B": A is a level of its own
                guid = derived_guid("code-path", parent or "", part.casefold())
                items.append(_CodeItem(guid, part, parent, None, "", depth))
                parent, depth = guid, depth + 1
            guid = norm_guid(element.get("guid")) or derived_guid(
                "code-name", parent or "", parts[-1]
            )
            item = _CodeItem(
                guid,
                parts[-1],
                parent,
                color_or_none(element.get("color")),
                _child_text(element, "Description") or "",
                depth,
            )
            if guid == POSITIONS_GROUP_GUID or (parent is not None and parent in held):
                held.add(guid)
                self.held_codes.append(item)
            else:
                items.append(item)
            stack.extend((c, guid, depth + 1) for c in reversed(list(_children(element, "Code"))))
        self._add_codes(items)

    def _add_codes(self, items: list[_CodeItem]) -> None:
        """Match or create codes, level by level (a level's parents exist before it)."""
        taken: set[tuple[int | None, str]] = set()
        levels: dict[int, list[_CodeItem]] = defaultdict(list)
        for item in items:
            levels[item.depth].append(item)
        for depth in sorted(levels):
            rows: list[dict[str, Any]] = []
            guids: list[str] = []
            for item in levels[depth]:
                if item.guid in self.code_ids:
                    continue  # the same GUID twice in one file
                if item.guid in self.code_by_guid:
                    self.code_ids[item.guid] = self.code_by_guid[item.guid]
                    self.report.known_codes += 1
                    continue
                parent_id = self.code_ids.get(item.parent) if item.parent else None
                if item.parent and parent_id is None:
                    self.code_ids[item.guid] = None
                    self.report.skipped["a code under a code deleted in this project"] += 1
                    continue
                key = (parent_id, item.name.casefold())
                if key in self.code_by_key and key not in taken:
                    self.code_ids[item.guid] = self.code_by_key[key]
                    self.report.known_codes += 1
                    continue
                base = item.name.replace("/", "∕")  # "/" separates levels in our code paths
                name, n = base, 2
                while (parent_id, name.casefold()) in self.code_by_key:
                    name, n = f"{base[:190]} ({n})", n + 1
                self.code_by_key[parent_id, name.casefold()] = -1  # placeholder until inserted
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
            ids = self._insert(Code, rows)
            self.n_codes += len(rows)
            for guid, row, code_id in zip(guids, rows, ids, strict=True):
                self.code_ids[guid] = code_id
                self.code_by_guid[guid] = code_id
                self.code_by_key[row["parent_id"], row["name"].casefold()] = code_id
                self.new_codes.append((code_id, guid))
            self.report.codes += len(rows)

    # Sources ---------------------------------------------------------------------------------
    def _source(self, element: Element, kind: str) -> None:
        if kind != "TextSource":
            self.report.skipped[f"{kind} (only text sources are imported)"] += 1
            return
        name = _clean(element.get("name"), 500)
        label = f"source “{name or element.get('guid')}”"
        text = self._source_text(element, label)
        selections = list(_children(element, "PlainTextSelection"))
        if text is None:
            if selections:
                self.report.skipped["selections of a source that could not be read"] += len(
                    selections
                )
            return
        doc = self._document(element, name, text)
        if doc is None:
            if selections:
                self.report.skipped["selections of an article deleted in this project"] += len(
                    selections
                )
            return
        if note_refs := [norm_guid(r.get("targetGUID")) for r in _children(element, "NoteRef")]:
            self.doc_notes.append((doc, [g for g in note_refs if g]))
        whole = sum(1 for _ in _children(element, "Coding"))
        if whole:
            self.report.skipped["codings of a whole source (not a text passage)"] += whole
        if selections:
            self._selections(doc, text, selections, label)
        if len(self.batch_docs) >= FLUSH_SOURCES or len(self.batch) >= FLUSH_SELECTIONS:
            self.flush()

    def _source_text(self, element: Element, label: str) -> SourceText | None:
        """The source's text (inline or from the archive), checked like any imported article."""
        inline = _child_text(element, "PlainTextContent")
        if inline is not None and inline.strip():
            data, raw = inline.encode("utf-8"), inline
        else:
            path = element.get("plainTextPath")
            if not path:
                what = "only a rich-text file" if element.get("richTextPath") else "no text"
                self.report.skipped[f"{label}: it has {what}"] += 1
                return None
            member = self._member(path)
            if member is None:
                self.report.skipped[f"{label}: its text file {path} is not in the archive"] += 1
                return None
            assert self.archive is not None
            size = self.archive.size(member)
            if size > text_logic.MAX_FILE_BYTES:
                self.report.skipped[
                    f"{label}: too large ({size / MiB:.1f} MB; the limit is "
                    f"{text_logic.MAX_FILE_BYTES // MiB} MB)"
                ] += 1
                return None
            data = self.archive.read(member, text_logic.MAX_FILE_BYTES)
            raw = _raw_text(data)
        try:
            stored = text_logic.decode(data)
        except text_logic.TextRejected as exc:
            self.report.skipped[f"{label}: {exc}"] += 1
            return None
        source = SourceText(raw) if raw is not None else None
        if source is None or source.stored != stored:  # another encoding: offsets as stored
            source = SourceText(stored)
        return source

    def _member(self, path: str) -> str | None:
        """The archive member an ``internal://`` path names (never a file outside the archive)."""
        if self.archive is None:
            return None
        lowered = path.strip().lower()
        if not lowered.startswith("internal:"):
            return None  # relative:// and absolute:// point outside: not read, by design
        relative = path.strip()[len("internal:") :].lstrip("/\\")
        for candidate in (
            member_path(member_path(self.folder, SOURCES_DIR), relative),
            member_path(self.folder, relative),
        ):
            if found := self.archive.find(candidate):
                return found
        return None

    def _document(self, element: Element, name: str, text: SourceText) -> _Doc | None:
        guid = norm_guid(element.get("guid")) or derived_guid("source", name, text.stored[:200])
        sha = text_logic.sha256(text.stored)
        known = self.doc_by_guid.get(guid)
        if known is None and sha in self.doc_by_sha:
            known = (*self.doc_by_sha[sha], sha)
        if known is not None:
            doc_id, deleted, known_sha = known
            if deleted:
                self.report.skipped[f"article “{name}”: deleted in this project"] += 1
                return None
            if known_sha != sha:
                self.report.skipped[
                    f"article “{name}”: this project's text differs from the file's, so the "
                    "file's positions do not fit it"
                ] += 1
                return None
            self.report.known_documents += 1
            return _Doc(doc_id, None, text.stored)
        if sha in self.new_by_sha:  # the same text twice in one file
            self.report.notes["a source repeats another source's text (merged)"] += 1
            return self.new_by_sha[sha]
        row: dict[str, Any] = {
            "uuid": guid,
            "title": name or infer_title(text.stored)[:500] or "Untitled",
            "text": text.stored,
            "sha256": sha,
            "memo": _child_text(element, "Description") or "",
            "source_name": name or None,
            "extra": {},
            "imported_at": parse_datetime(element.get("creationDateTime")) or self.now,
            **dict.fromkeys(("outlet", "author", "published", "url", "language")),
        }
        for value in _children(element, "VariableValue"):
            self._variable_value(row, value)
        doc = _Doc(None, row, text.stored)
        self.new_by_sha[sha] = doc
        self.batch_docs.append(doc)
        return doc

    def _variable_value(self, row: dict[str, Any], element: Element) -> None:
        ref = next(_children(element, "VariableRef"), None)
        name = (
            self.variables.get(norm_guid(ref.get("targetGUID")) or "") if ref is not None else None
        )
        values = [c for c in element if safe_xml.local(c.tag) != "VariableRef"]
        if not name or not values or values[0].text is None:
            return
        value = values[0].text.strip()
        field_name = _VARIABLE_FIELDS.get(name.casefold())
        if field_name == "published":
            if (published := parse_date(value)) is not None:
                row["published"] = published
                return
            field_name = None
        if field_name is None:
            row["extra"][name] = value
        elif value:
            row[field_name] = value[: _LIMITS[field_name]]

    def _selections(
        self, doc: _Doc, source: SourceText, elements: list[Element], label: str
    ) -> None:
        readable: list[tuple[Element, Selection]] = []
        for element in elements:
            try:
                start = int(element.get("startPosition", ""))
                end = int(element.get("endPosition", ""))
            except ValueError:
                self.report.skipped["a selection without readable positions"] += 1
                continue
            readable.append((element, Selection(start, end, element.get("name"))))
        if not readable:
            return
        resolution = resolve(source, [s for _, s in readable])
        if resolution.corrected:
            self.report.offsets_corrected += resolution.corrected
            self.report.notes[
                f"positions counted in {resolution.counting.describe()} were corrected"
            ] += 1
        stored = source.stored
        for (element, _), span in zip(readable, resolution.spans, strict=True):
            if span is None:
                self.report.skipped["a selection outside its source's text"] += 1
                continue
            self._highlights(doc, stored, element, span)

    def _highlights(self, doc: _Doc, text: str, element: Element, span: tuple[int, int]) -> None:
        """One highlight per coder: a selection coded by several users splits."""
        guid = norm_guid(element.get("guid")) or derived_guid(
            "selection", doc.row["uuid"] if doc.row else str(doc.id), *map(str, span)
        )
        if guid in self.seen_selections:
            guid = derived_guid(guid, str(len(self.seen_selections)))
        self.seen_selections.add(guid)
        owner = self._guid(element.get("creatingUser") or element.get("modifyingUser"))
        by_user: dict[str | None, list[str]] = {}
        memo, notes = "", []
        for child in element:  # one pass: selections are the bulk of a project
            tag = child.tag
            name = tag[tag.rfind("}") + 1 :]
            if name == "Coding":
                code = None
                for ref in child:
                    if ref.tag.endswith("CodeRef"):
                        code = self._guid(ref.get("targetGUID"))
                        break
                if code is None:
                    self.report.skipped["a coding without a code"] += 1
                    continue
                user = self._guid(child.get("creatingUser")) or owner
                by_user.setdefault(user, []).append(code)
            elif name == "Description":
                memo = child.text or ""
            elif name == "NoteRef" and (note := norm_guid(child.get("targetGUID"))):
                notes.append(note)
        if owner is None and by_user:
            owner = next(iter(by_user))
        by_user.setdefault(owner, [])
        created = parse_datetime(element.get("creationDateTime")) or self.now
        modified = parse_datetime(element.get("modifiedDateTime")) or created
        cited = quote(text, *span)
        for user, codes in by_user.items():
            primary = user == owner
            row = {
                "uuid": guid if primary else derived_guid(guid, user or ""),
                "coder_id": self._user(user),
                "start": span[0],
                "end": span[1],
                "quote": cited.exact,
                "prefix": cited.prefix,
                "suffix": cited.suffix,
                "memo": memo if primary else "",
                "created_at": created,
                "modified_at": modified,
            }
            codes = list(dict.fromkeys(codes)) if len(codes) > 1 else codes
            self.batch.append(_Highlight(doc, row, codes, notes if primary else []))

    def _guid(self, raw: str | None) -> str | None:
        """``norm_guid`` for the few GUIDs referred to again and again (users, codes)."""
        if raw is None:
            return None
        found = self._guids.get(raw)
        if found is None:
            found = self._guids[raw] = norm_guid(raw) or ""
        return found or None

    def _user(self, guid: str | None) -> int:
        if guid is not None and guid in self.users:
            return self.users[guid]
        if self.coder_id is not None:
            return self.coder_id
        if self.fallback_id is None:
            self.fallback_id = self.coder_by_name.get(IMPORT_CODER) or self.s.scalar(
                insert(Coder).returning(Coder.id), {"name": IMPORT_CODER}
            )
            self.coder_by_name[IMPORT_CODER] = self.fallback_id
        return self.fallback_id

    # Writing ---------------------------------------------------------------------------------
    def _insert(self, model, rows: list[dict[str, Any]]) -> list[int]:
        """Bulk INSERT … RETURNING id in row order (Core: ORM objects cost too much per row)."""
        table = model.__table__
        statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        connection = self.s.connection()
        ids: list[int] = []
        for chunk in chunks(rows, INSERT_CHUNK):
            ids += connection.execute(statement, list(chunk)).scalars().all()
        return ids

    def flush(self) -> None:
        """Write the batch: new articles, then highlights, then their codes."""
        new = [d for d in self.batch_docs if d.id is None and d.row is not None]
        for chunk in chunks(new, 200):
            for doc, doc_id in zip(
                chunk, self._insert(Document, [d.row for d in chunk]), strict=True
            ):
                doc.id = doc_id
                self.new_docs[doc.row["uuid"]] = doc_id
                doc.row = {"uuid": doc.row["uuid"], "memo": doc.row["memo"]}  # text is written
                doc.text = ""
        self.report.documents += len(new)
        self.batch_docs = []
        highlights, self.batch = self.batch, []
        if not highlights:
            return
        known: dict[str, int] = {}
        if self.had_annotations:
            for chunk in chunks([h.row["uuid"] for h in highlights]):
                known.update(
                    self.s.execute(
                        select(Annotation.uuid, Annotation.id).where(Annotation.uuid.in_(chunk))
                    ).all()
                )
        fresh = [h for h in highlights if h.row["uuid"] not in known]
        for h in fresh:
            h.row["document_id"] = h.doc.id
        ids = self._insert(Annotation, [h.row for h in fresh])
        self.report.annotations += len(fresh)
        self.report.known_rows += len(highlights) - len(fresh)
        tags: list[dict[str, int]] = []
        old_pairs: list[tuple[int, int]] = []
        paired: set[tuple[int, int]] = set()
        for h, annotation_id in [*zip(fresh, ids, strict=True), *(
            (h, known[h.row["uuid"]]) for h in highlights if h.row["uuid"] in known
        )]:  # fmt: skip
            self.touched.add(h.doc.id)
            if h.notes and h.row["uuid"] not in known:
                self.memo_notes.append((h.row["uuid"], h.notes))
            for guid in h.codes:
                if guid not in self.code_ids:
                    self.pending_tags.append((annotation_id, guid))
                elif (code_id := self.code_ids[guid]) is None:
                    self.report.skipped["a coding of a code deleted in this project"] += 1
                elif (annotation_id, code_id) in paired:
                    continue  # two codes of the file are one code here
                elif h.row["uuid"] in known:
                    old_pairs.append((annotation_id, code_id))
                else:
                    tags.append({"annotation_id": annotation_id, "code_id": code_id})
                paired.add((annotation_id, code_id))
        self._tag(tags)
        if old_pairs:  # highlights the project has: add the codes they lack
            present: set[tuple[int, int]] = set()
            for chunk in chunks(list({a for a, _ in old_pairs})):
                present.update(
                    self.s.execute(
                        select(AnnotationCode.annotation_id, AnnotationCode.code_id).where(
                            AnnotationCode.annotation_id.in_(chunk)
                        )
                    ).all()
                )
            missing = [p for p in dict.fromkeys(old_pairs) if p not in present]
            add_tag_pairs(self.s, missing)
            self.report.codings += len(missing)

    def _tag(self, rows: list[dict[str, int]]) -> None:
        connection = self.s.connection()
        for chunk in chunks(rows, INSERT_CHUNK):
            connection.execute(AnnotationCode.__table__.insert(), list(chunk))
        self.report.codings += len(rows)

    # Notes and the end -----------------------------------------------------------------------
    def _note(self, element: Element) -> None:
        guid = norm_guid(element.get("guid"))
        content = _child_text(element, "PlainTextContent")
        if content is not None and content.lstrip().startswith(EXTENSION_PREFIX):
            self.extension = content.lstrip()[len(EXTENSION_PREFIX) :]
            return
        if guid is None:
            return
        if not content and (path := element.get("plainTextPath")):
            member = self._member(path)
            if member is not None and self.archive is not None:
                if self.archive.size(member) > MAX_NOTE_BYTES:
                    self.report.skipped["a note too large to read"] += 1
                    return
                content = _raw_text(self.archive.read(member, MAX_NOTE_BYTES)) or ""
        if content:
            self.notes[guid] = text_logic.normalise(content).strip()

    def finish(self) -> None:
        self.flush()
        extension = self._read_extension()
        positions = extension.get("positions") if extension else None
        if not (isinstance(positions, dict) and positions.get("group") == POSITIONS_GROUP_GUID):
            positions = None
        if self.held_codes:
            if positions is None:  # no data to restore statements from: keep them as codes
                self._add_codes(self.held_codes)
            else:
                for item in self.held_codes:
                    self.code_ids.setdefault(item.guid, -1)  # codings of statements: dropped
        self._resolve_pending_tags()
        self._code_extras(extension.get("codes") if extension else None)
        self._document_extras(extension.get("documents") if extension else None)
        self._apply_notes()
        if positions is not None:
            _Positions(self, positions).run()

    def _read_extension(self) -> dict[str, Any] | None:
        if self.extension is None:
            return None
        try:
            data = json.loads(self.extension)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict) or data.get("format") != "marginalia":
            self.report.notes[
                "the Marginalia data note is unreadable; positions were imported as codes"
            ] += 1
            return None
        return data

    def _resolve_pending_tags(self) -> None:
        rows, seen = [], set()
        for annotation_id, guid in self.pending_tags:
            code_id = self.code_ids.get(guid)
            if code_id == -1:
                continue  # a statement's coding: the statement itself is restored
            if code_id is None:
                self.report.skipped["a coding of a code that is not in the codebook"] += 1
            elif (annotation_id, code_id) not in seen:
                seen.add((annotation_id, code_id))
                rows.append({"annotation_id": annotation_id, "code_id": code_id})
        self._tag(rows)

    def _code_extras(self, extras: Any) -> None:
        """Shortcut keys and archive flags of the codes this import created.

        Without Marginalia data, new codes take the free keys 1–9 in order (as when created by
        hand); with it, the keys they had, where free.
        """
        if not self.new_codes:
            return
        used = set(
            self.s.scalars(
                select(Code.shortcut).where(Code.deleted_at.is_(None), Code.shortcut.is_not(None))
            )
        )
        updates = []
        for code_id, guid in self.new_codes:
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
        if updates:
            self.s.execute(
                update(Code.__table__)
                .where(Code.__table__.c.id == bindparam("id_"))
                .values(shortcut=bindparam("shortcut"), archived=bindparam("archived")),
                updates,
            )

    def _document_extras(self, extras: Any) -> None:
        if not isinstance(extras, dict):
            return
        updates = []
        for guid, doc_id in self.new_docs.items():
            extra = extras.get(guid)
            if not isinstance(extra, dict):
                continue
            values = extra.get("extra") if isinstance(extra.get("extra"), dict) else {}
            source_name = extra.get("source_name")
            updates.append(
                {
                    "id_": doc_id,
                    "extra": values,
                    "source_name": source_name[:500] if isinstance(source_name, str) else None,
                }
            )
        if updates:
            table = Document.__table__
            self.s.execute(
                update(table)
                .where(table.c.id == bindparam("id_"))
                .values(extra=bindparam("extra"), source_name=bindparam("source_name")),
                updates,
            )

    def _apply_notes(self) -> None:
        """Memos that the file keeps in Notes (NoteRef) join the highlight's or article's memo."""
        table = Annotation.__table__
        updates = []
        for annotation_guid, refs in self.memo_notes:
            texts = [self.notes[g] for g in refs if self.notes.get(g)]
            if texts:
                updates.append({"uuid_": annotation_guid, "texts": texts})
        if updates:
            memos: dict[str, str] = {}
            for chunk in chunks([u["uuid_"] for u in updates]):
                memos.update(
                    self.s.execute(
                        select(Annotation.uuid, Annotation.memo).where(Annotation.uuid.in_(chunk))
                    ).all()
                )
            self.s.execute(
                update(table)
                .where(table.c.uuid == bindparam("uuid_"))
                .values(memo=bindparam("memo")),
                [
                    {"uuid_": u["uuid_"], "memo": _join_memo(memos.get(u["uuid_"], ""), u["texts"])}
                    for u in updates
                ],
            )
        for doc, refs in self.doc_notes:
            texts = [self.notes[g] for g in refs if self.notes.get(g)]
            if texts and doc.row is not None and doc.id is not None:
                self.s.execute(
                    update(Document.__table__)
                    .where(Document.__table__.c.id == doc.id)
                    .values(memo=_join_memo(doc.row["memo"], texts))
                )

    def changes(self) -> Changes:
        r = self.report
        return Changes(
            documents=bool(r.documents),
            annotations_of=frozenset(self.touched),
            codebook=bool(r.codes or r.codings),
            positions=bool(r.statements or r.actors or r.issues),
        )


def _join_memo(memo: str, texts: Iterable[str]) -> str:
    return "\n\n".join(t for t in (memo, *texts) if t)


def _raw_text(data: bytes) -> str | None:
    """The bytes as text exactly as the file has it (for counting positions), or None."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# Positions -----------------------------------------------------------------------------------
class _Positions:
    """Statements, actors, issues and the stance scale from the Marginalia data note."""

    def __init__(self, importer: _Importer, data: dict[str, Any]) -> None:
        self.i, self.s, self.data = importer, importer.s, data
        self.report = importer.report

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
            name = _clean(_str(item.get("name")), 300)
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
                alias = _clean(_str(alias), 300)
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
                    "created_at": self.i.now,
                }
            )
            parents.append(norm_guid(_str(item.get("parent"))))
        ids = self.i._insert(Actor, rows) if rows else []
        new = {row["uuid"]: actor_id for row, actor_id in zip(rows, ids, strict=True)}
        resolved = {g: new[v] if isinstance(v, str) else v for g, v in found.items()}
        updates = [
            {"id_": actor_id, "parent": resolved[parent]}
            for actor_id, parent in zip(ids, parents, strict=True)
            if parent in resolved and resolved[parent] != actor_id
        ]
        if updates:
            table = Actor.__table__
            s.execute(
                update(table)
                .where(table.c.id == bindparam("id_"))
                .values(parent_id=bindparam("parent")),
                updates,
            )
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
            name = _clean(_str(item.get("name")), 300).replace("/", "∕")
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
                            "created_at": self.i.now,
                        }
                    )
                    level.append((key, guid))
            ids = self.i._insert(Issue, rows) if rows else []
            for row, issue_id in zip(rows, ids, strict=True):
                by_key[row["parent_id"], row["name"].casefold()] = issue_id
            for key, guid in level:
                found[guid] = by_key[key]
            self.report.issues += len(rows)
        return found

    def _scale(self, raw: Any) -> None:
        """The file's stance scale, unless this project's statements already use its own."""
        if self.i.had_statements or not isinstance(raw, list):
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
        known: set[str] = set()
        for chunk in chunks(guids):
            known.update(s.scalars(select(Statement.uuid).where(Statement.uuid.in_(chunk))))
        wanted = list({norm_guid(_str(item.get("selection"))) or "" for item in items})
        annotations: dict[str, int] = {}
        for chunk in chunks(wanted):
            annotations.update(
                s.execute(
                    select(Annotation.uuid, Annotation.id).where(
                        Annotation.uuid.in_(chunk), Annotation.deleted_at.is_(None)
                    )
                ).all()
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
            created = parse_datetime(_str(item.get("created"))) or self.i.now
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
        connection = s.connection()
        for chunk in chunks(rows, INSERT_CHUNK):
            connection.execute(Statement.__table__.insert(), list(chunk))
        self.report.statements += len(rows)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
