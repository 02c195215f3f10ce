"""A small Ollama server on 127.0.0.1 for tests, speaking Ollama's wire protocol.

It plays one Ollama release at a time (``version=``, default ``DEFAULT_VERSION``; the
``ollama_loopback`` fixture takes it as an indirect parameter), following that release's
API (api/types.go, server/routes.go) field for field for the endpoints Greenroom uses:
``/api/version``, ``/api/tags``, ``/api/show``, ``/api/pull`` (NDJSON progress),
``/api/generate`` (an empty prompt loads the model) and ``/api/chat`` (NDJSON stream or a
single object). A chat reply is built FROM the JSON
schema the request sent in ``format``; a request without a schema gets prose back, so a
passing test proves the schema really went over the wire. Every request is recorded.

It reproduces what the real server does that a kind stand-in would not:

- What differs between releases is in tests/ollama_versions.py, each behaviour with the
  release it first appears in and the source it copies; only the releases listed there
  (``OFFERED``) can be played. A model the release cannot have (a thinking model before
  0.9.0, a cloud model before 0.12.0, a parser the release lacks) or a behaviour asked of
  it that it does not have is refused when the server is made, with a ValueError that
  names the release that has it.
- Models are ``ModelSpec`` records: capabilities (``completion``, ``embedding``,
  ``thinking``…), cloud models with ``remote_model``/``remote_host``, the built-in
  parser, the trained context length. /api/tags lists them newest first. Chat with an
  embedding model answers 400 "does not support chat" (routes.go, so worded since 0.1.49).
  Capabilities are listed in /api/tags from 0.30.0 and in /api/show from 0.6.4; before
  those releases the field is absent.
- A thinking model thinks when asked to, and from 0.12.4 also when ``think`` is left out,
  into ``message.thinking``; ``format`` only applies to the content after the think.
  ``think: false`` is honoured, except by gpt-oss (the harmony parser), which thinks
  anyway. A level ("low") is refused with a 400 unless the model uses the harmony parser
  (0.11.1 to 0.17.6); from 0.17.7 any thinking model takes one. With a built-in thinking
  parser (qwen3.5) and ``think: false``, the format is never applied and the reply is
  free text (0.12.4 to 0.31.1, ollama#14645).
- ``num_predict`` counts every generated token, thinking included; reaching it ends the
  stream with ``done_reason: "length"``. A prompt longer than ``num_ctx`` is cut as the
  release cuts it, with no error: server/prompt.go ``chatPrompt`` drops the oldest
  messages but the last (before 0.15.5 a lone system message goes too), then the runner
  keeps the first ``num_keep`` (4) tokens and the end. What reached the model is recorded
  with each request (``RecordedRequest.seen``). Tokens are ``tokens()``, a pre-tokenizer
  in the style of the BPE tokenizers these models use, under a Llama 3 shaped template
  of six tokens a message.
- One runner: requests are served one at a time (OLLAMA_NUM_PARALLEL=1), a model is
  (re)loaded when its runner options (``num_ctx``) change (server/sched.go
  ``needsReload``), and a request whose client has gone is dropped at once, as Go's
  HTTP server cancels the request's context when the connection closes.

Modes, switched with ``set_mode`` (``times=N`` limits a chat mode to the next N chat
requests): ``down`` (the port is closed), ``slow`` (loading the model takes ``slow_s``;
the wait ends early when the client leaves), ``missing_model`` (404 for every model),
``truncated`` (the connection drops mid-reply), ``stopped_loading`` (the connection closes
before any reply, as ``ollama serve`` closes every connection when it is stopped while a
request waits for its model: http.Server.Close in routes.go), ``invalid_json`` (the
model writes one of its stop strings inside the reply's first JSON string, which the
grammar allows; the runner ends the reply just before it, with done_reason "stop", so
the JSON is cut inside a string: runner/ollamarunner/runner.go, common.FindStop),
``schema_violation`` (the reply's JSON breaks the schema), ``busy`` (503 "server busy",
from the scheduler's full queue), ``error_line`` (a few pieces, then an ``{"error": …}`` line, as streamResponse
writes a mid-stream error), ``no_done`` (the model repeats one token and the runner's
repeat check ends the stream cleanly without a done message), ``negative_times`` (times
below zero: llama.cpp's grammar does not enforce ``minimum``) and ``padded`` (the model
writes ``pad_tokens`` newlines of whitespace, which the grammar allows, inside its JSON).
The replies a real small model writes under a grammar (the schema's descriptions echoed,
repeated items, unbounded numbers, junk strings…) are modes too, one per name in
``tests.loopback_replies.SHAPES``, which builds each from the request.

``script_reply(reply)`` makes the model say something chosen by the test instead of a
value filled from the schema: a JSON-able value, a string, or a function of the request
body returning either. It applies only to a request that sent a schema in ``format`` (a
request without one still gets prose), and every mode above still applies to it.

Test modules load the ``ollama_loopback`` fixture with
``pytest_plugins = ("tests.ollama_loopback",)``. The module holds no asserts, so it asks
pytest not to rewrite it (PYTEST_DONT_REWRITE), which also keeps pytest quiet when a test
module imports it before registering it.
"""

from __future__ import annotations

import json
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.loopback_replies import SHAPES as REPLY_SHAPES
from tests.ollama_versions import (
    CLOUD_MODELS,
    DEFAULT,
    OFFERED,
    PARSERS,
    SHOW_CAPABILITIES,
    TAGS_CAPABILITIES,
    THINKING,
    OllamaVersion,
    first_with,
)

