"""Full-text search: hits as code-point spans, so the reader can select them and auto-code can
tag exactly what was found.

SQLite uses the FTS5 index (kept in step with documents by triggers) and its ``highlight()``
to locate every matching token or phrase. Databases without FTS5 fall back to regexes of the
same terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.errors import InvalidInput
from db.logic import search_query
from db.models import Document

OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks around each hit in highlight() output
_MARKS = re.compile(f"[{OPEN}{CLOSE}]")
SNIPPET_CONTEXT = 60


@dataclass(frozen=True, slots=True)
class Hit:
    document_id: int
    title: str
    start: int
    end: int
    snippet: str
    """The hit with some context, the hit itself between « and »."""


def search(session: Session, query: str, limit: int | None = 2000) -> list[Hit]:
    try:
        fts_query = search_query.to_fts5(query)
    except search_query.QueryError as exc:
        raise InvalidInput(str(exc)) from exc
    if session.get_bind().dialect.name != "sqlite":
        return _search_regex(session, query, limit)
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
            if has_marks:  # the text itself holds our marker characters: find spans by regex
                body = session.scalar(select(Document.text).where(Document.id == document_id))
                spans = _regex_spans(search_query.term_regexes(query), body)
            for start, end in spans:
                hits.append(_hit(document_id, title, body, start, end))
                if limit is not None and len(hits) >= limit:
                    rows.close()
                    return hits
    except OperationalError as exc:
        raise InvalidInput(f"Cannot search for that: {exc.orig}") from exc
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


def _regex_spans(patterns, body: str) -> list[tuple[int, int]]:
    return sorted({m.span() for p in patterns for m in p.finditer(body)})


def _search_regex(session: Session, query: str, limit: int | None) -> list[Hit]:
    patterns = search_query.term_regexes(query)
    hits: list[Hit] = []
    rows = session.execute(
        select(Document.id, Document.title, Document.text)
        .where(Document.deleted_at.is_(None))
        .order_by(Document.id)
    )
    for document_id, title, body in rows:
        for start, end in _regex_spans(patterns, body):
            hits.append(_hit(document_id, title, body, start, end))
            if limit is not None and len(hits) >= limit:
                return hits
    return hits
