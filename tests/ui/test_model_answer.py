"""The model answer: offered only after an answer, never in a mock interview, and showing
which key points the sample makes beside which the answer made."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from app import paths
from app.practice import Phase, PracticeSettings
from app.ui.main_window import MainWindow
from app.ui.settings_store import SettingsStore
from audio.sources import WavFileSource
from interview_scripts.loader import parse_script
from models.coach.model_answer import compare_with_sample
from models.coach.overrides import mark_key_point
from tests.coach_helpers import sample_feedback
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures

SCRIPT_YAML = """\
title: Model answer interview
role: Site reliability engineer
questions:
  - id: rollback
    text: Tell me about a release you had to roll back.
    time_guide: 2-30s
    key_points:
      - text: Say that you rolled the release back
        cues: [rolled back, roll back]
      - text: Name the dashboard you watched
        cues: [dashboard, dashboards]
      - text: Write a post-mortem
        cues: [post mortem, postmortem]
    sample_answer: >-
      A release broke checkout on a Friday. I rolled back within ten minutes and watched
      the error dashboard until it was flat. On Monday I wrote a blameless postmortem.
"""
ANSWER = "We rolled back the release and waited for the errors to stop."


def test_the_sample_and_the_answer_side_by_side() -> None:
    question = parse_script(SCRIPT_YAML, "model.yaml").questions[0]
    feedback = sample_feedback("rollback")
    feedback = feedback.model_copy(update={"key_points": [
        p.model_copy(update={"text": t, "status": s})
        for p, (t, s) in zip(feedback.key_points, [
            ("Say that you rolled the release back", "covered"),
            ("Name the dashboard you watched", "not_heard"),
            ("Write a post-mortem", "not_heard")], strict=False)]})
    rows = {r.text: r for r in compare_with_sample(question, feedback)}
    assert all(r.in_sample for r in rows.values())
    assert "postmortem" in (rows["Write a post-mortem"].sample_evidence or "").lower()
    assert rows["Say that you rolled the release back"].in_answer
    assert not rows["Name the dashboard you watched"].in_answer
    no_sample = question.__class__(**{**question.__dict__, "sample_answer": ""})
    assert compare_with_sample(no_sample, feedback) == []
    # "I did cover this" counts here as everywhere else.
    marked = mark_key_point(feedback, 1)
    row = {r.text: r for r in compare_with_sample(question, marked)}["Name the dashboard you watched"]
    assert row.in_answer and row.answer_status == "covered"


@pytest.mark.slow
@pytest.mark.parametrize("mock", [False, True])
def test_offered_only_after_the_answer_and_never_in_a_mock(
        qtbot, tmp_path: Path, spoken_wav, mock: bool) -> None:
    (paths.user_scripts_dir() / "model.yaml").write_text(SCRIPT_YAML, encoding="utf-8")
    store = SettingsStore(QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat))
    store.save_practice_settings(PracticeSettings(speak_questions=False, llm_enabled=False,
                                                  mock=mock))
    wav = spoken_wav(ANSWER, 170)
    window = MainWindow(store, source_factory=lambda _q: WavFileSource(wav, realtime=False))
    qtbot.addWidget(window)
    window.show()
    picker = window.pick_screen
    qtbot.waitUntil(lambda: not picker.loading)  # the scripts are read on a worker
    for row in range(picker.script_list.count()):
        if picker.script_list.item(row).text().startswith("Model answer interview"):
            picker.script_list.setCurrentRow(row)
    practice = window.practice_screen
    qtbot.mouseClick(picker.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: practice.phase == Phase.RECORDING, timeout=60_000)
    # While answering there is no model answer to peek at.
    assert not practice.model_button.isEnabled()
    if mock:
        # The answer is coached and saved, but nothing of it is shown before the end: the
        # interviewer moves on to the closing question, then the report.
        qtbot.waitUntil(lambda: len(practice.mock_answers) == 1, timeout=90_000)
        assert not practice.model_button.isVisible()
        qtbot.waitUntil(lambda: practice.holds_report, timeout=120_000)
        assert not practice.model_button.isVisible()
        return
    qtbot.waitUntil(lambda: practice.phase == Phase.FEEDBACK, timeout=90_000)
    assert practice.model_button.isVisible()
    qtbot.waitUntil(lambda: practice.model_button.isEnabled(), timeout=90_000)
    qtbot.mouseClick(practice.model_button, Qt.MouseButton.LeftButton)
    dialog = practice.model_answer
    assert "blameless postmortem" in dialog.sample.toPlainText()
    shown = {text: (sample, answer) for text, sample, answer in dialog.rows_shown()}
    assert shown["Say that you rolled the release back"] == ("✔ yes", "✔ yes")
    assert shown["Write a post-mortem"][0] == "✔ yes"
    assert shown["Write a post-mortem"][1].startswith("?")
    assert "Write a post-mortem" in dialog.summary.text()
    dialog.close()
    practice.session.wait_idle(120)  # the refine pass, before the window goes
