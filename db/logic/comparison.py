"""Line coders' highlights up against one another: passages, and where they agree.

A *passage* is a stretch of text held together by overlapping highlights of the compared coders
(any code): the unit an adjudicator decides on. Coders agree on a passage when each of them
highlighted exactly the same spans with the same codes there; a passage only some coders
highlighted is a disagreement too (the others saw nothing to code).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class Coding:
    """One coder's highlight as a comparison sees it."""

    annotation_id: int
    coder_id: int
    start: int
    end: int
    code_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class Passage:
    start: int
    end: int
    codings: tuple[Coding, ...]
    agreed: bool

    def of(self, coder_id: int) -> tuple[Coding, ...]:
        return tuple(c for c in self.codings if c.coder_id == coder_id)

    def overlaps(self, start: int, end: int) -> bool:
        return start < self.end and end > self.start


def passages(codings: Iterable[Coding], coder_ids: Sequence[int]) -> list[Passage]:
    """Group the compared coders' highlights into passages, in text order."""
    wanted = set(coder_ids)
    ordered = sorted(
        (c for c in codings if c.coder_id in wanted and c.end > c.start),
        key=lambda c: (c.start, c.end),
    )
    groups: list[list[Coding]] = []
    reach = -1
    for coding in ordered:
        if groups and coding.start < reach:
            groups[-1].append(coding)
            reach = max(reach, coding.end)
        else:
            groups.append([coding])
            reach = coding.end
    return [
        Passage(
            start=group[0].start,
            end=max(c.end for c in group),
            codings=tuple(group),
            agreed=_agreed(group, coder_ids),
        )
        for group in groups
    ]


def _agreed(group: list[Coding], coder_ids: Sequence[int]) -> bool:
    layers = [spans_of(group, coder) for coder in coder_ids]
    return all(layer == layers[0] for layer in layers)


def spans_of(codings: Iterable[Coding], coder_id: int) -> dict[tuple[int, int], frozenset[int]]:
    """A coder's highlights as span → codes (two highlights of one span count as one)."""
    found: dict[tuple[int, int], frozenset[int]] = defaultdict(frozenset)
    for c in codings:
        if c.coder_id == coder_id:
            found[c.start, c.end] |= c.code_ids
    return dict(found)


def differing_ranges(passage: Passage, coder_ids: Sequence[int]) -> list[tuple[int, int]]:
    """Stretches of a passage where the coders' codes differ character by character."""
    cuts = sorted(
        {passage.start, passage.end} | {p for c in passage.codings for p in (c.start, c.end)}
    )
    ranges: list[tuple[int, int]] = []
    for start, end in pairwise(cuts):
        seen = {
            frozenset().union(
                *(c.code_ids for c in passage.of(coder) if c.start <= start and c.end >= end)
            )
            for coder in coder_ids
        }
        if len(seen) > 1:
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
    return ranges
