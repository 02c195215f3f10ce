"""Builders shared by the LLM tests: a STAR question and feedback in the coach's shape."""

from __future__ import annotations

import itertools
from typing import Any

from interview_scripts.frameworks import STAR
from interview_scripts.script import KeyPoint, Mistake, Question
from interview_scripts.time_guide import parse_time_guide

# Ordinary interview-answer words, so character and token counts look like real speech.
_SENTENCES = (
    "In my last role our billing service failed every night during the batch run.",
    "I was responsible for making the nightly invoices reliable again.",
    "First I read the logs and found that two jobs were writing the same table.",
    "Then I moved one job to a queue and added a lock around the shared step.",
    "I also set up an alert so the team would hear about failures within minutes.",
    "As a result the failures dropped from four a week to none in two months.",
    "We saved about six hours of manual fixes every week.",
    "What I learned is to look for contention before adding more servers.",
)


def star_question() -> Question:
    return Question(
        id="reliability-incident",
        text="Tell me about a time you fixed a recurring production problem.",
        time_guide=parse_time_guide("5-7 minutes"),
        framework=STAR,
        guidance="Pick one concrete incident you owned and walk through it in order.",
        key_points=(KeyPoint("Names the business impact", ("customers", "invoices")),
                    KeyPoint("Explains the root cause", ("root cause", "found that")),
                    KeyPoint("Gives a measurable result", ("percent", "hours"))),
        mistakes=(Mistake("Says 'we' throughout and never 'I'", ("we did",)),),
    )


def transcript_dict(word_count: int, duration_s: float) -> dict[str, Any]:
    """Whisper-shaped transcript words cut from the sentences above, evenly timed."""
    tokens = list(itertools.islice(itertools.cycle(" ".join(_SENTENCES).split()), word_count))
    step = duration_s / max(1, word_count)
    words = [{"word": token, "start_s": round(i * step, 3),
              "end_s": round(i * step + step * 0.8, 3), "probability": 0.93}
             for i, token in enumerate(tokens)]
    return {"text": " ".join(tokens), "language": "en", "model": "tiny.en",
            "duration_s": duration_s, "words": words}


def deterministic_feedback(word_count: int = 260, duration_s: float = 100.0) -> dict[str, Any]:
    """The shape ``models.coach.coach_answer`` returns, with plausible measured values."""
    return {
        "question_id": "reliability-incident",
        "duration_s": duration_s,
        "speaking_s": duration_s * 0.9,
        "time_guide": {"text": "5-7 minutes", "min_s": 300.0, "max_s": 420.0},
        "length": {"verdict": "short", "gap_s": round(duration_s - 300.0, 1)},
        "words": word_count,
        "wpm": round(word_count / (duration_s / 60), 1),
        "pace": {"wpm": round(word_count / (duration_s / 60), 1), "verdict": "good"},
        "pauses": {"count": 2, "longest_s": 2.4, "items": [{"at_s": 31.0, "duration_s": 2.4}]},
        "fillers": {"count": 3, "per_minute": 1.8, "items": [{"word": "um", "at_s": 12.0}]},
        "hedges": {"count": 1, "items": [{"phrase": "I think", "at_s": 44.0}]},
        "word_use": {"i_count": 9, "we_count": 4},
        "structure": {"framework": "STAR", "stages": [
            {"name": "Situation", "found": True, "at_s": 0.0},
            {"name": "Task", "found": True, "at_s": 5.0},
            {"name": "Action", "found": True, "at_s": 10.0},
            {"name": "Result", "found": True, "at_s": 28.0}]},
        "key_points": [{"text": "Names the business impact", "covered": True, "at_s": 0.0},
                       {"text": "Explains the root cause", "covered": True, "at_s": 10.0},
                       {"text": "Gives a measurable result", "covered": True, "at_s": 28.0}],
        "mistakes": [],
        "notes": [
            {"at_s": 12.0, "severity": "warning", "message": "Filler 'um' at 0:12.",
             "source": "coach"},
            {"at_s": 31.0, "severity": "info", "message": "A 2.4 s pause at 0:31.",
             "source": "coach"},
            {"at_s": None, "severity": "problem", "message": "The answer ran short of 5 minutes.",
             "source": "coach"},
        ],
        "transcript": transcript_dict(word_count, duration_s),
        "llm": None,
        "llm_status": None,
    }
