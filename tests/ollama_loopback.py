"""A small Ollama server on 127.0.0.1 for tests, speaking Ollama's wire protocol.

It follows the published API field for field for the endpoints Greenroom uses:
``/api/version``, ``/api/tags``, ``/api/show``, ``/api/pull`` (NDJSON progress),
``/api/generate`` (an empty prompt loads the model) and ``/api/chat`` (NDJSON stream or a
single object). A chat reply is built FROM the JSON schema the request sent in
``format``; a request without a schema gets prose back, so a passing test proves the
schema really went over the wire. Every request is recorded.

Failure modes, switched with ``set_mode``: ``down`` (the port is closed), ``slow``
(the chat reply comes after ``slow_s``), ``missing_model`` (404 for every model),
``truncated`` (the chat stream stops mid-way), ``invalid_json`` and
``schema_violation`` (the model's reply content is broken). ``times=N`` limits a mode to
the next N chat requests, after which the server is healthy again.

Test modules load the ``ollama_loopback`` fixture with
``pytest_plugins = ("tests.ollama_loopback",)``. The module holds no asserts, so it asks
pytest not to rewrite it (PYTEST_DONT_REWRITE), which also keeps pytest quiet when a test
module imports it before registering it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

MODES = ("healthy", "down", "slow", "missing_model", "truncated", "invalid_json",
         "schema_violation")
CHAT_MODES = ("slow", "truncated", "invalid_json", "schema_violation")
SERVER_VERSION = "0.6.5"
CONTEXT_LENGTH = 131072


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None when there was no body
    client: tuple[str, int]
    at: float = field(default_factory=time.monotonic)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _digest(name: str) -> str:
    # Stable fake sha256-looking digest per model name.
    return (name.encode().hex() * 64)[:64]


# -- an object that satisfies a JSON schema -------------------------------------------


class SchemaFiller:
    """Walks a JSON schema (objects, arrays, enums, strings, numbers, $ref/$defs, anyOf)
    and builds a value that satisfies it. Deterministic: same schema, same value."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.root = schema
        self.counter = 0

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
            text = text.ljust(low, "x")
            return text[: schema["maxLength"]] if "maxLength" in schema else text
        if kind in ("number", "integer"):
            self.counter += 1
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
            # Small, varied values: times inside any answer longer than a minute.
            value = low + 3 * (self.counter % 20)
            if "maximum" in schema:
                value = min(value, schema["maximum"])
            return int(value) if kind == "integer" else float(value)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return f"{name}"


def reply_from_format(fmt: Any) -> str:
    """What the model 'says' for a request's ``format``."""
    if isinstance(fmt, dict):
        return json.dumps(SchemaFiller(fmt).fill())
    if fmt == "json":
        return "{}"
    return "Here is some friendly feedback on your answer."


