"""Turn what a user types in the search box into an FTS5 query, or into regexes (fallback).

Users type words, "quoted phrases", prefixes (``cease*``) and AND / OR / NOT. Bare words are
quoted before they reach FTS5 so punctuation ("Israel-Hamas", "U.S.") never becomes a syntax
error; the tokenizer then splits them exactly as it split the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'"([^"]*)"(\*?)|(\S+)')
OPERATORS = frozenset({"AND", "OR", "NOT"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]
    prefix: bool


class QueryError(ValueError):
    """The search text holds nothing to search for."""


def parse(query: str) -> list[Term | str]:
    """Terms and operators in order; raises QueryError when nothing searchable is left."""
    out: list[Term | str] = []
    for match in _TOKEN.finditer(query):
        phrase, star, bare = match.groups()
        if bare in OPERATORS:
            out.append(bare)
            continue
        text = phrase if phrase is not None else bare
        prefix = bool(star) or (bare is not None and bare.endswith("*"))
        words = tuple(_WORD.findall(text))
        if words:
            out.append(Term(words, prefix))
    if not any(isinstance(t, Term) for t in out):
        raise QueryError('Type a word or a "quoted phrase" to search for.')
    while out and isinstance(out[-1], str):
        out.pop()
    while out and isinstance(out[0], str):
        out.pop(0)
    return out


def to_fts5(query: str, column: str = "text") -> str:
    parts = []
    for item in parse(query):
        if isinstance(item, str):
            parts.append(item)
        else:
            parts.append('"' + " ".join(item.words) + '"' + (" *" if item.prefix else ""))
    return f"{column} : ({' '.join(parts)})"
