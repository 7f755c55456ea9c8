"""Import article files: read and check each one, then insert the good ones in one transaction.

Each file is read and validated before its articles are written, so a bad file is reported and
skipped while the rest of the batch imports; all is one transaction, so a failure or a cancel
leaves nothing.
Each file goes to the reader for its suffix (``db.readers.registry``), which may give several
articles (a table: one per row, through the caller's column mapping or else the guessed one).
Metadata the file carries wins over what is inferred from the text (``db.logic.metadata``),
which fills only the gaps. Rows of a table are reported like files: "data.csv row 7".
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.changes import Changes
from db.logic import metadata, text
from db.logic.search_vector import vector_literal
from db.models import Document
from db.ops import bulk_documents
from db.readers import ArticleDraft, tables
from db.readers.registry import SUPPORTED_SUFFIXES, describe, is_table, read_file, supported
from db.records import ImportReport

__all__ = ["SUPPORTED_SUFFIXES", "Article", "collect_files", "import_files", "read_articles"]

INSERT_CHUNK = 500
READ_AHEAD = 2 * INSERT_CHUNK
"""Files read but not yet stored, at most: the reader keeps going while a chunk is written, and
memory stays bounded however large the import."""
LOG = logging.getLogger(__name__)

TABLE_IN_FOLDER = "a table (one article per row): import it on its own to choose its columns"

Progress = Callable[[int, int], None]
"""Called as progress(done, total); raise Cancelled inside it to stop (the batch rolls back)."""

_LIMITS = {name: Document.__table__.c[name].type.length for name in ("title", "outlet", "author")}
_URL_MAX = Document.__table__.c["url"].type.length
_LANGUAGE_MAX = Document.__table__.c["language"].type.length
_NAME_MAX = Document.__table__.c["source_name"].type.length


@dataclass(frozen=True, slots=True)
class Article:
    """A draft ready to store: canonical text, its hash, and the merged metadata."""

    name: str
    text: str
    sha256: str
    title: str
    published: date | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    search_vector: str | None = None
    """Its PostgreSQL search vector when built ahead (db.logic.search_vector), else None."""


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand folders (recursively, skipping hidden files) into supported files, in name order."""
    files: list[Path] = []
    rejected: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            visible = [
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ]
            found = sorted(p for p in visible if supported(p) and not is_table(p))
            rejected += [
                (f"{path.name}/{p.relative_to(path)}", TABLE_IN_FOLDER)
                for p in sorted(visible)
                if is_table(p)
            ]
            if skipped := sum(not supported(p) for p in visible):
                rejected.append((f"{path.name}/", f"{skipped} file(s) skipped: not {describe()}"))
            files += found
        elif not path.exists():
            rejected.append((path.name, "file not found"))
        elif not supported(path):
            rejected.append((path.name, f"unsupported file type (this version reads {describe()})"))
        else:
            files.append(path)
    return files, rejected


def read_articles(
    path: Path, mapping: tables.TableMapping | None = None
) -> tuple[list[Article], list[tuple[str, str]]]:
    """The file's articles, and its drafts that cannot be one (name, reason); TextRejected when
    the file as a whole cannot be read. ``mapping``: a table's columns (else guessed)."""
    try:
        if mapping is not None and is_table(path):
            drafts = tables.read_drafts(path, mapping)
        else:
            drafts = read_file(path)
    except text.TextRejected:
        raise
    except Exception as exc:  # a reader's library failing on a hostile file loses only that file
        LOG.exception("reading %s failed", path)
        raise text.TextRejected(f"could not be read ({type(exc).__name__}: {exc})") from exc
    articles: list[Article] = []
    rejected: list[tuple[str, str]] = []
    for draft in drafts:
        try:
            articles.append(to_article(draft))
        except text.TextRejected as exc:
            rejected.append((draft.name, str(exc)))
    if not articles and not rejected:
        raise text.TextRejected("no articles in this file")
    return articles, rejected


def to_article(draft: ArticleDraft) -> Article:
    """The draft's text in canonical form, its metadata first, the inferred filling the gaps."""
    body = text.normalise(draft.text)
    if not body.strip():
        raise text.TextRejected("empty text")
    inferred = metadata.infer(body, _fallback_title(draft.name))
    extra = dict(draft.extra)
    url = draft.url
    if url and len(url) > _URL_MAX:  # kept, but where it fits
        extra["url"], url = url, None
    language = draft.language
    if language and len(language) > _LANGUAGE_MAX:
        extra["language"], language = language, None
    return Article(
        name=metadata.shorten(draft.name, _NAME_MAX),
        text=body,
        sha256=text.sha256(body),
        title=_fit(draft.title, "title") or inferred.title,
        published=_day(draft.published) or inferred.published,
        outlet=_fit(draft.outlet, "outlet") or inferred.outlet,
        author=_fit(draft.author, "author"),
        url=url,
        language=language,
        extra=extra,
    )


