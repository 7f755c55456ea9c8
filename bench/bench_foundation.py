"""Foundation benchmarks: import rate, reader render time, CSV export rate, each beside a baseline.

Builds a synthetic project in a temporary folder (or in ``--keep DIR``, left in place) and prints
figures only; nothing here asserts on timing.

1. Import: N made-up articles (~4,000 characters) through ``ProjectService.import_files``,
   beside the time to just read and decode the same files.
2. Render: one ~24,000-character article in the real ``ReaderView`` with 2,000 overlapping
   highlights, beside the same article without highlights (median of 5 runs each).
3. CSV export: ``ProjectService.export_annotations_csv`` over at least 100,000 annotation × code
   rows, beside a raw ``sqlite3`` + ``csv.writer`` dump of the same join and columns.

Usage: ``python bench/bench_foundation.py [--articles N] [--keep DIR]``
"""

from __future__ import annotations

import csv
import filecmp
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import zip_longest
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from synthetic import (
    CODES,
    TextMaker,
    bench_main,
    log,
    ms,
    qt_application,
    random_codes,
    random_spans,
    table,
    timed,
    write_articles,
)

from db.exports.annotations_csv import COLUMNS
from db.logic.offsets import quote
from db.logic.text import decode
from db.models import Annotation, AnnotationCode, Document
from db.ops import annotating
from db.records import AnnotationRecord, DocumentRecord
from db.service import ProjectService
from desktop.widgets.highlights import UNCODED_COLOR, blend
from desktop.widgets.reader import ReaderView

SEED = 20240611
RENDER_CHARS = 24_000
RENDER_HIGHLIGHTS = 2_000
RENDER_RUNS = 5
EXPORT_MIN_ROWS = 100_000
EXPORT_RUNS = 3
INSERT_CHUNK = 5_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RAW_EXPORT_SQL = """
SELECT a.id, d.id, d.title, d.outlet, d.published, cr.name, co.name, a.start, a."end",
       a.quote, a.memo,
       strftime('%Y-%m-%dT%H:%M:%SZ', a.created_at),
       strftime('%Y-%m-%dT%H:%M:%SZ', a.modified_at),
       a.uuid, d.uuid
FROM annotation AS a
JOIN document AS d ON d.id = a.document_id
JOIN coder AS cr ON cr.id = a.coder_id
LEFT JOIN annotation_code AS ac ON ac.annotation_id = a.id
LEFT JOIN code AS co ON co.id = ac.code_id
{where}
ORDER BY d.id, a.start, a.id, ac.code_id
"""
SOFT_DELETE_FILTER = "WHERE a.deleted_at IS NULL AND d.deleted_at IS NULL"


# 1. Import ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ImportFigures:
    articles: int
    megabytes: float
    seconds: float
    baseline_seconds: float


def read_and_decode(paths: Sequence[Path]) -> None:
    """The baseline: what any importer must do at least (read bytes, decode, normalise)."""
    for path in paths:
        decode(path.read_bytes())


def bench_import(service: ProjectService, folder: Path, paths: Sequence[Path]) -> ImportFigures:
    """Time the service's folder import once, and the read+decode baseline (median of 3)."""
    baseline = statistics.median(timed(lambda: read_and_decode(paths)) for _ in range(3))
    start = time.perf_counter()
    report, _ = service.import_files([folder])
    seconds = time.perf_counter() - start
    if len(report.imported) != len(paths):
        log(f"warning: import reported {report.summary()}")
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    return ImportFigures(len(report.imported), megabytes, seconds, baseline)


# 2. Render ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RenderRun:
    """Seconds per stage of opening an article in a fresh reader, and the segments painted."""

    show_document: float
    set_annotations: float
    layout_and_paint: float
    segments: int

    @property
    def total(self) -> float:
        return self.show_document + self.set_annotations + self.layout_and_paint


@dataclass(frozen=True, slots=True)
class RenderFigures:
    characters: int
    blocks: int
    highlights: int
    plain: list[RenderRun]
    highlighted: list[RenderRun]


