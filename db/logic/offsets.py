"""Code-point offsets (what we store) versus UTF-16 positions (what Qt counts).

Python ``str`` indices are code points; Qt's QTextCursor counts UTF-16 code units, so every
character outside the Basic Multilingual Plane (emoji, some CJK) shifts Qt positions by one.
QualCoder stored Qt positions and its highlights drift past every emoji; we convert at the GUI
boundary instead.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
CONTEXT_CHARS = 32
"""Length of the prefix/suffix stored beside a quote (W3C TextQuoteSelector)."""


class OffsetMap:
    """Converts between code-point offsets and UTF-16 positions for one text in O(log n)."""

    def __init__(self, text: str) -> None:
        astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._astral_cp = astral
        self._astral_u16 = [cp + k for k, cp in enumerate(astral)]
        self.length = len(text)

    def to_utf16(self, cp: int) -> int:
        return cp + bisect_left(self._astral_cp, cp)

    def from_utf16(self, pos: int) -> int:
        """UTF-16 position to code-point offset; inside a surrogate pair it rounds down."""
        return pos - bisect_right(self._astral_u16, pos - 1)


@dataclass(frozen=True, slots=True)
class Quote:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a selection to exclude surrounding whitespace (often a trailing space)."""
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def quote(text: str, start: int, end: int) -> Quote:
    """The span's exact text with its surrounding context, for verification and re-anchoring."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}..{end} is outside a text of {len(text)} characters")
    return Quote(
        start,
        end,
        text[start:end],
        text[max(0, start - CONTEXT_CHARS) : start],
        text[end : end + CONTEXT_CHARS],
    )
