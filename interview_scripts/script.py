"""An interview script: the questions of one interview, with what a good answer holds.

These are the domain types every part of Greenroom uses. ``interview_scripts.loader`` builds
them from YAML; ``interview_scripts.page_importer`` builds them from a pasted web page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from interview_scripts.frameworks import NONE, Framework
from interview_scripts.time_guide import TimeGuide


@dataclass(frozen=True)
class KeyPoint:
    """Something a strong answer mentions; ``cues`` are phrases that show it was said."""

    text: str
    cues: tuple[str, ...] = ()


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
    follow_ups: tuple[str, ...] = ()


@dataclass(frozen=True)
class InterviewScript:
    id: str
    title: str
    role: str
    questions: tuple[Question, ...]
    description: str = ""
    source: str = ""
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
