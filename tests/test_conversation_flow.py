"""The interviewer that talks back, through the real flow, Qt-free: real TTS speech as the
candidate (fed faster than real time), real live transcription, the real coach and store.

Follow-ups from the script (the one that presses on the key point not heard), the reply
saved linked to its answer with where its question came from and why, the point the
reply made counted as covered in the follow-up; a mock interview that runs by itself
from the opening to the goodbye; an answer cut by the interviewer on its own clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.conversation import Turn
from app.interviewer import CLOSING_QUESTION_ID
from app.practice import Phase, PracticeListener, PracticeSession, PracticeSettings
from app.store import Store
from audio.audio_file import SAMPLE_RATE, read_audio_16k, write_wav_16k
from audio.sources import WavFileSource
from interview_scripts.loader import parse_script
from models.coach.feedback_model import Feedback
from tests.ollama_loopback import OllamaLoopback, reply_from_format
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures
from tests.speech_fixtures import STAR_SENTENCES

pytestmark = pytest.mark.slow
pytest_plugins = ("tests.ollama_loopback",)

SCRIPT = """
title: Follow-up flow
role: Site reliability engineer
questions:
  - id: rollback
    text: Tell me about a release you had to roll back.
    time_guide: 2-4 s
    follow_up_guide: 1-3 s
    key_points:
      - id: rollback
        text: Say that you rolled the release back
        cues: [rolled back, roll back]
      - id: watch
        text: Say what you watched to confirm the fix
        cues: [dashboards, dashboard]
    follow_ups:
      - What would you do differently next time?
      - text: What did you watch to know it was fixed?
        probes: [watch]
  - id: handover
    text: How do you hand over an on-call shift?
    time_guide: 2-4 s
    key_points:
      - text: Write a handover note
        cues: [handover note, written note]
    follow_ups:
      - Who reads the note?
