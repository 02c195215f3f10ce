"""A year of practice: History and progress over 2,000 saved attempts.

100 sessions of 20 answers, each saved through the store with real coach output and
transcript for an answer of about two minutes (about 95 MB of database). A fresh process
then opens History the way the window does (read on a worker, then fill the tree) and
reports the time and the memory that adds; likewise for the progress figures when the
app has them. A fresh process, so nothing the build left in memory is counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SESSIONS = 100
ANSWERS = 20
TARGET_S = 0.5
TARGET_MB = 50.0


def build_database(path: Path, sessions: int = SESSIONS, answers: int = ANSWERS) -> Path:
    """Save ``sessions × answers`` coached attempts through the store's public API."""
    from app.store import Store
    from benchmarks.coach_bench import QUESTION, six_minute_transcript
    from models.coach import coach_answer
    from models.transcript import Transcript

    variants = []
    for seed in range(8):
        full = six_minute_transcript(seed=seed + 1)
        count = 200 + 20 * seed  # answers of 1.5 to 2.5 minutes
        words = full.words[:count]
        transcript = Transcript(words=words, language="en", model="benchmark",
                                duration_s=words[-1].end_s + 1.0)
        variants.append((transcript, coach_answer(QUESTION, transcript, None)))
    store = Store(path, recordings_dir=path.parent)
    for s in range(sessions):
        session = store.create_session(f"script-{s % 5}", f"Interview {s % 5}")
        for a in range(answers):
            transcript, feedback = variants[(s + a) % len(variants)]
            question_id = f"q{a + 1}"
            attempt = store.start_attempt(session, f"script-{s % 5}", question_id,
                                          f"Question {a + 1}: tell me about a time you led a "
                                          "risky change and what you learned from it.",
                                          path.parent / f"{s}-{a}.wav")
            store.finish_attempt(attempt, transcript.duration_s, transcript,
                                 feedback.model_copy(update={"question_id": question_id}),
                                 {"transcriber": "benchmark"}, stage="reviewed")
        store.end_session(session)
    return path


def _time_summary_migration(db: Path) -> float:
    """Seconds the migrations take on this database, as if saved by schema 1 (the summary
    migration is nearly all of it)."""
    import sqlite3

    from app.store import Store

    conn = sqlite3.connect(db)
    conn.execute("UPDATE attempts SET summary_json = NULL")
    conn.execute("DROP INDEX IF EXISTS attempts_by_question")
    conn.execute("ALTER TABLE attempts DROP COLUMN summary_json")
    # Later schemas' columns go too, so every migration since schema 1 runs.
    for table, column in (("sessions", "name"), ("sessions", "deleted_at"), ("attempts", "deleted_at")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    started = time.perf_counter()
    Store(db)
    return time.perf_counter() - started


def _rss_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    # Linux: writing 5 resets VmHWM to the current RSS, so the next peak is this step's.
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def _measure(step: Any) -> dict[str, float]:
    import gc

    gc.collect()
    _reset_peak()
    before = _rss_mb("VmRSS")
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    added = max(_rss_mb("VmHWM"), _rss_mb("VmRSS")) - before
    del result
    return {"seconds": round(seconds, 3), "added_mb": round(added, 1)}


def measure(db: Path) -> dict[str, Any]:
    """Runs in the fresh process: open History, then progress, as the window does."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.store import Store
    from app.ui import history_view

    app = QApplication.instance() or QApplication([])
    view = history_view.HistoryView(store_factory=lambda: Store(db))
    view.resize(1280, 720)
    figures: dict[str, Any] = {}

    rows: list[Any] = []

    def read_history() -> Any:
        rows.append(history_view.load_history(Store(db)))  # the worker's part
        return None

    def fill_history() -> Any:
        view._show(rows[0])  # the GUI thread's part
        app.processEvents()
        return None

    read = _measure(read_history)
    fill = _measure(fill_history)
    figures["history_read"] = read
    figures["history_fill"] = fill
    figures["history"] = {"seconds": round(read["seconds"] + fill["seconds"], 3),
                          "added_mb": round(read["added_mb"] + fill["added_mb"], 1)}
    figures["attempts"] = len(view.attempt_items())

    # The Progress tab the same way: its worker's read, then the GUI thread drawing it.
    from app.ui import progress_view

    tab = progress_view.ProgressView(store_factory=lambda: Store(db))
    tab.resize(1280, 720)
    data: list[Any] = []

    def read_progress() -> Any:
        data.append(progress_view.load_progress_data(Store(db)))
        return None

    def fill_progress() -> Any:
        tab._show(data[0])
        app.processEvents()
        return None

    read = _measure(read_progress)
    fill = _measure(fill_progress)
    figures["progress_read"] = read
    figures["progress_fill"] = fill
    figures["progress"] = {"seconds": round(read["seconds"] + fill["seconds"], 3),
                           "added_mb": round(read["added_mb"] + fill["added_mb"], 1)}
    return figures


def run(quick: bool = False) -> dict[str, Any]:
    sessions = 10 if quick else SESSIONS
    with tempfile.TemporaryDirectory(prefix="history-bench-") as folder:
        db = Path(folder) / "sessions.sqlite3"
        started = time.perf_counter()
        build_database(db, sessions=sessions)
        size_mb = sum(p.stat().st_size for p in Path(folder).glob("sessions.sqlite3*")) / 1e6
        print(f"saved {sessions * ANSWERS} attempts in {time.perf_counter() - started:.0f} s; "
              f"database {size_mb:.0f} MB")
        migrate_s = _time_summary_migration(db)
        child = subprocess.run([sys.executable, "-m", "benchmarks.history_bench", "--measure",
                                str(db)], capture_output=True, text=True, check=False)
        if child.returncode != 0:
            print(child.stderr)
            raise RuntimeError("the measuring process failed")
        figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures["database_mb"] = round(size_mb, 1)
    figures["migration_s"] = round(migrate_s, 2)
    print(f"adding summaries to {sessions * ANSWERS} attempts saved before they existed "
          f"(the one-time migration): {migrate_s:.1f} s")
    for name in ("history_read", "history_fill", "history", "progress_read", "progress_fill",
                 "progress"):
        if name in figures:
            f = figures[name]
            met = f["seconds"] < TARGET_S and f["added_mb"] < TARGET_MB
            print(f"open {name} over {figures['attempts']} attempts: {f['seconds']:.2f} s, "
                  f"+{f['added_mb']:.0f} MB (target < {TARGET_S} s and < {TARGET_MB:.0f} MB: "
                  f"{'met' if met else 'MISSED'})")
    return figures


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
    else:
        run(quick="--quick" in sys.argv)
