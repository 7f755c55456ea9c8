"""Text sources of a REFI-QDA file as article rows and highlight rows, not yet written.

An article is matched by GUID, then by the SHA-256 of its text; a known one gets the file's
highlights only if its text is the file's (positions would not fit another text). A source's
text comes inline (``PlainTextContent``) or from the archive (``plainTextPath``), is checked like
any imported article, and its selections' positions are re-counted when the file evidently
counts UTF-16 units or line breaks differently (``refi_offsets``). A selection coded by several
users splits into one highlight per coder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.exchange import safe_xml
from db.exchange.refi_common import (
    VARIABLE_FIELDS,
    derived_guid,
    norm_guid,
    parse_date,
    parse_datetime,
)
from db.exchange.refi_mapping import Users
from db.exchange.refi_offsets import Selection, SourceText, resolve
from db.exchange.refi_report import RefiImportReport
from db.exchange.refi_xml import (
    MiB,
    archive_member,
    child_text,
    children,
    clean,
    raw_text,
    selection_parts,
)
from db.exchange.safe_zip import SafeZip
from db.logic import text as text_logic
from db.logic.metadata import infer_title
from db.logic.offsets import quote
from db.models import Document

LIMITS = {"title": 500, "outlet": 200, "author": 300, "url": 2000, "language": 20}
"""Longest value kept of a document field a variable fills."""


@dataclass
class Doc:
    id: int | None
    row: dict[str, Any] | None = None
    """Values of a new article (None: the article exists already)."""
    text: str = ""


@dataclass
class Highlight:
    doc: Doc
    row: dict[str, Any]
    codes: list[str]
    """The file's code GUIDs."""
    notes: list[str]
    """The file's note GUIDs (their text joins the memo at the end)."""


