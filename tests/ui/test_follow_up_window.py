"""A follow-up in the practice window: the answer leaves a key point unheard, the follow-up
that presses on it is shown (with why) and its reply recorded; the feedback then shows the
answer and the follow-up as one thread, the point labelled as covered in the follow-up.
Real speech played in as the microphone, real transcription, coaching and store."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from app import paths
from app.practice import Phase, PracticeSettings
from app.store import Store
from app.ui.main_window import MainWindow
from app.ui.practice_screen import PracticeScreen
from app.ui.settings_store import SettingsStore
from tests.ollama_loopback import OllamaLoopback
from tests.speech_fixtures import speech_cache, spoken_answer, spoken_wav  # noqa: F401
from tests.ui.test_interview_window import (
    LONG_ANSWER,
    MAX_STALL_MS,
    NO_OLLAMA,
    Sources,
    answer_and_stop,
)

pytestmark = pytest.mark.slow
pytest_plugins = ("tests.ollama_loopback",)

SCRIPT_YAML = """\
title: Follow-up window interview
role: Site reliability engineer
questions:
  - id: rollback
    text: Tell me about a release you had to roll back.
    time_guide: 1-3s
    follow_up_guide: 1-4s
    key_points:
      - id: rollback
        text: Say that you rolled the release back
        cues: [rolled back, roll back]
      - id: watch
        text: Say what you watched to confirm the fix
        cues: [dashboards, dashboard]
    follow_ups:
      - What would you do differently?
      - text: What did you watch to know it was fixed?
        probes: [watch]
