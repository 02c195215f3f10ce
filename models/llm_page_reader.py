"""Structure a prep page with the user's local model when the rules could not read it well.

The rule-based importer (``interview_scripts.page_importer``) stands alone; this is a
helper on top. The model gets the page and a JSON schema (questions with their time
guide, framework, guidance, key points, mistakes, sample answer and follow-ups) as
Ollama's ``format``. Its reply is validated, then checked against the page: a question
whose words are not on the page is dropped, and so is an item, a guidance or a sample
answer whose words mostly are not, with a count of what went. What is left becomes the
same ``ImportResult`` the rules produce and goes to the same review (the app's preview
and editor, or the CLI's listing); nothing is saved from here.

A page is the user's private notes as much as an answer is, so the model is chosen and
refused exactly as for the answer review (``models.ollama_server``): a cloud model or a
server on another machine only with the user's explicit yes.

Every failure (no server, no usable model, a refusal, a timeout, a busy server, a reply
cut off or not JSON, nothing left after the check) raises ``PageReadFailed`` with one
line; the caller keeps the rules' reading.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import httpx
import ollama
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interview_scripts.errors import ScriptError
from interview_scripts.page_importer import (
    MOSTLY,
    NO_ROLE,
    ImportResult,
    content_words,
    structured_result,
    word_share,
)
from interview_scripts.time_guide import parse_time_guide
from models.errors import LLMError
from models.llm_prompt import estimate_messages, estimate_tokens, load_prompt, plan_budget
from models.ollama_server import (
    CONNECT_TIMEOUT_S,
    START_FIX,
    AbortableTransport,
    ModelChoice,
    ModelInfo,
    ModelRefused,
    OllamaServer,
    check_setting,
    env_allows_remote,
    env_keep_alive,
)

log = logging.getLogger(__name__)

PROMPT_VERSION = "page_reader_v1"
# Bounds of the reply, enforced by Ollama's grammar while the model writes.
MAX_QUESTIONS = 40
MAX_ITEMS = 12
TITLE_CHARS = 120
QUESTION_CHARS = 600
GUIDE_CHARS = 40
ITEM_CHARS = 400
GUIDANCE_CHARS = 3_000
SAMPLE_CHARS = 8_000
# About 20,000 tokens of page: past that, a laptop model takes minutes and the user is
# better served pasting only the part with the questions.
MAX_PAGE_CHARS = 64_000
# The reply copies the page's words into fields: it is about as long as the page, plus
# the JSON around them.
REPLY_PER_PAGE_TOKEN = 1.3
REPLY_OVERHEAD_TOKENS = 512
TEMPERATURE = 0.0  # sorting, not writing: the most likely reading
SEED = 11
READ_TIMEOUT_S = 120.0
TOTAL_TIMEOUT_S = 600.0
BUSY_RETRY_S = 2.0
MAX_ATTEMPTS = 2
CANCEL_POLL_S = 0.02
KEEP_RULES = "the rules' reading is kept"
OTHER_MODEL_FIX = "try again, or choose another model in the LLM settings or GREENROOM_OLLAMA_MODEL"
_THINK_TAGS = re.compile(r"^\s*<(think|thinking)>.*?</\1>\s*", re.DOTALL)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Item = Annotated[str, Field(max_length=ITEM_CHARS)]


class PageQuestion(_Strict):
    text: str = Field(min_length=1, max_length=QUESTION_CHARS,
                      description="The question, copied exactly as the page asks it.")
    time_guide: str = Field(max_length=GUIDE_CHARS,
                            description="How long the answer should take, as the page writes it; "
                                        "empty when it gives none.")
    framework: Literal["STAR", "CAR", "CIRCLES", "none"]
    guidance: str = Field(max_length=GUIDANCE_CHARS,
                          description="What the interviewer looks for, from the page; may be empty.")
    key_points: list[Item] = Field(max_length=MAX_ITEMS,
                                   description="What a strong answer mentions, from the page.")
    mistakes: list[Item] = Field(max_length=MAX_ITEMS, description="What to avoid, from the page.")
    sample_answer: str = Field(max_length=SAMPLE_CHARS,
                               description="The page's example answer, copied; may be empty.")
    follow_ups: list[Item] = Field(max_length=MAX_ITEMS,
                                   description="Follow-up questions the page lists for it.")


class PageStructure(_Strict):
    title: str = Field(max_length=TITLE_CHARS, description="The page's title, from its own words.")
    role: str = Field(max_length=TITLE_CHARS, description="The job the page is about; may be empty.")
    questions: list[PageQuestion] = Field(max_length=MAX_QUESTIONS)


def _without_titles(node: Any) -> Any:
    """The schema without pydantic's ``title`` keys: tokens the model need not read."""
    if isinstance(node, dict):
        return {k: _without_titles(v) for k, v in node.items()
                if not (k == "title" and isinstance(v, str))}
    if isinstance(node, list):
        return [_without_titles(v) for v in node]
    return node


