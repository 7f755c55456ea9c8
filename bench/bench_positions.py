"""Benchmark position summaries: workbook, brief and networks over many statements.

Builds a synthetic project (made-up text; never real articles) with N statements, then times the
summary workbook (XLSX and CSV folder), the issue brief (HTML) and the networks (two-mode
GraphML, congruence and conflict CSV) beside the raw statement query they all start from.

    python bench/bench_positions.py [--statements 200000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from db.models import Actor, Annotation, Coder, Document, Issue, Statement, utcnow
from db.queries.positions import list_statements
from db.service import ProjectService

WORDS = [
    "talks",
    "truce",
    "mediators",
    "council",
    "offer",
    "proposal",
    "hostages",
    "aid",
    "crossing",
    "delegation",
]


def build(path: Path, statements: int, documents: int = 2000, seed: int = 7) -> ProjectService:
    """A project with ``documents`` articles, 60 actors, 25 issues and ``statements`` statements."""
    rng = random.Random(seed)
    service = ProjectService.open(path)
    service.use_coder("bench")
    now = utcnow()
    with service.project.write() as s:
        coders = [Coder(name=f"coder {i}") for i in range(5)]
        s.add_all(coders)
        texts = [" ".join(rng.choice(WORDS) for _ in range(600)) for _ in range(documents)]
        s.execute(
            insert(Document),
            [
                {
                    "title": f"Article {i}",
                    "outlet": f"Outlet {i % 12}",
                    "text": t,
                    "sha256": f"{i:064x}",
                    "published": date(2023, 1, 1) + timedelta(days=i % 700),
                    "extra": {},
                }
                for i, t in enumerate(texts)
            ],
        )
        s.execute(
            insert(Actor),
            [{"name": f"Actor {i}", "kind": "group", "aliases": []} for i in range(60)],
        )
        s.execute(insert(Issue), [{"name": f"Issue {i}"} for i in range(25)])
        s.flush()
        per_annotation = 2
        annotations = statements // per_annotation
        rows = []
        for i in range(annotations):
            doc = i % documents
            start = rng.randrange(0, 3000)
            rows.append(
                {
                    "document_id": doc + 1,
                    "coder_id": coders[i % 5].id,
                    "start": start,
                    "end": start + 40,
                    "quote": texts[doc][start : start + 40],
                    "created_at": now,
                    "modified_at": now,
                }
            )
        s.execute(insert(Annotation), rows)
        s.execute(
            insert(Statement),
            [
                {
                    "annotation_id": i // per_annotation + 1,
                    "actor_id": rng.randrange(1, 61),
                    "issue_id": rng.randrange(1, 26),
                    "stance": rng.choice((-1, 0, 1)),
                    "source": "",
                    "created_at": now,
                    "modified_at": now,
                }
                for i in range(annotations * per_annotation)
            ],
        )
    return service


def timed(action: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        service = build(folder / "bench.sqlite", args.statements)
        print(f"built {args.statements:,} statements in {time.perf_counter() - started:.1f} s")

        def query() -> None:
            with service.project.read() as s:
                list_statements(s)

        figures = [
            ("statement query (baseline)", timed(query)),
            ("summary workbook (.xlsx)", timed(lambda: service.export_summary(folder / "s.xlsx"))),
            ("summary CSV folder", timed(lambda: service.export_summary(folder / "csv"))),
            ("issue brief (.html)", timed(lambda: service.export_brief(folder / "b.html"), runs=1)),
            (
                "two-mode network (.graphml)",
                timed(lambda: service.export_network(folder / "t.graphml", "two-mode")),
            ),
            (
                "congruence network (.csv)",
                timed(lambda: service.export_network(folder / "c.csv", "congruence")),
            ),
            (
                "conflict network, dedupe + average (.csv)",
                timed(
                    lambda: service.export_network(
                        folder / "k.csv", "conflict", dedupe=True, normalise="average"
                    )
                ),
            ),
        ]
        service.close()
    width = max(len(name) for name, _ in figures)
    print(f"\n{'figure':<{width}}  seconds  ({args.statements:,} statements, median of 3)")
    for name, seconds in figures:
        print(f"{name:<{width}}  {seconds:7.2f}")


if __name__ == "__main__":
    main()
