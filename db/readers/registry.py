"""Which reader reads which file: one entry per lower-case suffix.

A new format is one line in ``READERS``; ``SUPPORTED_SUFFIXES`` is a live view of it, so folders,
file dialogs and messages follow. Tables (``TABLE_SUFFIXES``) give one article per row through a
column mapping: read here with the guessed mapping, or with the user's through
``tables.read_drafts``; a folder import leaves them out, since only a person can tell an article
table from a list of links. Readers import their libraries on first use, so this module stays
cheap to import.
"""

from __future__ import annotations

from collections.abc import KeysView
from pathlib import Path

from db.logic.text import TextRejected
from db.readers import ArticleDraft, Reader, docx, html, odt, pdf, plain, tables

READERS: dict[str, Reader] = {
    ".txt": plain.read,
    ".md": plain.read,
    ".markdown": plain.read,
    ".html": html.read,
    ".htm": html.read,
    ".docx": docx.read,
    ".pdf": pdf.read,
    ".odt": odt.read,
    ".csv": tables.read_drafts,
    ".xlsx": tables.read_drafts,
}
TABLE_SUFFIXES = frozenset({".csv", ".xlsx"})

SUPPORTED_SUFFIXES: KeysView[str] = READERS.keys()


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def is_table(path: Path) -> bool:
    return path.suffix.lower() in TABLE_SUFFIXES


def describe() -> str:
    """The suffixes for messages: ".docx, .htm, .html, …"."""
    return ", ".join(sorted(READERS))


def read_file(path: Path) -> list[ArticleDraft]:
    """The articles in one file (usually one; a table gives one per row), or TextRejected."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise TextRejected(f"unsupported file type (this version reads {describe()})")
    return reader(path)
