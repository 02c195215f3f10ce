"""The practice flow end to end, Qt-free: real TTS speech, real live transcription,
the real coach and the real store; the microphone is a WAV file played at speaking pace."""

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

pytestmark = pytest.mark.slow

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
