"""Progress over attempts: per question, every attempt in order with its figures, and which
questions to practise next. Reads summaries only (``Store.list_briefs``), so it stays
quick over years of practice.

The chart series are worked out here too, for the Progress tab and ``greenroom progress``
alike: per question, one point per attempt against its own guide; per interview, one
point per practice session, its answers taken together (``interview_sessions``), since
questions' guides differ and a session is what the candidate did and remembers.

Key points count by their effective status: a point the candidate said they covered ("I
did cover this") counts as covered here and in ``practise_next``, and the figures say
which ones they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.store import AttemptBrief, Store
from app.summary import AttemptSummary, KeyPointBrief
from interview_scripts.time_guide import format_clock

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
    # Each answer's follow-up replies (by the answer's id): the rest of its thread. The
    # answer's own figures already count what the reply covered.
    follow_ups: dict[int, list[AttemptBrief]] = field(default_factory=dict)

    @property
    def latest(self) -> AttemptBrief:
        return self.attempts[-1]

    def follow_up_of(self, attempt: AttemptBrief) -> FollowUpBrief | None:
        return follow_up_brief(attempt, self.follow_ups.get(attempt.id, ()))


@dataclass(frozen=True)
class FollowUpBrief:
    """An answer's follow-up as lists show it beside the answer: what was asked, by whom,
    whether the reply said anything, and which key points it added (those the answer
    missed and the reply made, as the answer's summary counts them)."""

    attempt_id: int  # the reply
    question_text: str  # the follow-up as asked
    asked_by: str
    ask_reason: str | None
    stop_reason: str | None
    answered: bool  # the reply was coached and has words in it
    points_added: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"asked": True, "attempt_id": self.attempt_id, "question_text": self.question_text,
                "asked_by": self.asked_by, "ask_reason": self.ask_reason,
                "stop_reason": self.stop_reason, "answered": self.answered,
                "key_points_added": list(self.points_added)}

    def describe(self) -> str:
        """One line for a list's cell: asked, answered or not, and what it added."""
        who = " (local LLM)" if self.asked_by == "llm" else ""
        state = "answered" if self.answered else "not answered"
        added = f"; +{plural(len(self.points_added), 'key point')}" if self.points_added else ""
        return f"Asked{who}, {state}{added}: “{self.question_text}”"


def follow_up_brief(answer: AttemptBrief, replies: Sequence[AttemptBrief]) -> FollowUpBrief | None:
    """``answer``'s follow-up from its ``replies`` (the latest one, when it was asked again),
    or None when none was asked."""
    mine = [r for r in replies if r.follow_up_to == answer.id]
    if not mine:
        return None
    reply = max(mine, key=lambda r: (r.started_at, r.id))
    s = answer.summary
    added = tuple(p.text for p in s.key_points if p.in_follow_up) if s is not None else ()
    answered = reply.summary is not None and reply.summary.words > 0
    return FollowUpBrief(reply.id, reply.question_text, reply.asked_by, reply.ask_reason,
                         reply.stop_reason, answered, added)


def answer_threads(briefs: Sequence[AttemptBrief]) -> tuple[list[AttemptBrief],
                                                            dict[int, list[AttemptBrief]]]:
    """``briefs`` split into the answers to the question (no follow-up's reply, no closing
    question) and each answer's replies by its id: one thread per answer."""
    answers = [b for b in briefs if not b.is_follow_up and b.asked_by != "interviewer"]
    replies: dict[int, list[AttemptBrief]] = {}
    for brief in briefs:
        if brief.follow_up_to is not None:
            replies.setdefault(brief.follow_up_to, []).append(brief)
    return answers, replies