class Sources:
    """Reads ``TextSource`` elements into ``batch_docs`` and ``batch`` (highlights)."""

    def __init__(
        self,
        session: Session,
        report: RefiImportReport,
        users: Users,
        archive: SafeZip | None,
        folder: str,
        now: Any,
    ) -> None:
        self.report, self.users, self.archive, self.folder, self.now = (
            report, users, archive, folder, now,
        )  # fmt: skip
        self.doc_by_guid = {
            g: (i, deleted is not None, sha)
            for g, i, deleted, sha in session.execute(
                select(Document.uuid, Document.id, Document.deleted_at, Document.sha256)
            )
        }
        self.doc_by_sha = {sha: (i, deleted) for _, (i, deleted, sha) in self.doc_by_guid.items()}
        self.new_by_sha: dict[str, Doc] = {}
        self.variables: dict[str, str] = {}
        """Variable GUID → name (from ``<Variables>``, which comes before the sources)."""
        self.seen_selections: set[str] = set()
        self.batch_docs: list[Doc] = []
        self.batch: list[Highlight] = []
        self.doc_notes: list[tuple[Doc, list[str]]] = []
        self._guids: dict[str, str] = {}

    def take_batch(self) -> tuple[list[Doc], list[Highlight]]:
        """The articles and highlights read since the last call, handed over for writing."""
        docs, highlights = self.batch_docs, self.batch
        self.batch_docs, self.batch = [], []
        return docs, highlights

    def read(self, element: Element, kind: str) -> None:
        """One child of ``<Sources>``: a text source becomes an article and its highlights."""
        if kind != "TextSource":
            self.report.skipped[f"{kind} (only text sources are imported)"] += 1
            return
        name = clean(element.get("name"), 500)
        label = f"source “{name or element.get('guid')}”"
        text = self._source_text(element, label)
        selections = list(children(element, "PlainTextSelection"))
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
        if note_refs := [norm_guid(r.get("targetGUID")) for r in children(element, "NoteRef")]:
            self.doc_notes.append((doc, [g for g in note_refs if g]))
        whole = sum(1 for _ in children(element, "Coding"))
        if whole:
            self.report.skipped["codings of a whole source (not a text passage)"] += whole
        if selections:
            self._selections(doc, text, selections)

    def _source_text(self, element: Element, label: str) -> SourceText | None:
        """The source's text (inline or from the archive), checked like any imported article."""
        inline = child_text(element, "PlainTextContent")
        if inline is not None and inline.strip():
            data, raw = inline.encode("utf-8"), inline
        else:
            path = element.get("plainTextPath")
            if not path:
                what = "only a rich-text file" if element.get("richTextPath") else "no text"
                self.report.skipped[f"{label}: it has {what}"] += 1
                return None
            member = archive_member(self.archive, self.folder, path)
            if member is None or self.archive is None:
                self.report.skipped[f"{label}: its text file {path} is not in the archive"] += 1
                return None
            size = self.archive.size(member)
            if size > text_logic.MAX_FILE_BYTES:
                self.report.skipped[
                    f"{label}: too large ({size / MiB:.1f} MB; the limit is "
                    f"{text_logic.MAX_FILE_BYTES // MiB} MB)"
                ] += 1
                return None
            data = self.archive.read(member, text_logic.MAX_FILE_BYTES)
            raw = raw_text(data)
        try:
            stored = text_logic.decode(data)
        except text_logic.TextRejected as exc:
            self.report.skipped[f"{label}: {exc}"] += 1
            return None
        source = SourceText(raw) if raw is not None else None
        if source is None or source.stored != stored:  # another encoding: offsets as stored
            source = SourceText(stored)
        return source

    def _document(self, element: Element, name: str, text: SourceText) -> Doc | None:
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
            return Doc(doc_id, None, text.stored)
        if sha in self.new_by_sha:  # the same text twice in one file
            self.report.notes["a source repeats another source's text (merged)"] += 1
            return self.new_by_sha[sha]
        row: dict[str, Any] = {
            "uuid": guid,
            "title": name or infer_title(text.stored)[:500] or "Untitled",
            "text": text.stored,
            "sha256": sha,
            "memo": child_text(element, "Description") or "",
            "source_name": name or None,
            "extra": {},
            "imported_at": parse_datetime(element.get("creationDateTime")) or self.now,
            **dict.fromkeys(("outlet", "author", "published", "url", "language")),
        }
        for value in children(element, "VariableValue"):
            self._variable_value(row, value)
        doc = Doc(None, row, text.stored)
        self.new_by_sha[sha] = doc
        self.batch_docs.append(doc)
        return doc

    def _variable_value(self, row: dict[str, Any], element: Element) -> None:
        ref = next(children(element, "VariableRef"), None)
        name = (
            self.variables.get(norm_guid(ref.get("targetGUID")) or "") if ref is not None else None
        )
        values = [c for c in element if safe_xml.local(c.tag) != "VariableRef"]
        if not name or not values or values[0].text is None:
            return
        value = values[0].text.strip()
        field_name = VARIABLE_FIELDS.get(name.casefold())
        if field_name == "published":
            if (published := parse_date(value)) is not None:
                row["published"] = published
                return
            field_name = None
        if field_name is None:
            row["extra"][name] = value
        elif value:
            row[field_name] = value[: LIMITS[field_name]]

    def _selections(self, doc: Doc, source: SourceText, elements: list[Element]) -> None:
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

    def _highlights(self, doc: Doc, text: str, element: Element, span: tuple[int, int]) -> None:
        """One highlight per coder: a selection coded by several users splits."""
        guid = norm_guid(element.get("guid")) or derived_guid(
            "selection", doc.row["uuid"] if doc.row else str(doc.id), *map(str, span)
        )
        if guid in self.seen_selections:
            guid = derived_guid(guid, str(len(self.seen_selections)))
        self.seen_selections.add(guid)
        parts = selection_parts(element, self.guid)
        if parts.codeless:
            self.report.skipped["a coding without a code"] += parts.codeless
        owner = parts.owner
        created = parse_datetime(element.get("creationDateTime")) or self.now
        modified = parse_datetime(element.get("modifiedDateTime")) or created
        cited = quote(text, *span)
        for user, codes in parts.codes_by_user.items():
            primary = user == owner
            row = {
                "uuid": guid if primary else derived_guid(guid, user or ""),
                "coder_id": self.users.coder(user),
                "start": span[0],
                "end": span[1],
                "quote": cited.exact,
                "prefix": cited.prefix,
                "suffix": cited.suffix,
                "memo": parts.memo if primary else "",
                "created_at": created,
                "modified_at": modified,
            }
            codes = list(dict.fromkeys(codes)) if len(codes) > 1 else codes
            self.batch.append(Highlight(doc, row, codes, parts.notes if primary else []))

    def guid(self, raw: str | None) -> str | None:
        """``norm_guid`` for the few GUIDs referred to again and again (users, codes)."""
        if raw is None:
            return None
        found = self._guids.get(raw)
        if found is None:
            found = self._guids[raw] = norm_guid(raw) or ""
        return found or None
