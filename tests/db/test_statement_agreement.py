"""Krippendorff's alpha on coded positions, and the agreement report as CSV and HTML.

Scripted coders code statements on the corpus; the expected alphas come from reliability
matrices written out by hand below and fed to the ``krippendorff`` package, so the unit-building
code under test never computes its own expectation.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date
from html.parser import HTMLParser

import pytest

from db.cli import main as cli_main
from db.errors import InvalidInput
from db.logic.agreement import krippendorff_alpha
from db.logic.statement_units import Placed, nominal_alpha, pairable, statement_units
from db.queries.agreement import AgreementRow, agreement_report, statement_agreement
from db.summaries.agreement_report import write_agreement

ACTORS = ("Hamas", "Israel", "Mediators")
# Created in this order, so issue ids ascend in it ("permanent ceasefire" < "prisoner release").
ISSUES = (
    "temporary truce",
    "latest proposal",
    "withdrawal",
    "phased deal",
    "permanent ceasefire",
    "prisoner release",
    "end of war",
)
NETANYAHU = "Mr Netanyahu said he rejected Hamas’s demands"

# coder -> (passage highlighted, actor, issue, stance), in the order they are entered; a passage
# is its words, or a few words where it starts and its length in characters.
SCRIPT = {
    "ann": [
        ("Hamas will not agree to a temporary ceasefire", "Hamas", "temporary truce", -1),
        ("Hamas will reject the latest proposal", "Hamas", "latest proposal", -1),
        ("Hamas has rejected a ceasefire proposal", "Hamas", "temporary truce", -1),
        (("Hamas has been adamant", 91), "Hamas", "withdrawal", 1),
        (("The US, Egypt and Qatar are pushing", 80), "Mediators", "phased deal", 1),
        # two statements on one span, entered "wrong way round": value order must align them
        ("Hamas, on the other hand, is seeking", "Hamas", "prisoner release", 1),
        ("Hamas, on the other hand, is seeking", "Hamas", "permanent ceasefire", 1),
        (NETANYAHU, "Israel", "end of war", -1),
    ],
    "bob": [
        ("not agree to a temporary ceasefire", "Hamas", "temporary truce", -1),
        ("reject the latest proposal", "Hamas", "latest proposal", 0),
        (("rejected a ceasefire proposal", 53), "Hamas", "latest proposal", -1),
        ("the total withdrawal of Israeli forces", "Israel", "withdrawal", -1),
        ("pushing Israel and Hamas to join a phased", "Mediators", "phased deal", 1),
        ("seeking to gain maximum advantage", "Hamas", "permanent ceasefire", 1),
        (("Egypt and Qatar have been", 45), "Mediators", "phased deal", 0),
    ],
    "cara": [
        ("Hamas will not agree", "Hamas", "temporary truce", -1),
        ("Hamas will reject the latest proposal", "Hamas", "latest proposal", -1),
        ("any ceasefire deal must eventually lead", "Hamas", "withdrawal", 1),
        ("he rejected Hamas’s demands, which", "Israel", "end of war", -1),
    ],
}

HAM, ISR, MED = ACTORS
# The statement units by hand: (ann, bob) per pairable unit, in article and text order.
TWO_CODERS = [
    ((HAM, "temporary truce", -1), (HAM, "temporary truce", -1)),
    ((HAM, "latest proposal", -1), (HAM, "latest proposal", 0)),
    ((HAM, "temporary truce", -1), (HAM, "latest proposal", -1)),
    ((HAM, "withdrawal", 1), (ISR, "withdrawal", -1)),
    ((MED, "phased deal", 1), (MED, "phased deal", 1)),
    ((HAM, "permanent ceasefire", 1), (HAM, "permanent ceasefire", 1)),
]
# Not pairable: ann's second statement on the shared span, ann's Netanyahu, bob's mediators.
TWO_CODERS_ALL_UNITS = len(TWO_CODERS) + 3
# (ann, bob, cara), None where a coder has no statement in the unit.
THREE_CODERS = [
    ((HAM, "temporary truce", -1), (HAM, "temporary truce", -1), (HAM, "temporary truce", -1)),
    ((HAM, "latest proposal", -1), (HAM, "latest proposal", 0), (HAM, "latest proposal", -1)),
    ((HAM, "temporary truce", -1), (HAM, "latest proposal", -1), None),
    ((HAM, "withdrawal", 1), (ISR, "withdrawal", -1), (HAM, "withdrawal", 1)),
    ((MED, "phased deal", 1), (MED, "phased deal", 1), None),
    ((HAM, "permanent ceasefire", 1), (HAM, "permanent ceasefire", 1), None),
    ((ISR, "end of war", -1), None, (ISR, "end of war", -1)),
]


def _expected(units) -> dict[tuple[str, str], float]:
    """Each variable as numbers in a coders × units matrix, through the krippendorff package."""
    numbers: dict[object, int] = {}

    def matrix(part):
        return [
            [None if v is None else numbers.setdefault(part(v), len(numbers)) for v in column]
            for column in zip(*units, strict=True)
        ]

    stances = [[None if v is None else v[2] for v in column] for column in zip(*units, strict=True)]
    return {
        ("alpha (nominal)", "position: actor"): krippendorff_alpha(matrix(lambda v: v[0])),
        ("alpha (nominal)", "position: issue"): krippendorff_alpha(matrix(lambda v: v[1])),
        ("alpha (ordinal)", "position: stance"): krippendorff_alpha(stances, "ordinal"),
        ("alpha (interval)", "position: stance"): krippendorff_alpha(stances, "interval"),
        ("alpha (nominal)", "position: actor+issue+stance"): krippendorff_alpha(matrix(tuple)),
    }


def _code(service, corpus_files, coders) -> dict[str, int]:
    """Import the corpus, create the vocabularies in order, code the script; document ids."""
    service.import_files(corpus_files)
    service.use_coder("ann")
    actor_ids = {name: service.create_actor(name, "group")[0] for name in ACTORS}
    issue_ids = {name: service.create_issue(name)[0] for name in ISSUES}
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    where = {}
    for coder in coders:
        service.use_coder(coder)
        for passage, actor, issue, stance in SCRIPT[coder]:
            anchor, length = (passage, len(passage)) if isinstance(passage, str) else passage
            found = [d for d, t in texts.items() if anchor in t]
            assert len(found) == 1 and texts[found[0]].count(anchor) == 1, anchor
            start = texts[found[0]].index(anchor)
            service.code_statement(
                found[0],
                start,
                start + length,
                actor_ids[actor],
                issue_ids[issue],
                stance,
            )
            where[passage] = found[0]
    return where


def _rows(service, coders) -> dict[tuple[str, str], AgreementRow]:
    with service.project.read() as s:
        return {(r.coefficient, r.code): r for r in statement_agreement(s, coders)}


def test_statement_alpha_for_two_coders_matches_the_hand_built_units(service, corpus_files):
    where = _code(service, corpus_files, ["ann", "bob"])
    expected = _expected(TWO_CODERS)
    rows = _rows(service, ["ann", "bob"])
    assert set(rows) == set(expected)
    for key, value in expected.items():
        assert -1 < value < 1 and rows[key].value == pytest.approx(value, abs=5e-5), key
        assert rows[key].units == len(TWO_CODERS)
    compared = rows["alpha (nominal)", "position: actor"].compared
    assert compared.startswith(f"{len(TWO_CODERS)} statement units (of {TWO_CODERS_ALL_UNITS};")
    assert "in 3 article(s)" in compared and "missing" in compared

    # A deleted article's statements no longer count (its two pairable units go).
    service.delete_documents([where[NETANYAHU]])
    rest = _rows(service, ["ann", "bob"])
    assert rest["alpha (nominal)", "position: actor"].units == len(TWO_CODERS) - 2
    assert rest["alpha (nominal)", "position: actor"].value == pytest.approx(
        _expected(TWO_CODERS[:4])["alpha (nominal)", "position: actor"], abs=5e-5
    )


def test_statement_alpha_for_three_coders(service, corpus_files):
    _code(service, corpus_files, ["ann", "bob", "cara"])
    expected = _expected(THREE_CODERS)
    rows = _rows(service, ["ann", "bob", "cara"])
    for key, value in expected.items():
        assert rows[key].value == pytest.approx(value, abs=5e-5), key
        assert rows[key].units == len(THREE_CODERS)
    # the two-coder value differs, so the third coder really entered the computation
    two = _rows(service, ["ann", "bob"])
    assert two["alpha (ordinal)", "position: stance"].value != pytest.approx(
        rows["alpha (ordinal)", "position: stance"].value
    )


def test_undefined_alpha_is_a_row_that_says_why(service, corpus_files):
    service.import_files(corpus_files)
    doc = service.documents()[0].id
    for coder in ("ann", "bob"):
        service.use_coder(coder)
        service.code_position(doc, 0, 20, "Hamas", "temporary truce", -1)
    service.use_coder("cara")
    rows = _rows(service, ["ann", "bob"])
    assert len(rows) == 5
    for row in rows.values():
        assert row.value is None and row.units == 1
        assert row.compared.startswith("undefined: every pairable value is the same")
    # cara coded nothing: no statement units can be paired with hers
    service.code_position(doc, 500, 520, "Hamas", "temporary truce", 1)
    with service.project.read() as s:
        lonely = statement_agreement(s, ["ann", "cara"])
    assert lonely and all(r.compared.startswith("undefined: no unit has") for r in lonely)
    service.ensure_coder("dan")
    service.ensure_coder("eve")
    with service.project.read() as s:
        assert statement_agreement(s, ["dan", "eve"]) == []  # no positions: no position rows
        with pytest.raises(InvalidInput):
            statement_agreement(s, ["ann", "ann"])


# Units, without the database ------------------------------------------------------------------
def test_units_chain_overlaps_and_leave_missing_values():
    statements = [
        Placed(1, 10, 0, 20, "a1"),
        Placed(1, 20, 15, 40, "b1"),  # overlaps a1
        Placed(1, 10, 35, 60, "a2"),  # overlaps b1 only: same run as a1
        Placed(1, 20, 60, 70, "b2"),  # touches a2 without overlapping: a new run
        Placed(2, 10, 0, 5, "a3"),  # another article, same offsets as nothing there
        Placed(2, 30, 0, 5, "x"),  # a coder not compared
    ]
    assert statement_units(reversed(statements), [10, 20]) == [
        ("a1", "b1"),
        ("a2", None),
        (None, "b2"),
        ("a3", None),
    ]
    assert pairable(statement_units(statements, [10, 20])) == [("a1", "b1")]


def test_statements_pair_with_the_one_they_overlap_most_not_by_rank():
    """bob skipped ann's first claim: his statement is compared with the claim he marked."""
    statements = [
        Placed(1, 10, 0, 20, "a1"),
        Placed(1, 10, 18, 60, "a2"),
        Placed(1, 20, 20, 60, "b2"),  # overlaps a2 by 40, a1 not at all
        Placed(1, 30, 0, 19, "c1"),  # a third coder: overlaps a1 by 19, a2 by 1
    ]
    assert statement_units(statements, [10, 20, 30]) == [("a1", None, "c1"), ("a2", "b2", None)]
    assert statement_units(statements[:3], [10, 20]) == [("a1", None), ("a2", "b2")]


