"""Long silences inside the answer, measured from the audio where there is audio."""

from __future__ import annotations

from typing import Any

from models.coach.notes import Note, clock
from models.coach.speech_time import SpeechTiming

MIN_PAUSE_S = 2.0
NOTE_PAUSE_S = 4.0  # shorter pauses are listed but not worth a note of their own
LONG_PAUSE_S = 8.0
LATE_START_S = 5.0


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"


def find_pauses(timing: SpeechTiming) -> tuple[list[dict[str, Any]], list[Note]]:
    pauses = [{"start_s": round(s, 2), "end_s": round(e, 2), "duration_s": round(e - s, 2)}
              for s, e in timing.gaps(MIN_PAUSE_S)]
    notes: list[Note] = []
    for p in pauses:
        if p["duration_s"] >= NOTE_PAUSE_S:
            severity = "warning" if p["duration_s"] >= LONG_PAUSE_S else "info"
            notes.append(Note(p["start_s"], severity,
                              f"At {clock(p['start_s'])} there is a {_seconds(p['duration_s'])} "
                              f"silence before you go on."))
    if len(pauses) >= 2 and not notes:
        notes.append(Note(None, "info", f"{len(pauses)} pauses of 2 s or more; short pauses are "
                                        "fine when they come between points."))
    first = timing.first_s
    if first is not None and first >= LATE_START_S:
        notes.append(Note(0.0, "info", f"You started speaking at {clock(first)}; a short breath "
                                       "is fine, a long wait reads as hesitation."))
    return pauses, notes
