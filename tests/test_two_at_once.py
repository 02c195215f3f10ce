"""Two at once on one data folder: two windows, or the window and a command, each its own
process. A busy database is waited for and retried, then reported in one line; no write
is lost or saved twice; and recovery never touches a recording another process is still
making."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app import store as store_module
from app.cli import main
from app.recovery import recover_all
from app.store import Store
from audio.audio_file import write_wav_16k
from audio.recovery import is_live, marker_path
from tests.audio_helpers import REPO_ROOT, tone, wait_until
from tests.coach_helpers import sample_feedback

WRITES = 25


def run_python(code: str, *args: str) -> subprocess.Popen[str]:
    """``code`` in a process of its own, on this test's data folder."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], cwd=REPO_ROOT,
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen[str], timeout: float = 120) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


WRITER = """
    import sys, time
    from app.store import Store
    from models.coach.overrides import mark_key_point
    from tests.coach_helpers import sample_feedback

    name, shared, point = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    start, writes = float(sys.argv[4]), int(sys.argv[5])
    store = Store()
    time.sleep(max(0.0, start - time.time()))  # both begin at the same moment
    session = store.create_session("ops", name)
    for n in range(writes):
        attempt = store.start_attempt(session, "ops", f"q{n}", "Why?", None)
        store.finish_attempt(attempt, 10.0, None, sample_feedback())
        # Each process marks its own key point on the one shared answer, over and over:
        # read, change and write in one transaction, so neither undoes the other's.
        store.change_feedback(shared, lambda stored: mark_key_point(stored, point))
    print(session)
"""


def test_two_processes_writing_at_once_lose_nothing() -> None:
    store = Store()
    session = store.create_session("ops", "Shared")
    shared = store.start_attempt(session, "ops", "outage", "Tell me about an outage.", None)
    feedback = sample_feedback()
    assert len(feedback.key_points) >= 2
    store.finish_attempt(shared, 30.0, None, feedback)

    start = time.time() + 2.0
    writers = [run_python(WRITER, name, str(shared), str(point), str(start), str(WRITES))
               for point, name in enumerate(("Window", "Command"))]
    sessions = [int(finished(p)) for p in writers]

    for own in sessions:
        assert len(store.list_briefs(session_id=own)) == WRITES
    saved = store.get_attempt(shared).feedback
    assert saved is not None
    assert [p.candidate_says for p in saved.key_points[:2]] == ["covered", "covered"]
    assert len(store.list_sessions()) == 3


FIRST_START = """
    import sys, time
    from app.store import Store, SCHEMA_VERSION
    time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
    store = Store()  # made and migrated by whichever gets there first
    store.create_session("ops", "First start")
    print(store.schema_version == SCHEMA_VERSION)
"""


def test_four_processes_opening_a_new_database_at_once_all_start() -> None:
    start = time.time() + 2.0
    starts = [run_python(FIRST_START, str(start)) for _ in range(4)]
    assert [finished(p).strip() for p in starts] == ["True"] * 4
    assert len(Store().list_sessions()) == 4


HOLDER = """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")  # another window in the middle of a long save
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("COMMIT")
"""


def hold_the_database(seconds: float) -> subprocess.Popen[str]:
    holder = run_python(HOLDER, str(Store().path), str(seconds))
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def test_a_write_waits_for_another_process_and_is_kept() -> None:
    store = Store()
    session = store.create_session("ops", "Ops interview")
    holder = hold_the_database(1.5)
    started = time.monotonic()
    store.rename_session(session, "Waited its turn")
    assert time.monotonic() - started >= 1.0
    finished(holder)
    assert store.get_session(session).name == "Waited its turn"


def test_a_database_busy_past_the_timeout_is_one_line_and_nothing_changes(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 1.0)
    session = Store().create_session("ops", "Ops interview")
    holder = hold_the_database(4.0)
    try:
        assert main(["sessions", "rename", str(session), "Too soon"]) == 1
    finally:
        finished(holder)
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "stayed busy for 1 s" in err and "close other Greenroom windows and retry" in err
    assert "damaged" not in err
    assert Store().get_session(session).name is None
    assert main(["sessions", "rename", str(session), "Later"]) == 0


RECORDING = """
    import sys
    from pathlib import Path
    from app.store import Store
    from audio.recorder import Recorder
    from audio.sources import WavFileSource

    store = Store()
    session = store.create_session("ops", "Other window")
    wav = store.recordings_dir() / f"session-{session}" / "answer.wav"
    attempt = store.start_attempt(session, "ops", "outage", "Tell me about an outage.", wav)
    recorder = Recorder(wav, source=WavFileSource(Path(sys.argv[1]), realtime=True))
    recorder.start()
    print(attempt, wav, flush=True)
    sys.stdin.readline()  # recording until told to stop
    result = recorder.stop()
    store.finish_attempt(attempt, result.duration_s, None, None)
    print(result.duration_s, flush=True)
"""


def test_recovery_leaves_a_recording_another_process_is_making_alone(tmp_path: Path) -> None:
    speech = write_wav_16k(tmp_path / "answer.wav", tone(220.0, 20.0, amplitude=0.2))
    other = run_python(RECORDING, str(speech))
    assert other.stdout is not None and other.stdin is not None
    attempt_text, wav_text = other.stdout.readline().split()
    wav = Path(wav_text)
    assert wait_until(lambda: wav.stat().st_size > 32_000, 10)  # a second in

    assert is_live(wav)
    assert recover_all() == []  # the command `greenroom sessions recover` runs
    assert marker_path(wav).exists()
    attempt = Store().get_attempt(int(attempt_text))
    assert attempt.status == "recording"
    growing = wav.stat().st_size
    assert wait_until(lambda: wav.stat().st_size > growing, 5)  # still being written

    other.stdin.write("\n")  # the other window stops the answer and saves it
    duration = float(finished(other).split()[-1])
    attempt = Store().get_attempt(int(attempt_text))
    assert attempt.status == "complete" and attempt.duration_s == pytest.approx(duration)
    assert not marker_path(wav).exists() and not is_live(wav)
