"""``greenroom sessions``: list, show, rename, export, delete and recover saved practice
sessions."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.store import AttemptBrief, DiskUse, SessionRow, Store, format_size
from app.summary import AttemptSummary
from interview_scripts.time_guide import format_clock

AddCommand = Callable[[Any], None]

# `app.export` (and the coach's wording in `models.coach.length`) bring pydantic and NumPy;
# they are imported by the actions that use them, so listing sessions starts quickly. The
# formats are written out for the parser; tests/test_cli_startup.py holds them equal to
# `app.export.FORMATS`.
EXPORT_FORMATS = ("md", "html", "pdf")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sessions", help="list, show, rename, export, delete or recover saved practice sessions",
        description="Saved practice sessions: each holds the attempts (answers) made in it.",
    )
    parser.set_defaults(handler=list_command)  # `greenroom sessions` alone lists them
    actions = parser.add_subparsers(dest="sessions_command", metavar="ACTION")
    for add in SUBCOMMANDS:
        add(actions)


def _add_list(actions: Any) -> None:
    parser = actions.add_parser(
        "list", help="every session, most recent first, with the disk its recordings use",
        description="Every saved session, most recent first: its name (the interview's title "
                    "unless you renamed it), attempts and the disk its recordings use, then "
                    "the total.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=list_command)


def _add_show(actions: Any) -> None:
    parser = actions.add_parser("show", help="the attempts of one session")
    parser.add_argument("id", type=int, help="session id (from `greenroom sessions list`)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=show_command)


def _add_delete(actions: Any) -> None:
    parser = actions.add_parser("delete", help="delete a session, its attempts and recordings")
    parser.add_argument("id", type=int, help="session id (from `greenroom sessions list`)")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(handler=delete_command)


def _add_rename(actions: Any) -> None:
    parser = actions.add_parser(
        "rename", help="give a session a name of your own",
        description="Name a session (lists show the name instead of the interview's title); "
                    "an empty name ('') shows the title again.")
    parser.add_argument("id", type=int, help="session id (from `greenroom sessions list`)")
    parser.add_argument("name", help="the new name; '' to clear it")
    parser.set_defaults(handler=rename_command)


def _add_export(actions: Any) -> None:
    parser = actions.add_parser(
        "export", help="write a session as Markdown, HTML or PDF",
        description="Each question with its verdicts, the timeline as a picture, key points with "
                    "what you said, notes with their times, the local LLM's review when there is "
                    "one, and the transcript.")
    parser.add_argument("id", type=int, help="session id (from `greenroom sessions list`)")
    parser.add_argument("--format", choices=EXPORT_FORMATS,
                        help="md, html or pdf (default: from the file name's suffix, else md)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="where to write it (default: session-ID.FORMAT here; '-' prints md "
                             "or html)")
    parser.add_argument("--no-transcript", action="store_true", help="leave the transcripts out")
    parser.set_defaults(handler=export_command)


# Each entry adds one action under `greenroom sessions`; new actions (e.g. `recover`)
# append their own add function here.
SUBCOMMANDS: list[AddCommand] = [_add_list, _add_show, _add_rename, _add_delete, _add_export]


def local_time(row: SessionRow | AttemptBrief) -> str:
    return row.started.astimezone().strftime("%Y-%m-%d %H:%M")


def session_json(session: SessionRow, disk: DiskUse | None = None) -> dict[str, Any]:
    """A session as JSON; ``name`` is null unless the user named it."""
    data = {"id": session.id, "script_id": session.script_id, "script_title": session.script_title,
            "name": session.name, "started_at": session.started_at, "ended_at": session.ended_at,
            "attempt_count": session.attempt_count}
    if disk is not None:
        data.update(recordings_bytes=disk.size_bytes, recordings_files=disk.files)
    return data


def session_label(session: SessionRow) -> str:
    """The name with the interview's title after it, or the title alone."""
    return f"{session.name} ({session.script_title})" if session.name else session.script_title


