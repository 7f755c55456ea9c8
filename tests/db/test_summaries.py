"""Summaries from a scripted set of statements: matrix by hand, XLSX, CSVs, GraphML, brief."""

import csv
from datetime import date

import networkx as nx
import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook

from db.cli import main as cli_main
from db.logic.networks import Fact, one_mode, two_mode
from db.logic.summary import StatementFact, Table, code_frequencies, code_frequency_table
from db.queries.positions import StatementFilter, list_statement_facts, list_statements
from db.summaries.tables import tag_counts, tag_facts, write_summary

# (article fragment, quote, actor, issue, stance)
SCRIPT = [
    ("Hamas will not agree", "Hamas will not agree to a temporary ceasefire", "Hamas", "Truce", -1),
    (
        "Hamas has rejected a ceasefire",
        "Hamas has rejected a ceasefire proposal",
        "Hamas",
        "Truce",
        -1,
    ),
    ("Hamas will not agree", "permanent ceasefire in Gaza", "Hamas", "Permanent ceasefire", 1),
    (
        "Hamas sources say",
        "The Israelis are not interested in a ceasefire",
        "Israel",
        "Permanent ceasefire",
        -1,
    ),
    ("date 2023-12-20", "an Israeli offer for a one-week ceasefire", "Israel", "Truce", 1),
    (
        "Hamas has rejected a ceasefire",
        "put forward by Qatar, Egypt and the US",
        "Egypt",
        "Truce",
        1,
    ),
    (
        "The US, Egypt and Qatar",
        "he rejected Hamas’s demands",
        "Netanyahu",
        "Permanent ceasefire",
        -1,
    ),
]


@pytest.fixture
def scripted(service, corpus_files):
    service.use_coder("ann")
    service.import_files(corpus_files)
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    for fragment, quote, actor, issue, stance in SCRIPT:
        doc = next(i for i, t in texts.items() if fragment in t)
        start = texts[doc].index(quote)
        service.code_position(doc, start, start + len(quote), actor, issue, stance)
    return service


def test_actor_issue_matrix_by_hand(scripted, tmp_path):
    out = tmp_path / "summary.xlsx"
    scripted.export_summary(out)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == [
        "Actor x issue",
        "Codes by document",
        "Codes by coder",
        "Codes by outlet",
        "Statements per month",
    ]
    rows = list(book["Actor x issue"].values)
    assert rows[0] == (
        "actor",
        "issue",
        "oppose",
        "neutral",
        "support",
        "total",
        "net stance",
        "documents",
    )
    matrix = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert matrix["Hamas", "Truce"] == (2, 0, 0, 2, -2, 2)
    assert matrix["Hamas", "Permanent ceasefire"] == (0, 0, 1, 1, 1, 1)
    assert matrix["Israel", "Truce"] == (0, 0, 1, 1, 1, 1)
    assert matrix["Netanyahu", "Permanent ceasefire"] == (1, 0, 0, 1, -1, 1)
    assert len(matrix) == 6
    months = list(book["Statements per month"].values)[1:]
    assert ("2023-12", "Israel", 1, 1) in months


def test_summary_as_csv_folder(scripted, tmp_path):
    written = scripted.export_summary(tmp_path / "tables")
    assert len(written) == 5
    with (tmp_path / "tables" / "actor_x_issue.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6 and {r["actor"] for r in rows} == {
        "Hamas",
        "Israel",
        "Egypt",
        "Netanyahu",
    }


def test_networks_graphml_weights(scripted, tmp_path):
    two = tmp_path / "two.graphml"
    scripted.export_network(two, "two-mode")
    graph = nx.read_graphml(two)
    assert graph.edges["actor:Hamas", "issue:Truce"]["weight"] == 2.0
    assert graph.nodes["issue:Truce"]["label"] == "Truce"
    assert sum(w for _, _, w in graph.edges(data="weight")) == len(SCRIPT)

    conflict = tmp_path / "conflict.graphml"
    scripted.export_network(conflict, "conflict")
    graph = nx.read_graphml(conflict)
    assert graph.edges["actor:Hamas", "actor:Israel"]["weight"] == 3.0  # 2·1 on truce + 1·1
    assert graph.edges["actor:Egypt", "actor:Hamas"]["weight"] == 2.0
    congruence = tmp_path / "congruence.csv"
    assert scripted.export_network(congruence, "congruence") == 2
    with congruence.open(encoding="utf-8", newline="") as f:
        edges = {(r["source"], r["target"]): float(r["weight"]) for r in csv.DictReader(f)}
    assert edges == {("Egypt", "Israel"): 1.0, ("Israel", "Netanyahu"): 1.0}
    average = tmp_path / "average.csv"
    scripted.export_network(average, "conflict", normalise="average")
    with average.open(encoding="utf-8", newline="") as f:
        edges = {(r["source"], r["target"]): float(r["weight"]) for r in csv.DictReader(f)}
    assert edges["Hamas", "Israel"] == pytest.approx(3 / ((3 + 2) / 2))


def test_network_arithmetic_options():
    facts = [
        Fact(1, "A", "x", 1),
        Fact(1, "A", "x", 1),
        Fact(2, "B", "x", 1),
        Fact(2, "B", "y", -1),
        Fact(3, "A", "y", 1),
    ]
    assert {(e.source, e.target): e.weight for e in one_mode(facts, "congruence")} == {
        ("A", "B"): 2
    }
    assert one_mode(facts, "congruence", binary=True)[0].weight == 1
    assert one_mode(facts, "conflict")[0].weight == 1
    assert one_mode(facts, "congruence", normalise="cosine")[0].weight == pytest.approx(
        2 / (3 * 2) ** 0.5
    )
    assert one_mode(facts, "congruence", normalise="jaccard")[0].weight == pytest.approx(
        2 / (3 + 2 - 2)
    )
    assert [e.weight for e in two_mode(facts, stance=-1)] == [1.0]


