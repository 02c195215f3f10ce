"""One question as the interviewer asked it, and the words every attempt is saved with.

A conversation is a run of turns: a question of the script, then perhaps a follow-up on
the answer (the script's own or the local LLM's), and in a mock interview a closing
question. Each turn's reply is saved as an attempt, a follow-up's linked to the attempt
it follows up; ``asked_by`` and ``stop_reason`` are stored and shown in these words
(docs/feedback-json.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from interview_scripts.script import Question

# Who put the question: the script's question itself, one of its follow-ups, the local
# LLM (a follow-up drawn from the answer), or the interviewer (the closing question).
ASKED_BY = ("question", "script", "llm", "interviewer")
# Why a recording stopped: the candidate (Space, Enter, the button), a long silence,
# the interviewer cutting a long answer, the length limit in Settings, the microphone
# going away, Esc or leaving, or a stand-in input (a file) running out.
STOP_REASONS = ("candidate", "silence", "interrupted", "max_length", "device", "cancelled",
                "end_of_input")


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
