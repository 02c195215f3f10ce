"""One-shot work off the GUI thread: a QRunnable whose result comes back as a signal."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.errors import USER_ERRORS


class WorkerSignals(QObject):
    finished = Signal(object)
    failed = Signal(str)


class Worker(QRunnable):
    """Runs ``fn()`` on the global thread pool. Expected failures arrive as their one-line
    message; anything else as a short description, never a traceback in the window."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = WorkerSignals()

    def run(self) -> None:
        try:
            result = self.fn()
        except USER_ERRORS as exc:
            self._emit(self.signals.failed, str(exc))
        except Exception as exc:  # noqa: BLE001 - shown to the user, not raised in a pool thread
            self._emit(self.signals.failed, f"unexpected problem: {exc!r}")
        else:
            self._emit(self.signals.finished, result)

    @staticmethod
    def _emit(signal: Any, value: Any) -> None:
        # At shutdown the application may already have taken the signals object with it.
        with contextlib.suppress(RuntimeError):
            signal.emit(value)


class _Relay(QObject):
    """Lives in the GUI thread, so its slots run there; drops results whose owner is gone."""

    def __init__(self, worker: Worker, on_done: Callable[[Any], None] | None,
                 on_error: Callable[[str], None] | None, owner: QObject | None) -> None:
        super().__init__()
        self.worker, self.on_done, self.on_error, self.owner = worker, on_done, on_error, owner
        worker.signals.finished.connect(self.done)
        worker.signals.failed.connect(self.fail)

    def _owner_alive(self) -> bool:
        return self.owner is None or shiboken6.isValid(self.owner)

    @Slot(object)
    def done(self, result: Any) -> None:
        _running.discard(self)
        if self.on_done is not None and self._owner_alive():
            self.on_done(result)

    @Slot(str)
    def fail(self, message: str) -> None:
        _running.discard(self)
        if self.on_error is not None and self._owner_alive():
            self.on_error(message)


# Keeps each relay (and through it the worker and its signals) alive until it reports.
_running: set[_Relay] = set()


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[str], None] | None = None,
                      owner: QObject | None = None) -> Worker:
    """Start ``fn`` on the pool; call from the GUI thread. ``on_done``/``on_error`` run on
    the GUI thread, and not at all if ``owner`` was destroyed in the meantime."""
    worker = Worker(fn)
    worker.setAutoDelete(False)
    _running.add(_Relay(worker, on_done, on_error, owner))
    QThreadPool.globalInstance().start(worker)
    return worker
