"""The interviewer that talks back, through every real part: the project's TTS reads into
the virtual microphone's sink, answers are played into it, PortAudio records them, a
silence ends each one. An ear on the sink records what was said, so the order of
question, answer, follow-up and reply is checked from the sound itself, and the saved
reply is checked to hold none of the follow-up's words (the interviewer is never recorded
as the candidate)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from app import paths
from app.cli import main
from app.practice import Phase, PracticeListener, PracticeSession, PracticeSettings
from app.store import Store
from app.ui.main_window import MainWindow
from app.ui.settings_store import SettingsStore
from audio.audio_file import SAMPLE_RATE, read_audio_16k, write_wav_16k
from audio.sources import WavFileSource
from interview_scripts.loader import parse_script
from tests.audio_helpers import finish_playing, play_into_mic, whisper_tiny
from tests.sink_ear import SinkEar, first_time, word_times
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures
from tests.speech_fixtures import STAR_SENTENCES

pytestmark = pytest.mark.slow

QUESTION = "Which signals told you whether a deployment was healthy?"
FOLLOW_UP = "Which dashboards did you keep open, and for how long?"
ANSWER = "We rolled back the release straight away and told the support team."
REPLY = "I kept the error graphs open for an hour until the errors stopped."
SCRIPT_YAML = f"""\
title: Conversation journey
role: Site reliability engineer
questions:
  - id: health
    text: {QUESTION}
    time_guide: 2-30s
    follow_up_guide: 2-30s
    framework: none
    key_points:
      - id: rollback
        text: Say that you rolled the release back
        cues: [rolled back, roll back]
      - id: watch
        text: Say which graphs you watched
        cues: [error graphs, graphs, dashboards]
    follow_ups:
      - What would you do differently next time?
      - text: {FOLLOW_UP}
        probes: [watch]
