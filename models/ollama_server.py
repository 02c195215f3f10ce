"""The user's Ollama server: where it is, whether it answers, which model Greenroom uses.

Everything goes through the official ``ollama`` client except ``/api/version``, which
that client has no method for. Every call carries a timeout: a server that hangs must
cost the user seconds, not a frozen report. Proxy settings from the environment are
ignored on purpose: Ollama runs on the user's machine (or one they named) and a
system-wide proxy must never see transcripts.
"""

from __future__ import annotations

import logging
import os
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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

from models.errors import LLMError

log = logging.getLogger(__name__)

DEFAULT_HOST = "http://127.0.0.1:11434"
DEFAULT_PORT = 11434
# Small instruction models that follow a JSON schema well and run on a laptop CPU.
PREFERRED_MODELS: tuple[str, ...] = ("llama3.2:3b", "qwen2.5:3b", "phi3.5")
MODEL_ENV = "GREENROOM_OLLAMA_MODEL"
# How long the model stays loaded after a preload or a coaching run.
KEEP_ALIVE = "10m"

CONNECT_TIMEOUT_S = 3.0
STATUS_TIMEOUT_S = 5.0

START_FIX = "start Ollama (`ollama serve`) or set OLLAMA_HOST to where it runs"


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

    def client(self, read_timeout_s: float | None = None) -> ollama.Client:
        """A client whose every read waits at most ``read_timeout_s`` for the next bytes."""
        read = self.status_timeout_s if read_timeout_s is None else read_timeout_s
        timeout = httpx.Timeout(read, connect=self.connect_timeout_s)
        return ollama.Client(host=self.host, timeout=timeout, trust_env=False)

    # -- read-only queries ---------------------------------------------------------

    def version(self) -> str:
        timeout = httpx.Timeout(self.status_timeout_s, connect=self.connect_timeout_s)
        with httpx.Client(base_url=self.host, timeout=timeout, trust_env=False) as http:
            response = http.get("/api/version")
            response.raise_for_status()
            return str(response.json().get("version", ""))

    def list_models(self) -> list[str]:
        """Installed model names, as /api/tags lists them."""
        with self.client() as client:
            listing = client.list()
        return [m.model for m in listing.models if m.model]

    def context_length(self, model: str) -> int | None:
        """The model's trained context window from /api/show, or None when not stated."""
        with self.client() as client:
            info = client.show(model)
        for key, value in (info.modelinfo or {}).items():
            if key.endswith(".context_length") and isinstance(value, int):
                return value
        return None

    def status(self) -> dict[str, Any]:
        """{host, reachable, version, models, error}: never raises for server trouble."""
        result: dict[str, Any] = {
            "host": self.host, "reachable": False, "version": None, "models": [], "error": None,
        }
        try:
            result["version"] = self.version()
            result["reachable"] = True
            result["models"] = self.list_models()
        except (httpx.HTTPError, ConnectionError, ollama.ResponseError, ValueError) as exc:
            if result["reachable"]:
                result["error"] = f"Ollama at {self.host} answered but listing models failed: {exc}"
            else:
                result["error"] = describe_connection_error(self.host, exc)
        return result

    # -- model choice --------------------------------------------------------------

    def pick_model(
        self,
        override: str | None = None,
        preferred: Sequence[str] = PREFERRED_MODELS,
        installed: Sequence[str] | None = None,
    ) -> str | None:
        """The model Greenroom will use: the override, else the first preferred one that is
        installed, else any installed model, else None."""
        override = override or os.environ.get(MODEL_ENV) or None
        if override:
            return override
        names = list(self.list_models() if installed is None else installed)
        return choose_model(names, preferred)

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

    def preload(self, model: str, keep_alive: str = KEEP_ALIVE) -> threading.Thread:
        """Ask the server to load ``model`` now, on a daemon thread; returns that thread.

        Fire and forget: a failure only means the coaching call pays the load time later.
        """
        def load() -> None:
            try:
                # An empty prompt loads the model without generating anything.
                with self.client(read_timeout_s=120.0) as client:
                    client.generate(model=model, keep_alive=keep_alive)
            except Exception as exc:  # noqa: BLE001 - a preload failing must never surface
                log.info("preloading %s on %s failed: %s", model, self.host, exc)

        thread = threading.Thread(target=load, name=f"ollama-preload-{model}", daemon=True)
        thread.start()
        return thread


def choose_model(installed: Sequence[str], preferred: Sequence[str] = PREFERRED_MODELS) -> str | None:
    """First preferred model that is installed (``phi3.5`` matches ``phi3.5:latest``)."""
    def base(name: str) -> str:
        return name[: -len(":latest")] if name.endswith(":latest") else name

    by_base = {base(n): n for n in installed}
    for want in preferred:
        if want in installed:
            return want
        if base(want) in by_base:
            return by_base[base(want)]
    return installed[0] if installed else None


def server_status(host: str | None = None) -> dict[str, Any]:
    """{host, reachable, version, models, error} for the configured server."""
    return OllamaServer(host).status()
