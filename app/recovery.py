"""Bring back answers whose recording was cut off (crash, power cut, killed process).

The recorder keeps a valid WAV on disk as the candidate speaks; a cut-off recording
only needs its header fixed. Each one is repaired, its attempt marked ``recovered``, and
— when its question still exists — transcribed and coached so it shows up in history
like any other answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app import paths
from app.errors import USER_ERRORS, GreenroomError
from app.store import Store


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


def recover_all(store: Store | None = None, coach: bool = True) -> list[RecoveredRecording]:
    from audio.recovery import repair

    store = store or Store()
    waiting = {Path(a.audio_path).resolve(): a for a in store.list_attempts(status="recording")
               if a.audio_path}
    results = []
    for path in unfinished_recordings():
        try:
            duration = repair(path)
        except USER_ERRORS as exc:
            results.append(RecoveredRecording(path, 0.0, None, False, str(exc)))
            continue
        attempt = waiting.get(path.resolve())
        if attempt is None:
            results.append(RecoveredRecording(path, duration, None, False))
            continue
        store.mark_recovered(attempt.id, duration)
        problem = ""
        coached = False
        if coach:
            try:
                _coach(store, attempt.id, attempt.script_id, attempt.question_id, path)
                coached = True
            except USER_ERRORS as exc:
                problem = str(exc)
        results.append(RecoveredRecording(path, duration, attempt.id, coached, problem))
    return results


def _coach(store: Store, attempt_id: int, script_id: str, question_id: str, path: Path) -> None:
    from interview_scripts.catalogue import find_script
    from models.answer_pipeline import coach_recording
    from models.transcriber import load_transcriber

    try:
        question = find_script(script_id, paths.script_folders()).question(question_id)
    except KeyError as exc:
        raise GreenroomError(str(exc.args[0])) from None
    answer = coach_recording(question, load_transcriber(None, paths.models_dir()), path=path)
    store.update_feedback(attempt_id, answer.feedback, answer.models)
