"""An interview script: the questions of one interview, with what a good answer holds.

These are the domain types every part of Greenroom uses. ``interview_scripts.loader`` builds
them from YAML; ``interview_scripts.page_importer`` builds them from a pasted web page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from interview_scripts.frameworks import NONE, Framework
from interview_scripts.time_guide import TimeGuide, parse_time_guide

KINDS = ("opener", "behavioural", "role", "closer")
LEVELS = ("entry", "mid", "senior", "any")
# Follow-ups are short replies: this guide applies where a script names none.
DEFAULT_FOLLOW_UP_GUIDE = parse_time_guide("1-2 min")


@dataclass(frozen=True)
class KeyPoint:
    """Something a strong answer mentions; ``cues`` are phrases that show it was said.
    ``id`` (may be empty) lets a follow-up name the point it asks about."""

    text: str
    cues: tuple[str, ...] = ()
    id: str = ""


@dataclass(frozen=True)
class FollowUp:
    """A follow-up question; ``probes`` names the key point ids and framework stages
    it asks about, so a weak spot in the answer can pick the follow-up that presses on it."""

    text: str
    probes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mistake:
    """A common mistake; ``cues`` are phrases that give it away in a transcript."""

    text: str
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    time_guide: TimeGuide | None = None
    framework: Framework = NONE
    guidance: str = ""
    key_points: tuple[KeyPoint, ...] = ()
    mistakes: tuple[Mistake, ...] = ()
    sample_answer: str = ""
    follow_ups: tuple[FollowUp, ...] = ()
    kind: str = ""  # empty: the default for its framework (see default_kind)
    level: str = "any"
    follow_up_guide: TimeGuide = DEFAULT_FOLLOW_UP_GUIDE

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", default_kind(self.framework))


def default_kind(framework: Framework) -> str:
    """A STAR or CAR answer tells a past story; anything else is taken as role knowledge."""
    return "behavioural" if framework.name.upper() in ("STAR", "CAR") else "role"


@dataclass(frozen=True)
class InterviewScript:
    id: str
    title: str
    role: str
    questions: tuple[Question, ...]
    description: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)
    bundled: bool = field(default=False, compare=False)

    def question(self, ref: str) -> Question:
        """Find a question by id or by 1-based position; KeyError names what exists."""
        for q in self.questions:
            if q.id == ref:
                return q
        if ref.isdigit() and 1 <= int(ref) <= len(self.questions):
            return self.questions[int(ref) - 1]
        ids = ", ".join(q.id for q in self.questions)
        raise KeyError(f"script '{self.id}' has no question '{ref}' (questions: {ids})")
