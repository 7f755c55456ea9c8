"""The one place that finds files in ``resources/``: the source tree, or inside the wheel."""

from __future__ import annotations

from pathlib import Path


def resources_dir() -> Path:
    installed = Path(__file__).with_name("_resources")  # wheel: force-included by hatch
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "resources"  # source tree, editable install


def samples_dir() -> Path:
    return resources_dir() / "samples"


def style_sheet(name: str = "style.qss") -> str:
    path = resources_dir() / name
    return path.read_text(encoding="utf-8") if path.exists() else ""
