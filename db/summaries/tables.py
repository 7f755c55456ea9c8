"""The summary workbook: every summary table as an XLSX sheet, or as CSV files in a folder."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.exports.atomic import atomic_path
from db.exports.csvfile import write_csv
from db.logic.csvcells import neutralise
from db.logic.summary import (
    StatementFact,
    Table,
    TagFact,
    actor_issue_matrix,
    code_frequencies,
    statements_per_month,
)
from db.models import Annotation, AnnotationCode, Code, Coder, Document
from db.ops.positions import stance_scale
from db.queries.codes import code_paths
from db.queries.positions import StatementFilter, list_statements


def statement_facts(
    session: Session, criteria: StatementFilter | None = None
) -> list[StatementFact]:
    return [
        StatementFact(s.document_id, s.published, s.outlet, s.coder, s.actor, s.issue, s.stance)
        for s in list_statements(session, criteria)
    ]


def tag_facts(session: Session, coders: frozenset[str] | None = None) -> list[TagFact]:
    paths = code_paths(list(session.execute(select(Code.id, Code.name, Code.parent_id))))
    query = (
        select(Document.title, Document.outlet, Coder.name, AnnotationCode.code_id)
        .join(Annotation, Annotation.id == AnnotationCode.annotation_id)
        .join(Document, Document.id == Annotation.document_id)
        .join(Coder, Coder.id == Annotation.coder_id)
        .join(Code, Code.id == AnnotationCode.code_id)
        .where(
            Annotation.deleted_at.is_(None),
            Document.deleted_at.is_(None),
            Code.deleted_at.is_(None),
        )
    )
    if coders is not None:
        query = query.where(Coder.name.in_(coders))
    return [TagFact(t, o, c, paths[code]) for t, o, c, code in session.execute(query)]


def summary_tables(session: Session, criteria: StatementFilter | None = None) -> list[Table]:
    facts = statement_facts(session, criteria)
    tags = tag_facts(session, criteria.coders if criteria else None)
    scale = [(lv.value, lv.label) for lv in stance_scale(session)]
    return [
        actor_issue_matrix(facts, scale),
        code_frequencies(tags, "document"),
        code_frequencies(tags, "coder"),
        code_frequencies(tags, "outlet"),
        statements_per_month(facts),
    ]


def write_summary(tables: list[Table], target: str | Path) -> list[Path]:
    """An .xlsx workbook (one sheet per table), or a folder of CSV files for any other path."""
    target = Path(target)
    if target.suffix.lower() == ".xlsx":
        _write_workbook(tables, target)
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = target / f"{table.name.lower().replace(' ', '_')}.csv"
        write_csv(path, table.header, ([neutralise(c) for c in row] for row in table.rows))
        written.append(path)
    return written


def _write_workbook(tables: list[Table], target: Path) -> None:
    from openpyxl import Workbook  # imported on first workbook: not every start pays
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.freeze_panes = "A2"
        header = []
        for title in table.header:
            cell = _cell(sheet, title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([neutralise(v) for v in row])
    with atomic_path(target) as tmp:
        workbook.save(tmp)


def _cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell(sheet, value=value)
