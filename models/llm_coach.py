"""LLM feedback from the user's Ollama server, merged into the deterministic feedback.

The deterministic coach has already measured the answer; the LLM adds judgement (were
the key points really made, how did each stage go, what to say instead). The rule here
is that the LLM can only add: whatever the server does — not running, too slow, model
missing, stream cut, JSON that is broken or off-schema — ``coach`` returns the measured
feedback intact with ``llm: None`` and an ``llm_status`` that says why and what to do.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import ollama
from pydantic import ValidationError

from interview_scripts.script import Question
from models.errors import LLMError
from models.llm_feedback import LLMFeedback, feedback_schema
from models.llm_prompt import PROMPT_VERSION, PromptPlan, build_prompt
from models.ollama_server import (
    CONNECT_TIMEOUT_S,
    KEEP_ALIVE,
    PREFERRED_MODELS,
    START_FIX,
    OllamaServer,
)

log = logging.getLogger(__name__)

TEMPERATURE = 0.2
SEED = 7  # same transcript, same feedback: easier to compare attempts
# Waiting this long for the next streamed piece means the server is stuck, not slow.
READ_TIMEOUT_S = 120.0
# The whole LLM step, both attempts included.
TOTAL_TIMEOUT_S = 300.0
CANCEL_POLL_S = 0.05
MAX_ATTEMPTS = 2  # the first answer, plus one retry that is told what was wrong


@dataclass
class CoachFailure(Exception):
    """Why the LLM step gave up; becomes ``llm_status``."""

    code: str
    reason: str
    fix: str

    def __str__(self) -> str:
        return self.reason


class _StreamCut(Exception):
    pass


def _status_failure(failure: CoachFailure, model: str | None) -> dict[str, Any]:
    return {"ok": False, "code": failure.code, "reason": failure.reason, "fix": failure.fix,
            "model": model}


class LLMCoach:
    """Adds LLM feedback to a feedback dict; safe to call with no server at all."""

    def __init__(
        self,
        host: str | None = None,
        model: str | None = None,
        *,
        read_timeout_s: float = READ_TIMEOUT_S,
        total_timeout_s: float = TOTAL_TIMEOUT_S,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        keep_alive: str = KEEP_ALIVE,
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
        self.read_timeout_s = read_timeout_s
        self.total_timeout_s = total_timeout_s
        self.keep_alive = keep_alive

    @property
    def host(self) -> str:
        return self.server.host if self._setup_failure is None else "(invalid host)"

    # -- preload -------------------------------------------------------------------

    def preload(self) -> threading.Thread:
        """Load the model on the server while the candidate is still talking.

        Returns at once; the returned daemon thread finds the model and asks Ollama to
        keep it loaded. Any failure is left for ``coach`` to report.
        """
        def run() -> None:
            if self._setup_failure is not None:
                return
            try:
                model = self._pick_model()
                self.server.preload(model, self.keep_alive).join()
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
        server trouble. ``on_text`` gets the reply as it streams, on a worker thread.
        ``cancel`` ends the wait at once and reports code ``cancelled``."""
        if self._setup_failure is not None:
            return self._fail(copy.deepcopy(feedback), self._setup_failure, self.model)
        # The worker fills its own copy: after a cancel it may still be finishing, and
        # what it writes must not reach the dict the caller already got back.
        working = copy.deepcopy(feedback)
        stop = threading.Event()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["value"] = self._coach(question, working, on_text, stop)
            except BaseException as exc:  # noqa: BLE001 - carried back to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=work, name="llm-coach", daemon=True)
        worker.start()
        # Wait on the caller's thread so a cancel answers at once even while the server
        # is silent (loading a model can take a minute); the worker notices `stop` and
        # closes its stream at the next piece or read timeout.
        while worker.is_alive():
            if cancel is not None and cancel.is_set():
                stop.set()
                failure = CoachFailure("cancelled", "LLM feedback was cancelled",
                                       "run the feedback again when you want it")
                return self._fail(copy.deepcopy(feedback), failure, self.model)
            worker.join(CANCEL_POLL_S)
        if "error" in box:
            exc = box["error"]
            failure = exc if isinstance(exc, CoachFailure) else self._unexpected(exc)
            return self._fail(working, failure, self.model)
        return box["value"]

    def _coach(self, question: Question, result: dict[str, Any],
               on_text: Callable[[str], None] | None, stop: threading.Event) -> dict[str, Any]:
        deadline = time.monotonic() + self.total_timeout_s
        model = None
        try:
            model = self._pick_model()
            plan = build_prompt(question, result)
            num_ctx = self._fit_context(model, plan)
            feedback, attempts = self._ask(model, plan, num_ctx, on_text, stop, deadline)
        except CoachFailure as failure:
            return self._fail(result, failure, model or self.model)
        except Exception as exc:  # noqa: BLE001 - mapped to a reason, never raised
            return self._fail(result, self._classify(exc, model), model or self.model)
        return merge_llm_feedback(result, feedback, model, attempts, plan.version)

    def _pick_model(self) -> str:
        try:
            model = self.server.pick_model(self.model)
        except Exception as exc:  # noqa: BLE001
            raise self._classify(exc, self.model) from None
        if not model:
            want = PREFERRED_MODELS[0]
            raise CoachFailure("no_model", f"Ollama at {self.host} has no model installed",
                               f"greenroom models pull {want}")
        return model

    def _fit_context(self, model: str, plan: PromptPlan) -> int:
        """The planned window, capped at what the model was trained for."""
        try:
            trained = self.server.context_length(model)
        except ollama.ResponseError as exc:
            if exc.status_code == 404:
                raise self._classify(exc, model) from None
            return plan.num_ctx
        except Exception as exc:  # noqa: BLE001 - /api/show is only advice
            if isinstance(exc, httpx.ConnectError | ConnectionError):
                raise self._classify(exc, model) from None
            return plan.num_ctx
        return min(plan.num_ctx, trained) if trained else plan.num_ctx

    def _ask(self, model: str, plan: PromptPlan, num_ctx: int,
             on_text: Callable[[str], None] | None, stop: threading.Event,
             deadline: float) -> tuple[LLMFeedback, int]:
        messages = list(plan.messages)
        failure: CoachFailure | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            content = self._stream_chat(model, messages, plan, num_ctx, on_text, stop, deadline)
            try:
                return parse_llm_feedback(content), attempt
            except CoachFailure as bad:
                failure = bad
                log.info("LLM reply %d from %s rejected: %s", attempt, model, bad.reason)
                # Tell the model exactly what was wrong; small models usually fix it.
                messages = [*plan.messages, {"role": "assistant", "content": content},
                            {"role": "user", "content": retry_instruction(bad)}]
        assert failure is not None
        raise failure

    def _stream_chat(self, model: str, messages: list[dict[str, str]], plan: PromptPlan,
                     num_ctx: int, on_text: Callable[[str], None] | None,
                     stop: threading.Event, deadline: float) -> str:
        read_timeout = max(0.5, min(self.read_timeout_s, deadline - time.monotonic()))
        parts: list[str] = []
        finished = False
        with self.server.client(read_timeout) as client:
            stream = client.chat(
                model=model,
                messages=messages,
                format=feedback_schema(),
                options={"temperature": TEMPERATURE, "seed": SEED, "num_ctx": num_ctx,
                         "num_predict": plan.num_predict},
                keep_alive=self.keep_alive,
                stream=True,
            )
            try:
                for chunk in stream:
                    if stop.is_set():
                        raise CoachFailure("cancelled", "LLM feedback was cancelled",
                                           "run the feedback again when you want it")
                    if time.monotonic() > deadline:
                        raise CoachFailure(
                            "timeout",
                            f"Ollama at {self.host} took longer than {self.total_timeout_s:g} s",
                            "try again, or choose a smaller model with GREENROOM_OLLAMA_MODEL")
                    text = chunk.message.content or ""
                    if text:
                        parts.append(text)
                        _deliver(on_text, text)
                    if chunk.done:
                        finished = True
                        break
            finally:
                stream.close()
        if not finished:
            raise _StreamCut("the reply stream ended before Ollama said it was done")
        return "".join(parts)

    # -- failures ------------------------------------------------------------------

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
        if isinstance(exc, _StreamCut | httpx.RemoteProtocolError | httpx.ReadError
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
    def _fail(result: dict[str, Any], failure: CoachFailure, model: str | None) -> dict[str, Any]:
        result["llm"] = None
        result["llm_status"] = _status_failure(failure, model)
        return result


def _deliver(on_text: Callable[[str], None] | None, text: str) -> None:
    if on_text is None:
        return
    try:
        on_text(text)
    except Exception:  # noqa: BLE001 - a display callback must not cost the feedback
        log.exception("on_text callback failed")


def parse_llm_feedback(content: str) -> LLMFeedback:
    """Validate the model's reply; CoachFailure(malformed_json | schema_violation) if bad."""
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise CoachFailure("malformed_json",
                           f"the model's reply was not valid JSON ({exc.msg} at char {exc.pos})",
                           "try again, or choose another model with GREENROOM_OLLAMA_MODEL"
                           ) from None
    try:
        return LLMFeedback.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:5])
        raise CoachFailure("schema_violation",
                           f"the model's JSON did not match the feedback schema ({problems})",
                           "try again, or choose another model with GREENROOM_OLLAMA_MODEL"
                           ) from None


def retry_instruction(failure: CoachFailure) -> str:
    return (f"Your reply was rejected: {failure.reason}. Reply again with one JSON object "
            "that follows the schema exactly, and nothing else.")


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
    return result


# Most severe first among notes at the same moment, as the deterministic coach orders them.
_SEVERITY_RANK = {"problem": 0, "warning": 1, "info": 2}


def _note_order(note: dict[str, Any]) -> tuple[bool, float, int]:
    at = note.get("at_s")
    return (at is None, float(at) if at is not None else 0.0,
            _SEVERITY_RANK.get(str(note.get("severity")), len(_SEVERITY_RANK)))


def _drop_impossible_times(llm: dict[str, Any], duration: float | None) -> None:
    """A time past the end of the answer is made up; keep the advice, drop the time."""
    if not isinstance(duration, int | float) or duration <= 0:
        return
    limit = float(duration) + 1.0
    for item in [*llm["key_points"], *llm["improvements"], llm["rephrasing"]]:
        if item.get("at_s") is not None and item["at_s"] > limit:
            item["at_s"] = None
