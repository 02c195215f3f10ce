"""`greenroom practice --no-gui` and `greenroom demo`: the practice flow in a terminal."""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from app import paths
from app.conversation import Turn
from app.errors import GreenroomError
from app.interviewer import STYLES
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
        # Every answer in the order asked, with its heading and latest feedback, so a
        # thread (answer, then follow-up) is reported together.
        self.answers: list[tuple[int, str]] = []
        self.feedbacks: dict[int, Feedback] = {}
        self._heading = ""
        # Each answer's feedback at Stop and after the refined pass, so the terminal can
        # print the first at once and then say what the second changed.
        self.instant: dict[int, Feedback] = {}
        self.refined: dict[int, Feedback] = {}
        self.reviewed: set[int] = set()
        self.reported: list[tuple[int, str]] = []
        self._arrived = threading.Condition()

    def question_shown(self, index: int, total: int, question: Question) -> None:
        guide = f"  (aim for {question.time_guide})" if question.time_guide else ""
        self._heading = f"Question {index + 1} of {total}: {question.text}"
        print(f"\nQuestion {index + 1} of {total}{guide}\n  {question.text}\n", flush=True)

    def turn_shown(self, turn: Turn) -> None:
        guide = f"  (aim for {turn.question.time_guide})" if turn.question.time_guide else ""
        why = f"\n  ({turn.reason})" if turn.reason else ""
        self._heading = f"{turn.label}: {turn.question.text}" + (f" ({turn.reason})" if turn.reason else "")
        print(f"\n{turn.label}{guide}\n  {turn.question.text}{why}\n", flush=True)

    def interviewer_said(self, text: str) -> None:
        print(f"\nInterviewer: {text}", flush=True)

    def notice(self, message: str) -> None:
        print(f"Note: {message}", flush=True)

    def think_tick(self, remaining_s: float) -> None:
        if remaining_s == 0:
            print("Time to answer.", flush=True)

    def recording_started(self, attempt_id: int) -> None:
        self.recording.set()
        self.answers.append((attempt_id, self._heading))
        self._last_band = ""
        print("Recording… press Enter (or Ctrl-C) to stop.", flush=True)

    def recording_tick(self, elapsed_s: float, level: float, band: str) -> None:
        if band != self._last_band and band != "no_guide":
            label = {"keep_going": "keep going", "in_zone": "in the zone", "wrap_up": "wrap up"}[band]
            print(f"  [{format_clock(elapsed_s)}] {label}", flush=True)
            self._last_band = band

    def recording_stopped(self, duration_s: float, reason: str) -> None:
        why = {"silence": " after a silence", "max_length": " at the length limit",
               "interrupted": " by the interviewer: the answer ran well past its guide",
               "device": " because the microphone stopped", "end_of_input": "",
               "disk": " because the disk stopped taking the recording"}.get(reason, "")
        print(f"Stopped{why} at {format_clock(duration_s)}. Transcribing…", flush=True)

    def transcript_ready(self, transcript: Transcript) -> None:
        print("\nTranscript:\n  " + (transcript.text or "(no speech recognised)") + "\n", flush=True)

    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None:
        with self._arrived:
            self.feedback = feedback
            self.feedbacks[attempt_id] = feedback
            self.instant[attempt_id] = feedback
            self._arrived.notify_all()

    def follow_up_folded(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedbacks[attempt_id] = feedback

    def llm_text(self, chunk: str) -> None:
        if not self.quiet_llm:
            print(".", end="", flush=True)

    def llm_done(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback = feedback
        self.feedbacks[attempt_id] = feedback
        self.reviewed.add(attempt_id)

    def transcript_refined(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback = feedback
        self.feedbacks[attempt_id] = feedback
        self.refined[attempt_id] = feedback

    def wait_for_feedback(self, timeout_s: float = 5.0) -> None:
        """Until every answer not yet reported has its instant feedback (the flow shows the
        feedback phase a moment before it hands the feedback over), or one failed."""
        ids = [attempt_id for attempt_id, _ in self.answers]
        with self._arrived:
            self._arrived.wait_for(lambda: all(a in self.instant for a in ids) or bool(self.errors),
                                   timeout_s)

    def take_answers(self, instant: bool = False) -> list[tuple[str, Feedback | None]]:
        """The answers since the last call, each with its heading and latest feedback (with
        ``instant``, the feedback given at Stop)."""
        taken, self.answers = self.answers, []
        self.reported = taken
        return [(heading, (self.instant.get(attempt_id) if instant else None)
                 or self.feedbacks.get(attempt_id)) for attempt_id, heading in taken]

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
        mock=getattr(args, "mock", False),
        follow_ups=getattr(args, "follow_ups", False),
        follow_up_budget_s=getattr(args, "follow_up_budget", 4.0),
        interviewer_style=getattr(args, "style", "neutral"),
        interrupt_long_answers=getattr(args, "interrupt", False),
    )


def _device(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _print_report(feedback: Feedback | None) -> None:
    if feedback is None:
        return
    from models.coach import render_report

    print(render_report(feedback), flush=True)


def _print_answers(listener: TerminalListener, instant: bool = False) -> None:
    """The reports of the answers given since the last one printed: an answer, then its
    follow-up's reply, as one thread (with ``instant``, the feedback given at Stop)."""
    answers = listener.take_answers(instant)
    for heading, feedback in answers:
        if len(answers) > 1:
            print(f"\n— {heading}", flush=True)
        _print_report(feedback)


def _print_refinements(listener: TerminalListener) -> None:
    """After the answers' reports: what the refined pass changed in each (or that it
    changed nothing), then the report again with the local LLM's review when there is one."""
    from models.answer_pipeline import refinement_changes

    answers = listener.reported
    for attempt_id, heading in answers:
        label = f" ({heading})" if len(answers) > 1 else ""
        before, after = listener.instant.get(attempt_id), listener.refined.get(attempt_id)
        if before is not None and after is not None:
            changes = refinement_changes(before, after)
            if changes:
                print(f"\nRefined{label}: the accurate pass changed", flush=True)
                for line in changes:
                    print(f"  - {line}", flush=True)
            else:
                print(f"\nRefined{label}: the accurate pass changed nothing.", flush=True)
        if attempt_id in listener.reviewed:
            print(f"\nWith the local LLM's review{label}:", flush=True)
            _print_report(listener.feedbacks.get(attempt_id))
    listener.reported = []


def _wait_for(event: threading.Event, session: PracticeSession, listener: TerminalListener) -> None:
    """Wait for ``event`` while answers are recorded; silence, the interviewer or a lost
    device stop an answer by themselves, Enter (see ``_stop_on_enter``) or Ctrl-C stop it
    by hand."""
    try:
        while not event.wait(0.2):
            if session.phase == Phase.IDLE and listener.errors and not listener.recording.is_set():
                # The listener already printed the one-line message; exit 1 without
                # printing it twice.
                raise AlreadyReported()
    except KeyboardInterrupt:
        if session.phase != Phase.RECORDING:
            session.cancel()  # still reading the question or thinking: nothing to save
            raise
        session.stop_answer()
        event.wait()


def _stop_on_enter(session: PracticeSession) -> None:
    """Every Enter while an answer is recorded stops it; one reader for the whole run."""
    while True:
        try:
            line = sys.stdin.readline()
        except (OSError, ValueError):
            return
        if not line:  # EOF (no terminal) is not a key press: silence or Ctrl-C stop answers then
            return
        if session.phase == Phase.RECORDING:
            session.stop_answer()


def run_practice(args: argparse.Namespace) -> int:
    if not args.no_gui:
        from app.ui import launch

        return launch.main([], script=args.script, question=args.question)
    script = find_script(args.script, paths.script_folders())
    if args.question:
        questions = [_pick(script, ref.strip()) for ref in args.question.split(",") if ref.strip()]
    else:
        questions = list(script.questions)
    listener = TerminalListener()
    settings = _settings_from(args)
    _finish_earlier_answers(settings)
    session = PracticeSession(script, questions, settings, listener)
    _rehearse(session, listener)
    return _kept_status(session)


# The exit status when an answer, or part of one, was not saved (a full disk, a data folder
# gone): the command did not keep what it was asked to keep.
NOT_KEPT_EXIT = 1


def _kept_status(session: PracticeSession) -> int:
    """0 when everything was saved; else one closing line and ``NOT_KEPT_EXIT`` (each
    failure was printed as it happened)."""
    if not session.not_kept:
        return 0
    count = len(session.not_kept)
    print(f"greenroom: {count} save{'' if count == 1 else 's'} failed (see above); once the disk "
          "has room again (or the folder is back), start Greenroom or run `greenroom sessions "
          "recover` to finish the answers", file=sys.stderr, flush=True)
    return NOT_KEPT_EXIT


def _finish_earlier_answers(settings: PracticeSettings) -> None:
    """Answers an earlier run left between two stages (a crash, a quit before the refined
    pass or the review) are finished before this run asks its first question."""
    from app.recovery import finish_unfinished, unfinished_recordings
    from app.store import Store

    store = Store()
    if not store.unfinished_attempts() and not unfinished_recordings():
        return
    print("Finishing the answers an earlier run left unfinished…", flush=True)
    review = None
    if settings.llm_enabled:
        from models.llm_coach import LLMCoach

        review = LLMCoach(host=settings.ollama_host, model=settings.llm_model,
                          allow_remote=settings.llm_allow_remote or None)
    outcome = finish_unfinished(store, review=review)
    done = sum(1 for a in outcome.attempts if not a.problem)
    left = len(outcome.problems)
    print(f"Finished {done} answer{'' if done == 1 else 's'}"
          + (f"; {left} could not be (`greenroom sessions recover` says why)" if left else "")
          + ".", flush=True)


def _rehearse(session: PracticeSession, listener: TerminalListener) -> None:
    """Every question in turn, each (with its follow-up) ending with its report; a mock
    interview runs by itself and reports at the end. Then the session is closed."""
    threading.Thread(target=_stop_on_enter, args=(session,), daemon=True).start()
    try:
        session.begin()
        if session.settings.mock:
            # The interviewer moves on by itself; the feedback is held back to the end.
            _wait_for(listener.finished, session, listener)
            session.wait_idle()
            print("\nThe interview is over. Your answers:", flush=True)
            _print_answers(listener)
            return
        for i in range(len(session.questions)):
            listener.feedback = None
            if i:
                listener.done.clear()
                listener.recording.clear()
                session.next_question()
            _wait_for(listener.done, session, listener)
            # The report of the instant feedback at once; the refined pass and the review
            # finish while it is read, and what they change follows.
            listener.wait_for_feedback()
            _print_answers(listener, instant=True)
            session.wait_idle()
            _print_refinements(listener)
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
    return _kept_status(session)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--question", "-q", help="question id or number; to practise several, separate them "
                                           "with commas (default: all / the first with a sample answer)")
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
    p.add_argument("--follow-ups", action="store_true",
                   help="after each answer the interviewer asks one follow-up aloud and records "
                        "your reply (from the local LLM when one runs, else the script's)")
    p.add_argument("--mock", action="store_true",
                   help="a mock interview: an opening, follow-ups, long answers cut short, a "
                        "closing question, and the feedback only at the end")
    p.add_argument("--style", choices=STYLES, default="neutral",
                   help="the interviewer's manner: the wording, how long an answer may run past "
                        "its guide, the tone of follow-ups (default: neutral)")
    p.add_argument("--interrupt", action="store_true",
                   help="cut answers that run well past their guide (always on with --mock)")
    p.add_argument("--follow-up-budget", type=float, default=4.0,
                   help="seconds the local LLM has after an answer to offer a follow-up before "
                        "the script's is asked (default 4)")
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
