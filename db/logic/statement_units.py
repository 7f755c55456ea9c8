"""Units for agreement on positions, and a nominal alpha that stays small with many categories.

Coders highlight different spans for the same claim, so statement units cannot be fixed in
advance. Within one article, statements of different coders whose highlights overlap are paired,
the largest overlap first (on equal overlap, the more alike values first, so the order in which a
coder entered several positions on one span does not matter); a unit holds at most one statement
per coder, and a statement nobody else's overlaps is a unit of its own with the others missing.
Krippendorff's alpha allows missing values: a unit counts (is *pairable*) when at least two
coders have a value in it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from itertools import groupby
from typing import Any, NamedTuple


class Placed(NamedTuple):
    """One statement as the alignment sees it: where, by whom, and its (comparable) value."""

    document: int
    coder: int
    start: int
    end: int
    value: Any  # sortable, e.g. (actor_id, issue_id, stance)


Unit = tuple[Any, ...]  # one value (or None: missing) per coder, in the order of ``coders``


def statement_units(statements: Iterable[Placed], coders: Sequence[int]) -> list[Unit]:
    """Units in article and text order (a unit sits where its earliest statement starts)."""
    column = {coder: i for i, coder in enumerate(coders)}
    ordered = sorted(
        (s for s in statements if s.coder in column),
        key=lambda s: (s.document, s.start, s.end, s.value),
    )
    units: list[Unit] = []
    for _, in_document in groupby(ordered, key=lambda s: s.document):
        units += _match(list(in_document), column)
    return units


def _overlapping_pairs(statements: list[Placed]) -> Iterable[tuple[int, int, int]]:
    """(overlap, i, j) for statements of different coders sharing characters (sorted by start):
    a sweep over the ones that start before each one ends, not all pairs."""
    for i, s in enumerate(statements):
        for j in range(i + 1, len(statements)):
            t = statements[j]
            if t.start >= s.end:
                break
            if t.coder != s.coder and (shared := min(s.end, t.end) - t.start) > 0:
                yield shared, i, j


def _alike(a: Any, b: Any) -> int:
    """How many parts of two values agree (a whole value counts as one part)."""
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return sum(x == y for x, y in zip(a, b, strict=True))
    return int(a == b)


def _match(statements: list[Placed], column: dict[int, int]) -> list[Unit]:
    """Greedy matching on overlap in one article; leftovers become units of their own."""
    pairs = sorted(
        _overlapping_pairs(statements),
        key=lambda p: (-p[0], -_alike(statements[p[1]].value, statements[p[2]].value), p[1], p[2]),
    )
    unit_of: dict[int, int] = {}
    members: list[dict[int, int]] = []  # per unit: coder → statement index
    for _, i, j in pairs:
        ui, uj = unit_of.get(i), unit_of.get(j)
        if ui is None and uj is None:
            unit_of[i] = unit_of[j] = len(members)
            members.append({statements[i].coder: i, statements[j].coder: j})
        elif (ui is None) != (uj is None):
            unit, new = (ui, j) if uj is None else (uj, i)
            if statements[new].coder not in members[unit]:
                members[unit][statements[new].coder] = new
                unit_of[new] = unit
    members += [{s.coder: i} for i, s in enumerate(statements) if i not in unit_of]
    members.sort(key=lambda m: min(m.values()))
    units = []
    for unit in members:
        values: list[Any] = [None] * len(column)
        for coder, i in unit.items():
            values[column[coder]] = statements[i].value
        units.append(tuple(values))
    return units


def pairable(units: Iterable[Unit]) -> list[Unit]:
    """The units at least two coders gave a value to: the only ones alpha can use."""
    return [u for u in units if sum(v is not None for v in u) >= 2]


def nominal_alpha(units: Iterable[Sequence[Hashable | None]]) -> float:
    """Krippendorff's nominal alpha from sparse coincidences; units × coders, None = missing.

    The ``krippendorff`` package builds a units × values × values array, which for actors or
    whole positions (thousands of values over tens of thousands of units) needs gigabytes. The
    nominal case only needs, per unit, the pairs of equal values (Krippendorff 2011, eq. for
    nominal data): alpha = 1 − (n − 1)(n − Σ o_cc) / (n² − Σ n_c²). Raises ValueError when alpha
    is undefined (no pairable unit, or a single value throughout).
    """
    n = 0  # pairable values
    matching = 0.0  # Σ_c o_cc: coincidences of a value with itself
    totals: Counter[Hashable] = Counter()  # n_c
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        n += m
        totals.update(values)
        if m == 2:  # the common case, without a Counter per unit
            matching += 2 if values[0] == values[1] else 0
        else:
            matching += sum(k * (k - 1) for k in Counter(values).values()) / (m - 1)
    if n == 0:
        raise ValueError("no unit has values from two or more coders")
    expected = n * n - sum(k * k for k in totals.values())
    if expected == 0:
        raise ValueError("every pairable value is the same, so there is no variation to compare")
    return 1 - (n - 1) * (n - matching) / expected