MODES = ("healthy", "down", "slow", "missing_model", "truncated", "stopped_loading",
         "invalid_json", "schema_violation", "busy", "error_line", "no_done", "negative_times",
         "padded")
CHAT_MODES = ("slow", "truncated", "stopped_loading", "invalid_json", "schema_violation", "busy",
              "error_line", "no_done", "negative_times", "padded")
MODES += tuple(REPLY_SHAPES)
CHAT_MODES += tuple(REPLY_SHAPES)
DEFAULT_VERSION = DEFAULT
CONTEXT_LENGTH = 131072
CLOUD_HOST = "https://ollama.com:443"
# server/sched.go ErrMaxQueue, answered with 503 by handleScheduleError.
BUSY_ERROR = "server busy, please try again.  maximum pending requests exceeded"
MODEL_ERROR = "an error was encountered while running the model"
# A few tokens per message for the chat template's role headers (Llama 3's template
# spends four to five).
TEMPLATE_TOKENS = 6
# llama3.2's Modelfile stop parameters (its /api/show "parameters").
LLAMA3_STOP = ("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>")
THINK_LEVELS = ("high", "medium", "low")
THINKING_SENTENCE = ("Let me weigh the answer against the key points and the time guide "
                     "before writing the review. ")

# The split that BPE tokenizers (Llama 3, Qwen 2) make before merging: a word with the
# space before it, number groups of up to three digits, a run of punctuation, line
# breaks. One piece is at least one token; a long word usually takes more than one.
_PIECES = re.compile(r"'(?:s|t|re|ve|m|ll|d)| ?[A-Za-z]+| ?\d{1,3}| ?[^\s\w]+[\r\n]*"
                     r"|\s*[\r\n]+|\s+(?!\S)|\s+|\w")
_LETTERS_PER_TOKEN = 7


def tokens(text: str) -> list[str]:
    """``text`` as this server's tokens, in order: a word of up to seven letters is one
    (with the space before it), a longer one one per seven letters; joined, the text."""
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if not piece[-1:].isalpha():
            out.append(piece)
            continue
        word = piece.lstrip(" ")
        parts = [word[i:i + _LETTERS_PER_TOKEN] for i in range(0, len(word), _LETTERS_PER_TOKEN)]
        out += [piece[:len(piece) - len(word)] + parts[0], *parts[1:]]
    return out


def count_tokens(text: str) -> int:
    return len(tokens(text))


def split_tokens(text: str) -> list[str]:
    """``text`` in pieces that each count as one or more tokens, in order."""
    return _PIECES.findall(text)


@dataclass
class ModelSpec:
    """One installed model, as /api/tags and /api/show describe it."""

    name: str
    capabilities: tuple[str, ...] = ("completion", "tools")
    family: str = "llama"
    parameter_size: str = "3.2B"
    context_length: int = CONTEXT_LENGTH
    remote_host: str = ""
    remote_model: str = ""
    # The built-in parser the model is run with (model/parsers): "harmony" for gpt-oss,
    # "qwen3.5"; empty for a model whose template alone marks its think.
    parser: str = ""
    stop: tuple[str, ...] = LLAMA3_STOP
    think_tokens: int = 600
    age_days: float = 30.0  # how long ago it was pulled; /api/tags lists newest first

    @classmethod
    def named(cls, name: str, **kwargs: Any) -> ModelSpec:
        """A spec that looks like the real model of that name."""
        base = name.split(":", 1)[0]
        tag = name.split(":", 1)[1] if ":" in name else "latest"
        guess: dict[str, Any] = {}
        if tag == "cloud" or tag.endswith("-cloud"):
            guess = {"remote_host": CLOUD_HOST, "capabilities": ("completion", "tools", "thinking"),
                     "remote_model": base if tag == "cloud" else f"{base}:{tag[:-6]}",
                     "family": "gptoss" if base.startswith("gpt-oss") else base,
                     "parameter_size": "116.8B",
                     "parser": "harmony" if base.startswith("gpt-oss") else ""}
        elif base.startswith("qwen3.5"):
            guess = {"capabilities": ("completion", "tools", "thinking"), "family": "qwen35",
                     "parameter_size": "4.7B", "context_length": 262144, "parser": "qwen3.5"}
        elif "embed" in base:
            guess = {"capabilities": ("embedding",), "family": "nomic-bert",
                     "parameter_size": "137M", "context_length": 2048}
        elif base.startswith(("qwen3", "deepseek-r1")):
            guess = {"capabilities": ("completion", "tools", "thinking"), "family": "qwen3",
                     "parameter_size": "4.0B", "context_length": 40960}
        elif base.startswith("gpt-oss"):
            guess = {"capabilities": ("completion", "tools", "thinking"), "family": "gptoss",
                     "parameter_size": "20.9B", "parser": "harmony"}
        return cls(name, **{**guess, **kwargs})

    @property
    def remote(self) -> bool:
        return bool(self.remote_host)

    @property
    def thinking(self) -> bool:
        return "thinking" in self.capabilities


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None when there was no body
    client: tuple[str, int]
    at: float = field(default_factory=time.monotonic)
    # For chat: the window it ran in; the prompt's tokens as this server counts them, all
    # the request sent (``sent_tokens``) and what the model was given (``prompt_tokens``,
    # Ollama's prompt_eval_count); how many messages chatPrompt kept (fewer: the oldest
    # were dropped), how many tokens the runner cut, and the messages as they reached the
    # model (``seen``: a cut message holds only what was left of it).
    prompt_tokens: int | None = None
    num_ctx: int | None = None
    kept_messages: int | None = None
    sent_tokens: int | None = None
    cut_tokens: int | None = None
    seen: list[dict[str, str]] | None = None
    # The tokens the model wrote, thinking included (the done message's eval_count).
    eval_count: int | None = None
    # When the handler saw the client leave before it finished, or None.
    abandoned_at: float | None = None


