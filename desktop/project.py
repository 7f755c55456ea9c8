"""The open project as the GUI sees it: the service, the coder, and a signal per change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from db.changes import Changes
from db.errors import MarginaliaError
from db.service import ProjectService
from desktop.resources import samples_dir

T = TypeVar("T")


class ProjectController(QObject):
    """Runs user actions through the service; emits ``changed`` or ``failed`` afterwards."""

    changed = Signal(object)  # Changes
    failed = Signal(str)  # a message for the user; nothing was written

    def __init__(self, service: ProjectService, coder_name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.service = service
        self.coder_name = coder_name
        self.coder_id = service.ensure_coder(coder_name)

    @property
    def name(self) -> str:
        return self.service.name

    def run(self, action: Callable[..., T], *args) -> T | None:
        """Call a service method; emit its Changes (bare or as the last item of a tuple)."""
        try:
            result = action(*args)
        except MarginaliaError as exc:
            self.failed.emit(str(exc))
            return None
        changes = result[-1] if isinstance(result, tuple) else result
        if isinstance(changes, Changes):
            self.changed.emit(changes)
        return result

    def read(self, query: Callable[..., T], *args, default: T) -> T:
        try:
            return query(*args)
        except MarginaliaError as exc:
            self.failed.emit(str(exc))
            return default

    def close(self) -> None:
        self.service.close()


def open_controller(
    target: Path, coder_name: str, *, create: bool = True, seed_sample: bool = False
) -> ProjectController:
    """Open (and migrate) a project; fill it with the sample on first run when asked."""
    service = ProjectService.open(target, create=create)
    try:
        if seed_sample:
            service.seed_sample(samples_dir())
        return ProjectController(service, coder_name)
    except BaseException:
        service.close()
        raise
