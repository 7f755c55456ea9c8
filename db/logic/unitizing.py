"""Krippendorff's unitizing alpha (uα): do coders agree on *where* the coded text is?

Definition used (Krippendorff, Mathet, Bouvry & Widlöcher 2016; Krippendorff 2019, §12.6).
``m`` coders each partition a continuum of length ``T`` into sections: units (coded) and gaps
(φ, not coded). Every one of the ``l.. = m·T`` coder-positions is paired with the same position of
the ``m − 1`` other coders, giving the observed coincidences

    l_ck = 1/(m−1) · Σ_i Σ_{j≠i} Σ_g Σ_h |section g of coder i (valued c) ∩ h of j (valued k)|.

Expected coincidences pair sections at random, except that a unit cannot pair with itself: a unit
of length l removes l² self-pairs, a gap (divisible matter) removes l:

    ε_ck = (n_c·n_k − [c = k]·S_c) / (l.. − S/l..)

with n_c = l_c. (total length valued c), S_c = Σ l² over the units valued c, S_φ = Σ l over the
gaps and S = Σ_c S_c. Then uα = 1 − D_o/D_e with D_o = Σ_{c≠k} l_ck / l.. and
D_e = Σ_{c≠k} ε_ck / l.. (dividing both by l.. makes them shares of pairable positions without
changing alpha). :func:`unitizing_alpha` is the binary |uα of one layer (code c vs everything
else); :func:`unitizing_alpha_nominal` is uα for mutually exclusive values. This 2016 form
replaced the distance-based α_U of Krippendorff (1995; 2004, the one DKPro Statistics
implements), which "turned out to behave not as expected when applied to more than two
observers" (2016, abstract); the two give different numbers.

Our data: a coder's spans may overlap and carry several codes, so each code is its own binary
layer; a coder's overlapping or abutting spans with that code are merged into one unit first
(two touching highlights with the same code are one coded stretch, and units of one coder must
not overlap). A coder who coded nothing still counts: all their sections are gaps.

Several documents are one reliability computation, exactly as if the continua were concatenated
(not an average of per-document alphas): gaps enter linearly, so splitting a gap at a document
boundary changes nothing, and units never cross a boundary (spans touching across a boundary are
not merged). The sweep over sorted span ends is O(n log n) per layer.

Overall value over codes (:func:`pooled_unitizing_alpha`): 1 − Σ D_o / Σ D_e over the layers.
That is how the per-category unitizing disagreements of Krippendorff (1995; 2004) are combined
into one coefficient (DKPro Statistics does so and gets 0.8591 for Krippendorff's 2004 example),
and how nominal alpha's D_o and D_e split into per-category parts; all layers share l.., so the
sums are commensurable. It equals the D_e-weighted mean of the per-code alphas, so rarely used
codes weigh little. Codes may overlap, so the nominal uα (one value per position) does not apply;
even where they do not overlap the pool differs from it, because a stretch coded A by one coder
and B by another is a disagreement in both layers.

References: K. Krippendorff (1995), On the reliability of unitizing continuous data, Sociological
Methodology 25:47–76; K. Krippendorff (2004), Measuring the reliability of qualitative text
analysis data, Quality & Quantity 38:787–800; K. Krippendorff, Y. Mathet, S. Bouvry,
A. Widlöcher (2016), On the reliability of unitizing textual continua: further developments,
Quality & Quantity 50:2347–2364 (doi:10.1007/s11135-015-0266-1); K. Krippendorff (2019), Content
Analysis, 4th ed., §12.6.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise

import numpy as np

_INT = np.int64


@dataclass(frozen=True, slots=True)
class UnitizingResult:
    """One layer (or a pool of layers); ``alpha`` is None when nothing can disagree (D_e = 0)."""

    alpha: float | None
    observed: float  # D_o: share of pairable positions where coders disagree
    expected: float  # D_e: the same share expected by chance
    length: int  # T: summed length of all documents
    units: int  # coded units across coders (after merging)
    coders: int


def unitizing_alpha(
    lengths: Sequence[int], spans: Sequence[Sequence[Sequence[tuple[int, int]]]]
) -> UnitizingResult:
    """|uα for one code: ``spans[c][d]`` are coder c's half-open spans with it in document d."""
    docs, offsets, total = _documents(lengths, len(spans))
    starts, ends = [], []
    for coder, per_doc in enumerate(spans):
        if len(per_doc) != len(docs):
            raise ValueError(f"coder {coder} has spans for {len(per_doc)} of {len(docs)} documents")
        start, end = _merged(*_flat_spans(per_doc, docs, offsets, coder))
        starts.append(start)
        ends.append(end)
    start, end = np.concatenate(starts), np.concatenate(ends)
    return _alpha(len(spans), total, start, end, np.zeros(len(start), dtype=_INT))


