"""Shared fixtures: offscreen Qt, a private data dir, real project files, the shared corpus."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("MARGINALIA_DATA_DIR", tempfile.mkdtemp(prefix="marginalia-test-data-"))

import pytest  # noqa: E402

from db.service import ProjectService  # noqa: E402

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
