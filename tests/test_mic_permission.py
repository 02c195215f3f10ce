"""A microphone the system mutes: exact zeros for the first seconds of an answer tell the
candidate, on macOS and Windows only, where to allow it; the recording goes on.

The zeros come from a WAV of digital silence played by audio.sources.WavFileSource, through
the real Recorder and, at the end, the real practice flow, with the platform switched.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app import practice
from app.practice import Phase, PracticeListener, PracticeSession, PracticeSettings
from app.store import Store
from audio.audio_file import write_wav_16k
from audio.mic_permission import CHECK_S, SAMPLE_RATE, SilentStartCheck, how_to_allow
from audio.recorder import Recorder
from audio.sources import WavFileSource
from interview_scripts.loader import parse_script

LSB = 1 / 32768  # the smallest step a 16-bit microphone can report


def _blocks(samples: np.ndarray, block: int = 1600) -> list[np.ndarray]:
    return [samples[i:i + block] for i in range(0, samples.size, block)]


def _zeros(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)


def test_the_message_says_where_each_system_grants_access() -> None:
    mac, windows = how_to_allow("darwin"), how_to_allow("win32")
    assert mac is not None and "System Settings > Privacy & Security > Microphone" in mac
    assert windows is not None and "Settings > Privacy & security > Microphone" in windows
    for message in (mac, windows):
        assert "keeps recording" in message and "\n" not in message
        message.encode("ascii")  # printable on a Windows console in any code page
    assert how_to_allow("linux") is None


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_three_seconds_of_exact_zeros_give_the_message_once(platform: str) -> None:
    check = SilentStartCheck(platform)
    assert check.active
    for block in _blocks(_zeros(CHECK_S - 0.1)):
        check.feed(block)
    assert check.take_notice() is None  # not yet three seconds
    check.feed(_zeros(0.1).astype(np.int16))  # the dtype does not matter, the zeros do
    assert check.take_notice() == how_to_allow(platform)
    assert check.take_notice() is None
    check.feed(_zeros(5))
    assert check.take_notice() is None


def test_linux_never_checks_because_its_virtual_microphone_is_exactly_silent() -> None:
    check = SilentStartCheck("linux")
    assert not check.active
    for block in _blocks(_zeros(10)):
        check.feed(block)
    assert not check.silent and check.take_notice() is None


@pytest.mark.parametrize("at_s", [0.0, 1.5, CHECK_S - 0.001])
def test_one_quiet_sample_in_the_first_seconds_means_the_system_lets_us_hear(at_s: float) -> None:
    samples = _zeros(6)
    samples[round(at_s * SAMPLE_RATE)] = LSB
    check = SilentStartCheck("darwin")
    for block in _blocks(samples):
        check.feed(block)
    assert not check.silent and check.take_notice() is None


def test_sound_after_the_first_seconds_does_not_take_the_message_back() -> None:
    samples = np.concatenate([_zeros(CHECK_S), np.full(SAMPLE_RATE, 0.2, dtype=np.float32)])
    check = SilentStartCheck("darwin")
    for block in _blocks(samples):
        check.feed(block)
    assert check.silent and check.take_notice() is not None


@pytest.fixture(scope="module")
def silence_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_wav_16k(tmp_path_factory.mktemp("zeros") / "muted.wav", _zeros(4.0))


@pytest.mark.parametrize(("platform", "told"), [("darwin", True), ("win32", True), ("linux", False)])
def test_a_recording_of_digital_silence_through_the_recorder(
        platform: str, told: bool, silence_wav: Path, tmp_path: Path) -> None:
    check = SilentStartCheck(platform)
    source = WavFileSource(silence_wav, realtime=False)
    recorder = Recorder(tmp_path / "answer.wav", source=source)
    recorder.add_listener(check.feed)
    recorder.start()
    assert source.wait_finished(10)
    result = recorder.stop()
    assert result.duration_s == pytest.approx(4.0, abs=0.05)
    assert (check.take_notice() is not None) is told


# ---------------------------------------------------------------- in the practice flow
SCRIPT = """
title: Muted microphone
role: Tester
questions:
  - id: muted
    text: Tell me about yourself.
"""


class Heard(PracticeListener):
    def __init__(self, session: list[PracticeSession]) -> None:
        self._session = session
        self.notices: list[tuple[str, Phase]] = []
        self.stopped: list[tuple[float, str]] = []
        self.feedback = threading.Event()

    def error(self, message: str) -> None:
        self.notices.append((message, self._session[0].phase))

    def recording_stopped(self, duration_s: float, reason: str) -> None:
        self.stopped.append((duration_s, reason))

    def feedback_ready(self, attempt_id: int, feedback: Any) -> None:
        self.feedback.set()


@pytest.mark.slow
@pytest.mark.parametrize(("platform", "told"), [("darwin", True), ("linux", False)])
def test_the_flow_tells_the_candidate_and_keeps_recording(
        platform: str, told: bool, silence_wav: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(practice, "SilentStartCheck", functools.partial(SilentStartCheck, platform))
    script = parse_script(SCRIPT, "muted.yaml")
    holder: list[PracticeSession] = []
    listener = Heard(holder)
    session = PracticeSession(
        script, script.questions, PracticeSettings(speak_questions=False, llm_enabled=False),
        listener, store=Store(),
        source_factory=lambda _q: WavFileSource(silence_wav, realtime=True),
    )
    holder.append(session)
    try:
        session.begin()
        assert listener.feedback.wait(90), (listener.notices, listener.stopped)
    finally:
        session.close()
    # The message came while recording, once; the answer ran to its end all the same.
    expected = [(how_to_allow(platform), Phase.RECORDING)] if told else []
    assert listener.notices == expected
    assert len(listener.stopped) == 1
    duration, reason = listener.stopped[0]
    assert reason == "end_of_input" and duration == pytest.approx(4.0, abs=0.2)