"""
# Words only each part has (Whisper tiny's spellings included).
QUESTION_WORDS = {"signals", "told", "whether", "deployment", "healthy"}
ANSWER_WORDS = {"rolled", "release", "straight", "support"}
FOLLOW_UP_WORDS = {"dashboards", "dashboard", "keep", "long"}
REPLY_WORDS = {"kept", "graphs", "hour", "errors", "stopped"}
SILENCE_S = 2.0


def heard(ear: SinkEar) -> list[tuple[str, float]]:
    return word_times(whisper_tiny(), ear.audio())


def when(words: list[tuple[str, float]], wanted: set[str], what: str) -> float:
    at = first_time(words, wanted)
    assert at is not None, f"the {what} was never heard on the sink: {words}"
    return at


def assert_reply_holds_no_interviewer(audio_path: Path) -> None:
    words = {w for w, _ in word_times(whisper_tiny(), read_audio_16k(audio_path))}
    assert len(words & REPLY_WORDS) >= 2, words
    assert not words & (FOLLOW_UP_WORDS - REPLY_WORDS), f"the follow-up reached the reply: {words}"


def test_the_window_asks_a_follow_up_aloud_and_records_the_reply(
        qtbot: Any, tmp_path: Path, virtual_mic: str, spoken_wav: Callable[..., Path]) -> None:
    answer, reply = spoken_wav(ANSWER, 170), spoken_wav(REPLY, 170)
    (paths.user_scripts_dir() / "conversation.yaml").write_text(SCRIPT_YAML, encoding="utf-8")
    settings = SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))
    settings.save_practice_settings(PracticeSettings(speak_questions=True, llm_enabled=False,
                                                     silence_stop_s=SILENCE_S, follow_ups=True))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    pick = window.pick_screen

    def chosen() -> bool:
        for row in range(pick.script_list.count()):
            if pick.script_list.item(row).text().startswith("Conversation journey"):
                pick.script_list.setCurrentRow(row)
        script = pick.current_script()
        return script is not None and script.title == "Conversation journey"

    qtbot.waitUntil(chosen, timeout=10_000)
    practice = window.practice_screen
    with SinkEar(tmp_path / "ear.raw") as ear:
        started = time.monotonic()
        qtbot.mouseClick(pick.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: practice.phase == Phase.RECORDING, timeout=60_000)
        time.sleep(0.5)
        finish_playing(play_into_mic(answer))
        # A silence ends the answer; the follow-up is read aloud, then the reply recorded.
        qtbot.waitUntil(lambda: practice.question_label.text() == FOLLOW_UP, timeout=60_000)
        qtbot.waitUntil(lambda: practice.phase == Phase.RECORDING, timeout=60_000)
        reply_started = time.monotonic() - started
        time.sleep(0.5)
        finish_playing(play_into_mic(reply))
        qtbot.waitUntil(lambda: practice.phase == Phase.FEEDBACK, timeout=60_000)
        ear.stop()

    words = heard(ear)
    asked = when(words, QUESTION_WORDS, "question")
    answered = when(words, ANSWER_WORDS, "answer")
    followed = when(words, FOLLOW_UP_WORDS - ANSWER_WORDS, "follow-up")
    replied = when(words, REPLY_WORDS - FOLLOW_UP_WORDS, "reply")
    assert asked < answered < followed < replied, words
    # The follow-up was heard before the reply's recording began.
    assert followed < reply_started, (followed, reply_started)

    qtbot.waitUntil(lambda: practice.thread_tabs.isVisible(), timeout=30_000)
    assert practice.thread_tabs.count() == 2
    first, second = sorted(Store().list_attempts(), key=lambda a: a.id)
    assert second.follow_up_to == first.id and second.asked_by == "script"
    assert second.question_text == FOLLOW_UP
    assert "was not heard in these words" in (second.ask_reason or "")
    assert first.stop_reason == second.stop_reason == "silence"
    assert_reply_holds_no_interviewer(Path(second.audio_path))
    window.close()


def test_the_terminal_asks_a_follow_up_aloud_and_records_the_reply(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, virtual_mic: str,
        spoken_wav: Callable[..., Path]) -> None:
    answer, reply = spoken_wav(ANSWER, 170), spoken_wav(REPLY, 170)
    script = tmp_path / "conversation.yaml"
    script.write_text(SCRIPT_YAML, encoding="utf-8")
    result: dict[str, int] = {}

    def practise() -> None:
        result["code"] = main(["practice", "--script", str(script), "--no-gui", "--no-llm",
                               "--follow-ups", "--silence", str(SILENCE_S), "--max-seconds", "60"])

    def recording(count: int) -> float:
        deadline = time.monotonic() + 60
        while len(Store().list_attempts()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(Store().list_attempts()) >= count, f"recording {count} never started"
        return time.monotonic()

    with SinkEar(tmp_path / "ear.raw") as ear:
        started = time.monotonic()
        runner = threading.Thread(target=practise)
        runner.start()
        recording(1)
        time.sleep(0.5)
        finish_playing(play_into_mic(answer))
        reply_started = recording(2) - started
        time.sleep(0.5)
        finish_playing(play_into_mic(reply))
        runner.join(timeout=180)
        ear.stop()
    assert not runner.is_alive()
    assert result["code"] == 0
    out = capsys.readouterr().out
    assert out.index(QUESTION) < out.index("Follow-up") < out.index(FOLLOW_UP)
    assert "asked because 'say which graphs you watched' was not heard in these words" in out
    words = heard(ear)
    followed = when(words, FOLLOW_UP_WORDS - ANSWER_WORDS, "follow-up")
    assert when(words, ANSWER_WORDS, "answer") < followed < when(words, REPLY_WORDS - FOLLOW_UP_WORDS,
                                                                  "reply")
    assert followed < reply_started
    first, second = sorted(Store().list_attempts(), key=lambda a: a.id)
    assert second.follow_up_to == first.id and second.question_text == FOLLOW_UP
    assert_reply_holds_no_interviewer(Path(second.audio_path))


class Said(PracticeListener):
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.stops: list[str] = []
        self.finished = threading.Event()

    def interviewer_said(self, text: str) -> None:
        self.lines.append(text)

    def recording_stopped(self, duration_s: float, reason: str) -> None:
        self.stops.append(reason)

    def interview_finished(self, session_id: int) -> None:
        self.finished.set()


def test_a_three_minute_answer_is_cut_at_two_and_a_half_minutes_with_an_interjection_heard(
        tmp_path: Path, virtual_mic: str, spoken_answer: Callable[..., Path],
        spoken_wav: Callable[..., Path]) -> None:
    # Three minutes of speech, fed faster than real time: the cut is on the recording's clock.
    story = read_audio_16k(spoken_answer(STAR_SENTENCES, pause_s=0.8))
    long_answer = np.tile(story, 180 * SAMPLE_RATE // story.size + 1)[: 180 * SAMPLE_RATE]
    answer_wav = write_wav_16k(tmp_path / "three-minutes.wav", long_answer)
    closing_wav = spoken_wav("How does the team share the on-call rota?", 170)
    script = parse_script("""
title: Interruption
role: Site reliability engineer
questions:
  - id: story
    text: Tell me about a busy week.
    time_guide: 1-2 min
