"""The command line's REFI-QDA exchange and table import, on real project files."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from db.cli import build_parser, main
from db.service import ProjectService

STORIES = [
    {
        "Headline": "Council passes the school budget",
        "Story": "After a long evening debate the council agreed to the school budget on Monday, "
        "with two members voting against it and one abstaining.",
        "When": "2024-03-01",
        "Paper": "Daily Planet",
        "Link": "https://example.org/budget",
        "Section": "Local",
    },
    {
        "Headline": "Floods expected in the valley",
        "Story": "Rain is expected all week, the weather service said on Saturday, and rivers in "
        "the valley may break their banks by Thursday.",
        "When": "02.03.2024",
        "Paper": "Valley Gazette",
        "Link": "https://example.org/floods",
        "Section": "Weather",
    },
    {  # no text: reported, not imported
        "Headline": "Empty row",
        "Story": "",
        "When": "2024-03-03",
        "Paper": "Valley Gazette",
        "Link": "",
        "Section": "Misc",
    },
]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def documents(path: Path) -> dict[str, tuple]:
    """title → (published, outlet, url, extra, source name), read as another program would."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT title, published, outlet, url, extra, source_name FROM document"
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3], json.loads(r[4] or "{}"), r[5]) for r in rows}


def test_csv_import_with_column_overrides(tmp_path: Path, capsys):
    table = write_csv(tmp_path / "stories.csv", [*STORIES, STORIES[0]])  # and a duplicate row
    project = tmp_path / "p.sqlite"
    argv = ["import", str(project), str(table), "--date-column", "When"]
    assert main([*argv, "--outlet-column", "Paper"]) == 0
    out = capsys.readouterr().out
    assert "stories.csv: 4 row(s); text ← Story, title ← Headline, date ← When" in out
    assert "outlet ← Paper" in out and "url ← Link" in out
    assert "kept as metadata: Section" in out
    assert "2 imported, 1 duplicate(s) skipped, 1 rejected" in out
    assert "stories.csv row 4: empty text" in out
    assert "stories.csv row 5: duplicate of “Council passes the school budget”" in out
    assert documents(project) == {
        "Council passes the school budget": (
            "2024-03-01",
            "Daily Planet",
            "https://example.org/budget",
            {"Section": "Local"},
            "stories.csv row 2",
        ),
        "Floods expected in the valley": (
            "2024-03-02",
            "Valley Gazette",
            "https://example.org/floods",
            {"Section": "Weather"},
            "stories.csv row 3",
        ),
    }


def test_guessed_mapping_keeps_unmapped_columns_and_an_override_moves_a_column(
    tmp_path: Path, capsys
):
    table = write_csv(tmp_path / "stories.csv", STORIES[:2])
    project = tmp_path / "p.sqlite"
    assert main(["import", str(project), str(table)]) == 0  # guessed: When/Paper not known words
    assert "kept as metadata: When, Paper, Section" in capsys.readouterr().out
    budget = documents(project)["Council passes the school budget"]
    assert budget[1] is None and budget[3] == {
        "When": "2024-03-01",
        "Paper": "Daily Planet",
        "Section": "Local",
    }
    other = tmp_path / "other.sqlite"  # Section as the title; Headline is then kept as metadata
    assert main(["import", str(other), str(table), "--title-column", "Section"]) == 0
    assert documents(other)["Weather"][3]["Headline"] == "Floods expected in the valley"


def test_xlsx_with_date_cells(tmp_path: Path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["title", "text", "published", "source", "words"])
    sheet.append(
        ["Harbour reopens", "The harbour reopened on Friday after repairs.", None, "Post", 7]
    )
    sheet.append(["Bridge closes", "The old bridge closes for a year of works.", None, "Post", 9])
    sheet["C2"] = datetime(2023, 11, 3)
    sheet["C3"] = date(2023, 11, 4)
    book.save(tmp_path / "sheet.xlsx")
    project = tmp_path / "p.sqlite"
    assert main(["import", str(project), str(tmp_path / "sheet.xlsx")]) == 0
    assert "2 imported" in capsys.readouterr().out
    found = documents(project)
    assert found["Harbour reopens"][:2] == ("2023-11-03", "Post")
    assert found["Bridge closes"][3] == {"words": 9}


def test_a_wrong_column_is_a_clear_message_and_writes_nothing(tmp_path: Path, capsys):
    table = write_csv(tmp_path / "stories.csv", STORIES)
    project = tmp_path / "p.sqlite"
    assert main(["import", str(project), str(table), "--date-column", "Datum"]) == 1
    err = capsys.readouterr().err
    assert "stories.csv has no column “Datum” (--date-column)" in err
    assert "Headline, Story, When" in err
    assert not project.exists()
    assert main(["import", str(project), str(table), "--title-column", "Story"]) == 1
    assert "no column holds the article text" in capsys.readouterr().err
    assert not project.exists()
    assert main(["import", str(project), str(tmp_path), "--text-column", "Story"]) == 1
    assert "The column options are for tables" in capsys.readouterr().err


def test_a_folder_leaves_its_tables_out(tmp_path: Path, corpus_files, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / corpus_files[0].name).write_bytes(corpus_files[0].read_bytes())
    write_csv(folder / "index.csv", STORIES)
    assert main(["import", str(tmp_path / "p.sqlite"), str(folder)]) == 0
    out = capsys.readouterr().out
    assert "1 imported, 1 rejected" in out
    assert "articles/index.csv: a table (one article per row): import it on its own" in out