def page_schema() -> dict[str, Any]:
    """The ``format`` every page request carries."""
    # pydantic's labels are strings; the page's own "title" property is an object and stays.
    return _without_titles(PageStructure.model_json_schema())


class PageReadFailed(LLMError):
    """The model's reading could not be used; ``str()`` is one line with the fix."""

    def __init__(self, code: str, reason: str, fix: str) -> None:
        self.code = code
        self.reason = " ".join(reason.split())
        self.fix = fix
        super().__init__(f"{self.reason}; {fix}")


@dataclass
class _Retry(Exception):
    failure: PageReadFailed
    pause_s: float = 0.0
    new_seed: bool = False


@dataclass
class Dropped:
    """What the check against the page took out of the model's reading."""

    questions: int = 0
    items: int = 0
    texts: int = 0

    def line(self) -> str | None:
        parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in
                 ((self.questions, "question"), (self.items, "list item"),
                  (self.texts, "guidance or sample text")) if n]
        if not parts:
            return None
        return "dropped " + ", ".join(parts) + " not found on the page"


@dataclass
class PageReading:
    """A page as the model read it, checked against the page."""

    result: ImportResult
    model: str
    dropped: Dropped
    attempts: int

    @property
    def line(self) -> str:
        count = len(self.result.script.questions)
        text = f"Read by the local model {self.model}: {count} question{'s' if count != 1 else ''}"
        dropped = self.dropped.line()
        return f"{text}; {dropped}." if dropped else f"{text}."


@dataclass
class _Call:
    """One read: its stop flag and the connections a cancel must cut."""

    stop: threading.Event = field(default_factory=threading.Event)
    transports: list[AbortableTransport] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def transport(self) -> AbortableTransport:
        transport = AbortableTransport()
        with self.lock:
            self.transports.append(transport)
            if self.stop.is_set():
                transport.abort()
        return transport

    def cancel(self) -> None:
        with self.lock:
            self.stop.set()
            transports = list(self.transports)
        for transport in transports:
            transport.abort()


def _cancelled() -> PageReadFailed:
    return PageReadFailed("cancelled", "reading with the local model was cancelled", KEEP_RULES)


def _page_refusal(refused: ModelRefused) -> PageReadFailed:
    # The server module words its refusals for answers; here the page is what would leave.
    return PageReadFailed(refused.code, refused.reason.replace("your answer", "your page"),
                          refused.fix.replace("sending answers away", "sending it away"))


