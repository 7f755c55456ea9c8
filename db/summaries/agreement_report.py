"""The agreement report as a file: CSV for R/pandas/Excel, or one self-contained HTML page.

The HTML page carries what a reader needs to judge the numbers without the program: which coders
and codes, when, what each coefficient means and the conventional thresholds. It loads nothing
from outside and every text in it is escaped, coder names included. CSV text cells that a
spreadsheet would run as a formula get a leading apostrophe (numbers stay numbers).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from db.errors import InvalidInput
from db.exports.atomic import atomic_path
from db.exports.csvfile import write_csv
from db.logic.csvcells import neutralise
from db.queries.agreement import AgreementRow

HEADER = ("coefficient", "code", "value", "units", "compared")
FORMATS = (".csv", ".html")
HEADING = "Inter-coder agreement"

HOW_TO_READ = (
    "Each row is one coefficient for one variable, computed on the units named in “compared”, "
    "so it can be recomputed from an export. "
    "<b>Percent agreement</b> is the share of units on which all coders agree; it ignores "
    "agreement by chance. <b>Cohen’s kappa</b> (two coders) and <b>Fleiss’ kappa</b> (three or "
    "more) correct it for chance; their units are sentences, each coded or not with the code by "
    "each coder (a sentence counts as coded when one of the coder’s highlights with the code "
    "overlaps it). <b>Krippendorff’s alpha</b> compares coded positions on statement units: "
    "statements of different coders whose highlights overlap are paired into units (the "
    "“compared” column says how); a coder without a statement there is missing, and a unit "
    "counts when at least two coders have a value in it. Alpha is "
    "<i>nominal</i> for actors, issues and whole positions (any difference is a disagreement), "
    "<i>ordinal</i> and <i>interval</i> for stance (nearby stances disagree less). For all "
    "coefficients 1 is perfect agreement, 0 is what chance would give, and values below 0 mean "
    "systematic disagreement. Krippendorff (2004, <i>Content Analysis</i>, 2nd ed.) advises "
    "relying on variables with α ≥ .800 and drawing only tentative conclusions from those with "
    ".667 ≤ α &lt; .800. “Undefined” means the coefficient cannot be computed from these data "
    "(for instance every coder used the same value everywhere); the row says why."
)

GUIDE = (
    (
        "Unitizing alpha (α-u)",
        "Krippendorff’s α-u compares where the coders put their highlights, character by "
        "character, over every article all of them worked on. Each code is a layer of its own: a "
        "character is coded or not with that code by each coder, so one row per code says how well "
        "the coders agree on what to mark with it and where its boundaries lie. 1 means every "
        "coder marked exactly the same stretches; 0 means the overlap is no better than if the "
        "same amount of highlighting had been scattered at random; below 0 the coders avoid each "
        "other’s stretches more than chance would (systematic disagreement, often one coder "
        "marking what another leaves out). The pooled row (“(all codes)”, or “(selected codes)” "
        "when only some codes were compared) is 1 − ΣD_o / ΣD_e over the per-code layers: the "
        "codes’ disagreements added up. That weights each code by how much disagreement chance "
        "would give it, so a rarely used code weighs little; it is not the plain mean of the "
        "rows above it.",
    ),
    (
        "Kappa and percent agreement",
        "Cohen’s kappa (two coders) and Fleiss’ kappa (three or more) ask, sentence by sentence, "
        "whether each coder applied the code there. Percent agreement is the plain share of "
        "sentences with the same answer; kappa discounts the agreement chance alone would give, "
        "so a code that is rarely used can have high percent agreement and a low kappa. 1 is "
        "perfect, 0 is chance level, below 0 worse than chance.",
    ),
    (
        "Position alpha",
        "Krippendorff’s alpha on statement units says whether coders who coded the same statement "
        "gave it the same actor, issue, stance, or whole position (actor + issue + stance). "
        "Nominal alpha counts any difference as a disagreement; ordinal and interval alpha for "
        "stance count a near miss (neutral against support) as a smaller one than opposite "
        "stances. The same scale applies: 1 perfect, 0 chance, below 0 systematic "
        "disagreement.",
    ),
    (
        "The units column",
        "How many units the coefficient rests on: for α-u the coded stretches (a coder’s "
        "overlapping or touching spans with the code, merged); for kappa and percent agreement "
        "the sentences; for position alpha the statement units with at least two coders’ values. "
        "A value computed on a handful of units can swing widely: read it with its units.",
    ),
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
    codes: Sequence[str] | None = None,
) -> int:
    """CSV or HTML by the suffix, written atomically; returns the number of rows.

    ``title`` names the project (the page heads it "Inter-coder agreement — title");
    ``codes`` the code paths the report was restricted to (None: every code).
    In the CSV an undefined value is an empty cell (NA in R and pandas), and values keep four
    decimals; the page shows three.
    """
    if report_format(target) == ".csv":
        return write_csv(
            target,
            HEADER,
            (
                (
                    neutralise(r.coefficient),
                    neutralise(r.code),
                    "" if r.value is None else r.value,
                    r.units,
                    neutralise(r.compared),
                )
                for r in rows
            ),
        )
    page = to_html(rows, title, coders, when or date.today(), codes)
    with atomic_path(target) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return len(rows)


def codes_line(codes: Sequence[str] | None) -> str:
    """Which codes the report covers, in words (plain text)."""
    if not codes:
        return "Codes compared: every code in the codebook."
    return (
        f"Codes compared: only {', '.join(codes)}. The “(selected codes)” rows pool these, "
        "not the whole codebook; position rows do not depend on codes."
    )


def to_html(
    rows: Sequence[AgreementRow],
    title: str,
    coders: Sequence[str],
    when: date,
    codes: Sequence[str] | None = None,
) -> str:
    e = html.escape
    if title.startswith(HEADING):  # given whole already: do not say it twice
        title = title[len(HEADING) :].lstrip(" —-:")
    heading = f"{HEADING} — {title}" if title else HEADING
    guide = "\n".join(f"<h3>{e(name)}</h3><p>{e(text)}</p>" for name, text in GUIDE)
    cells = "\n".join(
        f"<tr><td>{e(r.coefficient)}</td><td>{e(r.code)}</td>"
        f"<td class='n'>{e(format_value(r.value))}</td><td class='n'>{r.units}</td>"
        f"<td>{e(r.compared)}</td></tr>"
        for r in rows
    )
    return "\n".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{e(heading)}</title>",
            "<style>body{font-family:Georgia,serif;max-width:60em;margin:2em auto;"
            "line-height:1.45;padding:0 1em}table{border-collapse:collapse;width:100%}"
            "th,td{border-bottom:1px solid #ccc;padding:.3em .5em;text-align:left;"
            "vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums;"
            "white-space:nowrap}td:last-child{color:#555;font-size:.9em}</style>",
            "</head><body>",
            f"<h1>{e(heading)}</h1>",
            f"<p>Coders compared: {e(', '.join(coders))}<br>{e(codes_line(codes))}<br>"
            f"Date: {e(when.isoformat())}</p>",
            "<table><thead><tr><th>coefficient</th><th>code</th><th>value</th><th>units</th>"
            "<th>compared</th></tr></thead><tbody>",
            cells or "<tr><td colspan='5'>Nothing to compare: no coding by these coders.</td></tr>",
            "</tbody></table>",
            "<h2>How to read this</h2>",
            f"<p>{HOW_TO_READ}</p>",
            guide,
            "</body></html>",
        ]
    )