# The servers made while a test watches them (tests.llm_helpers.every_chat_whole).
WATCHED: list[OllamaLoopback] | None = None


def choose_release(version: str | None, **asked: bool | None) -> OllamaVersion:
    """The release to play: ``version``, or the first offered one (the default first) that
    has every behaviour asked for. ValueError when none does, or the named one does not."""
    changes = {"tags_capabilities": TAGS_CAPABILITIES, "show_capabilities": SHOW_CAPABILITIES}
    wanted = {name: value for name, value in asked.items() if value is not None}

    def lacks(number: str) -> list[str]:
        return [f"{name}={value} ({'from' if value else 'before'} "
                f"{changes[name].since}, {changes[name].source})"
                for name, value in wanted.items() if changes[name].holds_in(number) != value]

    if version is not None:
        release = OllamaVersion(version)
        if missing := lacks(release.number):
            raise ValueError(f"Ollama {release.number} does not have {'; '.join(missing)}")
        return release
    for number in (DEFAULT, *OFFERED):
        if not lacks(number):
            return OllamaVersion(number)
    raise ValueError(f"no Ollama release has all of {wanted}: "
                     f"{'; '.join(lacks(DEFAULT))} (offered: {', '.join(OFFERED)})")


def _on(think: Any) -> bool:
    """api.ThinkValue.Bool: true, or any level, turns thinking on."""
    return think is True or think in THINK_LEVELS


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _digest(name: str) -> str:
    # Stable fake sha256-looking digest per model name.
    return (name.encode().hex() * 64)[:64]


# -- an object that satisfies a JSON schema -------------------------------------------


class SchemaFiller:
    """Walks a JSON schema (objects, arrays, enums, strings, numbers, $ref/$defs, anyOf)
    and builds a value that satisfies it. Deterministic: same schema, same value.

    ``negative`` writes numbers below their ``minimum``, as a model under llama.cpp's
    grammar can (the grammar ignores ``minimum``); ``verbose`` writes every string to its
    ``maxLength``, as a wordy model does."""

    def __init__(self, schema: dict[str, Any], *, negative: bool = False,
                 verbose: bool = False) -> None:
        self.root = schema
        self.counter = 0
        self.negative = negative
        self.verbose = verbose

    def fill(self) -> Any:
        return self._value(self.root, "root")

    def _resolve(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref values are supported, got {ref!r}")
        node: Any = self.root
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _value(self, schema: dict[str, Any], name: str) -> Any:
        if "$ref" in schema:
            return self._value(self._resolve(schema["$ref"]), name)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            self.counter += 1
            options = schema["enum"]
            if name == "text" or name == "stage":
                # Listed names (key points, stages) come in order, as the prompt asks.
                return options[self._nth(name) % len(options)]
            return options[self.counter % len(options)]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
                return self._value(options[0], name)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self._resolve(part["$ref"]) if "$ref" in part else part)
            return self._value(merged, name)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object" or (kind is None and "properties" in schema):
            props = schema.get("properties", {})
            return {key: self._value(sub, key) for key, sub in props.items()}
        if kind == "array":
            low = int(schema.get("minItems", 0))
            high = int(schema.get("maxItems", 3))
            count = max(low, min(high, 2))
            return [self._value(schema.get("items", {}), name) for _ in range(count)]
        if kind == "string":
            self.counter += 1
            text = f"{name} {self.counter}"
            low = int(schema.get("minLength", 0))
            if self.verbose and "maxLength" in schema:
                low = int(schema["maxLength"])
                text = (f"{name} {self.counter} " + "and the answer said so " * 40)
            text = text.ljust(low, "x")
            return text[: schema["maxLength"]] if "maxLength" in schema else text
        if kind in ("number", "integer"):
            self.counter += 1
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
            # Small, varied values: times inside any answer longer than a minute.
            value = low + 3 * (self.counter % 20)
            if self.negative and self.counter % 2:
                value = low - 5 - self.counter % 7
            if "maximum" in schema:
                value = min(value, schema["maximum"])
            return int(value) if kind == "integer" else float(value)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return f"{name}"

    def _nth(self, name: str) -> int:
        counts = self.__dict__.setdefault("_seen", {})
        counts[name] = counts.get(name, -1) + 1
        return int(counts[name])


