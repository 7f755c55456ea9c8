"""Make CSV cells safe to open in a spreadsheet (CSV formula injection).

Excel, LibreOffice and Google Sheets run a cell that begins with ``= + - @`` (or a tab or carriage
return, which they strip first) as a formula. A quote from an article can begin that way, so such
cells get a leading apostrophe: spreadsheets show the text, and tools that read the CSV see the
apostrophe only on those cells (OWASP's recommendation).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

_FORMULA_STARTS = frozenset("=+-@\t\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value and value[0] in _FORMULA_STARTS:
        return "'" + value
    return value


def safe_rows(rows: Iterable[Sequence[Any]], text_columns: Sequence[int]) -> Iterator[list[Any]]:
    """Neutralise only the columns that can hold free text; numbers and dates pass untouched."""
    for row in rows:
        out = list(row)
        for i in text_columns:
            value = out[i]
            if value and isinstance(value, str) and value[0] in _FORMULA_STARTS:
                out[i] = "'" + value
        yield out
