"""Plain text and Markdown files (.txt, .md, .markdown): the bytes are the article.

Also the one place that reads a file's bytes for every reader, so each format says "too large"
and "cannot be read" the same way, before anything big lands in memory.
"""

from __future__ import annotations

from pathlib import Path

from db.logic import text
from db.readers import ArticleDraft

MAX_PACKAGE_BYTES = 200 * 1024 * 1024
"""For PDF, DOCX and ODT, whose images make a file far larger than its text (the text itself is
still held to ``text.MAX_FILE_BYTES``)."""


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, or TextRejected when it is too large or unreadable.

    ``limit`` defaults to ``text.MAX_FILE_BYTES`` looked up at call time (tests lower it).
    """
    limit = text.MAX_FILE_BYTES if limit is None else limit
    try:
        size = path.stat().st_size
        if size > limit:  # say so before reading gigabytes into memory
            raise text.TextRejected(
                f"too large ({size / 1e6:.1f} MB; the limit is {limit // 10**6} MB)"
            )
        return path.read_bytes()
    except OSError as exc:
        raise text.TextRejected(f"cannot be read ({exc.strerror or exc})") from exc


def read(path: Path) -> list[ArticleDraft]:
    """Decoded (BOM, UTF-8, else the best guess), NFC, ``\\n``; metadata is inferred later."""
    return [ArticleDraft(path.name, text.decode(read_bytes(path)))]