def seed_render_article(
    service: ProjectService,
    folder: Path,
    maker: TextMaker,
    coder_id: int,
    code_ids: Sequence[int],
) -> int:
    """Import one long article and give it RENDER_HIGHLIGHTS overlapping highlights."""
    folder.mkdir(parents=True)
    path = folder / "long-article-for-render.txt"
    path.write_text(maker.article(RENDER_CHARS), encoding="utf-8")
    service.import_files([path])
    with service.project.read() as session:
        document_id = session.scalar(select(Document.id).where(Document.source_name == path.name))
    if document_id is None:
        raise RuntimeError("the render article was not imported")
    text = service.document(document_id).text
    with service.project.write() as session:
        for start, end in random_spans(maker.rng, len(text), RENDER_HIGHLIGHTS):
            codes = random_codes(maker.rng, code_ids, uncoded=0.03)
            annotating.annotate(session, document_id, coder_id, start, end, codes)
    return document_id


def highlight_colors(
    annotations: Sequence[AnnotationRecord], code_colors: dict[int, str]
) -> dict[int, str]:
    """Annotation id -> blended colour of its codes, as the main window computes it."""
    colors = {}
    for a in annotations:
        mine = [code_colors[c] for c in a.code_ids if c in code_colors]
        colors[a.id] = blend(mine).name() if mine else UNCODED_COLOR
    return colors


def render_once(
    document: DocumentRecord, annotations: list[AnnotationRecord], colors: dict[int, str]
) -> RenderRun:
    """Open the document in a fresh ReaderView, lay out the whole text and paint it once."""
    view = ReaderView()
    view.resize(1000, 800)
    t0 = time.perf_counter()
    view.show_document(document)
    t1 = time.perf_counter()
    view.set_annotations(annotations, colors, full=True)
    t2 = time.perf_counter()
    view.show()
    QApplication.processEvents()
    view.body.document().documentLayout().documentSize()  # finishes the layout of every block
    view.grab()
    t3 = time.perf_counter()
    run = RenderRun(t1 - t0, t2 - t1, t3 - t2, view.painter.segment_count)
    view.close()
    view.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return run


def bench_render(service: ProjectService, document_id: int) -> RenderFigures:
    """Median-ready runs with and without highlights, alternated, after one warm-up of each."""
    document = service.document(document_id)
    annotations = service.annotations(document_id)
    colors = highlight_colors(annotations, {c.id: c.color for c in service.codes()})
    plain: list[RenderRun] = []
    highlighted: list[RenderRun] = []
    render_once(document, [], {})
    render_once(document, annotations, colors)
    for _ in range(RENDER_RUNS):
        plain.append(render_once(document, [], {}))
        highlighted.append(render_once(document, annotations, colors))
    blocks = document.text.count("\n") + 1
    return RenderFigures(len(document.text), blocks, len(annotations), plain, highlighted)


# 3. CSV export --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ExportFigures:
    rows: int
    annotations: int
    megabytes: float
    seconds: list[float]
    baseline_seconds: list[float]
    same_rows: bool
    neutralised: int