def attempt_figures(attempt: AttemptBrief) -> dict[str, Any]:
    """One attempt's figures as plain JSON values (what ``--json`` listings print)."""
    s = attempt.summary
    figures: dict[str, Any] = {
        "attempt_id": attempt.id, "session_id": attempt.session_id,
        "started_at": attempt.started_at, "status": attempt.status,
        "duration_s": attempt.duration_s,
        # The conversation: the question as asked (a follow-up's own words), the answer a
        # follow-up's reply follows up, who asked and why, and why recording stopped.
        "question_id": attempt.question_id, "question_text": attempt.question_text,
        "follow_up_to": attempt.follow_up_to, "asked_by": attempt.asked_by,
        "ask_reason": attempt.ask_reason, "stop_reason": attempt.stop_reason,
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
        "key_points_covered_in_follow_up": sum(1 for p in s.key_points if p.in_follow_up),
        "key_points_partial": s.partial,
        "key_points_total": len(s.key_points),
        "key_points": [{"text": p.text, "status": p.status, "start_s": p.start_s,
                        "by_candidate": p.by_candidate, "in_follow_up": p.in_follow_up,
                        "coach_status": p.coach_status}
                       for p in s.key_points],
        "stages": [{"name": t.name, "start_s": t.start_s, "end_s": t.end_s,
                    "by_candidate": t.by_candidate} for t in s.stages],
    }


def load_progress(store: Store, script_id: str | None = None,
                  question_id: str | None = None) -> list[QuestionProgress]:
    """Every question practised (optionally of one script and/or question), each with its
    attempts oldest first; questions in the order they were first practised. A follow-up's
    reply is kept with the answer it follows up, not counted as an answer of its own; the
    closing question of a mock interview is no question of the script."""
    questions: dict[tuple[str, str], QuestionProgress] = {}
    replies: list[AttemptBrief] = []
    for brief in store.list_briefs(script_id=script_id, question_id=question_id, oldest_first=True):
        if brief.is_follow_up:
            replies.append(brief)
            continue
        if brief.asked_by == "interviewer":
            continue
        key = (brief.script_id, brief.question_id)
        entry = questions.get(key)
        if entry is None:
            entry = questions[key] = QuestionProgress(brief.script_id, brief.question_id,
                                                      brief.question_text)
        entry.attempts.append(brief)
        entry.question_text = brief.question_text  # the latest wording
    for reply in replies:
        entry = questions.get((reply.script_id, reply.question_id))
        if entry is not None and reply.follow_up_to is not None:
            entry.follow_ups.setdefault(reply.follow_up_to, []).append(reply)
    return list(questions.values())


def script_titles(store: Store) -> dict[str, str]:
    """Each script id practised, with the interview's title as last practised."""
    titles: dict[str, str] = {}
    # Sessions come newest first: the first title seen for a script is its latest.
    for session in store.list_sessions():
        titles.setdefault(session.script_id, session.script_title)
    return titles


def follow_up_json(follow_up: FollowUpBrief | None) -> dict[str, Any]:
    """An answer's ``follow_up`` in the JSON: ``{"asked": false}`` when none was asked."""
    return {"asked": False} if follow_up is None else follow_up.to_json()


def progress_json(progress: list[QuestionProgress]) -> list[dict[str, Any]]:
    return [{"script_id": q.script_id, "question_id": q.question_id,
             "question_text": q.question_text,
             "attempts": [{**attempt_figures(a),
                           "follow_up": follow_up_json(q.follow_up_of(a)),
                           "follow_ups": [attempt_figures(r) for r in q.follow_ups.get(a.id, [])]}
                          for a in q.attempts]} for q in progress]


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


# ------------------------------------------------------------------ chart series
def _local(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).astimezone()


def short_date(stamp: str) -> str:
    """'3 Mar', the label under a chart's axis."""
    when = _local(stamp)
    return f"{when.day} {when:%b}"


def long_date(stamp: str) -> str:
    when = _local(stamp)
    return f"{when.day} {when:%b %Y %H:%M}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def band_text(low: float, high: float) -> str:
    """A guide as 'm:ss–m:ss'."""
    return f"{format_clock(low)}–{format_clock(high)}"


