"""``greenroom models``: the local LLM server and its models.

``list`` shows the server, its version, the installed models and which one Greenroom
will use; ``pull NAME`` downloads a model through the server with a progress bar (Ctrl-C
stops it; running it again resumes).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from models.errors import LLMError
from models.ollama_server import MODEL_ENV, PREFERRED_MODELS, OllamaServer, PullProgress

BAR_WIDTH = 30


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="the local LLM (Ollama): list and pull models",
                            description="Show the Ollama server and its models, or pull one.")
    parser.add_argument("--host", default=None,
                        help="Ollama server URL (default: OLLAMA_HOST or http://127.0.0.1:11434)")
    actions = parser.add_subparsers(dest="models_command", metavar="ACTION")
    show = actions.add_parser("list", help="server, version, installed models, the one in use")
    show.set_defaults(handler=list_models)
    pull = actions.add_parser("pull", help="download a model through the Ollama server")
    pull.add_argument("name", help=f"model name, e.g. {PREFERRED_MODELS[0]}")
    pull.set_defaults(handler=pull_model)
    parser.set_defaults(handler=list_models)


def list_models(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    server = OllamaServer(args.host)
    status = server.status()
    if not status["reachable"]:
        raise LLMError(status["error"])
    print(f"server:  {status['host']}", file=out)
    print(f"version: {status['version']}", file=out)
    models = status["models"]
    if status["error"]:
        print(f"models:  unknown ({status['error']})", file=out)
        return 1
    chosen = server.pick_model(installed=models)
    if not models:
        print("models:  none installed", file=out)
    else:
        print("models:", file=out)
        for name in models:
            print(f"  {'*' if name == chosen else ' '} {name}", file=out)
    override = os.environ.get(MODEL_ENV)
    if chosen is None:
        print(f"in use:  none; run `greenroom models pull {PREFERRED_MODELS[0]}`", file=out)
    elif override:
        installed = "installed" if chosen in models else \
            f"not installed: run `greenroom models pull {chosen}`"
        print(f"in use:  {chosen} (set by {MODEL_ENV}, {installed})", file=out)
    elif chosen.removesuffix(":latest") in PREFERRED_MODELS or chosen in PREFERRED_MODELS:
        print(f"in use:  {chosen} (first of the preferred models installed)", file=out)
    else:
        print(f"in use:  {chosen} (none of {', '.join(PREFERRED_MODELS)} installed; "
              "using the first model listed)", file=out)
    return 0


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
