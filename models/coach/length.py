"""Answer length against the question's time guide."""

from __future__ import annotations

from typing import Any

from interview_scripts.time_guide import TimeGuide
from models.coach.notes import Note, clock, duration_words, guide_words
from models.coach.speech_time import SpeechTiming


def guide_dict(guide: TimeGuide | None) -> dict[str, Any] | None:
    if guide is None:
        return None
    return {"min_s": guide.min_s, "max_s": guide.max_s, "text": guide.text}


def assess_length(guide: TimeGuide | None, timing: SpeechTiming) -> tuple[dict[str, Any], list[Note]]:
    speaking = timing.speaking_s
    if guide is None:
        return {"verdict": "no_guide", "delta_s": None}, []
    verdict, delta = guide.verdict(speaking)
    notes: list[Note] = []
    answer = f"a {guide_words(guide.text)} answer"
    if not timing.spans:
        notes.append(Note(None, "problem", f"No speech was heard, so there is nothing to time "
                                           f"against the {guide.text} guide."))
    elif verdict == "short":
        notes.append(Note(None, "warning", f"The answer ran {clock(speaking)}, "
                                           f"{duration_words(-delta)} short of {answer}."))
    elif verdict == "long":
        notes.append(Note(None, "warning", f"The answer ran {clock(speaking)}, "
                                           f"{duration_words(delta)} over {answer}."))
        first = timing.first_s or 0.0
        notes.append(Note(first + guide.max_s, "warning",
                          f"At {clock(first + guide.max_s)} the answer passed the "
                          f"{clock(guide.max_s)} limit of {answer}; wrap up before this point."))
    else:
        notes.append(Note(None, "info", f"The answer ran {clock(speaking)}, inside the "
                                        f"{guide.text} guide."))
    return {"verdict": verdict, "delta_s": delta}, notes
