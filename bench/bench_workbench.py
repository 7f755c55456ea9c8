"""Workbench benchmarks: search latency, click-to-highlight time, auto-code rate, with baselines.

Builds a synthetic project in a temporary folder (or in ``--keep DIR``, left in place) and prints
figures only; nothing here asserts on timing. The text is made up (bench/synthetic.py) with
Zipf-distributed word frequencies, so some words are in every article and most are rare.

1. Search: median and p95 of ``ProjectService.search`` over 20 queries of different kinds (common,
   rare and absent words, "two word phrases", prefixes, AND / OR / NOT), beside a raw ``sqlite3``
   FTS5 ``MATCH`` of the same query that returns only row ids (no spans, snippets or titles).
2. Click to highlight: in the real main window (offscreen), ``MainWindow.apply_code`` on a
   selection, then the events it posted and a repaint of the reader; 50 times on an article with
   200 highlights and on one with 2,000, beside ``ProjectService.annotate`` alone.
3. Auto-code: ``ProjectService.autocode`` of exactly 5,000 search hits, then the undo and the
   redo of that one step.

Usage: ``python bench/bench_workbench.py [--articles N] [--keep DIR]``
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from synthetic import (
    ARTICLE_CHARS,
    CODES,
    TextMaker,
    bench_main,
    log,
    ms,
    p95,
    qt_application,
    random_codes,
    random_spans,
    table,
    timed,
    write_articles,
)

from db.logic.search_query import to_fts5
from db.models import Document
from db.ops import annotating
from db.service import ProjectService
from desktop.main_window import MainWindow
from desktop.project import open_controller
from desktop.settings import Settings

SEED = 20240612
ZIPF = 1.0
QUERY_RUNS = 5
SEARCH_LIMIT = 2_000  # ProjectService.search's default, what the search panel asks for
ANNOTATIONS = 50
WARM_UP = 3
HIGHLIGHTED = ((200, ARTICLE_CHARS), (2_000, 24_000))  # (highlights, characters) per article
AUTOCODE_HITS = 5_000
AUTOCODE_RANKS = (400, 200, 150, 100, 70, 50, 30, 20, 10, 5, 2, 0)
"""Word frequency ranks tried, rarest first, until one word gives AUTOCODE_HITS hits."""
BUDGETS = {"search": 0.050, "click": 0.020, "autocode": 10.0}
RAW_MATCH = "SELECT rowid FROM document_fts WHERE document_fts MATCH ?"


# The project ----------------------------------------------------------------------------------
def import_corpus(service: ProjectService, folder: Path, articles: int, maker: TextMaker) -> None:
    """Write and import the N made-up articles."""
    log(f"writing {articles:,} articles")
    write_articles(folder, articles, maker)
    log("importing")
    seconds = timed(lambda: service.import_files([folder]))
    log(f"imported in {seconds:.1f} s")


def import_highlighted(service: ProjectService, folder: Path, maker: TextMaker) -> dict[str, int]:
    """One article per (highlight count, role), role "gui" or "raw"; file name -> document id."""
    folder.mkdir(parents=True)
    paths = []
    for count, chars in HIGHLIGHTED:
        for role in ("gui", "raw"):
            paths.append(folder / f"highlighted-{count}-{role}.txt")
            paths[-1].write_text(maker.article(chars), encoding="utf-8")
    service.import_files(paths)
    names = [p.name for p in paths]
    with service.project.read() as session:
        rows = session.execute(
            select(Document.source_name, Document.id).where(Document.source_name.in_(names))
        )
        ids = {name: document_id for name, document_id in rows}
    if len(ids) != len(names):
        raise RuntimeError(f"only {len(ids)} of the {len(names)} highlighted articles imported")
    return ids


def seed_highlights(
    service: ProjectService,
    document_id: int,
    coder_id: int,
    count: int,
    rng: random.Random,
    code_ids: Sequence[int],
) -> None:
    """``count`` overlapping highlights with one to three codes, in bulk (one step per code set)."""
    text = service.document(document_id).text
    by_codes: dict[tuple[int, ...], list[tuple[int, int]]] = defaultdict(list)
    for span in random_spans(rng, len(text), count):
        by_codes[tuple(random_codes(rng, code_ids, uncoded=0.03))].append(span)
    with service.project.write() as session:
        for codes, spans in by_codes.items():
            annotating.annotate_many(session, document_id, coder_id, spans, codes)


def highlighted_article(ids: dict[str, int], count: int, role: str) -> int:
    """The id of the article with ``count`` highlights for this role ("gui" or "raw")."""
    return ids[f"highlighted-{count}-{role}.txt"]


# 1. Search ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class QueryFigures:
    kind: str
    query: str
    hits: int
    articles: int
    seconds: float
    """Median of QUERY_RUNS calls of ``ProjectService.search(query)``."""
    raw_seconds: float
    """Median of QUERY_RUNS raw FTS5 MATCH queries returning the matching row ids."""


def ranked(words: Sequence[str], rank: int, min_length: int = 1) -> str:
    """The word at this frequency rank (negative: from the rarest), or the next long enough."""
    order = words if rank >= 0 else words[::-1]
    start = rank if rank >= 0 else -rank - 1
    return next(w for w in order[start:] if len(w) >= min_length)


def absent_word(maker: TextMaker) -> str:
    """A made-up word the corpus does not use."""
    vocabulary = set(maker.words)
    while True:
        word = maker.word()
        if len(word) >= 6 and word not in vocabulary:
            return word


def without_accents(word: str) -> str:
    """The word as typed on a keyboard without accents (``é`` -> ``e``)."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def search_queries(maker: TextMaker) -> list[tuple[str, str]]:
    """(kind, query as typed) for 20 queries, chosen by word frequency rank."""
    words = maker.by_frequency

    def w(rank: int, min_length: int = 1) -> str:
        """The word of this frequency rank (see ``ranked``)."""
        return ranked(words, rank, min_length)

    accented = next(x for x in words if without_accents(x) != x)
    return [
        ("common word", w(0)),
        ("common word", w(1)),
        ("common word, capitalised", w(2).title()),
        ("frequent word", w(20)),
        ("frequent word", w(100)),
        ("mid-frequency word", w(500)),
        ("rare word", w(-50)),
        ("rarest word", w(-1)),
        ("absent word", absent_word(maker)),
        ("word typed without accent", without_accents(accented)),
        ("phrase, two common words", f'"{w(0)} {w(1)}"'),
        ("phrase, common + frequent", f'"{w(0)} {w(50)}"'),
        ("phrase, two frequent words", f'"{w(10)} {w(30)}"'),
        ("prefix, 3 letters", f"{w(0, 4)[:3]}*"),
        ("prefix, 5 letters", f"{w(200, 7)[:5]}*"),
        ("prefix of a rare word", f"{w(-20, 7)[:6]}*"),
        ("common AND rare", f"{w(0)} AND {w(-10)}"),
        ("rare OR rare", f"{w(-5)} OR {w(-6)}"),
        ("frequent NOT frequent", f"{w(20)} NOT {w(100)}"),
        ("number (a year)", "2021"),
    ]


