"""Krippendorff's unitizing alpha (uα, |uα) against published values and the definition itself."""

import random
from fractions import Fraction

import pytest

from db.logic.unitizing import (
    pooled_unitizing_alpha,
    unitizing_alpha,
    unitizing_alpha_nominal,
)

# Krippendorff (2019), Content Analysis, 4th ed., Figure 12.11 (p. 340): observers Alex, Paul and
# Suzan unitize and code a continuum of length 60. Data and the book's values (uα = 0.510,
# |uα = 0.413) as transcribed in the quallmer R package, repository cran/quallmer, file
# tests/testthat/test-alpha_u.R; there 1-based inclusive (start, end), here 0-based half-open.
BOOK = {
    "alex": [(0, 7, 1), (7, 13, 2), (30, 32, 5), (32, 37, 6), (37, 44, 6), (44, 60, 7)],
    "paul": [(0, 7, 1), (7, 13, 3), (13, 21, 5), (32, 44, 6)],
    "suzan": [(0, 7, 1), (7, 13, 4), (13, 21, 5), (32, 37, 6), (37, 41, 6), (41, 44, 6)],
}


def test_book_example_three_observers_nominal():
    result = unitizing_alpha_nominal([60], [[units] for units in BOOK.values()])
    assert round(result.alpha, 3) == 0.510
    # l.. = 180 coder-positions; 70 of the observed coincidences are disagreements.
    assert result.observed == pytest.approx(70 / 180)
    assert (result.length, result.units, result.coders) == (60, 16, 3)


def test_book_example_binary_is_the_one_valued_case():
    # |uα keeps the units but forgets their values. Exactly 1 − 26/(696510/15709) =
    # 144038/348255 = 0.41360; the book is quoted (not checked: no copy here) as 0.413.
    one_value = [[[(s, e, "unit") for s, e, _ in units]] for units in BOOK.values()]
    result = unitizing_alpha_nominal([60], one_value)
    assert result.alpha == pytest.approx(144038 / 348255, abs=1e-12)
    assert round(result.alpha, 3) == 0.414
    # The per-code function merges touching units (Alex 0–13 and 30–60 become two units), which
    # changes the expected disagreement but not the observed one.
    merged = unitizing_alpha([60], [[[(s, e) for s, e, _ in units]] for units in BOOK.values()])
    assert merged.units == 6
    assert merged.observed == pytest.approx(result.observed)
    assert merged.alpha == pytest.approx(_naive_binary([60], _spans_only(BOOK)))


def test_identical_codings_give_one():
    # Krippendorff (2004), worked example of Content Analysis 2nd ed. p. 254, category k: both
    # observers mark 180–240 and 300–350 on the continuum 150–450; alpha = 1.000 (asserted in
    # dkpro/dkpro-statistics, Krippendorff2004Test.testCategoryAgreement).
    k = [(30, 90), (150, 200)]
    assert unitizing_alpha([300], [[k], [k]]).alpha == 1.0
    three = [[[(0, 5), (10, 20)], [(3, 4)]]] * 3
    result = unitizing_alpha([20, 4], three)
    assert result.alpha == 1.0
    assert result.observed == 0.0 < result.expected


def test_a_single_unit_is_no_better_than_chance():
    # dkpro-statistics UnitizingAgreementTest.testSingleAnnotationUnit: three coders, length 20,
    # one unit of length 1 from one coder -> 0.0. Here D_o = D_e = 2/60 exactly.
    result = unitizing_alpha([20], [[[(0, 1)]], [[]], [[]]])
    assert result.alpha == pytest.approx(0.0, abs=1e-15)
    assert result.observed == pytest.approx(result.expected)


def test_coder_who_coded_nothing_still_counts():
    # Two coders, one unit of length l in T positions by one of them. From the definition:
    # D_o = 2l/(2T), D_e = 2l/(2T + l − 1), so alpha = −(l − 1)/(2T).
    result = unitizing_alpha([100], [[[(40, 50)]], [[]]])
    assert result.alpha == pytest.approx(-9 / 200)
    agreeing = unitizing_alpha([100], [[[(40, 50)]], [[(40, 50)]]])
    with_silent_third = unitizing_alpha([100], [[[(40, 50)]], [[(40, 50)]], [[]]])
    assert agreeing.alpha == 1.0
    assert with_silent_third.alpha < 0.5
    assert with_silent_third.alpha == pytest.approx(
        _naive_binary([100], [[[(40, 50)]], [[(40, 50)]], [[]]])
    )


