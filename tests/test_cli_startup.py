"""The command starts quickly: ``--version`` and ``--help`` import no command module and none
of the heavy libraries, the listings read summaries without the coach, and the help the
top level shows without importing a module is the help that module registers."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.store import Store
from tests.coach_helpers import sample_feedback

ROOT = Path(__file__).resolve().parents[1]
# Seconds of import each would add to a command that prints one line.
HEAVY = ("faster_whisper", "ctranslate2", "ollama", "PySide6", "httpx", "numpy", "pydantic")
# What the start-up of a listing may not bring: speech, the LLM client, Qt, the coach's
# NumPy. (pydantic-core's encoder writes the long JSON; pydantic itself stays out.)
NOT_FOR_LISTINGS = ("faster_whisper", "ctranslate2", "ollama", "PySide6", "httpx", "numpy",
                    "pydantic", "models.coach")

PROBE = """
import json, sys
from app.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported_by(*argv: str) -> tuple[set[str], str]:
    """Modules a fresh ``python -X importtime -m app ARGV`` imports, by its import-time
    list, and what it printed."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "app", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:") and "|" in line}
    assert "app.cli" in names, "the import-time list was not read"
    return names, done.stdout


def modules_after(*argv: str) -> set[str]:
    """``sys.modules`` of a fresh process once ``main(ARGV)`` has returned."""
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    result = json.loads(done.stderr.strip().splitlines()[-1])
    assert result["code"] in (0, None), done.stderr[-2000:]
    return set(result["modules"])


def loaded(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_no_heavy_library_nor_command_module(flag: str) -> None:
    names, out = imported_by(flag)
    assert loaded(names, HEAVY) == []
    assert loaded(names, ("app.commands", "app.store", "app.ui", "models.coach")) == []
    assert loaded(modules_after(flag), HEAVY) == []
    if flag == "--version":
        assert out.startswith("greenroom ")
    else:  # every command is listed with its help, as before
        for command in cli.COMMANDS:
            assert command.name in out


def test_a_listing_over_saved_attempts_reads_summaries_without_the_coach() -> None:
    store = Store()
    session = store.create_session("incident-leadership", "Incident leadership")
    attempt = store.start_attempt(session, "incident-leadership", "incident",
                                  "Tell me about a production incident you led.", None)
    store.finish_attempt(attempt, 31.0, None, sample_feedback(), {})

    for argv in (("sessions", "list", "--json"), ("progress", "--json")):
        names, out = imported_by(*argv)
        assert loaded(names, NOT_FOR_LISTINGS) == [], argv
        assert loaded(modules_after(*argv), NOT_FOR_LISTINGS) == [], argv
        assert out.strip().startswith("[")
    names, out = imported_by("progress", "--json")
    figures = json.loads(out)[0]["attempts"][0]
    assert figures["attempt_id"] == attempt and figures["coached"] is True
    assert figures["key_points_total"] == 5


def test_a_command_imports_its_own_module_only() -> None:
    # `importlib.import_module` is not in the import-time list; sys.modules sees it.
    names = modules_after("doctor", "--help")
    assert loaded(names, ("app.commands",)) == ["app.commands", "app.commands.doctor"]
    _, out = imported_by("doctor", "--help")
    assert out.startswith("usage: greenroom doctor")


@pytest.mark.parametrize("command", ["sessions", "progress", "transcribe", "speech-models",
                                     "feedback", "models", "doctor"])
def test_a_commands_help_imports_none_of_what_its_handlers_use(command: str) -> None:
    """Registering a command builds its parser only; the libraries its handlers need are
    imported when one runs."""
    assert loaded(modules_after(command, "--help"), NOT_FOR_LISTINGS + ("yaml",)) == []


def registered(module_name: str) -> dict[str, str]:
    """The top-level commands ``module_name`` registers, with their help."""
    parser = argparse.ArgumentParser(prog="greenroom")
    sub = parser.add_subparsers(dest="command")
    __import__(module_name, fromlist=["register"]).register(sub)
    return {action.dest: action.help or "" for action in sub._choices_actions}


def test_the_top_level_help_is_what_each_module_registers() -> None:
    """``--help`` is drawn from ``cli.COMMANDS`` without importing the modules; a command a
    module adds, renames or rewords must be written there too."""
    table = {c.name: c.help for c in cli.COMMANDS}
    for command in cli.COMMANDS:
        found = registered(command.module)
        assert found.get(command.name) == command.help, command
        for name, help_ in found.items():  # what it registers besides is listed as it says
            assert table.get(name) == help_, (command.module, name)
    everything: dict[str, str] = {}
    for module_name in cli.COMMAND_MODULES:
        everything |= registered(module_name)
    assert everything == table


def test_a_name_the_table_does_not_know_is_refused_with_every_command() -> None:
    parser = cli.build_parser("no-such-command")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == {c.name for c in cli.COMMANDS}
    with pytest.raises(SystemExit) as exit_:
        cli.main(["no-such-command"])
    assert exit_.value.code == 2


def test_only_the_asked_commands_module_is_registered_in_full() -> None:
    parser = cli.build_parser("sessions")
    args = parser.parse_args(["sessions", "list", "--json"])
    assert args.handler.__module__ == "app.commands.sessions" and args.json is True
    args = parser.parse_args(["doctor"])  # listed by name only: no handler of its own
    assert not hasattr(args, "handler")


def test_command_named_skips_the_top_level_options() -> None:
    assert cli.command_named(["--version"]) is None
    assert cli.command_named(["-h", "progress"]) == "progress"
    assert cli.command_named(["progress", "--json"]) == "progress"
    assert cli.command_named(["--", "progress"]) is None
    assert cli.command_named([]) is None


def test_sessions_export_offers_the_formats_export_writes() -> None:
    from app import export
    from app.commands import sessions

    assert sessions.EXPORT_FORMATS == export.FORMATS


def test_models_help_names_the_model_greenroom_prefers_first() -> None:
    from app.commands import models
    from models.ollama_server import PREFERRED_MODELS

    assert PREFERRED_MODELS[0] == models.EXAMPLE_MODEL


def test_progress_json_text_is_what_json_dumps_indents() -> None:
    from app.commands.progress import json_text

    data = [{"a": 1, "b": [1.5, None, True, "é —"], "c": {"d": []}, "e": {}}]
    assert json_text(data) == json.dumps(data, ensure_ascii=False, indent=2)
    assert json.loads(json_text([{"x": 1e-05, "y": 2.5e300}])) == [{"x": 1e-05, "y": 2.5e300}]