def raw_match(connection: sqlite3.Connection, fts_query: str) -> int:
    """The baseline: matching row ids straight from the FTS5 index; returns how many."""
    return len(connection.execute(RAW_MATCH, (fts_query,)).fetchall())


def median_seconds(action: Callable[[], object], runs: int = QUERY_RUNS) -> float:
    """Median time of ``runs`` calls of ``action()`` after one untimed warm-up call."""
    action()
    return statistics.median(timed(action) for _ in range(runs))


def bench_search(
    service: ProjectService, database: Path, queries: Sequence[tuple[str, str]]
) -> list[QueryFigures]:
    """Each query through the service and as a raw MATCH (same FTS5 expression), alternated."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    figures = []
    try:
        for kind, query in queries:
            fts = to_fts5(query)
            hits = len(service.search(query, SEARCH_LIMIT))
            articles = raw_match(connection, fts)
            raw = median_seconds(lambda f=fts: raw_match(connection, f))
            ours = median_seconds(lambda q=query: service.search(q, SEARCH_LIMIT))
            figures.append(QueryFigures(kind, query, hits, articles, ours, raw))
    finally:
        connection.close()
    return figures


# 2. Click to highlight ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClickRun:
    """Seconds of one "click": the action, the events it posted, the repaint."""

    apply_code: float
    """``MainWindow.apply_code``: the write and the views' synchronous refresh."""
    events: float
    """``QApplication.processEvents()`` right after."""
    paint: float
    """``reader.body.viewport().grab()``: the reader's visible text painted again."""

    @property
    def total(self) -> float:
        return self.apply_code + self.events + self.paint


