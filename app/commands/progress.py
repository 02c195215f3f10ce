"""``greenroom progress``: each question's attempts in order, with their figures."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.progress import load_progress, progress_json
from app.store import Store
from interview_scripts.time_guide import format_clock


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "progress", help="each question's attempts in order, with their figures",
        description="Every practised question with its attempts oldest first: length against "
                    "the guide, speaking time, words per minute, fillers, pauses, key points.")
    parser.add_argument("--script", metavar="S", help="only questions of this script id")
    parser.add_argument("--question", metavar="Q", help="only this question id")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=progress_command)


def _row(number: int, figures: dict[str, Any]) -> str:
    when = figures["started_at"][:16].replace("T", " ")
    if not figures["coached"]:
        length = format_clock(figures["duration_s"]) if figures["duration_s"] else "—"
        return f"{number:>3}  {when}  {length:>6}  not coached ({figures['status']})"
    wpm = f"{figures['wpm']:.0f}" if figures["wpm"] is not None else "—"
    fillers = f"{figures['fillers_per_min']:.1f}" if figures["fillers_per_min"] is not None else "—"
    points = (f"{figures['key_points_covered']}/{figures['key_points_total']}"
              if figures["key_points_total"] else "—")
    verdict = {"no_guide": "no guide"}.get(figures["length_verdict"], figures["length_verdict"])
    return (f"{number:>3}  {when}  {format_clock(figures['speaking_s']):>6}  {verdict:<8}  "
            f"{wpm:>4}  {fillers:>7}  {figures['pauses']:>6}  {points:>6}")


def progress_command(args: argparse.Namespace) -> int:
    data = progress_json(load_progress(Store(), script_id=args.script, question_id=args.question))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if not data:
        print("Nothing practised yet" + (" for that question" if args.script or args.question else "")
              + "; practise with `greenroom practice --script ID`.")
        return 0
    for question in data:
        print(f"{question['question_text']}  [{question['script_id']} / {question['question_id']}]")
        print("  #  DATE              SPEAK  LENGTH     WPM  FILL/MIN  PAUSES  POINTS")
        for number, figures in enumerate(question["attempts"], start=1):
            print(_row(number, figures))
        print()
    return 0
