"""Every request Greenroom makes to Ollama goes through here.

A request is a prompt, the JSON schema its reply must follow and a check that turns a
reply following it into the result (``Request``); the answer review and the page reader
are each one of those. What every request shares lives here and nowhere else: the model
choice and its refusals (``models.ollama_server``), the window and reply budget, the
streamed chat and its cancel, the retry rules, and how each way Ollama fails becomes the
one failure type, ``OllamaFailure`` (code, reason, fix; docs/ollama.md lists the codes).

A new request (a follow-up question drawn from an answer, the questions of a job ad) is
a ``Task``, a ``PromptPlan`` carrying its schema, a pydantic model for its reply and a
check, as ``models.llm_coach.review_request`` and
``models.llm_page_reader.page_request`` are; nothing here changes for it. Its front is a
``TaskClient`` naming the task and its time limit (the connection settings, the model
choice and the preload come with it), and ``char_count`` turns the streamed reply into
the progress a dialog shows.

What Ollama really does, and what is done about it here:

- A thinking model (capability ``thinking``) thinks by default since Ollama 0.12, into
  ``message.thinking``, and the ``format`` grammar only applies after the think. Some
  models ignore ``think: false`` and think anyway; on others ``think: false`` makes the
  reply ignore ``format``. So a thinking model is asked not to think but is given a
  budget with room to think all the same; thinking text is never read as the reply; a
  think that used up the budget is retried with twice the room; a reply that is not
  JSON under ``think: false`` is retried letting the model think.
- ``done_reason: "length"`` means the reply hit ``num_predict``: retried with twice the
  budget, never taken for broken JSON.
- A stream can end cleanly without a ``done`` message (Ollama stops a model that repeats
  one token); it is retried once with another seed. A stream can carry an
  ``{"error": …}`` line; it is retried once with another seed. A 503 means the server's
  queue is full; it is retried once after a pause. A reply that is not JSON or breaks the
  schema is retried once, told what was wrong.
- Ollama drops the oldest messages without an error when a prompt outgrows ``num_ctx``,
  so every request, the retry included, carries a window that holds its prompt and its
  whole reply budget (``models.llm_prompt.plan_budget``).
- A 400 whose error says "does not support …" is Ollama refusing a capability the model
  lacks (server/images.go ``CheckCapabilities``; routes.go words the missing completion
  capability "does not support chat", and servers before 0.1.49 "embedding models do not
  support chat"): ``not_chat_model`` for chat, ``not_capable`` for any other, whichever
  request met it. It matters on servers before 0.6.4, which state no capabilities, so a
  model that cannot chat is only known by the name and family it has.
- A connection refused is ``not_running`` and a silence past the read timeout is
  ``timeout``. Any other transport failure (httpx's protocol, read, write and decoding
  errors alike) is named by when it happened, not by its class: before the reply's first
  line nothing came back, the server dropped or refused the connection (``network``: an
  Ollama stopped while it loaded the model closes it with no reply); after it, the reply
  broke off (``stream_cut``). A line of the reply that is not Ollama's JSON counts the
  same way.
- Cancel shuts the request's connections at once: Ollama then drops the request, and the
  next one is not queued behind one nobody waits for. The connections are cut outside the
  lock that guards them, so a cancel never waits on anything a blocked read holds.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import httpx
import ollama
from pydantic import BaseModel, ValidationError

from models.errors import LLMError, OllamaFailure
from models.llm_prompt import (
    STANDARD_REPLY_TOKENS,
    THINK_TOKENS,
    Budget,
    PromptPlan,
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
    OllamaServer,
    check_setting,
    env_allows_remote,
    env_keep_alive,
)

__all__ = ["Answer", "OllamaCall", "OllamaFailure", "Request", "Task", "TaskClient", "char_count",
           "chat_options"]

log = logging.getLogger(__name__)

# Waiting this long for the next streamed piece means the server is stuck, not slow.
READ_TIMEOUT_S = 120.0
CANCEL_POLL_S = 0.02
MAX_ATTEMPTS = 2  # the first request, plus one retry for what can be retried
# A 503 "server busy" is Ollama's queue being full; give it a moment before the retry.
BUSY_RETRY_S = 2.0
OTHER_MODEL_FIX = "try again, or choose another model with GREENROOM_OLLAMA_MODEL"
NO_THINK_FIX = (f"choose a model that answers without thinking first, e.g. "
                f"GREENROOM_OLLAMA_MODEL={PREFERRED_MODELS[0]}")
SETTINGS_FIX = "set OLLAMA_HOST or the app's Ollama host to e.g. http://127.0.0.1:11434"
# A reply with these codes is asked for again, with the reason it was refused.
CORRECTABLE = ("malformed_json", "schema_violation")
# Ollama's 400 for a capability the model lacks: "does not support chat", "… thinking";
# "do not support chat" on servers before 0.1.49.
_NOT_SUPPORTED = re.compile(r"\bdo(?:es)? not support (\w+)")
# A model that thinks in its content (think ignored, no parser) wraps it in these tags.
_THINK_TAGS = re.compile(r"^\s*<(think|thinking)>.*?</\1>\s*", re.DOTALL)
# Content that may still turn out to open a think: only blanks, or "<think" so far.
_THINK_OPEN = re.compile(r"^\s*(<(t(h(i(n(k(i(n(g)?)?)?)?)?)?)?)?(>|$)|$)")

R = TypeVar("R", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True)
class Task:
    """A kind of request, and the words its failures are told in."""

    name: str  # what the model writes ("review", "reading"); its worker is "llm-<name>"
    sends: str  # what would leave this machine with it ("answer", "page")
    temperature: float
    seed: int
    kept: str  # what the user still has when it fails ("the rules' reading is kept")
    shorter: str = ""  # how the user can make the request smaller, when they can


@dataclass(frozen=True)
class Request(Generic[R, T]):
    """One question put to the model: the prompt (``plan``, with the schema sent as
    ``format``), the pydantic model its reply must validate as, and the check that turns
    a valid reply into the result, given the model's name.

    ``repair`` runs on the parsed JSON before validation, for what Ollama's grammar lets
    through. ``check`` raises OllamaFailure when a valid reply is still unusable; with a
    code in ``CORRECTABLE`` the model is asked once more, told why."""

    task: Task
    plan: PromptPlan
    reply: type[R]
    check: Callable[[R, str], T]
    repair: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A request's result, the model that gave it and how many chat requests it took.
    ``sent_to`` says where the text went when that was not this machine (else "").
    ``tokens``: what the model wrote for it, every attempt counted, as the server counts
    them (``eval_count``, thinking included); ``seconds``: from asking to the answer."""

    value: T
    choice: ModelChoice
    attempts: int
    sent_to: str = ""
    tokens: int = 0
    seconds: float = 0.0

    @property
    def model(self) -> str:
        return self.choice.name


