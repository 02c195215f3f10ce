"""A closed lid mid-answer: the audio stream stalls and the clocks jump. The recording stays
a valid WAV, the sleep is neither recorded nor counted as speech (the candidate is told the
answer was paused), and the answer is saved and coached.

Three ways in: the recorder with a source that stalls (and one that then hands over in one
burst what it kept, as PulseAudio does); the microphone's check that a silent stream is
gone, which must not mistake a sleep for an unplugged microphone; and `greenroom practice`
recording the virtual microphone while the test stops its process with SIGSTOP for 30 s."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.practice import Phase, PracticeListener, PracticeSession, PracticeSettings
from app.store import Store
from audio import sources
from audio.audio_file import read_audio_16k
from audio.recorder import Recorder
from audio.recovery import find_unfinished, read_layout
from audio.sources import MicrophoneSource
from interview_scripts.loader import parse_script
from models.coach.feedback_model import Feedback
from tests.audio_helpers import MIC_DEVICE, REPO_ROOT, finish_playing, play_into_mic, tone
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures
from tests.stalling_source import StallingSource

# The figure: a lid closed for half a minute. The in-process tests stall less.
LID_CLOSED_S = 30.0
STALL_S = 3.0

SCRIPT = """\
title: Closed lid
role: Platform engineer
questions:
  - id: pipeline
    text: Tell me about a pipeline you fixed.
    time_guide: 1-2 minutes
"""
BEFORE = "I joined the platform team in March. The deploys were failing twice a week."
AFTER = "After that, failed deploys dropped to one a month, and the team trusted the pipeline."


def valid_wav(path: Path) -> float:
    """The recording's duration, after checking its header matches the bytes on disk."""
    layout = read_layout(path)
    assert layout is not None and layout.sample_rate == 16_000
    assert layout.data_offset + layout.data_size == path.stat().st_size
    assert layout.riff_size + 8 == path.stat().st_size
    assert find_unfinished(path.parent) == []
    return layout.data_size / 2 / 16_000


def record(tmp_path: Path, source: StallingSource) -> tuple[Any, float]:
    recorder = Recorder(tmp_path / "answer.wav", source=source)
    started = time.monotonic()
    recorder.start()
    assert source._finished.wait(source.audio.size / 16_000 + source.stall_s + 10)
    time.sleep(0.3)
    result = recorder.stop()
    return result, time.monotonic() - started


