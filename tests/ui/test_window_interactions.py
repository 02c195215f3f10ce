"""What a candidate does in the window after and during an answer: hear a moment again
from a key point or a timeline marker, cancel with Esc and keep what was said, and read
the local LLM's review as it streams in (or why there is none)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from app import paths
from app.practice import Phase, PracticeSettings
from app.store import Store
from app.ui.main_window import MainWindow
from app.ui.settings_store import SettingsStore
from audio import playback
from audio.sources import WavFileSource
from models.coach.feedback_model import Feedback
from tests.ollama_loopback import OllamaLoopback
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures

pytestmark = pytest.mark.slow
pytest_plugins = ("tests.ollama_loopback",)

SCRIPT_YAML = """\
title: Interaction interview
role: Site reliability engineer
questions:
  - id: rollback
    text: Tell me about a release you had to roll back.
    time_guide: 2-30s
    framework: STAR
    key_points:
      - text: Say that you rolled the release back
        cues: [rolled back, roll back]
      - text: Mention what you watched to confirm the fix
        cues: [dashboards, dashboard, error rate]
"""
ANSWER = ("Last spring a release broke the checkout page. Um, we rolled back the release within "
          "ten minutes and watched the dashboards until the error rate was flat again.")
LEAD_IN_S = 0.5  # replay starts this much before the moment chosen (app.practice)


@pytest.fixture
def answer_wav(spoken_wav: Callable[..., Path]) -> Path:
    return spoken_wav(ANSWER, 170)


def open_window(qtbot: Any, tmp_path: Path, wav: Path, realtime: bool,
                llm_host: str | None = None) -> MainWindow:
    (paths.user_scripts_dir() / "interaction.yaml").write_text(SCRIPT_YAML, encoding="utf-8")
    store = SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))
    # One answer per question: these tests are about the answer and its review; the
    # follow-up conversation has its own (tests/ui/test_follow_up_window.py).
    store.save_practice_settings(PracticeSettings(
        speak_questions=False, follow_ups=False, llm_enabled=llm_host is not None,
        ollama_host=llm_host,
        llm_model="llama3.2:3b" if llm_host else None))
    window = MainWindow(store, source_factory=lambda _q: WavFileSource(wav, realtime=realtime))
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    picker = window.pick_screen
    qtbot.waitUntil(lambda: not picker.loading)  # the scripts are read on a worker
    for row in range(picker.script_list.count()):
        if picker.script_list.item(row).text().startswith("Interaction interview"):
            picker.script_list.setCurrentRow(row)
    qtbot.mouseClick(picker.start_button, Qt.MouseButton.LeftButton)
    return window


def answer_fully(qtbot: Any, window: MainWindow) -> None:
    practice = window.practice_screen
    problems: list[str] = []  # the window's banner lines, for a failure's message
    practice.problem.connect(problems.append)
    qtbot.waitUntil(lambda: practice.phase == Phase.RECORDING, timeout=60_000)
    # The stand-in microphone ends with the file; the flow stops by itself then.
    qtbot.waitUntil(lambda: practice.phase == Phase.FEEDBACK, timeout=90_000)

    def heard() -> None:
        shown = practice.feedback_view.transcript.toPlainText()
        assert "rolled back" in shown.lower(), (shown, practice.status_label.text(), problems)

    qtbot.waitUntil(heard, timeout=30_000)  # re-raises with what was shown
    # The refined feedback follows the instant one, with the accurate pass's word times,
    # and the row is saved a moment before the view has it: a test reading either waits.
    qtbot.waitUntil(lambda: shown_pass(practice.feedback_view.feedback) == "refined", timeout=60_000)


def shown_pass(feedback: Feedback | None) -> str | None:
    """Which pass made the transcript of ``feedback``: "live", "refined" or None."""
    made = (feedback.transcript.model_extra or {}).get("decoding") if feedback is not None else None
    return made.get("pass") if isinstance(made, dict) else None


def playback_streams() -> list[str]:
    listed = subprocess.run(["pactl", "list", "short", "sink-inputs"], capture_output=True,
                            text=True, timeout=5).stdout
    return [line for line in listed.splitlines() if line.strip()]


def test_a_key_point_or_a_marker_plays_its_moment(
        qtbot, tmp_path: Path, virtual_mic: str, answer_wav: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[Path, float]] = []
    real_play_file = playback.Player.play_file

    def play_file(self: playback.Player, path: Path, start_s: float = 0.0, **kw: Any) -> Any:
        started.append((Path(path), start_s))
        return real_play_file(self, path, start_s=start_s, **kw)

    monkeypatch.setattr(playback.Player, "play_file", play_file)
    window = open_window(qtbot, tmp_path, answer_wav, realtime=False)
    answer_fully(qtbot, window)
    feedback = window.practice_screen.feedback_view
    (attempt,) = Store().list_attempts()
    assert attempt.feedback is not None
    point = next(p for p in attempt.feedback.key_points if p.text.startswith("Say that"))
    assert point.status == "covered" and point.start_s is not None and point.start_s > 1.0

    # Keyboard: choose the key point's row and press Enter.
    tree = feedback.key_points
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(0))
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(started) == 1, timeout=10_000)
    assert started[0] == (Path(attempt.audio_path), pytest.approx(point.start_s - LEAD_IN_S))
    qtbot.waitUntil(lambda: len(playback_streams()) == 1, timeout=10_000)

    # Mouse: click the first marker on the timeline.
    timeline = feedback.timeline
    marker = timeline.markers[0]
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton,
                     pos=QPoint(round(timeline.marker_x(0)), timeline.height() // 2))
    qtbot.waitUntil(lambda: len(started) == 2, timeout=10_000)
    assert started[1][1] == pytest.approx(max(0.0, marker.at_s - LEAD_IN_S))
    # One moment at a time: the second replay replaced the first.
    qtbot.waitUntil(lambda: len(playback_streams()) == 1, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # stops the replay
    qtbot.waitUntil(lambda: not playback_streams(), timeout=10_000)


def test_escape_cancels_the_answer_and_keeps_what_was_said(
        qtbot, tmp_path: Path, answer_wav: Path) -> None:
    window = open_window(qtbot, tmp_path, answer_wav, realtime=True)
    practice = window.practice_screen
    problems: list[str] = []  # the window's banner lines, for a failure's message
    practice.problem.connect(problems.append)
    qtbot.waitUntil(lambda: practice.phase == Phase.RECORDING, timeout=60_000)
    qtbot.waitUntil(lambda: practice.clock.clock_text() == "0:03", timeout=30_000)
    statuses: list[str] = []
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: (statuses.append(practice.status_label.text()) or
                             practice.phase) == Phase.FEEDBACK, timeout=60_000)
    assert any(s.startswith("Answer cancelled; what was recorded is kept.") for s in statuses)
    (attempt,) = Store().list_attempts()
    assert attempt.status == "complete"
    assert attempt.duration_s is not None and 2.5 <= attempt.duration_s < 6.0
    assert Path(attempt.audio_path).stat().st_size > attempt.duration_s * 16_000
    assert attempt.feedback is not None  # what was said is coached too
    assert "release" in attempt.feedback.transcript.text.lower()


def test_the_llm_review_streams_into_the_view(
        qtbot, tmp_path: Path, answer_wav: Path, ollama_loopback: OllamaLoopback) -> None:
    window = open_window(qtbot, tmp_path, answer_wav, realtime=False, llm_host=ollama_loopback.host)
    chunks: list[str] = []
    window.practice_screen.bridge.llmText.connect(chunks.append)
    answer_fully(qtbot, window)
    feedback = window.practice_screen.feedback_view
    qtbot.waitUntil(lambda: feedback.llm_status.text().startswith("From your local LLM"),
                    timeout=60_000)
    assert "llama3.2:3b" in feedback.llm_status.text()
    assert len(chunks) > 1, "the review arrived in one piece, not streamed"
    assert feedback.llm_result.isVisible() and "Verdict" in feedback.llm_result.text()
    (attempt,) = Store().list_attempts()
    assert attempt.feedback is not None and attempt.feedback.llm is not None
    assert attempt.models.get("llm") == "llama3.2:3b"


def test_a_busy_server_leaves_the_coachs_feedback_and_says_why(
        qtbot, tmp_path: Path, answer_wav: Path, ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.set_mode("busy")  # every chat answers 503, the retry too
    window = open_window(qtbot, tmp_path, answer_wav, realtime=False, llm_host=ollama_loopback.host)
    answer_fully(qtbot, window)
    feedback = window.practice_screen.feedback_view
    qtbot.waitUntil(lambda: feedback.llm_status.text().startswith("No review from the local LLM"),
                    timeout=60_000)
    assert "fix:" in feedback.llm_status.text()
    assert "covered" in feedback.key_point_rows()[0][0]
    (attempt,) = Store().list_attempts()
    assert attempt.feedback is not None and attempt.feedback.llm is None
    assert attempt.feedback.llm_status is not None and attempt.feedback.llm_status.code
    assert len(ollama_loopback.requests_to("/api/chat")) == 2, "a 503 is retried once"