@dataclass
class _Retry(Exception):
    """A failure one more request may cure; ``failure`` is reported if it does not."""

    failure: OllamaFailure
    pause_s: float = 0.0
    new_seed: bool = False


@dataclass
class _Reply:
    content: str
    done_reason: str
    tokens: int = 0


@dataclass
class _Cancel:
    """One request's stop flag and the connections a cancel must cut.

    Only the bookkeeping happens under the lock: a connection is registered and the flag
    read in one step, so either the cancel sees the connection or the connection sees the
    cancel, and each cuts it outside the lock."""

    stop: threading.Event = field(default_factory=threading.Event)
    transports: list[AbortableTransport] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def is_set(self) -> bool:
        return self.stop.is_set()

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


def chat_options(budget: Budget, task: Task, seed: int | None = None) -> dict[str, Any]:
    """The options of a task's chat requests and of the preload before them: Ollama
    reloads a model whose runner options differ, so both are made here."""
    return {"temperature": task.temperature, "seed": task.seed if seed is None else seed,
            "num_ctx": budget.num_ctx, "num_predict": budget.num_predict}


def retry_instruction(failure: OllamaFailure) -> str:
    return (f"YOUR PREVIOUS REPLY WAS REJECTED: {failure.reason}. Reply again with one JSON "
            "object that follows the schema exactly, and nothing else.")


def strip_thinking(content: str) -> str:
    """The reply without a think written into the content: a model that ignores
    ``think: false`` and has no thinking parser in Ollama puts its tags there."""
    return _THINK_TAGS.sub("", content, count=1)


