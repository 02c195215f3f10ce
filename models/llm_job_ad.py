"""Questions written for one job ad by the user's local model, added to a round from the bank.

The round chosen from the bank (``interview_scripts.job_ad``) stands alone; this is a
helper on top. The model gets the ad, the CV or notes if any, the round's questions (so
it does not repeat them) and a bounded JSON schema as Ollama's ``format``: one to four
questions, each with its kind, the ad's requirement it tests and one to four key points
with cue phrases, every string bounded, no descriptions (a small model copies them into
the fields). Its reply is validated, then checked against the ad: a key point that shares
no meaning word with the ad is dropped and counted, and so is a text that copies the
prompt's wording or is not words (``models.llm_reply_check``) and a key point repeated
within its question; a question left with no key point (or repeating one of the round's)
goes with it. What is left joins the round before its closer (``job_ad.with_tailored``),
which keeps to the minutes asked; nothing is saved from here.

It is one request through ``models.ollama_call``, with the answer review's model choice
and refusals: an ad and a CV are private too, so a cloud model or a server on another
machine gets them only with the user's explicit yes. Every failure raises
``OllamaFailure`` with one line; the caller keeps the bank's round.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from interview_scripts.errors import ScriptError
from interview_scripts.frameworks import NONE, STAR
from interview_scripts.job_ad import AdRound, shared_terms, with_tailored
from interview_scripts.page_importer import question_id
from interview_scripts.script import KeyPoint, Question
from interview_scripts.time_guide import parse_time_guide
from models.llm_prompt import estimate_tokens, task_plan
from models.llm_reply_check import Instructions, StrictReply, bare_schema, junk, own_or_counted
from models.ollama_call import (
    OTHER_MODEL_FIX,
    OllamaFailure,
    Request,
    Task,
    TaskClient,
    char_count,
)

PROMPT_VERSION = "job_ad_v1"
# Bounds of the reply, enforced by Ollama's grammar while the model writes.
MAX_QUESTIONS = 4
MAX_POINTS = 4
MAX_CUES = 6
QUESTION_CHARS = 300
REQUIREMENT_CHARS = 200
POINT_CHARS = 160
CUE_CHARS = 40
# A key point counts as drawn from the ad when it uses at least this many of the ad's
# meaning words (stemmed alike: 'escalating' meets the ad's 'escalate').
MIN_SHARED_WORDS = 1
# Four questions at their bounds, with the JSON around them.
REPLY_TOKENS = 3072
TOTAL_TIMEOUT_S = 300.0
# A tailored question is planned like a bank question of its kind.
STORY_GUIDE = "2-3 min"
ROLE_GUIDE = "2-3 min"
KEEP_ROUND = "the round from the bank is kept"
# A little warmth: writing questions, not copying; the seed keeps a run repeatable.
TAILORING = Task(name="questions", sends="job ad", temperature=0.3, seed=23, kept=KEEP_ROUND,
                 shorter="paste only the ad's duties and requirements")


Cue = Annotated[str, Field(min_length=1, max_length=CUE_CHARS)]


class TailoredPoint(StrictReply):
    text: str = Field(min_length=1, max_length=POINT_CHARS,
                      description="What a strong answer shows, in the ad's own words.")
    cues: list[Cue] = Field(max_length=MAX_CUES,
                            description="Short lower-case phrases a candidate says when making the point.")


class TailoredQuestion(StrictReply):
    text: str = Field(min_length=1, max_length=QUESTION_CHARS,
                      description="The question, as an interviewer asks it aloud.")
    kind: Literal["behavioural", "role"]
    requirement: str = Field(max_length=REQUIREMENT_CHARS,
                             description="The ad's words for the requirement the question tests.")
    key_points: list[TailoredPoint] = Field(max_length=MAX_POINTS)


class TailoredSet(StrictReply):
    questions: list[TailoredQuestion] = Field(max_length=MAX_QUESTIONS)


def tailoring_schema() -> dict[str, object]:
    """The ``format`` every tailoring request carries: at least one question, key point
    and cue wherever the grammar would otherwise let a list be empty."""
    schema = bare_schema(TailoredSet)
    schema["properties"]["questions"]["minItems"] = 1
    defs = schema["$defs"]
    defs["TailoredQuestion"]["properties"]["key_points"]["minItems"] = 1
    defs["TailoredPoint"]["properties"]["cues"]["minItems"] = 1
    return schema


@dataclass
class Dropped:
    """What the check against the ad took out of the model's questions."""

    points: int = 0
    questions: int = 0
    not_own: int = 0  # copied the prompt's wording, or not words
    repeats: int = 0  # a key point given twice for one question

    def line(self) -> str | None:
        parts = []
        if self.points:
            parts.append(f"{self.points} key point{'s' if self.points != 1 else ''} not in the ad's words")
        if self.not_own:
            parts.append(f"{self.not_own} text{'s' if self.not_own != 1 else ''} copied from the "
                         "instructions or not words")
        if self.repeats:
            parts.append(f"{self.repeats} repeated key point{'s' if self.repeats != 1 else ''}")
        if self.questions:
            parts.append(f"{self.questions} question{'s' if self.questions != 1 else ''} left without one "
                         "or already in the round")
        return "dropped " + " and ".join(parts) if parts else None