def test_nobody_coded_anything_is_undefined():
    result = unitizing_alpha([10, 0, 5], [[[], [], []], [[], [], []]])
    assert result.alpha is None
    assert (result.observed, result.expected, result.length, result.units) == (0.0, 0.0, 15, 0)
    everything = unitizing_alpha([10], [[[(0, 10)]], [[(0, 10)]]])
    assert everything.alpha is None  # no gaps either: nothing could have been disagreed on


def test_spans_at_document_boundaries_stay_apart():
    # A coder's span ending a document and one starting the next are two units, not one.
    lengths = [10, 10]
    first = [[(6, 10)], [(0, 3)]]
    second = [[(5, 10)], [(0, 4)]]
    result = unitizing_alpha(lengths, [first, second])
    assert result.units == 4
    # Same as one continuum of length 20 where the touching units are kept apart ...
    joined = unitizing_alpha_nominal(
        [20], [[[(6, 10, "x"), (10, 13, "x")]], [[(5, 10, "x"), (10, 14, "x")]]]
    )
    assert result == joined
    # ... whereas inside one document touching spans merge, which changes the expectation.
    merged = unitizing_alpha([20], [[[(6, 10), (10, 13)]], [[(5, 10), (10, 14)]]])
    assert merged.units == 2
    assert merged.alpha != pytest.approx(result.alpha)
    assert result.alpha == pytest.approx(_naive_binary(lengths, [first, second]))


def test_documents_pool_like_one_concatenated_continuum_not_an_average():
    lengths = [30, 50]
    first = [[(2, 10), (20, 25)], [(5, 30)]]
    second = [[(3, 10)], [(0, 12), (15, 30), (40, 45)]]
    result = unitizing_alpha(lengths, [first, second])
    shift = [[(s, e) for s, e in first[0]] + [(s + 30, e + 30) for s, e in first[1]]]
    shift2 = [[(s, e) for s, e in second[0]] + [(s + 30, e + 30) for s, e in second[1]]]
    assert result == unitizing_alpha([80], [shift, shift2])
    pairs = zip(lengths, first, second, strict=True)
    per_doc = [unitizing_alpha([n], [[a], [b]]).alpha for n, a, b in pairs]
    assert result.alpha != pytest.approx(sum(per_doc) / 2)


def test_overlapping_and_touching_spans_of_one_coder_merge():
    messy = unitizing_alpha([12], [[[(0, 5), (3, 8), (8, 10), (9, 9)]], [[(1, 10)]]])
    clean = unitizing_alpha([12], [[[(0, 10)]], [[(1, 10)]]])
    assert messy == clean
    assert messy.units == 2


def test_pooled_layers():
    lengths = [40, 25]
    layer_a = unitizing_alpha(lengths, [[[(0, 10)], [(5, 9)]], [[(2, 10)], [(5, 12)]]])
    layer_b = unitizing_alpha(lengths, [[[(20, 40)], []], [[(22, 35)], [(0, 25)]]])
    nobody = unitizing_alpha(lengths, [[[], []], [[], []]])
    pooled = pooled_unitizing_alpha([layer_a, layer_b, nobody])
    total_o = layer_a.observed + layer_b.observed
    total_e = layer_a.expected + layer_b.expected
    assert pooled.alpha == pytest.approx(1 - total_o / total_e)
    weighted = (layer_a.alpha * layer_a.expected + layer_b.alpha * layer_b.expected) / total_e
    assert pooled.alpha == pytest.approx(weighted)  # the D_e-weighted mean of the codes' alphas
    assert (pooled.units, pooled.length, pooled.coders) == (7, 65, 2)
    assert pooled_unitizing_alpha([nobody]).alpha is None
    with pytest.raises(ValueError):
        pooled_unitizing_alpha([layer_a, unitizing_alpha([65], [[[]], [[]], [[]]])])
    with pytest.raises(ValueError):
        pooled_unitizing_alpha([])


