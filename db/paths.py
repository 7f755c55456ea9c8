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


NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "sshfs", "fuse.sshfs", "9p", "afs", "davfs", "ncpfs"}
)


def is_network_path(path: Path, mounts: str | None = None) -> bool:
    """Whether ``path`` lies on a network share, where SQLite's file locking is not safe.

    Windows UNC paths (\\\\server\\share) count; on Linux the longest matching mount point in
    /proc/mounts decides (``mounts`` can be given for tests). Elsewhere: False (unknown).
    """
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    resolved = str(Path(text).expanduser().absolute())
    best, kind = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind in NETWORK_FILESYSTEMS