"""
ANSWER = "We rolled back the release at once and told the team."
REPLY = "I watched the dashboards until the errors stopped."
FOLLOW_UP = "What did you watch to know it was fixed?"


def test_the_follow_up_and_its_reply_show_as_one_thread(
        qtbot: Any, tmp_path: Path, spoken_wav: Callable[..., Path]) -> None:  # noqa: F811
    sources = Sources([spoken_wav(ANSWER, 170), spoken_wav(REPLY, 170)])
    (paths.user_scripts_dir() / "follow-up-window.yaml").write_text(SCRIPT_YAML, encoding="utf-8")
    store = SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))
    store.save_practice_settings(PracticeSettings(speak_questions=False, llm_enabled=False,
                                                  ollama_host=NO_OLLAMA))
    window = MainWindow(store, source_factory=sources)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    pick = window.pick_screen

    def chosen() -> bool:
        for row in range(pick.script_list.count()):
            if pick.script_list.item(row).text().startswith("Follow-up window interview"):
                pick.script_list.setCurrentRow(row)
        script = pick.current_script()
        return script is not None and script.title == "Follow-up window interview"

    qtbot.waitUntil(chosen, timeout=10_000)
    practice = window.practice_screen
    qtbot.mouseClick(pick.start_button, Qt.MouseButton.LeftButton)

    # The answer plays in and stops; the follow-up comes by itself.
    answer_and_stop(qtbot, window, sources, 1)
    qtbot.waitUntil(lambda: practice.question_label.text() == FOLLOW_UP, timeout=60_000)
    assert practice.progress_label.text().startswith("Question 1 of 1 · Follow-up")
    assert "was not heard in these words" in practice.interviewer_label.text()
    assert practice.clock._guide is not None and practice.clock._guide.text == "1-4s"
    assert practice.pages.currentIndex() == 0  # the answer's feedback waits for the reply

    answer_and_stop(qtbot, window, sources, 2)
    qtbot.waitUntil(lambda: practice.phase == Phase.FEEDBACK and practice.pages.currentIndex() == 1,
                    timeout=60_000)
    tabs = practice.thread_tabs
    assert tabs.isVisible() and [tabs.tabText(i) for i in range(tabs.count())] == ["Your answer",
                                                                                   "Follow-up"]
    assert tabs.currentIndex() == 1  # the reply's feedback first
    assert FOLLOW_UP in practice.follow_up_label.text()
    assert "asked because" in practice.follow_up_label.text()
    reply_id = practice.shown_attempt_id

    tabs.setCurrentIndex(0)
    answer_id = practice.shown_attempt_id
    assert answer_id != reply_id
    qtbot.waitUntil(lambda: "covered in the follow-up" in practice.follow_up_label.text(), timeout=30_000)
    rows = {row[1]: row[0] for row in practice.feedback_view.key_point_rows()}
    assert rows["Say what you watched to confirm the fix"] == "✔ covered in the follow-up"
    assert rows["Say that you rolled the release back"] == "✔ covered"

    answer, reply = sorted(Store().list_attempts(), key=lambda a: a.id)
    assert (answer.id, reply.id) == (answer_id, reply_id)
    # The answer's tab shows the transcript saved last (the accurate pass's), not the
    # live one it was first coached on.
    assert answer.transcript is not None and answer.transcript["decoding"]["beam_size"] == 5
    shows_saved(qtbot, practice, answer.transcript["text"])
    qtbot.waitUntil(lambda: Store().get_attempt(reply_id).stage == "reviewed", timeout=30_000)
    reply = Store().get_attempt(reply_id)
    tabs.setCurrentIndex(1)
    assert reply.transcript is not None and reply.transcript["decoding"]["beam_size"] == 5
    shows_saved(qtbot, practice, reply.transcript["text"])
    assert reply.follow_up_to == answer.id and reply.question_text == FOLLOW_UP
    # Space, or the file standing in for the microphone running out just before it.
    assert {answer.stop_reason, reply.stop_reason} <= {"candidate", "end_of_input"}


def shows_saved(qtbot: Any, practice: PracticeScreen, saved: str) -> None:
    """The open tab comes to show ``saved``. The flow saves each pass before its signal
    reaches the GUI thread, so the row can be read a moment before the view is redrawn."""
    view = practice.feedback_view.transcript

    def shown() -> None:
        assert view.toPlainText() == saved

    qtbot.waitUntil(shown, timeout=10_000)  # re-raises the last difference at the end


@pytest.mark.parametrize("mode", ["slow", "busy", "down"])
def test_the_gui_never_stalls_while_the_local_model_fails_to_give_a_follow_up(
        qtbot: Any, tmp_path: Path, spoken_answer: Callable[..., Path],  # noqa: F811
        ollama_loopback: OllamaLoopback, mode: str) -> None:
    """A server answering after the budget, a 503 and a dead server: the script's follow-up
    comes once the budget is spent, and the window keeps drawing all the while."""
    ollama_loopback.script_reply({"quote": "the checkout started failing",
                                  "question": "Why did the checkout start failing?"})
    ollama_loopback.slow_s = 30.0
    ollama_loopback.set_mode(mode, times={"slow": 1, "busy": 2}.get(mode))
    # Played in faster than real time, so nearly all transcription happens after Stop.
    sources = Sources([spoken_answer(LONG_ANSWER)], realtime=False)
    (paths.user_scripts_dir() / "follow-up-window.yaml").write_text(SCRIPT_YAML, encoding="utf-8")
    store = SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))
    store.save_practice_settings(PracticeSettings(speak_questions=False, llm_enabled=True,
                                                  ollama_host=ollama_loopback.host,
                                                  follow_up_budget_s=2.0))
    window = MainWindow(store, source_factory=sources)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    pick = window.pick_screen

    def chosen() -> bool:
        for row in range(pick.script_list.count()):
            if pick.script_list.item(row).text().startswith("Follow-up window interview"):
                pick.script_list.setCurrentRow(row)
        script = pick.current_script()
        return script is not None and script.title == "Follow-up window interview"

    qtbot.waitUntil(chosen, timeout=10_000)
    practice = window.practice_screen
    qtbot.mouseClick(pick.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(sources.started) and sources.started[-1].finished
                    and practice.phase == Phase.RECORDING, timeout=60_000)
    gaps = measure_gaps(qtbot, lambda: qtbot.keyClick(window, Qt.Key.Key_Space),
                        lambda: practice.question_label.text() == FOLLOW_UP)
    assert "(" in practice.interviewer_label.text() and "local model" in practice.interviewer_label.text()
    assert max(gaps[1:]) <= MAX_STALL_MS, f"GUI stalled {max(gaps[1:])} ms"
    # The reply may be recording by now: closing then asks whether to save it, in a
    # dialog no one is here to answer.
    window.confirm_close_during_answer = lambda: True
    window.close()


def measure_gaps(qtbot: Any, act: Callable[[], None], done: Callable[[], bool]) -> list[int]:
    """The gaps between a 10 ms timer's ticks from ``act`` until ``done`` (as the window's
    stall test measures them, with the process's older objects frozen out of the GC)."""
    gc.collect()
    gc.freeze()
    gaps: list[int] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(lambda: gaps.append(clock.restart()))
    clock.start()
    ticker.start()
    try:
        act()
        qtbot.waitUntil(done, timeout=90_000)
        QApplication.processEvents()
    finally:
        ticker.stop()
        gc.unfreeze()
    assert len(gaps) > 10
    return gaps