@dataclass(frozen=True)
class ChartPoint:
    """One point of a progress chart; the chart widget draws it, nothing here needs Qt."""

    label: str  # the short date under the axis
    value: float | None
    band: tuple[float, float] | None = None
    detail: str = ""  # the sentence a tooltip and a screen reader give for this point
    # How much of ``value`` only a follow-up's reply made (key points the answer missed):
    # the chart draws it apart from what the answer itself made.
    follow_up: float = 0.0

    @property
    def answer_value(self) -> float | None:
        """``value`` less what the follow-up added: what the answer made by itself."""
        return None if self.value is None else self.value - self.follow_up

    @property
    def inside(self) -> bool | None:
        if self.value is None or self.band is None:
            return None
        return self.band[0] <= self.value <= self.band[1]


@dataclass
class Series:
    """The four charts' points, and how many attempts could not be charted."""

    time: list[ChartPoint] = field(default_factory=list)
    pace: list[ChartPoint] = field(default_factory=list)
    fillers: list[ChartPoint] = field(default_factory=list)
    points: list[ChartPoint] = field(default_factory=list)
    points_ceiling: float | None = None
    uncoached: int = 0


def _pace_band(low: float | None, high: float | None) -> tuple[float, float]:
    if low is not None and high is not None:
        return (low, high)
    # Imported here: the coach package brings NumPy, which the figures do not need.
    from models.coach.pace import PACE_BAND

    return (float(PACE_BAND[0]), float(PACE_BAND[1]))


def question_series(question: QuestionProgress) -> Series:
    """One point per coached attempt at ``question``, oldest first."""
    series = Series()
    most_listed = 0
    for attempt in question.attempts:
        s = attempt.summary
        if s is None:
            series.uncoached += 1
            continue
        label, when = short_date(attempt.started_at), long_date(attempt.started_at)
        guide = ((s.guide_min_s, s.guide_max_s)
                 if s.guide_min_s is not None and s.guide_max_s is not None else None)
        verdict = ({"short": "short of", "within": "within", "long": "over"}.get(s.verdict, "against")
                   + f" the guide {band_text(*guide)}") if guide else "no time guide"
        series.time.append(ChartPoint(label, s.speaking_s, guide,
                                      f"{when}: spoke {format_clock(s.speaking_s)}, {verdict}"))
        band = _pace_band(s.pace_low, s.pace_high)
        pace = (f"{when}: {s.wpm:.0f} words a minute (comfortable {band[0]:.0f}–{band[1]:.0f})"
                if s.wpm is not None else f"{when}: too little speech to time")
        series.pace.append(ChartPoint(label, s.wpm, band, pace))
        fillers = (f"{when}: {s.fillers_per_min:.1f} fillers a minute ({s.fillers} in all)"
                   if s.fillers_per_min is not None else f"{when}: too little speech to count")
        series.fillers.append(ChartPoint(label, s.fillers_per_min, None, fillers))
        listed = len(s.key_points)
        most_listed = max(most_listed, listed)
        if listed:
            partly = f", {s.partial} partly" if s.partial else ""
            added = sum(1 for p in s.key_points if p.in_follow_up)
            made = (f"{s.covered - added} in the answer, {added} only in the follow-up"
                    f"{partly}" if added else partly.lstrip(", "))
            series.points.append(ChartPoint(
                label, float(s.covered), None,
                f"{when}: {s.covered} of {listed} key points covered" + (f" ({made})" if made else ""),
                follow_up=float(added)))
        else:
            series.points.append(ChartPoint(label, None, None, f"{when}: no key points listed"))
    series.points_ceiling = float(most_listed) if most_listed else None
    return series


