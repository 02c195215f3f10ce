"""Answer structures the coach knows by name (STAR, CAR, CIRCLES).

Each stage carries cue phrases a speaker tends to use when entering it and a hint the
app can show while recording. Scripts may also define their own framework inline.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Stage:
    name: str
    cues: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Framework:
    name: str
    stages: tuple[Stage, ...] = field(default_factory=tuple)

    @property
    def is_none(self) -> bool:
        return not self.stages


NONE = Framework(name="none")

STAR = Framework(
    name="STAR",
    stages=(
        Stage("Situation", ("situation", "context", "at the time", "back when", "we had", "in my last role",
                            "in a previous role", "in my previous", "at my last", "we were", "our team was"),
              "Set the scene briefly: where, when, what was at stake."),
        Stage("Task", ("task", "my job was", "i was responsible", "my role was", "i needed to", "i had to",
                       "the goal was", "my responsibility", "i was asked", "we needed to"),
              "Say what you personally had to achieve."),
        Stage("Action", ("action", "i decided", "first", "then i", "i started", "i set up", "i led",
                         "i coordinated", "what i did", "so i", "next", "i worked", "i built", "i ran"),
              "Walk through the steps you took, in order, with 'I'."),
        Stage("Result", ("result", "as a result", "in the end", "outcome", "we reduced", "we cut",
                         "we restored", "improved by", "which meant", "ultimately", "finally",
                         "percent", "learned", "the impact"),
              "Land the outcome with a number, then what you learned."),
    ),
)

CAR = Framework(
    name="CAR",
    stages=(
        Stage("Context", ("context", "situation", "at the time", "we had", "in my last role", "we were"),
              "Give the background in a sentence or two."),
        Stage("Action", ("action", "i decided", "first", "then i", "i started", "i led", "so i", "next"),
              "Describe what you did."),
        Stage("Result", ("result", "as a result", "in the end", "outcome", "improved", "reduced",
                         "percent", "learned", "ultimately"),
              "Finish with the measurable outcome."),
    ),
)

# CIRCLES as the incident-leadership guide applies it to incident response.
CIRCLES = Framework(
    name="CIRCLES",
    stages=(
        Stage("Comprehend", ("comprehend", "scope", "impact", "symptoms", "understand", "first i",
                             "assess", "customers were", "alerts"),
              "Size up impact, symptoms and scope."),
        Stage("Identify", ("identify", "root cause", "logs", "diagnos", "metrics", "monitoring",
                           "investigat", "pinpoint", "found that"),
              "Find the root cause: logs, metrics, recent changes."),
        Stage("Report", ("report", "update", "stakeholders", "status page", "every 15 minutes",
                         "informed", "briefed"),
              "Keep stakeholders informed with short factual updates."),
        Stage("Communicate", ("communicate", "assigned", "delegat", "owner", "timeline", "channel",
                              "bridge", "tasks"),
              "Say who does what by when."),
        Stage("Lead", ("lead", "led the", "fix", "rollback", "roll back", "resolved", "deployed",
                       "mitigat", "restored"),
              "Drive the fix or rollback to resolution."),
        Stage("Evaluate", ("evaluate", "post-mortem", "postmortem", "post mortem", "retro",
                           "lessons", "learned", "prevent", "follow-up", "action items"),
              "Close with the post-mortem and what changed."),
    ),
)

BUILT_IN: dict[str, Framework] = {f.name.upper(): f for f in (STAR, CAR, CIRCLES)} | {"NONE": NONE}


def framework_by_name(name: str) -> Framework:
    """A built-in framework by case-insensitive name; KeyError when unknown."""
    return BUILT_IN[name.strip().upper()]
