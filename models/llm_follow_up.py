"""One follow-up question drawn from the candidate's answer by the local model.

A request through ``models.ollama_call`` like the answer review: the prompt
``models/prompts/follow_up_v1.md`` (the question, its key points, the answer word for
word, the interviewer's manner), a small bounded schema (``FollowUpReply``: the words of
the answer it builds on, and the question) and a check against the transcript. The
follow-up must be grounded: its ``quote`` must be found in the transcript as said (the
same matching as the review's key-point quotes, ``text_match.locate_quote``) and the
question must name what the quote is about (a content word of the quote). One that
quotes nothing said is refused with code ``ungrounded``, never asked; the caller asks
the script's follow-up instead and counts it. So is one whose question is not the
model's own (``models.llm_reply_check``): junk, or a copy of the prompt's wording or of
the question already asked. The schema carries no descriptions, which a small model
copies into the fields; the prompt says what each field is.

The interviewer cannot wait: the caller gives the request a few seconds from Stop and
cancels it after that (``cancel`` cuts the connection at once).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pydantic import Field

from interview_scripts.script import Question
from models.coach.text_match import content_phrases, locate_quote, tokenize, tokens_match
from models.llm_prompt import task_plan
from models.llm_reply_check import Instructions, StrictReply, bare_schema, own_words
from models.ollama_call import OllamaFailure, Request, Task, TaskClient
from models.ollama_server import CONNECT_TIMEOUT_S
from models.transcript import Transcript

PROMPT_VERSION = "follow_up_v1"
QUESTION_CHARS = 220
QUOTE_CHARS = 200
# A sentence of a question and a quote: the schema bounds the reply well under this.
REPLY_TOKENS = 256
FOLLOW_UP = Task(name="follow-up", sends="answer", temperature=0.4, seed=11,
                 kept="the script's follow-up is asked instead")
UNGROUNDED_FIX = "the script's follow-up is asked instead"


class FollowUpReply(StrictReply):
    """What the model must reply: the answer's own words it builds on, and the question."""

    quote: str = Field(min_length=1, max_length=QUOTE_CHARS,
                       description="words copied exactly from the candidate's answer")
    question: str = Field(min_length=1, max_length=QUESTION_CHARS,
                          description="the follow-up question, one sentence")


@dataclass(frozen=True)
class LLMFollowUp:
    """A grounded follow-up: the question, the answer's words it builds on as the
    transcript has them, when they were said, and the model that wrote it."""

    question: str
    quote: str
    at_s: float
    model: str

    @property
    def reason(self) -> str:
        """Completes "asked because …"."""
        return f"you said “{self.quote}”"


def follow_up_schema() -> dict[str, object]:
    return bare_schema(FollowUpReply)


def follow_up_request(question: Question, transcript: Transcript,
                      tone: str) -> Request[FollowUpReply, LLMFollowUp]:
    """The follow-up to ``transcript`` (an answer to ``question``) as one request."""
    points = "\n".join(f"- {p.text}" for p in question.key_points) or "- (none listed)"
    plan = task_plan(PROMPT_VERSION, follow_up_schema(), REPLY_TOKENS, {"tone": tone},
                     {"question": question.text, "points": points,
                      "answer": transcript.text.strip() or "(nothing was said)"})
    instructions = Instructions([plan.messages[0]["content"], question.text])
    return Request(FOLLOW_UP, plan, FollowUpReply,
                   check=lambda reply, model: grounded(reply, transcript, model, instructions))


def grounded(reply: FollowUpReply, transcript: Transcript, model: str,
             instructions: Instructions | None = None) -> LLMFollowUp:
    """The reply as a follow-up the candidate can be asked, or OllamaFailure
    ``ungrounded`` when it quotes nothing they said or does not name what it quotes, or
    its question is junk or copies ``instructions`` (the prompt and the question asked)."""
    if not own_words(reply.question, instructions):
        raise OllamaFailure("ungrounded", "the local model's follow-up is not a question of "
                            "its own (it copies its instructions or is not words)",
                            UNGROUNDED_FIX, model=model)
    tt = tokenize(transcript)
    span = locate_quote(reply.quote, tt)
    if span is None:
        raise OllamaFailure("ungrounded", "the local model's follow-up quotes nothing the "
                            "candidate said", UNGROUNDED_FIX, model=model)
    first, past = span
    said = tt.tokens[first:past]
    asked = [p.stems for p in content_phrases(reply.question)]
    if not any(tokens_match(a, t.stem) for phrase in asked for a in phrase for t in said
               if len(t.stem) > 2):
        raise OllamaFailure("ungrounded", "the local model's follow-up does not name what it "
                            "quotes from the answer", UNGROUNDED_FIX, model=model)
    words = transcript.words[said[0].word_index:said[-1].word_index + 1]
    quote = " ".join(w.word.strip() for w in words).strip(" ,.;:")
    text = " ".join(reply.question.split())
    if not text.endswith("?"):
        text = text.rstrip(".!") + "?"
    return LLMFollowUp(text, quote, round(said[0].start_s, 2), model)


class FollowUpAsker(TaskClient):
    """Asks the local model for a follow-up; ``budget_s`` bounds the whole request, and
    each wait within it (the interviewer cannot wait longer)."""

    TASK = FOLLOW_UP

    def __init__(self, host: str | None = None, model: str | None = None, *,
                 allow_remote: bool | None = None, budget_s: float = 4.0,
                 connect_timeout_s: float = CONNECT_TIMEOUT_S) -> None:
        room = max(budget_s, 0.5)
        super().__init__(host, model, allow_remote=allow_remote, total_timeout_s=room,
                         read_timeout_s=room, connect_timeout_s=min(connect_timeout_s, room),
                         busy_retry_s=min(1.0, budget_s / 4))

    def ask(self, question: Question, transcript: Transcript, tone: str,
            cancel: threading.Event | None = None) -> LLMFollowUp:
        """A grounded follow-up; OllamaFailure for every way it is not had (``ungrounded``
        for one that quotes nothing said, ``cancelled`` when ``cancel`` is set)."""
        return self.call.ask(follow_up_request(question, transcript, tone), cancel=cancel).value
