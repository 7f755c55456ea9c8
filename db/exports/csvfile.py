"""Write a CSV file atomically: RFC 4180 quoting, UTF-8 (BOM for Excel), temp file renamed in."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def write_csv(
    target: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, excel: bool = False
) -> int:
    """Returns the number of data rows. A failure leaves no partial file behind."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as out:
            writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
