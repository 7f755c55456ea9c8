"""Benchmark REFI-QDA exchange: export a big project to .qdpx and import it into a fresh one.

N articles of made-up text (about 4,000 characters, with the odd emoji) × 50 highlights by
three coders, each with one to three of 16 codes, a memo on one in twenty and a coded position
on one in twenty. Export and import each run in a process of their own, so the peak memory
reported (ru_maxrss) is that phase's alone; the interpreter with its libraries loaded is shown
as the baseline.

    python bench/bench_refi.py [--articles 10000] [--keep DIR]
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

PER_ARTICLE = 50
CODERS = ("ann", "bob", "cat")
CHUNK = 5000


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    Linux's VmHWM belongs to the address space, which exec replaces; ``ru_maxrss`` would carry
    the parent's peak into the child phase.
    """
    try:
        status = Path("/proc/self/status").read_text()
        peak = next(line for line in status.splitlines() if line.startswith("VmHWM"))
        return int(peak.split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Building the project (in the parent process) ------------------------------------------------
def build(folder: Path, articles: int) -> dict[str, int]:
    from sqlalchemy import insert
    from synthetic import CODES, TextMaker, log, random_codes, random_spans

    from db.logic import metadata
    from db.logic import text as text_logic
    from db.logic.offsets import quote
    from db.models import Annotation, AnnotationCode, Coder, Document, Statement, utcnow
    from db.service import ProjectService

    rng = random.Random(7)
    maker = TextMaker(rng)
    service = ProjectService.open(folder / "source.sqlite")
    service.use_coder("owner")
    code_ids = []
    for name, color in CODES:
        parent, _ = service.create_code(name, color, description=f"When to code {name}.")
        child, _ = service.create_code(f"{name} (strong)", parent_id=parent)
        code_ids += [parent, child]
    actors = [service.create_actor(f"Actor {i}", kind="organisation")[0] for i in range(20)]
    roots = [service.create_issue(f"Issue {i}")[0] for i in range(5)]
    issues = roots + [service.create_issue(f"Sub {i}", parent_id=r)[0] for i, r in enumerate(roots)]
    now = utcnow()
    sizes = {"articles": articles, "highlights": 0, "codings": 0, "statements": 0}
    with service.project.write() as s:
        coders = [s.scalar(insert(Coder).returning(Coder.id), {"name": name}) for name in CODERS]
        connection = s.connection()
        documents = Document.__table__
        annotations = Annotation.__table__
        log(f"writing {articles:,} articles × {PER_ARTICLE} highlights")
        for first in range(0, articles, 500):
            texts = [
                text_logic.normalise(maker.article(4_000))
                for _ in range(first, min(articles, first + 500))
            ]
            doc_ids = connection.execute(
                documents.insert().returning(documents.c.id, sort_by_parameter_order=True),
                [
                    {
                        "title": metadata.infer_title(t) or "Untitled",
                        "text": t,
                        "sha256": text_logic.sha256(t),
                        "outlet": rng.choice(maker.outlets),
                        "published": maker.published(),
                        "extra": {},
                        "memo": "Check the source." if rng.random() < 0.05 else "",
                        "imported_at": now,
                    }
                    for t in texts
                ],
            ).scalars().all()  # fmt: skip
            rows, planned = [], []
            for doc_id, body in zip(doc_ids, texts, strict=True):
                for start, end in random_spans(rng, len(body), PER_ARTICLE):
                    cited = quote(body, start, end)
                    rows.append(
                        {
                            "document_id": doc_id,
                            "coder_id": rng.choice(coders),
                            "start": start,
                            "end": end,
                            "quote": cited.exact,
                            "prefix": cited.prefix,
                            "suffix": cited.suffix,
                            "memo": "A telling phrase." if rng.random() < 0.05 else "",
                            "created_at": now,
                            "modified_at": now,
                        }
                    )
                    planned.append(random_codes(rng, code_ids))
            ids = connection.execute(
                annotations.insert().returning(annotations.c.id, sort_by_parameter_order=True),
                rows,
            ).scalars().all()  # fmt: skip
            tags = [
                {"annotation_id": a, "code_id": c}
                for a, codes in zip(ids, planned, strict=True)
                for c in codes
            ]
            statements = [
                {
                    "annotation_id": a,
                    "actor_id": rng.choice(actors),
                    "issue_id": rng.choice(issues),
                    "stance": rng.choice((-1, 0, 1)),
                    "source": "officials said" if rng.random() < 0.3 else "",
                    "certainty": rng.choice((None, 0.5, 0.9)),
                    "created_at": now,
                    "modified_at": now,
                }
                for a in ids
                if rng.random() < 0.05
            ]
            s.execute(insert(AnnotationCode), tags)
            if statements:
                s.execute(insert(Statement), statements)
            sizes["highlights"] += len(ids)
            sizes["codings"] += len(tags)
            sizes["statements"] += len(statements)
            if (first // 500) % 4 == 3:
                log(f"  {first + 500:,} articles")
    service.close()
    return sizes


def child(phase: str, source: Path, target: Path) -> None:
    """One timed phase in this fresh process; prints its figures as JSON."""
    from db.service import ProjectService

    baseline = rss_mb()
    if phase == "export":
        service = ProjectService.open(source, create=False)
        start = time.perf_counter()
        summary = service.export_qdpx(target)
        seconds = time.perf_counter() - start
        result = summary.summary()
    else:
        service = ProjectService.open(target)
        service.use_coder("importer")
        start = time.perf_counter()
        report, _ = service.import_qdpx(source)
        seconds = time.perf_counter() - start
        result = report.summary()
    service.close()
    print(
        json.dumps({"seconds": seconds, "peak": rss_mb(), "baseline": baseline, "result": result})
    )


def phase(name: str, source: Path, target: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name, str(source), str(target)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(folder: Path, articles: int) -> str:
    from synthetic import log, table

    start = time.perf_counter()
    sizes = build(folder, articles)
    built = time.perf_counter() - start
    out, fresh = folder / "export.qdpx", folder / "imported.sqlite"
    log("exporting")
    exported = phase("export", folder / "source.sqlite", out)
    log("importing into a fresh project")
    imported = phase("import", out, fresh)
    rows = [("phase", "seconds", "peak RSS", "baseline RSS")]
    for label, figures in (("export .qdpx", exported), ("import .qdpx", imported)):
        rows.append(
            (
                label,
                f"{figures['seconds']:.1f}",
                f"{figures['peak']:,.0f} MB",
                f"{figures['baseline']:,.0f} MB",
            )
        )
    return (
        f"built in {built:.0f} s: {sizes['highlights']:,} highlights, {sizes['codings']:,} "
        f"codings, {sizes['statements']:,} statements\n"
        f".qdpx: {out.stat().st_size / 1e6:,.0f} MB\n"
        f"export: {exported['result']}\nimport: {imported['result']}\n\n" + table(rows)
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--phase":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        from synthetic import bench_main

        bench_main(__doc__, "REFI-QDA export and import", 10_000, run, sys.argv[1:])