def unitizing_alpha_nominal(
    lengths: Sequence[int], units: Sequence[Sequence[Sequence[tuple[int, int, Hashable]]]]
) -> UnitizingResult:
    """uα for mutually exclusive values: ``units[c][d]`` holds (start, end, value) triples.

    A coder's units must not overlap; touching units stay separate, as in Krippendorff's
    examples, because the expected disagreement depends on unit lengths.
    """
    docs, offsets, total = _documents(lengths, len(units))
    codes: dict[Hashable, int] = {}
    starts: list[int] = []
    ends: list[int] = []
    values: list[int] = []
    for coder, per_doc in enumerate(units):
        if len(per_doc) != len(docs):
            raise ValueError(f"coder {coder} has units for {len(per_doc)} of {len(docs)} documents")
        mine = []
        for doc, doc_units in enumerate(per_doc):
            for start, end, value in doc_units:
                if not 0 <= start <= end <= docs[doc]:
                    raise ValueError(f"unit {(start, end)} outside document {doc}")
                if start < end:
                    mine.append((start + offsets[doc], end + offsets[doc], value))
        mine.sort(key=lambda unit: unit[0])
        for (_, previous_end, _), (start, _, _) in pairwise(mine):
            if start < previous_end:
                raise ValueError(f"units of coder {coder} overlap")
        for start, end, value in mine:
            starts.append(start)
            ends.append(end)
            values.append(codes.setdefault(value, len(codes)))
    return _alpha(
        len(units),
        total,
        np.array(starts, dtype=_INT),
        np.array(ends, dtype=_INT),
        np.array(values, dtype=_INT),
    )


def pooled_unitizing_alpha(layers: Iterable[UnitizingResult]) -> UnitizingResult:
    """Overall alpha over code layers: 1 − Σ D_o / Σ D_e (see the module docstring for why)."""
    layers = list(layers)
    if not layers:
        raise ValueError("nothing to pool")
    if len({(layer.coders, layer.length) for layer in layers}) != 1:
        raise ValueError("pooled layers must share the coders and documents")
    observed = sum(layer.observed for layer in layers)
    expected = sum(layer.expected for layer in layers)
    return UnitizingResult(
        alpha=1.0 - observed / expected if expected > 0 else None,
        observed=observed,
        expected=expected,
        length=layers[0].length,
        units=sum(layer.units for layer in layers),
        coders=layers[0].coders,
    )


