"""Tables of articles: CSV and XLSX rows become articles through a column mapping."""

from datetime import date, datetime

import openpyxl
import pytest

from db.logic.text import TextRejected
from db.readers.tables import (
    TableMapping,
    drafts,
    full_guess,
    guess_mapping,
    parse_date,
    read_drafts,
    read_table,
)


def test_csv_with_semicolons_bom_and_windows_encoding(tmp_path):
    path = tmp_path / "export.csv"
    body = (
        "Headline;Body;Datum;Quelle;Link;Section\r\n"
        "Truce talks stall;Mediators in Cairo said the talks stalled.;07.02.2024;Die Zeit;"
        "https://example.org/a;World\r\n"
        'Café owners protest;"Owners said: ""enough"";\nand left.";2024-02-08;Le Monde;;\r\n'
    )
    path.write_bytes(body.encode("cp1252"))
    table = read_table(path)
    assert table.columns == ["Headline", "Body", "Datum", "Quelle", "Link", "Section"]
    mapping = guess_mapping(table.columns)
    assert mapping == TableMapping(
        text="Body", title="Headline", published="Datum", outlet="Quelle", url="Link"
    )
    first, second = drafts(path, table, mapping)
    assert first.name == "export.csv row 2"
    assert (first.title, first.published, first.outlet, first.url) == (
        "Truce talks stall",
        date(2024, 2, 7),
        "Die Zeit",
        "https://example.org/a",
    )
    assert first.extra == {"Section": "World"}
    assert second.title == "Café owners protest"
    assert second.text == 'Owners said: "enough";\nand left.'
    assert second.url is None and second.extra == {}


def test_xlsx_with_date_cells_and_a_guessed_text_column(tmp_path):
    path = tmp_path / "articles.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "headline", "story", "when", "votes"])
    sheet.append([1, "Talks resume", "Negotiators met again on Sunday. " * 5, datetime(2024, 2, 9)])
    sheet.append([2, "No text here", None, "sometime in spring", 3])
    book.save(path)
    table = read_table(path)
    mapping = full_guess(table)
    assert mapping.text == "story"  # no hint matched: the column with the longest cells
    assert mapping.title == "headline"
    assert mapping.published == "when" or mapping.published is None
    mapping = mapping.with_field("published", "when")
    first, second = drafts(path, table, mapping)
    assert first.published == date(2024, 2, 9)
    assert first.extra == {"id": 1}
    assert second.text == ""  # the importer reports it as an empty article
    assert second.published is None
    assert second.extra == {"id": 2, "when": "sometime in spring", "votes": 3}


def test_bad_tables_give_clear_reasons(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(TextRejected, match="empty"):
        read_drafts(empty)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(TextRejected, match="Excel"):
        read_drafts(broken)
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(TextRejected, match="no column named nope"):
        read_drafts(path, TableMapping(text="nope"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-02-07", date(2024, 2, 7)),
        ("2024-02-07T10:00:00Z", date(2024, 2, 7)),
        ("07.02.2024", date(2024, 2, 7)),
        ("13/02/2024", date(2024, 2, 13)),
        ("02/13/2024", date(2024, 2, 13)),
        ("7 February 2024", date(2024, 2, 7)),
        ("spring", None),
        ("31.02.2024", None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected
