"""What the interviewer says besides the questions, and how patient they are.

A mock interview opens with who is asking, how many questions and roughly how long;
moves between questions with a short line; cuts an answer that runs well past its guide
with a short interjection; and ends with a closing question and a goodbye. The style
(friendly, neutral or demanding) sets the wording, the margin past a guide's maximum
before an answer is cut, and the tone asked of the local LLM's follow-ups.

Everything here is plain text and numbers: the practice flow speaks the lines, the
window and the terminal show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from interview_scripts.script import Question
from interview_scripts.time_guide import TimeGuide

STYLES = ("friendly", "neutral", "demanding")
DEFAULT_STYLE = "neutral"
STYLE_LABELS = {"friendly": "Friendly", "neutral": "Neutral", "demanding": "Demanding"}
INTERVIEWER_NAME = "Sam"
CLOSING_QUESTION_ID = "closing"
# The closing reply is short: people ask one or two things.
CLOSING_GUIDE = TimeGuide(30, 120, "30s-2 min")


@dataclass(frozen=True)
class Margin:
    """How far past a guide's maximum an answer may run before it is cut: the larger of
    ``floor_s`` and ``share`` of the maximum."""

    floor_s: float
    share: float

    def of(self, max_s: float) -> float:
        return max(self.floor_s, self.share * max_s)


# The neutral margin is the documented default: the larger of 30 s and 20 % of the maximum.
MARGINS = {
    "friendly": Margin(45.0, 0.3),
    "neutral": Margin(30.0, 0.2),
    "demanding": Margin(15.0, 0.1),
}

# How each style asks, for the local LLM's follow-up prompt.
TONES = {
    "friendly": "warm and encouraging; invite the candidate to say more",
    "neutral": "polite and matter-of-fact",
    "demanding": "direct and probing; press for specifics and evidence",
}

_TRANSITIONS = {
    "friendly": ("Thank you, that's helpful. Let's move on.", "Great, thanks. Here's the next one.",
                 "Lovely, thank you. Next question."),
    "neutral": ("Thank you. Next question.", "Okay, let's move on.", "Thanks. Here's the next one."),
    "demanding": ("Noted. Next question.", "Right. Moving on.", "Okay. Next."),
}
_LAST = {
    "friendly": "Thanks. And here's my last question.",
    "neutral": "Thank you. One last question.",
    "demanding": "Right. Final question.",
}
_INTERJECTIONS = {
    "friendly": ("Sorry to jump in, this is really useful, but let's keep moving.",
                 "I'm going to stop you there so we have time for everything."),
    "neutral": ("Thanks, I'll stop you there so we keep to time.",
                "Let me stop you there; we need to move on."),
    "demanding": ("Stop there, please. We need to move on.",
                  "I'll cut you off there. Keep it tighter."),
}
_CLOSING = {
    "friendly": "That's all my questions. Do you have any questions for us?",
    "neutral": "That's all from me. Do you have any questions for us?",
    "demanding": "That's everything from my side. Do you have any questions for us?",
}
_GOODBYE = {
    "friendly": "Thank you so much for your time today. We'll be in touch soon.",
    "neutral": "Thank you for your time today. We'll be in touch.",
    "demanding": "Thank you. That's the end of the interview.",
}


def check_style(style: str | None) -> str:
    """A known style, or the default for anything else (an old or hand-edited setting)."""
    return style if style in STYLES else DEFAULT_STYLE


def interruption_margin_s(max_s: float, style: str | None = DEFAULT_STYLE,
                          margin_s: float | None = None) -> float:
    """Seconds past a guide's maximum before the interviewer cuts in; ``margin_s`` (a
    setting) wins over the style's own."""
    if margin_s is not None and margin_s > 0:
        return float(margin_s)
    return MARGINS[check_style(style)].of(max_s)


def cut_at_s(guide: TimeGuide | None, style: str | None = DEFAULT_STYLE,
             margin_s: float | None = None) -> float | None:
    """Where an answer to a question with ``guide`` is cut; None without a guide."""
    if guide is None or guide.max_s <= 0:
        return None
    return guide.max_s + interruption_margin_s(guide.max_s, style, margin_s)


def estimated_minutes(questions: Sequence[Question], follow_ups: bool) -> int:
    """Roughly how long the interview takes: each answer at the middle of its guide
    (2 minutes without one), a follow-up reply each where they are asked, and the
    closing question."""
    total_s = 0.0
    for q in questions:
        total_s += (q.time_guide.min_s + q.time_guide.max_s) / 2 if q.time_guide else 120.0
        if follow_ups:
            total_s += (q.follow_up_guide.min_s + q.follow_up_guide.max_s) / 2
        total_s += 20.0  # reading the question aloud
    total_s += (CLOSING_GUIDE.min_s + CLOSING_GUIDE.max_s) / 2
    minutes = total_s / 60
    # "About 7 minutes" for a short round, "about 25 minutes" (nearest five) for a long one.
    return max(1, round(minutes)) if minutes <= 10 else 5 * round(minutes / 5)


@dataclass(frozen=True)
class Interviewer:
    """The interviewer's own lines in one style."""

    style: str = DEFAULT_STYLE
    name: str = INTERVIEWER_NAME

    def __post_init__(self) -> None:
        object.__setattr__(self, "style", check_style(self.style))

    def opening(self, role: str, questions: Sequence[Question], follow_ups: bool) -> str:
        count = len(questions)
        minutes = estimated_minutes(questions, follow_ups)
        role_text = f"the {role.strip()} role" if role.strip() else "this role"
        asking = (f"I'll ask you {count} question{'s' if count != 1 else ''}"
                  + (", with a follow-up or two" if follow_ups else "")
                  + f", and it should take about {minutes} minute{'s' if minutes != 1 else ''}.")
        hello = {
            "friendly": f"Hi, thanks so much for coming in. I'm {self.name}, and I'm on the "
                        f"hiring panel for {role_text}.",
            "neutral": f"Hello, and thank you for your time. I'm {self.name}, on the hiring "
                       f"panel for {role_text}.",
            "demanding": f"Good morning. I'm {self.name}, and I lead the hiring for {role_text}.",
        }[self.style]
        start = {"friendly": "Take your time, and let's begin.", "neutral": "Let's begin.",
                 "demanding": "Let's get started."}[self.style]
        return f"{hello} {asking} {start}"

    def transition(self, next_index: int, total: int) -> str:
        """The line before question ``next_index`` (0-based; never said before the first)."""
        if next_index >= total - 1 and total > 1:
            return _LAST[self.style]
        lines = _TRANSITIONS[self.style]
        return lines[(next_index - 1) % len(lines)]

    def interjection(self, count: int = 0) -> str:
        """What is said on cutting an answer short; ``count`` varies the line."""
        lines = _INTERJECTIONS[self.style]
        return lines[count % len(lines)]

    def closing_question(self) -> str:
        return _CLOSING[self.style]

    def goodbye(self) -> str:
        return _GOODBYE[self.style]

    @property
    def tone(self) -> str:
        return TONES[self.style]


def closing_question(interviewer: Interviewer) -> Question:
    """The closing question as a question of its own: recorded and listed, never scored
    against key points (it has none)."""
    return Question(id=CLOSING_QUESTION_ID, text=interviewer.closing_question(),
                    time_guide=CLOSING_GUIDE, kind="closer")


def ends_with_closer(questions: Sequence[Question]) -> bool:
    """Whether the chosen questions already end on a closing question of the script's."""
    return bool(questions) and questions[-1].kind == "closer"
