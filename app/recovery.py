"""Bring back answers whose recording was cut off (crash, power cut, killed process), or
whose save failed (a full disk, a data folder that went away).

The recorder keeps a valid WAV on disk as the candidate speaks; a cut-off recording
only needs its header fixed. Each one is repaired, its attempt marked ``recovered``, and
— when its question still exists — transcribed and coached so it shows up in history
like any other answer. An answer recorded whole whose feedback never reached the
database is coached and saved the same way. Nothing is saved over an answer that has
feedback, and a recording still going on elsewhere is never touched.

``finish_unfinished`` is the entry point for start-up and `greenroom sessions recover`:
after the above, every answer left between two stages (instant feedback saved but not
refined, refined but not reviewed) is taken on to its last stage.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import paths
from app.errors import USER_ERRORS, GreenroomError
from app.store import AttemptBrief, Store

if TYPE_CHECKING:
    from interview_scripts.script import InterviewScript, Question
    from models.coach.feedback_model import Feedback
    from models.llm_coach import LLMCoach
    from models.transcriber import Transcriber


@dataclass(frozen=True)
class RecoveredRecording:
    path: Path
    duration_s: float
    attempt_id: int | None
    coached: bool
    problem: str = ""


def unfinished_recordings() -> list[Path]:
    from audio.recovery import find_unfinished

    root = paths.recordings_dir()
    found: list[Path] = []
    for folder in [root, *sorted(p for p in root.iterdir() if p.is_dir())]:
        found.extend(find_unfinished(folder))
    return found


class ScriptsRead:
    """The scripts answers are coached against, each read once per recovery: finding one
    reads every script folder (most of a second), and a start may finish many answers."""

    def __init__(self) -> None:
        self._read: dict[str, InterviewScript | GreenroomError] = {}

    def question(self, script_id: str, question_id: str) -> Question:
        """The question, or KeyError when its script no longer has it; a script that
        cannot be found or read raises its error each time it is asked for."""
        from interview_scripts.catalogue import find_script

        if script_id not in self._read:
            try:
                self._read[script_id] = find_script(script_id, paths.script_folders())
            except USER_ERRORS as exc:
                self._read[script_id] = GreenroomError(str(exc))
        found = self._read[script_id]
        if isinstance(found, GreenroomError):
            raise GreenroomError(str(found))
        return found.question(question_id)


def recover_all(store: Store | None = None, coach: bool = True,
                scripts: ScriptsRead | None = None) -> list[RecoveredRecording]:
    """Repair every cut-off recording, then coach and save every answer whose recording is
    on disk but whose feedback was never saved: cut off by a crash, or stopped cleanly
    when its save failed (a full disk, a data folder gone). A recording still going on
    elsewhere (another window, a command) is left alone."""
    from audio.recovery import is_live, repair

    store = store or Store()
    scripts = scripts or ScriptsRead()
    results: list[RecoveredRecording] = []
    repaired: dict[Path, float] = {}
    for path in unfinished_recordings():
        try:
            repaired[path.resolve()] = repair(path)
        except USER_ERRORS as exc:
            results.append(RecoveredRecording(path, 0.0, None, False, str(exc)))
    owned: set[Path] = set()
    for attempt in store.list_briefs(oldest_first=True):
        if attempt.summary is not None or attempt.audio_path is None:
            continue
        path = Path(attempt.audio_path)
        if _never_began(attempt, path):
            # Cut off between its row and its recording's first byte: nothing was said.
            # The flow drops such a row itself when a recording fails to start.
            with contextlib.suppress(*USER_ERRORS):
                store.delete_attempt(attempt.id)
            continue
        if not path.is_file() or is_live(path):
            continue
        owned.add(path.resolve())
        was_cut = path.resolve() in repaired
        if not was_cut and attempt.status != "recording" and not coach:
            continue  # saved without feedback before, and nothing to repair: as it was
        try:
            duration = repaired.get(path.resolve())
            if duration is None:
                duration = repair(path)  # a whole file: only measured, never changed
        except USER_ERRORS as exc:
            results.append(RecoveredRecording(path, 0.0, attempt.id, False, str(exc)))
            continue
        problem = ""
        coached = False
        try:
            if coach:
                coached = _coach(store, attempt.id, scripts, attempt.script_id,
                                 attempt.question_id, path, duration)
            else:
                store.mark_recovered(attempt.id, duration)
        except USER_ERRORS as exc:
            problem = str(exc)
            if was_cut:
                # The repair stands: the answer shows as recovered, coached later.
                with contextlib.suppress(*USER_ERRORS):
                    store.mark_recovered(attempt.id, duration)
        results.append(RecoveredRecording(path, duration, attempt.id, coached, problem))
    for path, duration in repaired.items():
        if path not in owned:
            results.append(RecoveredRecording(path, duration, None, False))
    return results


# An answer's row is made just before its recording opens the microphone, which can take
# seconds; one still without a recording this long after is one that never began.
NEVER_BEGAN_AFTER_S = 120.0


def _never_began(attempt: AttemptBrief, path: Path) -> bool:
    from audio.recovery import marker_path

    if attempt.status != "recording" or path.exists() or marker_path(path).exists():
        return False
    age = datetime.now(UTC) - attempt.started
    return age.total_seconds() > NEVER_BEGAN_AFTER_S


def _coach(store: Store, attempt_id: int, scripts: ScriptsRead, script_id: str,
           question_id: str, path: Path, duration_s: float) -> bool:
    """Transcribe and coach one recovered answer and save it, unless its own window saved
    it meanwhile; True when this saved it."""
    from models.answer_pipeline import coach_recording
    from models.transcriber import load_transcriber

    try:
        question = scripts.question(script_id, question_id)
    except KeyError as exc:
        raise GreenroomError(str(exc.args[0])) from None
    answer = coach_recording(question, load_transcriber(None, paths.models_dir()), path=path)
    return store.save_recovered(attempt_id, duration_s, answer.transcript, answer.feedback,
                                answer.models)


# -- answers cut short between two stages --------------------------------------------


@dataclass(frozen=True)
class FinishedAttempt:
    """One answer brought on from the stage it was left at: ``reached`` is where it is now
    (``was`` when nothing could be done, and ``problem`` says why)."""

    attempt_id: int
    was: str
    reached: str
    problem: str = ""


@dataclass(frozen=True)
class Finished:
    """What ``finish_unfinished`` did: the recordings it repaired and coached
    (``recover_all``), then every answer it took on to its last stage."""

    recovered: list[RecoveredRecording]
    attempts: list[FinishedAttempt]

    @property
    def problems(self) -> list[str]:
        return ([f"{r.path.name}: {r.problem}" for r in self.recovered if r.problem]
                + [f"attempt {a.attempt_id}: {a.problem}" for a in self.attempts if a.problem])


def finish_unfinished(store: Store | None = None, *, review: LLMCoach | None = None,
                      transcriber: Transcriber | None = None,
                      on_progress: Callable[[str], None] | None = None) -> Finished:
    """Finish every answer a crash or a quit left between two stages (models/answer_pipeline.py
    ``Stage``), oldest first; what start-up and `greenroom sessions recover` run.

    Cut-off recordings are repaired and answers without feedback coached first
    (``recover_all``; a recording coached from its file is refined already). Then an answer
    left with its instant feedback is refined from its recording, and a refined one is
    reviewed by ``review`` (the local LLM coach), or marked done when no review is asked
    for. Each save keeps the candidate's marks and only moves a stage forward, so an answer
    its own window finishes meanwhile is never set back or saved twice. A recording still
    going on is left alone; an answer whose question or recording is gone stays where it is,
    with the reason.
    """
    from audio.recovery import is_live

    store = store or Store()
    scripts = ScriptsRead()
    recovered = recover_all(store, scripts=scripts)
    done: list[FinishedAttempt] = []
    for attempt in store.unfinished_attempts():
        path = Path(attempt.audio_path) if attempt.audio_path else None
        if path is not None and path.is_file() and is_live(path):
            continue  # being recorded right now, by this run or another
        was = attempt.stage
        if was == "recorded" and attempt.summary is None:
            # Never coached: recover_all said why (or the recording is gone).
            if path is None or not path.is_file():
                done.append(FinishedAttempt(attempt.id, was, was,
                                            "its recording is missing, so it cannot be coached"))
            continue
        if on_progress is not None:
            on_progress(f"finishing answer {attempt.id} ({attempt.question_text[:60]})")
        try:
            reached = _finish(store, attempt, scripts, review, transcriber)
        except USER_ERRORS as exc:
            done.append(FinishedAttempt(attempt.id, was, attempt.stage, str(exc)))
            continue
        done.append(FinishedAttempt(attempt.id, was, reached))
    return Finished(recovered, done)


def _finish(store: Store, attempt: AttemptBrief, scripts: ScriptsRead, review: LLMCoach | None,
            transcriber: Transcriber | None) -> str:
    """Take one answer through its remaining stages; the stage it reached."""
    from models.answer_pipeline import CoachedAnswer, ModelsUsed, add_llm_review, refine_recording
    from models.transcript import Transcript

    stage = attempt.stage
    if stage == "recorded":
        # Coached from its recording (by recovery): the file pass is the accurate one.
        store.advance_stage(attempt.id, "refined")
        stage = "refined"
    question = None
    if stage == "live_coached":
        question = _question_for(store, scripts, attempt)
        if attempt.audio_path is None or not Path(attempt.audio_path).is_file():
            raise GreenroomError("its recording is missing, so the accurate pass cannot run; "
                                 "the instant feedback stays")
        if transcriber is None:
            from models.transcriber import load_transcriber

            transcriber = load_transcriber(None, paths.models_dir())
        refined = refine_recording(question, transcriber, Path(attempt.audio_path),
                                   attempt.duration_s)
        feedback = _save_keeping_marks(store, attempt.id, refined.feedback, refined.models,
                                       refined.transcript, "refined")
        _fold_into_parent(store, attempt, feedback)
        stage = "refined"
    if stage == "refined":
        if review is None:
            store.advance_stage(attempt.id, "reviewed")
            return "reviewed"
        question = question or _question_for(store, scripts, attempt)
        row = store.get_attempt(attempt.id)
        if row.feedback is None or row.transcript is None:
            raise GreenroomError("its saved feedback cannot be read, so it cannot be reviewed")
        models = ModelsUsed(speech=str(row.models.get("speech", "")),
                            coach=str(row.models.get("coach", "greenroom-deterministic")))
        answer = CoachedAnswer(Transcript.from_dict(row.transcript), row.feedback, models)
        reviewed = add_llm_review(question, answer, review)
        feedback = _save_keeping_marks(store, attempt.id, reviewed.feedback, reviewed.models,
                                       None, "reviewed")
        _fold_into_parent(store, attempt, feedback)
        stage = "reviewed"
    return stage


def _question_for(store: Store, scripts: ScriptsRead, attempt: AttemptBrief) -> Question:
    """The question an answer was coached against: its script's, a follow-up's reply
    question made as the flow makes it, or the closing question."""
    from app.interviewer import CLOSING_GUIDE, CLOSING_QUESTION_ID
    from interview_scripts.script import Question
    from models.coach.follow_up_choice import reply_question

    if attempt.question_id == CLOSING_QUESTION_ID:
        return Question(id=CLOSING_QUESTION_ID, text=attempt.question_text,
                        time_guide=CLOSING_GUIDE, kind="closer")
    try:
        question = scripts.question(attempt.script_id, attempt.question_id)
    except KeyError as exc:
        raise GreenroomError(f"{exc.args[0]}; its feedback stays as saved") from None
    if attempt.follow_up_to is None:
        return question
    try:
        parent = store.get_attempt(attempt.follow_up_to).feedback
    except USER_ERRORS:
        parent = None
    return reply_question(question, attempt.question_text, parent)


def _save_keeping_marks(store: Store, attempt_id: int, feedback: Feedback, models: Any,
                        transcript: Any, stage: str) -> Feedback | None:
    """Saved as the practice flow saves a stage: the candidate's marks and what a
    follow-up's reply covered are kept, in one transaction."""
    from models.coach.follow_up_fold import keep_follow_up
    from models.coach.overrides import keep_stored_marks

    return store.change_feedback(
        attempt_id, lambda stored: keep_follow_up(stored, keep_stored_marks(stored, feedback)),
        models, transcript=transcript, stage=stage)


def _fold_into_parent(store: Store, attempt: AttemptBrief, reply: Feedback | None) -> None:
    """A follow-up's reply, coached again, marks again what it covered on its answer."""
    from models.coach.follow_up_fold import fold_follow_up

    parent_id = attempt.follow_up_to
    if parent_id is None or reply is None:
        return
    with contextlib.suppress(*USER_ERRORS):
        store.change_feedback(parent_id, lambda stored: None if stored is None
                              else fold_follow_up(stored, reply, attempt.id))
