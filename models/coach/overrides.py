"""The candidate's own word on their answer: "I did cover this" on a key point, and "this
was my Result" on a span of the timeline.

The coach matches words, not meaning, so it can fail to hear a point made in other words
or a stage told without its usual phrases. The candidate knows what they meant; their
statement is kept with the attempt, inside its feedback, and every figure counts it. It
never erases what the coach heard: a marked key point keeps the coach's ``status`` and
``evidence`` beside ``candidate_says``, and a marked stage keeps the coach's own fields
under ``coach``, so both views can be shown and a mark can be undone exactly.

Every function returns new feedback and leaves the one given untouched.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from models.coach.feedback_model import Feedback

# The fields of a stage a candidate's mark replaces; the coach's values are kept under
# ``coach`` and come back on undo.
COACH_STAGE_FIELDS = ("present", "inferred", "start_s", "end_s", "share", "cue", "confidence",
                      "basis")
# A span shorter than this is a slip of the mouse, not a stage.
MIN_SPAN_S = 0.5
# A silence this long between words ends a stretch of speech even without punctuation
# (the coach's own long-pause threshold).
SEGMENT_GAP_S = 2.0
# A dragged edge this close to a sentence boundary moves onto it: people drag roughly.
SNAP_S = 1.5
_SENTENCE_END = (".", "?", "!")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


# ------------------------------------------------------------------ key points
def mark_key_point(feedback: Feedback, index: int, marked_at: str | None = None) -> Feedback:
    """The candidate says they covered key point ``index``; the coach's verdict is kept."""
    data = feedback.to_dict()
    point = data["key_points"][index]
    point.update(candidate_says="covered", candidate_marked_at=marked_at or _now())
    return Feedback.from_dict(data)


def unmark_key_point(feedback: Feedback, index: int) -> Feedback:
    """Undo the candidate's mark on key point ``index``: the coach's verdict alone again."""
    data = feedback.to_dict()
    data["key_points"][index].update(candidate_says=None, candidate_marked_at=None)
    return Feedback.from_dict(data)


# ------------------------------------------------------------------ stages
def _stage_index(data: dict[str, Any], name: str) -> int:
    stages = data["structure"]["stages"]
    for i, stage in enumerate(stages):
        if _key(stage["name"]) == _key(name):
            return i
    known = ", ".join(s["name"] for s in stages) or "none"
    raise ValueError(f"no stage '{name}' in this answer's structure (stages: {known})")


def _extent(feedback: Feedback) -> tuple[float, float]:
    """Where speech starts and ends; spans are kept inside the recording."""
    words = [w for w in feedback.transcript.words if w.word.strip()]
    first = feedback.speech.first_s
    last = feedback.speech.last_s
    if first is None:
        first = words[0].start_s if words else 0.0
    if last is None:
        last = words[-1].end_s if words else feedback.duration_s
    return float(first), float(max(last, first))


def _share(feedback: Feedback, start_s: float, end_s: float) -> float:
    """The part of the speaking time a span holds, as the coach's ``share`` measures it."""
    first, last = _extent(feedback)
    spoken = max(last - first, feedback.speaking_s)
    if spoken <= 0:
        return 0.0
    inside = max(0.0, min(end_s, last) - max(start_s, first))
    return round(min(1.0, inside / spoken), 3)


def mark_stage(feedback: Feedback, name: str, start_s: float, end_s: float,
               marked_at: str | None = None) -> Feedback:
    """The candidate says ``start_s``–``end_s`` was their stage ``name``.

    The stage takes that span with confidence ``candidate``; what the coach found (a span,
    or absent) is kept under ``coach``. Marking a marked stage again moves its span and
    keeps the coach's original."""
    limit = max(feedback.duration_s, _extent(feedback)[1])
    start, end = max(0.0, float(start_s)), float(end_s)
    if limit > 0:
        end = min(end, limit)
    if end - start < MIN_SPAN_S:
        raise ValueError(f"a stage span needs at least {MIN_SPAN_S:g} s "
                         f"(got {start_s:.1f}–{end_s:.1f} s)")
    data = feedback.to_dict()
    stage = data["structure"]["stages"][_stage_index(data, name)]
    coach = stage.get("coach") if stage.get("confidence") == "candidate" else None
    if coach is None:
        coach = {field: stage.get(field) for field in COACH_STAGE_FIELDS}
    cue = stage.get("cue")
    keep_cue = isinstance(cue, dict) and start <= float(cue.get("at_s", -1.0)) <= end
    stage.update(present=True, start_s=round(start, 2), end_s=round(end, 2),
                 share=_share(feedback, start, end), cue=cue if keep_cue else None,
                 confidence="candidate", basis="you marked this span",
                 candidate_marked_at=marked_at or _now(), coach=coach)
    return Feedback.from_dict(data)


