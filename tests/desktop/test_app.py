"""Start-up: first-run sample project, coder identity, screenshot mode, display hints."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QInputDialog

from desktop import app
from desktop.resources import samples_dir
from desktop.settings import Settings


def test_screenshot_first_run_creates_the_sample_project(tmp_path):
    data = tmp_path / "data"
    shot = tmp_path / "shot.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["MARGINALIA_DATA_DIR"] = str(data)
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert image.width() >= 1200 and image.height() >= 700
    project = data / "Sample project.sqlite"
    with sqlite3.connect(project) as c:
        assert c.execute("SELECT count(*) FROM document").fetchone()[0] == 3
        assert c.execute("SELECT count(*) FROM code").fetchone()[0] == 5
        for text, start, end, quote in c.execute(
            'SELECT d.text, a.start, a."end", a.quote FROM annotation a '
            "JOIN document d ON d.id = a.document_id"
        ):
            assert text[start:end] == quote
        assert c.execute("SELECT count(*) FROM annotation").fetchone()[0] == 7
    again = subprocess.run(  # second run: no second copy of the sample
        [sys.executable, "-m", "desktop", "--screenshot", str(shot)], env=env, timeout=120
    )
    assert again.returncode == 0
    with sqlite3.connect(project) as c:
        assert c.execute("SELECT count(*) FROM document").fetchone()[0] == 3


def test_sample_articles_infer_their_metadata(service):
    service.seed_sample(samples_dir())
    outlets = sorted(r.outlet for r in service.documents())
    assert outlets == [
        "Harbour Business Weekly",
        "Regional Press Service",
        "The Harbourside Courier",
    ]
    assert all(r.published is not None for r in service.documents())


def test_first_run_asks_for_the_coder_with_the_os_user_as_default(qapp, tmp_path, monkeypatch):
    settings = Settings(tmp_path / "s.ini")
    asked = {}

    def answer(parent, title, label, text=""):
        asked["default"] = text
        return ("  Dana  ", True)

    monkeypatch.setattr(QInputDialog, "getText", answer)
    assert app.coder_name(settings, None, ask=True) == "Dana"
    assert asked["default"] == app.default_coder_name()
    assert settings.coder == "Dana"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: pytest.fail("asked twice"))
    assert app.coder_name(settings, None, ask=True) == "Dana"
    assert app.coder_name(settings, "Eli", ask=True) == "Eli"


def test_cancelling_the_coder_question_opens_nothing(qapp, tmp_path, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    assert app.coder_name(Settings(tmp_path / "s.ini"), None, ask=True) is None


def test_no_display_gives_a_one_line_hint(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    assert "--screenshot" in app.display_problem()
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(app.ctypes.util, "find_library", lambda name: None)
    hint = app.display_problem()
    assert "sudo apt install libxcb-cursor0" in hint and "\n" not in hint
    monkeypatch.setattr(app.ctypes.util, "find_library", lambda name: f"lib{name}.so")
    assert app.display_problem() is None
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(app.ctypes.util, "find_library", lambda name: None)
    assert app.display_problem() is None


def test_missing_libraries_stop_the_app_before_qt_aborts(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY="", MARGINALIA_DATA_DIR=str(tmp_path))
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-m", "desktop"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("marginalia: no display found")