@dataclass(frozen=True, slots=True)
class ClickFigures:
    highlights: int
    characters: int
    segments: int
    runs: list[ClickRun]
    raw_seconds: list[float]
    """``ProjectService.annotate`` alone, on a twin article with as many highlights."""


def fresh_spans(
    rng: random.Random, length: int, taken: set[tuple[int, int]], count: int
) -> list[tuple[int, int]]:
    """``count`` random spans (in random order) that no highlight covers exactly."""
    spans = [s for s in random_spans(rng, length, count * 2) if s not in taken][:count]
    rng.shuffle(spans)
    return spans


def bench_raw_writes(
    service: ProjectService, document_id: int, rng: random.Random, code_ids: Sequence[int]
) -> list[float]:
    """Seconds of each ``service.annotate`` of one new span with one code (after warm-ups)."""
    text = service.document(document_id).text
    taken = {(a.start, a.end) for a in service.annotations(document_id)}
    seconds = []
    for start, end in fresh_spans(rng, len(text), taken, WARM_UP + ANNOTATIONS):
        code_id = rng.choice(code_ids)
        seconds.append(
            timed(lambda s=start, e=end, c=code_id: service.annotate(document_id, None, s, e, [c]))
        )
    return seconds[WARM_UP:]


def open_window(database: Path, folder: Path) -> MainWindow:
    """The real main window on the project, as the app opens it, shown offscreen."""
    window = MainWindow(open_controller(database, "bench"), Settings(folder / "settings.ini"))
    window.show()
    QApplication.processEvents()
    return window


def open_article(window: MainWindow, document_id: int) -> None:
    """Open the article as a click in the list would, and paint it once."""
    if not window.articles.select_document(document_id):
        window.open_document(document_id)
    QApplication.processEvents()
    window.reader.body.viewport().grab()
    if window.reader.document is None or window.reader.document.id != document_id:
        raise RuntimeError(f"the window did not open article {document_id}")


def click_once(window: MainWindow, start: int, end: int, code_id: int) -> ClickRun:
    """Select a passage (untimed, settled), then time apply_code, the events, the repaint."""
    window.reader.select_span(start, end)
    QApplication.processEvents()
    before = len(window.reader.annotations)
    t0 = time.perf_counter()
    window.apply_code(code_id)
    t1 = time.perf_counter()
    QApplication.processEvents()
    t2 = time.perf_counter()
    window.reader.body.viewport().grab()
    t3 = time.perf_counter()
    if len(window.reader.annotations) <= before or window.last_error:
        log(f"warning: span {start}-{end} not highlighted ({window.last_error or 'no change'})")
    return ClickRun(t1 - t0, t2 - t1, t3 - t2)


def bench_clicks(
    window: MainWindow, document_id: int, rng: random.Random, code_ids: Sequence[int]
) -> tuple[list[ClickRun], int]:
    """WARM_UP + ANNOTATIONS clicks on the open article; the measured runs and the segments."""
    open_article(window, document_id)
    text = window.reader.document.text
    taken = {(a.start, a.end) for a in window.reader.annotations}
    segments = window.reader.painter.segment_count
    runs = [
        click_once(window, start, end, rng.choice(code_ids))
        for start, end in fresh_spans(rng, len(text), taken, WARM_UP + ANNOTATIONS)
    ]
    return runs[WARM_UP:], segments


def bench_gui(
    database: Path,
    folder: Path,
    ids: dict[str, int],
    raw: dict[int, list[float]],
    rng: random.Random,
    code_ids: Sequence[int],
) -> list[ClickFigures]:
    """Click to highlight on each "gui" article, in one main window."""
    qt_application()
    window = open_window(database, folder)
    figures = []
    try:
        for count, chars in HIGHLIGHTED:
            log(f"clicking on the article with {count:,} highlights")
            document_id = highlighted_article(ids, count, "gui")
            runs, segments = bench_clicks(window, document_id, rng, code_ids)
            figures.append(ClickFigures(count, chars, segments, runs, raw[count]))
    finally:
        window.close()
        window.controller.close()
    return figures


