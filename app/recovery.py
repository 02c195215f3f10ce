"""Bring back answers whose recording was cut off (crash, power cut, killed process), or
whose save failed (a full disk, a data folder that went away).

The recorder keeps a valid WAV on disk as the candidate speaks; a cut-off recording
only needs its header fixed. Each one is repaired, its attempt marked ``recovered``, and
— when its question still exists — transcribed and coached so it shows up in history
like any other answer. An answer recorded whole whose feedback never reached the
database is coached and saved the same way. Nothing is saved over an answer that has
feedback, and a recording still going on elsewhere is never touched.
"""

from __future__ import annotations

import contextlib
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
    """Repair every cut-off recording, then coach and save every answer whose recording is
    on disk but whose feedback was never saved: cut off by a crash, or stopped cleanly
    when its save failed (a full disk, a data folder gone). A recording still going on
    elsewhere (another window, a command) is left alone."""
    from audio.recovery import is_live, repair

    store = store or Store()
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
                coached = _coach(store, attempt.id, attempt.script_id, attempt.question_id, path,
                                 duration)
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


def _coach(store: Store, attempt_id: int, script_id: str, question_id: str, path: Path,
           duration_s: float) -> bool:
    """Transcribe and coach one recovered answer and save it, unless its own window saved
    it meanwhile; True when this saved it."""
    from interview_scripts.catalogue import find_script
    from models.answer_pipeline import coach_recording
    from models.transcriber import load_transcriber

    try:
        question = find_script(script_id, paths.script_folders()).question(question_id)
    except KeyError as exc:
        raise GreenroomError(str(exc.args[0])) from None
    answer = coach_recording(question, load_transcriber(None, paths.models_dir()), path=path)
    return store.save_recovered(attempt_id, duration_s, answer.transcript, answer.feedback,
                                answer.models)
