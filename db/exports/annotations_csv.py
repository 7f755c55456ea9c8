"""Annotations to CSV: one row per annotation × code, streamed from one join.

RFC 4180 quoting through the csv module, UTF-8 (with a BOM when ``excel=True`` so Excel picks the
encoding), and free-text cells neutralised against formula injection. Highlights without a code
get one row with an empty code, so nothing coded is missing from the file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, select

from db.logic.csvcells import safe_rows
from db.models import Annotation, AnnotationCode, Code, Coder, Document
from db.queries.codes import code_paths

COLUMNS = (
    "annotation_id", "document_id", "title", "outlet", "published", "coder", "code",
    "start", "end", "quote", "memo", "created", "modified", "annotation_uuid", "document_uuid",
)  # fmt: skip
TEXT_COLUMNS = tuple(
    COLUMNS.index(c) for c in ("title", "outlet", "coder", "code", "quote", "memo")
)
BATCH = 5000


def _timestamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def annotation_rows(connection: Connection, progress: Callable[[int], None] | None = None):
    """Yield CSV rows (lists) in document, start order; ``progress(rows_so_far)`` per batch."""
    codes = select(Code.id, Code.name, Code.parent_id)
    paths = code_paths(list(connection.execute(codes)))
    query = (
        select(
            Annotation.id,
            Document.id,
            Document.title,
            Document.outlet,
            Document.published,
            Coder.name,
            AnnotationCode.code_id,
            Annotation.start,
            Annotation.end,
            Annotation.quote,
            Annotation.memo,
            Annotation.created_at,
            Annotation.modified_at,
            Annotation.uuid,
            Document.uuid,
        )
        .join(Document, Document.id == Annotation.document_id)
        .join(Coder, Coder.id == Annotation.coder_id)
        .outerjoin(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
        .where(Annotation.deleted_at.is_(None), Document.deleted_at.is_(None))
        .order_by(Document.id, Annotation.start, Annotation.id, AnnotationCode.code_id)
    )
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    done = 0
    for batch in result.partitions():
        for r in batch:
            yield [
                r[0], r[1], r[2], r[3] or "", r[4].isoformat() if r[4] else "", r[5],
                paths.get(r[6], "") if r[6] is not None else "",
                r[7], r[8], r[9], r[10], _timestamp(r[11]), _timestamp(r[12]), r[13], r[14],
            ]  # fmt: skip
        done += len(batch)
        if progress:
            progress(done)


def write_annotations_csv(
    connection: Connection,
    target: str | Path,
    *,
    excel: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the CSV atomically (a temp file renamed into place); returns the number of rows."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as out:
            writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
            writer.writerow(COLUMNS)
            for row in safe_rows(annotation_rows(connection, progress), TEXT_COLUMNS):
                writer.writerow(row)
                count += 1
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
