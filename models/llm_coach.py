"""LLM feedback from the user's Ollama server, merged into the deterministic feedback.

The deterministic coach has already measured the answer; the LLM adds judgement (were
the key points really made, how did each stage go, what to say instead). The rule here
is that the LLM can only add: whatever the server does — not running, too slow, busy,
model missing, a reply cut at its token limit, a stream that stops early or carries an
error, JSON that is broken or off-schema — ``coach`` returns the measured feedback intact
with ``llm: None`` and an ``llm_status`` that says why and what to do.

What Ollama really does, and what is done about it here:

- A thinking model (capability ``thinking``) thinks by default since Ollama 0.12, into
  ``message.thinking``, and the ``format`` grammar only applies after the think. Some
  models ignore ``think: false`` and think anyway; on others ``think: false`` makes the
  reply ignore ``format``. So a thinking model is asked not to think but is given a
  budget with room to think all the same; thinking text is never read as the answer; a
  think that used up the budget is retried with twice the room; a reply that ignored the
  schema under ``think: false`` is retried letting the model think.
- ``done_reason: "length"`` means the reply hit ``num_predict``: retried with twice the
  budget, never taken for broken JSON.
- A stream can end cleanly without a ``done`` message (Ollama stops a model that repeats
  one token); it is retried once with another seed. A stream can carry an
  ``{"error": …}`` line; it is retried once. A 503 means the server's queue is full;
  it is retried once after a pause.
- Ollama drops the oldest messages without an error when a prompt outgrows ``num_ctx``,
  so every request, the retry included, carries a window that holds its prompt and its
  whole reply budget (``models.llm_prompt.plan_budget``).
- Cancel shuts the connection at once: Ollama then drops the request, and the next
  request is not queued behind one nobody waits for.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import ollama
from pydantic import ValidationError

from interview_scripts.script import Question
from models.coach.llm_fold import fold_llm_review
from models.errors import LLMError
from models.llm_feedback import LLMFeedback, Repairs, ReviewSpec, repair_reply
from models.llm_prompt import (
    PROMPT_VERSION,
    STANDARD_REPLY_TOKENS,
    THINK_TOKENS,
    Budget,
    PromptPlan,
    build_prompt,
    plan_budget,
)
from models.ollama_server import (
    CHAT_MODEL_FIX,
    CONNECT_TIMEOUT_S,
    PREFERRED_MODELS,
    START_FIX,
    AbortableTransport,
    ModelChoice,
    ModelInfo,
    ModelRefused,
    OllamaServer,
    env_allows_remote,
    env_keep_alive,
)

log = logging.getLogger(__name__)

TEMPERATURE = 0.2
SEED = 7  # same transcript, same feedback: easier to compare attempts
# Waiting this long for the next streamed piece means the server is stuck, not slow.
READ_TIMEOUT_S = 120.0
# The whole LLM step, both attempts included.
TOTAL_TIMEOUT_S = 300.0
CANCEL_POLL_S = 0.02
MAX_ATTEMPTS = 2  # the first answer, plus one retry for what can be retried
# A 503 "server busy" is Ollama's queue being full; give it a moment before the retry.
BUSY_RETRY_S = 2.0
OTHER_MODEL_FIX = "try again, or choose another model with GREENROOM_OLLAMA_MODEL"
NO_THINK_FIX = (f"choose a model that answers without thinking first, e.g. "
                f"GREENROOM_OLLAMA_MODEL={PREFERRED_MODELS[0]}")
# A model that thinks in its content (think ignored, no parser) wraps it in these tags.
_THINK_TAGS = re.compile(r"^\s*<(think|thinking)>.*?</\1>\s*", re.DOTALL)
# Content that may still turn out to open a think: only blanks, or "<think" so far.
_THINK_OPEN = re.compile(r"^\s*(<(t(h(i(n(k(i(n(g)?)?)?)?)?)?)?)?(>|$)|$)")


@dataclass
class CoachFailure(Exception):
    """Why the LLM step gave up; becomes ``llm_status``."""

    code: str
    reason: str
    fix: str

    def __str__(self) -> str:
        return self.reason


@dataclass
class _Retry(Exception):
    """A failure one more request may cure; ``failure`` is reported if it does not."""

    failure: CoachFailure
    pause_s: float = 0.0
    new_seed: bool = False


@dataclass
class _Reply:
    content: str
    thinking: str
    done_reason: str


@dataclass
class _Call:
    """One coach() call: its stop flag and the connections a cancel must cut."""

    stop: threading.Event = field(default_factory=threading.Event)
    transports: list[AbortableTransport] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def transport(self) -> AbortableTransport:
        transport = AbortableTransport()
        with self.lock:
            self.transports.append(transport)
            stopped = self.stop.is_set()
        if stopped:
            transport.abort()
        return transport

    def cancel(self) -> None:
        with self.lock:
            self.stop.set()
            transports = list(self.transports)
        for transport in transports:
            transport.abort()


def _status_failure(failure: CoachFailure, model: str | None, attempts: int) -> dict[str, Any]:
    return {"ok": False, "code": failure.code, "reason": failure.reason, "fix": failure.fix,
            "model": model, "attempts": attempts}


def chat_options(budget: Budget, seed: int = SEED) -> dict[str, Any]:
    """The options of every chat request and of the preload before it."""
    return {"temperature": TEMPERATURE, "seed": seed, "num_ctx": budget.num_ctx,
            "num_predict": budget.num_predict}


def _cancelled() -> CoachFailure:
    return CoachFailure("cancelled", "LLM feedback was cancelled",
                        "run the feedback again when you want it")


class LLMCoach:
    """Adds LLM feedback to a feedback dict; safe to call with no server at all.

    ``allow_remote`` is the user's explicit yes to sending answers off this machine (a
    cloud model, or an Ollama host elsewhere); None reads GREENROOM_OLLAMA_ALLOW_REMOTE.
    ``keep_alive`` None leaves the server's OLLAMA_KEEP_ALIVE alone unless
    GREENROOM_OLLAMA_KEEP_ALIVE asks for a time.
    """

    def __init__(
        self,
        host: str | None = None,
        model: str | None = None,
        *,
        allow_remote: bool | None = None,
        read_timeout_s: float = READ_TIMEOUT_S,
        total_timeout_s: float = TOTAL_TIMEOUT_S,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        keep_alive: str | None = None,
        busy_retry_s: float = BUSY_RETRY_S,
    ) -> None:
        # A malformed host setting is one more reason there is no LLM part, reported by
        # coach() like any server trouble, so callers never need a special case for it.
        self._setup_failure: CoachFailure | None = None
        try:
            self.server = OllamaServer(host, connect_timeout_s=connect_timeout_s,
                                       status_timeout_s=min(read_timeout_s, 10.0))
        except LLMError as exc:
            self._setup_failure = CoachFailure(
                "settings", str(exc), "set OLLAMA_HOST or the app's Ollama host to e.g. "
                "http://127.0.0.1:11434")
        self.model = model
        self.allow_remote = env_allows_remote() if allow_remote is None else allow_remote
        self.read_timeout_s = read_timeout_s
        self.total_timeout_s = total_timeout_s
        self.keep_alive = keep_alive or env_keep_alive()
        self.busy_retry_s = busy_retry_s

    @property
    def host(self) -> str:
        return self.server.host if self._setup_failure is None else "(invalid host)"

    # -- preload -------------------------------------------------------------------

    def preload(self) -> threading.Thread:
        """Load the model on the server while the candidate is still talking.

        Returns at once; the returned daemon thread finds the model and asks Ollama to
        load it with the options the chat will use, so the chat finds it loaded instead
        of reloading it. Any failure is left for ``coach`` to report.
        """
        def run() -> None:
            if self._setup_failure is not None:
                return
            try:
                choice = self._choose()
                if choice.info.remote:
                    return  # nothing to load here; the chat itself was allowed
                budget = plan_budget(None, STANDARD_REPLY_TOKENS, thinking=choice.info.thinking,
                                     trained_ctx=choice.info.context_length)
                self.server.preload(choice.name, chat_options(budget), self.keep_alive).join()
            except Exception as exc:  # noqa: BLE001 - fire and forget
                log.info("LLM preload skipped: %s", exc)

        thread = threading.Thread(target=run, name="llm-coach-preload", daemon=True)
        thread.start()
        return thread

    # -- coaching ------------------------------------------------------------------

    def coach(
        self,
        question: Question,
        feedback: dict[str, Any],
        on_text: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[str, Any]:
        """A copy of ``feedback`` with ``llm`` and ``llm_status`` set; never raises for
        server trouble. ``on_text`` gets the reply as it streams (never the model's
        thinking), on a worker thread. ``cancel`` ends the wait at once, closes the
        connection and reports code ``cancelled``."""
        if self._setup_failure is not None:
            return self._fail(copy.deepcopy(feedback), self._setup_failure, self.model, 0)
        # The worker fills its own copy: after a cancel it may still be finishing, and
        # what it writes must not reach the dict the caller already got back.
        working = copy.deepcopy(feedback)
        call = _Call()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["value"] = self._coach(question, working, on_text, call)
            except BaseException as exc:  # noqa: BLE001 - carried back to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=work, name="llm-coach", daemon=True)
        worker.start()
        # Wait on the caller's thread so a cancel answers at once even while the server
        # is silent (loading a model can take a minute).
        while worker.is_alive():
            if cancel is not None and cancel.is_set():
                call.cancel()
                return self._fail(copy.deepcopy(feedback), _cancelled(), self.model, 0)
            worker.join(CANCEL_POLL_S)
        if "error" in box:
            exc = box["error"]
            failure = exc if isinstance(exc, CoachFailure) else self._unexpected(exc)
            return self._fail(working, failure, self.model, 0)
        return box["value"]

    def _coach(self, question: Question, result: dict[str, Any],
               on_text: Callable[[str], None] | None, call: _Call) -> dict[str, Any]:
        deadline = time.monotonic() + self.total_timeout_s
        model = self.model
        attempts = 0
        try:
            choice = self._choose()
            model = choice.name
            plan = build_prompt(question, result)
            spec = ReviewSpec.for_question(question)
            feedback, attempts, repairs = self._ask(choice.info, plan, spec, result, on_text,
                                                    call, deadline)
        except _AttemptsFailed as failed:
            return self._fail(result, failed.failure, model, failed.attempts)
        except CoachFailure as failure:
            return self._fail(result, failure, model, attempts)
        except Exception as exc:  # noqa: BLE001 - mapped to a reason, never raised
            return self._fail(result, self._classify(exc, model), model, attempts)
        if repairs.items:
            log.info("LLM reply from %s repaired: %s", model, "; ".join(repairs.items))
        merged = merge_llm_feedback(result, feedback, model or "", attempts, plan.version)
        if choice.info.remote:
            merged["llm_status"]["reason"] = (
                f"the answer was sent to {choice.info.remote_host or 'ollama.com'} "
                "(allowed by your setting)")
        elif not self.server.local:
            merged["llm_status"]["reason"] = (
                f"the answer was sent to Ollama at {self.host} (allowed by your setting)")
        return merged

    def _choose(self) -> ModelChoice:
        try:
            return self.server.choose(self.model, allow_remote=self.allow_remote)
        except ModelRefused as refused:
            raise CoachFailure(refused.code, refused.reason, refused.fix) from None
        except Exception as exc:  # noqa: BLE001
            raise self._classify(exc, self.model) from None

    def _ask(self, info: ModelInfo, plan: PromptPlan, spec: ReviewSpec, result: dict[str, Any],
             on_text: Callable[[str], None] | None, call: _Call,
             deadline: float) -> tuple[LLMFeedback, int, Repairs]:
        current = plan
        think_tokens = THINK_TOKENS
        reply_tokens = plan.reply_tokens
        think = info.think_value
        seed = SEED
        failure: CoachFailure | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            budget = current.budget(thinking=info.thinking, think_tokens=think_tokens,
                                    trained_ctx=info.context_length, reply_tokens=reply_tokens)
            if not budget.fits:
                raise _AttemptsFailed(CoachFailure(
                    "context_too_small",
                    f"the prompt (about {current.estimated_tokens} tokens) and the reply do "
                    f"not fit in the {budget.num_ctx}-token context of {info.name}",
                    "choose a model with a longer context (llama3.2:3b takes 128k tokens) "
                    "with GREENROOM_OLLAMA_MODEL"), attempt - 1)
            try:
                reply = self._stream_chat(info, current, budget, think, seed, on_text, call,
                                          deadline)
            except _Retry as retry:
                failure = retry.failure
                log.info("LLM attempt %d on %s: %s", attempt, info.name, failure.reason)
                if attempt < MAX_ATTEMPTS and retry.pause_s and call.stop.wait(retry.pause_s):
                    raise _cancelled() from None
                if retry.new_seed:
                    seed += 1
                continue
            except CoachFailure as failure_now:
                raise _AttemptsFailed(failure_now, attempt) from None
            except (httpx.HTTPError, ConnectionError, ollama.ResponseError) as exc:
                raise _AttemptsFailed(self._classify(exc, info.name), attempt) from None
            if reply.done_reason == "length":
                if info.thinking and not _strip_thinking(reply.content).strip():
                    failure = CoachFailure(
                        "thinking_too_long",
                        f"{info.name} thought through its whole budget of "
                        f"{budget.think_tokens} tokens and wrote no review", NO_THINK_FIX)
                    think_tokens *= 2
                else:
                    failure = CoachFailure(
                        "reply_too_long",
                        f"the review from {info.name} was cut off at its limit of "
                        f"{budget.num_predict} tokens", OTHER_MODEL_FIX)
                    reply_tokens = max(reply_tokens, STANDARD_REPLY_TOKENS) * 2
                log.info("LLM attempt %d on %s: %s", attempt, info.name, failure.reason)
                continue
            try:
                feedback, repairs = parse_llm_feedback(_strip_thinking(reply.content), spec,
                                                       result.get("duration_s"))
                return feedback, attempt, repairs
            except CoachFailure as bad:
                failure = bad
                log.info("LLM reply %d from %s rejected: %s", attempt, info.name, bad.reason)
                if think is False and bad.code == "malformed_json":
                    # With think off some models write prose and ignore `format`
                    # (ollama#14645, #14850); thinking first, the schema applies after it.
                    think = None
                # Tell the model exactly what was wrong; small models usually fix it.
                current = plan.with_correction(retry_instruction(bad))
        assert failure is not None
        raise _AttemptsFailed(failure, MAX_ATTEMPTS)

    def _stream_chat(self, info: ModelInfo, plan: PromptPlan, budget: Budget,
                     think: bool | str | None, seed: int,
                     on_text: Callable[[str], None] | None, call: _Call,
                     deadline: float) -> _Reply:
        if call.stop.is_set():
            raise _cancelled()
        read_timeout = max(0.5, min(self.read_timeout_s, deadline - time.monotonic()))
        content: list[str] = []
        thinking: list[str] = []
        shown = 0  # how much of the content the display has had
        done_reason: str | None = None
        transport = call.transport()
        try:
            with self.server.client(read_timeout, transport=transport) as client:
                stream = client.chat(
                    model=info.name,
                    messages=plan.messages,
                    format=plan.schema,
                    options=chat_options(budget, seed),
                    think=think,
                    keep_alive=self.keep_alive,
                    stream=True,
                )
                try:
                    for chunk in stream:
                        if call.stop.is_set():
                            raise _cancelled()
                        if time.monotonic() > deadline:
                            raise CoachFailure(
                                "timeout", f"Ollama at {self.host} took longer than "
                                f"{self.total_timeout_s:g} s", OTHER_MODEL_FIX)
                        message = chunk.message
                        if message.thinking:
                            thinking.append(message.thinking)
                        if message.content:
                            content.append(message.content)
                            # A think written into the content is not shown either.
                            visible = _strip_thinking("".join(content))
                            if not _THINK_OPEN.match(visible) and len(visible) > shown:
                                _deliver(on_text, visible[shown:])
                                shown = len(visible)
                        if chunk.done:
                            done_reason = chunk.done_reason or "stop"
                            break
                finally:
                    stream.close()
        except ollama.ResponseError as exc:
            if call.stop.is_set():
                raise _cancelled() from None
            raise self._response_error(exc, info.name) from None
        except (httpx.HTTPError, ConnectionError):
            if call.stop.is_set():
                raise _cancelled() from None
            raise
        if done_reason is None:
            # The body ended cleanly with no done message: Ollama's runner stops a model
            # that repeats one token over and over and closes the stream without one.
            raise _Retry(CoachFailure(
                "stopped_early", f"Ollama stopped {info.name} before its review was finished "
                "(it does so when a model keeps repeating itself)", OTHER_MODEL_FIX),
                new_seed=True)
        return _Reply("".join(content), "".join(thinking), done_reason)

    # -- failures ------------------------------------------------------------------

    def _response_error(self, exc: ollama.ResponseError, model: str) -> Exception:
        host = self.host
        error = str(exc.error)
        if exc.status_code == 503:
            # Ollama's scheduler answers 503 "server busy, please try again. maximum
            # pending requests exceeded" when its queue (OLLAMA_MAX_QUEUE) is full.
            return _Retry(CoachFailure(
                "server_busy", f"Ollama at {host} is busy with other requests ({error})",
                "try again when its other work is done"), pause_s=self.busy_retry_s)
        if exc.status_code == -1:
            # An {"error": ...} line inside a 200 stream: the model failed mid-reply.
            return _Retry(CoachFailure(
                "generation_error", f"Ollama at {host} failed while {model} was writing: "
                f"{error}", "try again; if it repeats, check the Ollama server log or "
                "choose another model"), new_seed=True)
        if exc.status_code == 400 and "does not support chat" in error:
            return CoachFailure("not_chat_model", f"model '{model}' cannot chat ({error})",
                                CHAT_MODEL_FIX)
        return self._classify(exc, model)

    def _classify(self, exc: BaseException, model: str | None) -> CoachFailure:
        host = self.host
        if isinstance(exc, CoachFailure):
            return exc
        if isinstance(exc, ollama.ResponseError):
            if exc.status_code == 404:
                name = model or "the model"
                return CoachFailure("model_missing",
                                    f"model '{name}' is not installed in Ollama at {host}",
                                    f"greenroom models pull {name}")
            return CoachFailure("server_error", f"Ollama at {host} answered with an error: "
                                f"{exc.error}", "check the Ollama server log, then try again")
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | ConnectionError):
            return CoachFailure("not_running", f"Ollama is not running at {host} "
                                "(connection refused)", START_FIX)
        if isinstance(exc, httpx.TimeoutException):
            return CoachFailure("timeout", f"Ollama at {host} did not answer within "
                                f"{self.read_timeout_s:g} s",
                                "try again (the first run loads the model), or choose a "
                                "smaller model with GREENROOM_OLLAMA_MODEL")
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError
                      | json.JSONDecodeError | ValidationError):
            return CoachFailure("stream_cut", f"the reply from Ollama at {host} broke off "
                                f"({exc})", "try again; if it keeps happening, restart Ollama")
        if isinstance(exc, httpx.HTTPError):
            return CoachFailure("network", f"talking to Ollama at {host} failed "
                                f"({type(exc).__name__}: {exc})", START_FIX)
        return self._unexpected(exc)

    @staticmethod
    def _unexpected(exc: BaseException) -> CoachFailure:
        log.exception("LLM feedback failed unexpectedly", exc_info=exc)
        return CoachFailure("internal", f"LLM feedback failed unexpectedly "
                            f"({type(exc).__name__}: {exc})",
                            "the measured feedback is complete; please report this")

    @staticmethod
    def _fail(result: dict[str, Any], failure: CoachFailure, model: str | None,
              attempts: int) -> dict[str, Any]:
        result["llm"] = None
        result["llm_status"] = _status_failure(failure, model, attempts)
        return result


@dataclass
class _AttemptsFailed(Exception):
    """The last failure, with how many chat requests were made for it."""

    failure: CoachFailure
    attempts: int


def _deliver(on_text: Callable[[str], None] | None, text: str) -> None:
    if on_text is None:
        return
    try:
        on_text(text)
    except Exception:  # noqa: BLE001 - a display callback must not cost the feedback
        log.exception("on_text callback failed")


def _strip_thinking(content: str) -> str:
    """The reply without a think written into the content: a model that ignores
    ``think: false`` and has no thinking parser in Ollama puts its tags there."""
    return _THINK_TAGS.sub("", content, count=1)


def parse_llm_feedback(content: str, spec: ReviewSpec | None = None,
                       duration_s: float | None = None) -> tuple[LLMFeedback, Repairs]:
    """Validate the model's reply after repairing what the grammar lets through;
    CoachFailure(malformed_json | schema_violation) when it cannot be used."""
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise CoachFailure("malformed_json",
                           f"the model's reply was not valid JSON ({exc.msg} at char {exc.pos})",
                           OTHER_MODEL_FIX) from None
    repairs = Repairs([])
    if spec is not None:
        data, repairs = repair_reply(data, spec, duration_s)
    try:
        return LLMFeedback.model_validate(data), repairs
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:5])
        raise CoachFailure("schema_violation",
                           f"the model's JSON did not match the feedback schema ({problems})",
                           OTHER_MODEL_FIX) from None


def retry_instruction(failure: CoachFailure) -> str:
    return (f"YOUR PREVIOUS REPLY WAS REJECTED: {failure.reason}. Reply again with one JSON "
            "object that follows the schema exactly, and nothing else.")


def merge_llm_feedback(result: dict[str, Any], feedback: LLMFeedback, model: str,
                       attempts: int, prompt_version: str = PROMPT_VERSION) -> dict[str, Any]:
    """Put validated LLM feedback into ``result`` (changed in place and returned)."""
    duration = result.get("duration_s")
    llm = feedback.model_dump()
    _drop_impossible_times(llm, duration)
    llm["model"] = model
    llm["prompt_version"] = prompt_version
    result["llm"] = llm
    result["llm_status"] = {"ok": True, "code": "ok", "reason": "", "fix": "", "model": model,
                            "attempts": attempts}
    # Re-coaching a saved attempt must not pile up the previous run's LLM notes.
    notes = [n for n in result.get("notes") or [] if n.get("source") != "llm"]
    notes += [{"at_s": item["at_s"], "severity": "info", "message": item["message"],
               "source": "llm"} for item in llm["improvements"]]
    result["notes"] = sorted(notes, key=_note_order)
    # One checklist: the LLM settles a point the words did not hear only with a quote
    # found in the transcript (see models/coach/llm_fold.py).
    return fold_llm_review(result)


# Most severe first among notes at the same moment, as the deterministic coach orders them.
_SEVERITY_RANK = {"problem": 0, "warning": 1, "info": 2}


def _note_order(note: dict[str, Any]) -> tuple[bool, float, int]:
    at = note.get("at_s")
    return (at is None, float(at) if at is not None else 0.0,
            _SEVERITY_RANK.get(str(note.get("severity")), len(_SEVERITY_RANK)))


def _drop_impossible_times(llm: dict[str, Any], duration: float | None) -> None:
    """A time below zero or past the end of the answer is made up; keep the advice,
    drop the time."""
    limit = float(duration) + 1.0 if isinstance(duration, int | float) and duration > 0 else None
    for item in [*llm["key_points"], *llm["improvements"], llm["rephrasing"]]:
        at = item.get("at_s")
        if at is not None and (at < 0 or (limit is not None and at > limit)):
            item["at_s"] = None
