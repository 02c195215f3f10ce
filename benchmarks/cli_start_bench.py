"""Start-up: how long a fresh process takes to answer, beside plain Python.

Each command runs as the candidate runs it, a new process each time, timed from before the
process is made to after it exits (wall time): ``--version``, ``--help``, and over a year
of practice (2,000 saved attempts, seeded as ``history_bench`` does) ``sessions list
--json`` and ``progress --json``. ``python -c pass`` runs in the same rounds as the
baseline; the rounds interleave the commands so a busy moment is shared out. The median
of the rounds is reported.

The window: a fresh process opens it offscreen as ``greenroom`` does (``app.ui.launch``)
over the same data, and reports the seconds from before the process was made to the
window's first paint, and to the interviews being listed (the pick screen reads them on a
worker). The first start, which opens the first-run check, is reported on its own; the
starts after it are the figure.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = 7
WINDOW_RUNS = 5
TARGET_FLAGS_S = 0.15  # --version, --help
TARGET_LISTINGS_S = 0.5  # sessions list --json, progress --json over 2,000 attempts
TARGET_WINDOW_S = 1.0  # first paint, after the first run
WINDOW_WAIT_S = 20.0  # give up on a window that never paints or lists

COMMANDS: dict[str, list[str]] = {
    "python -c pass (baseline)": ["-c", "pass"],
    "greenroom --version": ["-m", "app", "--version"],
    "greenroom --help": ["-m", "app", "--help"],
    "greenroom sessions list --json": ["-m", "app", "sessions", "list", "--json"],
    "greenroom progress --json": ["-m", "app", "progress", "--json"],
}
TARGETS = {"greenroom --version": TARGET_FLAGS_S, "greenroom --help": TARGET_FLAGS_S,
           "greenroom sessions list --json": TARGET_LISTINGS_S,
           "greenroom progress --json": TARGET_LISTINGS_S}

# The window's process: `app.ui.launch.main` as `greenroom` runs it, with a filter on the
# window (installed as it is shown) noting the first paint, and the pick screen's signal
# noting when the interviews are listed; then it quits.
WINDOW_CHILD = """
import json, os, sys, time
spawned = float(sys.argv[1])
marks = {}
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
import app.ui.main_window as main_window
from app.ui import launch

def note(name):
    marks.setdefault(name, round(time.time() - spawned, 3))
    if "painted" in marks and "listed" in marks:
        QTimer.singleShot(0, QApplication.instance().quit)

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            note("painted")
        return False

watch = FirstPaint()
show = main_window.MainWindow.show

def shown(window):
    note("shown")
    window.installEventFilter(watch)
    picker = window.pick_screen
    listed = getattr(picker, "scriptsLoaded", None)
    if listed is None:
        marks["listed"] = None  # no signal to wait for: the paint is the figure
    else:
        listed.connect(lambda: note("listed"))
    QTimer.singleShot(int(float(sys.argv[2]) * 1000), QApplication.instance().quit)
    show(window)

main_window.MainWindow.show = shown
launch.main(["greenroom"])
print(json.dumps(marks))
"""


def seeded_home(folder: Path, sessions: int) -> Path:
    """A data folder whose database holds ``sessions`` × 20 coached attempts."""
    from benchmarks.history_bench import build_database

    home = folder / "home"
    home.mkdir()
    build_database(home / "greenroom.sqlite3", sessions=sessions)
    return home


def wall_s(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *argv], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def time_commands(env: dict[str, str], runs: int) -> dict[str, float]:
    """Median wall seconds of each command over ``runs`` interleaved rounds (after one
    round that is not counted, which fills the OS's file cache as any later start finds
    it)."""
    for argv in COMMANDS.values():
        wall_s(argv, env)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, argv in COMMANDS.items():
            times[name].append(wall_s(argv, env))
    return {name: statistics.median(values) for name, values in times.items()}


def window_start(env: dict[str, str]) -> dict[str, Any]:
    """One start of the window: seconds from spawning to shown, painted and listed."""
    spawned = time.time()
    child = subprocess.run([sys.executable, "-c", WINDOW_CHILD, str(spawned), str(WINDOW_WAIT_S)],
                           env=env, capture_output=True, text=True, check=False,
                           timeout=WINDOW_WAIT_S + 60)
    lines = child.stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        raise RuntimeError(f"the window's process failed: {child.stderr[-2000:]}")
    marks: dict[str, Any] = json.loads(lines[-1])
    return marks


def run(quick: bool = False) -> dict[str, Any]:
    from benchmarks.speech_bench import machine

    runs = 3 if quick else RUNS
    sessions = 10 if quick else 100
    figures: dict[str, Any] = {"machine": machine(), "attempts": sessions * 20}
    with tempfile.TemporaryDirectory(prefix="cli-start-bench-") as name:
        folder = Path(name)
        home = seeded_home(folder, sessions)
        env = {**os.environ, "GREENROOM_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
               "XDG_CONFIG_HOME": str(folder / "config")}  # the window's settings, fresh
        print(f"{figures['machine']}; load average {os.getloadavg()[0]:.1f}; "
              f"{figures['attempts']} saved attempts")
        medians = time_commands(env, runs)
        figures["commands"] = {k: round(v, 3) for k, v in medians.items()}
        baseline = medians["python -c pass (baseline)"]
        for command, seconds in medians.items():
            target = TARGETS.get(command)
            verdict = ("" if target is None else
                       f" (target ≤ {target} s: {'met' if seconds <= target else 'MISSED'})")
            extra = "" if target is None else f", {seconds - baseline:+.3f} s over Python"
            print(f"{command}: median {seconds:.3f} s of {runs}{extra}{verdict}")

        first = window_start(env)
        starts = [window_start(env) for _ in range(3 if quick else WINDOW_RUNS)]
    figures["window_first_run"] = first
    figures["window"] = {mark: statistics.median(s[mark] for s in starts)
                         for mark in ("shown", "painted") if all(s.get(mark) for s in starts)}
    if all(s.get("listed") for s in starts):
        figures["window"]["listed"] = statistics.median(s["listed"] for s in starts)
    print(f"window, first run (with the first-run check): {first}")
    window = figures["window"]
    painted = window.get("painted")
    if painted is None:
        print("window: no paint was seen")
    else:
        met = "met" if painted <= TARGET_WINDOW_S else "MISSED"
        print(f"window after the first run, median of {len(starts)}: shown {window['shown']:.2f} s,"
              f" first paint {painted:.2f} s (target ≤ {TARGET_WINDOW_S} s: {met})"
              + (f", interviews listed {window['listed']:.2f} s" if "listed" in window else ""))
    figures["load_average"] = round(os.getloadavg()[0], 1)
    return figures


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv)))
