from datetime import date

import pytest

from db.logic.metadata import infer, infer_outlet, infer_title, shorten
from db.logic.text import decode


def infer_file(corpus_dir, prefix):
    (path,) = corpus_dir.glob(f"{prefix}_*.txt")
    return infer(decode(path.read_bytes()))


def test_003_headline_line_becomes_the_title(corpus_dir):
    meta = infer_file(corpus_dir, "003")
    assert meta.title == "Hamas sources say Gaza ceasefire negotiations 'not going well'"


def test_004_leading_date_prefix(corpus_dir):
    meta = infer_file(corpus_dir, "004")
    assert meta.published == date(2023, 12, 20)
    assert meta.title.startswith("Hamas has allegedly rejected an Israeli offer")
    assert "date" not in meta.title


def test_002_trailing_outlet_line(corpus_dir):
    assert infer_file(corpus_dir, "002").outlet == "The Wall Street Journal"


def test_003_copyright_line_gives_the_outlet_without_legal_suffix(corpus_dir):
    assert infer_file(corpus_dir, "003").outlet == "Deutsche Presse-Agentur"


@pytest.mark.parametrize("prefix", ["000", "001", "004"])
def test_no_outlet_is_invented_from_a_closing_sentence(corpus_dir, prefix):
    assert infer_file(corpus_dir, prefix).outlet is None


def test_long_first_sentence_is_shortened_at_a_word(corpus_dir):
    title = infer_file(corpus_dir, "000").title
    assert title.startswith("Hamas will not agree to a temporary ceasefire")
    assert len(title) <= 100 and title.endswith("…")


def test_markdown_heading_and_iso_date_in_first_lines():
    meta = infer("# Council votes on tram\n\n2026-03-04\n\nBody text here.\n\nThe Courier\n")
    assert meta == (meta.__class__("Council votes on tram", date(2026, 3, 4), "The Courier"))


def test_invalid_dates_are_ignored():
    assert infer("Title\n2024-13-45 is not a date\n").published is None


def test_first_line_ending_in_a_full_stop_gives_its_first_sentence():
    assert infer_title("Talks resume. More text follows here.\nSecond") == "Talks resume"
    assert infer_title("   \n") == ""


def test_outlet_needs_capitalised_short_line():
    assert infer_outlet("Body.\n\nreuters contributed to this report") is None
    assert infer_outlet("Body.\n\n© 2024 Reuters. All rights reserved.") == "Reuters"


def test_shorten():
    assert shorten("short", 10) == "short"
    assert shorten("one two three four", 12) == "one two…"