@dataclass(frozen=True)
class SessionProgress:
    """One practice session of an interview, its coached answers taken together: what a
    point of the per-interview charts stands for. Rates are over the session's speaking
    time, not averages of each answer's, so a long answer weighs what it lasted."""

    session_id: int
    started_at: str  # its first answer
    answers: int  # coached answers
    uncoached: int
    judged: int  # coached answers with a time guide
    within: int  # of those, within their own guide
    speaking_s: float
    words: int
    fillers: int
    key_points_listed: int
    key_points_covered: int
    pace_band: tuple[float, float]  # the latest answer's comfortable band
    key_points_in_follow_up: int = 0  # of those covered, made only in a follow-up's reply

    @property
    def within_percent(self) -> float | None:
        return 100.0 * self.within / self.judged if self.judged else None

    @property
    def wpm(self) -> float | None:
        return self.words / (self.speaking_s / 60.0) if self.speaking_s > 0 and self.words else None

    @property
    def fillers_per_min(self) -> float | None:
        return self.fillers / (self.speaking_s / 60.0) if self.wpm is not None else None

    @property
    def covered_percent(self) -> float | None:
        return (100.0 * self.key_points_covered / self.key_points_listed
                if self.key_points_listed else None)

    def to_json(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "started_at": self.started_at,
                "answers": self.answers, "uncoached": self.uncoached,
                "within_guide": self.within, "with_guide": self.judged,
                "within_guide_percent": self.within_percent, "speaking_s": self.speaking_s,
                "words": self.words, "wpm": self.wpm, "fillers": self.fillers,
                "fillers_per_min": self.fillers_per_min,
                "key_points_covered": self.key_points_covered,
                "key_points_listed": self.key_points_listed,
                "key_points_covered_percent": self.covered_percent,
                "key_points_covered_in_follow_up": self.key_points_in_follow_up,
                "pace_band": list(self.pace_band)}


def interview_sessions(questions: list[QuestionProgress]) -> list[SessionProgress]:
    """The practice sessions of ``questions`` (one interview's), oldest first."""
    sessions: dict[int, list[AttemptBrief]] = {}
    for question in questions:
        for attempt in question.attempts:
            sessions.setdefault(attempt.session_id, []).append(attempt)
    out = []
    for session_id, group in sessions.items():
        group.sort(key=lambda a: a.started_at)
        coached = [a.summary for a in group if a.summary is not None]
        judged = [s for s in coached if s.within_guide is not None]
        latest = coached[-1] if coached else None
        out.append(SessionProgress(
            session_id=session_id, started_at=group[0].started_at, answers=len(coached),
            uncoached=len(group) - len(coached), judged=len(judged),
            within=sum(1 for s in judged if s.within_guide),
            speaking_s=sum(s.speaking_s for s in coached), words=sum(s.words for s in coached),
            fillers=sum(s.fillers for s in coached),
            key_points_listed=sum(len(s.key_points) for s in coached),
            key_points_covered=sum(s.covered for s in coached),
            key_points_in_follow_up=sum(1 for s in coached for p in s.key_points if p.in_follow_up),
            pace_band=_pace_band(latest.pace_low if latest else None,
                                 latest.pace_high if latest else None)))
    return sorted(out, key=lambda s: s.started_at)


def interview_series(questions: list[QuestionProgress]) -> Series:
    """One point per practice session of an interview, its answers taken together."""
    series = Series(points_ceiling=100.0)
    for session in interview_sessions(questions):
        series.uncoached += session.uncoached
        if not session.answers:
            continue
        label, when = short_date(session.started_at), long_date(session.started_at)
        answers = plural(session.answers, "answer")
        series.time.append(ChartPoint(
            label, session.within_percent, None,
            f"{when}: {session.within} of {session.judged} answers within their time guide"
            if session.judged else f"{when}: no answer had a time guide"))
        band, wpm, rate = session.pace_band, session.wpm, session.fillers_per_min
        if wpm is not None and rate is not None:
            series.pace.append(ChartPoint(label, wpm, band, f"{when}: {wpm:.0f} words a minute over "
                                          f"{answers} (comfortable {band[0]:.0f}–{band[1]:.0f})"))
            series.fillers.append(ChartPoint(label, rate, None, f"{when}: {rate:.1f} fillers a "
                                             f"minute over {answers} ({session.fillers} in all)"))
        else:
            series.pace.append(ChartPoint(label, None, band, f"{when}: too little speech to time"))
            series.fillers.append(ChartPoint(label, None, None, f"{when}: too little speech to count"))
        listed, covered = session.key_points_listed, session.key_points_covered
        added = session.key_points_in_follow_up
        in_follow_up = f" ({added} only in a follow-up)" if added else ""
        series.points.append(ChartPoint(
            label, session.covered_percent, None,
            f"{when}: {covered} of {listed} key points covered over {answers}{in_follow_up}" if listed
            else f"{when}: no key points listed",
            follow_up=100.0 * added / listed if listed else 0.0))
    return series


