"""The ``greenroom`` command.

With no arguments it opens the desktop app. Sub-commands are registered by the modules
in ``app.commands``; each handler returns an exit code. Expected failures (an error in
one of ``app.errors.USER_ERRORS``) are printed as one line, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from app import __version__
from app.errors import USER_ERRORS

# Each module registers its own sub-command(s); a module that is not there yet is skipped
# so the CLI stays usable while parts are built.
COMMAND_MODULES = (
    "app.commands.scripts",
    "app.commands.sessions",
    "app.commands.progress",
    "app.commands.transcribe",
    "app.commands.speech_models",
    "app.commands.practice",
    "app.commands.feedback",
    "app.commands.models",
    "app.commands.doctor",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="greenroom",
        description="Rehearse job interviews out loud, offline. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"greenroom {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def open_app() -> int:
    from app.ui import launch  # Qt is imported only when the window is wanted

    return launch.main()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if not args.command:
            return open_app()
        return int(args.handler(args) or 0)
    except USER_ERRORS as exc:
        if str(exc):  # an empty message was already shown where it happened
            print(f"greenroom: {exc}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 1))
    except KeyboardInterrupt:
        print("greenroom: interrupted", file=sys.stderr)
        return 130