def _documents(lengths: Sequence[int], coders: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Document lengths and their offsets on one continuum, one position apart.

    The spare position between documents keeps spans that touch across a boundary from merging;
    nobody codes it, and it is left out of T, so it adds no coincidences.
    """
    if coders < 2:
        raise ValueError("unitizing alpha needs at least two coders")
    docs = np.asarray(lengths, dtype=_INT).reshape(-1)
    if (docs < 0).any():
        raise ValueError("document lengths cannot be negative")
    offsets = np.concatenate(([0], np.cumsum(docs + 1)[:-1])).astype(_INT)
    return docs, offsets, int(docs.sum())


def _flat_spans(
    per_doc: Sequence[Sequence[tuple[int, int]]], docs: np.ndarray, offsets: np.ndarray, coder: int
) -> tuple[np.ndarray, np.ndarray]:
    """One coder's spans as global start/end arrays (empty spans dropped)."""
    counts = np.fromiter((len(doc) for doc in per_doc), dtype=_INT, count=len(docs))
    flat = np.fromiter(
        chain.from_iterable(chain.from_iterable(per_doc)), dtype=_INT, count=2 * int(counts.sum())
    ).reshape(-1, 2)
    doc = np.repeat(np.arange(len(docs)), counts)
    start, end = flat[:, 0], flat[:, 1]
    bad = np.flatnonzero((start < 0) | (start > end) | (end > docs[doc]))
    if bad.size:
        i = bad[0]
        raise ValueError(f"coder {coder}: span {tuple(flat[i].tolist())} outside document {doc[i]}")
    keep = start < end
    return start[keep] + offsets[doc[keep]], end[keep] + offsets[doc[keep]]


def _merged(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of one coder's spans: overlapping or touching spans become one unit."""
    if start.size == 0:
        return start, end
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    reach = np.maximum.accumulate(end)
    first = np.flatnonzero(np.concatenate(([True], start[1:] > reach[:-1])))
    return start[first], np.maximum.reduceat(end, first)


def _alpha(
    coders: int, total: int, start: np.ndarray, end: np.ndarray, value: np.ndarray
) -> UnitizingResult:
    """uα from all coders' units (global coordinates, one value id per unit)."""
    units = int(start.size)
    pairable = coders * total  # l..
    if pairable == 0:
        return UnitizingResult(None, 0.0, 0.0, total, units, coders)
    length = end - start
    gap = pairable - int(length.sum())  # n_φ
    per_value = np.bincount(value, weights=length, minlength=1) if units else np.zeros(1)
    marginals = sum(int(n) ** 2 for n in per_value) + gap * gap  # Σ_c n_c², φ included
    self_pairs = int((length * length).sum()) + gap  # S
    expected = (pairable * pairable - marginals) / (pairable - self_pairs / pairable)
    observed = _disagreeing_pairs(coders, start, end, value) / (coders - 1)
    return UnitizingResult(
        alpha=1.0 - observed / expected if expected > 0 else None,
        observed=observed / pairable,
        expected=expected / pairable,
        length=total,
        units=units,
        coders=coders,
    )


def _disagreeing_pairs(coders: int, start: np.ndarray, end: np.ndarray, value: np.ndarray) -> int:
    """Σ over positions of ordered coder pairs with different values, by a sweep over span ends.

    At a position where k_v coders have value v (k_φ = m − Σ k_v have a gap) the agreeing ordered
    pairs are Σ k_v(k_v − 1) + k_φ(k_φ − 1); positions nobody coded have no disagreement.
    """
    if start.size == 0:
        return 0
    x = np.concatenate((start, end))
    step = np.concatenate((np.ones(start.size, dtype=_INT), -np.ones(start.size, dtype=_INT)))
    order = np.argsort(x, kind="stable")
    covered = np.cumsum(step[order])  # coders inside a unit (their units never overlap)
    if value.max() == 0:  # one value: the same-value count is the coverage itself
        same = covered * (covered - 1)
    else:  # count per value in (value, position) order; each value's steps sum to zero
        by_value = np.lexsort((x, np.concatenate((value, value))))
        count = np.empty_like(step)
        count[by_value] = np.cumsum(step[by_value])
        before = count - step
        same = np.cumsum((count * (count - 1) - before * (before - 1))[order])
    gaps = coders - covered
    disagreeing = coders * (coders - 1) - same - gaps * (gaps - 1)
    return int((disagreeing[:-1] * np.diff(x[order])).sum())
