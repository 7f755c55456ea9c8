"""Full-text search: hits as code-point spans, so the reader can select them and auto-code can
tag exactly what was found.

SQLite uses the FTS5 index (kept in step with documents by triggers) and its ``highlight()``
to locate every matching token or phrase.

PostgreSQL uses the ``tsvector`` index of migration 0007 to choose candidate articles, then
reads their texts in id order a page at a time, so a search with a limit reads few texts more
than it needs. The
tsquery is built here from the parsed search (words as quoted lexemes, "phrases" as ``<->``,
``prefix*`` as ``:*``, AND / OR / NOT) and sent as a bound parameter of ``to_tsquery``: user
text is never part of the SQL. Each candidate's text is then matched in Python the way FTS5
matches and highlights (``_spans``): FTS5's operator precedence, its tokens (runs of letters
and digits, diacritics of Latin letters ignored, any case), a phrase as one span, overlapping
instances merged, and only the terms of the branches that are true highlighted ("a OR b" marks
both in an article with both; "a NOT b" only a). So both backends give the same hits with the
same offsets; a candidate the index chose too generously simply yields nothing.

The index is a filter that may say yes too often but must never say no wrongly: it folds all
diacritics (FTS5 only those of Latin letters) and drops some characters FTS5 keeps (such as
"²"). That is why the right side of a NOT is left to Python unless its words are plain ASCII
letters and digits, where both agree.

Bad syntax gets the same answer on both backends: operators next to each other ("a OR NOT
b", "a AND NOT b": FTS5's NOT is binary, "a NOT b") are a clear InvalidInput; unbalanced
quotes and operators at either end are dealt with by the parser (db/logic/search_query).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.errors import InvalidInput
from db.logic import search_query
from db.logic.search_query import Term
from db.logic.search_vector import fold
from db.models import Document

OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks around each hit in highlight() output
_MARKS = re.compile(f"[{OPEN}{CLOSE}]")
SNIPPET_CONTEXT = 60
FIRST_PAGE, LAST_PAGE = 16, 1024  # texts per PostgreSQL query: the first, the most

_TOKEN_PART = re.compile(r"[^\W_]+")  # FTS5 splits "a_b" too
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True, slots=True)
class Hit:
    document_id: int
    title: str
    start: int
    end: int
    snippet: str
    """The hit with some context, the hit itself between « and »."""


# The search as a tree, with FTS5's precedence -------------------------------------------------
@dataclass(frozen=True, slots=True)
class Leaf:
    words: tuple[str, ...]
    """Tokens as typed (split like FTS5 splits them); empty when nothing can match."""
    prefix: bool


@dataclass(frozen=True, slots=True)
class Op:
    kind: str  # "AND", "OR" or "NOT" (binary: left AND NOT right)
    children: tuple[Node, ...]


Node = Union[Leaf, Op]  # noqa: UP007 - a runtime alias for the dataclasses above


def parse_tree(query: str) -> Node:
    """The search as FTS5 reads it: a run of terms binds tightest (implicit AND), then NOT, then
    AND, then OR. Raises InvalidInput for nothing to search, or for operators side by side."""
    try:
        items = search_query.parse(query)
    except search_query.QueryError as exc:
        raise InvalidInput(str(exc)) from exc
    position = 0

    def peek() -> Term | str | None:
        return items[position] if position < len(items) else None

    def group() -> Node:
        nonlocal position
        terms: list[Node] = []
        while isinstance(item := peek(), Term):
            terms.append(_leaf(item))
            position += 1
        if not terms:
            raise InvalidInput(f'Cannot search for that: syntax error near "{peek()}"')
        return terms[0] if len(terms) == 1 else Op("AND", tuple(terms))

    def binary(kind: str, operand) -> Node:
        nonlocal position
        node = operand()
        while peek() == kind:
            position += 1
            node = Op(kind, (node, operand()))
        return node

    def not_expr() -> Node:
        return binary("NOT", group)

    def and_expr() -> Node:
        return binary("AND", not_expr)

    return binary("OR", and_expr)


def _leaf(term: Term) -> Leaf:
    words = tuple(part for word in term.words for part in _TOKEN_PART.findall(word))
    return Leaf(words, term.prefix)


# Matching one text as FTS5 does ----------------------------------------------------------------
def _latin_folding() -> dict[int, str]:
    """Latin letters with diacritics → their base letter (one code point each, so offsets into
    the folded text are offsets into the text), as FTS5's remove_diacritics does."""
    table = {}
    for low, high in ((0xC0, 0x250), (0x1E00, 0x1F00)):
        for code in range(low, high):
            parts = unicodedata.normalize("NFD", chr(code))
            base, marks = parts[0], parts[1:]
            plain = base.isascii() and base.isalpha()
            if marks and plain and all(unicodedata.combining(m) for m in marks):
                table[code] = base
    return table