def test_statements_on_one_span_are_aligned_by_value_not_entry_order():
    first = [Placed(1, 1, 0, 9, (2, 5)), Placed(1, 1, 0, 9, (1, 5)), Placed(1, 2, 3, 9, (1, 5))]
    assert statement_units(first, [1, 2]) == [((1, 5), (1, 5)), ((2, 5), None)]


def test_nominal_alpha_matches_the_package_and_the_published_example():
    published = [  # Krippendorff (2011): nominal alpha .743
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    assert round(nominal_alpha(zip(*published, strict=True)), 3) == 0.743
    rng = random.Random(3)
    for _ in range(30):
        coders, units = rng.randint(2, 4), rng.randint(3, 25)
        matrix = [
            [rng.choice([None, 1, 2, 3, 4]) if rng.random() < 0.9 else None for _ in range(units)]
            for _ in range(coders)
        ]
        try:
            expected = krippendorff_alpha(matrix)
        except ValueError:
            with pytest.raises(ValueError):
                nominal_alpha(zip(*matrix, strict=True))
            continue
        if not math.isnan(expected):
            assert nominal_alpha(zip(*matrix, strict=True)) == pytest.approx(expected)


# The report -----------------------------------------------------------------------------------
class _Cells(HTMLParser):
    """The text of each table row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_cli_writes_the_report_as_html_and_csv(service, corpus_files, tmp_path, capsys):
    _code(service, corpus_files, ["ann", "bob"])
    service.use_coder("ann")
    tag, _ = service.create_code("Rejection")
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    doc, text = next((d, t) for d, t in texts.items() if "Hamas will reject" in t)
    start = text.index("Hamas will reject")
    tag_ids = {c: service.ensure_coder(c) for c in ("ann", "bob")}
    for coder_id in tag_ids.values():
        service.annotate(doc, coder_id, start, start + 20, [tag])
    project = str(service.project.path)
    with service.project.read() as s:
        report = agreement_report(s, ["ann", "bob"])
    kinds = {r.coefficient for r in report}
    assert {"percent agreement", "cohen kappa", "alpha (nominal)", "alpha (ordinal)"} <= kinds

    page = tmp_path / "report.html"
    assert cli_main(["agreement", project, "--coders", "ann,bob", "-o", str(page)]) == 0
    assert "position: actor+issue+stance" in capsys.readouterr().out
    parser = _Cells()
    parser.feed(page.read_text(encoding="utf-8"))
    assert parser.rows[0] == ["coefficient", "code", "value", "units", "compared"]
    assert parser.rows[1:] == [
        [r.coefficient, r.code, f"{r.value:.3f}", str(r.units), r.compared] for r in report
    ]
    html_text = page.read_text(encoding="utf-8")
    assert "How to read this" in html_text and ".800" in html_text and ".667" in html_text
    assert "project" in html_text.split("</title>")[0]  # the project's name (project.sqlite)
    assert "<script" not in html_text and "http" not in html_text  # self-contained

    table = tmp_path / "report.csv"
    assert cli_main(["agreement", project, "--coders", "ann,bob", "-o", str(table)]) == 0
    with table.open(encoding="utf-8", newline="") as f:
        read = list(csv.DictReader(f))
    assert [(r["coefficient"], r["code"], float(r["value"]), int(r["units"])) for r in read] == [
        (r.coefficient, r.code, r.value, r.units) for r in report
    ]


def test_html_report_escapes_coder_names_and_shows_undefined(tmp_path):
    rows = [
        AgreementRow("alpha (nominal)", "position: <i>actor</i>", 0.81234, 12, "12 units & more"),
        AgreementRow("alpha (ordinal)", "position: stance", None, 12, "undefined: why"),
    ]
    target = tmp_path / "agreement.html"
    when = date(2024, 2, 3)
    assert write_agreement(rows, target, "Gaza <talks>", ["<b>ann</b>", "bob"], when=when) == 2
    page = target.read_text(encoding="utf-8")
    assert "<b>ann</b>" not in page and "&lt;b&gt;ann&lt;/b&gt;, bob" in page
    assert "<i>actor</i>" not in page and "position: &lt;i&gt;actor&lt;/i&gt;" in page
    assert "Gaza &lt;talks&gt;" in page and "12 units &amp; more" in page
    assert ">0.812<" in page and ">undefined<" in page and "2024-02-03" in page
    csv_target = tmp_path / "agreement.csv"
    write_agreement(rows, csv_target, "Gaza", ["ann", "bob"])
    with csv_target.open(encoding="utf-8", newline="") as f:
        assert [r["value"] for r in csv.DictReader(f)] == ["0.81234", ""]


def test_cli_html_report_escapes_a_coder_name_from_the_project(service, corpus_files, tmp_path):
    service.import_files(corpus_files)
    doc = service.documents()[0].id
    for coder, second_stance in (("<b>ann</b>", 1), ("bob", -1)):
        service.use_coder(coder)
        service.code_position(doc, 0, 30, "Hamas", "truce", -1)
        service.code_position(doc, 100, 130, "Israel", "truce", second_stance)
    page = tmp_path / "report.html"
    args = ["agreement", str(service.project.path), "--coders", "<b>ann</b>,bob", "-o", str(page)]
    assert cli_main(args) == 0
    text = page.read_text(encoding="utf-8")
    assert "Coders compared: &lt;b&gt;ann&lt;/b&gt;, bob" in text and "<b>ann</b>" not in text


@pytest.mark.parametrize("name", ["report.xlsx", "report", "report.html.bak"])
def test_unsupported_report_suffix_is_refused_and_writes_nothing(
    service, corpus_files, tmp_path, capsys, name
):
    _code(service, corpus_files, ["ann", "bob"])
    out = tmp_path / "out"
    out.mkdir()
    args = ["agreement", str(service.project.path), "--coders", "ann,bob", "-o", str(out / name)]
    assert cli_main(args) == 1
    error = capsys.readouterr().err
    assert ".csv or .html" in error and "marginalia:" in error
    assert list(out.iterdir()) == []
    with pytest.raises(InvalidInput, match=r"\.csv or \.html"):
        write_agreement([], out / name, "t", ["ann", "bob"])
    assert list(out.iterdir()) == []
