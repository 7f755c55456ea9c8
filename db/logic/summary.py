"""Summary tables computed from plain statement and tag rows (no database here).

Each function returns a Table: a name, a header and rows, ready for a workbook sheet or a CSV.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]


class StatementFact(NamedTuple):
    """The parts of a statement a summary needs."""

    document_id: int
    published: date | None
    outlet: str | None
    coder: str
    actor: str
    issue: str
    stance: int


class TagFact(NamedTuple):
    """One code on one annotation."""

    document: str
    outlet: str | None
    coder: str
    code: str


def actor_issue_matrix(facts: Iterable[StatementFact], scale: Sequence[tuple[int, str]]) -> Table:
    """Per actor and issue: statements per stance, total, net stance (sum of values), documents."""
    counts: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    documents: dict[tuple[str, str], set[int]] = defaultdict(set)
    for f in facts:
        counts[f.actor, f.issue][f.stance] += 1
        documents[f.actor, f.issue].add(f.document_id)
    header = ("actor", "issue", *(label for _, label in scale), "total", "net stance", "documents")
    rows = []
    for (actor, issue), by_stance in sorted(
        counts.items(), key=lambda kv: (kv[0][0].casefold(), kv[0][1].casefold())
    ):
        rows.append(
            (
                actor,
                issue,
                *(by_stance.get(value, 0) for value, _ in scale),
                sum(by_stance.values()),
                sum(v * n for v, n in by_stance.items()),
                len(documents[actor, issue]),
            )
        )
    return Table("Actor x issue", header, rows)


def code_frequencies(tags: Iterable[TagFact], by: str) -> Table:
    """How often each code was used, per document, coder or outlet (``by``)."""
    return code_frequency_table(Counter((getattr(t, by) or "", t.code) for t in tags), by)


def code_frequency_table(counts: Mapping[tuple[str, str], int], by: str) -> Table:
    """``code_frequencies`` from annotations already counted per (document/coder/outlet, code).

    Sorted without regard to case, and names that differ only in case by code point, so the
    order does not depend on the order the database gave the counts in.
    """
    rows = sorted(
        ((k, code, n) for (k, code), n in counts.items()),
        key=lambda r: (r[0].casefold(), r[1].casefold(), r[0], r[1]),
    )
    return Table(f"Codes by {by}", (by, "code", "annotations"), rows)


def tag_tallies(
    counts: Iterable[tuple[int, int, int, int]],
    documents: Mapping[int, tuple[str, str | None]],
    coders: Mapping[int, str],
    codes: Mapping[int, str],
) -> dict[str, Counter[tuple[str, str]]]:
    """Annotations per code by "document", "coder" and "outlet", as ``code_frequencies`` counts
    them, from counts per (coder id, code id, document id) in one pass.

    ``documents`` maps live documents to (title, outlet), ``codes`` live codes to their paths:
    counts of others are left out. Titles (and code paths) that repeat are counted together.
    """
    per_document: defaultdict[tuple[int, int], int] = defaultdict(int)
    per_coder: defaultdict[tuple[int, int], int] = defaultdict(int)
    for coder, code, document, n in counts:  # ids first: names once per group, not per row
        if code in codes and document in documents and coder in coders:
            per_document[document, code] += n
            per_coder[coder, code] += n
    by_document: Counter[tuple[str, str]] = Counter()
    by_outlet: Counter[tuple[str, str]] = Counter()
    for (document, code), n in per_document.items():
        title, outlet = documents[document]
        by_document[title or "", codes[code]] += n
        by_outlet[outlet or "", codes[code]] += n
    by_coder: Counter[tuple[str, str]] = Counter()
    for (coder, code), n in per_coder.items():
        by_coder[coders[coder] or "", codes[code]] += n
    return {"document": by_document, "coder": by_coder, "outlet": by_outlet}


def statements_per_month(facts: Iterable[StatementFact]) -> Table:
    """Statements per month of publication (undated articles apart), per actor and stance."""
    counts = Counter(
        (f.published.strftime("%Y-%m") if f.published else "undated", f.actor, f.stance)
        for f in facts
    )
    rows = sorted(
        ((m, a, s, n) for (m, a, s), n in counts.items()),
        key=lambda r: (r[0], r[1].casefold(), r[2]),
    )
    return Table("Statements per month", ("month", "actor", "stance", "statements"), rows)
