"""Line coders' highlights up against one another, code by code: passages, and where they agree.

Each code is its own layer (as in α-u, and as MAXQDA and ATLAS.ti compare segments per code): a
*passage* is a stretch held together by overlapping spans carrying that code, from any of the
compared coders. It is the unit an adjudicator decides on. Coders agree on a passage when each
of them marked exactly the same spans with the code there; a passage only some coders marked is a
disagreement too (the others saw nothing to code). Highlights without a code form a layer of
their own (code None). Layers keep dense coding decidable: a paragraph coded Conflict does not
tie every sentence inside it, coded with other codes, into one giant passage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class Coding:
    """One coder's highlight as a comparison sees it."""

    annotation_id: int
    coder_id: int
    start: int
    end: int
    code_ids: frozenset[int]
    modified_at: datetime | None = None
    """When the highlight or its codes last changed: a later edit reopens a settled passage."""


@dataclass(frozen=True, slots=True)
class Passage:
    code_id: int | None
    start: int
    end: int
    codings: tuple[Coding, ...]
    """The compared coders' highlights in this layer and stretch (with all their codes)."""
    agreed: bool

    def of(self, coder_id: int) -> tuple[Coding, ...]:
        return tuple(c for c in self.codings if c.coder_id == coder_id)

    def overlaps(self, start: int, end: int) -> bool:
        return start < self.end and end > self.start

    def spans_of(self, coder_id: int) -> set[tuple[int, int]]:
        return {(c.start, c.end) for c in self.codings if c.coder_id == coder_id}

    @property
    def last_edit(self) -> datetime | None:
        return max((c.modified_at for c in self.codings if c.modified_at), default=None)


@dataclass(frozen=True, slots=True)
class Target:
    """A passage to settle: an article, a code layer (None: uncoded highlights), a stretch."""

    document_id: int
    code_id: int | None
    start: int
    end: int

    @classmethod
    def of(cls, document_id: int, passage: Passage) -> Target:
        return cls(document_id, passage.code_id, passage.start, passage.end)


def layer_of(coding: Coding) -> Iterable[int | None]:
    return coding.code_ids or (None,)


def passages(codings: Iterable[Coding], coder_ids: Sequence[int]) -> list[Passage]:
    """The compared coders' passages in every code layer, in text order (then by code)."""
    wanted = set(coder_ids)
    layers: dict[int | None, list[Coding]] = defaultdict(list)
    for coding in codings:
        if coding.coder_id in wanted and coding.end > coding.start:
            for code_id in layer_of(coding):
                layers[code_id].append(coding)
    found = [
        passage
        for code_id, layer in layers.items()
        for passage in _layer_passages(code_id, layer, coder_ids)
    ]
    found.sort(key=lambda p: (p.start, p.end, -1 if p.code_id is None else p.code_id))
    return found


def _layer_passages(
    code_id: int | None, layer: list[Coding], coder_ids: Sequence[int]
) -> list[Passage]:
    groups: list[list[Coding]] = []
    reach = -1
    for coding in sorted(layer, key=lambda c: (c.start, c.end)):
        if groups and coding.start < reach:
            groups[-1].append(coding)
            reach = max(reach, coding.end)
        else:
            groups.append([coding])
            reach = coding.end
    return [
        Passage(
            code_id=code_id,
            start=group[0].start,
            end=max(c.end for c in group),
            codings=tuple(group),
            agreed=_agreed(group, coder_ids),
        )
        for group in groups
    ]


def _agreed(group: list[Coding], coder_ids: Sequence[int]) -> bool:
    spans = [{(c.start, c.end) for c in group if c.coder_id == coder} for coder in coder_ids]
    return all(s == spans[0] for s in spans)


def differing_ranges(passage: Passage, coder_ids: Sequence[int]) -> list[tuple[int, int]]:
    """Stretches of a passage where some coders marked the code and others did not."""
    edges = {p for c in passage.codings for p in (c.start, c.end)}
    cuts = sorted(edges | {passage.start, passage.end})
    ranges: list[tuple[int, int]] = []
    for start, end in pairwise(cuts):
        covered = {
            any(c.start <= start and c.end >= end for c in passage.of(coder)) for coder in coder_ids
        }
        if len(covered) > 1:
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
    return ranges