"""
ANSWER = "We rolled back the release at once and told the team."
REPLY = "I watched the dashboards until the errors stopped."
HANDOVER = "I write a short handover note and walk the next person through it."
NOTE_READER = "The next engineer on call reads it before the shift."
CLOSING_REPLY = "What does a normal week look like for the team?"


class Conversation(PracticeListener):
    """Everything the flow says, in order."""

    def __init__(self) -> None:
        self.said: list[tuple[str, Any]] = []
        self.stops: list[str] = []
        self.feedback: dict[int, Feedback] = {}
        self.done = threading.Event()
        self.finished = threading.Event()
        self.errors: list[str] = []
        self.times: list[tuple[str, float]] = []  # when each recording stopped, each turn came

    def question_shown(self, index: int, total: int, question: Any) -> None:
        self.said.append(("question", question.text))

    def turn_shown(self, turn: Turn) -> None:
        self.times.append(("turn", time.monotonic()))
        self.said.append(("closing" if turn.is_closing else "follow_up", turn))

    def interviewer_said(self, text: str) -> None:
        self.said.append(("interviewer", text))

    def notice(self, message: str) -> None:
        self.said.append(("notice", message))

    def recording_stopped(self, duration_s: float, reason: str) -> None:
        self.times.append(("stopped", time.monotonic()))
        self.stops.append(reason)

    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback[attempt_id] = feedback

    def follow_up_folded(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback[attempt_id] = feedback

    def phase_changed(self, phase: Phase) -> None:
        if phase == Phase.FEEDBACK:
            self.done.set()

    def error(self, message: str) -> None:
        self.errors.append(message)

    def interview_finished(self, session_id: int) -> None:
        self.finished.set()


class Answers:
    """The microphone stand-in: each recording plays the next WAV, as fast as it is taken."""

    def __init__(self, wavs: list[Path]) -> None:
        self.wavs = wavs
        self.asked: list[str] = []

    def __call__(self, question: Any) -> WavFileSource:
        self.asked.append(question.text)
        return WavFileSource(self.wavs[len(self.asked) - 1], realtime=False)


def run(settings: PracticeSettings, wavs: list[Path], questions: int = 1,
        until: str = "done") -> tuple[PracticeSession, Conversation, Answers]:
    script = parse_script(SCRIPT, "flow.yaml")
    listener = Conversation()
    answers = Answers(wavs)
    session = PracticeSession(script, script.questions[:questions], settings, listener,
                              store=Store(), source_factory=answers)
    try:
        session.begin()
        event = listener.done if until == "done" else listener.finished
        assert event.wait(150), (listener.said, listener.errors)
        assert session.wait_idle(120)
        if until == "done":
            session.end()
            assert listener.finished.wait(60)
    finally:
        session.close()
    return session, listener, answers


def quiet(settings: PracticeSettings | None = None, **changes: Any) -> PracticeSettings:
    base = settings or PracticeSettings(speak_questions=False, llm_enabled=False)
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def test_the_follow_up_presses_on_the_point_not_heard_and_the_reply_is_linked(
        spoken_wav: Callable[..., Path]) -> None:
    session, listener, answers = run(quiet(follow_ups=True),
                                     [spoken_wav(ANSWER), spoken_wav(REPLY)])
    assert not listener.errors
    # The answer gave the rollback, not what was watched: the follow-up probing "watch".
    follow_ups = [turn for kind, turn in listener.said if kind == "follow_up"]
    assert [t.question.text for t in follow_ups] == ["What did you watch to know it was fixed?"]
    assert answers.asked == ["Tell me about a release you had to roll back.",
                             "What did you watch to know it was fixed?"]
    reply_turn = follow_ups[0]
    assert reply_turn.asked_by == "script"
    assert reply_turn.reason == ("asked because 'say what you watched to confirm the fix' was "
                                 "not heard in these words")
    # The reply has the follow-up's own guide and is checked for the point left open.
    assert reply_turn.question.time_guide.text == "1-3 s"
    assert [p.text for p in reply_turn.question.key_points] == ["Say what you watched to confirm the fix"]

    store = Store()
    answer, reply = sorted(store.list_attempts(session.session_id), key=lambda a: a.id)
    assert answer.follow_up_to is None and answer.asked_by == "question"
    assert reply.follow_up_to == answer.id and reply.asked_by == "script"
    assert reply.question_text == "What did you watch to know it was fixed?"
    assert reply.ask_reason == reply_turn.reason
    assert answer.stop_reason == reply.stop_reason == "end_of_input"
    # The first answer's feedback, as saved: the point made in the reply counts as covered
    # in the follow-up, its own status is still what the answer showed.
    watched = {k.text: k for k in answer.feedback.key_points}["Say what you watched to confirm the fix"]
    assert watched.status == "not_heard" and watched.in_follow_up
    assert watched.effective_status == "covered"
    assert watched.follow_up["attempt_id"] == reply.id
    assert "dashboard" in (watched.follow_up["evidence"] or "").lower()
    assert answer.summary is not None and answer.summary.covered == 2


def test_without_follow_ups_in_the_script_the_interviewer_moves_on_and_says_so_once(
        spoken_wav: Callable[..., Path]) -> None:
    script = parse_script(SCRIPT.replace("    follow_ups:\n      - Who reads the note?\n", ""),
                          "flow.yaml")
    listener = Conversation()
    answers = Answers([spoken_wav(HANDOVER)])
    session = PracticeSession(script, [script.question("handover")], quiet(follow_ups=True),
                              listener, store=Store(), source_factory=answers)
    try:
        session.begin()
        assert listener.done.wait(120), listener.said
        session.end()
        assert listener.finished.wait(60)
    finally:
        session.close()
    notices = [m for kind, m in listener.said if kind == "notice"]
    assert len(notices) == 1 and "moves on" in notices[0]
    assert not [t for kind, t in listener.said if kind == "follow_up"]
    assert len(Store().list_attempts(session.session_id)) == 1


def test_a_two_question_mock_interview_runs_by_itself_from_opening_to_goodbye(
        spoken_wav: Callable[..., Path]) -> None:
    wavs = [spoken_wav(ANSWER), spoken_wav(REPLY), spoken_wav(HANDOVER), spoken_wav(NOTE_READER),
            spoken_wav(CLOSING_REPLY)]
    session, listener, _ = run(quiet(mock=True), wavs, questions=2, until="finished")
    assert not listener.errors
    kinds = [kind for kind, _ in listener.said]
    assert kinds == ["interviewer", "question", "follow_up", "interviewer", "question",
                     "follow_up", "closing", "interviewer"]
    lines = [text for kind, text in listener.said if kind == "interviewer"]
    assert "2 questions" in lines[0] and "I'm Sam" in lines[0]
    assert lines[1] == "Thank you. One last question."
    assert "We'll be in touch" in lines[2]
    attempts = sorted(Store().list_attempts(session.session_id), key=lambda a: a.id)
    assert [a.asked_by for a in attempts] == ["question", "script", "question", "script",
                                              "interviewer"]
    assert [a.follow_up_to for a in attempts] == [None, attempts[0].id, None, attempts[2].id, None]
    closing = attempts[-1]
    assert closing.question_id == CLOSING_QUESTION_ID
    assert closing.question_text.endswith("Do you have any questions for us?")
    assert closing.feedback is not None and closing.feedback.key_points == []
    assert Store().get_session(session.session_id).ended_at is not None


def test_an_answer_far_past_its_guide_is_cut_on_the_recordings_own_clock(
        spoken_answer: Callable[..., Path], tmp_path: Path) -> None:
    # Twelve seconds of answer to a 2-4 s question, cut 3 s past the maximum: at 7 s.
    speech = read_audio_16k(spoken_answer(STAR_SENTENCES[:3], pause_s=0.3))
    long_answer = np.concatenate([speech, np.zeros(max(0, 12 * SAMPLE_RATE - speech.size), np.float32)])
    wav = write_wav_16k(tmp_path / "long.wav", long_answer[: 12 * SAMPLE_RATE])
    settings = quiet(follow_ups=False, interrupt_long_answers=True, interruption_margin_s=3.0)
    session, listener, _ = run(settings, [wav])
    assert listener.stops == ["interrupted"]
    lines = [text for kind, text in listener.said if kind == "interviewer"]
    assert lines == ["Thanks, I'll stop you there so we keep to time."]
    (attempt,) = Store().list_attempts(session.session_id)
    assert attempt.stop_reason == "interrupted"
    assert attempt.duration_s == pytest.approx(7.0, abs=0.01)
    kept = read_audio_16k(Path(attempt.audio_path))
    # Everything said up to the cut is in the recording, sample for sample.
    assert kept.size == 7 * SAMPLE_RATE
    assert np.abs(kept - long_answer[: kept.size]).max() < 1e-3
    assert "billing" in attempt.feedback.transcript.text.lower()


LLM_FOLLOW_UP = {"quote": "rolled back the release",
                 "question": "Who decided to roll back the release, and how?"}


def llm_settings(server: OllamaLoopback, budget_s: float = 20.0) -> PracticeSettings:
    # The loopback answers at once: this budget is only a ceiling, wide enough for a test
    # machine busy with other work.
    return PracticeSettings(speak_questions=False, llm_enabled=True, ollama_host=server.host,
                            follow_ups=True, follow_up_budget_s=budget_s)


def follow_ups_only(reply: Any) -> Callable[[dict[str, Any]], Any]:
    """The model's reply to the follow-up request; the review gets what its schema asks."""
    def answer(body: dict[str, Any]) -> Any:
        if "quote" in body["format"].get("properties", {}):
            return reply
        return reply_from_format(body["format"])
    return answer


