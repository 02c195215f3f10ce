"""The answer pipeline, written once: audio in → transcript → coaching → models used.

The practice flow (after a live answer), recovery (a cut-off recording) and
``greenroom feedback`` (any audio file) all call ``coach_recording``. A live answer brings
its own transcript, audio and voice-activity scores, so nothing is read back from disk
and the VAD runs once per answer; a file is read once and scored once.

Two passes for a live answer: the live segments give feedback the moment the answer
stops, and the accurate pass, which ran stretch by stretch while the candidate spoke
(``models.live_transcription``), gives ``refine`` the transcript that is saved, coached
again; it is what ``transcribe_full`` gives for the recording, as files always are.

``add_llm_review`` is the optional step after it: the local LLM's review merged into the
typed feedback, and the model named in the record of models used.

The stages an answer goes through are named here (``Stage``); each attempt's stage is
saved with it, so an answer cut short between two stages (a crash, a quit) is finished on
the next start: ``refine_recording`` and ``add_llm_review`` do each remaining stage from
the recording on disk.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
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


class Stage(enum.StrEnum):
    """How far an answer has come, in order; the value is what the store keeps.

    - ``recorded``: the recording is on disk (being made, or made), nothing else saved;
    - ``live_coached``: the instant feedback on the live transcript is saved;
    - ``refined``: the accurate transcript and the feedback on it are saved;
    - ``reviewed``: the review step is over: the local LLM's review is merged in, or none
      was asked for, or the feedback's ``llm_status`` says why there is none.

    A recording coached from its file (recovery, a live pass that failed) goes straight
    from ``recorded`` to ``refined``: the file pass is the accurate one.
    """

    RECORDED = "recorded"
    LIVE_COACHED = "live_coached"
    REFINED = "refined"
    REVIEWED = "reviewed"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)

    @property
    def finished(self) -> bool:
        return self is Stage.REVIEWED


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
    audio16k: np.ndarray  # the answer's samples as the recording saves them (16-bit)
    probabilities: np.ndarray  # one speech probability per 32 ms VAD window
    # The accurate pass that ran while the candidate spoke (``LiveTranscriber.refined``):
    # given a stop question, it returns the saved transcript once the stretches still open
    # at Stop are done. None: ``refine`` decodes the whole answer then.
    refined: Callable[[Callable[[], bool] | None], Transcript | None] | None = None


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
    """The live answer's accurate transcript, coached again.

    The accurate pass ran while the candidate spoke (``live.refined``); without it the
    whole answer is decoded now. Either way the audio is the samples the recording saved
    and the voice activity is the live pass's, so the result is what
    ``coach_recording(path=...)`` gives for the recording. None when ``should_stop`` asked
    for it to be abandoned.
    """
    from models.coach import coach_answer
    from models.coach.speech_time import measure_speech

    audio = live.audio16k
    if live.refined is not None:
        transcript = live.refined(should_stop)
    else:
        transcript = transcriber.transcribe_full(audio, should_stop=should_stop,
                                                 probabilities=live.probabilities,
                                                 pass_="refined")
    if transcript is None:
        return None
    transcript.duration_s = max(transcript.duration_s, answer.transcript.duration_s)
    timing = measure_speech(transcript, audio, probabilities=live.probabilities)
    feedback = coach_answer(question, transcript, audio, timing=timing)
    return CoachedAnswer(transcript, feedback, answer.models)


def refine_recording(question: Question, transcriber: Transcriber, path: Path,
                     duration_s: float | None = None) -> CoachedAnswer:
    """The ``refined`` stage of a saved answer done from its recording, after a crash or a
    quit cut it short: the same accurate transcript the live answer would have had."""
    from audio.audio_file import read_audio_16k
    from models.coach import coach_answer
    from models.coach.speech_time import measure_speech
    from models.speech_activity import speech_probabilities

    audio = read_audio_16k(Path(path))
    probabilities = speech_probabilities(audio)
    transcript = transcriber.transcribe_full(audio, probabilities=probabilities, pass_="refined")
    if duration_s is not None:
        transcript.duration_s = max(transcript.duration_s, float(duration_s))
    timing = measure_speech(transcript, audio, probabilities=probabilities)
    feedback = coach_answer(question, transcript, audio, timing=timing)
    return CoachedAnswer(transcript, feedback, ModelsUsed(speech=transcript.model))


def refinement_changes(before: Feedback, after: Feedback) -> list[str]:
    """What the refined pass changed in an answer's feedback, one line each, for the
    candidate who already read the instant feedback; empty when nothing did."""
    lines: list[str] = []
    heard = [w.word for w in before.transcript.words]
    now = [w.word for w in after.transcript.words]
    changed = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2
                  in SequenceMatcher(a=[w.lower().strip(".,!?;:") for w in heard],
                                     b=[w.lower().strip(".,!?;:") for w in now],
                                     autojunk=False).get_opcodes() if op != "equal")
    if changed:
        lines.append(f"Transcript: {changed} of {len(now)} words heard differently")
    if before.words != after.words or before.wpm != after.wpm:
        pace = (f", pace {before.wpm:.0f} → {after.wpm:.0f} wpm"
                if before.wpm is not None and after.wpm is not None
                and round(before.wpm) != round(after.wpm) else "")
        if before.words != after.words or pace:
            lines.append(f"Words: {before.words} → {after.words}{pace}")
    if before.fillers.count != after.fillers.count:
        lines.append(f"Fillers: {before.fillers.count} → {after.fillers.count}")
    if before.hedges.count != after.hedges.count:
        lines.append(f"Hedges: {before.hedges.count} → {after.hedges.count}")
    was = {point.text: point.status for point in before.key_points}
    for point in after.key_points:
        old = was.get(point.text)
        if old is not None and old != point.status:
            lines.append(f"Key point \"{point.text}\": {old.replace('_', ' ')} → "
                         f"{point.status.replace('_', ' ')}")
    stages = {stage.name: stage.present for stage in before.structure.stages}
    for stage in after.structure.stages:
        if stage.name in stages and stages[stage.name] != stage.present:
            lines.append(f"Stage {stage.name}: {'now heard' if stage.present else 'no longer heard'}")
    return lines


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
