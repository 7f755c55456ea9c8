"""Units for agreement on positions, and a nominal alpha that stays small with many categories.

Coders highlight different spans for the same claim, so statement units cannot be fixed in
advance. Within one article, statements whose highlights overlap — directly or through a chain of
overlaps, by any of the compared coders — form a cluster. Inside a cluster each coder's statements
are put in text order and the i-th statement of every coder forms unit i; a coder with fewer
statements there is missing for the extra units. Krippendorff's alpha allows missing values: a
unit counts (is *pairable*) when at least two coders have a value in it.
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
    """Units in article, cluster and text order.

    Several statements on one span are ordered by value, so the order in which a coder entered
    them does not decide which of the other coder's statements they are compared with.
    """
    column = {coder: i for i, coder in enumerate(coders)}
    ordered = sorted(
        (s for s in statements if s.coder in column),
        key=lambda s: (s.document, s.start, s.end, s.value),
    )
    units: list[Unit] = []
    for _, in_document in groupby(ordered, key=lambda s: s.document):
        for cluster in _clusters(list(in_document)):
            units += _align(cluster, column)
    return units


def _clusters(statements: list[Placed]) -> Iterable[list[Placed]]:
    """Connected runs of overlapping spans (statements sorted by start): one sweep, no pairs."""
    cluster: list[Placed] = []
    reach = 0
    for s in statements:
        if cluster and s.start >= reach:  # [start, end) shares no character with the run
            yield cluster
            cluster = []
        reach = max(reach, s.end) if cluster else s.end
        cluster.append(s)
    if cluster:
        yield cluster


def _align(cluster: list[Placed], column: dict[int, int]) -> list[Unit]:
    by_coder: list[list[Any]] = [[] for _ in column]
    for s in cluster:  # already in text order
        by_coder[column[s.coder]].append(s.value)
    depth = max(len(values) for values in by_coder)
    return [
        tuple(values[i] if i < len(values) else None for values in by_coder) for i in range(depth)
    ]


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
