from hypothesis import given
from hypothesis import strategies as st

from db.logic.spans import segments

spans_strategy = st.lists(
    st.tuples(st.integers(0, 50), st.integers(0, 50), st.sampled_from("abcde")), max_size=30
)


@given(spans_strategy)
def test_segments_cover_exactly_the_spans_of_every_character(spans):
    result = segments(spans)
    covered = {}
    for start, end, keys in result:
        assert start < end
        for i in range(start, end):
            assert i not in covered, "segments overlap"
            covered[i] = sorted(keys)
    for i in range(51):
        expected = sorted(k for s, e, k in spans if s <= i < e)
        assert covered.get(i, []) == expected


def test_overlap_example():
    assert segments([(0, 10, "a"), (5, 15, "b")]) == [
        (0, 5, ("a",)),
        (5, 10, ("a", "b")),
        (10, 15, ("b",)),
    ]


rgb_spans = st.lists(
    st.tuples(
        st.integers(0, 40),
        st.integers(0, 40),
        st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)),
    ),
    max_size=25,
)


@given(rgb_spans)
def test_blended_segments_agree_with_segments(spans):
    from db.logic.spans import blended_segments

    plain = segments(spans)
    blended = blended_segments(spans, quantum=1)
    assert [(s, e) for s, e, _ in plain] == [(s, e) for s, e, _, _ in blended]
    for (_, _, colors), (_, _, mean, n) in zip(plain, blended, strict=True):
        assert n == len(colors)
        assert mean == tuple(sum(c[i] for c in colors) // n for i in range(3))
