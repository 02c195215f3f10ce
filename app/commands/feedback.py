"""`greenroom feedback`: transcribe and coach a recording, or re-run the LLM on a saved attempt."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app import paths
from app.errors import USER_ERRORS, GreenroomError

# The scripts' loader, the coach and the pipeline (pydantic, NumPy, YAML) are imported by
# the handlers, so registering the command (and `greenroom feedback --help`) needs none.
if TYPE_CHECKING:
    from interview_scripts.script import Question
    from models.answer_pipeline import CoachedAnswer
    from models.coach.feedback_model import Feedback


def _with_llm(question: Question, answer: CoachedAnswer,
              args: argparse.Namespace) -> CoachedAnswer:
    from models.answer_pipeline import add_llm_review
    from models.llm_coach import LLMCoach

    kwargs = {"read_timeout_s": args.llm_timeout} if args.llm_timeout else {}
    coach = LLMCoach(host=args.ollama_host, model=args.llm_model,
                     allow_remote=args.allow_remote_llm or None, **kwargs)
    if not args.json:
        print("Asking the local LLM for feedback…", file=sys.stderr, flush=True)
    return add_llm_review(question, answer, coach)


def _emit(feedback: Feedback, as_json: bool) -> None:
    if as_json:
        print(json.dumps(feedback.to_dict(), indent=2, ensure_ascii=False))
    else:
        from models.coach import render_report

        print(render_report(feedback))


def _question(script_ref: str, question_ref: str) -> Question:
    from interview_scripts.catalogue import find_script

    script = find_script(script_ref, paths.script_folders())
    try:
        return script.question(question_ref)
    except KeyError as exc:
        raise GreenroomError(str(exc.args[0])) from None


def _check_llm_setting(args: argparse.Namespace) -> None:
    """Refuse at once, before any transcribing, when the LLM settings would send the
    answer off this machine without the user's yes; say so plainly when they said yes."""
    from models.ollama_server import check_setting, env_allows_remote

    if not args.llm:
        return
    note = check_setting(args.ollama_host, args.llm_model,
                         args.allow_remote_llm or env_allows_remote())
    if note:
        print(f"greenroom: note: {note}", file=sys.stderr, flush=True)


def coach_recording_command(args: argparse.Namespace) -> int:
    from models.answer_pipeline import coach_recording
    from models.transcriber import load_transcriber

    if not args.script or not args.question:
        raise GreenroomError("feedback AUDIO needs --script and --question (or use --llm-again ID)")
    question = _question(args.script, args.question)
    _check_llm_setting(args)
    transcriber = load_transcriber(args.model, paths.models_dir())
    answer = coach_recording(question, transcriber, path=Path(args.audio))
    if args.llm:
        answer = _with_llm(question, answer, args)
    _emit(answer.feedback, args.json)
    return 0


def llm_again(args: argparse.Namespace) -> int:
    from app.store import Store
    from models.answer_pipeline import CoachedAnswer, ModelsUsed
    from models.transcript import Transcript

    _check_llm_setting(args)
    store = Store()
    attempt = store.get_attempt(args.llm_again)  # StoreError names an unknown id
    if attempt.feedback is None:
        raise GreenroomError(f"attempt {args.llm_again} has no feedback yet to review")
    try:
        question = _question(attempt.script_id, attempt.question_id)
    except USER_ERRORS:
        raise GreenroomError(
            f"attempt {args.llm_again} was for question '{attempt.question_id}' of '{attempt.script_id}', "
            "which no longer exists") from None
    saved = attempt.feedback.without_llm()
    models = ModelsUsed(speech=str(attempt.models.get("speech") or saved.transcript.model or ""))
    transcript = Transcript.from_dict(attempt.transcript or saved.transcript.to_dict())
    answer = _with_llm(question, CoachedAnswer(transcript, saved, models), args)
    store.update_feedback(attempt.id, answer.feedback, {**attempt.models, **answer.models.to_dict()})
    _emit(answer.feedback, args.json)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.llm_again is not None:
        return llm_again(args)
    if not args.audio:
        raise GreenroomError("give an AUDIO file to coach, or --llm-again ID for a saved attempt")
    return coach_recording_command(args)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "feedback", help="transcribe and coach a recording",
        description="Transcribe a recording and coach it against a question: length against "
                    "the time guide, pace, pauses, fillers, structure, key points and timed "
                    "notes, plus a local LLM's review through Ollama when one runs. When the "
                    "LLM is unavailable the built-in feedback is still printed (exit code 0) "
                    "with the reason.")
    p.add_argument("audio", nargs="?", help="the recording (any format FFmpeg/PyAV reads)")
    p.add_argument("--script", "-s", help="bundled script id or path to a YAML script")
    p.add_argument("--question", "-q", help="question id or number")
    p.add_argument("--json", action="store_true", help="print one JSON object (schema: docs/feedback-json.md)")
    p.add_argument("--model", help="speech model (default: the bundled tiny.en)")
    p.add_argument("--llm", action=argparse.BooleanOptionalAction, default=True,
                   help="ask the local LLM too (default: on)")
    p.add_argument("--llm-model", help="Ollama model (default: the first installed of a preference list)")
    p.add_argument("--ollama-host", help="Ollama server (default: OLLAMA_HOST or http://127.0.0.1:11434)")
    p.add_argument("--allow-remote-llm", action="store_true",
                   help="allow sending the answer off this machine: a cloud model or an Ollama "
                        "host elsewhere (default: refused)")
    p.add_argument("--llm-timeout", type=float, metavar="SECONDS",
                   help="give up on the LLM when it is silent this long (default: generous for CPUs)")
    p.add_argument("--llm-again", type=int, metavar="ID",
                   help="re-run the LLM review on saved attempt ID and store it")
    p.set_defaults(handler=run)
