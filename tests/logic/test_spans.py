from itertools import pairwise

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


def _exact_blends(spans, size):
    """Per position: (exact mean colour, how many spans), by brute force."""
    out = []
    for i in range(size):
        over = [c for s, e, c in spans if s <= i < e]
        n = len(over)
        out.append((tuple(sum(c[k] for c in over) / n for k in range(3)), n) if n else None)
    return out


@given(rgb_spans, st.sampled_from([1, 4, 8, 16]))
def test_blends_round_to_the_nearest_step_and_single_spans_stay_exact(spans, quantum):
    from db.logic.spans import blended_segments

    exact = _exact_blends(spans, 41)
    for start, end, colour, n in blended_segments(spans, quantum):
        for i in range(start, end):
            mean, count = exact[i]
            assert count == n
            if n == 1:
                assert colour == tuple(int(v) for v in mean)
            else:
                assert all(
                    0 <= c <= 255 and abs(c - v) <= quantum // 2 + 1
                    for c, v in zip(colour, mean, strict=True)
                )


@given(rgb_spans)
def test_merged_blends_look_the_same_in_fewer_runs(spans):
    from db.logic.spans import blended_segments

    def looks(segments_):
        out = {}
        for start, end, colour, n in segments_:
            for i in range(start, end):
                out[i] = (colour, n > 1)
        return out

    plain = blended_segments(spans)
    merged = blended_segments(spans, merge=True)
    assert looks(merged) == looks(plain)
    assert len(merged) <= len(plain)
    for (_, end, colour, n), (start, _, colour2, n2) in pairwise(merged):
        assert end <= start
        assert end < start or (colour, n > 1) != (colour2, n2 > 1), "neighbours that look alike"


def test_blend_of_red_and_blue_overlap():
    from db.logic.spans import blended_segments

    red, blue = (255, 0, 0), (0, 0, 255)
    assert blended_segments([(0, 10, red), (5, 15, blue)], merge=True) == [
        (0, 5, red, 1),
        (5, 10, (128, 0, 128), 2),
        (10, 15, blue, 1),
    ]
    # two highlights of one colour that touch read as one run
    assert blended_segments([(0, 5, red), (5, 9, red)], merge=True) == [(0, 9, red, 1)]
