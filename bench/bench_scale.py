"""Scale benchmark (issue 8): a large project stays instant, on SQLite and on PostgreSQL.

Builds a synthetic project (made-up text, bench/synthetic.py) in a temporary folder (or in
``--keep DIR``, left in place): N articles of ~4,000 characters imported from .txt files through
``ProjectService.import_files``, 5 coders with 10 annotations per article each (500,000 for
10,000 articles, one to three codes each) and 10 statements per article (100,000), seeded with
Core bulk inserts, plus one ~24,000-character article with 2,000 highlights. Then it prints each
figure beside its baseline and its target, with a verdict; nothing asserts on timing.

1. Open: a fresh child process opens the project as the app does (``open_controller`` and
   ``MainWindow``, shown offscreen, events processed: the article list filled and the first
   article open); beside the same in a fresh process on an empty project.
2. Article with 2,000 highlights: the real ``ReaderView`` beside the same text without them.
3. Apply a code to a selection: ``MainWindow.apply_code`` + the events it posts + a repaint, on
   an article with its ~50 highlights; beside ``ProjectService.annotate`` alone.
4. Full-text search: 20 queries of different kinds through ``ProjectService.search``; beside a
   raw FTS5 ``MATCH`` (SQLite) or a raw ``tsvector @@ tsquery`` on the project's own GIN index
   (PostgreSQL, migration 0007, the same tsquery the service builds), returning row ids only.
5. Annotations CSV export beside a raw dump of the same join (``sqlite3`` or a psycopg
   server-side cursor, into ``csv.writer``); summary workbook beside its statement query.
6. Import rate beside reading and decoding the same files.
7. Memory: resident size of that fresh GUI process after opening the project and showing the
   2,000-highlight article; beside the same on an empty project.

With ``--postgres URL`` (a server URL on which it may create databases) the same project is
built in a fresh PostgreSQL database and measured the same way; the database is dropped at the
end unless ``--keep`` is given.

Usage: ``python bench/bench_scale.py [--articles 10000] [--keep DIR] [--postgres URL
[--postgres-only]]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from bench_foundation import (
    EXPORT_RUNS,
    INSERT_CHUNK,
    RENDER_HIGHLIGHTS,
    ExportFigures,
    ImportFigures,
    RenderFigures,
    annotation_rows,
    article_texts,
    bench_export,
    bench_import,
    bench_render,
    insert_annotations,
    raw_export,
    seed_render_article,
)
from bench_workbench import (
    ANNOTATIONS,
    QUERY_RUNS,
    SEARCH_LIMIT,
    WARM_UP,
    ClickRun,
    QueryFigures,
    bench_clicks,
    bench_raw_writes,
    bench_search,
    median_seconds,
    open_article,
    open_window,
    search_queries,
)
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError
from synthetic import (
    ARTICLE_CHARS,
    CODES,
    TextMaker,
    bench_main,
    is_temporary,
    libpq_url,
    log,
    ms,
    p95,
    pg_database,
    qt_application,
    table,
    timed,
    write_articles,
)

from db.models import Annotation, Document, Statement
from db.queries import search as fulltext
from db.service import ProjectService
from desktop.resources import style_sheet

SEED = 20240808
ZIPF = 1.0
CODERS = ("bench", "ann", "bob", "cleo", "dev")
"""The GUI opens as the first ("bench", as bench_workbench.open_window does)."""
ANNOTATIONS_PER_ARTICLE = 10
"""Per coder: 5 coders × 10 × 10,000 articles = 500,000 annotations."""
STATEMENTS_PER_ARTICLE = 10
ACTORS, ISSUES = 60, 25
WORKBOOK_RUNS = 3
CHILD_ENV = "MARGINALIA_SCALE_CHILD"
CHILD_TIMEOUT = 1_800
MB = 1024 * 1024
TARGETS = {
    "open": 1.0,
    "render": 1.5,
    "click": 0.020,
    "search": 0.050,
    "export": 0.70,
    "workbook": 10.0,
    "import": 1_000.0,
    "memory": 400.0,
}
PG_RAW_EXPORT_SQL = """
SELECT a.id, d.id, d.title, d.outlet, d.published::text, cr.name, co.name, a.start, a."end",
       a.quote, a.memo,
       to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(a.modified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       a.uuid, d.uuid
FROM annotation AS a
JOIN document AS d ON d.id = a.document_id
JOIN coder AS cr ON cr.id = a.coder_id
LEFT JOIN annotation_code AS ac ON ac.annotation_id = a.id
LEFT JOIN code AS co ON co.id = ac.code_id
WHERE a.deleted_at IS NULL AND d.deleted_at IS NULL
ORDER BY d.id, a.start, a.id, ac.code_id
"""
PG_RAW_MATCH = (
    "SELECT d.id FROM document_fts_pg AS f JOIN document AS d ON d.id = f.document_id "
    "WHERE f.vector @@ to_tsquery('simple', %s) AND d.deleted_at IS NULL"
)


# The project ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Built:
    """The project as built: its service (acting as "bench") and the ids the figures use."""

    service: ProjectService
    imported: ImportFigures
    code_ids: list[int]
    render_id: int
    """The ~24,000-character article with RENDER_HIGHLIGHTS highlights."""
    click_id: int
    """An ordinary article (with its ~50 highlights) the window applies codes in."""
    write_id: int
    """Its twin for the baseline (``service.annotate`` alone)."""
    annotations: int
    tags: int
    statements: int
    seconds: float


def seed_positions(
    service: ProjectService, rng: random.Random, annotation_ids: Sequence[int], count: int
) -> int:
    """Actors, issues and ``count`` statements on random annotations, by Core bulk inserts."""
    actors = [service.create_actor(f"Actor {i}")[0] for i in range(ACTORS)]
    issues = [service.create_issue(f"Issue {i}")[0] for i in range(ISSUES)]
    now = datetime.now(UTC)
    chosen = rng.sample(list(annotation_ids), min(count, len(annotation_ids)))
    with service.project.write() as session:
        for i in range(0, len(chosen), INSERT_CHUNK):
            rows = [
                {
                    "annotation_id": annotation_id,
                    "actor_id": rng.choice(actors),
                    "issue_id": rng.choice(issues),
                    "stance": rng.choice((-1, 0, 1)),
                    "source": "",
                    "created_at": now,
                    "modified_at": now,
                }
                for annotation_id in chosen[i : i + INSERT_CHUNK]
            ]
            session.execute(insert(Statement), rows)
    return len(chosen)


def seed_annotations(
    service: ProjectService,
    rng: random.Random,
    coder_ids: Sequence[int],
    per_coder: int,
    code_ids: Sequence[int],
    skip_document: int,
) -> list[int]:
    """``per_coder`` random annotations with codes for each coder (one transaction per coder)."""
    texts = article_texts(service, skip_document)
    memos = TextMaker(rng, vocabulary=500)
    now = datetime.now(UTC)
    ids: list[int] = []
    for coder_id in coder_ids:
        with service.project.write() as session:
            for done in range(0, per_coder, INSERT_CHUNK):
                count = min(INSERT_CHUNK, per_coder - done)
                rows, tags = annotation_rows(rng, texts, coder_id, code_ids, memos, now, count)
                ids += insert_annotations(session, rows, tags, now)
        log(f"  {len(ids):,} annotations")
    return ids


def build(target: str | Path, articles: Path, paths: Sequence[Path], render_folder: Path) -> Built:
    """Import the articles (timed), then seed coders, codes, annotations and statements."""
    started = time.perf_counter()
    service = ProjectService.open(target)
    try:
        log(f"importing {len(paths):,} articles")
        imported = bench_import(service, articles, paths)
        log(f"  {imported.articles / imported.seconds:,.0f} articles/s")
        coder_ids = [service.ensure_coder(name) for name in CODERS]
        service.use_coder(CODERS[0])
        code_ids = [service.create_code(name, color)[0] for name, color in CODES]
        log(f"giving one long article {RENDER_HIGHLIGHTS:,} highlights")
        maker = TextMaker(random.Random(SEED + 1))  # the same article on every backend
        render_id = seed_render_article(service, render_folder, maker, coder_ids[0], code_ids)
        rng = random.Random(SEED + 2)
        per_coder = ANNOTATIONS_PER_ARTICLE * len(paths)
        log(f"seeding {len(CODERS)} coders × {per_coder:,} annotations")
        ids = seed_annotations(service, rng, coder_ids, per_coder, code_ids, render_id)
        log("seeding statements")
        seed_positions(service, rng, ids, STATEMENTS_PER_ARTICLE * len(paths))
        if not service.project.is_sqlite:
            log("VACUUM ANALYZE (what autovacuum would do after the bulk seeding)")
            with service.project.engine.connect() as c:
                c.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
            settle_server(service)
        with service.project.read() as session:
            first_two = session.scalars(
                select(Document.id).where(Document.id != render_id).order_by(Document.id).limit(2)
            ).all()
            annotations = session.scalar(select(func.count()).select_from(Annotation)) or 0
            tags = session.scalar(text("SELECT count(*) FROM annotation_code")) or 0
            statement_count = session.scalar(select(func.count()).select_from(Statement)) or 0
    except BaseException:
        service.close()
        raise
    return Built(
        service,
        imported,
        code_ids,
        render_id,
        first_two[0],
        first_two[-1],
        annotations,
        tags,
        statement_count,
        time.perf_counter() - started,
    )


def settle_server(service: ProjectService) -> None:
    """Write the seeding's dirty pages out now (CHECKPOINT), so the server's background writer
    does not share the two cores with the figures taken next; skipped without the right."""
    try:
        with service.project.engine.connect() as c:
            c.execution_options(isolation_level="AUTOCOMMIT").execute(text("CHECKPOINT"))
    except DBAPIError as exc:
        log(f"  no CHECKPOINT ({exc.orig}); background writes may slow the figures")


# 1 and 7. Open and memory, in a fresh process -------------------------------------------------
def memory_status() -> dict[str, int]:
    """VmRSS and VmHWM (peak) of this process, in bytes (Linux)."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def child_main() -> None:
    """In the child: open the window on the project, show the article, print JSON figures."""
    spec = json.loads(os.environ[CHILD_ENV])
    app = qt_application()
    app.setApplicationName("Marginalia")
    app.setStyleSheet(style_sheet())
    before = memory_status()["VmRSS"]
    start = time.perf_counter()
    window = open_window(spec["target"], Path(spec["settings"]))
    opened = time.perf_counter() - start
    after_open = memory_status()["VmRSS"]
    listed = window.documents_proxy.rowCount()
    article = None
    if spec["document"] is not None:
        article = timed(lambda: open_article(window, spec["document"]))
    status = memory_status()
    figures = OpenRun(
        opened,
        listed,
        window.status_counts.text(),
        article,
        before,
        after_open,
        status["VmRSS"],
        status["VmHWM"],
    )
    window.close()
    window.controller.close()
    print(json.dumps(asdict(figures)), flush=True)


@dataclass(frozen=True, slots=True)
class OpenRun:
    """What the child process measured: seconds, articles listed, bytes resident."""

    open: float
    listed: int
    status: str
    article: float | None
    rss_qt: int
    rss_open: int
    rss: int
    hwm: int


@dataclass(frozen=True, slots=True)
class OpenFigures:
    project: OpenRun
    empty: OpenRun


def open_in_child(target: str | Path, document: int | None, settings: Path) -> OpenRun:
    """Run child_main in a fresh interpreter; its figures."""
    settings.mkdir(parents=True)
    spec = {"target": str(target), "document": document, "settings": str(settings)}
    env = {**os.environ, CHILD_ENV: json.dumps(spec)}
    done = subprocess.run(
        [sys.executable, __file__],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"the GUI child process failed:\n{done.stderr[-3000:]}")
    if done.stderr.strip():
        log(f"child stderr: {done.stderr.strip()[-1000:]}")
    return OpenRun(**json.loads(done.stdout.strip().splitlines()[-1]))


def bench_open(built: Built, target: str | Path, empty: str | Path, folder: Path) -> OpenFigures:
    """The project and the empty project, each opened in its own fresh process."""
    ProjectService.open(empty).close()  # created and migrated before, not while timed
    return OpenFigures(
        open_in_child(target, built.render_id, folder / "settings-project"),
        open_in_child(empty, None, folder / "settings-empty"),
    )


# 4. Search on PostgreSQL ----------------------------------------------------------------------
def to_tsquery(query: str) -> str:
    """The search box's query as the tsquery the service sends (``db.queries.search``)."""
    return fulltext.to_tsquery(fulltext.parse_tree(query)) or "''"


def bench_search_pg(
    service: ProjectService, url: str, queries: Sequence[tuple[str, str]]
) -> list[QueryFigures]:
    """Each query through the service, and as a raw tsquery on the project's own GIN index."""
    figures = []
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        for kind, query in queries:
            tsquery = to_tsquery(query)

            def raw(q: str = tsquery) -> int:
                return len(connection.execute(PG_RAW_MATCH, (q,)).fetchall())

            hits = len(service.search(query, SEARCH_LIMIT))
            articles = raw()
            raw_seconds = median_seconds(raw)
            ours = median_seconds(lambda q=query: service.search(q, SEARCH_LIMIT))
            figures.append(QueryFigures(kind, query, hits, articles, ours, raw_seconds))
    return figures


# 5. Exports -----------------------------------------------------------------------------------
def pg_raw_export(url: str, target: Path) -> int:
    """The PostgreSQL baseline: the same join through a server-side cursor into csv.writer."""
    from db.exports.annotations_csv import COLUMNS

    count = 0
    with (
        psycopg.connect(libpq_url(url)) as connection,
        connection.cursor(name="bench_scale_dump") as cursor,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        cursor.itersize = INSERT_CHUNK
        cursor.execute(PG_RAW_EXPORT_SQL)
        while batch := cursor.fetchmany(INSERT_CHUNK):
            writer.writerows(batch)
            count += len(batch)
    return count


@dataclass(frozen=True, slots=True)
class WorkbookFigures:
    seconds: list[float]
    query_seconds: list[float]
    statements: int


def bench_workbook(service: ProjectService, folder: Path, label: str) -> WorkbookFigures:
    """The summary workbook (.xlsx), beside the statement query it starts from."""
    target = folder / f"summary-{label}.xlsx"
    seconds, query = [], []
    statements = 0
    for _ in range(WORKBOOK_RUNS):
        start = time.perf_counter()
        statements = len(service.statements())
        query.append(time.perf_counter() - start)
        seconds.append(timed(lambda: service.export_summary(target)))
    return WorkbookFigures(seconds, query, statements)


# 3. Apply a code ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClickFigures:
    runs: list[ClickRun]
    segments: int
    raw_seconds: list[float]


def bench_apply_code(
    built: Built, target: str | Path, folder: Path, rng: random.Random
) -> ClickFigures:
    """``service.annotate`` alone on one article, then clicks in the real window on its twin."""
    raw = bench_raw_writes(built.service, built.write_id, rng, built.code_ids)
    qt_application()
    log("  opening the main window in this process")
    window = open_window(target, folder)
    try:
        runs, segments = bench_clicks(window, built.click_id, rng, built.code_ids)
    finally:
        window.close()
        window.controller.close()
    return ClickFigures(runs, segments, raw)


# Running one backend --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Figures:
    label: str
    built: Built
    opened: OpenFigures
    render: RenderFigures
    search: list[QueryFigures]
    export: ExportFigures
    workbook: WorkbookFigures
    clicks: ClickFigures
    load: tuple[float, float]
    server: str


def measure(
    label: str,
    target: str | Path,
    empty: str | Path,
    folder: Path,
    articles: Path,
    paths: Sequence[Path],
    queries: Sequence[tuple[str, str]],
) -> Figures:
    """Build the project on one backend and take every figure."""
    load = os.getloadavg()[0]
    log(f"{label}: building")
    built = build(target, articles, paths, folder / "render")
    service = built.service
    sqlite = service.project.is_sqlite
    try:
        with service.project.read() as session:
            server = "" if sqlite else session.scalar(text("SHOW server_version")) or ""
        log(f"{label}: opening the window in fresh processes")
        opened = bench_open(built, target, empty, folder)
        log(f"{label}: rendering")
        qt_application()
        render = bench_render(service, built.render_id)
        log(f"{label}: searching")
        if sqlite:
            search = bench_search(service, Path(target), queries)
        else:
            search = bench_search_pg(service, str(target), queries)
        log(f"{label}: applying codes")  # before the exports' heavy disk writes
        clicks = bench_apply_code(built, target, folder, random.Random(SEED + 3))
        log(f"{label}: exporting annotations to CSV")
        raw: Callable[[Path], int] = (
            (lambda out: raw_export(Path(target), out))
            if sqlite
            else (lambda out: pg_raw_export(str(target), out))
        )
        export = bench_export(service, raw, folder)
        log(f"{label}: summary workbook")
        workbook = bench_workbook(service, folder, label)
    finally:
        service.close()
    end_load = os.getloadavg()[0]
    return Figures(
        label, built, opened, render, search, export, workbook, clicks, (load, end_load), server
    )


# Report ---------------------------------------------------------------------------------------
def verdict(meets: bool) -> str:
    return "meets" if meets else "MISSES"


def times(ratio: float) -> str:
    """A ratio such as ``2.50×`` or ``1,575×``."""
    return f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.2f}×" if ratio < 10 else f"{ratio:.1f}×"


def megabytes(value: int) -> str:
    return f"{value / MB:,.0f} MB"


def summary_rows(f: Figures) -> list[tuple[str, ...]]:
    """One row per figure of the issue: ours, the baseline, the ratio, the target, the verdict."""
    b, o, e = f.built, f.opened.project, f.opened.empty
    plain = statistics.median(r.total for r in f.render.plain)
    lit = statistics.median(r.total for r in f.render.highlighted)
    clicks = statistics.median(r.total for r in f.clicks.runs)
    writes = statistics.median(f.clicks.raw_seconds)
    ours = [q.seconds for q in f.search]
    raw = [q.raw_seconds for q in f.search]
    search, raw_search = statistics.median(ours), statistics.median(raw)
    export = f.export.rows / statistics.median(f.export.seconds)
    dump = f.export.rows / statistics.median(f.export.baseline_seconds)
    workbook = statistics.median(f.workbook.seconds)
    rate = b.imported.articles / b.imported.seconds
    baseline_rate = b.imported.articles / b.imported.baseline_seconds
    raw_name = "raw FTS5 MATCH" if f.label == "SQLite" else "raw tsquery, GIN"
    dump_name = "sqlite3 + csv.writer" if f.label == "SQLite" else "psycopg cursor + csv.writer"
    return [
        ("Figure", "Marginalia", "Baseline", "Ratio", "Target", "Verdict"),
        (
            "Open project until usable (fresh process)",
            f"{o.open:.2f} s",
            f"{e.open:.2f} s (empty project)",
            times(o.open / e.open),
            "< 1 s",
            verdict(o.open < TARGETS["open"]),
        ),
        (
            f"Open article, {f.render.highlights:,} highlights (median)",
            ms(lit),
            f"{ms(plain)} (same text, none)",
            times(lit / plain),
            "≤ 1.5×",
            verdict(lit / plain <= TARGETS["render"]),
        ),
        (
            "Apply a code: write + repaint (median)",
            ms(clicks),
            f"{ms(writes)} (service.annotate)",
            times(clicks / writes),
            "< 20 ms",
            verdict(clicks < TARGETS["click"]),
        ),
        (
            f"Full-text search, {len(f.search)} queries (median)",
            ms(search),
            f"{ms(raw_search)} ({raw_name})",
            times(search / raw_search),
            "< 50 ms",
            verdict(search < TARGETS["search"]),
        ),
        (
            "Annotations CSV export (rows/s)",
            f"{export:,.0f}",
            f"{dump:,.0f} ({dump_name})",
            times(export / dump),
            "≥ 0.70×",
            verdict(export / dump >= TARGETS["export"]),
        ),
        (
            f"Summary workbook, {f.workbook.statements:,} statements",
            f"{workbook:.2f} s",
            f"{statistics.median(f.workbook.query_seconds):.2f} s (statement query)",
            times(workbook / statistics.median(f.workbook.query_seconds)),
            "< 10 s",
            verdict(workbook < TARGETS["workbook"]),
        ),
        (
            "Import .txt (articles/s)",
            f"{rate:,.0f}",
            f"{baseline_rate:,.0f} (read + decode)",
            f"{times(b.imported.seconds / b.imported.baseline_seconds)} the time",
            "≥ 1,000/s",
            verdict(rate >= TARGETS["import"]),
        ),
        (
            "Memory: GUI resident size, project open",
            megabytes(o.rss),
            f"{megabytes(e.rss)} (empty project)",
            f"+{megabytes(o.rss - e.rss)}",
            "< 400 MB",
            verdict(o.rss / MB < TARGETS["memory"]),
        ),
    ]


def details(f: Figures) -> list[str]:
    """What each figure is made of."""
    b, o, e = f.built, f.opened.project, f.opened.empty
    clicks = [r.total for r in f.clicks.runs]
    stages = ", ".join(
        f"{name} {ms(statistics.median(getattr(r, name) for r in f.clicks.runs))}"
        for name in ("apply_code", "events", "paint")
    )
    render = ", ".join(
        f"{name} {ms(statistics.median(getattr(r, name) for r in f.render.highlighted))}"
        for name in ("show_document", "set_annotations", "layout_and_paint")
    )
    search = sorted(f.search, key=lambda q: q.seconds, reverse=True)
    server = f" (server {f.server})" if f.server else ""
    return [
        f"{f.label}{server}: load average {f.load[0]:.2f} at the start, {f.load[1]:.2f} at the end",
        f"  project: {b.imported.articles:,} imported articles ({b.imported.megabytes:.1f} MB) + "
        f"1 long one, {len(CODERS)} coders, {b.annotations:,} annotations with {b.tags:,} codes, "
        f"{b.statements:,} statements; built in {b.seconds:.0f} s "
        f"(import {b.imported.seconds:.1f} s, read + decode {b.imported.baseline_seconds:.2f} s)",
        f"  open (fresh process, as coder {CODERS[0]!r}): {o.open:.2f} s to the window shown "
        f"with {o.listed:,} articles listed and the first open (status bar: {o.status}); "
        f"then the {f.render.highlights:,}-highlight article {ms(o.article or 0.0)}",
        f"  memory: {megabytes(o.rss_qt)} before opening (Qt + stylesheet), "
        f"{megabytes(o.rss_open)} after opening, {megabytes(o.rss)} with the article shown, "
        f"peak {megabytes(o.hwm)}; empty project: {megabytes(e.rss)}, "
        f"peak {megabytes(e.hwm)}, opened in {e.open:.2f} s",
        f"  article: {f.render.characters:,} characters, {f.render.highlights:,} highlights -> "
        f"{f.render.highlighted[0].segments:,} painted segments; with highlights: {render}",
        f"  apply a code: {ANNOTATIONS} clicks after {WARM_UP} warm-ups on an article with "
        f"{f.clicks.segments:,} painted segments: median {ms(statistics.median(clicks))}, "
        f"p95 {ms(p95(clicks))}, max {ms(max(clicks))}; stage medians: {stages}",
        f"  search: median of {QUERY_RUNS} runs per query, at most {SEARCH_LIMIT:,} hits; "
        f"p95 over the queries {ms(p95([q.seconds for q in f.search]))}; slowest: "
        + "; ".join(
            f"{q.kind} {q.query!r} {ms(q.seconds)} ({q.hits:,} hits, baseline {q.articles:,} "
            f"articles in {ms(q.raw_seconds)})"
            for q in search[:4]
        ),
        f"  CSV export: {f.export.rows:,} rows, {f.export.megabytes:.0f} MB, median of "
        f"{EXPORT_RUNS}; service (s) {', '.join(f'{s:.2f}' for s in f.export.seconds)}, raw (s) "
        f"{', '.join(f'{s:.2f}' for s in f.export.baseline_seconds)}; same cells as the raw "
        f"dump: {'yes' if f.export.same_rows else 'NO'}",
        f"  summary workbook (s): {', '.join(f'{s:.2f}' for s in f.workbook.seconds)}",
    ]


def report(figures: Sequence[Figures]) -> str:
    lines: list[str] = []
    for f in figures:
        lines += details(f)
    for f in figures:
        lines += ["", f"{f.label}:", table(summary_rows(f))]
    return "\n".join(lines)


# Main -----------------------------------------------------------------------------------------
def run(
    folder: Path, articles: int, postgres: str | None = None, postgres_only: bool = False
) -> str:
    """Write the articles once, then build and measure on SQLite (and PostgreSQL)."""
    maker = TextMaker(random.Random(SEED), zipf=ZIPF)
    log(f"writing {articles:,} articles")
    paths = write_articles(folder / "articles", articles, maker)
    queries = search_queries(maker)
    figures = []
    if not (postgres and postgres_only):
        sqlite_folder = folder / "sqlite"
        sqlite_folder.mkdir()
        figures.append(
            measure(
                "SQLite",
                sqlite_folder / "scale.sqlite",
                sqlite_folder / "empty.sqlite",
                sqlite_folder,
                folder / "articles",
                paths,
                queries,
            )
        )
    if postgres:
        pg_folder = folder / "postgresql"
        pg_folder.mkdir()
        keep = not is_temporary(folder)
        with (
            pg_database(postgres, "marginalia_scale", keep=keep) as url,
            pg_database(postgres, "marginalia_scale_empty", keep=keep) as empty,
        ):
            figures.append(
                measure("PostgreSQL", url, empty, pg_folder, folder / "articles", paths, queries)
            )
    corpus = (
        f"Corpus: {articles:,} made-up articles of ~{ARTICLE_CHARS:,} characters, Zipf word "
        f"frequencies (s = {ZIPF}); {ANNOTATIONS_PER_ARTICLE} annotations per article per coder, "
        f"{STATEMENTS_PER_ARTICLE} statements per article"
    )
    return corpus + "\n" + report(figures)


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also measure on this PostgreSQL server (a URL that may create databases)",
    )
    parser.add_argument(
        "--postgres-only", action="store_true", help="with --postgres: skip the SQLite figures"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """``python bench/bench_scale.py [--articles N] [--keep DIR] [--postgres URL]``."""
    if CHILD_ENV in os.environ:
        child_main()
        return
    bench_main(__doc__, "Marginalia scale benchmark", 10_000, run, argv, options)


if __name__ == "__main__":
    main()