def import_files(
    session: Session,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    mappings: Mapping[Path, tables.TableMapping] | None = None,
) -> tuple[ImportReport, Changes]:
    """Import files and folders; ``mappings`` gives tables' columns by path (else guessed).

    Files are read on a worker thread, up to READ_AHEAD files ahead, while this one writes the
    articles read so far, 500 at a time: reading and decoding overlap with the database's work
    (the server's, or SQLite's indexing, both outside the GIL), so an import takes about the
    longer of the two, not their sum (10,000 articles into PostgreSQL: ~1,000/s in sequence)."""
    mappings = {Path(p): m for p, m in (mappings or {}).items()}
    files, rejected = collect_files(paths)
    batch = _Batch(session, ImportReport(rejected=rejected), len(files), progress)
    vectors = bulk_documents.builds_vectors_here(session)
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="marginalia-import")
    try:
        pending: deque[tuple[Path, Future]] = deque()
        for path in files:
            pending.append((path, reader.submit(_read, path, mappings.get(path), vectors)))
            if len(pending) > READ_AHEAD:
                done, read = pending.popleft()
                batch.add(done, read.result())
        while pending:
            done, read = pending.popleft()
            batch.add(done, read.result())
        batch.write()
    finally:  # a cancel or a failed write stops the reading too
        reader.shutdown(wait=True, cancel_futures=True)
    return batch.report, Changes(documents=batch.changed)


def _read(
    path: Path, mapping: tables.TableMapping | None, vectors: bool
) -> tuple[list[Article], list[tuple[str, str]]] | text.TextRejected:
    """``read_articles`` with its rejection as a value, so the read-ahead goes on past it;
    ``vectors``: with each article's search vector where it can be built here."""
    try:
        articles, rejected = read_articles(path, mapping)
    except text.TextRejected as exc:
        return exc
    if vectors:
        articles = [replace(a, search_vector=vector_literal(a.text)) for a in articles]
    return articles, rejected


class _Batch:
    """The articles read so far: duplicates set aside, the rest written a chunk at a time."""

    def __init__(
        self, session: Session, report: ImportReport, files: int, progress: Progress | None
    ) -> None:
        self.session, self.report, self.progress = session, report, progress
        self.total = files * 2  # reading, then writing
        self.read = self.written = 0
        self.seen: dict[str, str] = {}
        self.pending: list[Article] = []
        self.changed = False

    def add(
        self, path: Path, read: tuple[list[Article], list[tuple[str, str]]] | Exception
    ) -> None:
        self.read += 1
        if isinstance(read, Exception):
            self.report.rejected.append((path.name, str(read)))
        else:
            found, bad = read
            self.report.rejected.extend(bad)
            for article in found:
                if article.sha256 in self.seen:
                    self.report.duplicates.append((article.name, self.seen[article.sha256]))
                else:
                    self.seen[article.sha256] = article.title
                    self.pending.append(article)
        if len(self.pending) >= INSERT_CHUNK:
            self.write()
        elif self.progress:
            self.progress(self.read + self.written, self.total)

    def write(self) -> None:
        """Store the pending articles: new ones inserted, deleted ones brought back."""
        articles, self.pending = self.pending, []
        existing = _existing(self.session, [a.sha256 for a in articles])
        live = {h: title for h, (title, deleted) in existing.items() if not deleted}
        self.report.duplicates.extend(
            (a.name, live[a.sha256]) for a in articles if a.sha256 in live
        )
        revived = [a for a in articles if a.sha256 in existing and a.sha256 not in live]
        if revived:  # deleted earlier: bring the same row back, with its annotations
            self.session.execute(
                update(Document)
                .where(Document.sha256.in_([a.sha256 for a in revived]))
                .values(deleted_at=None)
            )
            self.report.imported.extend((a.name, existing[a.sha256][0]) for a in revived)
        fresh = [a for a in articles if a.sha256 not in existing]
        if fresh:
            bulk_documents.insert_documents(
                self.session, [_row(a) for a in fresh], [a.search_vector for a in fresh]
            )
            self.report.imported.extend((a.name, a.title) for a in fresh)
        self.changed = self.changed or bool(fresh or revived)
        self.written = self.read  # every file read so far is now stored
        if self.progress:
            self.progress(self.read + self.written, self.total)


def _existing(session: Session, hashes: list[str]) -> dict[str, tuple[str, bool]]:
    """sha256 → (title, deleted) for the articles already in the project."""
    found: dict[str, tuple[str, bool]] = {}
    for offset in range(0, len(hashes), INSERT_CHUNK):
        chunk = hashes[offset : offset + INSERT_CHUNK]
        query = select(Document.sha256, Document.title, Document.deleted_at.is_not(None))
        for sha, title, deleted in session.execute(query.where(Document.sha256.in_(chunk))):
            found[sha] = (title, deleted)
    return found


def _fallback_title(name: str) -> str:
    """The file name without its suffix ("report.docx" → "report"); a row's name as it is."""
    path = Path(name)
    return path.stem if supported(path) else name


def _day(value: date | None) -> date | None:
    """A date column takes a date; a reader handing over a datetime means its day."""
    return value.date() if isinstance(value, datetime) else value


def _fit(value: str | None, column: str) -> str | None:
    """Metadata shortened to its column (PostgreSQL refuses longer values, failing the batch)."""
    return metadata.shorten(value.strip(), _LIMITS[column]) if value and value.strip() else None


def _row(article: Article) -> dict[str, object]:
    return {
        "title": article.title,
        "published": article.published,
        "outlet": article.outlet,
        "author": article.author,
        "url": article.url,
        "language": article.language,
        "text": article.text,
        "sha256": article.sha256,
        "source_name": article.name,
        "extra": article.extra,
    }
