"""Make CSV cells safe to open in a spreadsheet (CSV formula injection).

Excel, LibreOffice and Google Sheets run a cell that begins with ``= + - @`` (or a tab or carriage
return, which they strip first) as a formula. A quote from an article can begin that way, so such
cells get a leading apostrophe: spreadsheets show the text, and tools that read the CSV see the
apostrophe only on those cells (OWASP's recommendation).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value