class PageReader:
    """Reads a page with the model the answer review would use; safe with no server.

    ``allow_remote`` is the user's explicit yes to sending text off this machine; None
    reads GREENROOM_OLLAMA_ALLOW_REMOTE, as the answer review does."""

    def __init__(self, host: str | None = None, model: str | None = None, *,
                 allow_remote: bool | None = None, read_timeout_s: float = READ_TIMEOUT_S,
                 total_timeout_s: float = TOTAL_TIMEOUT_S,
                 connect_timeout_s: float = CONNECT_TIMEOUT_S,
                 busy_retry_s: float = BUSY_RETRY_S, keep_alive: str | None = None) -> None:
        self.host_setting = host
        self.model = model
        self.allow_remote = env_allows_remote() if allow_remote is None else allow_remote
        self.read_timeout_s = read_timeout_s
        self.total_timeout_s = total_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.busy_retry_s = busy_retry_s
        self.keep_alive = keep_alive or env_keep_alive()

    # -- which model -----------------------------------------------------------------

    def _server(self) -> OllamaServer:
        try:
            return OllamaServer(self.host_setting, connect_timeout_s=self.connect_timeout_s,
                                status_timeout_s=min(self.read_timeout_s, 10.0))
        except LLMError as exc:
            raise PageReadFailed("settings", str(exc), KEEP_RULES) from None

    def choose(self) -> ModelChoice:
        """The model a page would go to, with every refusal the answer review makes.

        Raises PageReadFailed with the reason: a refused cloud model or remote host (before
        anything is sent), no server, no usable model. Asks the server only for its list."""
        try:
            check_setting(self.host_setting, self.model, self.allow_remote)
        except ModelRefused as refused:
            raise _page_refusal(refused) from None
        server = self._server()
        try:
            return server.choose(self.model, allow_remote=self.allow_remote)
        except ModelRefused as refused:
            raise _page_refusal(refused) from None
        except Exception as exc:  # noqa: BLE001 - one line, whatever the server did
            outcome = self._classify(exc, server.host, self.model)
            raise (outcome.failure if isinstance(outcome, _Retry) else outcome) from None

    # -- reading ---------------------------------------------------------------------

    def read(self, page: str, name: str, on_progress: Callable[[int], None] | None = None,
             cancel: threading.Event | None = None) -> PageReading:
        """The page as the model structures it, checked against the page.

        ``on_progress`` gets the number of reply characters so far, on a worker thread;
        ``cancel`` ends the wait at once and closes the connection."""
        if not page.strip():
            raise PageReadFailed("empty", "the page is empty", "paste the page first")
        if len(page) > MAX_PAGE_CHARS:
            raise PageReadFailed("page_too_long", f"the page is over {MAX_PAGE_CHARS:,} characters "
                                 "for the local model", "paste only the part with the questions")
        call = _Call()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["value"] = self._read(page, name, on_progress, call)
            except BaseException as exc:  # noqa: BLE001 - carried back to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=work, name="llm-page-reader", daemon=True)
        worker.start()
        while worker.is_alive():
            if cancel is not None and cancel.is_set():
                call.cancel()
                raise _cancelled()
            worker.join(CANCEL_POLL_S)
        if "error" in box:
            exc = box["error"]
            if isinstance(exc, PageReadFailed):
                raise exc
            log.exception("reading a page with the local model failed", exc_info=exc)
            raise PageReadFailed("internal", f"reading with the local model failed unexpectedly "
                                 f"({type(exc).__name__}: {exc})", KEEP_RULES)
        return box["value"]

    def _read(self, page: str, name: str, on_progress: Callable[[int], None] | None,
              call: _Call) -> PageReading:
        deadline = time.monotonic() + self.total_timeout_s
        choice = self.choose()
        server = self._server()
        info = choice.info
        system_t, user_t = load_prompt(PROMPT_VERSION)
        schema = page_schema()
        system = system_t.substitute(schema=json.dumps(schema, separators=(",", ":")))
        user = user_t.substitute(page=page.strip())
        reply_tokens = math.ceil(estimate_tokens(page) * REPLY_PER_PAGE_TOKEN) + REPLY_OVERHEAD_TOKENS
        think_tokens = 4096
        seed = SEED
        correction = ""
        failure: PageReadFailed | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            content = user + (f"\n\n{correction}" if correction else "")
            messages = [{"role": "system", "content": system}, {"role": "user", "content": content}]
            budget = plan_budget(estimate_messages(messages), reply_tokens, thinking=info.thinking,
                                 think_tokens=think_tokens, trained_ctx=info.context_length)
            if not budget.fits:
                raise PageReadFailed("context_too_small", f"the page and its reading do not fit in "
                                     f"the {budget.num_ctx}-token context of {info.name}",
                                     "paste only the part with the questions, or choose a model "
                                     "with a longer context")
            options = {"temperature": TEMPERATURE, "seed": seed, "num_ctx": budget.num_ctx,
                       "num_predict": budget.num_predict}
            try:
                text, done_reason = self._chat(server, info, messages, schema, options,
                                               on_progress, call, deadline)
            except _Retry as retry:
                failure = retry.failure
                if attempt < MAX_ATTEMPTS and retry.pause_s and call.stop.wait(retry.pause_s):
                    raise _cancelled() from None
                seed += 1 if retry.new_seed else 0
                continue
            if done_reason == "length":
                if info.thinking and not text.strip():
                    failure = PageReadFailed("thinking_too_long", f"{info.name} thought through its "
                                             "whole budget and wrote no reading", OTHER_MODEL_FIX)
                    think_tokens *= 2
                else:
                    failure = PageReadFailed("reply_too_long", f"the reading from {info.name} was "
                                             f"cut off at its limit of {budget.num_predict} tokens",
                                             "paste a shorter part of the page, or " + OTHER_MODEL_FIX)
                    # Twice what was actually allowed (the budget may have raised a small ask).
                    reply_tokens = 2 * (budget.num_predict - budget.think_tokens)
                continue
            try:
                structure = parse_structure(text)
            except PageReadFailed as bad:
                failure = bad
                correction = (f"YOUR PREVIOUS REPLY WAS REJECTED: {bad.reason}. Reply again with one "
                              "JSON object that follows the schema exactly, and nothing else.")
                continue
            result, dropped = build_reading(page, name, structure, info.name)
            return PageReading(result, info.name, dropped, attempt)
        assert failure is not None
        raise failure

    def _chat(self, server: OllamaServer, info: ModelInfo, messages: list[dict[str, str]],
              schema: dict[str, Any], options: dict[str, Any],
              on_progress: Callable[[int], None] | None, call: _Call,
              deadline: float) -> tuple[str, str]:
        if call.stop.is_set():
            raise _cancelled()
        read_timeout = max(0.5, min(self.read_timeout_s, deadline - time.monotonic()))
        content: list[str] = []
        done_reason: str | None = None
        size = 0
        try:
            with server.client(read_timeout, transport=call.transport()) as client:
                stream = client.chat(model=info.name, messages=messages, format=schema,
                                     options=options, think=info.think_value,
                                     keep_alive=self.keep_alive, stream=True)
                try:
                    for chunk in stream:
                        if call.stop.is_set():
                            raise _cancelled()
                        if time.monotonic() > deadline:
                            raise PageReadFailed("timeout", f"Ollama at {server.host} took longer "
                                                 f"than {self.total_timeout_s:g} s", OTHER_MODEL_FIX)
                        piece = chunk.message.content or ""
                        if piece:
                            content.append(piece)
                            size += len(piece)
                            if on_progress is not None:
                                on_progress(size)
                        if chunk.done:
                            done_reason = chunk.done_reason or "stop"
                            break
                finally:
                    stream.close()
        except PageReadFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - mapped to one line
            if call.stop.is_set():
                raise _cancelled() from None
            raise self._classify(exc, server.host, info.name) from None
        if done_reason is None:
            raise _Retry(PageReadFailed("stopped_early", f"Ollama stopped {info.name} before its "
                                        "reading was finished", OTHER_MODEL_FIX), new_seed=True)
        return _THINK_TAGS.sub("", "".join(content), count=1), done_reason

    def _classify(self, exc: BaseException, host: str, model: str | None) -> PageReadFailed | _Retry:
        if isinstance(exc, ollama.ResponseError):
            if exc.status_code == 503:
                return _Retry(PageReadFailed("server_busy", f"Ollama at {host} is busy with other "
                                             f"requests ({exc.error})", "try again when its other "
                                             "work is done"), pause_s=self.busy_retry_s)
            if exc.status_code == -1:
                return _Retry(PageReadFailed("generation_error", f"Ollama at {host} failed while "
                                             f"{model} was writing: {exc.error}", OTHER_MODEL_FIX),
                              new_seed=True)
            if exc.status_code == 404:
                name = model or "the model"
                return PageReadFailed("model_missing", f"model '{name}' is not installed in Ollama "
                                      f"at {host}", f"greenroom models pull {name}")
            return PageReadFailed("server_error", f"Ollama at {host} answered with an error: "
                                  f"{exc.error}", "check the Ollama server log, then try again")
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | ConnectionError):
            return PageReadFailed("not_running", f"Ollama is not running at {host}", START_FIX)
        if isinstance(exc, httpx.TimeoutException):
            return PageReadFailed("timeout", f"Ollama at {host} did not answer within "
                                  f"{self.read_timeout_s:g} s", "try again (the first run loads "
                                  "the model), or choose a smaller model")
        if isinstance(exc, httpx.HTTPError | json.JSONDecodeError | ValidationError):
            return PageReadFailed("stream_cut", f"the reply from Ollama at {host} broke off "
                                  f"({type(exc).__name__})", "try again; if it keeps happening, "
                                  "restart Ollama")
        return PageReadFailed("internal", f"talking to Ollama at {host} failed "
                              f"({type(exc).__name__}: {exc})", KEEP_RULES)


