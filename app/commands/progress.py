"""``greenroom progress``: each question's attempts in order, with their figures; or, with
``--by-session``, each interview's practice sessions, what the Progress tab charts."""

from __future__ import annotations

import argparse
from typing import Any

from app.progress import (
    QuestionProgress,
    interview_sessions,
    interviews_json,
    load_progress,
    progress_json,
    script_titles,
)
from app.store import Store
from interview_scripts.time_guide import format_clock


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "progress", help="each question's attempts in order, with their figures",
        description="Every practised question with its attempts oldest first: length against "
                    "the guide, speaking time, words per minute, fillers, pauses, key points. "
                    "With --by-session, each interview's practice sessions instead, their "
                    "answers taken together.")
    parser.add_argument("--script", metavar="S", help="only questions of this script id")
    parser.add_argument("--question", metavar="Q", help="only this question id")
    parser.add_argument("--by-session", action="store_true",
                        help="one row per practice session of each interview: answers within "
                             "their guide, pace and fillers over the session, key points covered")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=progress_command)


def json_text(data: Any) -> str:
    """``data`` as JSON indented by two, as ``json.dumps(data, ensure_ascii=False,
    indent=2)`` writes it (floats may be spelled differently, same values). pydantic-core's
    encoder does it: Python's own encoder drops to pure Python when it indents, and over
    2,000 attempts that was a third of the command's time."""
    from pydantic_core import to_json

    return to_json(data, indent=2).decode("utf-8")


def _row(number: int, figures: dict[str, Any]) -> str:
    # Imported here: the coach package brings NumPy, which `--json` does without.
    from models.coach.length import verdict_words

    when = figures["started_at"][:16].replace("T", " ")
    if not figures["coached"]:
        length = format_clock(figures["duration_s"]) if figures["duration_s"] else "—"
        return f"{number:>3}  {when}  {length:>6}  not coached ({figures['status']})"
    wpm = f"{figures['wpm']:.0f}" if figures["wpm"] is not None else "—"
    fillers = f"{figures['fillers_per_min']:.1f}" if figures["fillers_per_min"] is not None else "—"
    points = (f"{figures['key_points_covered']}/{figures['key_points_total']}"
              if figures["key_points_total"] else "—")
    verdict = verdict_words(figures["length_verdict"])
    return (f"{number:>3}  {when}  {format_clock(figures['speaking_s']):>6}  {verdict:<12}  "
            f"{wpm:>4}  {fillers:>7}  {figures['pauses']:>6}  {points:>6}")


def _nothing(args: argparse.Namespace) -> None:
    print("Nothing practised yet" + (" for that question" if args.script or args.question else "")
          + "; practise with `greenroom practice --script ID`.")


def _print_sessions(progress: list[QuestionProgress], titles: dict[str, str]) -> None:
    scripts: dict[str, list[QuestionProgress]] = {}
    for question in progress:
        scripts.setdefault(question.script_id, []).append(question)
    for script_id, questions in scripts.items():
        print(f"{titles.get(script_id, script_id)}  [{script_id}]")
        print("  #  DATE              ANSWERS  WITHIN GUIDE   WPM  FILL/MIN  KEY POINTS")
        for number, s in enumerate(interview_sessions(questions), start=1):
            when = s.started_at[:16].replace("T", " ")
            if not s.answers:
                print(f"{number:>3}  {when}  {0:>7}  not coached ({s.uncoached} answer(s))")
                continue
            within = f"{s.within} of {s.judged}" if s.judged else "no guide"
            wpm = f"{s.wpm:.0f}" if s.wpm is not None else "—"
            fillers = f"{s.fillers_per_min:.1f}" if s.fillers_per_min is not None else "—"
            points = (f"{s.key_points_covered}/{s.key_points_listed}" if s.key_points_listed
                      else "—")
            print(f"{number:>3}  {when}  {s.answers:>7}  {within:>12}  {wpm:>4}  {fillers:>8}  "
                  f"{points:>10}")
        print()


def progress_command(args: argparse.Namespace) -> int:
    store = Store()
    progress = load_progress(store, script_id=args.script, question_id=args.question)
    if args.by_session:
        if args.json:
            print(json_text(interviews_json(progress)))
        elif not progress:
            _nothing(args)
        else:
            _print_sessions(progress, script_titles(store))
        return 0
    data = progress_json(progress)
    if args.json:
        print(json_text(data))
        return 0
    if not data:
        _nothing(args)
        return 0
    for question in data:
        print(f"{question['question_text']}  [{question['script_id']} / {question['question_id']}]")
        print("  #  DATE              SPEAK  LENGTH         WPM  FILL/MIN  PAUSES  POINTS")
        for number, figures in enumerate(question["attempts"], start=1):
            print(_row(number, figures))
        print()
    return 0