class OllamaCall:
    """Requests to the user's Ollama server; safe to use with no server at all.

    ``allow_remote`` is the user's explicit yes to sending text off this machine (a cloud
    model, or an Ollama host elsewhere); None reads GREENROOM_OLLAMA_ALLOW_REMOTE.
    ``keep_alive`` None leaves the server's OLLAMA_KEEP_ALIVE alone unless
    GREENROOM_OLLAMA_KEEP_ALIVE asks for a time. ``total_timeout_s`` bounds one request,
    its retry included; ``read_timeout_s`` the wait for each streamed piece.
    """

    def __init__(self, host: str | None = None, model: str | None = None, *,
                 allow_remote: bool | None = None, total_timeout_s: float,
                 read_timeout_s: float = READ_TIMEOUT_S,
                 connect_timeout_s: float = CONNECT_TIMEOUT_S,
                 keep_alive: str | None = None, busy_retry_s: float = BUSY_RETRY_S) -> None:
        self.host_setting = host
        self.model = model
        self.allow_remote = env_allows_remote() if allow_remote is None else allow_remote
        self.read_timeout_s = read_timeout_s
        self.total_timeout_s = total_timeout_s
        self.keep_alive = keep_alive or env_keep_alive()
        self.busy_retry_s = busy_retry_s
        # A malformed host setting is one more failure, raised by the request like any
        # other, so callers never need a special case for it.
        self._server: OllamaServer | None = None
        self._setup: str | None = None
        try:
            self._server = OllamaServer(host, connect_timeout_s=connect_timeout_s,
                                        status_timeout_s=min(read_timeout_s, 10.0))
        except LLMError as exc:
            self._setup = str(exc)

    @property
    def host(self) -> str:
        return self._server.host if self._server is not None else "(invalid host)"

    @property
    def server(self) -> OllamaServer:
        if self._server is None:
            raise OllamaFailure("settings", str(self._setup), SETTINGS_FIX, model=self.model)
        return self._server

    # -- which model -------------------------------------------------------------------

    def choose(self, sends: str = "answer") -> ModelChoice:
        """The model the request would go to, with every refusal: a cloud model or a
        remote host without the user's yes (before anything is sent), no server, no
        usable model. Asks the server only for its list (and, where it must, /api/show)."""
        server = self.server
        try:
            check_setting(self.host_setting, self.model, self.allow_remote, sends)
            return server.choose(self.model, allow_remote=self.allow_remote, sends=sends)
        except OllamaFailure as failure:
            failure.model = failure.model or self.model
            raise
        except Exception as exc:  # noqa: BLE001 - one line, whatever the server did
            outcome = self._classify(exc, self.model, started=False)
            failure = outcome.failure if isinstance(outcome, _Retry) else outcome
            failure.model = self.model
            raise failure from None

    def preload(self, task: Task, reply_tokens: int = STANDARD_REPLY_TOKENS) -> threading.Thread:
        """Load the model on the server while the user is still busy.

        Returns at once; the returned daemon thread finds the model and asks Ollama to
        load it with the options the chat will use, so the chat finds it loaded instead
        of reloading it. Any failure is left for the request itself to report.
        """
        def run() -> None:
            try:
                choice = self.choose(task.sends)
                if choice.info.remote:
                    return  # nothing to load here; the chat itself was allowed
                budget = plan_budget(None, reply_tokens, thinking=choice.info.thinking,
                                     trained_ctx=choice.info.context_length)
                self.server.preload(choice.name, chat_options(budget, task),
                                    self.keep_alive).join()
            except Exception as exc:  # noqa: BLE001 - fire and forget
                log.info("preloading the model for the %s skipped: %s", task.name, exc)

        thread = threading.Thread(target=run, name=f"llm-{task.name}-preload", daemon=True)
        thread.start()
        return thread

    # -- asking ------------------------------------------------------------------------

    def ask(self, request: Request[R, T], on_text: Callable[[str], None] | None = None,
            cancel: threading.Event | None = None) -> Answer[T]:
        """The model's answer to ``request``; OllamaFailure for every way it fails.

        ``on_text`` gets the reply as it streams (never the model's thinking), on the
        worker thread ``llm-<task name>``. ``cancel`` ends the wait at once, cuts the
        connection and raises code ``cancelled``."""
        task = request.task
        stop = _Cancel()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["value"] = self._ask(request, on_text, stop)
            except BaseException as exc:  # noqa: BLE001 - carried back to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=work, name=f"llm-{task.name}", daemon=True)
        worker.start()
        # Wait on the caller's thread so a cancel answers at once even while the server
        # is silent (loading a model can take a minute).
        while worker.is_alive():
            if cancel is not None and cancel.is_set():
                stop.cancel()
                raise self._cancelled(task)
            worker.join(CANCEL_POLL_S)
        if "error" in box:
            exc = box["error"]
            if isinstance(exc, OllamaFailure):
                raise exc
            raise self._unexpected(exc, task)
        answer: Answer[T] = box["value"]
        return answer

    def _ask(self, request: Request[R, T], on_text: Callable[[str], None] | None,
             stop: _Cancel) -> Answer[T]:
        task, plan = request.task, request.plan
        started_at = time.monotonic()
        deadline = started_at + self.total_timeout_s
        spent = 0  # tokens written over every attempt
        choice = self.choose(task.sends)
        info = choice.info
        current = plan
        think_tokens = THINK_TOKENS
        reply_tokens = plan.reply_tokens
        think = info.think_value
        seed = task.seed
        failure: OllamaFailure | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            budget = current.budget(thinking=info.thinking, think_tokens=think_tokens,
                                    trained_ctx=info.context_length, reply_tokens=reply_tokens)
            if not budget.fits:
                raise OllamaFailure(
                    "context_too_small",
                    f"the prompt (about {current.estimated_tokens} tokens) and the {task.name} "
                    f"do not fit in the {budget.num_ctx}-token context of {info.name}",
                    _shorter(task, "choose a model with a longer context (llama3.2:3b takes "
                                   "128k tokens) with GREENROOM_OLLAMA_MODEL"),
                    model=info.name, attempts=attempt - 1)
            try:
                reply = self._stream(info, current, budget, think, seed, task, on_text, stop,
                                     deadline)
            except _Retry as retry:
                failure = retry.failure
                log.info("%s attempt %d on %s: %s", task.name, attempt, info.name, failure.reason)
                if attempt < MAX_ATTEMPTS and retry.pause_s and stop.stop.wait(retry.pause_s):
                    raise self._cancelled(task) from None
                if retry.new_seed:
                    seed += 1
                continue
            except OllamaFailure as final:
                final.model, final.attempts = info.name, attempt
                raise
            spent += reply.tokens
            if reply.done_reason == "length":
                if info.thinking and not reply.content.strip():
                    failure = OllamaFailure(
                        "thinking_too_long", f"{info.name} thought through its whole budget of "
                        f"{budget.think_tokens} tokens and wrote no {task.name}", NO_THINK_FIX)
                    think_tokens *= 2
                else:
                    failure = OllamaFailure(
                        "reply_too_long", f"the {task.name} from {info.name} was cut off at its "
                        f"limit of {budget.num_predict} tokens",
                        _shorter(task, "choose another model with GREENROOM_OLLAMA_MODEL")
                        if task.shorter else OTHER_MODEL_FIX)
                    # Twice what was really allowed (the budget may have raised a small ask).
                    reply_tokens = 2 * (budget.num_predict - budget.think_tokens)
                log.info("%s attempt %d on %s: %s", task.name, attempt, info.name, failure.reason)
                continue
            try:
                value = self._read(request, reply.content, info.name)
            except OllamaFailure as bad:
                if bad.code not in CORRECTABLE:
                    bad.model, bad.attempts = info.name, attempt
                    raise
                failure = bad
                log.info("%s reply %d from %s rejected: %s", task.name, attempt, info.name,
                         bad.reason)
                if think is False and bad.code == "malformed_json":
                    # With think off some models write prose and ignore `format`
                    # (ollama#14645, #14850); thinking first, the schema applies after it.
                    think = None
                # Tell the model exactly what was wrong; small models usually fix it.
                current = plan.with_correction(retry_instruction(bad))
                continue
            return Answer(value, choice, attempt, self._sent_to(choice, task), spent,
                          round(time.monotonic() - started_at, 2))
        assert failure is not None
        failure.model, failure.attempts = info.name, MAX_ATTEMPTS
        raise failure

    @staticmethod
    def _read(request: Request[R, T], content: str, model: str) -> T:
        """The reply checked: JSON, repaired, validated, then the request's own check."""
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise OllamaFailure("malformed_json", f"the model's reply was not valid JSON "
                                f"({exc.msg} at char {exc.pos})", OTHER_MODEL_FIX) from None
        if request.repair is not None:
            data = request.repair(data)
        try:
            reply = request.reply.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
                for err in exc.errors()[:5])
            raise OllamaFailure("schema_violation", f"the model's JSON did not match the "
                                f"{request.task.name} schema ({problems})",
                                OTHER_MODEL_FIX) from None
        return request.check(reply, model)

    def _stream(self, info: ModelInfo, plan: PromptPlan, budget: Budget,
                think: bool | str | None, seed: int, task: Task,
                on_text: Callable[[str], None] | None, stop: _Cancel,
                deadline: float) -> _Reply:
        if stop.is_set():
            raise self._cancelled(task)
        read_timeout = max(0.5, min(self.read_timeout_s, deadline - time.monotonic()))
        content: list[str] = []
        shown = False  # whether the display has the reply's start (a think is settled)
        started = False  # whether the reply's first line has arrived
        done_reason: str | None = None
        tokens = 0
        try:
            with self.server.client(read_timeout, transport=stop.transport()) as client:
                stream = client.chat(model=info.name, messages=plan.messages,
                                     format=plan.schema, options=chat_options(budget, task, seed),
                                     think=think, keep_alive=self.keep_alive, stream=True)
                try:
                    for chunk in stream:
                        started = True
                        if stop.is_set():
                            raise self._cancelled(task)
                        if time.monotonic() > deadline:
                            raise OllamaFailure(
                                "timeout", f"Ollama at {self.host} took longer than "
                                f"{self.total_timeout_s:g} s", OTHER_MODEL_FIX)
                        piece = chunk.message.content
                        if piece:
                            content.append(piece)
                            if shown:
                                _deliver(on_text, piece)
                            else:
                                # A think written into the content is not shown either.
                                visible = strip_thinking("".join(content))
                                if not _THINK_OPEN.match(visible):
                                    shown = True
                                    _deliver(on_text, visible)
                        if chunk.done:
                            done_reason = chunk.done_reason or "stop"
                            tokens = chunk.eval_count or 0
                            break
                finally:
                    stream.close()
        except OllamaFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is classified below
            if stop.is_set():
                raise self._cancelled(task) from None
            raise self._classify(exc, info.name, started=started, task=task) from None
        if done_reason is None:
            # The body ended cleanly with no done message: Ollama's runner stops a model
            # that repeats one token over and over and closes the stream without one.
            raise _Retry(OllamaFailure(
                "stopped_early", f"Ollama stopped {info.name} before its {task.name} was "
                "finished (it does so when a model keeps repeating itself)", OTHER_MODEL_FIX),
                new_seed=True)
        return _Reply(strip_thinking("".join(content)), done_reason, tokens)

    # -- failures ------------------------------------------------------------------------

    def _classify(self, exc: BaseException, model: str | None, *, started: bool,
                  task: Task | None = None) -> OllamaFailure | _Retry:
        """What went wrong, as one failure (or a retry); ``started``: whether the reply's
        first line had arrived when it happened."""
        host = self.host
        name = model or "the model"
        if isinstance(exc, ollama.ResponseError):
            error = " ".join(str(exc.error).split())
            if exc.status_code == 503:
                # Ollama's scheduler answers 503 "server busy, please try again. maximum
                # pending requests exceeded" when its queue (OLLAMA_MAX_QUEUE) is full.
                return _Retry(OllamaFailure(
                    "server_busy", f"Ollama at {host} is busy with other requests ({error})",
                    "try again when its other work is done"), pause_s=self.busy_retry_s)
            if exc.status_code == -1:
                # An {"error": ...} line inside a 200 stream: the model failed mid-reply.
                return _Retry(OllamaFailure(
                    "generation_error", f"Ollama at {host} failed while {name} was writing: "
                    f"{error}", "try again; if it repeats, check the Ollama server log or "
                    "choose another model"), new_seed=True)
            refused = _NOT_SUPPORTED.search(error) if exc.status_code == 400 else None
            if refused is not None and refused.group(1) == "chat":
                return OllamaFailure("not_chat_model", f"model '{name}' cannot chat ({error})",
                                     CHAT_MODEL_FIX)
            if refused is not None:
                return OllamaFailure("not_capable", f"model '{name}' cannot do what Greenroom "
                                     f"asks of it ({error})", OTHER_MODEL_FIX)
            if exc.status_code == 404:
                return OllamaFailure("model_missing",
                                     f"model '{name}' is not installed in Ollama at {host}",
                                     f"greenroom models pull {name}")
            return OllamaFailure("server_error", f"Ollama at {host} answered with an error: "
                                 f"{error}", "check the Ollama server log, then try again")
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | ConnectionError):
            return OllamaFailure("not_running", f"Ollama is not running at {host} "
                                 "(connection refused)", START_FIX)
        if isinstance(exc, httpx.TimeoutException):
            return OllamaFailure("timeout", f"Ollama at {host} did not answer within "
                                 f"{self.read_timeout_s:g} s",
                                 "try again (the first run loads the model), or choose a "
                                 "smaller model with GREENROOM_OLLAMA_MODEL")
        if isinstance(exc, httpx.HTTPError | json.JSONDecodeError | ValidationError):
            what = f"{type(exc).__name__}: {exc}"
            if started:
                return OllamaFailure("stream_cut", f"the reply from Ollama at {host} broke off "
                                     f"({what})", "try again; if it keeps happening, restart "
                                     "Ollama")
            if isinstance(exc, httpx.HTTPError):
                return OllamaFailure("network", f"talking to Ollama at {host} failed before "
                                     f"any reply ({what})", START_FIX)
            return OllamaFailure("server_error", f"what answers at {host} does not answer as "
                                 f"Ollama does ({what})", START_FIX)
        return self._unexpected(exc, task)

    def _cancelled(self, task: Task) -> OllamaFailure:
        return OllamaFailure("cancelled", f"the {task.name} by the local model was cancelled",
                             f"{task.kept}; ask again when you want it", model=self.model)

    def _unexpected(self, exc: BaseException, task: Task | None) -> OllamaFailure:
        log.error("an Ollama request failed unexpectedly", exc_info=exc)
        what = f"the {task.name} by the local model" if task else "the local model"
        kept = f"{task.kept}; " if task else ""
        return OllamaFailure("internal", f"{what} failed unexpectedly "
                             f"({type(exc).__name__}: {exc})", f"{kept}please report this",
                             model=self.model)

    def _sent_to(self, choice: ModelChoice, task: Task) -> str:
        if choice.info.remote:
            return (f"the {task.sends} was sent to {choice.info.remote_host or 'ollama.com'} "
                    "(allowed by your setting)")
        if not self.server.local:
            return f"the {task.sends} was sent to Ollama at {self.host} (allowed by your setting)"
        return ""