def list_command(args: argparse.Namespace) -> int:
    store = Store()
    sessions = store.list_sessions()
    usage = store.recordings_usage()
    if getattr(args, "json", False):
        print(json.dumps([session_json(s, usage.of_session(s.id)) for s in sessions],
                         ensure_ascii=False, indent=2))
        return 0
    if not sessions:
        print("No saved sessions yet; practise with `greenroom practice --script ID`.")
        return 0
    id_width = max(2, *(len(str(s.id)) for s in sessions))
    print(f"{'ID':>{id_width}}  {'DATE':<16}  {'ATTEMPTS':>8}  {'DISK':>7}  INTERVIEW")
    for s in sessions:
        disk = format_size(usage.of_session(s.id).size_bytes)
        print(f"{s.id:>{id_width}}  {local_time(s):<16}  {s.attempt_count:>8}  {disk:>7}  "
              f"{session_label(s)}")
    print(f"Recordings use {usage.total.describe()}.")
    return 0


def rename_command(args: argparse.Namespace) -> int:
    store = Store()
    store.rename_session(args.id, args.name)
    session = store.get_session(args.id)
    if session.name:
        print(f"Session {session.id} is now called {session.name!r}.")
    else:
        print(f"Session {session.id} has no name of its own; lists show {session.script_title!r}.")
    return 0


def _length_line(attempt: AttemptBrief) -> str:
    from models.coach.length import length_line

    summary = attempt.summary
    if summary is not None:
        return length_line(summary.speaking_s, summary.verdict, summary.delta_s, summary.guide_text)
    if attempt.duration_s is not None:
        return f"{format_clock(attempt.duration_s)} recorded, not coached"
    return "not measured"


def key_points_summary(summary: AttemptSummary | None) -> str | None:
    """'2 of 3' (plus partial ones) from the coach's key points, or None without any."""
    if summary is None or not summary.key_points:
        return None
    text = f"{summary.covered} of {len(summary.key_points)}"
    later = sum(1 for p in summary.key_points if p.in_follow_up)
    extra = [f"{summary.partial} partly" if summary.partial else "",
             f"{later} in the follow-up" if later else ""]
    more = ", ".join(e for e in extra if e)
    return f"{text} ({more})" if more else text


def show_command(args: argparse.Namespace) -> int:
    store = Store()
    session = store.get_session(args.id)
    attempts = store.list_briefs(session_id=session.id, oldest_first=True)  # in the order asked
    if args.json:
        from app.progress import attempt_figures

        rows = [{"question_id": a.question_id, "question_text": a.question_text,
                 "script_id": a.script_id, "audio_path": str(a.audio_path) if a.audio_path else None,
                 **attempt_figures(a)} for a in attempts]
        print(json.dumps({**session_json(session), "attempts": rows}, ensure_ascii=False, indent=2))
        return 0
    print(f"Session {session.id}: {session_label(session)} ({session.script_id}), "
          f"{local_time(session)}, {len(attempts)} attempt(s)")
    number = 0
    for attempt in attempts:
        status = "" if attempt.status == "complete" else f" [{attempt.status}]"
        # A follow-up's reply is shown under the answer it follows up: one thread.
        if attempt.is_follow_up:
            indent = "      "
            who = " (from the local LLM)" if attempt.asked_by == "llm" else ""
            print(f"\n   ↳ Follow-up{who}: {attempt.question_text}{status}")
            if attempt.ask_reason:
                print(f"{indent}{attempt.ask_reason}")
        else:
            number += 1
            indent = "   "
            label = "Closing question: " if attempt.asked_by == "interviewer" else ""
            print(f"\n{number}. {label}{attempt.question_text}{status}")
        print(f"{indent}length: {_length_line(attempt)}")
        if attempt.stop_reason:
            print(f"{indent}stopped: {STOP_WORDS.get(attempt.stop_reason, attempt.stop_reason)}")
        points = key_points_summary(attempt.summary)
        if points is not None:
            print(f"{indent}key points covered: {points}")
        print(f"{indent}audio: {attempt.audio_path or 'none'}")
    return 0


# How ``sessions show`` words each stop reason (app/conversation.py STOP_REASONS).
STOP_WORDS = {"candidate": "by you", "silence": "after a silence",
              "interrupted": "the interviewer cut in (the answer ran well past its guide)",
              "max_length": "at the length limit", "device": "the microphone went away",
              "cancelled": "cancelled (what was said is kept)", "end_of_input": "the input ended",
              "disk": "the disk stopped taking the recording (what was written is kept)"}


