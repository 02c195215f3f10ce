"""Python's cyclic garbage collector, run on the GUI thread only.

CPython collects cycles in whichever thread happens to be allocating when a generation
fills up. A cycle that holds a Qt wrapper (a dropped dialog, a widget captured by a
lambda) is then finalised there, and its C++ object destroyed off the thread that made
it, which crashes at random. While the window lives, and while any job of
``app.ui.workers`` is in flight, automatic collection is off; a timer on the GUI thread
looks at the collector's counters and collects what is due, one generation at a time, as
CPython would, with CPython's rule for the oldest generation too: a full collection waits
until a quarter as many objects again have moved into it since the last one, so full
collections stay rare as the heap grows. Between collections a check costs two small C
calls.

Every holder (``hold``) gets its own release; automatic collection comes back as it was
when the last one lets go, so a test's window leaves the process as it found it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal

# How often the counters are looked at. Garbage waits at most this long, and the shorter
# the wait the less each young collection has to walk; a check that finds nothing due
# does no collecting.
CHECK_MS = 100
# A full collection is due once the objects moved into the oldest generation since the
# last one reach this share of those it kept then (CPython's own ratio).
FULL_COLLECTION_GROWTH = 0.25


def due_generation(counts: tuple[int, int, int], thresholds: tuple[int, ...]) -> int | None:
    """The generation CPython would collect now: the oldest whose count passed its
    threshold (collecting it takes the younger ones too); None when nothing is due, or
    when the thresholds turn collection off (a first threshold of 0)."""
    if not thresholds or thresholds[0] <= 0:
        return None
    for generation in range(min(len(counts), len(thresholds)) - 1, -1, -1):
        if counts[generation] > thresholds[generation]:
            return generation
    return None


class GuiCollector(QObject):
    """Collects due generations from a timer in the thread it lives in (the GUI thread)."""

    collected = Signal(int, int)  # the generation collected, and how many objects were freed

    def __init__(self, interval_ms: int = CHECK_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        # Objects the oldest generation kept at the last full collection (None before the
        # first), and about how many have moved into it since.
        self.long_lived: int | None = None
        self.moved_up = 0

    def full_collection_pays(self) -> bool:
        """Whether enough has moved into the oldest generation for a full collection."""
        return self.long_lived is None or self.moved_up > self.long_lived * FULL_COLLECTION_GROWTH

    def check(self) -> int | None:
        """Collect the generation that is due, if any; returns it."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        generation = due_generation(counts, thresholds)
        if generation == 2 and not self.full_collection_pays():
            generation = due_generation((counts[0], counts[1], 0), thresholds)
        if generation is None:
            return None
        # What a middle collection does not free moves up to the oldest generation.
        young = len(gc.get_objects(0)) + len(gc.get_objects(1)) if generation == 1 else 0
        freed = gc.collect(generation)
        if generation == 1:
            self.moved_up += max(0, young - freed)
        elif generation == 2:
            self.long_lived = len(gc.get_objects(2))
            self.moved_up = 0
        self.collected.emit(generation, freed)
        return generation


_collector: GuiCollector | None = None
_holds: set[int] = set()
_next_hold = 0
_was_enabled = True


def collector() -> GuiCollector | None:
    """The running collector, or None while nothing holds automatic collection off."""
    return _collector if _holds else None


def holding() -> bool:
    return bool(_holds)


def hold(owner: QObject | None = None) -> Callable[[], None]:
    """Turn automatic collection off and collect from the GUI thread instead, until the
    returned function is called (calling it again does nothing) or ``owner`` is
    destroyed. Call from the GUI thread, with the application made."""
    global _collector, _next_hold, _was_enabled
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        raise RuntimeError("garbage collection can only be moved to the GUI thread from it")
    if not _holds:
        _was_enabled = gc.isenabled()
        gc.disable()
        if _collector is None:
            _collector = GuiCollector()
        _collector.timer.start()
    _next_hold += 1
    token = _next_hold
    _holds.add(token)

    def release() -> None:
        _release(token)

    if owner is not None:
        owner.destroyed.connect(release)
    return release


def _release(token: int) -> None:
    if token not in _holds:
        return
    _holds.discard(token)
    if _holds or _collector is None:
        return
    _collector.timer.stop()
    # What is due is collected here, on the GUI thread, before the collector may again
    # run in whatever thread allocates.
    _collector.check()
    if _was_enabled:
        gc.enable()