_FOLD = _latin_folding()
_VARIANTS = {
    letter: {letter, *(chr(c) for c, base in _FOLD.items() if base.lower() == letter)}
    for letter in {base.lower() for base in _FOLD.values()}
}
"""Each base letter with every letter that folds to it, for patterns that ignore diacritics
without folding the texts (a character class costs nothing; translating each text did)."""


def _char_class(char: str) -> str:
    """One character of a search word as a class of every case and accent variant.

    Spelled out rather than left to re.IGNORECASE: a pattern without that flag whose first
    item is a plain class is scanned for in C, about ten times faster over a 4,000-character
    article."""
    base = char.lower() if len(char.lower()) == 1 else char
    forms = {
        form
        for variant in _VARIANTS.get(base, {base, char})
        for form in (variant, variant.lower(), variant.upper())
        if len(form) == 1
    }
    if len(forms) == 1:
        return re.escape(char)
    return "[" + "".join(re.escape(c) for c in sorted(forms)) + "]"


def _word_pattern(word: str) -> str:
    return "".join(_char_class(c) for c in word.translate(_FOLD))


def _pattern(leaf: Leaf) -> re.Pattern[str] | None:
    if not leaf.words:
        return None
    first, *rest = leaf.words
    # "No word character just before" is checked after the first word (a fixed width: one
    # class per character), so the pattern starts with a class the scanner can look for.
    start = rf"{_word_pattern(first)}(?<![^\W_][\s\S]{{{len(first.translate(_FOLD))}}})"
    body = r"[\W_]+".join([start, *(_word_pattern(w) for w in rest)])
    tail = r"[^\W_]*" if leaf.prefix else r"(?![^\W_])"
    return re.compile(body + tail)


class Matcher:
    """One parsed search, matched against whole texts."""

    def __init__(self, tree: Node) -> None:
        self.tree = tree
        self.patterns: dict[Leaf, re.Pattern[str] | None] = {}
        for leaf in _leaves(tree):
            self.patterns[leaf] = _pattern(leaf)

    def spans(self, body: str) -> list[tuple[int, int]]:
        """The highlighted spans FTS5 would mark in this text (empty when it does not match)."""
        found: dict[Leaf, list[tuple[int, int]]] = {}
        for leaf, pattern in self.patterns.items():
            if pattern is None:
                found[leaf] = []
            elif len(leaf.words) == 1:  # one word's matches never overlap
                found[leaf] = [m.span() for m in pattern.finditer(body)]
            else:
                found[leaf] = _instances(pattern, body)
        spans = _evaluate(self.tree, found)
        return _merged(spans) if spans else []


def _leaves(node: Node) -> Iterator[Leaf]:
    if isinstance(node, Leaf):
        yield node
    else:
        for child in node.children:
            yield from _leaves(child)


def _instances(pattern: re.Pattern[str], body: str) -> list[tuple[int, int]]:
    """Every match, overlapping ones too ("a a" twice in "a a a", as FTS5 finds it)."""
    spans, position = [], 0
    while match := pattern.search(body, position):
        spans.append(match.span())
        position = match.start() + 1
    return spans


