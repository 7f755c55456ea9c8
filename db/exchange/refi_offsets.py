"""Turn the positions a REFI-QDA file gives into offsets into our stored text.

REFI-QDA counts Unicode code points of the plain-text source file, end exclusive. Real
exporters drift from that in two ways that matter for news text:

- **UTF-16 code units** (tools built on Qt, .NET or JavaScript strings): every character
  outside the Basic Multilingual Plane (emoji) counts twice, so spans after an emoji land one
  character late per emoji;
- **line breaks**: a file with CR LF line ends whose positions count the pair as *one*
  character (ATLAS.ti), or positions that count every line break as *two* (CR LF) while the file
  has bare LF.

Our stored text is normalised (NFC, ``\\n`` line ends; ``db.logic.text.normalise``), so even a
standard file's positions must be mapped when the file has CR LF or decomposed accents.

``resolve`` reads one source's selections under each counting that could differ for this text
and keeps the standard one unless another fits clearly better: first by how many selections land
on the text the file quotes (a selection's ``name``, which ATLAS.ti, MAXQDA and we fill with
the quotation), then by how many fall inside the text at all (positions past the end, or inside
an emoji's surrogate pair, are impossible under the right counting), then — for files that quote
nothing — by how many selections start and end on word boundaries, which coders' selections do
and shifted ones mostly do not. All maps are sparse (only emoji, line breaks and changed
accents are listed) and use bisection, so a 4,000-character article costs microseconds.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from db.logic.text import normalise

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_BREAK = re.compile("\r\n|\r|\n")
_SEGMENT = re.compile("[\x00-\x7f]?[^\x00-\x7f]+")
"""Runs that NFC may change: no composition ever involves a following ASCII character, so
splitting before each ASCII character keeps every composition inside one run."""
_ELLIPSIS = ("…", "...")


@dataclass(frozen=True, slots=True)
class Counting:
    """How a file counts positions: code points or UTF-16 units; how wide a line break is.

    ``newline``: "file" — as the file's characters (CR LF = 2, LF = 1; the standard); "one" —
    every line break is one character; "two" — every line break is two characters.
    """

    utf16: bool = False
    newline: str = "file"

    def describe(self) -> str:
        unit = "UTF-16 code units" if self.utf16 else "Unicode code points"
        if self.newline == "one":
            return f"{unit}, with CR LF line breaks counted as one character"
        if self.newline == "two":
            return f"{unit}, with line breaks counted as two characters (CR LF)"
        return unit


STANDARD = Counting()


@dataclass(frozen=True, slots=True)
class Selection:
    start: int
    end: int
    hint: str | None = None
    """The text the file says is selected (or its beginning, maybe cut with "…"), if any."""


@dataclass(frozen=True, slots=True)
class Resolution:
    counting: Counting
    spans: list[tuple[int, int] | None]
    """Offsets into the stored text per selection; None where it cannot be placed."""
    corrected: int
    """Selections placed differently from a standard reading of the file."""


class SourceText:
    """A source's text as the file holds it and as we store it, with the maps between them."""

    def __init__(self, raw: str) -> None:
        self.stored = normalise(raw)
        body = raw.lstrip("\ufeff")
        self._crlf = [m.group() == "\r\n" for m in _BREAK.finditer(body)]
        self._lf = body.replace("\r\n", "\n").replace("\r", "\n")
        self._newlines = [m.start() for m in re.finditer("\n", self._lf)]
        self._astral = [m.start() for m in _ASTRAL.finditer(self._lf)]
        self._nfc = None if self._lf == self.stored else _NfcMap(self._lf, self.stored)
        self._maps: dict[Counting, _UnitMap] = {}

    def countings(self) -> list[Counting]:
        """The countings that would place some position differently in this text."""
        newline = ["file"]
        if any(self._crlf):
            newline.append("one")
        if not all(self._crlf) and self._newlines:
            newline.append("two")
        utf16 = [False, True] if self._astral else [False]
        return [Counting(u, n) for u in utf16 for n in newline]

    def place(self, counting: Counting, start: int, end: int) -> tuple[int, int] | None:
        """Stored-text offsets of the file's [start, end) under ``counting``, or None."""
        if start < 0 or end <= start:
            return None
        units = self._maps.get(counting)
        if units is None:
            units = self._maps[counting] = self._unit_map(counting)
        a = units.to_text(start, is_end=False)
        b = units.to_text(end, is_end=True)
        if a is None or b is None:
            return None
        if self._nfc is not None:
            a, b = self._nfc.to_stored(a, is_end=False), self._nfc.to_stored(b, is_end=True)
        if not 0 <= a < b <= len(self.stored):
            return None
        return a, b

    def _unit_map(self, counting: Counting) -> _UnitMap:
        specials: list[tuple[int, int, bool]] = []  # (position, width, splittable)
        for position, crlf in zip(self._newlines, self._crlf, strict=False):
            if counting.newline == "file":
                width = 2 if crlf else 1
            else:
                width = 1 if counting.newline == "one" else 2
            if width != 1:
                specials.append((position, width, True))
        if counting.utf16:
            specials.extend((position, 2, False) for position in self._astral)
        specials.sort()
        return _UnitMap(specials, len(self._lf))


