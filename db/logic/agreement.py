"""Inter-coder agreement coefficients on plain data (no database here).

Krippendorff's alpha comes from the ``krippendorff`` package (checked against Krippendorff 2011);
Cohen's and Fleiss' kappa and percent agreement are a few lines each, written here so that their
inputs (pairs of labels, a subjects × categories count table) stay explicit and reproducible.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import accumulate

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def krippendorff_alpha(
    reliability: Sequence[Sequence[float | None]], level: str = "nominal"
) -> float:
    """Alpha for a coders × units matrix; None marks a unit a coder did not code."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    import krippendorff  # with numpy: ~0.2 s to import, paid only by agreement figures
    import numpy as np

    data = np.array([[np.nan if v is None else v for v in row] for row in reliability], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def percent_agreement(first: Sequence[Hashable], second: Sequence[Hashable]) -> float:
    _same_length(first, second)
    return sum(a == b for a, b in zip(first, second, strict=True)) / len(first)


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float:
    """Two coders' labels for the same units: (observed − chance) / (1 − chance)."""
    _same_length(first, second)
    n = len(first)
    observed = percent_agreement(first, second)
    a, b = Counter(first), Counter(second)
    chance = sum(a[label] * b[label] for label in a.keys() | b.keys()) / (n * n)
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float:
    """Subjects × categories: how many raters put each subject in each category.

    Every subject must have the same number of ratings (Fleiss 1971).
    """
    import numpy as np

    table = np.asarray(counts, dtype=float)
    raters = table.sum(axis=1)
    if table.ndim != 2 or len(set(raters)) != 1 or raters[0] < 2:
        raise ValueError("every subject needs the same number (≥ 2) of ratings")
    n, m = table.shape[0], raters[0]
    per_subject = ((table * table).sum(axis=1) - m) / (m * (m - 1))
    shares = table.sum(axis=0) / (n * m)
    observed, chance = per_subject.mean(), (shares * shares).sum()
    return 1.0 if chance == 1 else float((observed - chance) / (1 - chance))


def _same_length(first: Sequence, second: Sequence) -> None:
    if len(first) != len(second) or not first:
        raise ValueError("both coders need labels for the same, non-empty list of units")


_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)|\n")


def sentence_units(text: str) -> list[tuple[int, int]]:
    """Sentences as code-point spans: up to . ! ? … (with closing quotes) or a line break."""
    units: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start() if match.group() == "\n" else match.end()
        _add_unit(units, text, start, end)
        start = match.end()
    _add_unit(units, text, start, len(text))
    return units


def _add_unit(units: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        units.append((start + lead, start + lead + len(piece.strip())))


def coded_units(units: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]) -> list[bool]:
    """For each unit: does any span overlap it? (Sorted spans and a running maximum of their
    ends: O((units + spans) log spans), not units × spans.)"""
    if not spans:
        return [False] * len(units)
    ordered = sorted(spans)
    starts = [s for s, _ in ordered]
    reach = list(accumulate((e for _, e in ordered), max))
    flags = []
    for start, end in units:
        k = bisect_left(starts, end)  # spans starting before the unit ends
        flags.append(k > 0 and reach[k - 1] > start)
    return flags


def binary_agreement(labels_by_coder: Sequence[Sequence[bool]]) -> dict[str, float]:
    """Percent agreement plus Cohen's kappa (two coders) or Fleiss' kappa (more)."""
    if len(labels_by_coder) < 2:
        raise ValueError("agreement needs at least two coders")
    units = list(zip(*labels_by_coder, strict=True))
    agreeing = sum(len(set(unit)) == 1 for unit in units) / len(units)
    if len(labels_by_coder) == 2:
        return {"percent agreement": agreeing, "cohen kappa": cohen_kappa(*labels_by_coder)}
    table = [[sum(unit), len(unit) - sum(unit)] for unit in units]
    return {"percent agreement": agreeing, "fleiss kappa": fleiss_kappa(table)}