@dataclass
class Tailoring:
    """The round with the model's questions added, and what the check dropped."""

    round: AdRound
    added: tuple[Question, ...]
    model: str
    dropped: Dropped
    attempts: int

    @property
    def line(self) -> str:
        count = len(self.added)
        text = (f"Added {count} question{'s' if count != 1 else ''} tailored to the ad by the local "
                f"model {self.model}")
        dropped = self.dropped.line()
        return f"{text}; {dropped}." if dropped else f"{text}."


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _point_id(text: str, taken: set[str]) -> str:
    """A key point id (lower case, digits, '-') from its first words, unique in ``taken``."""
    base = "-".join(_normal(text).split()[:4])[:50].strip("-") or "point"
    pid, n = base, 2
    while pid in taken:
        pid, n = f"{base}-{n}", n + 1
    taken.add(pid)
    return pid


def build_tailored(ad: str, round_: AdRound, structure: TailoredSet, model: str,
                   instructions: Instructions | None = None
                   ) -> tuple[AdRound, tuple[Question, ...], Dropped]:
    """The model's questions, less what does not come from the ad, joined to the round.

    A key point stays when it shares at least ``MIN_SHARED_WORDS`` meaning words with the
    ad, neither copies ``instructions`` (the prompt) nor is junk, and does not repeat one
    before it in its question; a question stays when its own text passes the same and it
    keeps a key point and does not repeat a question of the round. Raises OllamaFailure
    when no question is left."""
    dropped = Dropped()
    seen = {_normal(p.question.text) for p in round_.picks}
    taken = {p.question.id for p in round_.picks}
    questions: list[Question] = []

    own = own_or_counted(instructions, dropped)  # words of the model's own, else counted

    for asked in structure.questions:
        text = " ".join(asked.text.split())
        if text and not own(text):
            continue
        points = [p for p in asked.key_points if p.text.strip()]
        from_ad = [p for p in points if len(shared_terms(p.text, ad)) >= MIN_SHARED_WORDS]
        dropped.points += len(points) - len(from_ad)
        kept: list[TailoredPoint] = []
        for point in from_ad:
            if _normal(point.text) in {_normal(k.text) for k in kept}:
                dropped.repeats += 1
            elif own(point.text):
                kept.append(point)
        if not text or not kept or _normal(text) in seen:
            dropped.questions += 1
            continue
        seen.add(_normal(text))
        story = asked.kind == "behavioural"
        requirement = " ".join(asked.requirement.split())
        requirement = requirement if requirement and own(requirement) else ""
        guidance = (f"The ad asks for this: “{requirement}”." if requirement and shared_terms(requirement, ad)
                    else "")
        ids: set[str] = set()
        key_points = tuple(KeyPoint(text=" ".join(p.text.split()),
                                    cues=tuple(dict.fromkeys(c.strip().lower() for c in p.cues
                                                             if c.strip() and junk(c) is None)),
                                    id=_point_id(p.text, ids))
                           for p in kept)
        questions.append(Question(id=question_id(text, taken), text=text,
                                  time_guide=parse_time_guide(STORY_GUIDE if story else ROLE_GUIDE),
                                  framework=STAR if story else NONE, guidance=guidance,
                                  key_points=key_points, kind=asked.kind))
    if not questions:
        more = f" ({dropped.line()})" if dropped.line() else ""
        raise OllamaFailure("no_questions", f"the local model {model} wrote no question drawn from the "
                            f"ad{more}", KEEP_ROUND)
    note = f"note: the local model {model} wrote the tailored questions; check them against the ad"
    try:
        joined = with_tailored(round_, ad, questions, notes=[note])
    except ScriptError as exc:
        raise OllamaFailure("schema_violation", f"the model's questions do not make a valid script ({exc})",
                            OTHER_MODEL_FIX) from None
    return joined, tuple(questions), dropped


def tailoring_request(ad: str, cv: str, round_: AdRound
                      ) -> Request[TailoredSet, tuple[AdRound, tuple[Question, ...], Dropped]]:
    """Tailoring ``round_`` to ``ad`` as one request: the ad, the CV, the round and the schema."""
    listed = "\n".join(f"- {p.question.text}" for p in round_.picks)
    reply = max(REPLY_TOKENS, math.ceil(estimate_tokens(listed)))
    plan = task_plan(PROMPT_VERSION, tailoring_schema(), reply, {},
                     {"ad": ad.strip(), "cv": cv.strip() or "(none given)", "round": listed})
    instructions = Instructions([plan.messages[0]["content"]])
    return Request(TAILORING, plan, TailoredSet,
                   check=lambda structure, model: build_tailored(ad, round_, structure, model,
                                                                 instructions))


class AdTailor(TaskClient):
    """Writes questions for a job ad with the model the answer review would use; safe
    with no server. ``allow_remote`` is the user's explicit yes to sending the ad and CV
    off this machine; None reads GREENROOM_OLLAMA_ALLOW_REMOTE, as the review does.
    ``choose`` names the model the ad would go to, with every refusal."""

    TASK = TAILORING
    TOTAL_TIMEOUT_S = TOTAL_TIMEOUT_S

    def tailor(self, ad: str, round_: AdRound, cv: str = "",
               on_progress: Callable[[int], None] | None = None,
               cancel: threading.Event | None = None) -> Tailoring:
        """``round_`` with 2–4 questions written for ``ad``, checked against it.

        ``on_progress`` gets the number of reply characters so far, on a worker thread;
        ``cancel`` ends the wait at once and closes the connection."""
        if not ad.strip():
            raise OllamaFailure("empty", "the job ad is empty", "paste the ad first")
        answer = self.call.ask(tailoring_request(ad, cv, round_), char_count(on_progress), cancel)
        joined, added, dropped = answer.value
        return Tailoring(joined, added, answer.model, dropped, answer.attempts)