class _UnitMap:
    """File units → positions in the LF text, given the characters whose width is not one."""

    def __init__(self, specials: list[tuple[int, int, bool]], length: int) -> None:
        self._positions = [p for p, _, _ in specials]
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._splittable = [s for _, _, s in specials]
        extra = 0
        for position, width, _ in specials:
            self._starts.append(position + extra)
            extra += width - 1
            self._ends.append(position + extra + 1)
        self._total = length + extra

    def to_text(self, unit: int, *, is_end: bool) -> int | None:
        if unit > self._total:
            return None
        j = bisect_right(self._starts, unit) - 1
        if j < 0:
            return unit
        position, start, end = self._positions[j], self._starts[j], self._ends[j]
        if unit == start:
            return position
        if unit < end:  # inside a wide character
            if not self._splittable[j]:
                return None  # half an emoji: not a position this text has under this counting
            return position if is_end else position + 1  # between CR and LF: leave the break out
        return position + 1 + (unit - end)


class _NfcMap:
    """Positions in the LF text → positions in its NFC form (only changed runs are listed)."""

    def __init__(self, lf: str, stored: str) -> None:
        self._changes: list[tuple[int, int, int, int]] = []
        shift = 0
        pieces: list[str] = []
        last = 0
        for match in _SEGMENT.finditer(lf):
            segment = match.group()
            composed = unicodedata.normalize("NFC", segment)
            if composed != segment:
                a, b = match.span()
                self._changes.append((a, b, a + shift, a + shift + len(composed)))
                shift += len(composed) - len(segment)
                pieces += [lf[last:a], composed]
                last = b
        pieces.append(lf[last:])
        self._starts = [c[0] for c in self._changes]
        self.exact = "".join(pieces) == stored
        self._length = len(stored)

    def to_stored(self, position: int, *, is_end: bool) -> int:
        j = bisect_right(self._starts, position) - 1
        if j < 0:
            mapped = position
        else:
            a, b, stored_a, stored_b = self._changes[j]
            if position == a:
                mapped = stored_a
            elif position >= b:
                mapped = stored_b + (position - b)
            else:  # inside a run that NFC changed: take the whole run
                mapped = stored_b if is_end else stored_a
        return max(0, min(mapped, self._length))


# Choosing the counting -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Score:
    counting: Counting
    spans: list[tuple[int, int] | None]
    matches: int
    hinted: int
    valid: int
    aligned: int

    def key(self) -> tuple[int, int, int]:
        return (self.matches, self.valid, self.aligned)


def resolve(source: SourceText, selections: Sequence[Selection]) -> Resolution:
    """Place every selection, under the counting this file evidently uses (see the module)."""
    hints = [_hint(s.hint) for s in selections]
    standard = _score(source, STANDARD, selections, hints)
    alternatives = [c for c in source.countings() if c != STANDARD]
    n = len(selections)
    if not alternatives or (
        standard.valid == n and standard.hinted and standard.matches == standard.hinted
    ):
        return Resolution(STANDARD, standard.spans, 0)
    best = standard
    for counting in alternatives:
        candidate = _score(source, counting, selections, hints)
        if candidate.key() > best.key():
            best = candidate
    if best is not standard and not _clearly_better(best, standard, n):
        best = standard
    corrected = sum(1 for a, b in zip(best.spans, standard.spans, strict=True) if a != b)
    return Resolution(best.counting, best.spans, corrected if best is not standard else 0)


def _clearly_better(best: _Score, standard: _Score, n: int) -> bool:
    if best.matches != standard.matches:
        return best.matches > standard.matches
    if best.valid != standard.valid:
        return best.valid > standard.valid
    # Nothing quoted, everything inside the text: only word boundaries can tell, and only a
    # clear difference counts (random spans fit any counting equally badly).
    return best.aligned >= standard.aligned + max(2, n // 4) and best.aligned * 2 >= n


def _score(
    source: SourceText,
    counting: Counting,
    selections: Sequence[Selection],
    hints: Sequence[str | None],
) -> _Score:
    text = source.stored
    spans = [source.place(counting, s.start, s.end) for s in selections]
    matches = hinted = valid = aligned = 0
    for span, hint in zip(spans, hints, strict=True):
        if hint is not None:
            hinted += 1
        if span is None:
            continue
        valid += 1
        start, end = span
        if hint is not None and " ".join(text[start:end].split()).startswith(hint):
            matches += 1
        if _on_word_boundaries(text, start, end):
            aligned += 1
    return _Score(counting, spans, matches, hinted, valid, aligned)


def _hint(raw: str | None) -> str | None:
    """The quoted text in comparable form (NFC, squashed spaces, no ellipsis), if useful."""
    if not raw:
        return None
    squashed = " ".join(normalise(raw).split())
    for ellipsis in _ELLIPSIS:
        if squashed.endswith(ellipsis):
            squashed = squashed[: -len(ellipsis)].rstrip()
            break
    return squashed if len(squashed) >= 2 else None


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    starts_clean = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    ends_clean = end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return starts_clean and ends_clean
