"""Garbage is collected on the GUI thread only: automatic collection is off while the
window lives and while a background job runs, a timer on the GUI thread collects what is
due generation by generation, and automatic collection comes back as it was afterwards."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QSettings

from app.ui import gui_collector
from app.ui.gui_collector import GuiCollector, due_generation
from app.ui.main_window import MainWindow
from app.ui.settings_store import SettingsStore
from app.ui.workers import run_in_background


@pytest.fixture
def collection_on(qtbot: Any) -> Any:
    """Starts and ends with automatic collection on and nothing holding it off."""
    qtbot.waitUntil(lambda: not gui_collector.holding(), timeout=30_000)
    assert gc.isenabled()
    yield
    qtbot.waitUntil(lambda: not gui_collector.holding(), timeout=30_000)
    assert gc.isenabled()


class _Cycle:
    """An object in a reference cycle with a Qt object, noting the thread it is
    finalised on (as a dropped dialog captured by its own slot would be)."""

    def __init__(self, finalised_on: list[int]) -> None:
        self.me = self
        self.qobject = QObject()
        self.finalised_on = finalised_on

    def __del__(self) -> None:
        self.finalised_on.append(threading.get_ident())


def _churn(cycles: int) -> int:
    """Allocate ``cycles`` small reference cycles (each would, with automatic collection
    on, set off collections in the allocating thread)."""
    made = 0
    for _ in range(cycles):
        pair: list[Any] = []
        pair.append(pair)
        made += 1
    return made


@pytest.mark.parametrize(("counts", "thresholds", "due"), [
    ((0, 0, 0), (700, 10, 10), None),
    ((700, 10, 10), (700, 10, 10), None),  # a count must pass its threshold, as in CPython
    ((701, 0, 0), (700, 10, 10), 0),
    ((701, 11, 0), (700, 10, 10), 1),
    ((5, 11, 0), (700, 10, 10), 1),  # a due older generation is collected whatever gen 0 holds
    ((701, 11, 11), (700, 10, 10), 2),
    ((0, 0, 11), (700, 10, 10), 2),
    ((10_000, 50, 50), (0, 10, 10), None),  # a first threshold of 0 turns collection off
])
def test_the_generation_due_is_the_oldest_past_its_threshold(
        counts: tuple[int, int, int], thresholds: tuple[int, int, int], due: int | None) -> None:
    assert due_generation(counts, thresholds) == due


def test_automatic_collection_is_off_while_the_window_lives_and_back_after(
        qtbot: Any, tmp_path: Path, collection_on: None) -> None:
    settings = SettingsStore(QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert not gc.isenabled()
    assert gui_collector.collector() is not None
    assert gui_collector.collector().timer.isActive()
    window.show()
    qtbot.waitUntil(lambda: not window.pick_screen.loading, timeout=30_000)
    assert not gc.isenabled()  # still off once the window's start-up jobs are done
    window.close()
    # Back as it was once the window and its last background job have let go.
    qtbot.waitUntil(lambda: not gui_collector.holding(), timeout=30_000)
    assert gc.isenabled()


def test_a_background_job_never_collects_on_its_worker(qtbot: Any, collection_on: None) -> None:
    gui = threading.get_ident()
    finalised_on: list[int] = []
    seen_enabled: list[bool] = []

    def work() -> int:
        seen_enabled.append(gc.isenabled())
        # Enough allocation to set off many collections in this thread, were it allowed.
        return _churn(200 * gc.get_threshold()[0])

    done: list[int] = []
    _Cycle(finalised_on)  # unreachable at once; only the collector can free it
    run_in_background(work, done.append)
    qtbot.waitUntil(lambda: bool(done) and bool(finalised_on), timeout=30_000)
    assert finalised_on == [gui]  # the cycle (and its Qt object) went on the GUI thread
    assert seen_enabled == [False]


def test_the_timer_collects_due_generations_on_the_gui_thread(
        qtbot: Any, collection_on: None) -> None:
    gui = threading.get_ident()
    release = gui_collector.hold()
    try:
        collector = gui_collector.collector()
        assert collector is not None
        collected: list[tuple[int, int]] = []

        def note(generation: int, freed: int) -> None:
            collected.append((generation, freed))

        collector.collected.connect(note)
        finalised_on: list[int] = []
        _Cycle(finalised_on)
        threading.Thread(target=_churn, args=(10 * gc.get_threshold()[0],)).start()
        qtbot.waitUntil(lambda: bool(finalised_on), timeout=10_000)
        assert finalised_on == [gui]
        # Collected by the timer's checks, each one generation, freeing the churned cycles.
        assert collected and all(generation in (0, 1, 2) for generation, _ in collected)
        assert sum(freed for _, freed in collected) > 0
        collector.collected.disconnect(note)
    finally:
        release()


def test_each_check_collects_one_generation_as_its_count_comes_due(
        qapp: Any, collection_on: None) -> None:
    release = gui_collector.hold()
    try:
        checker = GuiCollector()  # its timer is left stopped: the checks are made here
        gc.collect()
        assert checker.check() is None  # nothing due right after a full collection
        threshold0, threshold1, threshold2 = gc.get_threshold()
        keep = [[] for _ in range(threshold0 + 1)]  # past generation 0's threshold
        assert checker.check() == 0
        assert gc.get_count()[0] < threshold0
        for _ in range(threshold1 + 1):
            gc.collect(0)  # each young collection counts towards generation 1
        assert checker.check() == 1
        assert gc.get_count()[1] == 0
        for _ in range(threshold2 + 1):
            gc.collect(1)
        assert checker.check() == 2
        assert gc.get_count()[2] == 0
        del keep
    finally:
        release()


def test_a_full_collection_waits_until_the_oldest_generation_has_grown_by_a_quarter(
        qapp: Any, collection_on: None) -> None:
    release = gui_collector.hold()
    try:
        checker = GuiCollector()
        _, threshold1, threshold2 = gc.get_threshold()

        def oldest_due() -> None:
            gc.collect()
            for _ in range(threshold2 + 1):
                gc.collect(1)
            for _ in range(threshold1 + 1):
                gc.collect(0)

        oldest_due()
        assert checker.check() == 2  # the first is always made: nothing is known yet
        assert checker.long_lived and checker.moved_up == 0
        oldest_due()
        assert checker.check() == 1  # too little has moved up: the middle one instead
        # A quarter of the oldest generation again, made young and kept: a middle
        # collection moves it up, and then a full one pays.
        kept = [[] for _ in range(checker.long_lived // 4 + 1_000)]
        for _ in range(threshold1 + 1):
            gc.collect(0)
        assert checker.check() == 1
        assert checker.moved_up > checker.long_lived // 4
        oldest_due()
        assert checker.check() == 2
        assert checker.moved_up == 0
        del kept
    finally:
        release()


def test_holds_are_counted_and_each_release_counts_once(qapp: Any, collection_on: None) -> None:
    first = gui_collector.hold()
    second = gui_collector.hold()
    first()
    first()  # a second call of the same release lets nothing else go
    assert not gc.isenabled() and gui_collector.holding()
    second()
    assert gc.isenabled() and not gui_collector.holding()
    assert not gui_collector._collector.timer.isActive()  # noqa: SLF001 - stopped with the last hold


def test_a_hold_ends_with_its_owner(qtbot: Any, collection_on: None) -> None:
    owner = QObject()
    gui_collector.hold(owner)
    assert not gc.isenabled()
    owner.deleteLater()
    qtbot.waitUntil(lambda: not gui_collector.holding(), timeout=10_000)
    assert gc.isenabled()


def test_automatic_collection_left_off_stays_off(qapp: Any, collection_on: None) -> None:
    gc.disable()
    try:
        gui_collector.hold()()
        assert not gc.isenabled()  # as it was before the hold
    finally:
        gc.enable()


def test_a_hold_is_refused_off_the_gui_thread(qapp: Any) -> None:
    failures: list[str] = []

    def hold_here() -> None:
        try:
            gui_collector.hold()
        except RuntimeError as exc:
            failures.append(str(exc))

    worker = threading.Thread(target=hold_here)
    worker.start()
    worker.join()
    assert failures == ["garbage collection can only be moved to the GUI thread from it"]
