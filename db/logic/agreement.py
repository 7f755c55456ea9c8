"""Inter-coder agreement coefficients on plain data (no database here).

Krippendorff's alpha comes from the ``krippendorff`` package (checked against Krippendorff 2011);
Cohen's and Fleiss' kappa and percent agreement are a few lines each, written here so that their
inputs (pairs of labels, a subjects × categories count table) stay explicit and reproducible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import krippendorff
import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def krippendorff_alpha(
    reliability: Sequence[Sequence[float | None]], level: str = "nominal"
) -> float:
    """Alpha for a coders × units matrix; None marks a unit a coder did not code."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
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
