"""The ``greenroom`` command.

With no arguments it opens the desktop app. Sub-commands are registered by the modules
in ``app.commands``; each handler returns an exit code. Expected failures (an error in
one of ``app.errors.USER_ERRORS``) are printed as one line, never as a traceback.

Start-up is kept short: a command module imports what its commands need (the store, the
coach, NumPy, pydantic), so only the module of the command asked for is imported.
``--version`` and ``--help`` import none of them: the top-level help is drawn from
``COMMANDS``, which ``tests/test_cli_startup.py`` checks against what the modules register.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from app import __version__
from app.errors import USER_ERRORS


@dataclass(frozen=True)
class Command:
    """A top-level command: its name, the module that registers it, its one-line help."""

    name: str
    module: str
    help: str


# In the order `greenroom --help` lists them. The help is the module's own (the test holds
# them equal), written here so the list needs no module imported.
COMMANDS = (
    Command("scripts", "app.commands.scripts", "list, show, check and import interview scripts"),
    Command("sessions", "app.commands.sessions",
            "list, show, rename, export, delete or recover saved practice sessions"),
    Command("progress", "app.commands.progress",
            "each question's attempts in order, with their figures"),
    Command("transcribe", "app.commands.transcribe",
            "transcribe an audio file (any common format) offline"),
    Command("speech-models", "app.commands.speech_models",
            "list or download speech-to-text models"),
    Command("practice", "app.commands.practice", "rehearse an interview"),
    Command("demo", "app.commands.practice", "the whole loop with no microphone"),
    Command("feedback", "app.commands.feedback", "transcribe and coach a recording"),
    Command("models", "app.commands.models", "the local LLM (Ollama): list and pull models"),
    Command("doctor", "app.commands.doctor",
            "check Python, system packages, audio, voice, speech model and Ollama"),
)

# Every module that registers commands, once each (the layering test reads this list).
COMMAND_MODULES = tuple(dict.fromkeys(command.module for command in COMMANDS))


def _register(sub: argparse._SubParsersAction, module_name: str) -> None:  # type: ignore[type-arg]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:  # a module not there yet is skipped; the CLI still works
            return
        raise
    module.register(sub)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with ``command``'s module registered in full. The other commands are
    listed by name and help only, so ``--help`` and ``--version`` import no command module.
    A name ``COMMANDS`` does not know registers every module, so a command added to a
    module before this table still runs (and a typo is refused with the full list)."""
    parser = argparse.ArgumentParser(
        prog="greenroom",
        description="Rehearse job interviews out loud, offline. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"greenroom {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    known = {c.name: c.module for c in COMMANDS}
    if command is None:
        wanted: tuple[str, ...] = ()
    elif command in known:
        wanted = (known[command],)
    else:
        wanted = COMMAND_MODULES
    for module_name in wanted:
        _register(sub, module_name)
    for c in COMMANDS:
        # A module tried and not there yet leaves its commands out, as before.
        if c.name not in sub.choices and c.module not in wanted:
            sub.add_parser(c.name, help=c.help)
    return parser


def command_named(argv: Sequence[str]) -> str | None:
    """The command in ``argv``: its first word that is not an option (the top level has only
    options without values: ``--version``, ``--help``)."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


def open_app() -> int:
    from app.ui import launch  # Qt is imported only when the window is wanted

    return launch.main()


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(command_named(words)).parse_args(words)
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
