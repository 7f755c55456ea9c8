"""The summary workbook: every summary table as an XLSX sheet, or as CSV files in a folder."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.exports.atomic import atomic_path
from db.exports.csvfile import write_csv
from db.logic.csvcells import neutralise
from db.logic.summary import (
    StatementFact,
    Table,
    TagFact,
    actor_issue_matrix,
    code_frequency_table,
    statements_per_month,
    tag_tallies,
)
from db.models import Annotation, AnnotationCode, Code, Coder, Document
from db.ops.positions import stance_scale
from db.queries.codes import code_paths
from db.queries.positions import StatementFilter, list_statement_facts


def statement_facts(
    session: Session, criteria: StatementFilter | None = None
) -> list[StatementFact]:
    return list_statement_facts(session, criteria)


def tag_facts(session: Session, coders: frozenset[str] | None = None) -> list[TagFact]:
    """One row per code on a live annotation of a live document (row by row: the tests' check
    of ``tag_tallies``, which the summaries count from instead)."""
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


def tag_counts(
    session: Session, coders: frozenset[str] | None = None
) -> dict[str, Counter[tuple[str, str]]]:
    """What ``code_frequencies`` counts from ``tag_facts``, by "document", "coder" and "outlet",
    counted per (coder, code, document) in SQL and summed up here.

    With 760,000 tags, fetching one row per tag (with its document's title) took 5 s; the
    grouped counts are 340,000 rows of ids. Deleted documents and codes are left out here, not
    joined in SQL: joined, SQLite read the annotations through the document index, in random
    order (3 s instead of 1 s). The coder comes first in the grouping for the same reason: its
    index reads the annotations of one coder in table order.
    """
    all_codes = list(session.execute(select(Code.id, Code.name, Code.parent_id)))
    paths = code_paths(all_codes)
    live_codes = set(session.scalars(select(Code.id).where(Code.deleted_at.is_(None))))
    documents = {
        id_: (title, outlet)
        for id_, title, outlet in session.execute(
            select(Document.id, Document.title, Document.outlet).where(
                Document.deleted_at.is_(None)
            )
        )
    }
    names = select(Coder.id, Coder.name)
    if coders is not None:
        names = names.where(Coder.name.in_(coders))
    coder_names = dict(session.execute(names).all())
    query = (
        select(Annotation.coder_id, AnnotationCode.code_id, Annotation.document_id, func.count())
        .join(Annotation, Annotation.id == AnnotationCode.annotation_id)
        .where(Annotation.deleted_at.is_(None))
        .group_by(Annotation.coder_id, AnnotationCode.code_id, Annotation.document_id)
    )
    if coders is not None:
        query = query.where(Annotation.coder_id.in_(coder_names))
    return tag_tallies(
        session.execute(query),
        documents,
        coder_names,
        {id_: path for id_, path in paths.items() if id_ in live_codes},
    )


def summary_tables(session: Session, criteria: StatementFilter | None = None) -> list[Table]:
    facts = statement_facts(session, criteria)
    tags = tag_counts(session, criteria.coders if criteria else None)
    scale = [(lv.value, lv.label) for lv in stance_scale(session)]
    return [
        actor_issue_matrix(facts, scale),
        code_frequency_table(tags["document"], "document"),
        code_frequency_table(tags["coder"], "coder"),
        code_frequency_table(tags["outlet"], "outlet"),
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
    """One sheet per table: a bold header row, frozen, then the rows as numbers and text.

    openpyxl in write-only mode, rows appended as plain values (a styled cell object per
    value cost ~2 s on a 100,000-statement summary); characters a workbook cannot hold
    (control characters, which openpyxl refuses) are dropped, text is cut at Excel's 32,767.
    """
    from openpyxl import Workbook  # imported on first workbook: not every start pays
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    # Every value checked before the first is written: a write-only sheet left half-written
    # by an error complains again when it is collected.
    sheets = [
        (table, [[_value(neutralise(v)) for v in row] for row in table.rows]) for table in tables
    ]
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table, rows in sheets:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.freeze_panes = "A2"
        header = [WriteOnlyCell(sheet, value=_value(title)) for title in table.header]
        for cell in header:
            cell.font = bold
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    with atomic_path(target) as tmp:
        workbook.save(tmp)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("", value[:32767])
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a summary cell holds text or a number, not {value!r}")
