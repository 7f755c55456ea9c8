"""Several processes write one project at once; a killed import leaves nothing half-done."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from db.service import ProjectService

WORKER = """
import sys
from db.service import ProjectService
service = ProjectService.open(sys.argv[1], create=False)
service.use_coder(sys.argv[2])
doc = service.documents()[0].id
code = next(c.id for c in service.codes())
for i in range(int(sys.argv[3])):
    service.annotate(doc, None, i, i + 10 + int(sys.argv[4]), [code])
service.close()
"""


def run_writers(target: str, processes: int = 4, each: int = 500) -> None:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, target, f"coder {n}", str(each), str(n)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err


def seeded(target, corpus_files) -> ProjectService:
    service = ProjectService.open(target)
    service.use_coder("owner")
    service.import_files(corpus_files[:1])
    service.create_code("Truce")
    return service


def count_annotations(service: ProjectService) -> int:
    return sum(len(service.annotations(d.id)) for d in service.documents())


def test_four_processes_500_annotations_each_into_one_sqlite_file(project_path, corpus_files):
    service = seeded(project_path, corpus_files)
    run_writers(str(project_path))
    assert count_annotations(service) == 2000
    with sqlite3.connect(project_path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert (
            c.execute("SELECT count(*) FROM event WHERE action = 'annotate'").fetchone()[0] == 2000
        )
    service.close()


def test_four_processes_into_postgresql(pg_url, corpus_files):
    service = seeded(pg_url, corpus_files)
    run_writers(pg_url)
    assert count_annotations(service) == 2000
    entries = (
        service.project.engine.connect()
        .exec_driver_sql("SELECT count(*) FROM event WHERE action = 'annotate'")
        .scalar()
    )
    assert entries == 2000
    service.close()


@pytest.mark.parametrize("attempt", range(20))
def test_kill_9_during_a_large_import_leaves_no_partial_article(attempt, tmp_path_factory):
    folder = tmp_path_factory.getbasetemp() / "crash-articles"
    if not folder.exists():
        folder.mkdir()
        rng = random.Random(5)
        for i in range(400):
            words = " ".join(rng.choice(["truce", "talks", "aid", "mediators"]) for _ in range(700))
            (folder / f"{i:04}.txt").write_text(f"Article {i}\n\n{words} {i}\n", encoding="utf-8")
    project = tmp_path_factory.getbasetemp() / "crash.sqlite"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "import", str(project), str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(random.Random(attempt).uniform(0.3, 1.5))
    process.send_signal(signal.SIGKILL)
    process.wait()
    if not project.exists():
        return  # killed before the file existed: nothing to check
    service = ProjectService.open(project)  # opening recovers the WAL
    with sqlite3.connect(project) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = c.execute("SELECT text, sha256 FROM document").fetchall()
    assert len(rows) in (0, 400)  # one transaction: the batch is all or nothing
    for text, digest in rows:
        assert hashlib.sha256(text.encode()).hexdigest() == digest
    service.close()
