"""PDF files (.pdf): the text layer, through pypdf, rejoined into paragraphs.

A PDF stores lines, not paragraphs: pypdf gives each printed line on its own. We join a line to
the next unless it ends a paragraph, which we read from the layout the text itself shows: a
line clearly shorter than the page's usual line, followed by one that starts like a sentence
(or a heading, a list item). Pages are separated by a blank line.

A hyphen at a line end is removed only when the document itself shows the word unhyphenated
elsewhere ("negotia-" + "tions" when "negotiations" occurs); otherwise it stays, joined without a
space, because "well-known" turned into "wellknown" corrupts a word while a kept typesetter's
hyphen is only a visible artefact (and matches what the page shows). Soft hyphens always go.

Scanned PDFs have no text layer: we say so rather than import an empty article.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from db.logic import text
from db.readers import ArticleDraft
from db.readers.plain import MAX_PACKAGE_BYTES, read_bytes

NO_TEXT_LAYER = "this PDF has no text layer (a scan?) — run OCR first"
PASSWORD = "this PDF is password-protected: open it and save an unprotected copy first"
SHORT_LINE = 0.8
"""A line shorter than this share of the usual line length may end a paragraph."""

_HYPHENATED = re.compile(r"(\w+)-$")
_FIRST_WORD = re.compile(r"^(\w+)")
_WORDS = re.compile(r"\w+(?:-\w+)*")
_BULLET = re.compile(r"^(?:[•▪◦·\-–—*]\s|\d{1,3}[.)]\s)")
_FILE_NAME_TITLE = re.compile(r"\.(?:docx?|odt|rtf|pdf|indd|qxd|txt|html?)$", re.I)
_WORD_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint) - ", re.I)
_FILE_DATES = (("creation_date", "file_created"), ("modification_date", "file_modified"))
_UNTITLED = frozenset({"untitled", "untitled document", "document", "title"})


def read(path: Path) -> list[ArticleDraft]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

    data = read_bytes(path, MAX_PACKAGE_BYTES)
    if not data.strip(b"\0 \t\r\n"):
        raise text.TextRejected("empty file")
    if b"%PDF-" not in data[:1024]:
        raise text.TextRejected("not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone is fine
            raise text.TextRejected(PASSWORD)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except text.TextRejected:
        raise
    except FileNotDecryptedError as exc:
        raise text.TextRejected(PASSWORD) from exc
    except DependencyError as exc:  # AES needs the cryptography package
        raise text.TextRejected(
            f"this PDF is encrypted and cannot be decrypted here ({exc})"
        ) from exc
    except LimitReachedError as exc:  # pypdf's guard against decompression bombs
        raise text.TextRejected("refused: this PDF would unpack to an absurd size") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        # pypdf raises all of these on damaged files (and its own errors on truncated ones)
        raise text.TextRejected("not a readable PDF (damaged or truncated)") from exc
    if not any(page.strip() for page in pages):
        raise text.TextRejected(NO_TEXT_LAYER)
    body = text.from_paragraphs(paragraphs(pages))
    if not body:
        raise text.TextRejected(NO_TEXT_LAYER)
    return [
        ArticleDraft(
            name=path.name,
            text=body,
            title=_title(_info(info, "/Title")),
            author=_info(info, "/Author"),
            extra=_extra(info, len(pages)),
        )
    ]


def paragraphs(pages: list[str]) -> list[str]:
    """The pages' lines rejoined into paragraphs (see the module docstring)."""
    page_lines = [[line.rstrip() for line in page.split("\n")] for page in pages]
    printed = [len(line) for lines in page_lines for line in lines if line.strip()]
    lengths = [n for n in printed if n >= 20] or printed  # headings and page numbers aside
    usual = statistics.median(lengths) if lengths else 0
    vocabulary = Counter(w.casefold() for page in pages for w in _WORDS.findall(page))
    result: list[str] = []
    for lines in page_lines:
        current = ""
        for line, following in zip(lines, [*lines[1:], ""], strict=True):
            line = line.strip()
            if not line:  # an explicit blank line
                if current:
                    result.append(current)
                current = ""
                continue
            current = _join(current, line, vocabulary)
            if _ends_paragraph(line, following.strip(), usual):
                result.append(current)
                current = ""
        if current:  # a page ends its paragraph, even mid-sentence
            result.append(current)
    return result


def _ends_paragraph(line: str, following: str, usual: float) -> bool:
    if not following:
        return False  # the blank line or the page end decides
    if _BULLET.match(following):
        return True
    # A short line ends a paragraph unless the next goes on in lower case ("...said\nthat").
    return len(line) < SHORT_LINE * usual and not following[0].islower()


def _join(current: str, line: str, vocabulary: Counter[str]) -> str:
    if not current:
        return line
    if current.endswith("\u00ad"):  # a soft hyphen only ever marks a break
        return current[:-1] + line
    hyphenated, first = _HYPHENATED.search(current), _FIRST_WORD.match(line)
    if not (hyphenated and first):
        return f"{current} {line}"
    head, tail = hyphenated.group(1), first.group(1)
    if head[-1].isalpha() and tail[0].islower():
        joined, compound = (head + tail).casefold(), f"{head}-{tail}".casefold()
        # The vocabulary counts the whole words on the pages: a broken word's halves are counted
        # apart, so "negotiations" or "well-known" only count where printed unbroken.
        if vocabulary[joined] > 0 and vocabulary[joined] >= vocabulary[compound]:
            return current[:-1] + line
    return current + line  # "cease-fire", "Hamas-Israel", "2023-2024": the hyphen is real


def _info(info: Any, key: str) -> str | None:
    try:
        value = info.get(key) if info is not None else None
        value = value.get_object() if hasattr(value, "get_object") else value
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    value = " ".join(text.normalise(str(value)).split()) if value else ""
    return value or None


def _title(value: str | None) -> str | None:
    """The info dict's title, unless it is a file name or a placeholder a program wrote."""
    if not value:
        return None
    value = _WORD_PREFIX.sub("", value)
    if _FILE_NAME_TITLE.search(value) or value.casefold() in _UNTITLED:
        return None
    return value


def _extra(info: Any, pages: int) -> dict[str, Any]:
    """Page count, and the info dict's other fields (its dates say when the file was made, not
    when the article appeared, so they are kept here rather than as the publication date)."""
    extra: dict[str, Any] = {"pages": pages}
    for key, name in (("/Subject", "subject"), ("/Keywords", "keywords")):
        if value := _info(info, key):
            extra[name] = value
    for attribute, name in _FILE_DATES:
        try:
            when = getattr(info, attribute, None)
        except (ValueError, TypeError):
            continue
        if isinstance(when, date):
            extra[name] = when.isoformat()
    return extra
