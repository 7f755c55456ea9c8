"""Import article files: read and check each one, then insert the good ones in one transaction.

Files are read and validated before anything is written, so a bad file is reported and skipped
while the rest of the batch imports; a failure or a cancel during the insert leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.changes import Changes
from db.logic import metadata, text
from db.models import Document
from db.records import ImportReport

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
INSERT_CHUNK = 500

Progress = Callable[[int, int], None]
"""Called as progress(done, total); raise Cancelled inside it to stop (the batch rolls back)."""


@dataclass(frozen=True, slots=True)
class Article:
    name: str
    text: str
    sha256: str
    inferred: metadata.InferredMetadata


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
            found = sorted(p for p in visible if p.suffix.lower() in SUPPORTED_SUFFIXES)
            if skipped := len(visible) - len(found):
                kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
                rejected.append((f"{path.name}/", f"{skipped} file(s) skipped: not {kinds}"))
            files += found
        elif not path.exists():
            rejected.append((path.name, "file not found"))
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
            rejected.append((path.name, f"unsupported file type (this version reads {kinds})"))
        else:
            files.append(path)
    return files, rejected


def read_article(path: Path) -> Article:
    try:
        size = path.stat().st_size
        if size > text.MAX_FILE_BYTES:  # say so before reading gigabytes into memory
            raise text.TextRejected(
                f"too large ({size / 1e6:.1f} MB; the limit is {text.MAX_FILE_BYTES // 10**6} MB)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise text.TextRejected(f"cannot be read ({exc.strerror or exc})") from exc
    body = text.decode(data)
    return Article(path.name, body, text.sha256(body), metadata.infer(body, path.stem))


def import_files(
    session: Session, paths: Iterable[str | Path], progress: Progress | None = None
) -> tuple[ImportReport, Changes]:
    files, rejected = collect_files(paths)
    report = ImportReport(rejected=rejected)
    seen: dict[str, str] = {}
    articles: list[Article] = []
    total = len(files) * 2  # reading, then writing
    for done, path in enumerate(files, 1):
        try:
            article = read_article(path)
        except text.TextRejected as exc:
            report.rejected.append((path.name, str(exc)))
        else:
            if article.sha256 in seen:
                report.duplicates.append((article.name, seen[article.sha256]))
            else:
                seen[article.sha256] = article.inferred.title
                articles.append(article)
        if progress:
            progress(done, total)
    existing = _existing(session, [a.sha256 for a in articles])
    live = {h: title for h, (title, deleted) in existing.items() if not deleted}
    report.duplicates.extend((a.name, live[a.sha256]) for a in articles if a.sha256 in live)
    revived = [a for a in articles if a.sha256 in existing and a.sha256 not in live]
    if revived:  # deleted earlier: bring the same row back, with its annotations
        session.execute(
            update(Document)
            .where(Document.sha256.in_([a.sha256 for a in revived]))
            .values(deleted_at=None)
        )
        report.imported.extend((a.name, existing[a.sha256][0]) for a in revived)
    fresh = [a for a in articles if a.sha256 not in existing]
    for offset in range(0, len(fresh), INSERT_CHUNK):
        chunk = fresh[offset : offset + INSERT_CHUNK]
        session.connection().execute(Document.__table__.insert(), [_row(a) for a in chunk])
        report.imported.extend((a.name, a.inferred.title) for a in chunk)
        if progress:
            progress(len(files) + (offset + len(chunk)) * len(files) // len(fresh), total)
    session.flush()
    return report, Changes(documents=bool(fresh or revived))


def _existing(session: Session, hashes: list[str]) -> dict[str, tuple[str, bool]]:
    """sha256 → (title, deleted) for the articles already in the project."""
    found: dict[str, tuple[str, bool]] = {}
    for offset in range(0, len(hashes), INSERT_CHUNK):
        chunk = hashes[offset : offset + INSERT_CHUNK]
        query = select(Document.sha256, Document.title, Document.deleted_at.is_not(None))
        for sha, title, deleted in session.execute(query.where(Document.sha256.in_(chunk))):
            found[sha] = (title, deleted)
    return found


def _row(article: Article) -> dict[str, object]:
    inferred = article.inferred
    return {
        "title": inferred.title,
        "published": inferred.published,
        "outlet": inferred.outlet,
        "text": article.text,
        "sha256": article.sha256,
        "source_name": article.name,
        "extra": {},
    }
