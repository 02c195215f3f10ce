"""The figures History, compare and progress list for one attempt, kept beside it.

An attempt's full feedback and transcript run to tens of kilobytes; a year of practice
is thousands of them. The store therefore saves this small summary with every attempt
(computed from the typed ``Feedback`` when it is saved or replaced) and the lists read
only summaries; the full feedback is read when one attempt is opened.

Key-point statuses are the effective ones: the coach's, unless the candidate said they
covered the point ("I did cover this"), which wins and is flagged ``by_candidate`` with the
coach's own status beside it; a point the answer missed and its follow-up's reply made
counts as covered, flagged ``in_follow_up`` with the answer's own status beside it. Only "covered" and "partial" count as said; any other status
(whatever the coach calls a point it did not hear) is missed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only ``from_feedback`` sees one; lists read summaries without pydantic
    from models.coach.feedback_model import Feedback

# Bump when the shape changes; a migration then recomputes every stored summary. Fields
# added with defaults that older rows cannot need (the candidate's marks are newer than
# every summary without them) keep the version.
SUMMARY_VERSION = 1
SAID_STATUSES = ("covered", "partial")


@dataclass(frozen=True)
class KeyPointBrief:
    text: str
    status: str  # effective: the candidate's word wins over the coach's
    start_s: float | None = None
    by_candidate: bool = False  # counted covered because the candidate said so
    coach_status: str | None = None  # the coach's own status, where the counted one differs
    in_follow_up: bool = False  # counted covered because the follow-up's reply made it

    @property
    def covered(self) -> bool:
        return self.status == "covered"

    @property
    def said(self) -> bool:
        """Covered or partly covered."""
        return self.status in SAID_STATUSES


@dataclass(frozen=True)
class StageBrief:
    name: str
    start_s: float
    end_s: float
    by_candidate: bool = False  # the candidate marked this span


@dataclass(frozen=True)
class AttemptSummary:
    verdict: str = "no_guide"  # short | within | long | no_guide
    delta_s: float | None = None
    guide_min_s: float | None = None
    guide_max_s: float | None = None
    guide_text: str | None = None
    duration_s: float = 0.0
    speaking_s: float = 0.0
    words: int = 0
    wpm: float | None = None
    pace_low: float | None = None
    pace_high: float | None = None
    fillers: int = 0
    fillers_per_min: float | None = None
    pauses: int = 0
    longest_pause_s: float = 0.0
    key_points: tuple[KeyPointBrief, ...] = ()
    stages: tuple[StageBrief, ...] = ()
    notes: int = 0
    has_llm_review: bool = False
    version: int = SUMMARY_VERSION

    # ------------------------------------------------------------------ figures
    @property
    def covered(self) -> int:
        return sum(1 for p in self.key_points if p.covered)

    @property
    def partial(self) -> int:
        return sum(1 for p in self.key_points if p.status == "partial")

    @property
    def covered_by_candidate(self) -> int:
        return sum(1 for p in self.key_points if p.covered and p.by_candidate)

    @property
    def missed(self) -> int:
        return sum(1 for p in self.key_points if not p.said)

    @property
    def within_guide(self) -> bool | None:
        return None if self.verdict == "no_guide" else self.verdict == "within"

    def key_points_text(self) -> str:
        """'2/3' covered out of listed, or '—' when the question lists none."""
        return f"{self.covered}/{len(self.key_points)}" if self.key_points else "—"

    # ------------------------------------------------------------------ conversions
    @classmethod
    def from_feedback(cls, feedback: Feedback) -> AttemptSummary:
        guide = feedback.time_guide
        band = feedback.pace.band
        return cls(
            verdict=feedback.length.verdict,
            delta_s=feedback.length.delta_s,
            guide_min_s=guide.min_s if guide else None,
            guide_max_s=guide.max_s if guide else None,
            guide_text=guide.text if guide else None,
            duration_s=feedback.duration_s,
            speaking_s=feedback.speaking_s,
            words=feedback.words,
            wpm=feedback.wpm,
            pace_low=float(band[0]) if band else None,
            pace_high=float(band[1]) if band else None,
            fillers=feedback.fillers.count,
            fillers_per_min=feedback.fillers.per_minute,
            pauses=len(feedback.pauses),
            longest_pause_s=max((p.duration_s for p in feedback.pauses), default=0.0),
            key_points=tuple(KeyPointBrief(p.text, p.effective_status, p.start_s, p.by_candidate,
                                           p.status if p.by_candidate or p.in_follow_up else None,
                                           p.in_follow_up and not p.by_candidate)
                             for p in feedback.key_points),
            stages=tuple(StageBrief(s.name, s.start_s, s.end_s, s.by_candidate)
                         for s in feedback.structure.stages
                         if s.present and s.start_s is not None and s.end_s is not None),
            notes=len(feedback.notes),
            has_llm_review=feedback.llm is not None,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttemptSummary:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["key_points"] = tuple(KeyPointBrief(**_fields(KeyPointBrief, p))
                                    for p in data.get("key_points", ()))
        known["stages"] = tuple(StageBrief(**_fields(StageBrief, s)) for s in data.get("stages", ()))
        return cls(**known)

    @classmethod
    def from_json(cls, text: str | None) -> AttemptSummary | None:
        """A stored summary; None when there is none or it cannot be read."""
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls.from_dict(data) if isinstance(data, dict) else None
        except (TypeError, ValueError):
            return None


def _fields(kind: type, data: dict[str, Any]) -> dict[str, Any]:
    """The keys ``kind`` knows: a summary written by a newer version still reads."""
    return {name: data[name] for name in kind.__dataclass_fields__ if name in data}


__all__ = ["SAID_STATUSES", "SUMMARY_VERSION", "AttemptSummary", "KeyPointBrief", "StageBrief"]
