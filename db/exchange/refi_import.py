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

This module reads the XML's sections in order and hands each to the part that knows it:
``refi_xml`` (the file's parts as plain values), ``refi_mapping`` (users and codes),
``refi_sources`` (articles and highlights), ``refi_write`` (writing them), ``refi_positions``
(statements from the Marginalia data note), ``refi_bulk`` (chunked Core reads and writes).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from sqlalchemy.orm import Session

from db.changes import Changes
from db.exchange import safe_xml
from db.exchange.refi_common import (
    EXTENSION_FORMAT,
    EXTENSION_PREFIX,
    POSITIONS_GROUP_GUID,
    Progress,
    norm_guid,
)
from db.exchange.refi_mapping import IMPORT_CODER, Codebook, Users
from db.exchange.refi_positions import Positions
from db.exchange.refi_report import RefiImportReport
from db.exchange.refi_sources import Sources
from db.exchange.refi_write import Writer
from db.exchange.refi_xml import (
    MAX_QDC_BYTES,
    CodeItem,
    archive_member,
    check_project_root,
    child_text,
    children,
    code_items,
    project_member,
    raw_text,
    read_codebook,
    variables,
)
from db.exchange.safe_zip import SafeZip
from db.logic import text as text_logic
from db.models import utcnow

__all__ = [
    "FLUSH_SELECTIONS",
    "FLUSH_SOURCES",
    "IMPORT_CODER",
    "MAX_NOTE_BYTES",
    "MAX_QDC_BYTES",
    "RefiImportReport",
    "import_qdc",
    "import_qdpx",
]

MAX_NOTE_BYTES = 64 * 1024 * 1024
FLUSH_SOURCES = 200
FLUSH_SELECTIONS = 20_000


def import_qdpx(
    session: Session,
    path: str | Path,
    coder_id: int | None = None,
    progress: Progress | None = None,
) -> tuple[RefiImportReport, Changes]:
    """Import a .qdpx archive; ``coder_id`` owns selections that name no user of the file."""
    path = Path(path)
    with SafeZip(path) as archive:
        qde = project_member(archive)
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
    root = read_codebook(Path(path))
    importer = _Importer(session, coder_id, None, "", Path(path).name)
    for codes in children(root, "Codes"):
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


class _Importer:
    """One import: the XML's sections in order, then what can only be done at the end."""

    def __init__(
        self,
        session: Session,
        coder_id: int | None,
        archive: SafeZip | None,
        folder: str,
        label: str,
    ) -> None:
        self.s, self.archive, self.folder, self.label = session, archive, folder, label
        self.report = RefiImportReport()
        self.now = utcnow()
        self.users = Users(session, self.report, coder_id)
        self.codes = Codebook(session, self.report, self.now)
        self.sources = Sources(session, self.report, self.users, archive, folder, self.now)
        self.writer = Writer(session, self.report, self.codes)
        self.held_codes: list[CodeItem] = []
        """The Positions group's codes: codes only if the file has no Marginalia data."""
        self.notes: dict[str, str] = {}
        self.extension: str | None = None

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
                    check_project_root(element, self.label)
                elif depth == 2:
                    section = element
                continue
            name = safe_xml.local(element.tag)
            if depth == 3 and section is not None:
                kind = safe_xml.local(section.tag)
                if kind == "Sources":
                    self.sources.read(element, name)
                    section.remove(element)
                    self._flush_when_full()
                elif kind == "Notes" and name == "Note":
                    self._note(element)
                    section.remove(element)
            elif depth == 2 and root is not None:
                if name == "Users":
                    self.users.add(element)
                elif name == "CodeBook":
                    for codes in children(element, "Codes"):
                        self.codebook(codes)
                elif name == "Variables":
                    self.sources.variables.update(variables(element))
                root.remove(element)
                section = None
        self.finish()

    def codebook(self, codes: Element) -> None:
        """Add the codes missing here. The Positions group we export is held back: it becomes
        codes only if the file turns out to carry no Marginalia data to restore the statements
        from (see ``finish``)."""
        items, held = code_items(codes)
        self.held_codes += held
        self.codes.add(items)

    def _flush_when_full(self) -> None:
        if (
            len(self.sources.batch_docs) >= FLUSH_SOURCES
            or len(self.sources.batch) >= FLUSH_SELECTIONS
        ):
            self.writer.flush(*self.sources.take_batch())

    def _note(self, element: Element) -> None:
        guid = norm_guid(element.get("guid"))
        content = child_text(element, "PlainTextContent")
        if content is not None and content.lstrip().startswith(EXTENSION_PREFIX):
            self.extension = content.lstrip()[len(EXTENSION_PREFIX) :]
            return
        if guid is None:
            return
        if not content and (path := element.get("plainTextPath")):
            member = archive_member(self.archive, self.folder, path)
            if member is not None and self.archive is not None:
                if self.archive.size(member) > MAX_NOTE_BYTES:
                    self.report.skipped["a note too large to read"] += 1
                    return
                content = raw_text(self.archive.read(member, MAX_NOTE_BYTES)) or ""
        if content:
            self.notes[guid] = text_logic.normalise(content).strip()

    # The end ---------------------------------------------------------------------------------
    def finish(self) -> None:
        self.writer.flush(*self.sources.take_batch())
        extension = self._read_extension()
        positions = extension.get("positions") if extension else None
        if not (isinstance(positions, dict) and positions.get("group") == POSITIONS_GROUP_GUID):
            positions = None
        if self.held_codes:
            if positions is None:  # no data to restore statements from: keep them as codes
                self.codes.add(self.held_codes)
            else:
                self.codes.hold_for_statements(self.held_codes)
        self.writer.resolve_pending_tags()
        self.codes.apply_extras(extension.get("codes") if extension else None)
        self.writer.document_extras(extension.get("documents") if extension else None)
        self.writer.apply_notes(self.notes, self.sources.doc_notes)
        if positions is not None:
            Positions(self.s, self.report, self.now, positions).run()

    def _read_extension(self) -> dict[str, Any] | None:
        if self.extension is None:
            return None
        try:
            data = json.loads(self.extension)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict) or data.get("format") != EXTENSION_FORMAT:
            self.report.notes[
                "the Marginalia data note is unreadable; positions were imported as codes"
            ] += 1
            return None
        return data

    def changes(self) -> Changes:
        r = self.report
        return Changes(
            documents=bool(r.documents),
            annotations_of=frozenset(self.writer.touched),
            codebook=bool(r.codes or r.codings),
            positions=bool(r.statements or r.actors or r.issues),
        )