def cut_at_stop(text: str) -> str:
    """What the runner sends when the model writes a stop string a few words into the
    reply's first string value: the text before it (runner/ollamarunner/runner.go: on
    common.FindStop the stop string and what follows are dropped and the sequence ends
    with DoneReasonStop). Under a grammar nothing else ends a reply early at "stop"."""
    opened = re.search(r'": "([^"\\]{0,12})', text)
    return text[:opened.end()] if opened else text[: len(text) // 2]


def reply_from_format(fmt: Any, *, negative: bool = False, verbose: bool = False) -> str:
    """What the model 'says' for a request's ``format``."""
    if isinstance(fmt, dict):
        return json.dumps(SchemaFiller(fmt, negative=negative, verbose=verbose).fill())
    if fmt == "json":
        return "{}"
    return "Here is some friendly feedback on your answer."


# -- the server -----------------------------------------------------------------------


class _ClientGone(Exception):
    """The client closed the connection while its request waited or ran."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output clean

    # transport helpers

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return raw.decode("utf-8", "replace")

    def _json(self, status: int, obj: Any) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, obj: Any) -> None:
        data = (json.dumps(obj) + "\n").encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _not_found(self, model: str) -> None:
        self._json(404, {"error": f'model "{model}" not found, try pulling it first'})

    def _client_gone(self) -> bool:
        """True once the client has closed its end (the request body is already read, so
        anything readable now is the end of the connection)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _wait(self, seconds: float) -> None:
        """Sleep like a loading runner: a closed server or a departed client ends it."""
        owner = self.server.owner
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if owner._closing.wait(min(0.02, left)):
                raise _ClientGone()
            if self._client_gone():
                raise _ClientGone()

    # dispatch

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.server.owner._record(self, None)
        status = 200 if self.path in ("/api/version", "/") else 404
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        owner = self.server.owner
        owner._record(self, None)
        if self.path == "/api/version":
            self._json(200, {"version": owner.version})
        elif self.path == "/api/tags":
            self._json(200, {"models": owner.tags()})
        elif self.path == "/":
            data = b"Ollama is running"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self._json(404, {"error": "404 page not found"})

    def do_POST(self) -> None:  # noqa: N802
        owner = self.server.owner
        body = self._body()
        record = owner._record(self, body)
        if not isinstance(body, dict):
            self._json(400, {"error": "invalid request body"})
            return
        routes = {"/api/chat": self._chat, "/api/generate": self._generate,
                  "/api/show": self._show, "/api/pull": self._pull}
        handler = routes.get(self.path)
        if handler is None:
            self._json(404, {"error": "404 page not found"})
            return
        try:
            handler(body, record)
        except (_ClientGone, BrokenPipeError, ConnectionResetError):
            record.abandoned_at = time.monotonic()
            self.close_connection = True  # the client went away (cancel): nothing to do

    # endpoints

    def _spec(self, model: str) -> ModelSpec | None:
        owner = self.server.owner
        if owner.mode == "missing_model":
            return None
        return owner.spec(model)

    def _show(self, body: dict[str, Any], record: RecordedRequest) -> None:
        model = body.get("model") or body.get("name", "")
        spec = self._spec(model)
        if spec is None:
            self._json(404, {"error": f"model '{model}' not found"})
            return
        family = spec.family
        reply: dict[str, Any] = {
            "modelfile": f"# Modelfile generated by \"ollama show\"\nFROM {spec.name}\n",
            "parameters": "\n".join(["temperature 0.6", *(f'stop "{s}"' for s in spec.stop)]),
            "template": "{{ .System }}\n{{ .Prompt }}",
            "details": self.server.owner.details(spec),
            "model_info": {
                "general.architecture": family,
                "general.parameter_count": 3212749888,
                f"{family}.context_length": spec.context_length,
                f"{family}.embedding_length": 3072,
            },
            "capabilities": list(spec.capabilities),
            "modified_at": self.server.owner.pulled_at(spec),
        }
        if not self.server.owner.release.show_capabilities:
            del reply["capabilities"]
        if spec.remote:
            # routes.go: a remote model shows its upstream and a small model_info.
            reply.update(remote_host=spec.remote_host, remote_model=spec.remote_model,
                         model_info={f"{family}.context_length": spec.context_length},
                         modelfile="", template="")
        self._json(200, reply)

    def _generate(self, body: dict[str, Any], record: RecordedRequest) -> None:
        owner = self.server.owner
        model = body.get("model", "")
        spec = self._spec(model)
        if spec is None:
            self._not_found(model)
            return
        prompt = body.get("prompt") or ""
        stream = body.get("stream", True) is not False
        if not prompt:
            # An empty prompt only loads (or with keep_alive 0, unloads) the model.
            unload = body.get("keep_alive") in (0, "0", "0s")
            if not unload:
                with owner._runner_for(self):
                    self._load(spec, body.get("options") or {})
            reply = {"model": model, "created_at": _now(), "response": "", "done": True,
                     "done_reason": "unload" if unload else "load"}
            if stream:
                self._start_stream()
                self._chunk(reply)
                self._end_stream()
            else:
                self._json(200, reply)
            return
        text = reply_from_format(body.get("format"))
        final = {"model": model, "created_at": _now(), "response": "" if stream else text,
                 "done": True, "done_reason": "stop", **owner.stats(prompt, text)}
        if stream:
            self._start_stream()
            for piece in owner.pieces(text):
                self._chunk({"model": model, "created_at": _now(), "response": piece,
                             "done": False})
            self._chunk(final)
            self._end_stream()
        else:
            self._json(200, final)

    def _load(self, spec: ModelSpec, options: dict[str, Any], slow: bool = False) -> int:
        """Load ``spec`` with the request's runner options unless it is loaded with them
        already; returns the window it runs in. ``slow``: the runner was evicted, and the
        load takes ``slow_s`` (a client that leaves ends the wait)."""
        owner = self.server.owner
        # The release's default window when the request states none; one larger than the
        # model was trained for is cut to that (llm/server.go NewLlamaServer).
        num_ctx = min(int(options.get("num_ctx") or owner.release.default_num_ctx),
                      spec.context_length)
        if slow or owner.loaded.get(spec.name) != num_ctx:
            if slow:
                self._wait(owner.slow_s)
            with owner._lock:
                owner.loaded = {spec.name: num_ctx}  # one runner: loading evicts the other
                owner.loads.append((spec.name, num_ctx))
        return num_ctx

    def _chat(self, body: dict[str, Any], record: RecordedRequest) -> None:
        owner = self.server.owner
        model = body.get("model", "")
        mode = owner._take_chat_mode()
        spec = self._spec(model)
        if spec is None:
            self._not_found(model)
            return
        release = owner.release
        # Before 0.9.0 "think" is a field the request type lacks: ignored.
        think = body.get("think") if release.thinking else None
        if isinstance(think, str):
            if release.think_levels == "none":
                # ChatRequest.Think is *bool before 0.11.1: gin's bind error.
                self._json(400, {"error": "json: cannot unmarshal string into Go struct "
                                          "field ChatRequest.think of type bool"})
                return
            if think not in THINK_LEVELS:
                # api/types.go ThinkValue.UnmarshalJSON.
                self._json(400, {"error": f'invalid think value: "{think}" (must be "high", '
                                          '"medium", "low", true, or false)'})
                return
        # A cloud model's chat is handed to its host before any check here (routes.go
        # ChatHandler's remote branch); ollama.com thinks unless told not to.
        if spec.thinking:
            if think is None and (release.thinks_by_default or spec.remote):
                think = True  # routes.go: a thinking model thinks unless told not to
        elif _on(think) and not spec.remote:
            self._json(400, {"error": f'"{model}" does not support thinking'})
            return
        if "completion" not in spec.capabilities:
            self._json(400, {"error": f'"{model}" does not support chat'})
            return
        if mode == "busy":
            self._json(503, {"error": BUSY_ERROR})
            return
        messages = body.get("messages") or []
        stream = body.get("stream", True) is not False
        options = body.get("options") or {}
        with owner._runner_for(self):
            if mode == "stopped_loading":
                # Stopped while the model loads: the connection closes, nothing written.
                record.abandoned_at = time.monotonic()
                self.close_connection = True
                return
            num_ctx = self._load(spec, options, slow=mode == "slow")
            if not messages:
                self._json(200, {"model": model, "created_at": _now(),
                                 "message": {"role": "assistant", "content": ""},
                                 "done_reason": "load", "done": True})
                return
            if isinstance(think, str) and release.think_levels == "harmony" \
                    and spec.parser != "harmony" and not spec.remote:
                # routes.go checks a level after loading the model and building the prompt.
                self._json(400, {"error": f'think value "{think}" is not supported for '
                                          'this model'})
                return
            kept = owner.fit_messages(messages, num_ctx)
            if body.get("_debug_render_only") and release.debug_render:
                # routes.go: the prompt chatPrompt built, instead of running the model.
                self._json(200, {"model": model, "created_at": _now(),
                                 "message": {"role": "", "content": ""}, "done": False,
                                 "debug_info": {"rendered_template": owner.render(kept)}})
                return
            seen, cut = owner.cut_prompt(kept, num_ctx, options)
            record.num_ctx = num_ctx
            record.kept_messages = len(kept)
            record.sent_tokens = owner.prompt_tokens(messages)
            record.cut_tokens = cut
            record.seen = seen
            record.prompt_tokens = owner.prompt_tokens(kept) - cut
            events = owner.generate(spec, body.get("format"), think, mode, options,
                                    owner.scripted_content(body, mode))
            record.eval_count = next((e["eval_count"] for e in events if "eval_count" in e),
                                     None)
            extra = {"remote_model": spec.remote_model, "remote_host": spec.remote_host} \
                if spec.remote else {}
            self._send_chat(model, events, stream, mode, record, extra)

    def _send_chat(self, model: str, events: list[dict[str, Any]], stream: bool, mode: str,
                   record: RecordedRequest, extra: dict[str, str]) -> None:
        owner = self.server.owner
        prompt_tokens = record.prompt_tokens or 0

        def frame(message: dict[str, str], **more: Any) -> dict[str, Any]:
            return {"model": model, **extra, "created_at": _now(), "message":
                    {"role": "assistant", **message}, **more}

        if not stream:
            if mode == "truncated":
                data = json.dumps(frame({"content": "{\"verdict\": \"cut"})).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data) * 2))
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True
                return
            failed = next((e["error"] for e in events if "error" in e), None)
            if failed is not None:
                # writeChatResponse: an error ends a non-streamed reply with status 500.
                self._json(500, {"error": failed})
                return
            # writeChatResponse: the pieces joined into one message, the last frame's rest.
            final = events[-1] if "done_reason" in events[-1] else \
                {"done_reason": "", "eval_count": 0}
            message = {"content": "".join(e.get("content", "") for e in events)}
            thinking = "".join(e.get("thinking", "") for e in events)
            if thinking:
                message["thinking"] = thinking
            self._json(200, frame(message, done=bool(final["done_reason"]),
                                  done_reason=final["done_reason"],
                                  **owner.stats_counts(prompt_tokens, final["eval_count"])))
            return
        self._start_stream()
        for event in events:
            if self._client_gone():
                raise _ClientGone()
            if "error" in event:
                # streamResponse: after the first bytes an error is one more NDJSON line.
                self._chunk({"error": event["error"]})
                self._end_stream()
                return
            if "done_reason" in event:
                self._chunk(frame({"content": ""}, done=True, done_reason=event["done_reason"],
                                  **owner.stats_counts(prompt_tokens, event["eval_count"])))
                continue
            message = {"content": event.get("content", "")}
            if event.get("thinking"):
                message["thinking"] = event["thinking"]
            self._chunk(frame(message, done=False))
            if owner.piece_delay_s:
                self._wait(owner.piece_delay_s)
        if mode == "truncated":
            self.close_connection = True  # no closing chunk: the connection just drops
            return
        self._end_stream()

    def _pull(self, body: dict[str, Any], record: RecordedRequest) -> None:
        owner = self.server.owner
        model = body.get("model") or body.get("name", "")
        stream = body.get("stream", True) is not False
        if model.startswith("missing") or not owner.can_pull(model):
            # server/images.go PullModel: an unknown name, or (412 from the registry) a
            # model that needs a newer Ollama than this release.
            error = {"error": "pull model manifest: file does not exist"
                     if model.startswith("missing") else "pull model manifest: 412: The "
                     "model you are attempting to pull requires a newer version of Ollama."}
            if stream:
                self._start_stream()
                self._chunk(error)
                self._end_stream()
            else:
                self._json(500, error)
            return
        digest = "sha256:" + _digest(model)
        total = 2_019_377_376
        steps = owner.pull_steps
        events: list[dict[str, Any]] = [{"status": "pulling manifest"}]
        events.append({"status": f"pulling {digest[7:19]}", "digest": digest, "total": total})
        for i in range(1, steps + 1):
            events.append({"status": f"pulling {digest[7:19]}", "digest": digest,
                           "total": total, "completed": total * i // steps})
        events += [{"status": "verifying sha256 digest"}, {"status": "writing manifest"},
                   {"status": "success"}]
        if not stream:
            owner._add_model(model)
            self._json(200, {"status": "success"})
            return
        self._start_stream()
        for event in events:
            if owner._closing.wait(owner.pull_delay_s):
                return
            self._chunk(event)
            if event["status"] == "success":
                owner._add_model(model)
        self._end_stream()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: OllamaLoopback

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that closes its connection once it has the done message leaves the
        # handler's final flush with a broken pipe; that is a client leaving, as Ollama
        # sees it too, not a fault worth a traceback in the test's output.
        import sys

        if isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            return
        super().handle_error(request, client_address)


class _RunnerSlot:
    """The one runner: a request waits for it, and gives up waiting if its client leaves."""

    def __init__(self, owner: OllamaLoopback, handler: _Handler) -> None:
        self.owner, self.handler = owner, handler

    def __enter__(self) -> None:
        while not self.owner._runner.acquire(timeout=0.02):
            if self.handler._client_gone() or self.owner._closing.is_set():
                raise _ClientGone()

    def __exit__(self, *exc: object) -> None:
        self.owner._runner.release()


class OllamaLoopback:
    """The server object tests drive; see the module docstring."""

    def __init__(self, models: tuple[str | ModelSpec, ...] = ("llama3.2:3b",), *,
                 version: str | None = None, slow_s: float = 2.0, chunk_chars: int = 40,
                 pull_steps: int = 4, pull_delay_s: float = 0.0,
                 tags_capabilities: bool | None = None,
                 show_capabilities: bool | None = None) -> None:
        # The release played: the one named, else the default; ``tags_capabilities`` and
        # ``show_capabilities`` ask for a behaviour, and without a name pick the first
        # offered release (the default first) that has all of them.
        self.release = choose_release(version, tags_capabilities=tags_capabilities,
                                      show_capabilities=show_capabilities)
        self.version = self.release.number
        if WATCHED is not None:
            WATCHED.append(self)
        self.specs: dict[str, ModelSpec] = {}
        for i, model in enumerate(models):
            spec = model if isinstance(model, ModelSpec) else ModelSpec.named(model)
            # Listed order is newest first unless a spec says how old it is.
            if not isinstance(model, ModelSpec):
                spec = replace(spec, age_days=spec.age_days + i)
            self._check_spec(spec)
            self.specs[spec.name] = spec
        # Pull times are counted back from one moment, so the listing is stable.
        self.epoch = datetime.now(UTC)
        self.slow_s = slow_s
        self.chunk_chars = chunk_chars
        self.pull_steps = pull_steps
        self.pull_delay_s = pull_delay_s
        self.piece_delay_s = 0.0
        self.pad_tokens = 0
        self.mode = "healthy"
        self._mode_left: int | None = None
        self.scripted: Any = None
        self.requests: list[RecordedRequest] = []
        self.loaded: dict[str, int] = {}
        self.loads: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self._runner = threading.Lock()
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # lifecycle

    def start(self) -> OllamaLoopback:
        self._closing.clear()
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.owner = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="ollama-loopback", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # wakes handlers that are sleeping (slow mode, pull delay)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    # models

    @property
    def models(self) -> list[str]:
        """Installed names, newest first (the order of /api/tags)."""
        with self._lock:
            return [s.name for s in sorted(self.specs.values(), key=lambda s: s.age_days)]

    def add_model(self, spec: ModelSpec) -> None:
        self._check_spec(spec)
        with self._lock:
            self.specs[spec.name] = spec

    def _check_spec(self, spec: ModelSpec) -> None:
        """A model this release cannot have is refused, naming the release that can."""
        release = self.release
        needs = None
        if spec.remote and not release.cloud_models:
            needs = ("has no cloud models", CLOUD_MODELS)
        elif spec.thinking and not release.thinking:
            needs = ("states no thinking capability", THINKING)
        elif spec.parser and not release.knows_parser(spec.parser):
            needs = (f"has no {spec.parser} parser", PARSERS[spec.parser])
        if needs is not None:
            what, change = needs
            raise ValueError(f"{spec.name}: Ollama {release.number} {what} (from "
                             f"{change.since}, {change.source}); play version="
                             f"{first_with(change)!r} or later")

    def spec(self, name: str) -> ModelSpec | None:
        with self._lock:
            if name in self.specs:
                return self.specs[name]
            # Ollama resolves a name without a tag to ":latest".
            return self.specs.get(f"{name}:latest") if ":" not in name else None

    def _runner_for(self, handler: _Handler) -> _RunnerSlot:
        return _RunnerSlot(self, handler)

    # modes

    def set_mode(self, mode: str, times: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        with self._lock:
            self.mode = mode
            self._mode_left = times
        if mode == "down" and self.running:
            self.stop()  # the port stays ours in name only: connections are refused
        elif mode != "down" and not self.running:
            self.start()

    def _take_chat_mode(self) -> str:
        """The mode for this chat request; counts down a limited mode."""
        with self._lock:
            mode = self.mode
            if mode in CHAT_MODES and self._mode_left is not None:
                self._mode_left -= 1
                if self._mode_left <= 0:
                    self.mode, self._mode_left = "healthy", None
            return mode

    def script_reply(self, reply: Any) -> None:
        """What the model answers to a request with a schema from now on (None: the value
        filled from the schema again)."""
        with self._lock:
            self.scripted = reply

    def scripted_content(self, body: dict[str, Any], mode: str = "healthy") -> str | None:
        if mode in REPLY_SHAPES and isinstance(body.get("format"), dict):
            return REPLY_SHAPES[mode](body)
        with self._lock:
            reply = self.scripted
        if reply is None or not isinstance(body.get("format"), dict):
            return None
        if callable(reply):
            reply = reply(body)
        return reply if isinstance(reply, str) else json.dumps(reply)

    # records

    def _record(self, handler: _Handler, body: Any) -> RecordedRequest:
        request = RecordedRequest(handler.command, handler.path, dict(handler.headers.items()),
                                  body, handler.client_address[:2])
        with self._lock:
            self.requests.append(request)
        return request

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def requests_for(self, model: str) -> list[RecordedRequest]:
        """Every request that named ``model``."""
        with self._lock:
            return [r for r in self.requests if isinstance(r.body, dict)
                    and (r.body.get("model") or r.body.get("name")) == model]

    # protocol details

    def _add_model(self, name: str) -> None:
        spec = replace(ModelSpec.named(name), age_days=0.0)
        self._check_spec(spec)
        with self._lock:
            if name not in self.specs:
                self.specs[name] = spec

    def can_pull(self, name: str) -> bool:
        try:
            self._check_spec(ModelSpec.named(name))
        except ValueError:
            return False
        return True

    def details(self, spec: ModelSpec | None = None) -> dict[str, Any]:
        spec = spec or ModelSpec("llama3.2:3b")
        return {"parent_model": "", "format": "" if spec.remote else "gguf",
                "family": spec.family, "families": [spec.family],
                "parameter_size": spec.parameter_size,
                "quantization_level": "MXFP4" if spec.remote else "Q4_K_M"}

    def tag_entry(self, name: str) -> dict[str, Any]:
        spec = self.spec(name) or ModelSpec.named(name)
        entry: dict[str, Any] = {"name": spec.name, "model": spec.name}
        if spec.remote:
            # api.ListModelResponse: remote_model and remote_host, omitted when empty.
            entry.update(remote_model=spec.remote_model, remote_host=spec.remote_host)
        details = self.details(spec)
        if self.release.tags_capabilities:
            # 0.30.0: ModelDetails gains context_length (omitted when unknown) and the
            # entry its capabilities (server/model_list_cache.go).
            details["context_length"] = spec.context_length
        entry.update(modified_at=self.pulled_at(spec), size=384 if spec.remote else 2019393189,
                     digest=_digest(spec.name), details=details)
        if self.release.tags_capabilities:
            entry["capabilities"] = list(spec.capabilities)
        return entry

    def pulled_at(self, spec: ModelSpec) -> str:
        moment = self.epoch - timedelta(days=spec.age_days)
        return moment.isoformat().replace("+00:00", "Z")

    def tags(self) -> list[dict[str, Any]]:
        return [self.tag_entry(name) for name in self.models]

    def pieces(self, text: str) -> Iterator[str]:
        for start in range(0, len(text), self.chunk_chars):
            yield text[start:start + self.chunk_chars]

    @staticmethod
    def prompt_tokens(messages: list[dict[str, Any]]) -> int:
        return sum(count_tokens(str(m.get("content", ""))) + TEMPLATE_TOKENS for m in messages)

    def fit_messages(self, messages: list[dict[str, Any]], num_ctx: int) -> list[dict[str, Any]]:
        """server/prompt.go chatPrompt of the release played: the oldest messages dropped
        until the prompt fits, the last message always kept; no error is raised."""

        def systems(before: int) -> list[dict[str, Any]]:
            return [m for m in messages[:before] if m.get("role") == "system"]

        last = len(messages) - 1
        if self.release.prompt_fit == "forward":
            # From 0.15.5: forward from the first message; the system messages before the
            # first one kept stay.
            for i in range(last + 1):
                if self.prompt_tokens(systems(i) + messages[i:]) <= num_ctx or i == last:
                    return systems(i) + messages[i:]
            return messages
        # Before 0.15.5: back from the message before the last. The system messages kept
        # are those before the index that did not fit, so of [system, user] that do not
        # fit only the user message is kept.
        first, system = last, []
        for i in range(last - 1, -1, -1):
            system = systems(i)
            if self.prompt_tokens(system + messages[i:]) > num_ctx:
                break
            first = i
        return system + messages[first:]

    @staticmethod
    def render(messages: list[dict[str, Any]]) -> str:
        """The prompt as text, in the shape of Llama 3's chat template."""
        turns = [f"<|start_header_id|>{m.get('role', '')}<|end_header_id|>\n\n"
                 f"{m.get('content', '')}<|eot_id|>" for m in messages]
        return "".join(turns) + "<|start_header_id|>assistant<|end_header_id|>\n\n"

    def cut_prompt(self, messages: list[dict[str, Any]], num_ctx: int,
                   options: dict[str, Any]) -> tuple[list[dict[str, str]], int]:
        """The runner's cut of a prompt still over the window: the first num_keep tokens
        (4 by default) and the last ones are kept, those between dropped, with only a
        warning in the server's log. Returns the messages as the model got them and how
        many tokens were cut."""
        rendered: list[tuple[int, str | None]] = []  # (message, token; None: the template's)
        for index, message in enumerate(messages):
            rendered += [(index, None)] * (TEMPLATE_TOKENS - 1)
            rendered += [(index, t) for t in tokens(str(message.get("content", "")))]
            rendered.append((index, None))
        limit = num_ctx - self.release.runner_headroom
        cut = max(0, len(rendered) - limit)
        if cut:
            num_keep = int(options.get("num_keep", 4))
            keep = min(len(rendered) if num_keep < 0 else num_keep, num_ctx - 1)
            rendered = rendered[:keep] + rendered[keep + cut:]
        seen: dict[int, list[str]] = {}
        for index, token in rendered:
            seen.setdefault(index, []).append(token or "")
        return [{"role": str(messages[i].get("role", "")), "content": "".join(parts)}
                for i, parts in seen.items()], cut

    def generate(self, spec: ModelSpec, fmt: Any, think: Any, mode: str,
                 options: dict[str, Any], content: str | None = None) -> list[dict[str, Any]]:
        """The events of one reply: thinking and content pieces, then a done event, an
        error event, or nothing (the stream just ends)."""
        limit = int(options.get("num_predict") if options.get("num_predict") is not None
                    else -1)
        # gpt-oss (the harmony parser) thinks whatever it is told; the parser still puts
        # the think in message.thinking and the format applies after it.
        thinks = _on(think) or (think is False and spec.parser == "harmony")
        ignores_format = think is False and spec.thinking \
            and self.release.holds_format_back(spec.parser)
        thought = (THINKING_SENTENCE * (spec.think_tokens // count_tokens(THINKING_SENTENCE) + 1))
        thought = "".join(split_tokens(thought)[: spec.think_tokens]) if thinks else ""
        if ignores_format:
            text = ("Overall this was a solid answer. **Strengths:** a clear situation. "
                    "**To improve:** give numbers for the result.")
        elif content is not None:
            text = content
        else:
            text = reply_from_format(fmt, negative=mode == "negative_times")
        if mode == "invalid_json":
            text = cut_at_stop(text)
        elif mode == "schema_violation":
            text = json.dumps({"verdict": 7, "key_points": "all of them",
                               "improvements": [{"message": ""}] * 9})

        events: list[dict[str, Any]] = []
        spent = 0

        def emit(kind: str, value: str | list[str]) -> bool:
            """Add ``value`` piece by piece; False once num_predict is reached."""
            nonlocal spent
            buffer: list[str] = []
            for token in split_tokens(value) if isinstance(value, str) else value:
                cost = count_tokens(token)
                if limit >= 0 and spent + cost > limit:
                    if buffer:
                        events.append({kind: "".join(buffer)})
                    return False
                spent += cost
                buffer.append(token)
                if sum(len(b) for b in buffer) >= self.chunk_chars:
                    events.append({kind: "".join(buffer)})
                    buffer = []
            if buffer:
                events.append({kind: "".join(buffer)})
            return True

        if mode == "no_done":
            # llm/llama_server.go: more than 30 repeats of one token end the completion
            # with no error and no final response, so the HTTP stream just closes.
            events.append({"content": text[:30]})
            events += [{"content": " the"} for _ in range(31)]
            return events
        if thought and not emit("thinking", thought):
            events.append({"done_reason": "length", "eval_count": spent})
            return events
        if mode == "error_line":
            emit("content", text[: len(text) // 3])
            events.append({"error": MODEL_ERROR})
            return events
        if mode == "padded":
            # Whitespace the grammar allows between JSON tokens, one token a line.
            finished = emit("content", [text[0], *["\n"] * self.pad_tokens,
                                        *split_tokens(text[1:])])
        else:
            finished = emit("content", text)
        if mode == "truncated":
            return events[: max(1, len(events) // 2)]
        events.append({"done_reason": "stop" if finished else "length", "eval_count": spent})
        return events

    @staticmethod
    def stats_counts(prompt_tokens: int, eval_count: int) -> dict[str, int]:
        return {"total_duration": 5_043_500_667, "load_duration": 5_025_959,
                "prompt_eval_count": max(1, prompt_tokens), "prompt_eval_duration": 325_953_000,
                "eval_count": max(1, eval_count), "eval_duration": 4_709_213_000}

    @classmethod
    def stats(cls, prompt: str, reply: str) -> dict[str, int]:
        return cls.stats_counts(count_tokens(prompt), count_tokens(reply))


@pytest.fixture
def ollama_loopback(request: pytest.FixtureRequest) -> Iterator[OllamaLoopback]:
    """The loopback server playing the default release, or the one a test names with
    ``@pytest.mark.parametrize("ollama_loopback", ["0.17.6"], indirect=True)``."""
    server = OllamaLoopback(version=getattr(request, "param", None)).start()
    try:
        yield server
    finally:
        server.stop()
