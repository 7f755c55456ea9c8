"""Readers turn a file into articles: its text plus the metadata the file itself carries.

One module per format; ``READERS`` maps a lower-case suffix to its reader. A reader raises
``db.logic.text.TextRejected`` with a message for the user when a file cannot give an article.
Metadata a file carries (a web page's title, a DOCX's author, a table's date column) wins over
what is inferred from the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """One article read from a file, before it is stored."""

    name: str
    """Where it came from, for messages: a file name, or "file.csv row 12"."""
    text: str
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Further metadata kept with the article (e.g. a table's other columns)."""


Reader = Callable[[Path], list[ArticleDraft]]