def export_command(args: argparse.Namespace) -> int:
    from app import export

    transcript = not args.no_transcript
    if args.output is not None and str(args.output) == "-":
        sys.stdout.write(export.session_text(Store(), args.id, args.format, transcript))
        return 0
    output = args.output or Path(os.getcwd()) / f"session-{args.id}.{args.format or 'md'}"
    written = export.export_session(Store(), args.id, output, args.format, transcript)
    print(f"Wrote {written}")
    return 0


def _confirm(prompt: str) -> bool:
    try:
        answer = input(prompt)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def delete_command(args: argparse.Namespace) -> int:
    store = Store()
    session = store.get_session(args.id)
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"greenroom: not deleting session {session.id} without confirmation; "
                  "add --yes to delete it non-interactively", file=sys.stderr)
            return 2
        question = (f"Delete session {session.id} ({session_label(session)}, "
                    f"{session.attempt_count} attempt(s) and their recordings)? [y/N] ")
        if not _confirm(question):
            print("Nothing deleted.")
            return 1
    removed = store.delete_session(session.id)
    print(f"Deleted session {session.id} and {len(removed)} recording(s).")
    return 0


def _add_recover(actions: Any) -> None:
    parser = actions.add_parser(
        "recover", help="repair recordings cut off by a crash and finish every answer left unfinished",
        description="Find recordings that were cut off (crash, power cut, killed process), "
                    "repair their WAV headers, mark their attempts as recovered and coach them; "
                    "then finish every answer a crash or a quit left between two stages: "
                    "refine the ones with only the instant feedback and review the refined ones "
                    "with the local LLM (what starting Greenroom also does).")
    parser.add_argument("--no-coach", action="store_true",
                        help="repair only; do not transcribe, coach or finish answers")
    parser.add_argument("--no-llm", action="store_true",
                        help="finish answers without the local LLM's review")
    parser.set_defaults(handler=_recover)


def _recover(args: Any) -> int:
    from app.recovery import FinishedAttempt, finish_unfinished, recover_all

    finished: list[FinishedAttempt] = []
    if args.no_coach:
        results = recover_all(coach=False)
    else:
        review = None
        if not getattr(args, "no_llm", False):
            from models.llm_coach import LLMCoach

            review = LLMCoach()
        outcome = finish_unfinished(review=review)
        results, finished = outcome.recovered, outcome.attempts
    if not results and not finished:
        print("No cut-off recordings or unfinished answers found.")
        return 0
    failed = _print_finished(finished)
    for r in results:
        if r.problem and not r.duration_s:
            failed += 1
            print(f"could not repair {r.path.name}: {r.problem}")
            continue
        owner = f"attempt {r.attempt_id}" if r.attempt_id else "no saved attempt"
        if r.coached:
            extra = " and coached"
        elif r.problem:
            # Not finished (a disk still full, a question gone): said, and the exit status
            # tells a script the answer is not kept yet.
            failed += 1
            extra = f" ({r.problem})"
        elif r.attempt_id and not args.no_coach:
            extra = " (already saved by the window that recorded it)"
        else:
            extra = ""
        print(f"recovered {r.path.name}: {r.duration_s:.1f} s, {owner}{extra}")
    return 1 if failed else 0


STAGE_WORDS = {"recorded": "recorded", "live_coached": "instant feedback",
               "refined": "refined", "reviewed": "done"}


def _print_finished(finished: list[Any]) -> int:
    """One line per answer taken on from the stage it was left at; the number left
    unfinished."""
    failed = 0
    for a in finished:
        if a.problem:
            failed += 1
            print(f"attempt {a.attempt_id}: left at {STAGE_WORDS.get(a.was, a.was)} ({a.problem})")
        else:
            print(f"attempt {a.attempt_id}: finished, {STAGE_WORDS.get(a.was, a.was)} → "
                  f"{STAGE_WORDS.get(a.reached, a.reached)}")
    return failed


SUBCOMMANDS.append(_add_recover)
