"""Long jobs off the GUI thread, with a progress dialog and a Cancel button.

The job is a plain function taking ``progress(done, total)``; pressing Cancel makes the next
progress call raise ``Cancelled``, which rolls the job's transaction back. Results and errors
come back on the GUI thread through queued signals.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from db.errors import Cancelled, MarginaliaError

Job = Callable[[Callable[[int, int], None]], Any]


class _Signals(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class _Runnable(QRunnable):
    def __init__(self, job: Job, signals: _Signals, stop: threading.Event) -> None:
        super().__init__()
        self.job, self.signals, self.stop = job, signals, stop

    def _progress(self, done: int, total: int) -> None:
        if self.stop.is_set():
            raise Cancelled
        self.signals.progressed.emit(done, total)

    def run(self) -> None:
        try:
            result = self.job(self._progress)
        except Cancelled:
            self.signals.cancelled.emit()
        except MarginaliaError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # a bug: report it rather than lose it in a thread
            traceback.print_exc()
            self.signals.failed.emit(f"Unexpected error: {exc!r}")
        else:
            self.signals.succeeded.emit(result)


class Task(QObject):
    """One running job. ``finished`` fires once, after success, failure or cancel."""

    progressed = Signal(int, int)  # done, total (0: unknown)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, parent: QWidget, title: str, job: Job) -> None:
        super().__init__(parent)
        self.stop = threading.Event()
        self.dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(400)
        self.dialog.canceled.connect(self.stop.set)
        self._signals = _Signals()
        self._signals.progressed.connect(self._progressed)
        for source, target in (
            (self._signals.succeeded, self.succeeded),
            (self._signals.failed, self.failed),
            (self._signals.cancelled, self.cancelled),
        ):
            source.connect(target)
            source.connect(self._finish)
        self._runnable = _Runnable(job, self._signals, self.stop)

    def start(self) -> Task:
        QThreadPool.globalInstance().start(self._runnable)
        return self

    def cancel(self) -> None:
        self.stop.set()

    def _progressed(self, done: int, total: int) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.progressed.emit(done, total)

    def _finish(self, *_args) -> None:
        self.dialog.reset()
        self.dialog.close()
        self.dialog.deleteLater()
        self.finished.emit()
        self.deleteLater()