def unmark_stage(feedback: Feedback, name: str) -> Feedback:
    """Undo the candidate's mark on stage ``name``: the coach's own stage again."""
    data = feedback.to_dict()
    stage = data["structure"]["stages"][_stage_index(data, name)]
    coach = stage.get("coach")
    if stage.get("confidence") != "candidate" or not isinstance(coach, dict):
        return feedback
    stage.update({field: coach.get(field) for field in COACH_STAGE_FIELDS})
    stage.update(candidate_marked_at=None, coach=None)
    return Feedback.from_dict(data)


# ------------------------------------------------------------------ carrying marks over
def has_marks(feedback: Feedback) -> bool:
    return (any(p.candidate_says for p in feedback.key_points)
            or any(s.by_candidate for s in feedback.structure.stages))


def carry_marks(marked: Feedback, fresh: Feedback) -> Feedback:
    """``fresh`` (the same answer coached again: refined words, the LLM's review) with the
    candidate's marks from ``marked``, matched by key point text and stage name."""
    result = fresh
    said = {_key(p.text): p for p in marked.key_points if p.candidate_says}
    for i, point in enumerate(fresh.key_points):
        mark = said.get(_key(point.text))
        if mark is not None:
            result = mark_key_point(result, i, mark.candidate_marked_at)
    names = {_key(s.name) for s in fresh.structure.stages}
    for stage in marked.structure.stages:
        if (stage.by_candidate and _key(stage.name) in names and stage.start_s is not None
                and stage.end_s is not None):
            result = mark_stage(result, stage.name, stage.start_s, stage.end_s,
                                stage.candidate_marked_at)
    return result


def keep_stored_marks(stored: Feedback | None, fresh: Feedback) -> Feedback:
    """What to save when the answer is coached again: ``fresh`` with exactly the marks
    stored. They may have been made, moved or undone while ``fresh`` was worked out, and
    ``fresh`` may carry marks from the earlier save it was built on: the store is the
    truth, since only the candidate makes marks."""
    return fresh if stored is None else sync_marks(stored, fresh)


def clear_marks(feedback: Feedback) -> Feedback:
    """``feedback`` as the coach left it: every mark of the candidate's undone."""
    result = feedback
    for i, point in enumerate(feedback.key_points):
        if point.candidate_says:
            result = unmark_key_point(result, i)
    for stage in feedback.structure.stages:
        if stage.by_candidate:
            result = unmark_stage(result, stage.name)
    return result


def sync_marks(marked: Feedback, target: Feedback) -> Feedback:
    """``target`` (what is stored, perhaps newer than what the candidate saw) carrying
    exactly the marks of ``marked``: added, moved and undone ones alike."""
    return carry_marks(marked, clear_marks(target))


def _stage_mark(feedback: Feedback, key: str) -> tuple[float | None, float | None] | None:
    for stage in feedback.structure.stages:
        if _key(stage.name) == key and stage.by_candidate:
            return stage.start_s, stage.end_s
    return None


def apply_mark_change(before: Feedback, after: Feedback, stored: Feedback) -> Feedback:
    """``stored`` with just the marks that changed from ``before`` to ``after`` (one view's
    edit) changed the same way. Marks made elsewhere on the same answer, say in History
    while the practice room shows it, are left as they are."""
    result = stored
    was = {_key(p.text): p.candidate_says for p in before.key_points}
    stored_index = {_key(p.text): i for i, p in enumerate(stored.key_points)}
    for point in after.key_points:
        key = _key(point.text)
        if key not in was or was[key] == point.candidate_says or key not in stored_index:
            continue
        i = stored_index[key]
        result = (mark_key_point(result, i, point.candidate_marked_at) if point.candidate_says
                  else unmark_key_point(result, i))
    names = {_key(s.name) for s in stored.structure.stages}
    for stage in after.structure.stages:
        key = _key(stage.name)
        now = _stage_mark(after, key)
        if key not in names or now == _stage_mark(before, key):
            continue
        result = unmark_stage(result, stage.name)
        if now is not None and now[0] is not None and now[1] is not None:
            result = mark_stage(result, stage.name, now[0], now[1], stage.candidate_marked_at)
    return result


