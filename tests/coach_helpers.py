"""Builders shared by the coach tests: questions and transcripts with known word timings."""

from __future__ import annotations

from interview_scripts.frameworks import STAR
from interview_scripts.script import KeyPoint, Mistake, Question
from interview_scripts.time_guide import parse_time_guide
from models.coach.feedback_model import Feedback
from models.transcript import Transcript, Word


def timed_words(text: str, start_s: float = 0.0, wpm: float = 140.0) -> list[Word]:
    """Words of ``text`` spoken evenly at ``wpm`` from ``start_s``; 80% sound, 20% gap."""
    step = 60.0 / wpm
    return [Word(" " + w, round(start_s + i * step, 3), round(start_s + i * step + 0.8 * step, 3))
            for i, w in enumerate(text.split())]


def transcript_of(*parts: tuple[str, float], wpm: float = 140.0, language: str = "en") -> Transcript:
    """A transcript from (text, start time) parts, e.g. sentences placed at known times."""
    words: list[Word] = []
    for text, start in parts:
        words += timed_words(text, start, wpm)
    end = words[-1].end_s if words else 0.0
    return Transcript(words=words, language=language, model="constructed", duration_s=end + 1.0)


INCIDENT_KEY_POINTS = (
    KeyPoint("Rolled back the bad deploy", ("roll back", "rollback")),
    KeyPoint("Kept stakeholders updated on the status page", ("status page",)),
    KeyPoint("Ran a blameless post-mortem"),
    KeyPoint("Quantified the customer impact in minutes of downtime"),
    KeyPoint("Added an automated canary check to the pipeline", ("canary",)),
)


def star_question(guide: str | None = "5-7 minutes", key_points: tuple[KeyPoint, ...] = (),
                  mistakes: tuple[Mistake, ...] = ()) -> Question:
    return Question(id="incident", text="Tell me about a production incident you led.",
                    time_guide=parse_time_guide(guide) if guide else None, framework=STAR,
                    key_points=key_points, mistakes=mistakes)


def sample_feedback(question_id: str = "outage", guide: str | None = "5-7 minutes") -> Feedback:
    """Real coach output for a short STAR answer, as the store and the views receive it."""
    from models.coach import coach_answer

    question = Question(id=question_id, text="Tell me about an outage you led.",
                        time_guide=parse_time_guide(guide) if guide else None, framework=STAR,
                        key_points=INCIDENT_KEY_POINTS)
    transcript = transcript_of(
        ("In my last role our checkout service went down on a Friday evening.", 0.0),
        ("Um, I was the incident lead and had to restore payments.", 6.0),
        ("I rolled back the release and told customers every thirty minutes.", 12.0),
        ("As a result we were back within forty minutes and lost no orders.", 20.0))
    return coach_answer(question, transcript, None)
