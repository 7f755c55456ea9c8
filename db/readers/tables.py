"""Tables of articles (.csv, .xlsx): one article per row, through a column mapping.

The mapping says which column holds the text (required) and which the title, date, outlet,
author and URL; every other non-empty cell is kept in the article's ``extra`` metadata under its
column name, so nothing in the spreadsheet is lost. ``guess_mapping`` proposes a mapping from
the header names (English and a few German/French/Spanish words), which the import dialog shows
and the command line uses as is.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path

from db.logic import text as text_logic
from db.readers import ArticleDraft

FIELDS = ("text", "title", "published", "outlet", "author", "url")
HINTS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "fulltext", "full text", "texte", "volltext"),
    "title": ("title", "headline", "heading", "titel", "titre", "titulo", "überschrift"),
    "published": ("published", "date", "pubdate", "publication date", "datum", "fecha"),
    "outlet": ("outlet", "source", "publication", "newspaper", "medium", "site", "quelle"),
    "author": ("author", "authors", "byline", "autor", "auteur"),
    "url": ("url", "link", "permalink", "href"),
}
MAX_ROWS = 200_000
PREVIEW_ROWS = 5


@dataclass(frozen=True, slots=True)
class TableMapping:
    """Column names (as in the header) for each article field; None: not in the table."""

    text: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None

    def with_field(self, field: str, column: str | None) -> TableMapping:
        return replace(self, **{field: column})

    def used(self) -> set[str]:
        return {getattr(self, f.name) for f in fields(self)} - {None}


@dataclass(frozen=True, slots=True)
class Table:
    columns: list[str]
    rows: list[list[object]]


def read_table(path: Path) -> Table:
    """The header and rows of a .csv or .xlsx file (first sheet), or TextRejected."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise text_logic.TextRejected(f"cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise text_logic.TextRejected("empty file")
    table = _read_xlsx(data) if suffix == ".xlsx" else _read_csv(data)
    if not table.columns:
        raise text_logic.TextRejected("no header row with column names")
    if len(table.rows) > MAX_ROWS:
        raise text_logic.TextRejected(f"more than {MAX_ROWS:,} rows; split the table")
    return table


def _read_csv(data: bytes) -> Table:
    try:
        decoded = text_logic.decode(data)
    except text_logic.TextRejected as exc:
        raise text_logic.TextRejected(f"not a readable CSV file: {exc}") from exc
    sample = decoded[:20_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(decoded), dialect))
    header, body = _split_header(rows)
    return Table(header, body)


def _read_xlsx(data: bytes) -> Table:
    import openpyxl  # only when a workbook is read: it takes a moment to import

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise text_logic.TextRejected("not a readable Excel workbook (.xlsx)") from exc
    try:
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    header, body = _split_header(rows)
    return Table(header, body)


def _split_header(rows: list[list[object]]) -> tuple[list[str], list[list[object]]]:
    """The first non-empty row names the columns (blank names become "column N")."""
    rows = [r for r in rows if any(_cell(v) for v in r)]
    if not rows:
        return [], []
    header = [_cell(v) or f"column {i}" for i, v in enumerate(rows[0], 1)]
    seen: dict[str, int] = {}
    unique = []
    for name in header:  # two columns called "date" stay apart
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique, rows[1:]


def guess_mapping(columns: list[str]) -> TableMapping:
    """The first column whose name matches each field's hints (exact, then contained)."""
    mapping = TableMapping()
    taken: set[str] = set()
    for field in FIELDS:
        for exact in (True, False):
            found = next(
                (
                    c
                    for c in columns
                    if c not in taken and _matches(_norm(c), HINTS[field], exact=exact)
                ),
                None,
            )
            if found:
                mapping = mapping.with_field(field, found)
                taken.add(found)
                break
    return mapping


def guess_text_column(table: Table) -> str | None:
    """The column with the most characters in the first rows: where the article text lives."""
    if not table.columns:
        return None
    totals = [0] * len(table.columns)
    for row in table.rows[:50]:
        for i, value in enumerate(row[: len(totals)]):
            totals[i] += len(_cell(value))
    best = max(range(len(totals)), key=totals.__getitem__)
    return table.columns[best] if totals[best] else None


def full_guess(table: Table) -> TableMapping:
    """Header hints, and for the text without a hint: the column with the longest cells."""
    mapping = guess_mapping(table.columns)
    if mapping.text is None:
        mapping = mapping.with_field("text", guess_text_column(table))
    return mapping


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().casefold())


def _matches(name: str, hints: tuple[str, ...], *, exact: bool) -> bool:
    return name in hints if exact else any(re.search(rf"\b{re.escape(h)}\b", name) for h in hints)


def drafts(path: Path, table: Table, mapping: TableMapping) -> Iterator[ArticleDraft]:
    """One draft per row (rows whose text cell is empty give an empty draft, which the importer
    reports as such); other non-empty cells go to ``extra``."""
    if missing := sorted(mapping.used() - set(table.columns)):
        raise text_logic.TextRejected(f"no column named {', '.join(missing)}")
    if mapping.text is None:
        raise text_logic.TextRejected("choose the column that holds the article text")
    index = {c: i for i, c in enumerate(table.columns)}
    used = mapping.used()
    for number, row in enumerate(table.rows, 2):  # row 1 is the header, as a spreadsheet shows

        def cell(column: str | None, row=row) -> object:
            if column is None or index[column] >= len(row):
                return None
            return row[index[column]]

        extra = {
            c: _json_value(row[i])
            for c, i in index.items()
            if c not in used and i < len(row) and _cell(row[i])
        }
        raw_date = cell(mapping.published)
        published = parse_date(raw_date)
        if raw_date is not None and _cell(raw_date) and published is None:
            extra[mapping.published or "date"] = _cell(raw_date)  # kept, not lost
        yield ArticleDraft(
            name=f"{path.name} row {number}",
            text=text_logic.normalise(_cell(cell(mapping.text))),
            title=_cell(cell(mapping.title)) or None,
            published=published,
            outlet=_cell(cell(mapping.outlet)) or None,
            author=_cell(cell(mapping.author)) or None,
            url=_cell(cell(mapping.url)) or None,
            extra=extra,
        )


def read_drafts(path: Path, mapping: TableMapping | None = None) -> list[ArticleDraft]:
    """The reader the importer calls: a table file with a mapping (guessed when not given)."""
    table = read_table(path)
    return list(drafts(path, table, mapping or full_guess(table)))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _json_value(value: object) -> object:
    return value if isinstance(value, int | float | bool) else _cell(value)


_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def parse_date(value: object) -> date | None:
    """Dates as spreadsheets hold them: a date cell, ISO text, or D.M.YYYY / D/M/YYYY (day first
    when the day is over 12 or the separator is a dot; month first otherwise, as in US tables);
    anything else is None (and the raw text is kept in extra)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = _cell(value)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        pass
    if match := _DAY_FIRST.match(raw):
        a, b, year = (int(g) for g in match.groups())
        day, month = (a, b) if "." in raw or a > 12 else (b, a)
        try:
            return date(year, month, day)
        except ValueError:
            return None
    try:
        return datetime.strptime(raw, "%d %B %Y").date()
    except ValueError:
        return None
