"""Progress over attempts: per question, every attempt in order with its figures, and which
questions to practise next. Reads summaries only (``Store.list_briefs``), so it stays
quick over years of practice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.store import AttemptBrief, Store

# How much each weakness weighs when ranking what to practise next: a missed key point
# costs more than being outside the guide, and each week since the last attempt adds a
# little, so an untouched question rises slowly rather than jumping to the top.
MISSED_SHARE_WEIGHT = 3.0
OUTSIDE_GUIDE_WEIGHT = 1.5
PER_WEEK_WEIGHT = 0.5
MAX_WEEKS_COUNTED = 8


@dataclass
class QuestionProgress:
    script_id: str
    question_id: str
    question_text: str
    attempts: list[AttemptBrief] = field(default_factory=list)  # oldest first

    @property
    def latest(self) -> AttemptBrief:
        return self.attempts[-1]


def attempt_figures(attempt: AttemptBrief) -> dict[str, Any]:
    """One attempt's figures as plain JSON values (what ``--json`` listings print)."""
    s = attempt.summary
    figures: dict[str, Any] = {
        "attempt_id": attempt.id, "session_id": attempt.session_id,
        "started_at": attempt.started_at, "status": attempt.status,
        "duration_s": attempt.duration_s,
    }
    if s is None:
        return {**figures, "coached": False}
    return {
        **figures,
        "coached": True,
        "length_verdict": s.verdict,
        "delta_s": s.delta_s,
        "time_guide": ({"min_s": s.guide_min_s, "max_s": s.guide_max_s, "text": s.guide_text}
                       if s.guide_text else None),
        "speaking_s": s.speaking_s,
        "words": s.words,
        "wpm": s.wpm,
        "pace_band": [s.pace_low, s.pace_high] if s.pace_low is not None else None,
        "fillers": s.fillers,
        "fillers_per_min": s.fillers_per_min,
        "pauses": s.pauses,
        "longest_pause_s": s.longest_pause_s,
        "key_points_covered": s.covered,
        "key_points_partial": s.partial,
        "key_points_total": len(s.key_points),
        "key_points": [{"text": p.text, "status": p.status, "start_s": p.start_s}
                       for p in s.key_points],
        "stages": [{"name": t.name, "start_s": t.start_s, "end_s": t.end_s} for t in s.stages],
    }


def load_progress(store: Store, script_id: str | None = None,
                  question_id: str | None = None) -> list[QuestionProgress]:
    """Every question practised (optionally of one script and/or question), each with its
    attempts oldest first; questions in the order they were first practised."""
    questions: dict[tuple[str, str], QuestionProgress] = {}
    for brief in store.list_briefs(script_id=script_id, question_id=question_id, oldest_first=True):
        key = (brief.script_id, brief.question_id)
        entry = questions.get(key)
        if entry is None:
            entry = questions[key] = QuestionProgress(brief.script_id, brief.question_id,
                                                      brief.question_text)
        entry.attempts.append(brief)
        entry.question_text = brief.question_text  # the latest wording
    return list(questions.values())


def progress_json(progress: list[QuestionProgress]) -> list[dict[str, Any]]:
    return [{"script_id": q.script_id, "question_id": q.question_id,
             "question_text": q.question_text,
             "attempts": [attempt_figures(a) for a in q.attempts]} for q in progress]


@dataclass(frozen=True)
class NextPractice:
    question: QuestionProgress
    score: float
    reasons: tuple[str, ...]


def practise_next(progress: list[QuestionProgress], now: datetime | None = None) -> list[NextPractice]:
    """Questions ranked weakest first by their latest attempt (missed key points, outside
    the guide) and by how long ago they were last practised."""
    now = now or datetime.now(UTC)
    ranked: list[NextPractice] = []
    for question in progress:
        if not question.attempts:
            continue
        latest = question.latest
        score = 0.0
        reasons: list[str] = []
        s = latest.summary
        if s is not None and s.key_points and s.missed:
            score += MISSED_SHARE_WEIGHT * s.missed / len(s.key_points)
            reasons.append(f"{s.missed} key point{'s' if s.missed != 1 else ''} missed")
        if s is not None and s.within_guide is False:
            score += OUTSIDE_GUIDE_WEIGHT
            reasons.append("too short" if s.verdict == "short" else "too long")
        weeks = max(0.0, (now - latest.started).total_seconds() / (7 * 86_400))
        score += PER_WEEK_WEIGHT * min(weeks, MAX_WEEKS_COUNTED)
        if weeks >= 1:
            reasons.append(f"last practised {int(weeks)} week{'s' if int(weeks) != 1 else ''} ago")
        ranked.append(NextPractice(question, round(score, 3), tuple(reasons)))
    ranked.sort(key=lambda n: (-n.score, n.question.latest.started_at))
    return ranked


__all__ = ["NextPractice", "QuestionProgress", "attempt_figures", "load_progress",
           "practise_next", "progress_json"]
