"""A pasted page imported, fixed in the editor, saved, then practised as a mock interview in
the window: real speech played in as the microphone, real transcription and coaching. The
interviewer opens, moves on by itself (the page has no follow-ups, which it says once) and
ends on a closing question; no feedback shows until the interview ends; then the report
holds every answer and the reply to the closing question, counted but not scored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from app.practice import Phase, PracticeSettings
from app.store import Store
from app.ui.main_window import MainWindow
from app.ui.script_editor import GUIDE
from app.ui.settings_store import SettingsStore
from tests.speech_fixtures import speech_cache, spoken_wav  # noqa: F401
from tests.ui.test_interview_window import ANSWER_ONE, ANSWER_TWO, NO_OLLAMA, Sources

pytestmark = pytest.mark.slow

PAGE = """\
Site reliability screen
Q: Tell me about a release you had to roll back.
Time: 1-2 minutes
Key points: say that you rolled the release back; mention the dashboards you watched
Q: How do you hand over an on-call shift?
(1 min)
Key points: write a handover note
Sign up for our newsletter
"""
QUESTIONS = {"Tell me about a release you had to roll back.", "How do you hand over an on-call shift?"}
CLOSING_REPLY = "How does the team share the on-call rota?"


def _answer(qtbot: Any, window: MainWindow, sources: Sources, count: int) -> None:
    """Skip the mock's think time with Space, let the WAV play in, stop with Space."""
    practice = window.practice_screen
    qtbot.waitUntil(lambda: practice.phase in (Phase.THINKING, Phase.RECORDING), timeout=30_000)
    if practice.phase == Phase.THINKING:
        qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(sources.started) == count and practice.phase == Phase.RECORDING,
                    timeout=60_000)
    qtbot.waitUntil(lambda: sources.started[-1].finished, timeout=60_000)
    if practice.phase == Phase.RECORDING:
        qtbot.keyClick(window, Qt.Key.Key_Space)


def test_import_fix_save_then_a_mock_interview_reports_only_at_the_end(
        qtbot: Any, tmp_path: Path, spoken_wav: Callable[..., Path]) -> None:  # noqa: F811
    sources = Sources([spoken_wav(ANSWER_ONE, 170), spoken_wav(ANSWER_TWO, 170),
                       spoken_wav(CLOSING_REPLY, 170)])
    store = SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))
    store.save_practice_settings(PracticeSettings(speak_questions=False, llm_enabled=False,
                                                  ollama_host=NO_OLLAMA))
    window = MainWindow(store, source_factory=sources)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    pick = window.pick_screen

    # Import the pasted page, break a guide, see it refused, fix it, save.
    dialog = pick.import_page()
    dialog.page_edit.setPlainText(PAGE)
    with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
        qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
    assert {row[0] for row in dialog.found_rows()} == QUESTIONS
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    editor = pick.last_editor
    assert editor is not None
    editor.role_edit.setText("Site reliability engineer")
    editor.set_cell(1, GUIDE, "1 hour")
    assert editor.problem is not None and editor.problem[:2] == (1, GUIDE)
    assert not editor.save_button.isEnabled()
    editor.set_cell(1, GUIDE, "1 min")
    assert editor.save() is not None
    assert pick.current_script().title == "Site reliability screen"
    # The keys below are window shortcuts: the window must have the focus back from the dialogs.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)

    # Practise it as a mock interview.
    pick.mock_box.setChecked(True)
    practice = window.practice_screen
    pages_seen: list[int] = []
    practice.pages.currentChanged.connect(pages_seen.append)
    qtbot.mouseClick(pick.start_button, Qt.MouseButton.LeftButton)
    assert window.practice_stack.currentWidget() is practice
    assert not practice.hints_box.isVisible() and not practice.redo_button.isVisible()
    assert practice.settings.mock and practice.settings.think_time_s == 10.0
    qtbot.waitUntil(lambda: practice.question_label.text() in QUESTIONS, timeout=10_000)
    first = practice.question_label.text()
    assert practice.progress_label.text().endswith("· mock interview")

    assert "I'm Sam" in practice.interviewer_label.text()  # the opening
    _answer(qtbot, window, sources, 1)
    # Saved and coached, but nothing shown; the interviewer moves on by itself, saying once
    # that there is no follow-up to ask.
    qtbot.waitUntil(lambda: practice.question_label.text() in QUESTIONS - {first}, timeout=60_000)
    assert len(practice.mock_answers) == 1
    assert practice.feedback_view.feedback is None
    qtbot.keyClick(window, Qt.Key.Key_R)  # no redo in a mock interview
    assert practice.question_label.text() != first
    _answer(qtbot, window, sources, 2)
    qtbot.waitUntil(lambda: practice.question_label.text().endswith("Do you have any questions for us?"),
                    timeout=60_000)
    assert practice.progress_label.text().startswith("Closing question")
    assert len(practice.mock_answers) == 2
    assert practice.feedback_view.feedback is None
    _answer(qtbot, window, sources, 3)
    assert 1 not in pages_seen  # the per-answer feedback page never showed

    report = practice.mock_report
    qtbot.waitUntil(lambda: practice.pages.currentWidget() is report, timeout=60_000)
    qtbot.waitUntil(lambda: "Mock interview saved" in window.banner.text, timeout=30_000)
    assert window.practice_stack.currentWidget() is practice
    rows = report.rows()
    assert [r[:2] for r in rows] == [("1", first), ("2", next(iter(QUESTIONS - {first}))),
                                      ("Closing", "That's all from me. Do you have any questions for us?")]
    assert all(r[2].startswith("Spoke for ") for r in rows)  # the length verdict, worded once
    assert {r[3] for r in rows[:2]} <= {"0/1", "1/1", "0/2", "1/2", "2/2"}
    assert rows[2][3] == "not scored"
    assert report.heading.text() == "Your mock interview: 2 answers and your questions for us"
    assert report.feedback_view.feedback is not None  # the first answer's feedback, in full
    report.answers.setCurrentItem(report.answers.topLevelItem(1))
    assert report.feedback_view.feedback.question_id != rows[0][1]

    # Every answer was saved and coached like any other; the closing reply too.
    attempts = sorted(Store().list_attempts(), key=lambda a: a.id)
    assert len(attempts) == 3 and all(a.status == "complete" for a in attempts)
    assert [a.asked_by for a in attempts] == ["question", "question", "interviewer"]
    qtbot.mouseClick(report.back_button, Qt.MouseButton.LeftButton)
    assert window.practice_stack.currentWidget() is pick
