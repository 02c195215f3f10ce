"""Timed coaching notes: one sentence each, tied to a moment of the answer when there is one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interview_scripts.time_guide import format_clock

SEVERITIES = ("info", "warning", "problem")
# Most severe first: how notes at the same moment are ordered, and which note leads the
# feedback. A severity this version does not know ranks after all of them.
SEVERITY_RANK = {"problem": 0, "warning": 1, "info": 2}


def severity_rank(severity: str) -> int:
    return SEVERITY_RANK.get(severity, len(SEVERITY_RANK))


def note_order(note: Any) -> tuple[bool, float, int]:
    """The coach's order of notes: timed notes by time, then whole-answer ones; most severe
    first at the same moment. ``note`` is a saved note (a dict) or a typed one (with
    ``at_s`` and ``severity``), so the LLM merge sorts with it too."""
    if isinstance(note, dict):
        at, severity = note.get("at_s"), note.get("severity")
    else:
        at, severity = note.at_s, note.severity
    return (at is None, float(at) if at is not None else 0.0, severity_rank(str(severity)))


@dataclass(frozen=True)
class Note:
    at_s: float | None
    severity: str  # info | warning | problem
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"at_s": None if self.at_s is None else round(self.at_s, 1),
                "severity": self.severity, "message": self.message, "source": "coach"}


def clock(seconds: float) -> str:
    """m:ss, the one way times are written in notes."""
    return format_clock(seconds)


def duration_words(seconds: float) -> str:
    """A length as a listener says it: '45 s' under a minute, else 'm:ss'."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    return format_clock(seconds)


def guide_words(text: str) -> str:
    """'5-7 minutes' -> '5–7 minute', for 'a 5–7 minute answer'."""
    words = text.strip().replace("-", "–")
    for plural, single in (("minutes", "minute"), ("seconds", "second"), ("mins", "minute"),
                           ("secs", "second")):
        if words.endswith(plural):
            return words[: -len(plural)] + single
    return words


def sort_notes(notes: list[Note]) -> list[dict[str, Any]]:
    """Timed notes in time order, then whole-answer notes, most severe first.

    The same order the LLM merge uses, so re-sorting after it changes nothing.
    """
    return sorted((n.to_dict() for n in notes), key=note_order)
