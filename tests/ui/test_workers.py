"""Work off the GUI thread: results come back on the GUI thread, failures as one line,
nothing reaches a window that is gone, and many jobs at once each report exactly once."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QWidget

from app.errors import StoreError
from app.ui.workers import run_in_background


def test_results_and_failures_come_back_on_the_gui_thread(qtbot) -> None:
    gui = threading.get_ident()
    seen: list[tuple[str, object, bool]] = []

    def work() -> int:
        assert threading.get_ident() != gui  # really off the GUI thread
        return 42

    def broken() -> None:
        raise StoreError("the session database is locked; try again")

    def crash() -> None:
        raise KeyError("oops")

    run_in_background(work, lambda v: seen.append(("done", v, threading.get_ident() == gui)))
    run_in_background(broken, None, lambda m: seen.append(("failed", m, threading.get_ident() == gui)))
    run_in_background(crash, None, lambda m: seen.append(("failed", m, threading.get_ident() == gui)))
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=10_000)
    assert ("done", 42, True) in seen
    assert ("failed", "the session database is locked; try again", True) in seen
    assert ("failed", "unexpected problem: KeyError('oops')", True) in seen


def test_nothing_reaches_an_owner_that_was_destroyed(qtbot) -> None:
    owner = QWidget()
    release = threading.Event()
    calls: list[object] = []
    run_in_background(lambda: release.wait(10), calls.append, calls.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner), timeout=10_000)
    release.set()
    done = threading.Event()
    run_in_background(lambda: None, lambda _: done.set())  # queued after the first result
    qtbot.waitUntil(done.is_set, timeout=10_000)
    assert calls == []


def test_many_jobs_at_once_each_report_exactly_once(qtbot) -> None:
    owners = [QWidget() for _ in range(20)]
    for widget in owners:
        qtbot.addWidget(widget)
    counts: dict[int, int] = {}

    def seen(n: int) -> None:
        counts[n] = counts.get(n, 0) + 1

    for n in range(400):
        run_in_background(lambda n=n: n, seen, owner=owners[n % len(owners)])
    qtbot.waitUntil(lambda: len(counts) == 400, timeout=30_000)
    qtbot.wait(50)
    assert set(counts.values()) == {1}


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)
