"""Answer length against the question's time guide, and the verdict in words.

The words are here once for every place that shows them (the feedback view and the mock
report, History and the command line, exports and the text report), so an answer is
never "within the guide" on one screen and something else on another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interview_scripts.time_guide import TimeGuide
from models.coach.notes import Note, clock, duration_words, guide_words
from models.coach.speech_time import SpeechTiming

if TYPE_CHECKING:
    from models.coach.feedback_model import Feedback


# The verdict as lists and tables say it, beside the time.
VERDICT_WORDS = {"short": "short", "within": "within guide", "long": "long", "no_guide": "no guide"}


def verdict_words(verdict: str) -> str:
    """The verdict in a list's column: 'short', 'within guide', 'long' or 'no guide'."""
    return VERDICT_WORDS.get(verdict, verdict)


def length_judgement(verdict: str, delta_s: float | None) -> str:
    """How far from the guide, in a few words: 'short by 0:40', 'over by 1:05',
    'within the guide' or 'no time guide'."""
    delta = clock(abs(delta_s or 0.0))
    return {"short": f"short by {delta}", "long": f"over by {delta}", "within": "within the guide",
            "no_guide": "no time guide"}.get(verdict, verdict)


def length_line(speaking_s: float, verdict: str, delta_s: float | None,
                guide_text: str | None) -> str:
    """The length verdict as one sentence. The time is the speaking time (first word to
    last), the one the verdict judges, not the recording's length with its silences."""
    said = f"Spoke for {clock(speaking_s)}"
    if guide_text is None or verdict == "no_guide":
        return f"{said}; this question has no time guide."
    return f"{said}: {length_judgement(verdict, delta_s)} (guide {guide_text})."


def feedback_length_line(feedback: Feedback) -> str:
    """``length_line`` of one answer's feedback."""
    guide = feedback.time_guide
    return length_line(feedback.speaking_s, feedback.length.verdict, feedback.length.delta_s,
                       guide.text if guide is not None else None)


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