# 3. Auto-code ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AutocodeFigures:
    query: str
    found: int
    search_seconds: float
    hits: int
    articles: int
    seconds: float
    undo_seconds: float
    redo_seconds: float


def find_hits(
    service: ProjectService, words: Sequence[str]
) -> tuple[str, list[tuple[int, int, int]], float]:
    """The first word (rarest first) with AUTOCODE_HITS hits: (word, all its hits, search time)."""
    best: tuple[str, list[tuple[int, int, int]], float] = ("", [], 0.0)
    for rank in AUTOCODE_RANKS:
        word = ranked(words, min(rank, len(words) - 1))
        start = time.perf_counter()
        hits = [(h.document_id, h.start, h.end) for h in service.search(word, limit=None)]
        seconds = time.perf_counter() - start
        if len(hits) > len(best[1]):
            best = (word, hits, seconds)
        if len(hits) >= AUTOCODE_HITS:
            break
    else:
        log(f"warning: no word gives {AUTOCODE_HITS:,} hits; using {len(best[1]):,}")
    return best


def bench_autocode(service: ProjectService, words: Sequence[str], code_id: int) -> AutocodeFigures:
    """Auto-code exactly AUTOCODE_HITS hits in one step, then undo and redo that step."""
    word, found, search_seconds = find_hits(service, words)
    hits = found[:AUTOCODE_HITS]
    start = time.perf_counter()
    count, changes = service.autocode(code_id, hits)
    seconds = time.perf_counter() - start
    if changes.event_id is None:
        raise RuntimeError("auto-code recorded no history entry")
    undo = timed(lambda: service.undo(changes.event_id))
    redo = timed(lambda: service.redo(changes.event_id))
    articles = len({document_id for document_id, _, _ in hits})
    return AutocodeFigures(word, len(found), search_seconds, count, articles, seconds, undo, redo)


# Report ---------------------------------------------------------------------------------------
def verdict(seconds: float, budget: str) -> str:
    """Whether ``seconds`` is within the named budget, in words."""
    limit = BUDGETS[budget]
    shown = ms(limit) if limit < 1 else f"{limit:.0f} s"
    return f"over the {shown} budget" if seconds > limit else f"within {shown}"


def search_report(figures: Sequence[QueryFigures]) -> list[str]:
    """Lines: what was measured, then one table row per query."""
    rows = [("Kind", "Query", "Hits", "Articles", "search()", "raw MATCH", "Ratio")]
    for f in figures:
        ratio = f"{f.seconds / f.raw_seconds:,.0f}×" if f.raw_seconds else "–"
        rows.append(
            (
                f.kind,
                f.query,
                f"{f.hits:,}",
                f"{f.articles:,}",
                ms(f.seconds),
                ms(f.raw_seconds),
                ratio,
            )
        )
    return [
        f"1. Search: each query the median of {QUERY_RUNS} runs after a warm-up; search() "
        f"returns at most {SEARCH_LIMIT:,} hits (the search panel's limit), raw MATCH every "
        "matching article's row id",
        table(rows),
    ]


def click_report(figures: Sequence[ClickFigures]) -> list[str]:
    """Lines: per article, the totals, the stage medians and the write alone."""
    lines = [
        f"2. Click to highlight: {ANNOTATIONS} annotations per article after {WARM_UP} warm-ups, "
        "main window 1380×860 offscreen; baseline: service.annotate alone on a twin article"
    ]
    for f in figures:
        stages = ", ".join(
            f"{name} {ms(statistics.median(getattr(r, name) for r in f.runs))}"
            for name in ("apply_code", "events", "paint")
        )
        totals = [r.total for r in f.runs]
        lines += [
            f"  {f.highlights:,} highlights on {f.characters:,} characters "
            f"({f.segments:,} painted segments): median {ms(statistics.median(totals))}, "
            f"p95 {ms(p95(totals))}, max {ms(max(totals))}",
            f"    stage medians: {stages}",
            f"    service.annotate alone: median {ms(statistics.median(f.raw_seconds))}, "
            f"p95 {ms(p95(f.raw_seconds))}",
        ]
    return lines