# ------------------------------------------------------------------ where a span falls
def sentence_spans(feedback: Feedback) -> list[tuple[float, float]]:
    """The answer's sentences as (start, end) from the transcript's words: a sentence ends
    at . ? ! or at a silence of ``SEGMENT_GAP_S`` (speech without punctuation)."""
    words = [w for w in feedback.transcript.words if w.word.strip()]
    spans: list[tuple[float, float]] = []
    start: float | None = None
    for i, word in enumerate(words):
        if start is None:
            start = word.start_s
        following = words[i + 1] if i + 1 < len(words) else None
        if (word.word.strip().endswith(_SENTENCE_END) or following is None
                or following.start_s - word.end_s >= SEGMENT_GAP_S):
            spans.append((float(start), float(max(word.end_s, start))))
            start = None
    return spans


def _sentence_at(feedback: Feedback, at_s: float) -> tuple[float, float] | None:
    spans = sentence_spans(feedback)
    if not spans:
        return None
    inside = [s for s in spans if s[0] <= at_s <= s[1]]
    if inside:
        return inside[0]
    # Between sentences: the nearer one.
    return min(spans, key=lambda s: min(abs(s[0] - at_s), abs(s[1] - at_s)))


def _others(feedback: Feedback, name: str) -> list[tuple[int, float, float]]:
    """The other present stages with a span: (framework position, start, end)."""
    return [(i, s.start_s, s.end_s) for i, s in enumerate(feedback.structure.stages)
            if _key(s.name) != _key(name) and s.present and s.start_s is not None
            and s.end_s is not None]


def default_stage_span(feedback: Feedback, name: str, at_s: float | None = None
                       ) -> tuple[float, float] | None:
    """The span "this was my <name>" means when the candidate gives no span of their own.

    At a moment ``at_s``: the gap between the other stages around it when no other stage
    holds that moment, otherwise the sentence said then. Without a moment: the stage's own
    gap, between the stage before it and the stage after it in the framework; failing
    that, its current span. None when the answer has nothing to mark."""
    stages = feedback.structure.stages
    index = next((i for i, s in enumerate(stages) if _key(s.name) == _key(name)), None)
    if index is None:
        return None
    first, last = _extent(feedback)
    others = _others(feedback, name)
    if at_s is not None:
        if not any(start <= at_s <= end for _, start, end in others):
            low = max([end for _, _, end in others if end <= at_s] + [first])
            high = min([start for _, start, _ in others if start >= at_s] + [last])
            if high - low >= MIN_SPAN_S:
                return round(low, 2), round(high, 2)
        sentence = _sentence_at(feedback, at_s)
        return (round(sentence[0], 2), round(sentence[1], 2)) if sentence else None
    low = max([end for i, _, end in others if i < index] + [first])
    high = min([start for i, start, _ in others if i > index] + [last])
    if high - low >= MIN_SPAN_S:
        return round(low, 2), round(high, 2)
    stage = stages[index]
    if stage.present and stage.start_s is not None and stage.end_s is not None:
        return stage.start_s, stage.end_s
    sentence = _sentence_at(feedback, low)
    return (round(sentence[0], 2), round(sentence[1], 2)) if sentence else None


def snap_span(feedback: Feedback, start_s: float, end_s: float) -> tuple[float, float]:
    """A dragged span with each edge moved onto a sentence boundary within ``SNAP_S``."""
    spans = sentence_spans(feedback)
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]

    def nearest(value: float, edges: list[float]) -> float:
        best = min(edges, key=lambda e: abs(e - value), default=value)
        return best if abs(best - value) <= SNAP_S else value

    start, end = sorted((start_s, end_s))
    snapped = (nearest(start, starts), nearest(end, ends))
    if snapped[1] - snapped[0] < MIN_SPAN_S:
        return round(start, 2), round(end, 2)
    return round(snapped[0], 2), round(snapped[1], 2)


__all__ = ["apply_mark_change", "carry_marks", "clear_marks", "default_stage_span", "has_marks", "keep_stored_marks",
           "mark_key_point", "mark_stage", "sentence_spans", "snap_span", "sync_marks", "unmark_key_point", "unmark_stage"]
