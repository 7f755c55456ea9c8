"""Infer title, publication date and outlet from an article's messy text.

News text arrives as pasted: sometimes a headline line, sometimes none; a ``date YYYY-MM-DD``
prefix from a clipping tool; a trailing outlet or copyright line. The guesses here only prefill
an editable form; the text itself is never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

TITLE_MAX = 100
"""A first line longer than this is a paragraph, not a headline."""
DATE_SEARCH_LINES = 5

_LEADING_DATE = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b\s*", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z“\"'‘(])")
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?", re.IGNORECASE)
_LEGAL_SUFFIX = re.compile(
    r"[,\s]+(?:GmbH|Ltd\.?|LLC|Inc\.?|plc|S\.A\.|AG|Co\.?|All rights reserved\.?)$", re.IGNORECASE
)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


@dataclass(frozen=True, slots=True)
class InferredMetadata:
    title: str
    published: date | None
    outlet: str | None


def infer(text: str, fallback_title: str = "Untitled") -> InferredMetadata:
    return InferredMetadata(
        title=infer_title(text) or fallback_title,
        published=infer_date(text),
        outlet=infer_outlet(text),
    )


def infer_title(text: str) -> str:
    """A short first line without final punctuation, else the first sentence, shortened."""
    body = _LEADING_DATE.sub("", text, count=1).lstrip()
    first_line = _MARKDOWN_HEADING.sub("", body.split("\n", 1)[0]).strip()
    if not first_line:
        return ""
    if len(first_line) <= TITLE_MAX and first_line[-1] not in ".!?:;,":
        return first_line
    sentence = _SENTENCE_END.split(first_line, maxsplit=1)[0].strip()
    return shorten(sentence.rstrip(".!?;:,"), TITLE_MAX)


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return cut + "…"


def infer_date(text: str) -> date | None:
    """A leading ``date YYYY-MM-DD``, or the first valid ISO date in the first lines."""
    lead = _LEADING_DATE.match(text)
    candidates = [lead.group(1)] if lead else []
    head = "\n".join(text.lstrip().split("\n", DATE_SEARCH_LINES)[:DATE_SEARCH_LINES])
    candidates += [m.group(0) for m in _ISO_DATE.finditer(head)]
    for candidate in candidates:
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            continue
    return None


def infer_outlet(text: str) -> str | None:
    """A trailing line that names an outlet: short, unpunctuated, capitalised, or a © line."""
    lines = [line.strip() for line in text.rstrip().split("\n")]
    last = lines[-1] if lines else ""
    if not last or len(lines) < 2:
        return None
    is_copyright = bool(_COPYRIGHT.match(last))
    name = _LEGAL_SUFFIX.sub("", _COPYRIGHT.sub("", last)).strip(" .")
    if not name or len(name) > 60:
        return None
    if is_copyright:
        return name
    words = name.split()
    if len(words) > 6 or last[-1] in '.!?:;,"”’)':
        return None
    capitalised = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return name if capitalised >= max(1, len(words) - 1) and words[0][0].isupper() else None
