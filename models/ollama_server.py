"""The user's Ollama server: where it is, whether it answers, which model Greenroom uses.

Chat, pull and preload go through the official ``ollama`` client. ``/api/version`` (the
client has no method for it), ``/api/tags`` and ``/api/show`` are read directly: the
client's models for the last two drop ``remote_host``, ``remote_model`` and (for tags)
``capabilities``, the very fields that say a model runs on ollama.com or cannot chat.

Every call carries a timeout: a server that hangs must cost the user seconds, not a frozen
report. Proxy settings from the environment are ignored on purpose: Ollama runs on the
user's machine and a system-wide proxy must never see transcripts.

Nothing leaves the machine unless the user said yes: Greenroom never chooses a cloud model
by itself, and a cloud model the user names, or a server that is not on this machine, is
refused unless the explicit setting (``allow_remote``) allows it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

try:
    import ollama
except ValueError:
    # The client builds a default connection from OLLAMA_HOST at import time and raises on a
    # malformed value; import it without that, and let host resolution below report the
    # bad setting as a one-line message when Ollama is actually used.
    _bad_host = os.environ.pop("OLLAMA_HOST", "")
    import ollama

    os.environ["OLLAMA_HOST"] = _bad_host

from models.errors import LLMError, OllamaFailure

log = logging.getLogger(__name__)

DEFAULT_HOST = "http://127.0.0.1:11434"
DEFAULT_PORT = 11434
# Small instruction models that follow a JSON schema well, answer without a long think
# first and run on a laptop CPU; docs/ollama.md says why each is here.
PREFERRED_MODELS: tuple[str, ...] = ("llama3.2:3b", "qwen2.5:3b", "phi3.5", "gemma3:4b",
                                     "llama3.1:8b", "qwen2.5:7b", "mistral")
MODEL_ENV = "GREENROOM_OLLAMA_MODEL"
# "1", "yes" or "true": the user's explicit yes to sending answers off this machine.
ALLOW_REMOTE_ENV = "GREENROOM_OLLAMA_ALLOW_REMOTE"
# How long Ollama keeps the model loaded. Unset, Greenroom sends nothing and the server's
# own OLLAMA_KEEP_ALIVE (5 minutes by default) applies.
KEEP_ALIVE_ENV = "GREENROOM_OLLAMA_KEEP_ALIVE"

CONNECT_TIMEOUT_S = 3.0
STATUS_TIMEOUT_S = 5.0

START_FIX = "start Ollama (`ollama serve`) or set OLLAMA_HOST to where it runs"
CHAT_MODEL_FIX = f"choose a chat model, e.g. `greenroom models pull {PREFERRED_MODELS[0]}`"

# Families whose models only embed text, for servers too old to report capabilities.
_EMBEDDING_FAMILIES = {"bert", "nomic-bert", "xlm-roberta", "bge", "jina-bert"}
_TRUE = {"1", "yes", "true", "on"}


def env_allows_remote() -> bool:
    return os.environ.get(ALLOW_REMOTE_ENV, "").strip().lower() in _TRUE


def env_keep_alive() -> str | None:
    return os.environ.get(KEEP_ALIVE_ENV, "").strip() or None


def resolve_host(explicit: str | None = None) -> str:
    """explicit setting > OLLAMA_HOST > the default, normalised to scheme://host:port.

    Read the way the official client reads it: a bare ``host`` or ``host:port`` is plain
    http on Ollama's port; a URL with a scheme but no port uses that scheme's port.
    """
    raw = (explicit or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST).strip()
    scheme, sep, rest = raw.partition("://")
    if not sep:
        scheme, rest, default_port = "http", raw, DEFAULT_PORT
    else:
        scheme = scheme.lower()
        default_port = 443 if scheme == "https" else 80
    parts = urllib.parse.urlsplit(f"{scheme}://{rest}")
    host = parts.hostname or "127.0.0.1"
    if host == "0.0.0.0":  # a bind-all address written for `ollama serve`: dial loopback
        host = "127.0.0.1"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port or default_port
    except ValueError:
        raise LLMError(f"Ollama host '{raw}' is not a valid address; set OLLAMA_HOST (or the "
                       "app's Ollama host setting) to e.g. http://127.0.0.1:11434") from None
    path = parts.path.rstrip("/")
    return f"{scheme}://{host}:{port}{path}"


def is_loopback_host(host: str) -> bool:
    """True when ``host`` (a resolved URL) is this machine: localhost or a loopback IP.

    Only names that cannot mean another machine count; a LAN address or a host name that
    merely resolves here today is another machine as far as the promise goes.
    """
    name = (urllib.parse.urlsplit(host).hostname or "").strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def base_name(name: str) -> str:
    """``llama3.2:latest`` and ``llama3.2`` are one model: Ollama adds ``:latest``."""
    return name[: -len(":latest")] if name.endswith(":latest") else name


def is_cloud_name(name: str) -> bool:
    """A name Ollama sends to ollama.com whatever is installed: a ``:cloud`` tag or a tag
    ending in ``-cloud`` (``gpt-oss:120b-cloud``), as Ollama's model-reference parser reads
    them (internal/modelref)."""
    tag = name.rsplit(":", 1)[1].strip().lower() if ":" in name else ""
    return tag == "cloud" or ("/" not in tag and tag.endswith("-cloud"))


@dataclass(frozen=True)
class ModelInfo:
    """What Greenroom needs to know about one model before sending it anything."""

    name: str
    remote_host: str | None = None
    capabilities: tuple[str, ...] | None = None  # None: the server did not say
    family: str = ""
    context_length: int | None = None

    @property
    def remote(self) -> bool:
        return bool(self.remote_host) or is_cloud_name(self.name)

    @property
    def chat(self) -> bool:
        if self.capabilities is not None:
            return "completion" in self.capabilities
        return self.family.lower() not in _EMBEDDING_FAMILIES and "embed" not in self.name

    @property
    def thinking(self) -> bool:
        return self.capabilities is not None and "thinking" in self.capabilities

    @property
    def think_value(self) -> bool | str | None:
        """What to send as ``think``: nothing for a model that cannot think; "low" for
        gpt-oss, which ignores true/false and takes only a level (Ollama's thinking docs);
        else false, asking for the JSON straight away."""
        if not self.thinking:
            return None
        if self.family.lower() == "gptoss" or base_name(self.name).startswith("gpt-oss"):
            return "low"
        return False

    def describe(self) -> str:
        """A few words for `greenroom models list`."""
        if self.remote:
            return f"runs on {self.remote_host or 'ollama.com'}: answers would leave this machine"
        if not self.chat:
            kinds = ", ".join(self.capabilities or ()) or self.family or "unknown"
            return f"cannot chat ({kinds})"
        return "thinks before answering" if self.thinking else ""


@dataclass(frozen=True)
class ModelChoice:
    info: ModelInfo
    why: str
    skipped: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.info.name


def allow_remote_fix(sends: str = "answer") -> str:
    return ("use a model on this machine (`greenroom models list`), or say yes to sending "
            f"{sends}s away: --allow-remote-llm, the app's setting, or {ALLOW_REMOTE_ENV}=1")


ALLOW_REMOTE_FIX = allow_remote_fix()


def refuse_remote_host(host: str, sends: str = "answer") -> OllamaFailure:
    """``sends`` names what would leave the machine: "answer", "page"."""
    return OllamaFailure(
        "remote_refused",
        f"Ollama at {host} is not on this machine, so your {sends} would leave it; "
        "Greenroom sent nothing there", allow_remote_fix(sends))


def refuse_remote_model(name: str, remote_host: str | None,
                        sends: str = "answer") -> OllamaFailure:
    where = remote_host or "ollama.com"
    return OllamaFailure(
        "remote_refused",
        f"model '{name}' runs on {where}, so your {sends} would leave this machine; "
        "Greenroom sent nothing to it", allow_remote_fix(sends))


def check_setting(host: str | None, model: str | None, allow_remote: bool,
                  sends: str = "answer") -> str | None:
    """The refusals that need no server: a remote host, a model named as a cloud one.

    Raises OllamaFailure (``remote_refused``) before anything is sent. With
    ``allow_remote``, returns the sentence to show the user about where the ``sends``
    ("answer", "page") will go, or None when it stays on this machine as far as the
    settings tell. A malformed host passes: nothing can be sent to it, and the request
    reports it (``settings``) like any other failure.
    """
    try:
        resolved = resolve_host(host)
    except LLMError:
        return None
    named = model or os.environ.get(MODEL_ENV) or None
    elsewhere = not is_loopback_host(resolved)
    cloud = bool(named) and is_cloud_name(str(named))
    if not allow_remote:
        if elsewhere:
            raise refuse_remote_host(resolved, sends)
        if cloud:
            raise refuse_remote_model(str(named), None, sends)
        return None
    if cloud:
        return f"your {sends} will be sent to ollama.com for model '{named}' (allowed by setting)"
    if elsewhere:
        return f"your {sends} will be sent to Ollama at {resolved}, off this machine " \
               "(allowed by setting)"
    return None


@dataclass(frozen=True)
class PullProgress:
    status: str
    completed: int | None = None
    total: int | None = None
    digest: str | None = None

    @property
    def fraction(self) -> float | None:
        if self.total and self.completed is not None:
            return min(1.0, self.completed / self.total)
        return None


def describe_connection_error(host: str, exc: BaseException) -> str:
    return f"Ollama is not answering at {host} ({type(exc).__name__}): {START_FIX}"


# -- connections that a cancel can cut ---------------------------------------------------


class _TrackingBackend(httpcore.SyncBackend):
    """Opens sockets like httpcore's own backend and remembers them, so another thread
    can shut them down while a read is blocked on them."""

    def __init__(self) -> None:
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.aborted = False

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        if self.aborted:
            raise httpcore.ConnectError("the request was cancelled")
        stream = super().connect_tcp(host, port, timeout, local_address, socket_options)
        sock = stream.get_extra_info("socket")
        with self._lock:
            if sock is not None:
                self._sockets.append(sock)
            aborted = self.aborted
        if aborted:
            self._shut(sock)
        return stream

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket | None) -> None:
        # shutdown, not close: close() from another thread neither wakes a blocked recv
        # nor tells the server; shutdown does both, so Ollama sees the client leave and
        # drops the request instead of keeping the next one waiting behind it.
        if sock is None:
            return
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class AbortableTransport(httpx.HTTPTransport):
    """httpx's transport over the tracking backend; ``abort()`` cuts every connection."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        self._backend = _TrackingBackend()
        # httpx 0.28 (pinned) keeps its connection pool in `_pool` and takes no backend
        # argument; the pool is rebuilt with the same defaults over the tracking backend.
        self._pool = httpcore.ConnectionPool(network_backend=self._backend)

    def abort(self) -> None:
        self._backend.abort()


class OllamaServer:
    """One Ollama server. Cheap to create; clients are made per call with their timeouts."""

    def __init__(
        self,
        host: str | None = None,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        status_timeout_s: float = STATUS_TIMEOUT_S,
    ) -> None:
        self.host = resolve_host(host)
        self.connect_timeout_s = connect_timeout_s
        self.status_timeout_s = status_timeout_s

    @property
    def local(self) -> bool:
        return is_loopback_host(self.host)

    def client(self, read_timeout_s: float | None = None,
               transport: httpx.BaseTransport | None = None) -> ollama.Client:
        """A client whose every read waits at most ``read_timeout_s`` for the next bytes."""
        read = self.status_timeout_s if read_timeout_s is None else read_timeout_s
        timeout = httpx.Timeout(read, connect=self.connect_timeout_s)
        extra: dict[str, Any] = {"transport": transport} if transport is not None else {}
        return ollama.Client(host=self.host, timeout=timeout, trust_env=False, **extra)

    def _http(self) -> httpx.Client:
        timeout = httpx.Timeout(self.status_timeout_s, connect=self.connect_timeout_s)
        return httpx.Client(base_url=self.host, timeout=timeout, trust_env=False)

    # -- read-only queries ---------------------------------------------------------

    def version(self) -> str:
        with self._http() as http:
            response = http.get("/api/version")
            response.raise_for_status()
            return str(response.json().get("version", ""))

    def tags(self) -> list[dict[str, Any]]:
        """/api/tags as Ollama lists it: newest first, with remote_host, remote_model and
        (from Ollama 0.30.0 on) capabilities where the server gives them."""
        with self._http() as http:
            response = http.get("/api/tags")
            if response.is_error:
                raise ollama.ResponseError(response.text, response.status_code)
            models = response.json().get("models") or []
        return [m for m in models if isinstance(m, dict) and (m.get("model") or m.get("name"))]

    def list_models(self) -> list[str]:
        """Installed model names, as /api/tags lists them."""
        return [str(m.get("model") or m.get("name")) for m in self.tags()]

    def show(self, model: str) -> dict[str, Any]:
        """/api/show for ``model``; ollama.ResponseError (404) when it is not installed."""
        with self._http() as http:
            response = http.post("/api/show", json={"model": model})
            if response.is_error:
                raise ollama.ResponseError(response.text, response.status_code)
            return dict(response.json())

    def info(self, model: str, entry: dict[str, Any] | None = None) -> ModelInfo:
        """Everything about ``model`` from /api/show, its /api/tags entry filling gaps."""
        shown = self.show(model)
        entry = entry or {}
        caps = shown.get("capabilities")
        if caps is None:
            caps = entry.get("capabilities")
        details = shown.get("details") or entry.get("details") or {}
        context = None
        for key, value in (shown.get("model_info") or {}).items():
            if key.endswith(".context_length") and isinstance(value, int) and value > 0:
                context = value
        return ModelInfo(
            name=model,
            remote_host=shown.get("remote_host") or entry.get("remote_host") or None,
            capabilities=tuple(caps) if isinstance(caps, list) else None,
            family=str(details.get("family") or ""),
            context_length=context,
        )

    def context_length(self, model: str) -> int | None:
        """The model's trained context window from /api/show, or None when not stated."""
        return self.info(model).context_length

    def status(self) -> dict[str, Any]:
        """{host, reachable, version, models, entries, error}: never raises for server
        trouble. ``entries`` are the /api/tags records behind ``models``."""
        result: dict[str, Any] = {
            "host": self.host, "reachable": False, "version": None, "models": [],
            "entries": [], "error": None,
        }
        try:
            result["version"] = self.version()
            result["reachable"] = True
            result["entries"] = self.tags()
            result["models"] = [str(m.get("model") or m.get("name")) for m in result["entries"]]
        except (httpx.HTTPError, ConnectionError, ollama.ResponseError, ValueError) as exc:
            if result["reachable"]:
                result["error"] = f"Ollama at {self.host} answered but listing models failed: {exc}"
            else:
                result["error"] = describe_connection_error(self.host, exc)
        return result

    # -- model choice --------------------------------------------------------------

    def choose(
        self,
        override: str | None = None,
        *,
        allow_remote: bool = False,
        preferred: Sequence[str] = PREFERRED_MODELS,
        entries: Sequence[dict[str, Any]] | None = None,
        sends: str = "answer",
    ) -> ModelChoice:
        """The model Greenroom will use, checked before anything is sent to it.

        A named model (``override`` or GREENROOM_OLLAMA_MODEL) is used if it is installed
        and can chat; a cloud one only with ``allow_remote``. Without a name, the first
        preferred model installed, else the newest installed one, that runs here, can chat
        and does not think first; a thinking model only when no other is installed. Raises
        OllamaFailure (code, reason, fix) or the server's own error; ``sends`` words a
        refusal for what would have been sent ("answer", "page").
        """
        if not allow_remote and not self.local:
            raise refuse_remote_host(self.host, sends)
        override = override or os.environ.get(MODEL_ENV) or None
        listed = list(self.tags() if entries is None else entries)
        if override:
            return self._check_named(override, listed, allow_remote, sends)
        if not listed:
            raise OllamaFailure("no_model", f"Ollama at {self.host} has no model installed",
                                f"greenroom models pull {preferred[0]}")
        skipped: list[str] = []
        thinking: ModelInfo | None = None
        for entry in _preference_order(listed, preferred):
            name = str(entry.get("model") or entry.get("name"))
            if entry.get("remote_host") or entry.get("remote_model") or is_cloud_name(name):
                skipped.append(f"{name} runs on {entry.get('remote_host') or 'ollama.com'}")
                continue
            caps = entry.get("capabilities")
            if isinstance(caps, list) and "completion" not in caps:
                # The listing says enough: no need to ask about a model that cannot chat.
                skipped.append(f"{name} cannot chat")
                continue
            try:
                info = self.info(name, entry)
            except ollama.ResponseError as exc:
                if exc.status_code != 404:
                    raise
                # Listed but gone by the time it was asked about: removed meanwhile.
                raise OllamaFailure("model_missing",
                                    f"model '{name}' is not installed in Ollama at {self.host}",
                                    f"greenroom models pull {name}") from None
            if info.remote:
                skipped.append(f"{name} runs on {info.remote_host}")
            elif not info.chat:
                skipped.append(f"{name} cannot chat")
            elif info.thinking:
                skipped.append(f"{name} thinks before answering")
                thinking = thinking or info
            else:
                return ModelChoice(info, _why(name, preferred), tuple(skipped))
        if thinking is not None:
            return ModelChoice(thinking, "the only installed chat models think before "
                               "answering; it is given room to think", tuple(skipped))
        raise OllamaFailure(
            "no_model", f"Ollama at {self.host} has no model Greenroom can use here "
            f"({'; '.join(skipped)})", f"greenroom models pull {preferred[0]}")

    def _check_named(self, name: str, listed: list[dict[str, Any]],
                     allow_remote: bool, sends: str) -> ModelChoice:
        entry = _find(listed, name)
        if is_cloud_name(name) or (entry and (entry.get("remote_host")
                                               or entry.get("remote_model"))):
            if not allow_remote:
                raise refuse_remote_model(name, (entry or {}).get("remote_host"), sends)
            if entry is None:
                # An unlisted cloud name is proxied to ollama.com even for /api/show;
                # the user said yes, but nothing is asked that the chat does not need.
                return ModelChoice(ModelInfo(name), "named, and allowed to run off this machine")
        real = str(entry.get("model") or entry.get("name")) if entry else name
        info = self.info(real, entry)  # 404 for a model that is not installed
        if info.remote and not allow_remote:
            raise refuse_remote_model(real, info.remote_host, sends)
        if not info.chat:
            raise OllamaFailure(
                "not_chat_model", f"model '{real}' cannot chat (it can: "
                f"{', '.join(info.capabilities or ()) or 'nothing stated'})", CHAT_MODEL_FIX)
        why = f"set by {MODEL_ENV}" if os.environ.get(MODEL_ENV) == name else "named"
        return ModelChoice(info, why)

    def pick_model(self, override: str | None = None, preferred: Sequence[str] = PREFERRED_MODELS,
                   installed: Sequence[str] | None = None) -> str | None:
        """The name ``choose`` settles on, or None when there is none (no checks raised)."""
        override = override or os.environ.get(MODEL_ENV) or None
        if override:
            return override
        entries = None if installed is None else [{"model": n} for n in installed]
        try:
            return self.choose(preferred=preferred, entries=entries).name
        except OllamaFailure:
            return None

    # -- actions -------------------------------------------------------------------

    def pull(
        self,
        name: str,
        on_progress: Callable[[PullProgress], None] | None = None,
        cancel: threading.Event | None = None,
        read_timeout_s: float = 60.0,
    ) -> bool:
        """Download a model through the server. True when done, False when cancelled.

        Ollama resumes an interrupted pull, so cancelling loses nothing already fetched.
        Raises LLMError with the fix when the server is down or refuses the name.
        """
        try:
            with self.client(read_timeout_s) as client:
                stream = client.pull(name, stream=True)
                try:
                    for part in stream:
                        if on_progress is not None:
                            on_progress(PullProgress(part.status or "", part.completed,
                                                     part.total, part.digest))
                        if cancel is not None and cancel.is_set():
                            return False
                finally:
                    stream.close()  # closing the response tells the server we left
        except ollama.ResponseError as exc:
            raise LLMError(f"Ollama at {self.host} could not pull '{name}': {exc.error}; "
                           "check the name at ollama.com/library") from None
        except (httpx.ConnectError, httpx.ConnectTimeout, ConnectionError) as exc:
            raise LLMError(describe_connection_error(self.host, exc)) from None
        except httpx.HTTPError as exc:
            raise LLMError(f"pulling '{name}' from Ollama at {self.host} broke off "
                           f"({type(exc).__name__}); run the same command again to resume") from None
        return True

    def preload(self, model: str, options: dict[str, Any] | None = None,
                keep_alive: str | None = None) -> threading.Thread:
        """Ask the server to load ``model`` now, on a daemon thread; returns that thread.

        ``options`` must be the ones the chat will send: Ollama reloads a model whose
        runner options (num_ctx above all) differ, which would waste this load.
        ``keep_alive`` None leaves the server's own OLLAMA_KEEP_ALIVE in charge.
        Fire and forget: a failure only means the coaching call pays the load time later.
        """
        def load() -> None:
            try:
                # An empty prompt loads the model without generating anything.
                with self.client(read_timeout_s=120.0) as client:
                    client.generate(model=model, options=options, keep_alive=keep_alive)
            except Exception as exc:  # noqa: BLE001 - a preload failing must never surface
                log.info("preloading %s on %s failed: %s", model, self.host, exc)

        thread = threading.Thread(target=load, name=f"ollama-preload-{model}", daemon=True)
        thread.start()
        return thread


def _find(entries: Sequence[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The listed entry for ``name``, by exact name or by base name (``llama3.2`` is
    listed as ``llama3.2:latest``)."""
    for entry in entries:
        if str(entry.get("model") or entry.get("name")) == name:
            return entry
    for entry in entries:
        if base_name(str(entry.get("model") or entry.get("name"))) == base_name(name):
            return entry
    return None


def _preference_order(entries: Sequence[dict[str, Any]],
                      preferred: Sequence[str]) -> list[dict[str, Any]]:
    """Preferred models first, in preference order, then the rest as listed (newest
    first, the order of /api/tags)."""
    first = [e for want in preferred if (e := _find(entries, want)) is not None]
    seen = {id(e) for e in first}
    return first + [e for e in entries if id(e) not in seen]


def _why(name: str, preferred: Sequence[str]) -> str:
    if base_name(name) in {base_name(p) for p in preferred}:
        return "the first of the preferred models installed"
    return (f"none of {', '.join(preferred)} is installed; the newest installed model that "
            "runs here, can chat and answers without thinking first")


def choose_model(installed: Sequence[str], preferred: Sequence[str] = PREFERRED_MODELS) -> str | None:
    """First preferred model that is installed (``phi3.5`` matches ``phi3.5:latest``), else
    the first listed that is not a cloud model, by name alone (no server asked)."""
    entries = [{"model": n} for n in installed]
    for entry in _preference_order(entries, preferred):
        if not is_cloud_name(str(entry["model"])):
            return str(entry["model"])
    return None


def server_status(host: str | None = None) -> dict[str, Any]:
    """{host, reachable, version, models, entries, error} for the configured server."""
    return OllamaServer(host).status()
