"""Shared fixtures: offscreen Qt, a private data dir, real project files, the shared corpus."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("MARGINALIA_DATA_DIR", tempfile.mkdtemp(prefix="marginalia-test-data-"))

import pytest

from db.service import ProjectService

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"The shared corpus is missing at {CORPUS} (../shared beside the project).")
    return CORPUS


@pytest.fixture
def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(corpus_dir.glob("*.txt"))


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "project.sqlite"


@pytest.fixture
def service(project_path: Path) -> Iterator[ProjectService]:
    svc = ProjectService.open(project_path)
    yield svc
    svc.close()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user-data dir (settings, default project) for one test."""
    path = tmp_path / "data"
    monkeypatch.setenv("MARGINALIA_DATA_DIR", str(path))
    return path


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty database on the test PostgreSQL server (MARGINALIA_TEST_PG_URL).

    Skips on a machine without a server; in CI (CI=true) a missing server fails instead, so
    PostgreSQL support can never silently go untested.
    """
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = os.environ.get("MARGINALIA_TEST_PG_URL")
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: MARGINALIA_TEST_PG_URL is not set.")
        pytest.skip("no PostgreSQL server (set MARGINALIA_TEST_PG_URL)")
    name = f"marginalia_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
