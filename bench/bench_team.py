"""Benchmark the team database: annotate latency and project open time, PostgreSQL beside SQLite.

The same synthetic data (made-up text) goes into a SQLite file and into a PostgreSQL database
on loopback (``MARGINALIA_BENCH_PG_URL`` or ``MARGINALIA_TEST_PG_URL``, an admin URL; a fresh
database is created and dropped). Prints median and p95 of one annotation (a write transaction
with its history entry) and of opening the project and listing its articles.

    python bench/bench_team.py [--articles 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
from pathlib import Path

from synthetic import TextMaker, pg_database, timed, write_articles

from db.service import ProjectService


def measure(target: str, folder: Path) -> tuple[list[float], list[float]]:
    service = ProjectService.open(target)
    service.use_coder("bench")
    service.import_files([folder])
    code, _ = service.create_code("Bench")
    documents = [d.id for d in service.documents()]
    rng = random.Random(1)
    writes = []
    for _ in range(200):
        doc = rng.choice(documents)
        start = rng.randrange(0, 3000)
        writes.append(timed(lambda d=doc, s=start: service.annotate(d, None, s, s + 40, [code])))
    service.close()

    def open_and_list() -> None:
        opened = ProjectService.open(target, create=False)
        opened.use_coder("bench")
        opened.documents()
        opened.codes()
        opened.close()

    opens = [timed(open_and_list) for _ in range(10)]
    return writes, opens


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    admin_url = os.environ.get("MARGINALIA_BENCH_PG_URL") or os.environ.get(
        "MARGINALIA_TEST_PG_URL"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_articles(folder / "articles", args.articles, TextMaker(random.Random(3)))
        results = {"SQLite": measure(str(folder / "bench.sqlite"), folder / "articles")}
        if admin_url:
            with pg_database(admin_url, "marginalia_bench") as url:
                results["PostgreSQL"] = measure(url, folder / "articles")
    print(f"\nTeam database benchmark: {args.articles:,} articles, 200 annotations, 10 opens")
    for backend, (writes, opens) in results.items():
        print(f"{backend:<11} annotate      {spread(writes)}")
        print(f"{'':<11} open + list   {spread(opens)}")
    if not admin_url:
        print("(set MARGINALIA_BENCH_PG_URL to an admin URL to measure PostgreSQL too)")


if __name__ == "__main__":
    main()
