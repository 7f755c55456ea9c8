"""Cut overlapping spans into non-overlapping segments, each knowing which spans cover it.

A sweep over the sorted boundaries: O(n log n) for n spans, where QualCoder's pairwise overlap
scan is O(n²). The reader paints one format per segment, so 2,000 overlapping highlights cost
a few thousand format ranges, not 2,000 full-document passes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def segments(spans: Iterable[tuple[int, int, K]]) -> list[tuple[int, int, tuple[K, ...]]]:
    """(start, end, keys) for every stretch covered by at least one span.

    Keys come in the order their spans started (ties: input order).
    """
    events: list[tuple[int, int, int, K]] = []
    for order, (start, end, key) in enumerate(spans):
        if start < end:
            events.append((start, 1, order, key))
            events.append((end, 0, order, key))
    events.sort(key=lambda e: (e[0], e[1]))
    active: dict[int, K] = {}
    out: list[tuple[int, int, tuple[K, ...]]] = []
    previous = None
    for position, is_start, order, key in events:
        if previous is not None and position > previous and active:
            out.append((previous, position, tuple(active.values())))
        if is_start:
            active[order] = key
        else:
            del active[order]
        previous = position
    return out


def blended_segments(
    spans: Iterable[tuple[int, int, tuple[int, int, int]]], quantum: int = 4
) -> list[tuple[int, int, tuple[int, int, int], int]]:
    """(start, end, mean colour, how many spans) per stretch covered by RGB-coloured spans.

    The same sweep as ``segments`` but keeping running colour sums, so each segment costs O(1)
    however many spans cover it. Blends of several spans round each channel to ``quantum``, so
    nearly equal blends share one text format.
    """
    events: list[tuple[int, int, tuple[int, int, int]]] = []
    for start, end, rgb in spans:
        if start < end:
            events.append((start, 1, rgb))
            events.append((end, -1, rgb))
    events.sort(key=lambda e: (e[0], e[1]))
    out: list[tuple[int, int, tuple[int, int, int], int]] = []
    r = g = b = n = 0
    previous = None
    for position, sign, (cr, cg, cb) in events:
        if n and previous is not None and position > previous:
            q = quantum if n > 1 else 1  # a single span keeps its exact colour
            out.append((previous, position, (r // n // q * q, g // n // q * q, b // n // q * q), n))
        r, g, b, n = r + sign * cr, g + sign * cg, b + sign * cb, n + sign
        previous = position
    return out
