"""The open project as the GUI sees it: the service, the coder, the undo stack, and signals.

Every edit that the core recorded in the event log lands on the undo stack as one command;
on open, the stack is rebuilt from the log, so undo works after a restart. Undoing or redoing a
big edit (copying thousands of agreed passages to gold) runs in the background with a progress
dialog; small ones stay immediate. Replays run one after another in the order asked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from db.changes import Changes
from db.errors import MarginaliaError, Unavailable
from db.service import ProjectService
from desktop.resources import samples_dir
from desktop.tasks import Task

T = TypeVar("T")


class HistoryCommand(QUndoCommand):
    """One recorded edit. ``push()`` calls redo() at once; the edit is already done then."""

    def __init__(self, controller: ProjectController, event_id: int, text: str) -> None:
        super().__init__(text)
        self.controller, self.event_id = controller, event_id
        self._done = True

    def redo(self) -> None:
        if self._done or self.controller.rebuilding:
            self._done = False
            return
        self.controller.replay("redo", self.event_id, self.text())

    def undo(self) -> None:
        if not self.controller.rebuilding:
            self.controller.replay("undo", self.event_id, self.text())


class ProjectController(QObject):
    """Runs user actions through the service; emits ``changed`` or ``failed`` afterwards."""

    changed = Signal(object)  # Changes
    failed = Signal(str)  # a message for the user; nothing was written
    changed_elsewhere = Signal()  # another program or coder changed the project
    connection_changed = Signal(bool, int)  # reachable, edits waiting to be saved

    POLL_MS = 1000
    HEAVY_REPLAY = 200_000
    """Characters of recorded states above which undo/redo runs in the background."""

    def __init__(self, service: ProjectService, coder_name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.service = service
        self.undo_stack = QUndoStack(self)
        self.rebuilding = False
        self.coder_name = coder_name
        self.coder_id = service.use_coder(coder_name)
        self.pending: list[tuple[Callable, tuple, dict]] = []
        self.task_parent: QWidget | None = None  # where a background replay shows its progress
        self.replaying: Task | None = None
        self._replays: list[tuple[str, int, str]] = []  # waiting: kind, event id, summary
        self.rebuild_undo_stack()
        self._watcher = service.watcher()
        self._poll = QTimer(self)
        self._poll.timeout.connect(self.poll)
        self._poll.start(self.POLL_MS)

    def resync(self) -> None:
        """Take the project as it is now as seen (after our own background job)."""
        try:
            self._watcher.resync()
        except Exception:  # a busy database: the next poll catches up
            return

    def poll(self) -> None:
        """Save waiting edits, then reload views when someone else changed the project."""
        if self.replaying is not None:  # our own undo is writing: not news from elsewhere
            return
        if self.pending:
            self.retry_pending()
        try:
            changed = self._watcher.poll()
        except Exception:
            return
        if changed:
            self.changed.emit(Changes(documents=True, codebook=True, positions=True))
            self.changed_elsewhere.emit()

    @property
    def name(self) -> str:
        return self.service.name

    def switch_coder(self, name: str) -> None:
        self.coder_id = self.service.use_coder(name)
        self.coder_name = name
        self._watcher.coder_id = self.coder_id
        self.rebuild_undo_stack()

    def rebuild_undo_stack(self) -> None:
        """This coder's stack as the event log left it (undone edits stay redoable)."""
        entries, applied = self.read(self.service.history, default=([], 0))
        self.rebuilding = True
        try:
            self.undo_stack.clear()
            for entry in entries:
                self.undo_stack.push(HistoryCommand(self, entry.event_id, entry.summary))
            self.undo_stack.setIndex(applied)
            self.undo_stack.setClean()
        finally:
            self.rebuilding = False

    def run(self, action: Callable[..., T], *args, **kwargs) -> T | None:
        """Call a service method; emit its Changes; put a recorded edit on the undo stack.

        When the database is unavailable (server unreachable, file locked) the edit is kept and
        tried again on every poll; ``connection_changed`` tells the window how many wait.
        """
        if self.pending:  # keep the user's order: nothing overtakes a waiting edit
            self._queue(action, args, kwargs)
            return None
        try:
            result = action(*args, **kwargs)
        except Unavailable:
            self._queue(action, args, kwargs)
            return None
        except MarginaliaError as exc:
            self.failed.emit(str(exc))
            return None
        self._done(result)
        return result

    def _queue(self, action, args, kwargs) -> None:
        self.pending.append((action, args, kwargs))
        self.connection_changed.emit(False, len(self.pending))

    def _done(self, result) -> None:
        changes = result[-1] if isinstance(result, tuple) else result
        if isinstance(changes, Changes):
            self.changed.emit(changes)
            if changes.event_id is not None:
                self.undo_stack.push(HistoryCommand(self, changes.event_id, changes.summary))

    def retry_pending(self) -> None:
        """Save waiting edits in order; stop at the first that still cannot be saved."""
        while self.pending:
            action, args, kwargs = self.pending[0]
            try:
                result = action(*args, **kwargs)
            except Unavailable:
                self.connection_changed.emit(False, len(self.pending))
                return
            except MarginaliaError as exc:  # e.g. the row went away meanwhile: say so, go on
                self.pending.pop(0)
                self.failed.emit(f"A waiting change could not be saved: {exc}")
                continue
            self.pending.pop(0)
            self._done(result)
        self.connection_changed.emit(True, 0)

    def replay(self, kind: str, event_id: int, summary: str) -> None:
        """Undo or redo one recorded edit (``kind``: "undo" or "redo"), after any replay still
        running; a heavy one in the background, so the window stays responsive."""
        self._replays.append((kind, event_id, summary))
        while self._replays and self.replaying is None:
            kind, event_id, summary = self._replays.pop(0)
            action = self.service.undo if kind == "undo" else self.service.redo
            weight = self.read(self.service.history_weight, event_id, default=0)
            if weight < self.HEAVY_REPLAY or self.task_parent is None:
                self.apply(action, event_id)
            else:
                self._replay_in_background(action, event_id, kind, summary)

    def _replay_in_background(
        self, action: Callable[[int], Changes], event_id: int, kind: str, summary: str
    ) -> None:
        verb = "Undoing" if kind == "undo" else "Redoing"
        task = Task(self.task_parent, f"{verb} “{summary}”…", lambda _progress: action(event_id))
        task.dialog.setCancelButton(None)  # one transaction: it finishes or fails whole
        task.dialog.setMinimumDuration(0)  # modal at once: no edit slips in meanwhile
        task.succeeded.connect(self.changed.emit)
        task.failed.connect(self._replay_failed)
        task.finished.connect(self._replay_finished)
        self.replaying = task.start()

    def _replay_failed(self, message: str) -> None:
        """Nothing was written: the stack goes back to what the log says, and waiting replays
        (which assumed this one) are dropped."""
        self._replays.clear()
        self.failed.emit(message)
        self.rebuild_undo_stack()

    def _replay_finished(self) -> None:
        self.replaying = None
        self.resync()
        if self._replays:
            kind, event_id, summary = self._replays.pop(0)
            self.replay(kind, event_id, summary)

    def apply(self, action: Callable[..., T], *args, **kwargs) -> T | None:
        """Call a service method and emit its Changes, without touching the undo stack."""
        try:
            result = action(*args, **kwargs)
        except MarginaliaError as exc:
            self.failed.emit(str(exc))
            return None
        changes = result[-1] if isinstance(result, tuple) else result
        if isinstance(changes, Changes):
            self.changed.emit(changes)
        return result

    def finished_elsewhere(self, changes: Changes) -> None:
        """A worker thread ran an edit: refresh views and make it undoable here."""
        self.changed.emit(changes)
        if changes.event_id is not None:
            self.undo_stack.push(HistoryCommand(self, changes.event_id, changes.summary))

    def read(self, query: Callable[..., T], *args, default: T) -> T:
        try:
            return query(*args)
        except MarginaliaError as exc:
            self.failed.emit(str(exc))
            return default

    def close(self) -> None:
        self._poll.stop()
        self._watcher.close()
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
