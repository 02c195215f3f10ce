"""`greenroom doctor`: is everything Greenroom needs in place, and how to fix what is not."""

from __future__ import annotations

import argparse

from app.doctor import run_checks

MARKS = {"ok": "OK     ", "warning": "WARNING", "problem": "PROBLEM"}


def run(args: argparse.Namespace) -> int:
    checks = run_checks()
    for check in checks:
        print(f"{MARKS[check.status]}  {check.name}: {check.detail}")
        if check.fix and not check.ok:
            print(f"         fix: {check.fix}")
    return 1 if any(c.status == "problem" for c in checks) else 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "doctor", help="check Python, system packages, audio, voice, speech model and Ollama",
        description="Check everything Greenroom needs and say how to fix what is missing. "
                    "Exits 1 when a required part is missing (Ollama is optional).")
    p.set_defaults(handler=run)
