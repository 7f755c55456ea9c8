"""The ``marginalia`` command: sub-commands run headless (db.cli); no sub-command opens the GUI.

This module imports no Qt, so ``marginalia export …`` works on a machine without a display.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from db import cli as headless


def gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marginalia",
        description="Read, highlight and tag news articles. "
        f"Headless commands: {', '.join(headless.COMMANDS)} (marginalia COMMAND --help).",
    )
    parser.add_argument(
        "project",
        nargs="?",
        help="project file or server URL (default: the last file, or the sample project)",
    )
    parser.add_argument(
        "--screenshot", type=Path, metavar="PNG", help="render the window offscreen to PNG and exit"
    )
    parser.add_argument(
        "--coder", help="coder name for this session (skips the first-run question)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in headless.COMMANDS:
        return headless.main(argv)
    args = gui_parser().parse_args(argv)
    from desktop.app import run  # Qt is imported only for the GUI

    project = args.project
    target = project if project is None or "://" in project else Path(project)
    return run(project=target, screenshot=args.screenshot, coder=args.coder)


if __name__ == "__main__":
    sys.exit(main())