def parse_structure(content: str) -> PageStructure:
    """The reply as a validated structure; PageReadFailed when it is not JSON or off-schema."""
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise PageReadFailed("malformed_json", f"the model's reply was not valid JSON ({exc.msg} "
                             f"at char {exc.pos})", OTHER_MODEL_FIX) from None
    try:
        return PageStructure.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                             for e in exc.errors()[:3])
        raise PageReadFailed("schema_violation", f"the model's reply did not follow the page "
                             f"schema ({problems})", OTHER_MODEL_FIX) from None


def _normalised(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "


def build_reading(page: str, name: str, structure: PageStructure,
                  model: str) -> tuple[ImportResult, Dropped]:
    """The model's structure, less what is not on the page, as an import result.

    A question stays only when its words, normalised, stand on the page as written; a
    list item, guidance or sample answer stays when most of its meaning words do; a time
    guide when it reads as one and its numbers are the page's; title and role when they
    are the page's words. Raises PageReadFailed when no question is left."""
    flat = _normalised(page)
    words = set(content_words(page))
    numbers = set(re.findall(r"\d+", page))
    dropped = Dropped()
    questions: list[dict[str, object]] = []
    seen: set[str] = set()
    for q in structure.questions:
        key = _normalised(q.text).strip()
        if not key or f" {key} " not in flat:
            dropped.questions += 1
            continue
        if key in seen:
            continue  # a page that lists its questions, then details each one
        seen.add(key)
        entry: dict[str, object] = {"text": q.text.strip()}
        guide = q.time_guide.strip()
        if guide and _guide_ok(guide, numbers):
            entry["time_guide"] = guide
        if q.framework != "none":
            entry["framework"] = q.framework
        for field_name in ("guidance", "sample_answer"):
            value = str(getattr(q, field_name)).strip()
            if value and word_share(value, words) >= MOSTLY:
                entry[field_name] = value
            elif value:
                dropped.texts += 1
        for field_name in ("key_points", "mistakes", "follow_ups"):
            items = [i.strip() for i in getattr(q, field_name) if i.strip()]
            kept = [i for i in items if word_share(i, words) >= MOSTLY]
            dropped.items += len(items) - len(kept)
            if kept:
                entry[field_name] = kept
        questions.append(entry)
    if not questions:
        more = f" (it named {dropped.questions}, none of them in the page's words)" \
            if dropped.questions else ""
        raise PageReadFailed("no_questions", f"the local model {model} found no question on the "
                             f"page{more}", KEEP_RULES)
    title = structure.title.strip()
    role = structure.role.strip()
    title = title if title and word_share(title, words) >= MOSTLY else ""
    role = role if role and f" {_normalised(role).strip()} " in flat else NO_ROLE
    notes = [f"note: the local model {model} structured this page; check every question "
             "against the page"]
    if (line := dropped.line()) is not None:
        notes.append(f"note: {line}")
    try:
        result = structured_result(page, name, title=title, role=role, questions=questions,
                                   read_by=f"the local model {model}", notes=notes)
    except ScriptError as exc:
        raise PageReadFailed("schema_violation", f"the model's reading does not make a valid "
                             f"script ({exc})", OTHER_MODEL_FIX) from None
    return result, dropped


def _guide_ok(guide: str, numbers: set[str]) -> bool:
    try:
        parse_time_guide(guide)
    except (ValueError, ScriptError):
        return False
    return all(n in numbers for n in re.findall(r"\d+", guide))
