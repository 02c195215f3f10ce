"""`greenroom feedback`: transcribe and coach a recording, or re-run the LLM on a saved attempt."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app import paths
from app.errors import GreenroomError
from interview_scripts.catalogue import find_script


def _llm_pass(question: Any, feedback: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from models.llm_coach import LLMCoach

    kwargs = {"read_timeout_s": args.llm_timeout} if args.llm_timeout else {}
    coach = LLMCoach(host=args.ollama_host, model=args.llm_model, **kwargs)
    if not args.json:
        print("Asking the local LLM for feedback…", file=sys.stderr, flush=True)
    return coach.coach(question, feedback)


def _emit(feedback: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(feedback, indent=2, ensure_ascii=False))
    else:
        from models.coach import render_report

        print(render_report(feedback))


def coach_recording(args: argparse.Namespace) -> int:
    from audio.audio_file import read_audio_16k
    from models.coach import coach_answer
    from models.transcriber import load_transcriber

    if not args.script or not args.question:
        raise GreenroomError("feedback AUDIO needs --script and --question (or use --llm-again ID)")
    script = find_script(args.script, paths.script_folders())
    try:
        question = script.question(args.question)
    except KeyError as exc:
        raise GreenroomError(str(exc.args[0])) from None
    audio = read_audio_16k(args.audio)
    transcript = load_transcriber(args.model).transcribe_file(args.audio)
    feedback = coach_answer(question, transcript, audio)
    if args.llm:
        feedback = _llm_pass(question, feedback, args)
    _emit(feedback, args.json)
    return 0


def llm_again(args: argparse.Namespace) -> int:
    from app.store import Store

    store = Store()
    attempt = store.get_attempt(args.llm_again)  # StoreError names an unknown id
    if not attempt.feedback:
        raise GreenroomError(f"attempt {args.llm_again} has no feedback yet to review")
    script = find_script(attempt.script_id, paths.script_folders())
    try:
        question = script.question(attempt.question_id)
    except KeyError:
        raise GreenroomError(
            f"attempt {args.llm_again} was for question '{attempt.question_id}' of '{attempt.script_id}', "
            "which no longer exists") from None
    deterministic = {**attempt.feedback, "llm": None, "llm_status": None}
    deterministic["notes"] = [n for n in deterministic.get("notes", []) if n.get("source") != "llm"]
    feedback = _llm_pass(question, deterministic, args)
    models_used = dict(attempt.models or {})
    if feedback.get("llm"):
        models_used["llm"] = feedback["llm"].get("model")
    store.update_feedback(attempt.id, feedback, models_used)
    _emit(feedback, args.json)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.llm_again is not None:
        return llm_again(args)
    if not args.audio:
        raise GreenroomError("give an AUDIO file to coach, or --llm-again ID for a saved attempt")
    return coach_recording(args)


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
    p.add_argument("--llm-timeout", type=float, metavar="SECONDS",
                   help="give up on the LLM when it is silent this long (default: generous for CPUs)")
    p.add_argument("--llm-again", type=int, metavar="ID",
                   help="re-run the LLM review on saved attempt ID and store it")
    p.set_defaults(handler=run)
