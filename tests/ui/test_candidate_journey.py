"""The path a candidate takes most, through every real part: the question is read aloud by
the project's TTS into the virtual microphone's sink, the answer is spoken into it only
after the question ends, PortAudio records it from the microphone, silence stops it, and
the feedback follows. An ear on the sink records what was played, so the order of
question and answer is checked from the sound itself, and the saved answer is checked
to hold none of the question."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from app import paths
from app.cli import main
from app.practice import Phase, PracticeSettings
from app.store import Store
from app.ui.main_window import MainWindow
from app.ui.settings_store import SettingsStore
from audio.audio_file import read_audio_16k
from tests.audio_helpers import finish_playing, play_into_mic, whisper_tiny
from tests.sink_ear import SinkEar, first_time, word_times
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures

pytestmark = pytest.mark.slow

QUESTION = "Which signals told you whether a deployment was healthy?"
ANSWER = "We rolled back the release and watched the dashboards until the errors stopped."
# Words only the question has, and words only the answer has.
QUESTION_WORDS = {"which", "signals", "told", "whether", "deployment", "healthy"}
ANSWER_WORDS = {"rolled", "back", "release", "watched", "dashboard", "dashboards", "errors",
                "stopped"}
SCRIPT_YAML = f"""\
title: Journey interview
role: Site reliability engineer
questions:
  - id: health
    text: {QUESTION}
    time_guide: 2-30s
    framework: none
    key_points:
      - text: Say that you rolled the release back
        cues: [rolled back, roll back]
      - text: Mention what you watched
        cues: [dashboards, dashboard]
"""
SILENCE_S = 2.0


def heard_in_order(ear: SinkEar) -> tuple[float, float]:
    """When the sink first carried a question word and an answer word (seconds)."""
    heard = word_times(whisper_tiny(), ear.audio())
    asked = first_time(heard, QUESTION_WORDS)
    answered = first_time(heard, ANSWER_WORDS - QUESTION_WORDS)
    assert asked is not None, f"the question was never heard on the sink: {heard}"
    assert answered is not None, f"the answer was never heard on the sink: {heard}"
    return asked, answered


def assert_answer_only(audio_path: Path) -> None:
    """The saved answer holds the answer's words and none of the question's."""
    heard = {w for w, _ in word_times(whisper_tiny(), read_audio_16k(audio_path))}
    # tiny.en on the recording heard 3 to 5 of these words over the runs seen (it turns
    # "errors" into "air is" and the like); the question's words are the real check.
    assert len(heard & ANSWER_WORDS) >= 3, heard
    assert not heard & QUESTION_WORDS, f"question audio reached the answer: {heard}"


def test_the_window_reads_the_question_then_records_the_microphone(
        qtbot, tmp_path: Path, virtual_mic: str, spoken_wav: Callable[..., Path]) -> None:
    answer = spoken_wav(ANSWER, 170)
    (paths.user_scripts_dir() / "journey.yaml").write_text(SCRIPT_YAML, encoding="utf-8")
    settings = SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))
    settings.save_practice_settings(PracticeSettings(speak_questions=True, llm_enabled=False,
                                                     silence_stop_s=SILENCE_S))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    picker = window.pick_screen
    qtbot.waitUntil(lambda: not picker.loading)  # the scripts are read on a worker
    for row in range(picker.script_list.count()):
        if picker.script_list.item(row).text().startswith("Journey interview"):
            picker.script_list.setCurrentRow(row)
    practice = window.practice_screen
    phases: list[Phase] = []

    with SinkEar(tmp_path / "ear.raw") as ear:
        qtbot.mouseClick(picker.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: (phases.append(practice.phase) or practice.phase)
                        == Phase.RECORDING, timeout=60_000)
        assert Phase.SPEAKING in phases, "recording began without the question being read"
        time.sleep(0.5)
        finish_playing(play_into_mic(answer))
        # Nobody presses Stop: the silence after the answer ends it.
        statuses: list[str] = []
        qtbot.waitUntil(lambda: (statuses.append(practice.status_label.text()) or
                                 practice.phase) == Phase.FEEDBACK, timeout=60_000)
        ear.stop()

    asked, answered = heard_in_order(ear)
    assert asked < answered
    feedback = practice.feedback_view
    qtbot.waitUntil(lambda: "rolled back" in feedback.transcript.toPlainText().lower(),
                    timeout=30_000)
    assert any(text.startswith("Stopped after a long silence.") for text in statuses), statuses
    rows = {row[1]: row[0] for row in feedback.key_point_rows()}
    assert rows == {"Say that you rolled the release back": "✔ covered",
                    "Mention what you watched": "✔ covered"}
    assert feedback.verdict_label.text().endswith("(guide 2-30s).")
    (attempt,) = Store().list_attempts()
    assert attempt.status == "complete" and attempt.audio_path is not None
    assert attempt.feedback is not None and attempt.feedback.speaking_s > 2.0
    # The silence that stopped the answer is in the recording, and not much more.
    assert attempt.duration_s is not None
    assert attempt.feedback.duration_s - attempt.feedback.speaking_s >= SILENCE_S - 0.5
    assert_answer_only(attempt.audio_path)
    window.close()


def test_the_terminal_reads_the_question_thinks_then_stops_on_silence(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, virtual_mic: str,
        spoken_wav: Callable[..., Path]) -> None:
    answer = spoken_wav(ANSWER, 170)
    script = tmp_path / "journey.yaml"
    script.write_text(SCRIPT_YAML, encoding="utf-8")
    result: dict[str, int] = {}

    def practise() -> None:
        result["code"] = main(["practice", "--script", str(script), "--no-gui", "--no-llm",
                               "--think", "1", "--silence", str(SILENCE_S),
                               "--max-seconds", "60"])

    with SinkEar(tmp_path / "ear.raw") as ear:
        runner = threading.Thread(target=practise)
        runner.start()
        # The attempt row appears when recording starts: after the question and the think.
        deadline = time.monotonic() + 60
        while not Store().list_attempts() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Store().list_attempts(), "recording never started"
        time.sleep(0.5)
        finish_playing(play_into_mic(answer))
        runner.join(timeout=120)
        ear.stop()
    assert not runner.is_alive()
    assert result["code"] == 0
    out = capsys.readouterr().out
    assert out.index(QUESTION) < out.index("Time to answer.") < out.index("Stopped after a silence")
    assert "rolled back" in out.lower()
    asked, answered = heard_in_order(ear)
    assert asked < answered
    (attempt,) = Store().list_attempts()
    assert attempt.status == "complete" and attempt.audio_path is not None
    assert_answer_only(attempt.audio_path)
