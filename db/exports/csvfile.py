"""Write a CSV file atomically: RFC 4180 quoting, UTF-8 (BOM for Excel), temp file renamed in."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from db.exports.atomic import atomic_path


def write_csv(
    target: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, excel: bool = False
) -> int:
    """Returns the number of data rows. A failure leaves no partial file behind."""
    count = 0
    with (
        atomic_path(target) as tmp,
        tmp.open("w", encoding="utf-8-sig" if excel else "utf-8", newline="") as out,
    ):
        writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