class TaskClient:
    """One request module's front to Ollama: a subclass names its ``TASK`` and the
    ``TOTAL_TIMEOUT_S`` that bounds one request of it, retry included, and adds the
    method that asks. Safe with no server; ``allow_remote`` and ``keep_alive`` as for
    ``OllamaCall``, every timeout overridable (tests and benchmarks set their own)."""

    TASK: ClassVar[Task]
    TOTAL_TIMEOUT_S: ClassVar[float] = 300.0

    def __init__(self, host: str | None = None, model: str | None = None, *,
                 allow_remote: bool | None = None, read_timeout_s: float = READ_TIMEOUT_S,
                 total_timeout_s: float | None = None,
                 connect_timeout_s: float = CONNECT_TIMEOUT_S,
                 busy_retry_s: float = BUSY_RETRY_S, keep_alive: str | None = None) -> None:
        self.call = OllamaCall(host, model, allow_remote=allow_remote,
                               read_timeout_s=read_timeout_s,
                               total_timeout_s=(self.TOTAL_TIMEOUT_S if total_timeout_s is None
                                                else total_timeout_s),
                               connect_timeout_s=connect_timeout_s, keep_alive=keep_alive,
                               busy_retry_s=busy_retry_s)

    @property
    def host(self) -> str:
        return self.call.host

    def choose(self) -> ModelChoice:
        """The model the task's text would go to, with every refusal the answer review
        makes: a refused cloud model or remote host (before anything is sent), no server,
        no usable model. Asks the server only for its list."""
        return self.call.choose(self.TASK.sends)

    def preload(self) -> threading.Thread:
        """Load the task's model while the user is still busy (``OllamaCall.preload``)."""
        return self.call.preload(self.TASK)


def char_count(on_progress: Callable[[int], None] | None) -> Callable[[str], None]:
    """An ``on_text`` for ``OllamaCall.ask`` that tells ``on_progress`` how many reply
    characters have come so far (a reply's length is not known before it ends)."""
    size = 0

    def on_text(text: str) -> None:
        nonlocal size
        size += len(text)
        if on_progress is not None:
            on_progress(size)

    return on_text


def _shorter(task: Task, fix: str) -> str:
    return f"{task.shorter}, or {fix}" if task.shorter else fix


def _deliver(on_text: Callable[[str], None] | None, text: str) -> None:
    if on_text is None:
        return
    try:
        on_text(text)
    except Exception:  # noqa: BLE001 - a display callback must not cost the reply
        log.exception("on_text callback failed")
