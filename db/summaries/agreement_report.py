"""The agreement report as a file: CSV for R/pandas/Excel, or one self-contained HTML page.

The HTML page carries what a reader needs to judge the numbers without the program: which coders,
when, what each coefficient means and the conventional thresholds. It loads nothing from outside
and every text in it is escaped, coder names included.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from db.errors import InvalidInput
from db.exports.atomic import atomic_path
from db.exports.csvfile import write_csv
from db.queries.agreement import AgreementRow

HEADER = ("coefficient", "code", "value", "units", "compared")
FORMATS = (".csv", ".html")

HOW_TO_READ = (
    "Each row is one coefficient for one variable, computed on the units named in “compared”, "
    "so it can be recomputed from an export. "
    "<b>Percent agreement</b> is the share of units on which all coders agree; it ignores "
    "agreement by chance. <b>Cohen’s kappa</b> (two coders) and <b>Fleiss’ kappa</b> (three or "
    "more) correct it for chance; their units are sentences, each coded or not with the code by "
    "each coder (a sentence counts as coded when one of the coder’s highlights with the code "
    "overlaps it). <b>Krippendorff’s alpha</b> compares coded positions on statement units: "
    "within an article, statements whose highlights overlap form a run, and the i-th statement "
    "of each coder in a run (in text order) forms one unit; a coder without a statement there "
    "is missing, and a unit counts when at least two coders have a value in it. Alpha is "
    "<i>nominal</i> for actors, issues and whole positions (any difference is a disagreement), "
    "<i>ordinal</i> and <i>interval</i> for stance (nearby stances disagree less). For all "
    "coefficients 1 is perfect agreement, 0 is what chance would give, and values below 0 mean "
    "systematic disagreement. Krippendorff (2004, <i>Content Analysis</i>, 2nd ed.) advises "
    "relying on variables with α ≥ .800 and drawing only tentative conclusions from those with "
    ".667 ≤ α &lt; .800. “Undefined” means the coefficient cannot be computed from these data "
    "(for instance every coder used the same value everywhere); the row says why."
)


def report_format(target: str | Path) -> str:
    """The file's format from its suffix, checked before anything is computed or written."""
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(
            f"An agreement report is a .csv or .html file, not “{suffix or path.name}”."
        )
    return suffix


def format_value(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def write_agreement(
    rows: Sequence[AgreementRow],
    target: str | Path,
    title: str,
    coders: Sequence[str],
    *,
    when: date | None = None,
) -> int:
    """CSV or HTML by the suffix, written atomically; returns the number of rows.

    In the CSV an undefined value is an empty cell (NA in R and pandas), and values keep four
    decimals; the page shows three.
    """
    if report_format(target) == ".csv":
        return write_csv(
            target,
            HEADER,
            (
                (r.coefficient, r.code, "" if r.value is None else r.value, r.units, r.compared)
                for r in rows
            ),
        )
    with atomic_path(target) as tmp:
        tmp.write_text(to_html(rows, title, coders, when or date.today()), encoding="utf-8")
    return len(rows)


def to_html(rows: Sequence[AgreementRow], title: str, coders: Sequence[str], when: date) -> str:
    e = html.escape
    cells = "\n".join(
        f"<tr><td>{e(r.coefficient)}</td><td>{e(r.code)}</td>"
        f"<td class='n'>{e(format_value(r.value))}</td><td class='n'>{r.units}</td>"
        f"<td>{e(r.compared)}</td></tr>"
        for r in rows
    )
    return "\n".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>Inter-coder agreement — {e(title)}</title>",
            "<style>body{font-family:Georgia,serif;max-width:60em;margin:2em auto;"
            "line-height:1.45;padding:0 1em}table{border-collapse:collapse;width:100%}"
            "th,td{border-bottom:1px solid #ccc;padding:.3em .5em;text-align:left;"
            "vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums;"
            "white-space:nowrap}td:last-child{color:#555;font-size:.9em}</style>",
            "</head><body>",
            f"<h1>Inter-coder agreement — {e(title)}</h1>",
            f"<p>Coders compared: {e(', '.join(coders))}<br>Date: {e(when.isoformat())}</p>",
            "<table><thead><tr><th>coefficient</th><th>code</th><th>value</th><th>units</th>"
            "<th>compared</th></tr></thead><tbody>",
            cells or "<tr><td colspan='5'>Nothing to compare: no coding by these coders.</td></tr>",
            "</tbody></table>",
            "<h2>How to read this</h2>",
            f"<p>{HOW_TO_READ}</p>",
            "</body></html>",
        ]
    )
