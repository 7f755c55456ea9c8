"""PySide6 6.12.0 on Python 3.11 aborts after a few thousand void calls ("none_dealloc").

We pin PySide6 < 6.12 on Python < 3.12. This test runs 20,000 calls of a void method in a child
process (an abort there fails this test instead of killing the whole run), and checks the pin.
"""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

LOOP = """
from PySide6.QtGui import QGuiApplication, QTextCursor, QTextDocument
app = QGuiApplication([])
document = QTextDocument("x" * 100)
cursor = QTextCursor(document)
for i in range(20_000):
    cursor.setPosition(i % 100)
print(cursor.position())
"""


def test_twenty_thousand_void_calls_do_not_abort():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", LOOP], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str(19_999 % 100)


def test_the_pin_holds_on_python_below_3_12():
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("PySide6")]
    assert any("<6.12" in d and "python_version < '3.12'" in d for d in pins), pins
    if sys.version_info < (3, 12):
        from PySide6 import __version_info__

        assert __version_info__[:2] < (6, 12)
