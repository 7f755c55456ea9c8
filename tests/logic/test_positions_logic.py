import pytest

from db.logic.aliases import AliasMatcher
from db.logic.stance import DEFAULT_SCALE, StanceLevel, check_scale, parse_scale, resolve


def test_aliases_match_whole_words_case_insensitively_longest_first():
    matcher = AliasMatcher(
        [
            (1, "Hamas", ["the terror group", "the Gaza rulers", "the Palestinian group"]),
            (2, "Gaza", []),
        ]
    )
    text = "Officials said THE GAZA\nRULERS rejected it; Gaza residents and Hamasniks waited."
    assert [(text[s:e], a) for s, e, a in matcher.mentions(text)] == [
        ("THE GAZA\nRULERS", 1),
        ("Gaza", 2),
    ]
    assert matcher.single_actor("as the terror group said") == 1
    assert matcher.single_actor("Hamas and Gaza") is None
    assert matcher.single_actor("nobody") is None
    assert AliasMatcher([]).mentions("anything") == []


def test_stance_scale():
    assert resolve(DEFAULT_SCALE, -1).label == "oppose"
    assert resolve(DEFAULT_SCALE, "Support").value == 1
    assert resolve(DEFAULT_SCALE, "0").label == "neutral"
    with pytest.raises(ValueError, match="not on the stance scale"):
        resolve(DEFAULT_SCALE, 2)
    five = parse_scale([{"value": v, "label": f"l{v}", "key": str(v + 3)} for v in range(-2, 3)])
    assert [lv.value for lv in five] == [-2, -1, 0, 1, 2]
    with pytest.raises(ValueError):
        check_scale((StanceLevel(1, "a", "1"), StanceLevel(1, "b", "2")))
    assert parse_scale(None) == DEFAULT_SCALE
