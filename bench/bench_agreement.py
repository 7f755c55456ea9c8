"""Benchmark inter-coder agreement and adjudication on a big two-coder project.

Two coders × N articles (made-up text) × 50 highlights each: coder B repeats most of A's
highlights, shifts some bounds, swaps some codes, drops some and adds his own, so every
coefficient has real work. Times α-u, the sentence kappas, the position alphas and the whole
report, and the adjudication paths: counting open disagreements across the project (the
"next disagreement" jump), comparing one article, and copying all agreed passages to gold.

    python bench/bench_agreement.py [--articles 10000] [--keep DIR]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from sqlalchemy import insert, select
from synthetic import CODES, TextMaker, bench_main, log, random_spans, table, timed, write_articles

from db.models import Annotation, AnnotationCode, Coder, Statement, utcnow
from db.queries import agreement as agreement_queries
from db.service import ProjectService

PER_ARTICLE = 50
CODERS = ("ann", "bob")


def perturb(
    rng: random.Random, spans: list[tuple[int, int, list[int]]], length: int, code_ids: list[int]
):
    """Bob's take on Ann's highlights: 70 % the same; the rest shifted, recoded, dropped or new."""
    out = []
    for start, end, codes in spans:
        roll = rng.random()
        if roll < 0.70:
            out.append((start, end, codes))
        elif roll < 0.82:
            shift = rng.randint(-15, 15)
            out.append((max(0, start + shift), min(length, max(start + shift + 5, end)), codes))
        elif roll < 0.92:
            out.append((start, end, [rng.choice(code_ids)]))
        elif roll < 0.96:
            continue  # bob saw nothing here
        else:
            out.append((start, end, codes))
            new = random_spans(rng, length, 1)[0]
            out.append((*new, [rng.choice(code_ids)]))
    return out


def build(folder: Path, articles: int) -> tuple[ProjectService, list[str]]:
    rng = random.Random(11)
    service = ProjectService.open(folder / "bench.sqlite")
    service.use_coder("owner")
    paths = write_articles(folder / "articles", articles, TextMaker(rng))
    service.import_files(paths)
    code_ids = [service.create_code(name, color)[0] for name, color in CODES]
    actors = [service.create_actor(f"Actor {i}")[0] for i in range(8)]
    issues = [service.create_issue(f"Issue {i}")[0] for i in range(5)]
    now = utcnow()
    with service.project.write() as s:
        coders = {name: Coder(name=name) for name in CODERS}
        s.add_all(coders.values())
        s.flush()
        documents = list(s.execute(select(Annotation.document_id).limit(0)))  # warm
        from db.models import Document  # local: the bench reads lengths once

        documents = [(d, len(t)) for d, t in s.execute(select(Document.id, Document.text))]
        annotations, tags, planned = [], [], []
        for document_id, length in documents:
            first = [
                (a, b, rng.sample(code_ids, rng.choice((1, 1, 2))))
                for a, b in random_spans(rng, length, PER_ARTICLE)
            ]
            for name, spans in (("ann", first), ("bob", perturb(rng, first, length, code_ids))):
                for start, end, codes in spans:
                    annotations.append(
                        {
                            "document_id": document_id,
                            "coder_id": coders[name].id,
                            "start": start,
                            "end": end,
                            "quote": "",
                            "created_at": now,
                            "modified_at": now,
                        }
                    )
                    planned.append(codes)
        log(f"inserting {len(annotations):,} highlights")
        ids = list(s.scalars(insert(Annotation).returning(Annotation.id), annotations))
        for annotation_id, codes in zip(ids, planned, strict=True):
            tags.extend({"annotation_id": annotation_id, "code_id": c} for c in codes)
        s.execute(insert(AnnotationCode), tags)
        statements = [
            {
                "annotation_id": annotation_id,
                "actor_id": actors[annotation_id % len(actors)],
                "issue_id": issues[(annotation_id // 7) % len(issues)],
                "stance": rng.choice((-1, 0, 1)),
                "source": "",
                "created_at": now,
                "modified_at": now,
            }
            for annotation_id in ids[:: PER_ARTICLE // 5]
        ]
        s.execute(insert(Statement), statements)
    return service, [str(len(ids)), str(len(tags)), str(len(statements))]


def run(folder: Path, articles: int) -> str:
    log(f"building {articles:,} articles × {len(CODERS)} coders × {PER_ARTICLE} highlights")
    service, sizes = build(folder, articles)
    coder_ids = [service.ensure_coder(name) for name in CODERS]
    coders = list(CODERS)

    def block(function):
        def go():
            with service.project.read() as s:
                return function(s, coders)

        return go

    rows = [("what", "seconds")]
    for label, action in (
        ("α-u per code + pooled", block(agreement_queries.unitizing_agreement)),
        ("sentence kappa per code + overall", block(agreement_queries.sentence_agreement)),
        ("position alphas (statement units)", block(agreement_queries.statement_agreement)),
        ("whole report (service.agreement)", lambda: service.agreement(coders)),
        ("count open disagreements, all articles", lambda: service.disagreement_counts(coder_ids)),
        ("jump to the next open disagreement", lambda: service.next_open_document(coder_ids, 1)),
        ("compare one article", lambda: service.compare(1, coder_ids)),
    ):
        log(label)
        rows.append((label, f"{timed(action):.2f}"))
    log("copy all agreed passages to gold")
    copied: list[int] = []
    rows.append(
        (
            "copy all agreed to gold",
            f"{timed(lambda: copied.append(service.accept_agreed(coder_ids)[0])):.2f}",
        )
    )
    report = service.agreement(coders)
    pooled = next(r for r in report if r.code == "(all codes)" and "α-u" in r.coefficient)
    kappa = next(r for r in report if r.code == "(all codes)" and r.coefficient == "cohen kappa")
    service.close()
    return (
        f"highlights {sizes[0]}, tags {sizes[1]}, statements {sizes[2]}; "
        f"agreed highlights copied to gold: {copied[0]:,}\n"
        f"pooled α-u {pooled.value:.3f} over {pooled.units:,} units; "
        f"overall Cohen's kappa {kappa.value:.3f} over {kappa.units:,} sentence units\n\n"
        + table(rows)
    )


if __name__ == "__main__":
    bench_main(__doc__, "Agreement and adjudication", 10_000, run, sys.argv[1:])