def test_issue_brief_in_three_formats(scripted, tmp_path):
    assert scripted.export_brief(tmp_path / "brief.docx") == 2
    doc = DocxDocument(str(tmp_path / "brief.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert "Truce" in texts and "Oppose" in texts and "Support" in texts
    assert any(t.startswith("Hamas (2)") for t in texts)
    assert any("Hamas will not agree to a temporary ceasefire" in t for t in texts)
    scripted.export_brief(tmp_path / "brief.html")
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert "<h2>Permanent ceasefire</h2>" in html and "Netanyahu" in html
    scripted.export_brief(tmp_path / "brief.md")
    markdown = (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert "## Truce" in markdown and "- **Egypt** (1)" in markdown


def test_cli_summary_brief_network(scripted, tmp_path, capsys):
    project = str(scripted.project.path)
    assert cli_main(["export", "summary", project, "-o", str(tmp_path / "s.xlsx")]) == 0
    assert (
        cli_main(["export", "brief", project, "-o", str(tmp_path / "b.md"), "--coder", "ann"]) == 0
    )
    args = ["export", "network", project, "--kind", "conflict", "-o", str(tmp_path / "n.graphml")]
    assert cli_main([*args, "--since", "2023-01-01", "--dedupe"]) == 0
    out = capsys.readouterr().out
    assert "1 file(s)" in out and "2 issue(s)" in out and "edges written" in out
    assert cli_main(["export", "brief", project, "-o", str(tmp_path / "b.pdf")]) == 1
    assert "not “.pdf”" in capsys.readouterr().err


def test_workbook_reads_back_as_the_csv_folder(scripted, tmp_path):
    """The workbook (SpreadsheetML written directly) holds what the CSV folder holds; the tags
    counted in SQL give the tables that counting one row per tag gives; the statements' seven
    columns are what ``list_statements`` lists."""
    service = scripted
    docs = [d.id for d in service.documents()]
    frames, _ = service.create_code("=Frames")  # formula-like: neutralised in both
    blame, _ = service.create_code("Blame & <shame>", parent_id=frames)
    spaced, _ = service.create_code(" spaced ")
    gone, _ = service.create_code("Gone")
    ann, bob = service.coder_id, service.ensure_coder("bob")
    service.annotate(docs[0], ann, 0, 5, [blame, spaced])
    service.annotate(docs[0], bob, 3, 9, [blame])
    service.annotate(docs[1], bob, 0, 4, [frames, gone])
    dropped, _ = service.annotate(docs[1], ann, 5, 9, [blame])
    service.annotate(docs[-1], ann, 0, 4, [blame])
    service.delete_annotation(dropped)
    service.delete_code(gone)
    service.delete_documents([docs[-1]])

    written = service.export_summary(tmp_path / "tables")
    service.export_summary(tmp_path / "summary.xlsx")
    book = load_workbook(tmp_path / "summary.xlsx")
    assert len(book.worksheets) == len(written) == 5
    for sheet, path in zip(book.worksheets, written, strict=True):
        with path.open(encoding="utf-8", newline="") as f:
            expected = list(csv.reader(f))
        values = [["" if v is None else str(v) for v in row] for row in sheet.values]
        assert values == expected, sheet.title
        assert sheet.freeze_panes == "A2"
        assert all(c.font.b for c in sheet[1]) and not any(c.font.b for c in sheet[2])
        assert all(isinstance(c.value, int) for c in sheet[2][-1:])
    by_coder = [row for row in book["Codes by coder"].values][1:]
    assert ("bob", "'=Frames", 1) in by_coder and ("ann", "spaced", 1) in by_coder
    assert not any("Gone" in row[1] for row in by_coder)

    with service.project.read() as s:
        for coders in (None, frozenset({"bob"})):
            counts, facts = tag_counts(s, coders), tag_facts(s, coders)
            for by in ("document", "coder", "outlet"):
                assert code_frequency_table(counts[by], by) == code_frequencies(facts, by)
        for criteria in (None, StatementFilter(stances=frozenset({-1}))):
            assert list_statement_facts(s, criteria) == [
                StatementFact(
                    r.document_id, r.published, r.outlet, r.coder, r.actor, r.issue, r.stance
                )
                for r in list_statements(s, criteria)
            ]


def test_workbook_cells_of_every_kind(tmp_path):
    rows = [
        (" padded ", 1, -2.5, True),
        ("=1+1", -3, None, False),
        ('Tom & Jerry <3> "quoted" 🕊️\nnext line', 0, 1e-05, None),
        ("bell\x07 dropped", 10**12, 0.1, True),
    ]
    target = tmp_path / "cells.xlsx"
    write_summary(
        [Table("A name longer than thirty-one characters", ("t", "i", "f", "b"), rows)], target
    )
    book = load_workbook(target)
    assert book.sheetnames == ["A name longer than thirty-one c"]
    assert list(book.active.values)[1:] == [
        (" padded ", 1, -2.5, True),
        ("'=1+1", -3, None, False),
        ('Tom & Jerry <3> "quoted" 🕊️\nnext line', 0, 1e-05, None),
        ("bell dropped", 10**12, 0.1, True),
    ]
    with pytest.raises(TypeError):
        write_summary([Table("Dates", ("d",), [(date(2024, 1, 1),)])], tmp_path / "d.xlsx")
    assert not (tmp_path / "d.xlsx").exists()
