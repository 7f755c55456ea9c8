"""The summary workbook: every summary table as an XLSX sheet, or as CSV files in a folder."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

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

    Written as SpreadsheetML directly: openpyxl (even write-only) spent ~7 µs a cell building
    and serialising a cell object, 2-2.5 s for the 330,000 cells of a 100,000-statement
    project's summary; a string per row takes 0.4 s. What openpyxl wrote is kept: shared
    strings, the bold header (style 1), the pane frozen below it, text cut at Excel's 32,767
    characters. Characters XML cannot carry (control characters), which openpyxl refused with
    an error, are dropped. Read back with openpyxl, it equals the CSV folder (tested).
    """
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as book:
        strings: dict[str, int] = {}
        names = [xml_escape(table.name[:31], {'"': "&quot;"}) for table in tables]
        for number, table in enumerate(tables, 1):
            raw = book.open(f"xl/worksheets/sheet{number}.xml", "w")
            with io.TextIOWrapper(raw, encoding="utf-8", newline="") as sheet:
                _write_sheet(sheet, table, strings)
        book.writestr("xl/sharedStrings.xml", _shared_strings(strings))
        book.writestr("xl/styles.xml", _STYLES)
        book.writestr("xl/workbook.xml", _workbook_xml(names))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(tables)))
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("[Content_Types].xml", _content_types(len(tables)))


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_FROZEN_HEADER = (
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    "</sheetView></sheetViews>"
)


def _write_sheet(out: io.TextIOWrapper, table: Table, strings: dict[str, int]) -> None:
    def text(value: str) -> str:
        index = strings.get(value)
        if index is None:
            index = strings[value] = len(strings)
        return f't="s"><v>{index}</v></c>'

    def cell(value: Any) -> str:
        # what follows '<c r="B2" ' for the value
        if isinstance(value, str):
            return text(value)
        if isinstance(value, bool):
            return f't="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            return f"><v>{value!r}</v></c>"
        raise TypeError(f"a summary cell holds text or a number, not {value!r}")

    columns = [_column_letter(i) for i in range(len(table.header))]
    out.write(f'{_XML}<worksheet xmlns="{_MAIN}">{_FROZEN_HEADER}<sheetData><row r="1">')
    out.write(
        "".join(f'<c r="{c}1" s="1" {text(v)}' for c, v in zip(columns, table.header, strict=True))
    )
    out.write("</row>")
    for number, row in enumerate(table.rows, 2):
        cells = "".join(
            f'<c r="{c}{number}" {cell(neutralise(v))}'
            for c, v in zip(columns, row, strict=True)
            if v is not None
        )
        out.write(f'<row r="{number}">{cells}</row>')
    out.write("</sheetData></worksheet>")


def _column_letter(index: int) -> str:
    """A, B, ... Z, AA, AB, ... for the 0-based column ``index``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _shared_strings(strings: dict[str, int]) -> str:
    items = []
    for value in strings:  # in index order: dicts keep insertion order
        value = _CONTROL.sub("", value[:32767])
        space = ' xml:space="preserve"' if value != value.strip() else ""
        items.append(f"<si><t{space}>{xml_escape(value)}</t></si>")
    count = len(strings)
    return f'{_XML}<sst xmlns="{_MAIN}" uniqueCount="{count}">{"".join(items)}</sst>'


def _workbook_xml(names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1)
    )
    return f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'


def _workbook_rels(sheets: int) -> str:
    parts = [
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    ]
    parts.append(f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>')
    parts.append(
        f'<Relationship Id="rId{sheets + 2}" Type="{_REL}/sharedStrings" '
        'Target="sharedStrings.xml"/>'
    )
    return f'{_XML}<Relationships xmlns="{_PACKAGE_REL}">{"".join(parts)}</Relationships>'


def _content_types(sheets: int) -> str:
    parts = [
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        f'<Override PartName="/xl/workbook.xml" ContentType="{_SPREADSHEET}.sheet.main+xml"/>',
        f'<Override PartName="/xl/styles.xml" ContentType="{_SPREADSHEET}.styles+xml"/>',
        f'<Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="{_SPREADSHEET}.sharedStrings+xml"/>',
    ]
    parts += [
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="{_SPREADSHEET}.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    ]
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f"{''.join(parts)}</Types>"
    )
