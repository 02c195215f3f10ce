"""One-shot work off the GUI thread: a callable on the global thread pool whose result
comes back to the GUI thread.

Every result travels through one long-lived object (``_Inbox``) that lives in the GUI
thread, as a queued signal. Nothing is created per job on the Qt side: a per-job signals
object or runnable would have to outlive both the pool thread that emits from it and the
event that delivers to it, and freeing one a moment too early (from its own slot, or
while the pool thread is still leaving ``emit``) crashes the process at random.

While a job is in flight Python's garbage collector runs on the GUI thread only
(``app.ui.gui_collector``): the job's allocations would otherwise set a collection off on
the pool thread, finalising whatever Qt objects sit in cycles there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, Signal, Slot

from app.errors import USER_ERRORS
from app.ui import gui_collector


@dataclass
class _Parcel:
    """One job's outcome and where it goes."""

    ok: bool
    value: Any  # the result, or the one-line message of a failure
    on_done: Callable[[Any], None] | None
    on_error: Callable[[str], None] | None
    owner: QObject | None
    release: Callable[[], None] | None = None  # lets go of the job's hold on collection

    def deliver(self) -> None:
        if self.owner is not None and not shiboken6.isValid(self.owner):
            return  # its window is gone: nobody to tell
        if self.ok and self.on_done is not None:
            self.on_done(self.value)
        elif not self.ok and self.on_error is not None:
            self.on_error(self.value)


class _Inbox(QObject):
    """Lives in the GUI thread for the life of the application; its slot runs there."""

    arrived = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _deliver(self, parcel: _Parcel) -> None:
        try:
            parcel.deliver()
        finally:
            if parcel.release is not None:
                parcel.release()


_inbox: _Inbox | None = None


def _gui_inbox() -> _Inbox:
    global _inbox
    if _inbox is None or not shiboken6.isValid(_inbox):
        _inbox = _Inbox()
        app = QCoreApplication.instance()
        if app is not None:
            _inbox.moveToThread(app.thread())
    return _inbox


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[str], None] | None = None,
                      owner: QObject | None = None) -> None:
    """Start ``fn`` on the pool; call from the GUI thread. ``on_done``/``on_error`` run on
    the GUI thread, and not at all if ``owner`` was destroyed in the meantime. Expected
    failures arrive as their one-line message; anything else as a short description,
    never a traceback in the window."""
    inbox = _gui_inbox()
    release = gui_collector.hold()

    def job() -> None:
        try:
            parcel = _Parcel(True, fn(), on_done, on_error, owner, release)
        except USER_ERRORS as exc:
            parcel = _Parcel(False, str(exc), on_done, on_error, owner, release)
        except Exception as exc:  # noqa: BLE001 - shown to the user, not raised in a pool thread
            parcel = _Parcel(False, f"unexpected problem: {exc!r}", on_done, on_error, owner,
                             release)
        # At shutdown the application may already have taken the inbox with it.
        with contextlib.suppress(RuntimeError):
            inbox.arrived.emit(parcel)

    QThreadPool.globalInstance().start(job)
