"""The practice flow end to end, Qt-free: real TTS speech, real live transcription,
the real coach and the real store; the microphone is a WAV file played at speaking pace.

The quick tests take the same flow through its refined and reviewed saves with the
candidate's marks, with only Whisper replaced (tests/scripted_flow.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from app.practice import Phase, PracticeListener, PracticeSession, PracticeSettings
from app.store import Store
from audio.sources import WavFileSource
from audio.tts import synthesize_to_wav
from interview_scripts.loader import parse_script
from models.coach.feedback_model import Feedback
from models.coach.overrides import mark_key_point, unmark_key_point
from tests.ollama_loopback import OllamaLoopback
from tests.outage_story import OUTAGE_SCRIPT
from tests.scripted_flow import UNHEARD_POINT, ScriptedEar

pytest_plugins = ("tests.ollama_loopback", "tests.scripted_flow")

SCRIPT = """
title: Flow test
role: Tester
questions:
  - id: outage
    text: Tell me about an outage you handled.
    time_guide: 3-6 s
    framework: STAR
    key_points:
      - text: Restored the service
        cues: [restored the service]
      - text: Blameless post-mortem
        cues: [post mortem, postmortem]
"""

ANSWER = "The database crashed. I restored the service in forty minutes and ran a blameless post mortem."


class Recorder(PracticeListener):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.bands: list[str] = []
        self.feedback_seen = threading.Event()
        self.finished = threading.Event()

    def phase_changed(self, phase: Phase) -> None:
        self.events.append(("phase", phase))

    def recording_tick(self, elapsed_s: float, level: float, band: str) -> None:
        if not self.bands or self.bands[-1] != band:
            self.bands.append(band)

    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None:
        self.events.append(("feedback", feedback))
        self.feedback_seen.set()

    def transcript_refined(self, attempt_id: int, feedback: Feedback) -> None:
        self.events.append(("refined", feedback))

    def error(self, message: str) -> None:
        self.events.append(("error", message))

    def interview_finished(self, session_id: int) -> None:
        self.finished.set()


@pytest.fixture(scope="module")
def answer_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize_to_wav(ANSWER, tmp_path_factory.mktemp("flow") / "answer.wav", rate_wpm=150)


@pytest.mark.slow
def test_an_answer_is_recorded_transcribed_coached_and_saved(answer_wav: Path) -> None:
    script = parse_script(SCRIPT, "flow.yaml")
    listener = Recorder()
    store = Store()
    session = PracticeSession(
        script, script.questions,
        PracticeSettings(speak_questions=False, llm_enabled=False),
        listener, store=store,
        source_factory=lambda _q: WavFileSource(answer_wav, realtime=True),
    )
    try:
        session.begin()
        assert listener.feedback_seen.wait(90), listener.events
        session.end()
        assert listener.finished.wait(30)
    finally:
        session.close()

    feedback = next(v for k, v in listener.events if k == "feedback")
    assert "restored" in feedback.transcript.text.lower()
    statuses = {k.text: k.status for k in feedback.key_points}
    assert statuses["Restored the service"] == "covered"
    assert listener.bands[:2] == ["keep_going", "in_zone"]
    assert not [e for e in listener.events if e[0] == "error"]

    attempts = store.list_attempts(session.session_id)
    assert len(attempts) == 1
    attempt = attempts[0]
    assert attempt.status == "complete"
    assert Path(attempt.audio_path).is_file()
    assert attempt.feedback is not None and attempt.feedback.question_id == "outage"
    assert attempt.transcript is not None and attempt.transcript["words"]
    # The instant feedback came first, then the whole-answer pass replaced it; what was
    # saved is the refined one, and it is what coaching the saved recording gives.
    kinds = [k for k, _ in listener.events if k in ("feedback", "refined")]
    assert kinds == ["feedback", "refined"]
    refined = next(v for k, v in listener.events if k == "refined")
    assert attempt.feedback == refined
    assert attempt.transcript["words"] == refined.transcript.model_dump()["words"]
    from models.answer_pipeline import coach_recording
    from models.transcriber import load_transcriber

    again = coach_recording(script.questions[0], load_transcriber(), path=Path(attempt.audio_path))
    assert again.transcript.to_dict()["words"] == attempt.transcript["words"]


# -- the candidate's marks through the refined and reviewed saves (quick) ----------------


class Marks(PracticeListener):
    """The candidate marks the point the words missed as soon as the instant feedback
    shows, saved with the attempt as the window saves it (on this worker, so before the
    flow goes on); ``take_back`` also undoes it once the refined feedback arrives, before
    the review is saved."""

    def __init__(self, store: Store, take_back: bool = False) -> None:
        self.store = store
        self.take_back = take_back
        self.seen: dict[str, Feedback] = {}
        self.errors: list[str] = []
        self.reviewed = threading.Event()

    @staticmethod
    def index(feedback: Feedback) -> int:
        return next(i for i, p in enumerate(feedback.key_points) if p.text == UNHEARD_POINT)

    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None:
        self.seen["instant"] = feedback
        self.store.update_feedback(attempt_id, mark_key_point(feedback, self.index(feedback)))

    def transcript_refined(self, attempt_id: int, feedback: Feedback) -> None:
        self.seen["refined"] = feedback
        if self.take_back:
            stored = self.store.get_attempt(attempt_id).feedback
            assert stored is not None
            self.store.update_feedback(attempt_id, unmark_key_point(stored, self.index(stored)))

    def llm_done(self, attempt_id: int, feedback: Feedback) -> None:
        self.seen["reviewed"] = feedback
        self.reviewed.set()

    def error(self, message: str) -> None:
        self.errors.append(message)


def practise_with_marks(listener: Marks, store: Store, answer: Path, host: str) -> int:
    script = parse_script(OUTAGE_SCRIPT, "outage.yaml")
    session = PracticeSession(
        script, script.questions,
        PracticeSettings(speak_questions=False, ollama_host=host),
        listener, store=store,
        source_factory=lambda _q: WavFileSource(answer, realtime=False),
    )
    try:
        session.begin()
        assert listener.reviewed.wait(60), listener.errors
        session.end()
        assert session.wait_finished(30)
    finally:
        session.close()
    assert listener.errors == []
    assert session.session_id is not None
    (attempt,) = store.list_attempts(session.session_id)
    return attempt.id


def test_a_mark_on_the_instant_feedback_is_saved_with_the_refined_and_reviewed_feedback(
        scripted_ear: ScriptedEar, tone_answer: Path, ollama_loopback: OllamaLoopback) -> None:
    store = Store()
    listener = Marks(store)
    attempt_id = practise_with_marks(listener, store, tone_answer, ollama_loopback.host)

    instant, refined, reviewed = (listener.seen[k] for k in ("instant", "refined", "reviewed"))
    i = Marks.index(instant)
    # The live pass heard nothing; the whole-answer pass heard the story, and the flow saved
    # that transcript: the refined feedback really is newer than the one marked.
    assert instant.transcript.words == [] and scripted_ear.full_passes == 1
    assert refined.transcript.text.startswith("Last winter")
    assert reviewed.llm is not None
    for feedback in (refined, reviewed):
        point = feedback.key_points[i]
        assert (point.status, point.candidate_says) == ("not_heard", "covered")
    attempt = store.get_attempt(attempt_id)
    assert attempt.transcript is not None
    assert [w["word"] for w in attempt.transcript["words"]] == refined.transcript.text.split()
    saved = attempt.feedback
    assert saved is not None and saved.llm is not None  # the review's save is the last
    assert saved.key_points[i].candidate_says == "covered"
    assert saved.key_points[i].effective_status == "covered"


def test_a_mark_taken_back_before_the_review_is_saved_stays_taken_back(
        scripted_ear: ScriptedEar, tone_answer: Path, ollama_loopback: OllamaLoopback) -> None:
    store = Store()
    listener = Marks(store, take_back=True)
    attempt_id = practise_with_marks(listener, store, tone_answer, ollama_loopback.host)

    i = Marks.index(listener.seen["instant"])
    # The review was built on the refined feedback, which still had the mark ...
    assert listener.seen["refined"].key_points[i].candidate_says == "covered"
    # ... yet what is saved, and what the listener is told, has the store's word: none.
    assert listener.seen["reviewed"].key_points[i].candidate_says is None
    saved = store.get_attempt(attempt_id).feedback
    assert saved is not None and saved.llm is not None
    assert saved.key_points[i].candidate_says is None
    assert saved.key_points[i].effective_status == "not_heard"
