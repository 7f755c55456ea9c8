"""Import annotations from JSON Lines: machine suggestions or scripted fixtures.

One JSON object per line::

    {"document": 12 | "exact title", "start": 0, "end": 42}  or  {"quote": "...", "occurrence": 1}
    + optional "codes": ["Parent/Child"], "memo": "...", "coder": "name",
      "statements": [{"actor": "Hamas", "issue": "Truce", "stance": -1 | "oppose",
                      "source": "...", "certainty": 0.8}]

Missing codes, actors and issues are created and reported; a line that does not resolve is
reported with its number and skipped; the rest goes in as one transaction and one undo step.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.changes import Changes
from db.errors import MarginaliaError
from db.models import Annotation, Code, Coder, Document
from db.ops import codebook, positions
from db.ops.annotating import add_tags, tag_spans
from db.ops.history import Recorder


@dataclass
class AnnotationImportReport:
    annotations: int = 0
    statements: int = 0
    created: list[str] = field(default_factory=list)  # "code A/B", "actor Hamas", ...
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    def summary(self) -> str:
        parts = [f"{self.annotations} annotation(s), {self.statements} statement(s) imported"]
        if self.created:
            parts.append(f"created {', '.join(self.created)}")
        if self.skipped:
            parts.append(f"{len(self.skipped)} line(s) skipped")
        return "; ".join(parts)

    def details(self) -> str:
        return "\n".join(f"line {n}: {reason}" for n, reason in self.skipped)


def _list(item: dict, key: str) -> list:
    value = item.get(key) or []
    if not isinstance(value, list):
        raise _Skip(f'"{key}" must be a list')
    return value


class _Skip(Exception):
    """This line cannot be imported; the message says why."""


class _Importer:
    def __init__(self, session: Session, coder_id: int, recorder: Recorder) -> None:
        self.session, self.coder_id, self.recorder = session, coder_id, recorder
        self.report = AnnotationImportReport()
        self.codes: dict[tuple[int | None, str], int] = {
            (parent, name.casefold()): code_id
            for code_id, name, parent in session.execute(
                select(Code.id, Code.name, Code.parent_id).where(Code.deleted_at.is_(None))
            )
        }

    def line(self, item: dict) -> None:
        if not isinstance(item, dict):
            raise _Skip("not a JSON object")
        document_id, text = self._document(item.get("document"))
        start, end = self._span(item, text)
        coder_id = self._coder(item.get("coder"))
        code_ids = [self._code(path) for path in _list(item, "codes")]
        ids, _ = tag_spans(self.session, self.recorder, document_id, coder_id, [(start, end)], [])
        add_tags(self.session, ids, code_ids)
        if item.get("memo"):
            self.session.get(Annotation, ids[0]).memo = str(item["memo"])
        for statement in _list(item, "statements"):
            if not isinstance(statement, dict):
                raise _Skip("a statement is not a JSON object")
            positions.code_statement(
                self.session,
                coder_id,
                document_id,
                start,
                end,
                self._actor(statement.get("actor")),
                self._issue(statement.get("issue")),
                statement.get("stance", 0),
                str(statement.get("source") or ""),
                statement.get("certainty"),
                recorder=self.recorder,
            )
            self.report.statements += 1
        self.report.annotations += 1

    def _document(self, ref) -> tuple[int, str]:
        query = select(Document.id, Document.text).where(Document.deleted_at.is_(None))
        if isinstance(ref, int) and not isinstance(ref, bool):
            row = self.session.execute(query.where(Document.id == ref)).first()
        elif isinstance(ref, str) and ref.strip():
            row = self.session.execute(query.where(Document.title == ref.strip())).first()
        else:
            raise _Skip('no "document" (an id or an exact title)')
        if row is None:
            raise _Skip(f"unknown document {ref!r}")
        return row[0], row[1]

    def _span(self, item: dict, text: str) -> tuple[int, int]:
        if "start" in item or "end" in item:
            start, end = item.get("start"), item.get("end")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                raise _Skip("start and end must be whole numbers")
            if not 0 <= start < end <= len(text):
                raise _Skip(f"offsets {start}..{end} are outside the text (0..{len(text)})")
            return start, end
        quote = item.get("quote")
        if not isinstance(quote, str) or not quote:
            raise _Skip("neither start/end nor a quote")
        occurrence = item.get("occurrence", 1)
        if not isinstance(occurrence, int) or occurrence < 1:
            raise _Skip("occurrence counts from 1")
        start = -1
        for _ in range(occurrence):
            start = text.find(quote, start + 1)
            if start < 0:
                raise _Skip(f"quote not found (occurrence {occurrence}): {quote[:60]!r}")
        return start, start + len(quote)

    def _coder(self, name) -> int:
        if not name:
            return self.coder_id
        name = str(name).strip()
        coder_id = self.session.scalar(select(Coder.id).where(Coder.name == name))
        if coder_id is None:
            coder = Coder(name=name)
            self.session.add(coder)
            self.session.flush()
            coder_id = coder.id
            self.report.created.append(f"coder {name}")
        return coder_id

    def _code(self, path) -> int:
        parent = None
        parts = [p.strip() for p in str(path).split("/") if p.strip()]
        if not parts:
            raise _Skip(f"empty code path {path!r}")
        for depth, name in enumerate(parts):
            key = (parent, name.casefold())
            if key not in self.codes:
                self.codes[key], _ = codebook.create_code(
                    self.session, name, parent_id=parent, recorder=self.recorder
                )
                self.report.created.append(f"code {'/'.join(parts[: depth + 1])}")
            parent = self.codes[key]
        return parent

    def _actor(self, name) -> int:
        return self._named(name, "actor", positions.find_or_create_actor)

    def _issue(self, name) -> int:
        return self._named(name, "issue", positions.find_or_create_issue)

    def _named(self, name, label: str, find_or_create) -> int:
        if not isinstance(name, str) or not name.strip():
            raise _Skip(f"a statement has no {label}")
        row_id, created = find_or_create(self.session, name, self.recorder)
        if created:
            self.report.created.append(f"{label} {' '.join(name.split())}")
        return row_id


def import_annotations(
    session: Session, lines: Iterable[str], coder_id: int, label: str = "JSON Lines"
) -> tuple[AnnotationImportReport, Changes]:
    recorder = Recorder(session, coder_id, "import_annotations")
    importer = _Importer(session, coder_id, recorder)
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            importer.report.skipped.append((number, f"not valid JSON ({exc.msg})"))
            continue
        report = importer.report
        undo = (dict(importer.codes), len(report.created), report.statements, report.annotations)
        savepoint = session.begin_nested()
        try:
            importer.line(item)
        except (_Skip, MarginaliaError, ValueError, TypeError) as exc:
            savepoint.rollback()  # the line leaves nothing, not even the codes it created
            importer.codes, created, report.statements, report.annotations = undo
            del report.created[created:]
            report.skipped.append((number, str(exc)))
        else:
            savepoint.commit()
    report = importer.report
    recorder.summary = f"Import {report.annotations} annotation(s) from {label}"
    return report, recorder.finish()
