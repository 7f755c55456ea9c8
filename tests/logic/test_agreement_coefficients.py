"""Agreement coefficients against published examples (to three decimals)."""

import pytest

from db.logic.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha, percent_agreement

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders, 12 units.
RELIABILITY = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_published_values(level, expected):
    assert round(krippendorff_alpha(RELIABILITY, level), 3) == expected


def test_fleiss_kappa_textbook_example():
    # 10 subjects, 14 raters, 5 categories (the example used in Fleiss' kappa references): 0.210
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert round(fleiss_kappa(table), 3) == 0.210
    with pytest.raises(ValueError):
        fleiss_kappa([[1, 1], [2, 1]])


def test_cohen_kappa_textbook_example():
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o 0.70, p_e 0.50, kappa 0.40
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert percent_agreement(first, second) == pytest.approx(0.70)
    assert round(cohen_kappa(first, second), 3) == 0.400
    assert cohen_kappa(["a", "b"], ["a", "b"]) == 1.0
    with pytest.raises(ValueError):
        cohen_kappa(["a"], [])


def test_sentence_units():
    from db.logic.agreement import coded_units, sentence_units

    text = "One. Two!\n\nThree “quoted.” Four"
    units = sentence_units(text)
    assert [text[s:e] for s, e in units] == ["One.", "Two!", "Three “quoted.”", "Four"]
    assert coded_units(units, [(2, 7)]) == [True, True, False, False]


def test_fleiss_kappa_fleiss_1971_diagnoses():
    # Fleiss (1971), Psychological Bulletin 76:378-382, Table 1: 30 patients, 6 psychiatrists each,
    # diagnoses 1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other. This is
    # the `diagnoses` data of R's irr (exported in sophiedkk/pyirr, pyrr/tests/diagnoses.csv; the
    # same 30 rows in dkpro/dkpro-statistics, Fleiss1971Test.createExample). kappam.fleiss: 0.430.
    ratings = [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]  # fmt: skip
    counts = [[row.count(diagnosis) for diagnosis in range(1, 6)] for row in ratings]
    assert round(fleiss_kappa(counts), 3) == 0.430


def test_coded_units_matches_the_plain_definition():
    from hypothesis import given
    from hypothesis import strategies as st

    from db.logic.agreement import coded_units

    span = st.tuples(st.integers(0, 200), st.integers(1, 60)).map(lambda t: (t[0], t[0] + t[1]))

    @given(st.lists(span, max_size=12), st.lists(span, max_size=12))
    def check(units, spans):
        expected = [any(s < end and e > start for s, e in spans) for start, end in units]
        assert coded_units(units, spans) == expected

    check()
