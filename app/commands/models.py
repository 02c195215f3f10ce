"""``greenroom models``: the local LLM server and its models.

``list`` shows the server, its version, the installed models (which run elsewhere, which
cannot chat, which think first) and which one Greenroom will use and why; ``pull NAME``
downloads a model through the server with a progress bar (Ctrl-C
stops it; running it again resumes).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

# The Ollama client (and httpx under it) is imported by the handlers, so registering the
# command needs neither.
if TYPE_CHECKING:
    from models.ollama_server import OllamaServer, PullProgress

BAR_WIDTH = 30
# The first model Greenroom prefers (models.ollama_server.PREFERRED_MODELS[0]), written out
# for the help; tests/test_cli_startup.py holds them equal.
EXAMPLE_MODEL = "llama3.2:3b"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="the local LLM (Ollama): list and pull models",
                            description="Show the Ollama server and its models, or pull one.")
    parser.add_argument("--host", default=None,
                        help="Ollama server URL (default: OLLAMA_HOST or http://127.0.0.1:11434)")
    actions = parser.add_subparsers(dest="models_command", metavar="ACTION")
    show = actions.add_parser("list", help="server, version, installed models, the one in use")
    show.set_defaults(handler=list_models)
    pull = actions.add_parser("pull", help="download a model through the Ollama server")
    pull.add_argument("name", help=f"model name, e.g. {EXAMPLE_MODEL}")
    pull.set_defaults(handler=pull_model)
    parser.set_defaults(handler=list_models)


def list_models(args: argparse.Namespace, out: TextIO | None = None) -> int:
    import httpx
    import ollama

    from models.errors import LLMError, OllamaFailure
    from models.ollama_server import ALLOW_REMOTE_ENV, OllamaServer, env_allows_remote

    out = out or sys.stdout
    server = OllamaServer(args.host)
    status = server.status()
    if not status["reachable"]:
        raise LLMError(status["error"])
    print(f"server:  {status['host']}", file=out)
    print(f"version: {status['version']}", file=out)
    if status["error"]:
        print(f"models:  unknown ({status['error']})", file=out)
        return 1
    if not server.local:
        print(f"note:    this server is not on this machine; coaching sends answers to it "
              f"only with --allow-remote-llm or {ALLOW_REMOTE_ENV}=1", file=out)
    entries = status["entries"]
    chosen: str | None = None
    try:
        choice = server.choose(allow_remote=env_allows_remote(), entries=entries)
        chosen, why = choice.name, choice.why
    except OllamaFailure as refused:
        why = f"none: {refused.reason}; {refused.fix}"
    except ollama.ResponseError as exc:
        why = f"none: {exc.error}"
    except (LLMError, httpx.HTTPError, ConnectionError) as exc:
        why = f"none: {exc}"
    if not entries:
        print("models:  none installed", file=out)
    else:
        print("models:", file=out)
        for entry in entries:
            name = str(entry.get("model") or entry.get("name"))
            note = _note(server, entry)
            print(f"  {'*' if name == chosen else ' '} {name}{f'  ({note})' if note else ''}",
                  file=out)
    if chosen is None:
        print(f"in use:  {why}", file=out)
    else:
        print(f"in use:  {chosen} ({why})", file=out)
    return 0


def _note(server: OllamaServer, entry: dict[str, Any]) -> str:
    """Why a listed model is or is not usable, from what the listing says; where it states
    no capabilities (every Ollama before 0.30.0), from /api/show. Nothing is asked of a
    cloud model."""
    from models.ollama_server import ModelInfo

    info = ModelInfo(str(entry.get("model") or entry.get("name")),
                     remote_host=entry.get("remote_host") or None,
                     capabilities=tuple(entry["capabilities"])
                     if isinstance(entry.get("capabilities"), list) else None,
                     family=str((entry.get("details") or {}).get("family") or ""))
    if info.capabilities is None and not info.remote:
        try:
            info = server.info(info.name, entry)
        except Exception:  # noqa: BLE001 - a note is only a note
            return ""
    return info.describe()


def progress_line(progress: PullProgress) -> str:
    fraction = progress.fraction
    if fraction is None:
        return progress.status
    filled = int(BAR_WIDTH * fraction)
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    done_mb = (progress.completed or 0) / 1e6
    total_mb = (progress.total or 0) / 1e6
    return f"[{bar}] {fraction * 100:5.1f}%  {done_mb:,.0f}/{total_mb:,.0f} MB  {progress.status}"


def pull_model(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from models.ollama_server import OllamaServer

    out = out or sys.stderr
    server = OllamaServer(args.host)
    width = 0

    def show(progress: PullProgress) -> None:
        nonlocal width
        line = progress_line(progress)
        # Redraw one line in place; pad to wipe a longer previous line.
        out.write("\r" + line.ljust(width))
        out.flush()
        width = max(width, len(line))

    try:
        server.pull(args.name, on_progress=show)
    except KeyboardInterrupt:
        out.write("\n")
        print(f"greenroom: pull of '{args.name}' stopped; run the same command to resume",
              file=out)
        return 130
    out.write("\n")
    print(f"pulled {args.name} into Ollama at {server.host}", file=out)
    return 0
