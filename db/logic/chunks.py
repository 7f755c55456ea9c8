"""Split long id lists for ``IN (...)`` queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
SIZE = 900
"""Below every database's limit on bound parameters (SQLite builds before 3.32 allow 999)."""


def chunks(items: Sequence[T], size: int = SIZE) -> Iterator[Sequence[T]]:
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]
