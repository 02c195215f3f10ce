"""One question as the interviewer asked it, and the words every attempt is saved with.

A conversation is a run of turns: a question of the script, then perhaps a follow-up on
the answer (the script's own or the local LLM's), and in a mock interview a closing
question. Each turn's reply is saved as an attempt, a follow-up's linked to the attempt
it follows up; ``asked_by`` and ``stop_reason`` are stored and shown in these words
(docs/feedback-json.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from interview_scripts.script import Question

# Who put the question: the script's question itself, one of its follow-ups, the local
# LLM (a follow-up drawn from the answer), or the interviewer (the closing question).
ASKED_BY = ("question", "script", "llm", "interviewer")
# Why a recording stopped: the candidate (Space, Enter, the button), a long silence,
# the interviewer cutting a long answer, the length limit in Settings, the microphone
# going away, Esc or leaving, or a stand-in input (a file) running out.
STOP_REASONS = ("candidate", "silence", "interrupted", "max_length", "device", "cancelled",
                "end_of_input", "disk")


@dataclass(frozen=True)
class Turn:
    """One question as asked. ``question`` is what was read aloud and what the reply is
    coached against (for a follow-up, the follow-up's words with its own time guide);
    ``parent`` is the script's question a follow-up follows up."""

    question: Question
    asked_by: str = "question"
    parent: Question | None = None
    follow_up_to: int | None = None  # the attempt a follow-up follows up
    reason: str = ""  # why a follow-up was asked: "asked because …"

    def __post_init__(self) -> None:
        if self.asked_by not in ASKED_BY:
            raise ValueError(f"asked_by must be one of {', '.join(ASKED_BY)}")

    @property
    def is_follow_up(self) -> bool:
        return self.parent is not None

    @property
    def is_closing(self) -> bool:
        return self.asked_by == "interviewer"

    @property
    def label(self) -> str:
        """How screens and the terminal head the turn."""
        if self.is_closing:
            return "Closing question"
        if self.is_follow_up:
            return "Follow-up" + (" (from the local LLM)" if self.asked_by == "llm" else "")
        return "Question"


class Threaded(Protocol):
    """What ordering a conversation needs of an attempt (the store's rows have it)."""

    @property
    def id(self) -> int: ...
    @property
    def follow_up_to(self) -> int | None: ...


class Asked(Protocol):
    """What naming an attempt needs of it (the store's rows have it)."""

    @property
    def question_text(self) -> str: ...
    @property
    def follow_up_to(self) -> int | None: ...
    @property
    def asked_by(self) -> str: ...


def attempt_label(attempt: Asked) -> str:
    """How lists name an attempt: the question as asked, a follow-up marked as one."""
    if attempt.follow_up_to is not None:
        who = " (local LLM)" if attempt.asked_by == "llm" else ""
        return f"↳ Follow-up{who}: {attempt.question_text}"
    if attempt.asked_by == "interviewer":
        return f"Closing: {attempt.question_text}"
    return attempt.question_text


A = TypeVar("A", bound=Threaded)


def in_threads(attempts: Sequence[A]) -> list[A]:
    """``attempts`` in the order given, each follow-up's reply moved right after the answer
    it follows up, so lists show an answer and its follow-up as one thread. A reply whose
    answer is not among them stays where it is."""
    ids = {a.id for a in attempts}
    replies: dict[int, list[A]] = {}
    for attempt in attempts:
        if attempt.follow_up_to is not None and attempt.follow_up_to in ids:
            replies.setdefault(attempt.follow_up_to, []).append(attempt)
    ordered: list[A] = []
    for attempt in attempts:
        if attempt.follow_up_to is not None and attempt.follow_up_to in ids:
            continue
        ordered.append(attempt)
        ordered.extend(replies.get(attempt.id, ()))
    return ordered