@pytest.fixture
def coded(tmp_path: Path, corpus_files) -> Path:
    """A project with articles, a code tree and highlights (one after an emoji)."""
    path = tmp_path / "coded.sqlite"
    service = ProjectService.open(path)
    try:
        service.use_coder("ann")
        service.import_files(corpus_files)
        talks, _ = service.create_code("Talks", "#56ccf2", description="Negotiations")
        truce, _ = service.create_code("Truce", parent_id=talks)
        documents = service.documents()
        text = service.document(documents[0].id).text
        start = text.index("ceasefire")
        service.annotate(documents[0].id, None, start, start + 9, [truce, talks])
        bob = service.ensure_coder("bob")
        service.annotate(documents[1].id, bob, 0, 40, [talks])
    finally:
        service.close()
    return path


def contents(path: Path | str) -> dict[str, object]:
    service = ProjectService.open(path, create=False)
    try:
        codes = {c.id: c.path for c in service.codes()}
        coders = {c.id: c.name for c in service.coders()}
        found = {}
        for row in service.documents():
            record = service.document(row.id)
            found[record.uuid] = (
                record.title,
                record.text,
                sorted(
                    (
                        a.start,
                        a.end,
                        a.quote,
                        coders[a.coder_id],
                        tuple(sorted(codes[c] for c in a.code_ids)),
                    )
                    for a in service.annotations(row.id)
                ),
            )
        return {
            "documents": found,
            "codes": sorted((c.uuid, c.path, c.color, c.description) for c in service.codes()),
        }
    finally:
        service.close()


def test_qdpx_round_trip_through_the_command_line(coded: Path, tmp_path: Path, capsys):
    out = tmp_path / "exchange.qdpx"
    assert main(["export", "qdpx", str(coded), "-o", str(out)]) == 0
    assert "5 article(s), 2 highlight(s) with 3 coding(s), 2 code(s)" in capsys.readouterr().out
    assert zipfile.is_zipfile(out)
    fresh = tmp_path / "fresh.sqlite"
    assert main(["import", str(fresh), str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("exchange.qdpx: Imported 5 article(s), 2 code(s), 2 highlight(s)")
    before, after = contents(coded), contents(fresh)
    assert after == before
    assert any(spans for _t, _x, spans in after["documents"].values())

    assert main(["import", str(fresh), str(out)]) == 0  # by GUID: nothing twice
    assert "already in the project: 5 article(s), 2 code(s)" in capsys.readouterr().out
    assert contents(fresh) == before


def test_qdc_round_trip_and_suffix_checks(coded: Path, tmp_path: Path, capsys):
    out = tmp_path / "codebook.qdc"
    assert main(["export", "qdc", str(coded), "-o", str(out)]) == 0
    assert f"2 code(s) written to {out}" in capsys.readouterr().out
    other = tmp_path / "other.sqlite"
    assert main(["import", str(other), str(out)]) == 0
    assert "Imported 0 article(s), 2 code(s)" in capsys.readouterr().out
    assert contents(other)["codes"] == contents(coded)["codes"]

    wrong = tmp_path / "codebook.qdpx"
    assert main(["export", "qdc", str(coded), "-o", str(wrong)]) == 1
    assert "ending in .qdc" in capsys.readouterr().err
    assert not wrong.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.qdpx", b"not a zip", "not a zip archive"),
        ("broken.qdc", b"<CodeBook><Codes>", "not well-formed XML"),
        ("missing.qdpx", None, "File not found"),
    ],
)
def test_malformed_exchange_files_write_nothing(
    coded: Path, tmp_path: Path, capsys, name: str, data: bytes | None, message: str
):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    fresh = tmp_path / "fresh.sqlite"
    assert main(["import", str(fresh), str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("marginalia: ") and message in err
    assert not fresh.exists()  # the project this command would have made is not left behind
    before = contents(coded)
    assert main(["import", str(coded), str(path)]) == 1
    assert contents(coded) == before


def test_project_arguments_keep_server_urls():
    url = "postgresql+psycopg://ann@db.example.org:5432/gaza"
    parser = build_parser()
    for argv in (
        ["import", url, "project.qdpx"],
        ["export", "qdpx", url, "-o", "p.qdpx"],
        ["export", "qdc", url, "-o", "c.qdc"],
        ["export", "jsonld", url, "-o", "h.jsonld"],
        ["export", "annotations", url, "-o", "a.csv"],
        ["export", "summary", url, "-o", "s.xlsx"],
    ):
        assert parser.parse_args(argv).project == url
    assert parser.parse_args(["import", "p.sqlite", "a.txt"]).project == Path("p.sqlite")


def test_exchange_with_a_server_project_from_the_command_line(
    coded: Path, tmp_path: Path, pg_url: str, capsys
):
    """Import a .qdpx into a PostgreSQL project named by its URL, export it back out."""
    out = tmp_path / "exchange.qdpx"
    assert main(["export", "qdpx", str(coded), "-o", str(out)]) == 0
    assert main(["import", pg_url, str(out)]) == 0
    assert "exchange.qdpx: Imported 5 article(s), 2 code(s), 2 highlight(s)" in (
        capsys.readouterr().out
    )
    assert contents(pg_url) == contents(coded)
    back = tmp_path / "back.qdpx"
    assert main(["export", "qdpx", pg_url, "-o", str(back)]) == 0
    assert main(["export", "jsonld", pg_url, "-o", str(tmp_path / "h.jsonld")]) == 0
    assert "2 annotations written" in capsys.readouterr().out
    again = tmp_path / "again.sqlite"
    assert main(["import", str(again), str(back)]) == 0
    assert contents(again) == contents(coded)