""", "interruption.yaml")
    wavs = iter([answer_wav, closing_wav])
    listener = Said()
    session = PracticeSession(script, script.questions, PracticeSettings(
        mock=True, speak_questions=True, llm_enabled=False), listener, store=Store(),
        source_factory=lambda _q: WavFileSource(next(wavs), realtime=False))
    with SinkEar(tmp_path / "ear.raw") as ear:
        try:
            session.begin()
            assert listener.finished.wait(400), listener.lines
        finally:
            session.close()
        ear.stop()
    assert listener.stops[0] == "interrupted"
    interjection = "Thanks, I'll stop you there so we keep to time."
    assert interjection in listener.lines
    first = min(Store().list_attempts(session.session_id), key=lambda a: a.id)
    assert first.stop_reason == "interrupted"
    assert first.duration_s == pytest.approx(150.0, abs=3.0)
    kept = read_audio_16k(Path(first.audio_path))
    # Everything said up to the cut is in the recording.
    assert abs(kept.size - 150 * SAMPLE_RATE) <= 3 * SAMPLE_RATE
    assert np.abs(kept - long_answer[: kept.size]).max() < 1e-3
    words = heard(ear)
    # (Whisper tiny hears "busy week" as "him is he weak": the question's own words vary.)
    assert when(words, {"tell", "week", "weak"}, "question") < when(words, {"stop", "keep"},
                                                                    "interjection")


MOCK_YAML = f"""\
title: Hands-free mock
role: Site reliability engineer
questions:
  - id: health
    text: {QUESTION}
    time_guide: 2-30s
    follow_up_guide: 2-30s
    key_points:
      - id: rollback
        text: Say that you rolled the release back
        cues: [rolled back, roll back]
      - id: watch
        text: Say which graphs you watched
        cues: [error graphs, graphs, dashboards]
    follow_ups:
      - text: {FOLLOW_UP}
        probes: [watch]
  - id: handover
    text: How do you hand over an on-call shift?
    time_guide: 2-30s
    follow_up_guide: 2-30s
    key_points:
      - text: Write a note
        cues: [written note, note]
    follow_ups:
      - Who reads the note first?
"""
HANDOVER = "How do you hand over an on-call shift?"
NOTE_FOLLOW_UP = "Who reads the note first?"
CLOSING = "That's all from me. Do you have any questions for us?"
# What the candidate says to each question as asked (a mock interview shuffles the two).
MOCK_ANSWERS = {
    QUESTION: ANSWER, FOLLOW_UP: REPLY,
    HANDOVER: "I write a short written note with the open incidents and walk my colleague through it.",
    NOTE_FOLLOW_UP: "The next engineer goes through it before starting.",
    CLOSING: "How does the team share the rota?"}
# Words only the interviewer's line has, for the ear.
MOCK_WORDS = {QUESTION: QUESTION_WORDS, FOLLOW_UP: FOLLOW_UP_WORDS - ANSWER_WORDS,
              HANDOVER: {"hand", "over"}, NOTE_FOLLOW_UP: {"reads", "who"}, CLOSING: {"us"}}


def test_a_two_question_mock_interview_runs_hands_free_from_opening_to_goodbye(
        qtbot: Any, tmp_path: Path, virtual_mic: str, spoken_wav: Callable[..., Path]) -> None:
    wavs = {asked: spoken_wav(text, 170) for asked, text in MOCK_ANSWERS.items()}
    (paths.user_scripts_dir() / "hands-free.yaml").write_text(MOCK_YAML, encoding="utf-8")
    settings = SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))
    settings.save_practice_settings(PracticeSettings(speak_questions=True, llm_enabled=False,
                                                     silence_stop_s=SILENCE_S))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    pick = window.pick_screen

    def chosen() -> bool:
        for row in range(pick.script_list.count()):
            if pick.script_list.item(row).text().startswith("Hands-free mock"):
                pick.script_list.setCurrentRow(row)
        script = pick.current_script()
        return script is not None and script.title == "Hands-free mock"

    qtbot.waitUntil(chosen, timeout=10_000)
    pick.mock_box.setChecked(True)
    practice = window.practice_screen
    headings: list[str] = []
    with SinkEar(tmp_path / "ear.raw") as ear:
        qtbot.mouseClick(pick.start_button, Qt.MouseButton.LeftButton)
        # No key is pressed from here on: think time starts each recording, a silence ends it.
        for count in range(1, len(wavs) + 1):
            qtbot.waitUntil(lambda c=count: practice.phase == Phase.RECORDING
                            and len(Store().list_attempts()) == c, timeout=120_000)
            headings.append(practice.question_label.text())
            time.sleep(0.5)
            finish_playing(play_into_mic(wavs[headings[-1]]))
        qtbot.waitUntil(lambda: practice.pages.currentWidget() is practice.mock_report,
                        timeout=120_000)
        ear.stop()

    follow_up_of = {QUESTION: FOLLOW_UP, HANDOVER: NOTE_FOLLOW_UP}
    first = headings[0]
    second = HANDOVER if first == QUESTION else QUESTION
    assert headings == [first, follow_up_of[first], second, follow_up_of[second], CLOSING]
    words = heard(ear)
    order = [when(words, {"hiring", "panel"}, "opening"),
             *(when(words, MOCK_WORDS[asked], asked) for asked in headings),
             when(words, {"touch"}, "goodbye")]
    assert order == sorted(order), (order, words)
    rows = practice.mock_report.rows()
    assert [r[0] for r in rows] == ["1", "↳ follow-up", "2", "↳ follow-up", "Closing"]
    assert [r[1] for r in rows] == headings
    attempts = sorted(Store().list_attempts(), key=lambda a: a.id)
    assert [a.asked_by for a in attempts] == ["question", "script", "question", "script", "interviewer"]
    assert all(a.stop_reason == "silence" for a in attempts)
    window.close()


def test_the_interjection_is_said_after_the_cut_and_never_recorded(
        tmp_path: Path, virtual_mic: str, spoken_answer: Callable[..., Path]) -> None:
    # A ten-second answer into the microphone; the guide's maximum is 4 s and the margin
    # 2 s, so the interviewer cuts in at 6 s while the candidate is still talking.
    answer = spoken_answer(STAR_SENTENCES[:3], pause_s=0.3)
    script = parse_script("""
