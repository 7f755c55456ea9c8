"""Where Marginalia keeps its files: the user-data dir (MARGINALIA_DATA_DIR overrides it)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_data_dir

DEFAULT_PROJECT_NAME = "Sample project.sqlite"


def data_dir() -> Path:
    override = os.environ.get("MARGINALIA_DATA_DIR")
    return Path(override) if override else Path(user_data_dir("Marginalia", appauthor=False))


def default_project() -> Path:
    return data_dir() / DEFAULT_PROJECT_NAME


def os_user_name() -> str:
    """The default coder name: who is logged in (some containers have no user name)."""
    try:
        return getpass.getuser()
    except Exception:
        return "coder"
