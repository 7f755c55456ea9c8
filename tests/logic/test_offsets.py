import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.logic.offsets import OffsetMap, quote, trim_span

TEXT = "Hamas 🕊️ said: “no truce” 😀😀 — then 𝔊aza talks resumed."


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def test_offsets_after_emoji_shift_in_utf16_only():
    offsets = OffsetMap(TEXT)
    start = TEXT.index("then")
    assert offsets.to_utf16(start) == utf16_len(TEXT[:start])
    assert offsets.from_utf16(utf16_len(TEXT[:start])) == start
    assert offsets.to_utf16(len(TEXT)) == utf16_len(TEXT)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_round_trip_for_every_boundary(text):
    offsets = OffsetMap(text)
    for cp in range(len(text) + 1):
        u16 = offsets.to_utf16(cp)
        assert u16 == utf16_len(text[:cp])
        assert offsets.from_utf16(u16) == cp


def test_position_inside_a_surrogate_pair_rounds_down():
    offsets = OffsetMap("a😀b")
    assert offsets.from_utf16(2) == 1


def test_quote_has_context():
    q = quote("0123456789" * 10, 40, 45)
    assert (q.exact, q.prefix[-3:], q.suffix[:3]) == ("01234", "789", "567")
    with pytest.raises(ValueError):
        quote("abc", 2, 9)


def test_trim_span_drops_surrounding_whitespace():
    assert trim_span("  a b  ", 0, 7) == (2, 5)
    assert trim_span("   ", 0, 3) == (3, 3)