# -- the server -----------------------------------------------------------------------


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

    # dispatch

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.server.owner._record(self, None)
        if self.path == "/api/version" or self.path == "/":
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        owner = self.server.owner
        owner._record(self, None)
        if self.path == "/api/version":
            self._json(200, {"version": owner.version})
        elif self.path == "/api/tags":
            self._json(200, {"models": [owner.tag_entry(n) for n in owner.models]})
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
        owner._record(self, body)
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
            handler(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away (cancel): nothing to do

    # endpoints

    def _known(self, model: str) -> bool:
        owner = self.server.owner
        return owner.mode != "missing_model" and model in owner.models

    def _show(self, body: dict[str, Any]) -> None:
        model = body.get("model") or body.get("name", "")
        if not self._known(model):
            self._not_found(model)
            return
        self._json(200, {
            "modelfile": f"# Modelfile generated by \"ollama show\"\nFROM {model}\n",
            "parameters": "temperature 0.6\nstop \"<|eot_id|>\"",
            "template": "{{ .System }}\n{{ .Prompt }}",
            "details": self.server.owner.details(),
            "model_info": {
                "general.architecture": "llama",
                "general.parameter_count": 3212749888,
                "llama.context_length": self.server.owner.context_length,
                "llama.embedding_length": 3072,
            },
            "capabilities": ["completion", "tools"],
            "modified_at": _now(),
        })

    def _generate(self, body: dict[str, Any]) -> None:
        model = body.get("model", "")
        if not self._known(model):
            self._not_found(model)
            return
        prompt = body.get("prompt") or ""
        stream = body.get("stream", True) is not False
        if not prompt:
            # An empty prompt only loads (or with keep_alive 0, unloads) the model.
            unload = body.get("keep_alive") in (0, "0", "0s")
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
                 "done": True, "done_reason": "stop", **self.server.owner.stats(prompt, text)}
        if stream:
            self._start_stream()
            for piece in self.server.owner.pieces(text):
                self._chunk({"model": model, "created_at": _now(), "response": piece,
                             "done": False})
            self._chunk(final)
            self._end_stream()
        else:
            self._json(200, final)

    def _chat(self, body: dict[str, Any]) -> None:
        owner = self.server.owner
        model = body.get("model", "")
        mode = owner._take_chat_mode()
        if not self._known(model):
            self._not_found(model)
            return
        messages = body.get("messages") or []
        stream = body.get("stream", True) is not False
        if not messages:
            self._json(200, {"model": model, "created_at": _now(),
                             "message": {"role": "assistant", "content": ""},
                             "done_reason": "load", "done": True})
            return
        if mode == "slow" and owner._closing.wait(owner.slow_s):
            return
        text = reply_from_format(body.get("format"))
        if mode == "invalid_json":
            text = "Sure! Here is my feedback: " + text[: len(text) // 2]
        elif mode == "schema_violation":
            text = json.dumps({"verdict": 7, "key_points": "all of them",
                               "improvements": [{"message": ""}] * 9})
        prompt_text = " ".join(str(m.get("content", "")) for m in messages)
        stats = owner.stats(prompt_text, text)
        if not stream:
            if mode == "truncated":
                data = json.dumps({"model": model, "message": {"content": text}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data) * 2))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
                return
            self._json(200, {"model": model, "created_at": _now(),
                             "message": {"role": "assistant", "content": text},
                             "done_reason": "stop", "done": True, **stats})
            return
        self._start_stream()
        pieces = list(owner.pieces(text))
        if mode == "truncated":
            # Half the reply, then the connection drops without the closing chunk.
            for piece in pieces[: max(1, len(pieces) // 2)]:
                self._chunk({"model": model, "created_at": _now(),
                             "message": {"role": "assistant", "content": piece},
                             "done": False})
            self.close_connection = True
            return
        for piece in pieces:
            self._chunk({"model": model, "created_at": _now(),
                         "message": {"role": "assistant", "content": piece}, "done": False})
        self._chunk({"model": model, "created_at": _now(),
                     "message": {"role": "assistant", "content": ""},
                     "done_reason": "stop", "done": True, **stats})
        self._end_stream()

    def _pull(self, body: dict[str, Any]) -> None:
        owner = self.server.owner
        model = body.get("model") or body.get("name", "")
        stream = body.get("stream", True) is not False
        if model.startswith("missing"):
            error = {"error": "pull model manifest: file does not exist"}
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


class OllamaLoopback:
    """The server object tests drive; see the module docstring."""

    def __init__(self, models: tuple[str, ...] = ("llama3.2:3b",), *, slow_s: float = 2.0,
                 chunk_chars: int = 40, pull_steps: int = 4, pull_delay_s: float = 0.0) -> None:
        self.models: list[str] = list(models)
        self.version = SERVER_VERSION
        self.context_length = CONTEXT_LENGTH
        self.slow_s = slow_s
        self.chunk_chars = chunk_chars
        self.pull_steps = pull_steps
        self.pull_delay_s = pull_delay_s
        self.mode = "healthy"
        self._mode_left: int | None = None
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
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

    # records

    def _record(self, handler: _Handler, body: Any) -> None:
        request = RecordedRequest(handler.command, handler.path, dict(handler.headers.items()),
                                  body, handler.client_address[:2])
        with self._lock:
            self.requests.append(request)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # protocol details

    def _add_model(self, name: str) -> None:
        with self._lock:
            if name not in self.models:
                self.models.append(name)

    def details(self) -> dict[str, Any]:
        return {"parent_model": "", "format": "gguf", "family": "llama", "families": ["llama"],
                "parameter_size": "3.2B", "quantization_level": "Q4_K_M"}

    def tag_entry(self, name: str) -> dict[str, Any]:
        return {"name": name, "model": name, "modified_at": _now(), "size": 2019393189,
                "digest": _digest(name), "details": self.details()}

    def pieces(self, text: str) -> Iterator[str]:
        for start in range(0, len(text), self.chunk_chars):
            yield text[start:start + self.chunk_chars]

    @staticmethod
    def stats(prompt: str, reply: str) -> dict[str, int]:
        prompt_tokens, reply_tokens = max(1, len(prompt) // 4), max(1, len(reply) // 4)
        return {"total_duration": 5_043_500_667, "load_duration": 5_025_959,
                "prompt_eval_count": prompt_tokens, "prompt_eval_duration": 325_953_000,
                "eval_count": reply_tokens, "eval_duration": 4_709_213_000}


@pytest.fixture
def ollama_loopback() -> Iterator[OllamaLoopback]:
    server = OllamaLoopback().start()
    try:
        yield server
    finally:
        server.stop()