def test_invalid_input():
    with pytest.raises(ValueError):
        unitizing_alpha([10], [[[(0, 5)]]])  # one coder
    with pytest.raises(ValueError):
        unitizing_alpha([10], [[[(0, 11)]], [[]]])  # past the end
    with pytest.raises(ValueError):
        unitizing_alpha([10], [[[(5, 4)]], [[]]])  # reversed
    with pytest.raises(ValueError):
        unitizing_alpha([10, 10], [[[]], [[], []]])  # missing a document
    with pytest.raises(ValueError):
        unitizing_alpha_nominal([10], [[[(0, 5, "a"), (4, 8, "b")]], [[]]])  # overlapping units


@pytest.mark.parametrize("seed", range(40))
def test_matches_the_definition_on_random_data(seed):
    rng = random.Random(seed)
    coders = rng.randint(2, 4)
    lengths = [rng.randint(0, 25) for _ in range(rng.randint(1, 3))]
    spans = [
        [[_random_span(rng, n) for _ in range(rng.randint(0, 4))] if n else [] for n in lengths]
        for _ in range(coders)
    ]
    result = unitizing_alpha(lengths, spans)
    expected = _naive_binary(lengths, spans)
    assert (result.alpha is None) == (expected is None)
    if expected is not None:
        assert result.alpha == pytest.approx(expected, abs=1e-12)

    units = [[_random_partition(rng, n) for n in lengths] for _ in range(coders)]
    nominal = unitizing_alpha_nominal(lengths, units)
    expected = _naive(lengths, units)
    assert (nominal.alpha is None) == (expected is None)
    if expected is not None:
        assert nominal.alpha == pytest.approx(expected, abs=1e-12)


# -- the definition, position by position (Krippendorff et al. 2016), in exact fractions --------


def _naive(lengths, units):
    """uα straight from the coincidence definition; units[c][d] = [(start, end, value)]."""
    m, total = len(units), sum(lengths)
    pairable = m * total
    labels = [[None] * total for _ in range(m)]
    self_pairs = 0
    for coder, per_doc in enumerate(units):
        offset = 0
        for n, doc in zip(lengths, per_doc, strict=True):
            for start, end, value in doc:
                labels[coder][offset + start : offset + end] = [value] * (end - start)
                self_pairs += (end - start) ** 2
            offset += n
    marginal: dict = {}
    for row in labels:
        for label in row:
            marginal[label] = marginal.get(label, 0) + 1
    self_pairs += marginal.get(None, 0)  # gaps pair position by position
    observed = Fraction(0)
    for p in range(total):
        for i in range(m):
            for j in range(m):
                if i != j and labels[i][p] != labels[j][p]:
                    observed += Fraction(1, m - 1)
    if pairable == 0:
        return None
    off_diagonal = pairable * pairable - sum(n * n for n in marginal.values())
    expected = Fraction(off_diagonal) / (pairable - Fraction(self_pairs, pairable))
    return None if expected == 0 else float(1 - observed / expected)


def _naive_binary(lengths, spans):
    """|uα of one code: a coder's covered positions, cut into maximal runs per document."""
    units = []
    for per_doc in spans:
        mine = []
        for n, doc in zip(lengths, per_doc, strict=True):
            covered = [any(s <= p < e for s, e in doc) for p in range(n)]
            runs, p = [], 0
            while p < n:
                if covered[p]:
                    q = p
                    while q < n and covered[q]:
                        q += 1
                    runs.append((p, q, "unit"))
                    p = q
                else:
                    p += 1
            mine.append(runs)
        units.append(mine)
    return _naive(lengths, units)


def _spans_only(book):
    return [[[(s, e) for s, e, _ in units]] for units in book.values()]


def _random_span(rng, n):
    start = rng.randint(0, n)
    return (start, rng.randint(start, n))


def _random_partition(rng, n):
    """Non-overlapping valued units, touching ones included, with random gaps between them."""
    units, p = [], 0
    while p < n:
        q = rng.randint(p + 1, n)
        if rng.random() < 0.6:
            units.append((p, q, rng.choice("abc")))
        p = q
    return units
