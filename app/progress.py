"""Progress over attempts: per question, every attempt in order with its figures, and which
questions to practise next. Reads summaries only (``Store.list_briefs``), so it stays
quick over years of practice.

Key points count by their effective status: a point the candidate said they covered ("I
did cover this") counts as covered here and in ``practise_next``, and the figures say
which ones they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.store import AttemptBrief, Store
from app.summary import AttemptSummary

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
        "key_points_covered_by_you": s.covered_by_candidate,
        "key_points_partial": s.partial,
        "key_points_total": len(s.key_points),
        "key_points": [{"text": p.text, "status": p.status, "start_s": p.start_s,
                        "by_candidate": p.by_candidate, "coach_status": p.coach_status}
                       for p in s.key_points],
        "stages": [{"name": t.name, "start_s": t.start_s, "end_s": t.end_s,
                    "by_candidate": t.by_candidate} for t in s.stages],
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
            reasons.append(f"{s.missed} key point{'s' if s.missed != 1 else ''} not heard")
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





# ------------------------------------------------------------------ comparing two attempts
@dataclass(frozen=True)
class KeyPointDiff:
    newly_covered: tuple[str, ...]  # covered now, not covered before
    newly_missed: tuple[str, ...]  # said (fully or partly) before, not heard now
    still_missed: tuple[str, ...]


def key_point_diff(before: AttemptSummary, after: AttemptSummary) -> KeyPointDiff:
    """How the key points moved from ``before`` to ``after`` (matched by their text)."""
    was = {p.text: p for p in before.key_points}
    newly_covered, newly_missed, still_missed = [], [], []
    for point in after.key_points:
        old = was.get(point.text)
        if point.covered and (old is None or not old.covered):
            newly_covered.append(point.text)
        elif not point.said and old is not None and old.said:
            newly_missed.append(point.text)
        elif not point.said:
            still_missed.append(point.text)
    return KeyPointDiff(tuple(newly_covered), tuple(newly_missed), tuple(still_missed))


def _distance(value: float | None, low: float | None, high: float | None) -> float | None:
    """How far ``value`` lies outside [low, high]; 0 inside, None when unknown."""
    if value is None or low is None or high is None:
        return None
    return max(0.0, low - value, value - high)


def changes(before: AttemptSummary, after: AttemptSummary) -> tuple[str, str]:
    """One line for what improved and one for what got worse, from ``before`` to ``after``."""
    better: list[str] = []
    worse: list[str] = []

    def judge(gain: float | None, good: str, bad: str, threshold: float) -> None:
        if gain is None or abs(gain) < threshold:
            return
        (better if gain > 0 else worse).append((good if gain > 0 else bad).format(abs(gain)))

    judge(after.covered - before.covered, "{:.0f} more key point(s) covered",
          "{:.0f} fewer key point(s) covered", 1)
    was_off = _distance(before.speaking_s, before.guide_min_s, before.guide_max_s)
    now_off = _distance(after.speaking_s, after.guide_min_s, after.guide_max_s)
    if was_off is not None and now_off is not None:
        judge(was_off - now_off, "{:.0f} s closer to the time guide",
              "{:.0f} s further from the time guide", 3)
    was_pace = _distance(before.wpm, before.pace_low, before.pace_high)
    now_pace = _distance(after.wpm, after.pace_low, after.pace_high)
    if was_pace is not None and now_pace is not None:
        judge(was_pace - now_pace, "pace {:.0f} wpm nearer the comfortable band",
              "pace {:.0f} wpm further from the comfortable band", 5)
    if before.fillers_per_min is not None and after.fillers_per_min is not None:
        judge(before.fillers_per_min - after.fillers_per_min, "{:.1f} fewer fillers a minute",
              "{:.1f} more fillers a minute", 0.5)
    judge(before.pauses - after.pauses, "{:.0f} fewer long pause(s)", "{:.0f} more long pause(s)", 1)
    return ("Improved: " + ("; ".join(better) if better else "nothing measurable") + ".",
            "Got worse: " + ("; ".join(worse) if worse else "nothing measurable") + ".")


__all__ = ["KeyPointDiff", "NextPractice", "QuestionProgress", "attempt_figures", "changes",
           "key_point_diff", "load_progress", "practise_next", "progress_json"]
