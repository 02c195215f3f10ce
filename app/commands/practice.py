"""`greenroom practice --no-gui` and `greenroom demo`: the practice flow in a terminal."""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from app import paths
from app.errors import GreenroomError
from app.practice import Phase, PracticeListener, PracticeSession, PracticeSettings
from interview_scripts.catalogue import find_script
from interview_scripts.script import Question
from interview_scripts.time_guide import format_clock
from models.coach.feedback_model import Feedback
from models.transcript import Transcript

DEMO_SCRIPT = "it-manager"


class AlreadyReported(GreenroomError):
    """A failure whose message the terminal listener has already printed."""

    def __init__(self) -> None:
        super().__init__("")


class TerminalListener(PracticeListener):
    """Prints the flow's progress and remembers what the command needs at the end."""

    def __init__(self, quiet_llm: bool = False) -> None:
        self.done = threading.Event()
        self.recording = threading.Event()
        self.finished = threading.Event()
        self.feedback: Feedback | None = None
        self.errors: list[str] = []
        self.quiet_llm = quiet_llm
        self._last_band = ""

    def question_shown(self, index: int, total: int, question: Question) -> None:
        guide = f"  (aim for {question.time_guide})" if question.time_guide else ""
        print(f"\nQuestion {index + 1} of {total}{guide}\n  {question.text}\n", flush=True)

    def think_tick(self, remaining_s: float) -> None:
        if remaining_s == 0:
            print("Time to answer.", flush=True)

    def recording_started(self, attempt_id: int) -> None:
        self.recording.set()
        print("Recording… press Enter (or Ctrl-C) to stop.", flush=True)

    def recording_tick(self, elapsed_s: float, level: float, band: str) -> None:
        if band != self._last_band and band != "no_guide":
            label = {"keep_going": "keep going", "in_zone": "in the zone", "wrap_up": "wrap up"}[band]
            print(f"  [{format_clock(elapsed_s)}] {label}", flush=True)
            self._last_band = band

    def recording_stopped(self, duration_s: float, reason: str) -> None:
        why = {"silence": " after a silence", "max_length": " at the length limit",
               "device_lost": " because the microphone stopped", "end_of_input": ""}.get(reason, "")
        print(f"Stopped{why} at {format_clock(duration_s)}. Transcribing…", flush=True)

    def transcript_ready(self, transcript: Transcript) -> None:
        print("\nTranscript:\n  " + (transcript.text or "(no speech recognised)") + "\n", flush=True)

    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback = feedback

    def llm_text(self, chunk: str) -> None:
        if not self.quiet_llm:
            print(".", end="", flush=True)

    def llm_done(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback = feedback

    def transcript_refined(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback = feedback
        print("Transcript refined from the whole answer.", flush=True)

    def interview_finished(self, session_id: int) -> None:
        self.finished.set()

    def phase_changed(self, phase: Phase) -> None:
        if phase in (Phase.FEEDBACK, Phase.FINISHED):
            self.done.set()

    def error(self, message: str) -> None:
        self.errors.append(message)
        print(f"greenroom: {message}", file=sys.stderr, flush=True)


def _settings_from(args: argparse.Namespace) -> PracticeSettings:
    if args.llm:
        from models.ollama_server import check_setting, env_allows_remote

        # Refused before the first question, not after the answer; said plainly if allowed.
        note = check_setting(args.ollama_host, args.llm_model,
                             args.allow_remote_llm or env_allows_remote())
        if note:
            print(f"greenroom: note: {note}", file=sys.stderr, flush=True)
    return PracticeSettings(
        input_device=_device(args.device) if getattr(args, "device", None) is not None else None,
        speak_questions=not getattr(args, "no_speak", False),
        rate_wpm=args.rate,
        voice=args.voice,
        think_time_s=getattr(args, "think", 0.0),
        silence_stop_s=getattr(args, "silence", None) or None,
        max_answer_s=getattr(args, "max_seconds", None),
        speech_model=args.model,
        llm_enabled=args.llm,
        ollama_host=args.ollama_host,
        llm_model=args.llm_model,
        llm_allow_remote=args.allow_remote_llm,
    )


def _device(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _print_report(feedback: Feedback | None) -> None:
    if feedback is None:
        return
    from models.coach import render_report

    print(render_report(feedback), flush=True)


def _wait_for_stop(session: PracticeSession, listener: TerminalListener) -> None:
    """Enter or Ctrl-C stops the answer; silence or a lost device stop it by themselves."""
    stopper = threading.Thread(target=_stop_on_enter, args=(session, listener), daemon=True)
    stopper.start()
    try:
        while not listener.done.wait(0.2):
            if session.phase == Phase.IDLE and listener.errors and not listener.recording.is_set():
                # The listener already printed the one-line message; exit 1 without
                # printing it twice.
                raise AlreadyReported()
    except KeyboardInterrupt:
        if session.phase != Phase.RECORDING:
            session.cancel()  # still reading the question or thinking: nothing to save
            raise
        session.stop_answer()
        listener.done.wait()


def _stop_on_enter(session: PracticeSession, listener: TerminalListener) -> None:
    listener.recording.wait()
    try:
        line = sys.stdin.readline()
    except (OSError, ValueError):
        return
    if line:  # EOF (no terminal) is not a key press: silence or Ctrl-C stop the answer then
        session.stop_answer()


def run_practice(args: argparse.Namespace) -> int:
    if not args.no_gui:
        from app.ui import launch

        return launch.main([], script=args.script, question=args.question)
    script = find_script(args.script, paths.script_folders())
    questions = [_pick(script, args.question)] if args.question else list(script.questions)
    listener = TerminalListener()
    _rehearse(PracticeSession(script, questions, _settings_from(args), listener), listener)
    return 0


def _rehearse(session: PracticeSession, listener: TerminalListener) -> None:
    """Every question in turn, each ending with its report; then the session is closed."""
    try:
        session.begin()
        for i in range(len(session.questions)):
            listener.feedback = None
            if i:
                listener.done.clear()
                listener.recording.clear()
                session.next_question()
            _wait_for_stop(session, listener)
            session.wait_idle()
            _print_report(listener.feedback)
        session.end()
        session.wait_finished()
    finally:
        session.close()


def _pick(script: Any, ref: str) -> Question:
    try:
        return script.question(ref)
    except KeyError as exc:
        raise GreenroomError(str(exc.args[0])) from None


def run_demo(args: argparse.Namespace) -> int:
    """The whole loop with no microphone: a synthesised sample answer is the candidate."""
    from audio.sources import WavFileSource
    from audio.tts import synthesize_to_wav

    script = find_script(args.script, paths.script_folders())
    question = _pick(script, args.question) if args.question else next(
        (q for q in script.questions if q.sample_answer), script.questions[0])
    if not question.sample_answer:
        raise GreenroomError(f"question '{question.id}' has no sample answer to play as the candidate")
    with tempfile.TemporaryDirectory(prefix="greenroom-demo-") as workdir:
        print("Synthesising the sample answer as the candidate's voice…", flush=True)
        answer_wav = synthesize_to_wav(question.sample_answer, Path(workdir) / "answer.wav",
                                       rate_wpm=args.rate)
        listener = TerminalListener()
        session = PracticeSession(
            script, [question], _settings_from(args), listener,
            source_factory=lambda _q: WavFileSource(answer_wav, realtime=args.realtime),
        )
        _rehearse(session, listener)
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--question", "-q", help="question id or number (default: all / the first with a sample answer)")
    p.add_argument("--model", help="speech model (default: the bundled tiny.en)")
    p.add_argument("--rate", type=int, default=170, help="speaking rate of the voice in words per minute")
    p.add_argument("--voice", help="text-to-speech voice id")
    p.add_argument("--no-speak", action="store_true", help="show questions without reading them aloud")
    p.add_argument("--llm", action=argparse.BooleanOptionalAction, default=True,
                   help="add feedback from a local LLM through Ollama when one runs (default: on)")
    p.add_argument("--llm-model", help="Ollama model to use (default: the first installed of a preference list)")
    p.add_argument("--ollama-host", help="Ollama server (default: OLLAMA_HOST or http://127.0.0.1:11434)")
    p.add_argument("--allow-remote-llm", action="store_true",
                   help="allow sending answers off this machine: a cloud model or an Ollama host "
                        "elsewhere (default: refused)")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("practice", help="rehearse an interview",
                       description="Rehearse an interview. Opens the app, or runs in the terminal "
                                   "with --no-gui: each question is read aloud, your answer is "
                                   "recorded until Enter, Ctrl-C or a silence, then transcribed, "
                                   "coached and saved.")
    p.add_argument("--script", "-s", required=True, help="bundled script id or path to a YAML script")
    p.add_argument("--no-gui", action="store_true",
                   help="practise in the terminal (the options below apply to it; the app keeps "
                        "its own settings)")
    p.add_argument("--device", help="input device name or index (see `greenroom doctor`)")
    p.add_argument("--think", type=float, default=0.0, help="seconds to think before recording starts")
    p.add_argument("--silence", type=float, default=8.0,
                   help="stop after this many seconds of silence (0 = only Enter/Ctrl-C; default 8)")
    p.add_argument("--max-seconds", type=float, help="stop an answer at this length")
    _common(p)
    p.set_defaults(handler=run_practice)

    d = sub.add_parser("demo", help="the whole loop with no microphone",
                       description="Run the whole practice loop with no microphone: reads a "
                                   "bundled question aloud, synthesises its sample answer with the "
                                   "text-to-speech voice, feeds it through the live transcription "
                                   "path as if spoken, then prints the transcript and the coaching "
                                   "report and saves the attempt.")
    d.add_argument("--script", "-s", default=DEMO_SCRIPT, help=f"bundled script id or path (default: {DEMO_SCRIPT})")
    d.add_argument("--realtime", action="store_true",
                   help="feed the answer at speaking pace instead of as fast as it is transcribed")
    _common(d)
    d.set_defaults(handler=run_demo)
