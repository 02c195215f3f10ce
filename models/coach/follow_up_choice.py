"""Which of a question's scripted follow-ups to ask after an answer, and why.

The interviewer presses on what the answer did not give. The gaps are the key points
not heard (then those only touched on) and the framework stages absent, in the
question's own order. A follow-up targets a gap when its ``probes`` name it (a key point
id or a stage name); a follow-up without ``probes`` targets a gap when its words share a
content word with the key point or name the stage ("And what was the result?" presses
on a missing Result). The follow-up that targets the earliest gap wins, ties going to
the one written first; when none targets a gap, the first follow-up not yet asked is
asked, and the reason says so. The choice is word matching like the rest of the coach:
"not heard" is never "missing", and the reason is worded that way.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from interview_scripts.script import FollowUp, KeyPoint, Question
from models.coach.feedback_model import Feedback, KeyPointResult
from models.coach.key_points import INSTRUCTION_WORDS
from models.coach.text_match import content_phrases, normalise_words, stem, tokens_match

# Statuses that leave a key point for a follow-up to press on, strongest gap first.
GAP_STATUSES = ("not_heard", "missing", "partial")
# Stage confidences that mean the answer did not give the stage.
ABSENT_STAGE = ("absent",)


@dataclass(frozen=True)
class Gap:
    """Something the answer did not give: a key point (by its id, if it has one) or a stage."""

    kind: str  # "key_point" or "stage"
    name: str  # the key point's id (may be empty) or the stage's name
    text: str  # the key point's text, or the stage's name
    status: str  # the key point's status, or "absent" for a stage

    @property
    def reason(self) -> str:
        """Why a follow-up on this gap is asked, completing "asked because …"."""
        if self.kind == "stage":
            return f"no {self.text.lower()} was heard"
        point = self.text.rstrip(".")
        point = point[:1].lower() + point[1:]
        if self.status == "partial":
            return f"'{point}' was only touched on"
        return f"'{point}' was not heard in these words"


@dataclass(frozen=True)
class FollowUpChoice:
    """The follow-up to ask: its words, why it was chosen and what it presses on."""

    text: str
    reason: str  # completes "asked because …"
    asked_by: str = "script"  # "script" (the question's own) or "llm"
    targets: tuple[str, ...] = ()  # the key point texts and stage names it presses on
    index: int = -1  # its place in the question's follow_ups; -1 when not scripted

    @property
    def because(self) -> str:
        return f"asked because {self.reason}"


def answer_gaps(question: Question, feedback: Feedback | None) -> list[Gap]:
    """What the answer did not give, in the order a follow-up should press on it: key
    points not heard, then stages absent, then key points only touched on."""
    if feedback is None:
        return []
    by_text = {r.text: r for r in feedback.key_points}
    missing: list[Gap] = []
    partial: list[Gap] = []
    for point in question.key_points:
        result = by_text.get(point.text)
        if result is None:
            continue
        status = _status(result)
        if status in ("not_heard", "missing"):
            missing.append(Gap("key_point", point.id, point.text, status))
        elif status == "partial":
            partial.append(Gap("key_point", point.id, point.text, status))
    stage_names = [s.name for s in question.framework.stages]
    stages = {s.name: s for s in feedback.structure.stages}
    absent = [Gap("stage", name, name, "absent") for name in stage_names
              if name in stages and _absent(stages[name])]
    return missing + absent + partial


def choose_follow_up(question: Question, feedback: Feedback | None,
                     asked: Collection[str] = ()) -> FollowUpChoice | None:
    """The scripted follow-up to ask after ``feedback`` on an answer to ``question``;
    None when every follow-up was asked already (``asked`` holds their texts) or there
    are none."""
    candidates = [(i, f) for i, f in enumerate(question.follow_ups) if f.text not in asked]
    if not candidates:
        return None
    gaps = answer_gaps(question, feedback)
    points = {p.text: p for p in question.key_points}
    for gap in gaps:
        for index, follow_up in candidates:
            if _targets(follow_up, gap, points.get(gap.text)):
                targets = tuple(g.text for g in gaps if _targets(follow_up, g, points.get(g.text)))
                return FollowUpChoice(follow_up.text, gap.reason, "script", targets, index)
    index, follow_up = candidates[0]
    reason = ("the answer gave what this question looks for, so the interviewer asks its "
              "next follow-up" if feedback is not None and not gaps else
              "it is the question's next follow-up")
    return FollowUpChoice(follow_up.text, reason, "script", (), index)


def _status(result: KeyPointResult) -> str:
    return str(result.effective_status)


def _absent(stage: object) -> bool:
    confidence = getattr(stage, "confidence", None)
    if confidence is not None:
        return confidence in ABSENT_STAGE
    # Rows written before stages had a confidence: absent is neither present nor inferred.
    return not getattr(stage, "present", False) and not getattr(stage, "inferred", False)


def _targets(follow_up: FollowUp, gap: Gap, point: KeyPoint | None) -> bool:
    """Whether ``follow_up`` presses on ``gap``: by its probes when it names any, else by
    its words."""
    if follow_up.probes:
        probes = {p.casefold() for p in follow_up.probes}
        return bool(gap.name) and gap.name.casefold() in probes
    words = {stem(w) for w in normalise_words(follow_up.text)}
    if gap.kind == "stage":
        return stem(gap.name.lower()) in words
    if point is None:
        return False
    ask = [p.stems for p in content_phrases(follow_up.text, INSTRUCTION_WORDS)]
    wanted = [p.stems for p in content_phrases(point.text, INSTRUCTION_WORDS)]
    wanted += [tuple(stem(w) for w in normalise_words(c)) for c in point.cues]
    return any(_shares(a, w) for a in ask for w in wanted)


def _shares(asked: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """A phrase of the follow-up meets a phrase of the key point (one word is enough:
    "numbers" in the follow-up meets "in numbers" among the point's cues)."""
    return any(tokens_match(a, w) for a in asked for w in wanted if len(a) > 2 and len(w) > 2)


def reply_question(parent: Question, text: str, parent_feedback: Feedback | None) -> Question:
    """The question a follow-up reply is coached against: the words as asked, the
    follow-up's own time guide, no framework (a reply is short and answers one thing),
    and the parent's key points the first answer left unheard or only touched on, so
    the reply is checked for what the follow-up gave a second chance at."""
    open_points = {g.text for g in answer_gaps(parent, parent_feedback) if g.kind == "key_point"}
    if parent_feedback is None:
        open_points = {p.text for p in parent.key_points}
    return Question(id=parent.id, text=text, time_guide=parent.follow_up_guide,
                    guidance=parent.guidance, kind=parent.kind, level=parent.level,
                    key_points=tuple(p for p in parent.key_points if p.text in open_points),
                    mistakes=parent.mistakes, follow_up_guide=parent.follow_up_guide)
