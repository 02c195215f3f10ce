"""The question's sample answer beside the candidate's: which key points each one makes.

Shown only after the candidate has answered. The sample is a text, so it is checked with
the same word matcher as the answer, on evenly timed words; its times mean nothing and
are not reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from interview_scripts.script import Question
from models.coach.feedback_model import Feedback
from models.coach.key_points import check_key_point
from models.coach.text_match import tokenize
from models.transcript import Transcript, Word

SAID = ("covered", "partial")


@dataclass(frozen=True)
class PointSideBySide:
    text: str
    in_sample: bool
    sample_evidence: str | None  # the sample's sentence that makes the point
    in_answer: bool
    answer_status: str  # the answer's status as it counts (a candidate's mark wins)


def _as_transcript(text: str) -> Transcript:
    # One word every 0.4 s: the matcher needs times, not real ones.
    words = [Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(text.split())]
    return Transcript(words=words, language="en", model="sample-answer",
                      duration_s=len(words) * 0.4)


def compare_with_sample(question: Question, feedback: Feedback) -> list[PointSideBySide]:
    """For each key point: does the sample make it, and did the answer? Empty when the
    question has no sample answer or no key points."""
    if not question.sample_answer.strip() or not question.key_points:
        return []
    sample = tokenize(_as_transcript(question.sample_answer))
    answered = {p.text: p.effective_status for p in feedback.key_points}  # their word counts
    rows = []
    for point in question.key_points:
        found = check_key_point(point, sample)
        status = answered.get(point.text, "not_heard")
        rows.append(PointSideBySide(point.text, found["status"] in SAID, found.get("evidence"),
                                    status in SAID, status))
    return rows