def _evaluate(node: Node, found: dict[Leaf, list[tuple[int, int]]]) -> list[tuple[int, int]] | None:
    """The spans of the true branches, or None when the node is false."""
    if isinstance(node, Leaf):
        return found[node] or None
    results = [_evaluate(child, found) for child in node.children]
    if node.kind == "OR":
        true = [r for r in results if r is not None]
        return [s for r in true for s in r] if true else None
    if node.kind == "NOT":
        left, right = results
        return left if right is None else None
    if any(r is None for r in results):
        return None
    return [s for r in results if r is not None for s in r]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


# The tsquery ----------------------------------------------------------------------------------
def to_tsquery(node: Node, *, exact: bool = True) -> str | None:
    """The candidate filter as tsquery text for ``to_tsquery('simple', :q)``; None when nothing
    can match. Words become quoted lexemes (folded like the index), never SQL.

    ``exact=False`` gives a looser filter the GIN index answers alone, without rereading any
    article's vector: phrases become plain ANDs and NOT's right side is dropped."""
    if isinstance(node, Leaf):
        if not node.words:
            return None
        lexemes = [_lexeme(w) for w in node.words]
        if node.prefix:
            lexemes[-1] += ":*"
        return "(" + (" <-> " if exact else " & ").join(lexemes) + ")"
    if node.kind == "NOT":
        left, right = node.children
        left_query = to_tsquery(left, exact=exact)
        right_query = to_tsquery(right) if exact else None
        if left_query is None or right_query is None or not _exact_in_index(right):
            return left_query
        return f"({left_query} & !{right_query})"
    parts = [to_tsquery(child, exact=exact) for child in node.children]
    if node.kind == "OR":
        kept = [p for p in parts if p is not None]
        return "(" + " | ".join(kept) + ")" if kept else None
    if any(p is None for p in parts):
        return None
    return "(" + " & ".join(p for p in parts if p is not None) + ")"


def _lexeme(word: str) -> str:
    folded = fold(word)
    return "'" + folded.replace("\\", "\\\\").replace("'", "''") + "'"


def _exact_in_index(node: Node) -> bool:
    """Whether the index says yes exactly when FTS5 does (plain ASCII words)."""
    return all(_ASCII_WORD.fullmatch(w) for leaf in _leaves(node) for w in leaf.words)


# Searching --------------------------------------------------------------------------------------
def search(session: Session, query: str, limit: int | None = 2000) -> list[Hit]:
    try:
        fts_query = search_query.to_fts5(query)
    except search_query.QueryError as exc:
        raise InvalidInput(str(exc)) from exc
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _search_postgresql(session, parse_tree(query), limit)
    if dialect != "sqlite":
        return _search_scan(session, parse_tree(query), limit)
    hits: list[Hit] = []
    try:
        # Rows stream from SQLite: highlight() runs only for the articles a limit still needs.
        rows = session.execute(
            text(
                "SELECT d.id, d.title, highlight(document_fts, 1, :open, :close), "
                "instr(d.text, :open) + instr(d.text, :close) "
                "FROM document_fts JOIN document d ON d.id = document_fts.rowid "
                "WHERE document_fts MATCH :q AND d.deleted_at IS NULL ORDER BY document_fts.rowid"
            ),
            {"q": fts_query, "open": OPEN, "close": CLOSE},
        )
        for document_id, title, marked, has_marks in rows:
            body = marked.replace(OPEN, "").replace(CLOSE, "")
            spans = marked_spans(marked)
            if has_marks:  # the text itself holds our marker characters: match it in Python
                body = session.scalar(select(Document.text).where(Document.id == document_id))
                spans = Matcher(parse_tree(query)).spans(body)
            for start, end in spans:
                hits.append(_hit(document_id, title, body, start, end))
                if limit is not None and len(hits) >= limit:
                    rows.close()
                    return hits
    except OperationalError as exc:
        raise InvalidInput(f"Cannot search for that: {exc.orig}") from exc
    return hits


