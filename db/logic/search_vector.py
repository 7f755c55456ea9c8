"""An article's PostgreSQL search vector, built here instead of on the server, where it can be.

PostgreSQL's search index (migration 0007) holds ``to_tsvector('simple', …)`` of each article's
folded text. Building it was ~70% of an import's server time (0.6 ms an article: NFD, two
regular expressions and the text-search parser); here it takes ~0.3 ms on the importer's
reading thread, beside the server's work, and the server only parses the literal.

The vector must be exactly what the server would build, or a search could miss an article.
It is, for a folded text that is plain ASCII, which most English and European news becomes
once its diacritics are dropped: ASCII letters and digits mean the same to the server's parser
in every locale, and its only split inside a run of them is a number in scientific notation
running into letters ("2e5ab" → "2e5", "ab"), followed here. Anything else (other scripts,
letters such as "ß" or "ø" whose lower case depends on the server's locale, words too long to
index, more than 16,383 words, a word 256 times or more) gives None: the server builds that
one, through the same SQL expression its trigger uses (migration 0009).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

SEPARATORS = re.compile(
    r"[!-/:-@\[-`{-~\u007f-\u00a9\u00ab-\u00b1\u00b4\u00b6-\u00b8\u00bb\u00bf\u00d7\u00f7"
    r"\u2000-\u206f\u20a0-\u20cf\u2190-\u2bff\u3000-\u3003\u3008-\u3011\u3014-\u301f"
    r"\U0001f000-\U0001faff]+"
)
"""Punctuation, symbols and spaces turned into spaces first, as migration 0007 does."""
COMBINING_MARKS = re.compile(r"[\u0300-\u036f]+")
"""Diacritics dropped after NFD, as migration 0007 does (and search words are folded)."""

_WORD = re.compile(r"[a-z0-9]+")
_SCIENTIFIC = re.compile(r"(?<![a-z0-9])([0-9]+e[0-9]+)(?=[a-z])")  # "2e5ab": "2e5", "ab"
_MAX_POSITION = 16383  # PostgreSQL's MAXENTRYPOS - 1: later words would share a position
_MAX_OCCURRENCES = 255  # positions kept per word
_MAX_WORD = 2046  # bytes: a longer word is left out of the vector, with a notice


def fold(text: str) -> str:
    """Diacritics removed, as in the index: "Sīsī" → "Sisi"."""
    return text if text.isascii() else COMBINING_MARKS.sub("", unicodedata.normalize("NFD", text))


def vector_literal(body: str) -> str | None:
    """``body``'s search vector as tsvector text (``'talks':1 'resume':2 'talks':3 …``), or
    None when only the server can build it exactly."""
    spaced = SEPARATORS.sub(" ", fold(body))
    if not spaced.isascii():
        return None
    words = _WORD.findall(_SCIENTIFIC.sub(r"\1 ", spaced.lower()))
    if len(words) > _MAX_POSITION:
        return None
    if len(words) > _MAX_OCCURRENCES and max(Counter(words).values()) > _MAX_OCCURRENCES:
        return None
    if words and max(map(len, words)) > _MAX_WORD:
        return None
    # One entry a word, in order: the server merges a word's positions itself. ASCII letters
    # and digits only, so no quote or backslash inside a word needs escaping.
    return " ".join(map("'{}':{}".format, words, range(1, len(words) + 1)))
