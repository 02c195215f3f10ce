"""kill -9 at eight moments of an answer's life (the question read aloud, recording, Stop
and the instant save, the refine, the LLM review, the export), each followed by the next
start: the database passes its integrity check, every interrupted stage is finished, and
no answer is lost or saved twice. `make kill-sweep` runs the same sweep at 40 moments with
Whisper (benchmarks/kill_sweep.py); here the speech model is the scripted ear."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.kill_sweep import PHASES, sweep
from models.llm_coach import LLMCoach
from tests.ollama_loopback import OllamaLoopback
from tests.scripted_flow import ScriptedEar
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures

pytest_plugins = ("tests.ollama_loopback", "tests.scripted_flow")

MOMENTS = 8
# Shorter than the benchmark's answer: the in-suite sweep is about the moments, not length.
ANSWER = "The deploys failed twice a week. I fixed the three biggest causes."


@pytest.mark.slow
def test_a_kill_at_any_moment_loses_nothing_and_saves_nothing_twice(
        tmp_path: Path, virtual_mic: str, spoken_wav: Callable[..., Path],
        scripted_ear: ScriptedEar, ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.piece_delay_s = 0.05  # the review takes a moment, as a real one does
    answer = spoken_wav(ANSWER, rate_wpm=160)
    result = sweep(MOMENTS, answer, ollama_loopback.host, workdir=tmp_path, speak=True,
                   setup="tests.kill_sweep_ear", review=LLMCoach(host=ollama_loopback.host))
    report = result.report()
    assert len(result.moments) == MOMENTS, report
    # The kills spread over the life: the question, the recording and the saves after it
    # (a phase of a few milliseconds can be overshot into the next one).
    landed = {m.landed for m in result.moments}
    assert len(landed) >= 4 and {PHASES[0][0], PHASES[1][0]} <= landed, report
    assert landed & {phase for phase, _, _ in PHASES[2:]}, report
    assert (result.lost, result.duplicated, result.integrity_failures, result.bad_exports) == (
        0, 0, 0, 0), report
    # Kills after the first sound left answers, and the next start finished them (a kill
    # the instant recording began may find nothing said yet, and nothing to keep).
    assert any(not m.nothing_yet for m in result.moments), report
    assert sum(m.finished for m in result.moments) >= 1, report


def test_an_answer_killed_before_its_recording_began_is_dropped_once_it_is_stale() -> None:
    """A kill between an answer's row and its recording's first byte leaves a row with no
    recording: nothing was said. The next start drops it, unless it is young enough to be
    another window still opening its microphone."""
    import sqlite3

    from app.recovery import NEVER_BEGAN_AFTER_S, finish_unfinished
    from app.store import Store

    store = Store()
    session = store.create_session("ops", "Ops interview")
    folder = store.recordings_dir() / f"session-{session}"
    stale = store.start_attempt(session, "ops", "q1", "Why?", folder / "stale.wav")
    young = store.start_attempt(session, "ops", "q2", "How?", folder / "young.wav")
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE attempts SET started_at = '2020-01-01T00:00:00.000+00:00'"
                     " WHERE id = ?", (stale,))
    assert NEVER_BEGAN_AFTER_S < 600
    outcome = finish_unfinished(store)
    assert [a.id for a in store.list_briefs()] == [young]
    assert [a.attempt_id for a in outcome.attempts] == [young]  # said, not dropped
