"""The answer pipeline, written once: audio in → transcript → coaching → models used.

The practice flow (after a live answer), recovery (a cut-off recording) and
``greenroom feedback`` (any audio file) all call ``coach_recording``. A live answer brings
its own transcript, audio and voice-activity scores, so nothing is read back from disk
and the VAD runs once per answer; a file is read once and scored once.

Two passes for a live answer: the live segments give feedback the moment the answer
stops, then ``refine`` transcribes the whole answer accurately (``transcribe_full``,
as files always are) and coaches it again; that refined transcript is the one saved.

``add_llm_review`` is the optional step after it: the local LLM's review merged into the
typed feedback, and the model named in the record of models used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from interview_scripts.script import Question
from models.coach.feedback_model import Feedback
from models.transcript import Transcript

if TYPE_CHECKING:
    from models.llm_coach import LLMCoach
    from models.transcriber import Transcriber

DETERMINISTIC_COACH = "greenroom-deterministic"


@dataclass(frozen=True)
class ModelsUsed:
    """Which models produced an attempt's transcript and feedback (stored with it)."""

    speech: str
    coach: str = DETERMINISTIC_COACH
    llm: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {"speech": self.speech, "coach": self.coach}
        if self.llm:
            out["llm"] = self.llm
        return out


@dataclass(frozen=True)
class LiveResult:
    """What the live pass already holds when the answer stops."""

    transcript: Transcript
    audio16k: np.ndarray
    probabilities: np.ndarray  # one speech probability per 32 ms VAD window


@dataclass(frozen=True)
class CoachedAnswer:
    transcript: Transcript
    feedback: Feedback
    models: ModelsUsed


def coach_recording(question: Question, transcriber: Transcriber, *,
                    live: LiveResult | None = None, path: Path | None = None,
                    duration_s: float | None = None) -> CoachedAnswer:
    """Transcribe (unless ``live`` already did) and coach one answer.

    Give either ``live`` or ``path``. ``duration_s`` is the recorder's own length, which
    wins when it is longer than the audio the transcript covers.
    """
    from models.coach import coach_answer
    from models.coach.speech_time import measure_speech
    from models.speech_activity import speech_probabilities

    if live is not None:
        transcript, audio, probabilities = live.transcript, live.audio16k, live.probabilities
    elif path is not None:
        from audio.audio_file import read_audio_16k

        audio = read_audio_16k(Path(path))
        probabilities = speech_probabilities(audio)
        transcript = transcriber.transcribe_full(audio, probabilities=probabilities)
    else:
        raise ValueError("coach_recording needs the live result or a path")
    if duration_s is not None:
        transcript.duration_s = max(transcript.duration_s, float(duration_s))
    timing = measure_speech(transcript, audio, probabilities=probabilities)
    feedback = coach_answer(question, transcript, audio, timing=timing)
    return CoachedAnswer(transcript, feedback, ModelsUsed(speech=transcript.model))


def refine(question: Question, transcriber: Transcriber, answer: CoachedAnswer,
           live: LiveResult, should_stop: Callable[[], bool] | None = None
           ) -> CoachedAnswer | None:
    """The live answer transcribed again as a whole, accurately, and coached again.

    The audio is taken exactly as it reads back from the saved 16-bit WAV, so the result
    is what ``coach_recording(path=...)`` gives for the recording; the live pass's voice
    activity is reused. None when ``should_stop`` asked for it to be abandoned.
    """
    from audio.wav_writer import as_saved
    from models.coach import coach_answer
    from models.coach.speech_time import measure_speech

    audio = as_saved(live.audio16k)
    transcript = transcriber.transcribe_full(audio, should_stop=should_stop,
                                             probabilities=live.probabilities, pass_="refined")
    if transcript is None:
        return None
    transcript.duration_s = max(transcript.duration_s, answer.transcript.duration_s)
    timing = measure_speech(transcript, audio, probabilities=live.probabilities)
    feedback = coach_answer(question, transcript, audio, timing=timing)
    return CoachedAnswer(transcript, feedback, answer.models)


def add_llm_review(question: Question, answer: CoachedAnswer, coach: LLMCoach,
                   on_text: Callable[[str], None] | None = None,
                   cancel: threading.Event | None = None) -> CoachedAnswer:
    """The answer with the local LLM's review merged in (or its ``llm_status`` saying why
    not). The LLM coach never raises for server problems, so the deterministic feedback is
    never lost."""
    feedback = coach.coach(question, answer.feedback, on_text=on_text, cancel=cancel)
    llm_model = feedback.llm.model if feedback.llm is not None else None
    models = ModelsUsed(answer.models.speech, answer.models.coach, llm_model)
    return CoachedAnswer(answer.transcript, feedback, models)