def export_row_count(service: ProjectService) -> int:
    """Rows the export will write: one per annotation × code, one per uncoded annotation."""
    per_annotation = (
        select(func.max(func.count(AnnotationCode.code_id), 1).label("n"))
        .select_from(Annotation)
        .outerjoin(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
        .group_by(Annotation.id)
        .subquery()
    )
    with service.project.read() as session:
        return session.scalar(select(func.coalesce(func.sum(per_annotation.c.n), 0))) or 0


def annotation_rows(
    rng: random.Random,
    texts: Sequence[tuple[int, str]],
    coder_id: int,
    code_ids: Sequence[int],
    memos: TextMaker,
    now: datetime,
    count: int,
) -> tuple[list[dict[str, object]], list[list[int]]]:
    """``count`` random annotations (one random article each) as rows, and the codes of each."""
    annotations: list[dict[str, object]] = []
    tags: list[list[int]] = []
    for _ in range(count):
        document_id, text = rng.choice(texts)
        start, end = random_spans(rng, len(text), 1)[0]
        q = quote(text, start, end)
        created = now - timedelta(seconds=rng.randrange(90 * 86_400))
        annotations.append(
            {
                "document_id": document_id,
                "coder_id": coder_id,
                "start": start,
                "end": end,
                "quote": q.exact,
                "prefix": q.prefix,
                "suffix": q.suffix,
                "memo": memos.sentence() if rng.random() < 0.15 else "",
                "created_at": created,
                "modified_at": created + timedelta(seconds=rng.randrange(3_600)),
            }
        )
        tags.append(random_codes(rng, code_ids, uncoded=0.05))
    return annotations, tags


def insert_annotations(
    session: Session, annotations: list[dict[str, object]], tags: list[list[int]], now: datetime
) -> list[int]:
    """Core bulk inserts of the rows and their codes (seeding, not a user action); the new ids."""
    statement = insert(Annotation).returning(Annotation.id, sort_by_parameter_order=True)
    ids = session.scalars(statement, annotations).all()
    links = [
        {"annotation_id": a, "code_id": c, "created_at": now}
        for a, codes in zip(ids, tags, strict=True)
        for c in codes
    ]
    if links:
        session.execute(insert(AnnotationCode), links)
    return list(ids)


def article_texts(service: ProjectService, skip_document: int) -> list[tuple[int, str]]:
    """(id, text) of every article but one."""
    with service.project.read() as session:
        return [
            (document_id, text)
            for document_id, text in session.execute(select(Document.id, Document.text))
            if document_id != skip_document
        ]


def bulk_annotate(
    service: ProjectService,
    rng: random.Random,
    coder_id: int,
    code_ids: Sequence[int],
    min_rows: int,
    skip_document: int,
) -> int:
    """Insert random annotations until the export has ``min_rows`` rows; one document is spared."""
    texts = article_texts(service, skip_document)
    memos = TextMaker(rng, vocabulary=500)
    now = datetime.now(UTC)
    missing = min_rows - export_row_count(service)
    inserted = 0
    with service.project.write() as session:
        while missing > 0:
            annotations, tags = annotation_rows(
                rng, texts, coder_id, code_ids, memos, now, INSERT_CHUNK
            )
            inserted += len(insert_annotations(session, annotations, tags, now))
            missing -= sum(max(1, len(codes)) for codes in tags)
    return inserted


def raw_export_sql(connection: sqlite3.Connection) -> str:
    """The export's join in plain SQL; soft-deleted rows left out when the schema has them."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(annotation)")}
    return RAW_EXPORT_SQL.format(where=SOFT_DELETE_FILTER if "deleted_at" in columns else "")


def raw_export(database: Path, target: Path) -> int:
    """The baseline: the same join and columns straight from sqlite3 into csv.writer."""
    connection = sqlite3.connect(database)
    count = 0
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
            writer.writerow(COLUMNS)
            cursor = connection.execute(raw_export_sql(connection))
            while batch := cursor.fetchmany(INSERT_CHUNK):
                writer.writerows(batch)
                count += len(batch)
    finally:
        connection.close()
    return count


def bench_export(
    service: ProjectService, raw_dump: Callable[[Path], int], folder: Path
) -> ExportFigures:
    """Alternate the service export and ``raw_dump(target)`` (the baseline, returning its rows)
    EXPORT_RUNS times each."""
    with service.project.read() as session:
        annotations = session.scalar(select(func.count()).select_from(Annotation)) or 0
    ours, raw = folder / "export-service.csv", folder / "export-raw.csv"
    seconds: list[float] = []
    baseline: list[float] = []
    rows = raw_rows = 0
    for _ in range(EXPORT_RUNS):
        start = time.perf_counter()
        raw_rows = raw_dump(raw)
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        rows = service.export_annotations_csv(ours)
        seconds.append(time.perf_counter() - start)
    if rows != raw_rows:
        log(f"warning: the service wrote {rows} rows, the raw dump {raw_rows}")
    same_rows, neutralised = compare_exports(ours, raw)
    megabytes = ours.stat().st_size / 1e6
    for written in (ours, raw):  # hundreds of MB the kernel would write out during later figures
        written.unlink()
    return ExportFigures(rows, annotations, megabytes, seconds, baseline, same_rows, neutralised)


def compare_exports(ours: Path, raw: Path) -> tuple[bool, int]:
    """Whether both files hold the same cells, allowing the export's formula guard (a leading ').

    Returns (same, number of cells the export neutralised).
    """
    if filecmp.cmp(ours, raw, shallow=False):
        return True, 0
    neutralised = 0
    with ours.open(encoding="utf-8", newline="") as a, raw.open(encoding="utf-8", newline="") as b:
        for mine, theirs in zip_longest(csv.reader(a), csv.reader(b)):
            if mine is None or theirs is None or len(mine) != len(theirs):
                return False, neutralised
            for cell, expected in zip(mine, theirs, strict=True):
                if cell == expected:
                    continue
                if cell != "'" + expected or not expected.startswith(FORMULA_STARTS):
                    return False, neutralised
                neutralised += 1
    return True, neutralised


# Report ---------------------------------------------------------------------------------------
def stage_medians(runs: Sequence[RenderRun]) -> str:
    return ", ".join(
        f"{name} {ms(statistics.median(getattr(r, name) for r in runs))}"
        for name in ("show_document", "set_annotations", "layout_and_paint")
    )


def report(imp: ImportFigures, ren: RenderFigures, exp: ExportFigures) -> str:
    """The details of each benchmark, then the summary table."""
    plain = statistics.median(r.total for r in ren.plain)
    lit = statistics.median(r.total for r in ren.highlighted)
    ours = exp.rows / statistics.median(exp.seconds)
    raw = exp.rows / statistics.median(exp.baseline_seconds)
    details = [
        f"Import: {imp.articles:,} articles, {imp.megabytes:.1f} MB, "
        f"import_files {imp.seconds:.2f} s, read+decode {imp.baseline_seconds:.2f} s "
        f"(median of 3)",
        f"Render: {ren.characters:,} characters in {ren.blocks} blocks, {ren.highlights:,} "
        f"highlights -> {ren.highlighted[0].segments:,} painted segments; median of "
        f"{RENDER_RUNS} after a warm-up",
        f"  without highlights: {stage_medians(ren.plain)}",
        f"  with highlights:    {stage_medians(ren.highlighted)}",
        f"  all runs (ms), without: {', '.join(f'{r.total * 1000:.1f}' for r in ren.plain)}",
        f"  all runs (ms), with:    {', '.join(f'{r.total * 1000:.1f}' for r in ren.highlighted)}",
        f"Export: {exp.rows:,} rows from {exp.annotations:,} annotations, {exp.megabytes:.1f} MB; "
        f"median of {EXPORT_RUNS}; same cells as the raw dump: {'yes' if exp.same_rows else 'NO'}"
        f" ({exp.neutralised} cells guarded against formulas with a leading ')",
        f"  service (s): {', '.join(f'{s:.2f}' for s in exp.seconds)}",
        f"  raw (s):     {', '.join(f'{s:.2f}' for s in exp.baseline_seconds)}",
    ]
    summary = table(
        [
            ("Benchmark", "Marginalia", "Baseline", "Ratio"),
            (
                "Import (articles/s)",
                f"{imp.articles / imp.seconds:,.0f}",
                f"{imp.articles / imp.baseline_seconds:,.0f} (read+decode only)",
                f"{imp.seconds / imp.baseline_seconds:.2f}× the baseline time",
            ),
            (
                f"Render {ren.characters:,} chars (median)",
                f"{ms(lit)} with {ren.highlights:,} highlights",
                f"{ms(plain)} without",
                f"{lit / plain:.2f}× (with / without)",
            ),
            (
                "CSV export (rows/s)",
                f"{ours:,.0f}",
                f"{raw:,.0f} (sqlite3 + csv.writer)",
                f"{ours / raw:.2f}× raw (target ≥ 0.70)",
            ),
        ]
    )
    return "\n".join(details) + "\n\n" + summary


# Main -----------------------------------------------------------------------------------------
def run(folder: Path, articles: int) -> str:
    """Build the project in ``folder``, run the three benchmarks, return the printed report."""
    rng = random.Random(SEED)
    maker = TextMaker(rng)
    log(f"writing {articles:,} articles")
    paths = write_articles(folder / "articles", articles, maker)
    database = folder / "bench.sqlite"
    service = ProjectService.open(database)
    try:
        log("importing")
        imp = bench_import(service, folder / "articles", paths)
        coder_id = service.ensure_coder("bench")
        code_ids = [service.create_code(name, color)[0] for name, color in CODES]
        log(f"annotating the render article with {RENDER_HIGHLIGHTS:,} highlights")
        document_id = seed_render_article(service, folder / "render", maker, coder_id, code_ids)
        log("rendering")
        app = qt_application()
        ren = bench_render(service, document_id)
        log(f"inserting annotations up to {EXPORT_MIN_ROWS:,} export rows")
        bulk_annotate(service, rng, coder_id, code_ids, EXPORT_MIN_ROWS, document_id)
        log("exporting")
        exp = bench_export(service, lambda target: raw_export(database, target), folder)
        del app
    finally:
        service.close()
    return report(imp, ren, exp)


def main(argv: Sequence[str] | None = None) -> None:
    bench_main(__doc__, "Marginalia foundation benchmark", 2_000, run, argv)


if __name__ == "__main__":
    main()