_PG_CANDIDATES = text(
    "SELECT document_id FROM document_fts_pg "
    "WHERE vector @@ to_tsquery('simple', :q) ORDER BY document_id"
)
_PG_INDEX_ONLY = ("SET LOCAL enable_seqscan = off", "SET LOCAL enable_indexscan = off")
_PG_TEXTS = (
    "SELECT d.id, d.title, d.text FROM document AS d "
    "WHERE d.id = ANY(:ids) AND d.deleted_at IS NULL ORDER BY d.id"
)
_PG_TEXTS_CHECKED = text(
    "SELECT d.id, d.title, d.text FROM document AS d "
    "JOIN document_fts_pg AS f ON f.document_id = d.id "
    "WHERE f.document_id = ANY(:ids) AND d.id = ANY(:ids) "  # both: neither table is scanned
    "AND f.vector @@ to_tsquery('simple', :q) AND d.deleted_at IS NULL ORDER BY d.id"
)


def _search_postgresql(session: Session, tree: Node, limit: int | None) -> list[Hit]:
    """Candidates from the GIN index alone, then texts a page at a time.

    The loose filter (``to_tsquery(exact=False)``) is answered from the index's posting lists
    without reading a vector: ~3 ms for a word in every article, where the planner's own
    choice read all 10,000 vectors (~60 ms), hence the index-only setting for that one query.
    Phrases and NOTs are then checked on each page only, and each page is sized by the hits
    per article seen so far, so a search with a limit reads few texts it will not use.
    """
    exact, loose = to_tsquery(tree), to_tsquery(tree, exact=False)
    if exact is None or loose is None:
        return []
    for setting in _PG_INDEX_ONLY:
        session.execute(text(setting))
    ids = session.scalars(_PG_CANDIDATES, {"q": loose}).all()
    for setting in _PG_INDEX_ONLY:
        session.execute(text(setting.replace("off", "on")))
    texts, query = (text(_PG_TEXTS), {}) if exact == loose else (_PG_TEXTS_CHECKED, {"q": exact})
    matcher = Matcher(tree)
    hits: list[Hit] = []
    done, page = 0, FIRST_PAGE if limit is not None else len(ids)
    while done < len(ids):
        chunk = list(ids[done : done + page])
        for document_id, title, body in session.execute(texts, {**query, "ids": chunk}):
            for start, end in matcher.spans(body):
                hits.append(_hit(document_id, title, body, start, end))
                if limit is not None and len(hits) >= limit:
                    return hits
        done += len(chunk)
        if limit is not None:
            per_article = max(len(hits) / done, 0.1)
            wanted = int((limit - len(hits)) / per_article * 1.2) + 1
            page = max(FIRST_PAGE, min(wanted, LAST_PAGE))
    return hits


def _search_scan(session: Session, tree: Node, limit: int | None) -> list[Hit]:
    """Other databases: every article read and matched in Python (slow, but the same hits)."""
    matcher = Matcher(tree)
    hits: list[Hit] = []
    rows = session.execute(
        select(Document.id, Document.title, Document.text)
        .where(Document.deleted_at.is_(None))
        .order_by(Document.id)
    )
    for document_id, title, body in rows:
        for start, end in matcher.spans(body):
            hits.append(_hit(document_id, title, body, start, end))
            if limit is not None and len(hits) >= limit:
                return hits
    return hits


def marked_spans(marked: str) -> list[tuple[int, int]]:
    """Code-point spans of the text between OPEN/CLOSE marks, in unmarked coordinates.

    The marks are found with a regex (C speed): a Python loop over every character of every
    matching article was most of a search's time.
    """
    spans, start = [], None
    for removed, match in enumerate(_MARKS.finditer(marked)):
        position = match.start() - removed  # in the text without the marks before it
        if match.group() == OPEN:
            start = position
        elif start is not None:
            spans.append((start, position))
            start = None
    return spans


def _hit(document_id: int, title: str, body: str, start: int, end: int) -> Hit:
    before = body[max(0, start - SNIPPET_CONTEXT) : start].split("\n")[-1]
    after = body[end : end + SNIPPET_CONTEXT].split("\n")[0]
    snippet = f"{before}«{body[start:end]}»{after}".strip()
    return Hit(document_id, title, start, end, snippet)