def autocode_report(a: AutocodeFigures) -> list[str]:
    """Lines: the query and its hits, then auto-code, undo and redo rates."""
    return [
        f"3. Auto-code: “{a.query}” has {a.found:,} hits (search limit=None took "
        f"{a.search_seconds:.2f} s); the first {a.hits:,}, in {a.articles:,} articles, "
        "tagged in one step",
        f"  autocode {a.seconds:.2f} s ({a.hits / a.seconds:,.0f} hits/s), "
        f"undo {a.undo_seconds:.2f} s ({a.hits / a.undo_seconds:,.0f} hits/s), "
        f"redo {a.redo_seconds:.2f} s ({a.hits / a.redo_seconds:,.0f} hits/s)",
    ]


def summary(
    search: Sequence[QueryFigures], clicks: Sequence[ClickFigures], auto: AutocodeFigures
) -> str:
    """One row per figure: ours, the baseline, the ratio, the budget."""
    ours = [f.seconds for f in search]
    raw = [f.raw_seconds for f in search]
    rows = [
        ("Benchmark", "Marginalia", "Baseline", "Ratio", "Budget"),
        (
            f"Search, {len(search)} queries (median / p95)",
            f"{ms(statistics.median(ours))} / {ms(p95(ours))}",
            f"{ms(statistics.median(raw))} / {ms(p95(raw))} (raw FTS5 MATCH)",
            f"{statistics.median(ours) / statistics.median(raw):,.0f}× (medians)",
            verdict(statistics.median(ours), "search"),
        ),
    ]
    for c in clicks:
        totals = [r.total for r in c.runs]
        rows.append(
            (
                f"Click to highlight, {c.highlights:,} highlights (median / p95)",
                f"{ms(statistics.median(totals))} / {ms(p95(totals))}",
                f"{ms(statistics.median(c.raw_seconds))} / {ms(p95(c.raw_seconds))} "
                "(service.annotate)",
                f"{statistics.median(totals) / statistics.median(c.raw_seconds):.1f}× (medians)",
                verdict(statistics.median(totals), "click"),
            )
        )
    rows.append(
        (
            f"Auto-code {auto.hits:,} hits",
            f"{auto.seconds:.2f} s ({auto.hits / auto.seconds:,.0f} hits/s)",
            f"undo {auto.undo_seconds:.2f} s, redo {auto.redo_seconds:.2f} s",
            "",
            verdict(auto.seconds, "autocode"),
        )
    )
    return table(rows)


# Main -----------------------------------------------------------------------------------------
def run(folder: Path, articles: int) -> str:
    """Build the project in ``folder``, run the three benchmarks, return the printed report."""
    rng = random.Random(SEED)
    maker = TextMaker(rng, zipf=ZIPF)
    database = folder / "bench.sqlite"
    service = ProjectService.open(database)
    try:
        coder_id = service.use_coder("bench")
        import_corpus(service, folder / "articles", articles, maker)
        code_ids = [service.create_code(name, color)[0] for name, color in CODES]
        ids = import_highlighted(service, folder / "highlighted", maker)
        for count, _ in HIGHLIGHTED:
            log(f"seeding {count:,} highlights on two articles")
            for role in ("gui", "raw"):
                document_id = highlighted_article(ids, count, role)
                seed_highlights(service, document_id, coder_id, count, rng, code_ids)
        log("searching")
        search = bench_search(service, database, search_queries(maker))
        log("writing annotations without the GUI")
        raw = {
            count: bench_raw_writes(service, highlighted_article(ids, count, "raw"), rng, code_ids)
            for count, _ in HIGHLIGHTED
        }
        log("auto-coding")
        auto = bench_autocode(service, maker.by_frequency, code_ids[0])
    finally:
        service.close()
    clicks = bench_gui(database, folder, ids, raw, rng, code_ids)
    details = [
        f"Corpus: {articles:,} made-up articles of ~{ARTICLE_CHARS:,} characters, "
        f"{len(maker.words):,} words with Zipf frequencies (s = {ZIPF})",
        *search_report(search),
        *click_report(clicks),
        *autocode_report(auto),
    ]
    return "\n".join(details) + "\n\n" + summary(search, clicks, auto)


def main(argv: Sequence[str] | None = None) -> None:
    """``python bench/bench_workbench.py [--articles N] [--keep DIR]``."""
    bench_main(__doc__, "Marginalia workbench benchmark", 10_000, run, argv)


if __name__ == "__main__":
    main()