@pytest.mark.parametrize("burst", [False, True], ids=["stalls", "stalls-then-bursts"])
def test_a_stall_is_left_out_of_the_recording_and_said_as_a_pause(tmp_path: Path,
                                                                  burst: bool) -> None:
    # Two tones either side of the stall, so what is kept can be told apart.
    audio = np.concatenate([tone(330, 2.0, amplitude=0.3), tone(660, STALL_S + 2.0, amplitude=0.3)])
    source = StallingSource(audio, stall_at_s=2.0, stall_s=STALL_S, burst=burst)
    result, wall_s = record(tmp_path, source)

    assert wall_s >= audio.size / 16_000 + (0 if burst else STALL_S) - 0.2
    (pause,) = result.pauses
    assert pause.length_s == pytest.approx(STALL_S, abs=0.3)
    assert pause.at_s == pytest.approx(2.0, abs=0.35)
    recorded = read_audio_16k(result.path)
    assert valid_wav(result.path) == pytest.approx(result.duration_s, abs=0.01)
    kept_s = audio.size / 16_000 - (STALL_S if burst else 0.0)
    # The burst's stretch is dropped, less a slack that keeps what was said just before.
    assert kept_s <= result.duration_s <= kept_s + 0.45
    # Nothing silent was let in where the stall was: the level never drops out.
    frames = recorded[: recorded.size // 800 * 800].reshape(-1, 800)
    assert np.sqrt(np.mean(frames[1:-1] ** 2, axis=1)).min() > 0.05


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now + 1.7e9


def silent_microphone(monkeypatch: pytest.MonkeyPatch) -> tuple[MicrophoneSource, _Clock]:
    """A microphone whose stream is open and gave one block, on a clock the test moves."""
    clock = _Clock()
    monkeypatch.setattr(sources, "time", clock)
    mic = MicrophoneSource.__new__(MicrophoneSource)
    mic.__dict__.update(device=None, device_name="Laptop microphone", _failure=None,
                        _stream=object(), _stopping=False, _started=True,
                        _last_block=clock.now, _asked=None, _resumed=float("-inf"))
    return mic, clock


def ask_for(mic: MicrophoneSource, clock: _Clock, seconds: float) -> str | None:
    """What the recorder hears asking every tenth of a second for ``seconds``."""
    error = None
    for _ in range(int(round(seconds / 0.1))):
        clock.now += 0.1
        error = error or mic.error
    return error


def test_a_microphone_that_goes_quiet_while_the_process_runs_is_gone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    mic, clock = silent_microphone(monkeypatch)
    assert ask_for(mic, clock, 1.5) is None
    assert "stopped sending sound" in (ask_for(mic, clock, 1.0) or "")


def test_a_sleep_is_not_taken_for_an_unplugged_microphone(monkeypatch: pytest.MonkeyPatch) -> None:
    mic, clock = silent_microphone(monkeypatch)
    assert ask_for(mic, clock, 0.5) is None
    clock.now += LID_CLOSED_S  # nobody asked for half a minute: the process slept
    assert mic.error is None
    # The stream gets the grace of a fresh one to deliver again...
    assert ask_for(mic, clock, sources.RESUME_GRACE_S - 0.3) is None
    # ...and one that never comes back is gone after all.
    assert "stopped sending sound" in (ask_for(mic, clock, 2.5) or "")


class Listener(PracticeListener):
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.notices: list[str] = []
        self.feedback: Feedback | None = None
        self.rested = threading.Event()

    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback = feedback

    def phase_changed(self, phase: Phase) -> None:
        if phase == Phase.FEEDBACK:
            self.rested.set()

    def error(self, message: str) -> None:
        self.errors.append(message)

    def notice(self, message: str) -> None:
        self.notices.append(message)


@pytest.mark.slow
def test_an_answer_with_a_stalled_stream_is_saved_and_coached_without_the_stall(
        spoken_answer: Callable[..., Path]) -> None:
    speech = read_audio_16k(spoken_answer([BEFORE, AFTER], pause_s=0.6))
    stall_at_s = 4.5  # inside the first sentence's last words
    source = StallingSource(speech, stall_at_s=stall_at_s, stall_s=STALL_S)
    script = parse_script(SCRIPT, "lid.yaml")
    listener = Listener()
    store = Store()
    session = PracticeSession(script, script.questions,
                              PracticeSettings(speak_questions=False, llm_enabled=False,
                                               follow_ups=False),
                              listener, store=store, source_factory=lambda _q: source)
    try:
        session.begin()
        assert listener.rested.wait(90), listener.errors
        assert session.wait_idle(60)
    finally:
        session.close()

    assert listener.errors == [] and session.not_kept == []
    (notice,) = listener.notices
    assert f"paused once (0:0{STALL_S:.0f} at 0:0" in notice
    (attempt,) = store.list_attempts()
    assert attempt.status == "complete" and attempt.stop_reason == "end_of_input"
    assert attempt.duration_s == pytest.approx(speech.size / 16_000, abs=0.3)
    assert valid_wav(Path(attempt.audio_path)) == pytest.approx(attempt.duration_s, abs=0.05)
    feedback = attempt.feedback
    assert feedback is not None
    heard = feedback.transcript.text.lower()
    assert "march" in heard and "pipeline" in heard  # both sides of the stall
    # The stall is no part of the speaking time, nor a pause of the answer.
    assert feedback.speaking_s <= speech.size / 16_000
    assert all(p.duration_s < STALL_S for p in feedback.pauses)


@pytest.mark.slow
def test_stopping_the_recording_process_for_half_a_minute_is_a_pause(
        tmp_path: Path, virtual_mic: str, spoken_wav: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    before, after = spoken_wav(BEFORE, 170), spoken_wav(AFTER, 170)
    script = tmp_path / "lid.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "app", "practice", "--script", str(script), "--no-gui",
               "--no-speak", "--no-llm", "--device", MIC_DEVICE, "--silence", "60"]
    child = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    try:
        assert child.stdout is not None and child.stdin is not None
        for line in child.stdout:
            output.append(line)
            if line.startswith("Recording"):
                break
        started = time.monotonic()
        finish_playing(play_into_mic(before))
        os.kill(child.pid, signal.SIGSTOP)  # the lid closes
        time.sleep(LID_CLOSED_S)
        os.kill(child.pid, signal.SIGCONT)  # and opens again
        time.sleep(0.5)
        finish_playing(play_into_mic(after))
        time.sleep(1.0)
        wall_s = time.monotonic() - started
        child.stdin.write("\n")  # Enter stops the answer
        child.stdin.close()
        output += child.stdout.readlines()
        assert child.wait(timeout=120) == 0, "".join(output)
    finally:
        if child.poll() is None:
            child.kill()
    text = "".join(output)
    assert "paused once (0:30 at 0:0" in text, text
    assert "microphone" not in text.lower(), text  # not taken for an unplugged microphone
    (attempt,) = Store().list_attempts()
    assert attempt.status == "complete" and attempt.stop_reason == "candidate"
    duration = valid_wav(Path(attempt.audio_path))
    assert duration <= wall_s - LID_CLOSED_S + 1.5, (duration, wall_s)
    feedback = attempt.feedback
    assert feedback is not None
    heard = feedback.transcript.text.lower()
    assert "march" in heard and "trusted" in heard, heard
    assert feedback.speaking_s <= duration
    assert all(p.duration_s < 10 for p in feedback.pauses)