def interviews_json(progress: list[QuestionProgress]) -> list[dict[str, Any]]:
    """Each interview practised, with its practice sessions (``greenroom progress
    --by-session --json``)."""
    scripts: dict[str, list[QuestionProgress]] = {}
    for question in progress:
        scripts.setdefault(question.script_id, []).append(question)
    return [{"script_id": script_id,
             "sessions": [s.to_json() for s in interview_sessions(questions)]}
            for script_id, questions in scripts.items()]


# ------------------------------------------------------------------ comparing two attempts
@dataclass(frozen=True)
class KeyPointDiff:
    newly_covered: tuple[str, ...]  # covered in the answer now, not in the answer before
    newly_missed: tuple[str, ...]  # said (fully or partly, or in its follow-up) before, not heard now
    still_missed: tuple[str, ...]
    # Made now only in the follow-up's reply: counted covered, never as the answer's own.
    covered_in_follow_up: tuple[str, ...] = ()


def _in_answer(point: KeyPointBrief | None) -> bool:
    return point is not None and point.covered and not point.in_follow_up


def key_point_diff(before: AttemptSummary, after: AttemptSummary) -> KeyPointDiff:
    """How the key points moved from ``before`` to ``after`` (matched by their text). A
    point each answer's follow-up made is in the answer's thread: it counts as said, but
    as covered in the follow-up, apart from the points the answer covered itself; one
    the answer now covers that only its follow-up had made before is newly covered."""
    was = {p.text: p for p in before.key_points}
    newly_covered, newly_missed, still_missed, in_follow_up = [], [], [], []
    for point in after.key_points:
        old = was.get(point.text)
        if point.in_follow_up:
            in_follow_up.append(point.text)
        elif point.covered and not _in_answer(old):
            newly_covered.append(point.text)
        elif not point.said and old is not None and old.said:
            newly_missed.append(point.text)
        elif not point.said:
            still_missed.append(point.text)
    return KeyPointDiff(tuple(newly_covered), tuple(newly_missed), tuple(still_missed),
                        tuple(in_follow_up))


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

    def in_answer(summary: AttemptSummary) -> int:
        return sum(1 for p in summary.key_points if p.covered and not p.in_follow_up)

    threads = any(p.in_follow_up for p in (*before.key_points, *after.key_points))
    if not threads:
        judge(after.covered - before.covered, "{:.0f} more key point(s) covered",
              "{:.0f} fewer key point(s) covered", 1)
    else:
        # The answer by itself first; then, where it differs, the thread with its
        # follow-up, so a point left to the follow-up is never counted as the answer's.
        answer_gain = in_answer(after) - in_answer(before)
        judge(answer_gain, "{:.0f} more key point(s) covered in the answer",
              "{:.0f} fewer key point(s) covered in the answer", 1)
        if after.covered - before.covered != answer_gain:
            judge(after.covered - before.covered,
                  "{:.0f} more key point(s) covered counting the follow-up",
                  "{:.0f} fewer key point(s) covered counting the follow-up", 1)
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


__all__ = ["ChartPoint", "FollowUpBrief", "KeyPointDiff", "NextPractice", "QuestionProgress", "Series",
           "SessionProgress", "answer_threads", "attempt_figures", "band_text", "changes",
           "follow_up_brief", "follow_up_json", "interview_series",
           "interview_sessions", "interviews_json", "key_point_diff", "load_progress", "long_date",
           "plural", "practise_next", "progress_json", "question_series", "script_titles", "short_date"]
