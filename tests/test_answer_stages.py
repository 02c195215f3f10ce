"""An answer's stages (recorded → live_coached → refined → reviewed) are saved with it, and
an answer a crash left between two stages is finished by the next start.

The kill test runs the real practice flow (the recorder, both speech passes, the coach, the
store, the review on the loopback Ollama) in a child process that kills itself with
SIGKILL at one moment of the answer's life, then finishes the answer as the next start
does, and checks it came out whole, once, with every stage done.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.store import ATTEMPT_STAGES, Store
from benchmarks.word_error_rate import word_error_rate
from models.answer_pipeline import Stage
from tests.ollama_loopback import OllamaLoopback
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures
from tests.speech_fixtures import STAR_SENTENCES

pytest_plugins = ("tests.ollama_loopback",)

SCRIPT = """\
title: Stages
role: Engineer
questions:
  - id: incident
    text: Tell me about a time you fixed a problem under pressure.
    time_guide: 1-2 minutes
    framework: STAR
    key_points:
      - text: Found the cause in the error logs
        cues: [error logs, slow query, cause]
      - text: Fixed it without stopping the sale
        cues: [index, sale went ahead, without stopping]
"""

# The child: one answer through the practice flow, killed at KILL_AT. It prints each stage
# it saw, so the parent knows the kill came where it was meant to.
CHILD = r"""
import os, signal, sys, threading
from pathlib import Path
from app.practice import PracticeListener, PracticeSession, PracticeSettings
from app.store import Store
from audio.sources import WavFileSource
from interview_scripts.catalogue import find_script
from app import paths

wav, kill_at, host = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
done = threading.Event()

def die(where):
    print(f"killed at {where}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

class Killer(PracticeListener):
    def recording_tick(self, elapsed_s, level, band):
        if kill_at == "recording" and elapsed_s >= 2.0:
            die("recording")
    def recording_stopped(self, duration_s, reason):
        if kill_at == "recorded":
            die("recorded")
    def feedback_ready(self, attempt_id, feedback):
        if kill_at == "live_coached":
            die("live_coached")
    def transcript_refined(self, attempt_id, feedback):
        if kill_at == "refined":
            die("refined")
    def llm_done(self, attempt_id, feedback):
        done.set()
    def error(self, message):
        print("error:", message, flush=True)

script = find_script("stages", paths.script_folders())
settings = PracticeSettings(speak_questions=False, llm_enabled=True, ollama_host=host,
                            follow_ups=False)
session = PracticeSession(script, list(script.questions), settings, Killer(),
                          source_factory=lambda q: WavFileSource(wav, realtime=kill_at == "recording"))
session.begin()
done.wait(240)
print("not killed", flush=True)
"""

# Where the child is killed, and the stage its answer is left at.
KILLS = [("recording", "recorded"), ("recorded", "recorded"),
         ("live_coached", "live_coached"), ("refined", "refined")]


def test_the_store_keeps_the_pipelines_stages() -> None:
    assert tuple(stage.value for stage in Stage) == ATTEMPT_STAGES
    assert [stage.rank for stage in Stage] == [0, 1, 2, 3]
    assert Stage.REVIEWED.finished and not Stage.REFINED.finished


def test_a_stage_only_moves_forward_and_unfinished_answers_are_listed(tmp_path: Path) -> None:
    store = Store(tmp_path / "stages.sqlite3")
    session = store.create_session("s", "S")
    first = store.start_attempt(session, "s", "q", "Q?", None)
    second = store.start_attempt(session, "s", "q", "Q?", None)
    assert [a.stage for a in store.unfinished_attempts()] == ["recorded", "recorded"]
    store.finish_attempt(first, 3.0, None, None, {}, stage="live_coached")
    assert store.advance_stage(first, "refined")
    assert not store.advance_stage(first, "live_coached")  # never back
    assert store.get_attempt(first).stage == "refined"
    assert store.advance_stage(second, "reviewed")
    assert [(a.id, a.stage) for a in store.unfinished_attempts()] == [(first, "refined")]
    store.hide_attempt(first)
    assert store.unfinished_attempts() == []  # a deleted answer is purged, not finished
    with pytest.raises(Exception, match="stage 'done' is unknown"):
        store.advance_stage(second, "done")


def test_answers_saved_before_stages_read_as_finished_when_coached() -> None:
    import tempfile

    from tests.test_store import FIXTURE_V1

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "old.sqlite3"
        shutil.copy(FIXTURE_V1, db)
        store = Store(db)
        rows = store.list_attempts()
        assert rows
        for row in rows:
            assert row.stage == ("reviewed" if row.feedback is not None else "recorded")


@pytest.fixture(scope="module")
def answer_wav(spoken_answer) -> Path:
    return spoken_answer(STAR_SENTENCES[:3], pause_s=0.8)


def run_until_killed(home: Path, wav: Path, kill_at: str, host: str) -> str:
    env = {**os.environ, "GREENROOM_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("OLLAMA_HOST", None)
    child = subprocess.run([sys.executable, "-c", CHILD, str(wav), kill_at, host], env=env,
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, (child.stdout, child.stderr[-3000:])
    assert f"killed at {kill_at}" in child.stdout, child.stdout
    return child.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("kill_at", "left_at"), KILLS)
def test_an_answer_killed_between_stages_is_finished_by_the_next_start(
        kill_at: str, left_at: str, answer_wav: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, ollama_loopback: OllamaLoopback) -> None:
    from app.cli import main
    from app.recovery import finish_unfinished
    from models.llm_coach import LLMCoach

    home = tmp_path / "home"
    (home / "scripts").mkdir(parents=True)
    (home / "scripts" / "stages.yaml").write_text(SCRIPT, encoding="utf-8")
    run_until_killed(home, answer_wav, kill_at, ollama_loopback.host)

    monkeypatch.setenv("GREENROOM_HOME", str(home))
    store = Store()
    (left,) = store.list_attempts()
    assert left.stage == left_at
    assert left.audio_path is not None and left.audio_path.is_file()

    # The next start: the app's (finish_unfinished) or `greenroom sessions recover`.
    if kill_at == "refined":
        monkeypatch.setenv("OLLAMA_HOST", ollama_loopback.host)
        assert main(["sessions", "recover"]) == 0
    else:
        finished = finish_unfinished(store, review=LLMCoach(host=ollama_loopback.host))
        assert finished.problems == []
    (row,) = store.list_attempts()  # finished in place: never saved twice
    assert row.id == left.id and row.stage == "reviewed"
    assert store.unfinished_attempts() == []
    assert row.feedback is not None and row.transcript is not None
    # The saved transcript is the accurate pass's, as the answer would have had.
    made = row.transcript["decoding"]
    assert made["beam_size"] == 5 and made["hesitations_merged"], made
    said = row.transcript["text"]
    if kill_at == "recording":
        # Killed two seconds in: what was recorded by then, repaired and coached.
        assert said.lower().startswith("in my last job"), said
        assert row.status == "recovered"
    else:
        assert word_error_rate(" ".join(STAR_SENTENCES[:3]), said) <= 0.3, said
    assert row.feedback.llm is not None and row.feedback.llm_status is not None
    assert row.feedback.llm_status.ok
    # A second start finds nothing left to do.
    again = finish_unfinished(store, review=LLMCoach(host=ollama_loopback.host))
    assert again.attempts == [] and store.get_attempt(row.id).feedback == row.feedback