def asked(listener: Conversation) -> Turn:
    (turn,) = [t for kind, t in listener.said if kind == "follow_up"]
    return turn


def test_the_local_models_follow_up_that_quotes_the_answer_is_asked(
        ollama_loopback: OllamaLoopback, spoken_wav: Callable[..., Path]) -> None:
    ollama_loopback.script_reply(follow_ups_only(LLM_FOLLOW_UP))
    session, listener, answers = run(llm_settings(ollama_loopback), [spoken_wav(ANSWER), spoken_wav(REPLY)])
    turn = asked(listener)
    assert turn.asked_by == "llm" and turn.question.text == LLM_FOLLOW_UP["question"]
    assert turn.reason.startswith("asked because you said “rolled back the release")
    assert answers.asked[1] == LLM_FOLLOW_UP["question"]
    answer, reply = sorted(Store().list_attempts(session.session_id), key=lambda a: a.id)
    assert (reply.asked_by, reply.follow_up_to, reply.question_text) == (
        "llm", answer.id, LLM_FOLLOW_UP["question"])
    assert session.llm_follow_ups_dropped == 0


def test_one_that_quotes_nothing_said_is_dropped_counted_and_the_scripts_is_asked(
        ollama_loopback: OllamaLoopback, spoken_wav: Callable[..., Path]) -> None:
    ollama_loopback.script_reply(follow_ups_only({"quote": "we migrated the billing database",
                                                  "question": "Why migrate the billing database?"}))
    session, listener, _ = run(llm_settings(ollama_loopback), [spoken_wav(ANSWER), spoken_wav(REPLY)])
    turn = asked(listener)
    assert turn.asked_by == "script" and turn.question.text == "What did you watch to know it was fixed?"
    assert turn.reason.endswith("(the local model's follow-up quoted nothing you said)")
    assert session.llm_follow_ups_dropped == 1
    assert any("dropped (1 so far)" in m for kind, m in listener.said if kind == "notice")
    reply = max(Store().list_attempts(session.session_id), key=lambda a: a.id)
    assert reply.asked_by == "script" and reply.ask_reason == turn.reason


@pytest.mark.parametrize(("mode", "why"), [
    ("slow", ("the local model gave none within 2 s",)),
    # On a busy machine the refusal may come after the budget: either way, the script's.
    ("busy", ("no follow-up from the local model: Ollama at", "gave none within 2 s")),
    ("down", ("no follow-up from the local model: Ollama is not running", "gave none within 2 s")),
])
def test_a_late_busy_or_dead_server_falls_back_to_the_script_without_a_stall(
        ollama_loopback: OllamaLoopback, spoken_wav: Callable[..., Path], mode: str,
        why: tuple[str, ...]) -> None:
    ollama_loopback.script_reply(follow_ups_only(LLM_FOLLOW_UP))
    ollama_loopback.slow_s = 30.0
    # Only the follow-up's requests meet the trouble (a 503 is asked again once); the
    # reviews after it find the server well, so the test does not wait on them.
    ollama_loopback.set_mode(mode, times={"slow": 1, "busy": 2}.get(mode))
    _, listener, _ = run(llm_settings(ollama_loopback, budget_s=2.0),
                         [spoken_wav(ANSWER), spoken_wav(REPLY)])
    turn = asked(listener)
    assert turn.asked_by == "script" and any(w in turn.reason for w in why), turn.reason
    stopped = next(t for kind, t in listener.times if kind == "stopped")
    came = next(t for kind, t in listener.times if kind == "turn")
    # The budget runs from Stop; the slow server would take 30 s. What is left is the
    # answer's last words transcribed and coached, seconds at most on a busy machine.
    assert came - stopped < 2.0 + 8.0, came - stopped
