"""Actor networks with the Discourse Network Analyzer's arithmetic (DESIGN.md), without its faults.

Two-mode actor–issue: weight = number of statements (of one stance, or all).
One-mode congruence: for each pair of actors, summed over issues and stances, the product of how
often each made a statement with that same stance on that issue. Conflict: the same for opposite
stances (one above zero, the other below). Binary counting gives the number of shared issues
instead. Normalisation divides by the pair's activity: "average" by the mean of the two actors'
statement counts, "jaccard" by (a + b − w), "cosine" by √(a·b). De-duplication keeps one
statement per actor, issue, stance and document (never per month without the year, DNA's bug).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import NamedTuple

NORMALISATIONS = ("none", "average", "jaccard", "cosine")


class Fact(NamedTuple):
    document_id: int
    actor: str
    issue: str
    stance: int


class Edge(NamedTuple):
    source: str
    target: str
    weight: float


def deduplicate(facts: Iterable[Fact]) -> list[Fact]:
    return list(dict.fromkeys(facts))


def two_mode(facts: Iterable[Fact], stance: int | None = None) -> list[Edge]:
    counts = Counter((f.actor, f.issue) for f in facts if stance is None or f.stance == stance)
    return [Edge(a, i, float(n)) for (a, i), n in sorted(counts.items())]


def one_mode(
    facts: Iterable[Fact], kind: str, *, binary: bool = False, normalise: str = "none"
) -> list[Edge]:
    """``kind`` is "congruence" or "conflict"."""
    if kind not in ("congruence", "conflict"):
        raise ValueError(f"unknown one-mode network {kind!r}")
    if normalise not in NORMALISATIONS:
        raise ValueError(f"normalise must be one of {', '.join(NORMALISATIONS)}")
    facts = list(facts)
    counts: dict[str, dict[str, Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    activity: Counter[str] = Counter()
    for f in facts:
        counts[f.issue][f.actor][f.stance] += 1
        activity[f.actor] += 1
    weights: Counter[tuple[str, str]] = Counter()
    for by_actor in counts.values():
        for a, b in combinations(sorted(by_actor), 2):
            product = sum(
                na * nb
                for sa, na in by_actor[a].items()
                for sb, nb in by_actor[b].items()
                if (sa == sb if kind == "congruence" else sa * sb < 0)
            )
            if product:
                weights[a, b] += 1 if binary else product
    return [
        Edge(a, b, _normalised(w, activity[a], activity[b], normalise))
        for (a, b), w in sorted(weights.items())
    ]


def _normalised(weight: float, a: int, b: int, how: str) -> float:
    if how == "average":
        return weight / ((a + b) / 2)
    if how == "jaccard":
        return weight / (a + b - weight) if a + b - weight > 0 else 0.0
    if how == "cosine":
        return weight / math.sqrt(a * b)
    return float(weight)
