"""Benchmark the coding workbench: search, click-to-highlight, auto-code.

Builds a synthetic project (made-up text from bench_foundation's TextMaker; never real
articles) and prints each figure beside a baseline:

1. full-text search: median and p95 of ``ProjectService.search`` for words, phrases and
   prefixes, next to a raw FTS5 ``MATCH`` that finds the same articles without their spans;
2. click to highlight: ``MainWindow.apply_code`` plus the repaint, on articles that already hold
   200 and 2,000 highlights, next to the database write alone;
3. auto-code of 5,000 hits in one undoable step, then its undo and redo.

    python bench/bench_workbench.py [--articles 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import qInstallMessageHandler
from PySide6.QtWidgets import QApplication
from synthetic import ARTICLE_CHARS, TextMaker, log, timed, work_folder, write_articles

from db.logic.search_query import to_fts5
from db.ops.annotating import annotate_many
from db.service import ProjectService

SEED = 11


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def spread(seconds: list[float]) -> str:
    """Median and 95th percentile in milliseconds."""
    median, p95 = statistics.median(seconds) * 1000, percentile(seconds, 0.95) * 1000
    return f"median {median:.1f} ms, p95 {p95:.1f} ms"


def queries(maker: TextMaker, texts: list[str]) -> list[str]:
    """Common and rare words, two-word phrases and prefixes, as a user would type them."""
    counts = Counter(w.lower() for t in texts[:300] for w in t.split() if w.isalpha())
    common = [w for w, _ in counts.most_common(5)]
    rare = [w for w, n in counts.items() if n == 1][:5]
    rng = random.Random(SEED)
    phrases = []
    for text in rng.sample(texts, 5):
        words = [w for w in text.split() if w.isalpha()]
        i = rng.randrange(len(words) - 1)
        phrases.append(f'"{words[i]} {words[i + 1]}"')
    prefixes = [f"{w[:4]}*" for w in common[:5] if len(w) > 4]
    return common + rare + phrases + prefixes


def bench_search(service: ProjectService, database: Path, typed: list[str]) -> list[str]:
    ours, raw, hits = [], [], 0
    connection = sqlite3.connect(database)
    for query in typed:
        ours.append(timed(lambda q=query: service.search(q)))
        hits += len(service.search(query))
        fts = to_fts5(query)
        raw.append(
            timed(
                lambda f=fts: connection.execute(
                    "SELECT rowid FROM document_fts WHERE document_fts MATCH ?", (f,)
                ).fetchall()
            )
        )
    connection.close()
    return [
        f"search ({len(typed)} queries, {hits:,} hits)",
        spread(ours),
        f"raw FTS5 MATCH: {spread(raw)}",
    ]


def bench_click(service: ProjectService, path: Path, folder: Path, highlights: int) -> list[str]:
    """apply_code + repaint in the real window, 50 times, on an article with many highlights."""
    from desktop.main_window import MainWindow
    from desktop.project import open_controller
    from desktop.settings import Settings

    rng = random.Random(highlights)
    document = service.documents()[highlights % 97]
    text = service.document(document.id).text
    code, _ = service.create_code(f"Bench {highlights}")
    spans = {
        (s, min(len(text), s + rng.randint(20, 300)))
        for s in (rng.randrange(len(text) - 20) for _ in range(highlights))
    }
    with service.project.write() as session:
        annotate_many(session, document.id, service.coder_id, sorted(spans), [code])
    window = MainWindow(open_controller(path, "bench"), Settings(folder / "settings.ini"))
    window.resize(1400, 900)
    window.show()
    window.select_document(document.id)
    QApplication.processEvents()
    gui, raw = [], []
    for _ in range(50):
        start = rng.randrange(len(text) - 60)
        window.reader.select_span(start, start + rng.randint(10, 50))
        begin = time.perf_counter()
        window.apply_code(code)
        QApplication.processEvents()
        window.reader.body.viewport().grab()
        gui.append(time.perf_counter() - begin)
        other = rng.randrange(len(text) - 60)
        raw.append(timed(lambda o=other: service.annotate(document.id, None, o, o + 30, [code])))
    window.close()
    window.controller.close()
    return [
        f"click to highlight, {len(window.reader.annotations):,} highlights",
        spread(gui),
        f"database write alone: median {statistics.median(raw) * 1000:.1f} ms",
    ]


def bench_autocode(service: ProjectService, texts: list[str]) -> list[str]:
    counts = Counter(w.lower() for t in texts for w in t.split() if w.isalpha() and len(w) > 3)
    word = next((w for w, n in counts.most_common() if n >= 5_000), counts.most_common(1)[0][0])
    hits = service.search(word, limit=5_000)
    code, _ = service.create_code("Auto")
    spans = [(h.document_id, h.start, h.end) for h in hits]
    begin = time.perf_counter()
    count, changes = service.autocode(code, spans)
    seconds = time.perf_counter() - begin
    undo = timed(lambda: service.undo(changes.event_id))
    redo = timed(lambda: service.redo(changes.event_id))
    return [
        f"auto-code {count:,} hits of “{word}”",
        f"{seconds:.2f} s ({count / seconds:,.0f} hits/s)",
        f"undo {undo:.2f} s, redo {redo:.2f} s",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    qInstallMessageHandler(lambda *_: None)
    app = QApplication.instance() or QApplication([])
    with work_folder(args.keep) as folder:
        maker = TextMaker(random.Random(SEED))
        log(f"writing {args.articles:,} articles")
        paths = write_articles(folder / "articles", args.articles, maker)
        database = folder / "bench.sqlite"
        service = ProjectService.open(database)
        service.use_coder("bench")
        log("importing")
        service.import_files([folder / "articles"])
        texts = [p.read_text(encoding="utf-8") for p in paths]
        rows = [bench_search(service, database, queries(maker, texts))]
        log("click to highlight")
        rows += [bench_click(service, database, folder, n) for n in (200, 2_000)]
        log("auto-code")
        rows.append(bench_autocode(service, texts))
        service.close()
    width = max(len(r[0]) for r in rows)
    print(
        f"\nMarginalia workbench benchmark: {args.articles:,} articles of ~{ARTICLE_CHARS:,} chars"
    )
    for name, figure, baseline in rows:
        print(f"{name:<{width}}  {figure:<34}  {baseline}")
    app.quit()


if __name__ == "__main__":
    main()
