"""Writing what an import read: articles, highlights and their codes in batches, then at the
end the codings whose code came later, memos kept in Notes, and article metadata.

Highlights whose GUID the project has already are left as they are; only the codes they lack
are added to them. Two codes of the file that are one code here tag a highlight once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.exchange.refi_bulk import insert_returning_ids, insert_rows, lookup, update_rows
from db.exchange.refi_mapping import Codebook
from db.exchange.refi_report import RefiImportReport
from db.exchange.refi_sources import Doc, Highlight
from db.logic.chunks import chunks
from db.models import Annotation, AnnotationCode, Document
from db.ops.annotating import add_tag_pairs

DOCUMENT_CHUNK = 200
"""Articles per INSERT: their texts make the rows large."""


class Writer:
    def __init__(self, session: Session, report: RefiImportReport, codes: Codebook) -> None:
        self.s, self.report, self.codes = session, report, codes
        self.had_annotations = session.scalar(select(func.count()).select_from(Annotation)) or 0
        self.new_docs: dict[str, int] = {}
        """GUID → id of the articles this import created."""
        self.pending_tags: list[tuple[int, str]] = []
        """(highlight id, code GUID) of codings whose code the file had not named yet."""
        self.memo_notes: list[tuple[str, list[str]]] = []
        """(highlight GUID, note GUIDs) of new highlights whose memo is in Notes."""
        self.touched: set[int] = set()
        """Articles whose highlights changed."""

    def flush(self, docs: list[Doc], highlights: list[Highlight]) -> None:
        """Write a batch: new articles, then highlights, then their codes."""
        new = [d for d in docs if d.id is None and d.row is not None]
        for chunk in chunks(new, DOCUMENT_CHUNK):
            ids = insert_returning_ids(self.s, Document, [d.row for d in chunk])
            for doc, doc_id in zip(chunk, ids, strict=True):
                doc.id = doc_id
                self.new_docs[doc.row["uuid"]] = doc_id
                doc.row = {"uuid": doc.row["uuid"], "memo": doc.row["memo"]}  # text is written
                doc.text = ""
        self.report.documents += len(new)
        if not highlights:
            return
        known: dict[str, int] = {}
        if self.had_annotations:
            known = lookup(
                self.s, Annotation.uuid, Annotation.id, [h.row["uuid"] for h in highlights]
            )
        fresh = [h for h in highlights if h.row["uuid"] not in known]
        for h in fresh:
            h.row["document_id"] = h.doc.id
        ids = insert_returning_ids(self.s, Annotation, [h.row for h in fresh])
        self.report.annotations += len(fresh)
        self.report.known_rows += len(highlights) - len(fresh)
        tags: list[dict[str, int]] = []
        old_pairs: list[tuple[int, int]] = []
        paired: set[tuple[int, int]] = set()
        code_ids = self.codes.ids
        for h, annotation_id in [*zip(fresh, ids, strict=True), *(
            (h, known[h.row["uuid"]]) for h in highlights if h.row["uuid"] in known
        )]:  # fmt: skip
            self.touched.add(h.doc.id)
            if h.notes and h.row["uuid"] not in known:
                self.memo_notes.append((h.row["uuid"], h.notes))
            for guid in h.codes:
                if guid not in code_ids:
                    self.pending_tags.append((annotation_id, guid))
                elif (code_id := code_ids[guid]) is None:
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
        insert_rows(self.s, AnnotationCode, rows)
        self.report.codings += len(rows)

    def resolve_pending_tags(self) -> None:
        """Codings of codes the file named after the selection (all codes are known now)."""
        rows, seen = [], set()
        for annotation_id, guid in self.pending_tags:
            code_id = self.codes.ids.get(guid)
            if code_id == -1:
                continue  # a statement's coding: the statement itself is restored
            if code_id is None:
                self.report.skipped["a coding of a code that is not in the codebook"] += 1
            elif (annotation_id, code_id) not in seen:
                seen.add((annotation_id, code_id))
                rows.append({"annotation_id": annotation_id, "code_id": code_id})
        self._tag(rows)

    def document_extras(self, extras: Any) -> None:
        """Source names and free metadata of new articles, from the Marginalia data."""
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
        update_rows(self.s, Document, "id", updates)

    def apply_notes(self, notes: dict[str, str], doc_notes: list[tuple[Doc, list[str]]]) -> None:
        """Memos that the file keeps in Notes (NoteRef) join the highlight's or article's memo."""
        updates = []
        for annotation_guid, refs in self.memo_notes:
            texts = [notes[g] for g in refs if notes.get(g)]
            if texts:
                updates.append({"uuid_": annotation_guid, "texts": texts})
        if updates:
            memos = lookup(self.s, Annotation.uuid, Annotation.memo, [u["uuid_"] for u in updates])
            update_rows(
                self.s,
                Annotation,
                "uuid",
                [
                    {"uuid_": u["uuid_"], "memo": join_memo(memos.get(u["uuid_"], ""), u["texts"])}
                    for u in updates
                ],
            )
        for doc, refs in doc_notes:
            texts = [notes[g] for g in refs if notes.get(g)]
            if texts and doc.row is not None and doc.id is not None:
                update_rows(
                    self.s,
                    Document,
                    "id",
                    [{"id_": doc.id, "memo": join_memo(doc.row["memo"], texts)}],
                )


def join_memo(memo: str, texts: Iterable[str]) -> str:
    return "\n\n".join(t for t in (memo, *texts) if t)