title: Cut in
role: Site reliability engineer
questions:
  - id: story
    text: Tell me about a busy week.
    time_guide: 2-4 s
""", "cut.yaml")
    listener = Said()
    recording = threading.Event()
    listener.recording_started = lambda _id: recording.set()  # type: ignore[method-assign]
    session = PracticeSession(script, script.questions, PracticeSettings(
        speak_questions=True, llm_enabled=False, follow_ups=False, interrupt_long_answers=True,
        interruption_margin_s=2.0), listener, store=Store())
    with SinkEar(tmp_path / "ear.raw") as ear:
        try:
            session.begin()
            assert recording.wait(60)
            time.sleep(0.3)
            finish_playing(play_into_mic(answer))
            assert session.wait_idle(120)
        finally:
            session.close()
        ear.stop()
    assert listener.stops == ["interrupted"]
    (attempt,) = Store().list_attempts(session.session_id)
    assert attempt.duration_s == pytest.approx(6.0, abs=0.05)
    recorded = {w for w, _ in word_times(whisper_tiny(), read_audio_16k(Path(attempt.audio_path)))}
    interjection = {"stop", "keep", "thanks"}
    assert recorded & {"last", "job", "billing", "shop"}, recorded
    assert not recorded & interjection, f"the interjection reached the answer: {recorded}"
    # It was said, over the rest of the answer (the ear hears a jumble of both; the test of
    # the three-minute answer hears it alone).
    assert listener.lines == ["Thanks, I'll stop you there so we keep to time."]


def test_the_terminal_runs_a_mock_interview_of_the_questions_chosen(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, virtual_mic: str,
        spoken_wav: Callable[..., Path]) -> None:
    script = tmp_path / "conversation.yaml"
    script.write_text(MOCK_YAML, encoding="utf-8")
    answers = [spoken_wav(text, 170) for text in (MOCK_ANSWERS[HANDOVER], MOCK_ANSWERS[NOTE_FOLLOW_UP],
                                                  MOCK_ANSWERS[CLOSING])]
    result: dict[str, int] = {}

    def practise() -> None:
        result["code"] = main(["practice", "--script", str(script), "--no-gui", "--no-llm",
                               "--no-speak", "--mock", "--question", "handover",
                               "--silence", str(SILENCE_S), "--max-seconds", "60"])

    runner = threading.Thread(target=practise)
    runner.start()
    for count, wav in enumerate(answers, start=1):
        deadline = time.monotonic() + 60
        while len(Store().list_attempts()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(Store().list_attempts()) == count, f"recording {count} never started"
        time.sleep(0.5)
        finish_playing(play_into_mic(wav))
    runner.join(timeout=120)
    assert not runner.is_alive() and result["code"] == 0
    out = capsys.readouterr().out
    # One question asked (the one chosen), its follow-up, the closing question, then the
    # report of all three at the end.
    order = [out.index("Interviewer: Hello"), out.index(HANDOVER), out.index(NOTE_FOLLOW_UP),
             out.index("Closing question"), out.index("Interviewer: Thank you for your time"),
             out.index("The interview is over. Your answers:")]
    assert order == sorted(order), out
    report = out[order[-1]:]
    assert f"— Question 1 of 1: {HANDOVER}" in report
    assert f"— Follow-up: {NOTE_FOLLOW_UP}" in report and "— Closing question:" in report
    assert QUESTION not in out
    attempts = sorted(Store().list_attempts(), key=lambda a: a.id)
    assert [a.asked_by for a in attempts] == ["question", "script", "interviewer"]
