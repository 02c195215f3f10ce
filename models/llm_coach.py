"""The answer review: the local model's judgement merged into the typed ``Feedback``.

The deterministic coach has already measured the answer; the LLM adds judgement (were
the key points really made, how did each stage go, what to say instead). The rule here is
that the LLM can only add: whatever the server does, ``LLMCoach.coach`` returns the
measured feedback intact with ``llm`` None and an ``llm_status`` that says why and what to
do.

The review is one request through ``models.ollama_call`` (which owns the model choice,
the streamed chat, cancel, retries and every failure): its prompt is
``models.llm_prompt.build_prompt``, its schema ``models.llm_feedback.ReviewSpec`` (built
per question and answer), and its reply check ``models.llm_feedback.check_review``, which
believes nothing the transcript and the prompt do not bear out. What this module adds is
the merge into ``Feedback``, with what the review cost (tokens, seconds) and what the
checks removed in its ``llm_status``; a review the checks left nothing of is reported as
not usable (code ``reply_unusable``), the measured feedback intact.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from interview_scripts.script import Question
from models.coach.feedback_model import Feedback, LLMReview, LLMStatus, NoteData
from models.llm_feedback import CheckedReview, LLMFeedback, ReviewReply, ReviewSpec, check_review
from models.llm_prompt import PROMPT_VERSION, build_prompt, instruction_texts
from models.llm_reply_check import Instructions, QuoteFinder, Removed, ReplyUnusable
from models.ollama_call import OllamaFailure, Request, Task, TaskClient
from models.transcript import Transcript

log = logging.getLogger(__name__)

# The whole review, both attempts included.
TOTAL_TIMEOUT_S = 300.0
# Same transcript, same feedback (seed): easier to compare attempts.
REVIEW = Task(name="review", sends="answer", temperature=0.2, seed=7,
              kept="the measured feedback is complete")


def review_request(question: Question, feedback: Feedback
                   ) -> Request[ReviewReply, CheckedReview]:
    """The review of ``feedback`` as one request: prompt, schema and reply check."""
    spec = ReviewSpec.for_question(question, feedback.duration_s)
    plan = build_prompt(question, feedback)
    instructions = Instructions(instruction_texts(question, plan))
    finder = QuoteFinder(Transcript.from_dict(feedback.transcript.model_dump()))

    def check(reply: ReviewReply, _model: str) -> CheckedReview:
        checked = check_review(reply, spec, finder, instructions)
        if checked.removed.items:
            log.info("LLM review checked: %s", "; ".join(checked.removed.lines()))
        return checked

    return Request(REVIEW, plan, ReviewReply, check=check)


class LLMCoach(TaskClient):
    """Adds the local model's review to a feedback; safe to call with no server at all.

    ``allow_remote`` is the user's explicit yes to sending answers off this machine (a
    cloud model, or an Ollama host elsewhere); None reads GREENROOM_OLLAMA_ALLOW_REMOTE.
    ``keep_alive`` None leaves the server's OLLAMA_KEEP_ALIVE alone unless
    GREENROOM_OLLAMA_KEEP_ALIVE asks for a time. ``preload`` loads the review's model
    while the candidate is still talking.
    """

    TASK = REVIEW
    TOTAL_TIMEOUT_S = TOTAL_TIMEOUT_S

    def coach(self, question: Question, feedback: Feedback,
              on_text: Callable[[str], None] | None = None,
              cancel: threading.Event | None = None) -> Feedback:
        """``feedback`` with the review merged in, or with ``llm_status`` saying why not;
        never raises for server trouble, and never changes ``feedback`` itself.
        ``on_text`` gets the reply as it streams (never the model's thinking), on a
        worker thread. ``cancel`` ends the wait at once, closes the connection and
        reports code ``cancelled``."""
        # An earlier review (its notes, what it settled) is undone before a new one.
        base = feedback.without_llm()
        request = review_request(question, base)
        started = time.monotonic()
        try:
            answer = self.call.ask(request, on_text, cancel)
        except OllamaFailure as failure:
            return failed(base, failure, round(time.monotonic() - started, 2))
        checked = answer.value
        return merge_llm_feedback(base, checked.review, answer.model, answer.attempts,
                                  request.plan.version, answer.sent_to, tokens=answer.tokens,
                                  seconds=answer.seconds, removed=checked.removed)


def failed(feedback: Feedback, failure: OllamaFailure, seconds: float | None = None
           ) -> Feedback:
    """``feedback`` without a review, its status saying why and what to do (and, for a
    review the checks left nothing of, what they removed)."""
    removed = failure.removed.lines() if isinstance(failure, ReplyUnusable) else []
    status = LLMStatus(ok=False, code=failure.code, reason=failure.reason, fix=failure.fix,
                       model=failure.model, attempts=failure.attempts, seconds=seconds,
                       removed=removed)
    return feedback.model_copy(update={"llm": None, "llm_status": status}, deep=True)


def merge_llm_feedback(feedback: Feedback, review: LLMFeedback, model: str, attempts: int,
                       prompt_version: str = PROMPT_VERSION, sent_to: str = "", *,
                       tokens: int | None = None, seconds: float | None = None,
                       removed: Removed | None = None) -> Feedback:
    """``feedback`` with the checked review merged in: the review itself, its
    improvements as timed notes, and its key-point and stage judgements folded into the
    checklist and timeline (only through quotes found in the transcript). ``sent_to``
    says where the answer went when it left this machine; ``tokens``, ``seconds`` and
    ``removed`` what the review cost and what the checks took out of it."""
    merged = feedback.without_llm()
    merged.llm = LLMReview(**review.model_dump(), model=model, prompt_version=prompt_version)
    merged.llm_status = LLMStatus(ok=True, code="ok", reason=sent_to, fix="", model=model,
                                  attempts=attempts, tokens=tokens, seconds=seconds,
                                  removed=removed.lines() if removed is not None else [])
    notes = merged.notes + [NoteData(at_s=item.at_s, severity="info", message=item.message,
                                     source="llm") for item in review.improvements]
    merged.notes = sorted(notes, key=_note_order)
    return merged.with_llm_folded()


# Most severe first among notes at the same moment, as the deterministic coach orders them.
_SEVERITY_RANK = {"problem": 0, "warning": 1, "info": 2}


def _note_order(note: NoteData) -> tuple[bool, float, int]:
    at = note.at_s
    return (at is None, at if at is not None else 0.0,
            _SEVERITY_RANK.get(note.severity, len(_SEVERITY_RANK)))
