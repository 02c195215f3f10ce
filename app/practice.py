"""The practice flow: ask → record → transcribe → coach → save, written once.

Both the desktop app and the terminal (`greenroom practice --no-gui`, `greenroom demo`)
drive this class. Every public method returns at once; speech, recording, transcription,
coaching and the LLM run on worker threads and report through a ``PracticeListener``
whose methods may be called from any thread (the GUI turns them into Qt signals).

The candidate's audio is on disk as it is spoken (the Recorder writes it), and an
attempt row points at it from the moment recording starts, so nothing said is lost if
a later step fails.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import paths
from app.conversation import Turn
from app.errors import USER_ERRORS, GreenroomError, StoreError
from app.interviewer import Interviewer, closing_question, cut_at_s, ends_with_closer
from app.store import Store
from audio.mic_permission import SilentStartCheck
from interview_scripts.script import InterviewScript, Question
from interview_scripts.time_guide import clock_band, format_clock
from models.errors import ModelError
from models.transcript import Transcript

if TYPE_CHECKING:
    # Imported for their types only: loading them at start-up would pull in PortAudio,
    # ONNX and CTranslate2 before the window shows; the coach (and pydantic under it) is
    # imported by the steps that coach, so the window paints without it.
    from audio.playback import Player
    from audio.recorder import Recorder
    from audio.sources import AudioSource
    from models.answer_pipeline import CoachedAnswer, LiveResult
    from models.coach.feedback_model import Feedback
    from models.coach.follow_up_choice import FollowUpChoice
    from models.live_transcription import LiveTranscriber
    from models.transcriber import Transcriber

TICK_S = 0.1
# Silence auto-stop only arms once the candidate has spoken for this long, so a slow
# start is not mistaken for the end of an answer.
MIN_SPEECH_BEFORE_AUTOSTOP_S = 1.0


def paused_words(pauses: Sequence[Any]) -> str:
    """What the candidate is told of the stretches a recording had no sound (``Pause``s:
    a closed lid, a stopped process): when and how long, and that their time leaves it out."""
    spans = ", ".join(f"{format_clock(p.length_s)} at {format_clock(p.at_s)}" for p in pauses)
    times = "once" if len(pauses) == 1 else f"{len(pauses)} times"
    return (f"The recording was paused {times} ({spans}): the computer slept or Greenroom was "
            "stopped. Nothing was recorded meanwhile, so your time and speaking figures leave "
            "the pause out.")


class Phase(enum.Enum):
    IDLE = "idle"
    SPEAKING = "speaking"
    THINKING = "thinking"
    RECORDING = "recording"
    PROCESSING = "processing"
    FEEDBACK = "feedback"
    FINISHED = "finished"


@dataclass
class PracticeSettings:
    input_device: str | int | None = None
    voice: str | None = None
    rate_wpm: int = 170
    speak_questions: bool = True
    think_time_s: float = 0.0
    silence_stop_s: float | None = None
    max_answer_s: float | None = None
    speech_model: str | None = None
    llm_enabled: bool = True
    ollama_host: str | None = None
    llm_model: str | None = None
    # The user's explicit yes to sending answers off this machine (a cloud model, or an
    # Ollama host elsewhere); off, such a review is refused with a one-line reason.
    llm_allow_remote: bool = False
    # A mock interview: the flow saves and coaches every answer as usual, but whoever
    # shows it holds the feedback back until the interview ends, and there is no redo.
    # The interviewer opens, moves between questions by itself, asks follow-ups, cuts
    # answers that run far too long and ends on a closing question.
    mock: bool = False
    # After an answer the interviewer reads one follow-up aloud and records the reply
    # (always on in a mock interview; the terminal asks for it with --follow-ups).
    follow_ups: bool = True
    # How long after Stop the local LLM has to offer a usable follow-up before the
    # script's own is asked instead.
    follow_up_budget_s: float = 4.0
    # friendly, neutral or demanding (app/interviewer.py): the wording, the margin before
    # a long answer is cut, and the tone of the LLM's follow-ups.
    interviewer_style: str = "neutral"
    # Cut an answer that runs past its guide's maximum by the style's margin (always on
    # in a mock interview); ``interruption_margin_s`` replaces the style's margin.
    interrupt_long_answers: bool = False
    interruption_margin_s: float | None = None

    @property
    def asks_follow_ups(self) -> bool:
        return self.follow_ups or self.mock

    @property
    def interrupts(self) -> bool:
        return self.interrupt_long_answers or self.mock


class PracticeListener:
    """Callbacks from the flow; every one may arrive on a worker thread."""

    def phase_changed(self, phase: Phase) -> None: ...
    def question_shown(self, index: int, total: int, question: Question) -> None: ...
    def think_tick(self, remaining_s: float) -> None: ...
    def recording_started(self, attempt_id: int) -> None: ...
    def recording_tick(self, elapsed_s: float, level: float, band: str) -> None: ...
    def recording_stopped(self, duration_s: float, reason: str) -> None: ...
    def transcript_ready(self, transcript: Transcript) -> None: ...
    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None: ...
    def llm_text(self, chunk: str) -> None: ...
    def llm_done(self, attempt_id: int, feedback: Feedback) -> None: ...
    def transcript_refined(self, attempt_id: int, feedback: Feedback) -> None:
        """The whole-answer transcript replaced the live one; ``feedback`` is coached on it."""
    def error(self, message: str) -> None: ...
    def interview_finished(self, session_id: int) -> None: ...
    def turn_shown(self, turn: Turn) -> None:
        """A follow-up or the closing question is asked (``question_shown`` announces the
        script's questions)."""
    def interviewer_said(self, text: str) -> None:
        """A line of the interviewer's own: the opening, a transition, an interjection, the
        goodbye (read aloud when questions are)."""
    def notice(self, message: str) -> None:
        """Something worth saying once that is not a problem."""
    def follow_up_folded(self, attempt_id: int, feedback: Feedback) -> None:
        """The answer ``attempt_id`` saved again with what its follow-up's reply covered."""


SourceFactory = Callable[[Question], "AudioSource | None"]


class PracticeSession:
    def __init__(
        self,
        script: InterviewScript,
        questions: Sequence[Question],
        settings: PracticeSettings,
        listener: PracticeListener,
        store: Store | None = None,
        source_factory: SourceFactory | None = None,
    ) -> None:
        if not questions:
            raise GreenroomError("no questions chosen; pick at least one question to practise")
        self.script = script
        self.questions = list(questions)
        self.settings = settings
        self.listener = listener
        self.store = store or Store()
        self.source_factory = source_factory
        self.session_id: int | None = None
        self.index = 0
        self.phase = Phase.IDLE
        self.last_attempt_id: int | None = None
        self.last_audio_path: Path | None = None
        self.last_feedback: Feedback | None = None

        self._lock = threading.RLock()
        # Bumped by every user action that supersedes running speech/think time, so a
        # stale worker sees it is no longer wanted and quietly stops.
        self._generation = 0
        # Room for an answer's refine and review, its follow-up's speech and recording, and
        # the reply's processing at once: the conversation never queues behind a review.
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="greenroom-practice")
        self._recorder: Recorder | None = None
        self._live: LiveTranscriber | None = None
        self._attempt_id: int | None = None
        self._player: Player | None = None
        self._llm_cancel = threading.Event()  # stops waiting for this answer's review
        self._moved_on = threading.Event()  # the candidate redid or left this answer
        self._processing: list[Future[None]] = []
        self._transcriber: Transcriber | None = None
        self._transcriber_ready = threading.Event()
        self._closed = False
        # Set by end(): no new answer may start once the interview is being wrapped up.
        self._ending = False
        self._opening = False
        self._finishing: Future[None] | None = None
        self.interviewer = Interviewer(settings.interviewer_style)
        self._turn: Turn | None = None  # the question as asked now
        self._asked_follow_ups: dict[str, set[str]] = {}  # question id -> follow-ups asked
        self._told_no_follow_ups = False
        self._closing_asked = False
        self._interjections = 0
        self._speech: Future[None] | None = None  # an interjection still being said
        # Follow-ups the local model wrote that quoted nothing the candidate said: dropped.
        self.llm_follow_ups_dropped = 0
        # What could not be saved (a full disk, a folder gone), one line each: the command
        # exits non-zero when this is not empty. Each answer's recording stays on disk and
        # the next start (or `greenroom sessions recover`) finishes it.
        self.not_kept: list[str] = []

    # ----------------------------------------------------------------- properties
    @property
    def question(self) -> Question:
        return self.questions[self.index]

    @property
    def turn(self) -> Turn:
        """The question as asked now: the script's question, a follow-up or the closing."""
        return self._turn or Turn(self.question)

    # ------------------------------------------------------------------- actions
    def begin(self) -> None:
        with self._lock:
            self.session_id = self.store.create_session(self.script.id, self.script.title)
        # Load the speech model while the question is read out, so Stop is never
        # followed by a cold model load.
        self._pool.submit(self._warm_transcriber)
        opening = []
        if self.settings.mock:
            # Follow-ups are promised only where one can come: the script's, or the LLM's.
            follow_ups = self.settings.asks_follow_ups and (
                self.settings.llm_enabled or any(q.follow_ups for q in self.questions))
            opening.append(self.interviewer.opening(self.script.role, self.questions, follow_ups))
        self._show_question(preamble=opening)

    def replay_question(self) -> None:
        with self._lock:
            if self._ending or self.phase in (Phase.RECORDING, Phase.PROCESSING):
                return
        self._ask(self.turn, speak_only=True)

    def skip_speech(self) -> None:
        with self._lock:
            if self.phase != Phase.SPEAKING:
                return
            self._generation += 1
            self._stop_player()
            generation = self._generation
        self._pool.submit(self._guarded, self._think_then_record, generation)

    def start_answer(self) -> None:
        with self._lock:
            if self._ending or self.phase in (Phase.RECORDING, Phase.PROCESSING, Phase.FINISHED):
                return
            self._generation += 1
            generation = self._generation
            self._stop_player()
        self._pool.submit(self._guarded, self._start_recording, generation)

    def stop_answer(self, reason: str = "candidate") -> None:
        with self._lock:
            if self.phase != Phase.RECORDING or self._recorder is None:
                return
            self._set_phase(Phase.PROCESSING)
            recorder, live, attempt_id = self._recorder, self._live, self._attempt_id
            self._recorder = None
            turn = self.turn
            future = self._pool.submit(self._guarded, self._stop_and_process, turn, attempt_id,
                                       recorder, live, reason, time.monotonic())
            self._processing.append(future)

    def redo(self) -> None:
        with self._lock:
            if self._ending or self.phase in (Phase.RECORDING, Phase.PROCESSING):
                return
            self._moved_on.set()
            self._llm_cancel.set()
        self._show_question()

    def next_question(self) -> bool:
        with self._lock:
            if self._ending:
                return False
            if self.phase in (Phase.RECORDING, Phase.PROCESSING):
                return True
            if self.index + 1 >= len(self.questions):
                return False
            self._moved_on.set()
            self._llm_cancel.set()
            self.index += 1
        transition = [self.interviewer.transition(self.index, len(self.questions))] if self.settings.mock else []
        self._show_question(preamble=transition)
        return True

    def cancel(self) -> None:
        """Esc: stop reading or recording. What was recorded is kept and coached."""
        with self._lock:
            self._generation += 1
            self._stop_player()
            if self.phase == Phase.RECORDING:
                self.stop_answer(reason="cancelled")
            elif self.phase in (Phase.SPEAKING, Phase.THINKING):
                self._set_phase(Phase.IDLE)

    def end(self) -> None:
        """Finish the interview: a running answer is stopped and saved first."""
        with self._lock:
            if self._ending:
                return
            self._ending = True
        self.cancel()
        self._finishing = self._pool.submit(self._guarded, self._finish_interview)

    def cancel_llm(self) -> None:
        """Stop waiting for the LLM review (the deterministic feedback is already saved)."""
        self._llm_cancel.set()

    def wait_finished(self, timeout_s: float = 180.0) -> bool:
        """Block until end() has saved everything (the CLI and tests, never the GUI)."""
        future = self._finishing
        if future is None:
            return True
        with contextlib.suppress(Exception):
            future.result(timeout=timeout_s)
        return future.done()

    def play_moment(self, at_s: float) -> None:
        path = self.last_audio_path
        if path is None:
            return
        self._pool.submit(self._play_file, path, max(0.0, at_s - 0.5))

    def wait_idle(self, timeout_s: float = 120.0) -> bool:
        """Block until all processing finished (for the CLI and tests, never the GUI)."""
        deadline = time.monotonic() + timeout_s
        for future in list(self._processing):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            # Failures were already reported through the listener.
            with contextlib.suppress(Exception):
                future.result(timeout=remaining)
        return True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._moved_on.set()
        self._llm_cancel.set()
        with self._lock:
            self._generation += 1
            self._stop_player()
            if self.phase == Phase.RECORDING:
                self.stop_answer(reason="cancelled")
        self.wait_idle(timeout_s=30)
        self.wait_finished(timeout_s=30)
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ internals
    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self.listener.phase_changed(phase)

    def _guarded(self, work: Callable[..., None], *args: Any) -> None:
        """Runs pool work so that no failure dies silently in a future: it is reported
        and the flow returns to a phase the user can act from."""
        try:
            work(*args)
        except Exception as exc:  # noqa: BLE001 - reported to the user, never swallowed
            self._report(exc)
            with self._lock:
                if self.phase in (Phase.SPEAKING, Phase.THINKING, Phase.PROCESSING):
                    self._set_phase(Phase.IDLE if self.phase != Phase.PROCESSING else Phase.FEEDBACK)

    def _report(self, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, USER_ERRORS) else f"unexpected problem: {exc!r}"
        self.listener.error(message)

    def _warm_transcriber(self) -> None:
        try:
            from models.transcriber import load_transcriber

            self._transcriber = load_transcriber(self.settings.speech_model, paths.models_dir())
        except USER_ERRORS as exc:
            self._report(exc)
        finally:
            self._transcriber_ready.set()

    def _show_question(self, speak_only: bool = False, preamble: Sequence[str] = ()) -> None:
        """Ask the script's current question (after ``preamble``, the interviewer's lines)."""
        with self._lock:
            turn = Turn(self.question)
        self._ask(turn, speak_only=speak_only, preamble=preamble)

    def _ask(self, turn: Turn, speak_only: bool = False, preamble: Sequence[str] = ()) -> None:
        """Show ``turn``, read it aloud (after ``preamble``) and then record the reply; with
        ``speak_only``, just read the current question again."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._stop_player()
            if not speak_only:
                self._turn = turn
                for line in preamble:
                    self.listener.interviewer_said(line)
                if turn.asked_by == "question":
                    self.listener.question_shown(self.index, len(self.questions), turn.question)
                else:
                    self.listener.turn_shown(turn)
            if self.settings.speak_questions:
                self._set_phase(Phase.SPEAKING)
            elif self.phase == Phase.PROCESSING:
                # The flow asks on by itself after an answer: the reply may be recorded.
                self._set_phase(Phase.IDLE)
        self._pool.submit(self._guarded, self._speak_then_record, generation, turn, not speak_only,
                          tuple(preamble))

    def _speak_then_record(self, generation: int, turn: Turn, then_record: bool,
                           preamble: tuple[str, ...] = ()) -> None:
        if self.settings.speak_questions:
            try:
                for line in (*preamble, turn.question.text):
                    self._speak(line, generation)
                    if generation != self._generation:
                        return
            except USER_ERRORS as exc:
                # Reading aloud is a convenience: the question is on screen, carry on.
                self.listener.error(f"{exc} (the question is shown on screen instead)")
        if then_record:
            self._think_then_record(generation)
        else:
            with self._lock:
                if generation == self._generation and self.phase == Phase.SPEAKING:
                    self._set_phase(Phase.IDLE)

    def _speak(self, text: str, generation: int | None) -> None:
        """Render ``text`` (cached) and play it to the end; a newer user action stops it,
        unless ``generation`` is None (an interjection, said whatever comes next)."""
        from audio.tts import shared_synthesizer

        key = f"{text}|{self.settings.voice}|{self.settings.rate_wpm}".encode()
        wav = paths.data_dir() / "cache" / f"question-{hashlib.sha1(key).hexdigest()[:16]}.wav"
        if not wav.exists():
            # Rendered under a temporary name and moved into place only when complete, so
            # a failed render is never taken from the cache later.
            partial = wav.with_name(f"{wav.stem}.{threading.get_ident()}.partial.wav")
            try:
                shared_synthesizer().render(
                    text, partial, rate_wpm=self.settings.rate_wpm, voice=self.settings.voice
                ).result(timeout=120)
                os.replace(partial, wav)
            finally:
                partial.unlink(missing_ok=True)
        if generation is not None and generation != self._generation:
            return
        self._play_file(wav, 0.0, generation)

    def _play_file(self, path: Path, start_s: float, generation: int | None = None) -> None:
        from audio.playback import Player

        with self._lock:
            if generation is not None and generation != self._generation:
                return
            self._stop_player()
            player = Player()
            self._player = player
        try:
            player.play_file(path, start_s=start_s)
        except USER_ERRORS as exc:
            self.listener.error(str(exc))
            return
        while player.is_playing:
            if generation is not None and generation != self._generation:
                player.stop()
                return
            time.sleep(0.05)

    def _stop_player(self) -> None:
        """Called from any thread, often the GUI's: closing an audio stream is device I/O,
        so the stop itself runs on a worker."""
        player, self._player = self._player, None
        if player is not None:
            self._pool.submit(self._stop_quietly, player)

    @staticmethod
    def _stop_quietly(player: Player) -> None:
        # Stopping a player that already finished must never fail the flow.
        with contextlib.suppress(Exception):
            player.stop()

    def _think_then_record(self, generation: int) -> None:
        think = float(self.settings.think_time_s or 0)
        if think > 0:
            with self._lock:
                if generation != self._generation:
                    return
                self._set_phase(Phase.THINKING)
            end = time.monotonic() + think
            while (remaining := end - time.monotonic()) > 0:
                if generation != self._generation:
                    return
                self.listener.think_tick(remaining)
                time.sleep(min(TICK_S, remaining))
            self.listener.think_tick(0.0)
        self._start_recording(generation)

    def _start_recording(self, generation: int) -> None:
        """Runs on a worker: waiting for the model or opening a device must not block
        whoever called ``start_answer``."""
        from audio.recorder import Recorder
        from models.live_transcription import LiveTranscriber

        self._transcriber_ready.wait(timeout=120)
        with self._lock:
            if (self._ending or self._opening or generation != self._generation
                    or self.phase in (Phase.RECORDING, Phase.PROCESSING)):
                return
            if self._transcriber is None:
                self._set_phase(Phase.IDLE)
                raise GreenroomError("the speech model is not loaded; see the message above")
            self._opening = True
            turn, session_id = self.turn, self.session_id
        try:
            self._open_recording(turn, session_id, generation, Recorder, LiveTranscriber)
        finally:
            with self._lock:
                self._opening = False

    def _open_recording(self, turn: Turn, session_id: int | None, generation: int,
                        recorder_type: type[Recorder], live_type: type[LiveTranscriber]) -> None:
        """Opens the device outside the lock: PortAudio may take seconds, and every user
        action needs the lock."""
        assert session_id is not None
        question = turn.question
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        folder = paths.ensure_private_dir(paths.recordings_dir() / f"session-{session_id}")
        wav_path = folder / f"{question.id}{'-follow-up' if turn.is_follow_up else ''}-{stamp}.wav"
        # The attempt row exists before the first sample is written, so no recording is
        # ever on disk without one.
        try:
            attempt_id = self.store.start_attempt(session_id, self.script.id, question.id,
                                                  question.text, wav_path,
                                                  follow_up_to=turn.follow_up_to,
                                                  asked_by=turn.asked_by,
                                                  ask_reason=turn.reason or None)
        except StoreError:
            try:
                self.store.get_session(session_id)  # still listed: some other failure
            except StoreError:
                pass
            else:
                raise
            raise GreenroomError("this interview was deleted (in History, or another window): "
                                 "undo the delete there, or end it and start again") from None
        try:
            source = self.source_factory(question) if self.source_factory else None
            cut_s = self._cut_at(turn)
            if cut_s is not None:
                # The cut is timed on the recording's own samples (audio/cut_source.py).
                from audio.cut_source import CutSource
                from audio.sources import MicrophoneSource

                source = CutSource(source or MicrophoneSource(self.settings.input_device), cut_s)
            recorder = recorder_type(wav_path, source=source, device=self.settings.input_device)
            live = live_type(self._transcriber)
            recorder.add_listener(live.feed)
            # macOS and Windows give exact zeros, not an error, when the microphone is not allowed.
            silent_start = SilentStartCheck()
            if silent_start.active:
                recorder.add_listener(silent_start.feed)
            recorder.start()
        except Exception:
            # Nothing was recorded: an empty attempt would only clutter the history.
            with contextlib.suppress(*USER_ERRORS):
                self.store.delete_attempt(attempt_id)
            with self._lock:
                self._set_phase(Phase.IDLE)
            raise
        with self._lock:
            superseded = self._ending or generation != self._generation
            if not superseded:
                self._recorder, self._live, self._attempt_id = recorder, live, attempt_id
                self.last_audio_path = wav_path
                self._llm_cancel = threading.Event()
                self._moved_on = threading.Event()
                self._set_phase(Phase.RECORDING)
        if superseded:
            # The user moved on (Esc, another question, End) while the device opened.
            recorder.stop()
            live.cancel()
            with contextlib.suppress(*USER_ERRORS):
                self.store.delete_attempt(attempt_id)
            return
        self.listener.recording_started(attempt_id)
        if self.settings.llm_enabled:
            self._pool.submit(self._preload_llm)
        threading.Thread(target=self._watch_recording, args=(recorder, question, silent_start),
                         name="greenroom-record-watch", daemon=True).start()

    def _watch_recording(self, recorder: Recorder, question: Question,
                         silent_start: SilentStartCheck | None = None) -> None:
        """Ticks the clock and decides automatic stops (silence, length, lost device); says
        once how to allow the microphone if the answer starts in exact zeros (no stop)."""
        settings = self.settings
        while True:
            time.sleep(TICK_S)
            with self._lock:
                if self._recorder is not recorder:
                    return
            elapsed = float(recorder.elapsed_s)
            self.listener.recording_tick(elapsed, float(recorder.level), clock_band(elapsed, question.time_guide))
            notice = silent_start.take_notice() if silent_start is not None else None
            if notice:
                self.listener.error(notice)
            reason = None
            if recorder.error:
                reason = "disk" if recorder.error_kind == "disk" else "device"
                self.listener.error(str(recorder.error))
            elif getattr(recorder.source, "cut", False):
                # The answer ran past its guide by the interviewer's margin.
                reason = "interrupted"
            elif getattr(recorder.source, "finished", False):
                # A stand-in source (demo, tests) played its whole file.
                reason = "end_of_input"
            elif settings.max_answer_s and elapsed >= settings.max_answer_s:
                reason = "max_length"
            elif (
                settings.silence_stop_s
                and elapsed - float(recorder.silence_s) >= MIN_SPEECH_BEFORE_AUTOSTOP_S
                and float(recorder.silence_s) >= settings.silence_stop_s
            ):
                reason = "silence"
            if reason:
                self.stop_answer(reason=reason)
                return

    def _cut_at(self, turn: Turn) -> float | None:
        """Where the interviewer cuts this reply, when long answers are cut at all."""
        if not self.settings.interrupts:
            return None
        return cut_at_s(turn.question.time_guide, self.settings.interviewer_style,
                        self.settings.interruption_margin_s)

    def _preload_llm(self) -> None:
        try:
            from models.llm_coach import LLMCoach

            LLMCoach(host=self.settings.ollama_host, model=self.settings.llm_model,
                     allow_remote=self.settings.llm_allow_remote or None).preload()
        except Exception:  # noqa: BLE001 - preloading is an optimisation; coaching reports real failures
            pass

    def _stop_and_process(self, turn: Turn, attempt_id: int | None, recorder: Recorder,
                          live: LiveTranscriber, reason: str, stopped_at: float) -> None:
        from models.answer_pipeline import LiveResult, coach_recording

        question = turn.question
        source: LiveResult | None = None
        try:
            result = recorder.stop()
        except Exception:
            live.cancel()
            with self._lock:
                self._set_phase(Phase.FEEDBACK)
            raise
        if result.error and reason == "candidate":
            reason = "disk" if result.error_kind == "disk" else "device"
        if result.error_kind == "disk":
            with self._lock:
                self.not_kept.append(result.error or "the recording stopped early")
        if reason == "interrupted":
            # Said once the recording is closed, so it is never part of the answer.
            self._interject()
        self.listener.recording_stopped(float(result.duration_s), reason)
        if result.pauses:
            self.listener.notice(paused_words(result.pauses))
        transcriber = self._transcriber
        assert transcriber is not None  # recording only starts once it is loaded
        try:
            try:
                transcript = live.finish()
                audio, probabilities = live.audio_and_probabilities()
                source = LiveResult(transcript, audio, probabilities,
                                    refined=live.refined if live.refines else None)
                answer = coach_recording(question, transcriber, live=source,
                                         duration_s=float(result.duration_s))
            except ModelError as exc:
                source = None
                # The live path failed: transcribe the file on disk instead.
                self.listener.error(f"{exc}; transcribing the saved recording instead")
                answer = coach_recording(question, transcriber, path=result.path,
                                         duration_s=float(result.duration_s))
            self.listener.transcript_ready(answer.transcript)
            # The local model writes its follow-up while the answer is saved and coached.
            pending = self._start_llm_follow_up(turn, answer.transcript, reason)
            if attempt_id is not None:
                # A live answer's instant feedback; a recording coached from its file has
                # had the accurate pass already.
                self.store.finish_attempt(attempt_id, float(result.duration_s), answer.transcript,
                                          answer.feedback, answer.models, stop_reason=reason,
                                          stage="live_coached" if source is not None else "refined")
        except StoreError as exc:
            # Coached, but not saved (a full disk, a folder gone): the feedback is shown all
            # the same. Its recording is on disk and the next start coaches and saves it;
            # the refine and review wait for that, since their saves would fail the same way.
            self._not_kept(exc, "this answer's feedback is shown but not saved; its recording is "
                                "kept and the next start (or `greenroom sessions recover`) "
                                "finishes it")
            source = None
            saved = False
        except Exception as exc:  # noqa: BLE001 - never lose the answer over a failed step
            self._report(exc)
            live.cancel()  # no refined pass for an answer without feedback
            if attempt_id is not None:
                # The recording is complete and kept; it simply has no feedback yet
                # (`greenroom feedback AUDIO` can coach it later).
                with contextlib.suppress(*USER_ERRORS):
                    self.store.finish_attempt(attempt_id, float(result.duration_s), None, None, {},
                                              stop_reason=reason)
            # A mock interview goes on to the next question; practice rests here.
            if not self._carry_on(None):
                with self._lock:
                    self._set_phase(Phase.FEEDBACK)
            return
        else:
            saved = True
        if source is None:
            live.cancel()  # coached from its file, or not saved: nothing to refine here
        with self._lock:
            self.last_attempt_id = attempt_id
            self.last_feedback = answer.feedback
            # This answer's own events (the next recording makes new ones, which must not
            # revive this answer's review): set when the candidate redoes or moves on, and,
            # for the review, also when they stop waiting for it.
            moved_on, cancel_review = self._moved_on, self._llm_cancel
        if turn.is_follow_up and attempt_id is not None:
            self._fold_into_parent(turn, attempt_id, answer.feedback)
        follow_up = self._follow_up_for(turn, attempt_id, answer, reason, moved_on, stopped_at,
                                        pending)
        with self._lock:
            goes_on = follow_up is not None or self._goes_on(moved_on)
            if not goes_on:
                self._set_phase(Phase.FEEDBACK)
        self.listener.feedback_ready(attempt_id or 0, answer.feedback)
        if goes_on:
            self._carry_on(follow_up, moved_on)
        # The stages (models/answer_pipeline.py Stage) each save moves the answer to; one
        # not reached here is finished by the next start.
        refined = source is None and saved  # coached from its file: the accurate pass
        if source is not None:
            answer, refined = self._refine(question, attempt_id, answer, source, moved_on)
            if turn.is_follow_up and attempt_id is not None:
                self._fold_into_parent(turn, attempt_id, answer.feedback)
        if self.settings.llm_enabled and saved:
            reviewed = self._run_llm(question, attempt_id, answer, cancel_review,
                                     stage="reviewed" if refined else None)
            if turn.is_follow_up and attempt_id is not None:
                self._fold_into_parent(turn, attempt_id, reviewed)
        elif refined and attempt_id is not None:
            # No review asked for: this answer's stages are done.
            with contextlib.suppress(*USER_ERRORS):
                self.store.advance_stage(attempt_id, "reviewed")

    # ------------------------------------------------------------- the conversation
    def _goes_on(self, moved_on: threading.Event | None = None) -> bool:
        """Whether the interviewer moves on by itself (a mock interview) from here."""
        return (self.settings.mock and not self._ending and not self._closed
                and not (moved_on is not None and moved_on.is_set()))

    def _carry_on(self, follow_up: Turn | None, moved_on: threading.Event | None = None) -> bool:
        """Ask ``follow_up``, or in a mock interview go on to what comes next: the next
        question, the closing question, then the goodbye and the end. False when the
        flow rests here (practice, or the candidate already moved on)."""
        self._wait_interjection()
        with self._lock:
            if self._ending or self._closed or (moved_on is not None and moved_on.is_set()):
                return False
            if follow_up is not None:
                nxt: Turn | None = follow_up
                preamble: list[str] = []
            elif not self.settings.mock:
                return False
            elif self.index + 1 < len(self.questions):
                self.index += 1
                nxt = Turn(self.question)
                preamble = [self.interviewer.transition(self.index, len(self.questions))]
            elif not self._closing_asked and not ends_with_closer(self.questions):
                self._closing_asked = True
                # Its own words open with "That's all from me": no transition before it.
                nxt = Turn(closing_question(self.interviewer), asked_by="interviewer")
                preamble = []
            else:
                nxt = None
        if nxt is None:
            self._pool.submit(self._guarded, self._goodbye_then_end)
        else:
            self._ask(nxt, preamble=preamble)
        return True

    def _asks_follow_up(self, turn: Turn, reason: str) -> bool:
        """A follow-up comes after an answer to a script's question, never after a reply,
        the closing question, Esc or a lost microphone."""
        return (self.settings.asks_follow_ups and not turn.is_follow_up and not turn.is_closing
                and reason not in ("cancelled", "device"))

    def _start_llm_follow_up(self, turn: Turn, transcript: Transcript,
                             reason: str) -> tuple[Future[Any], threading.Event] | None:
        """Ask the local model for a follow-up on a worker; the conversation waits for it
        only until the budget from Stop runs out (``_follow_up_for``)."""
        if not (self.settings.llm_enabled and self._asks_follow_up(turn, reason) and transcript.words):
            return None
        from models.llm_follow_up import FollowUpAsker

        cancel = threading.Event()
        asker = FollowUpAsker(self.settings.ollama_host, self.settings.llm_model,
                              allow_remote=self.settings.llm_allow_remote or None,
                              budget_s=self.settings.follow_up_budget_s)
        future = self._pool.submit(asker.ask, turn.question, transcript, self.interviewer.tone, cancel)
        return future, cancel

    def _llm_choice(self, pending: tuple[Future[Any], threading.Event], stopped_at: float,
                    asked: set[str]) -> tuple[FollowUpChoice | None, str]:
        """The local model's follow-up if it came within the budget and is grounded; else
        None and why not (said after the script's follow-up's reason)."""
        from models.coach.follow_up_choice import FollowUpChoice
        from models.ollama_call import OllamaFailure

        future, cancel = pending
        budget = self.settings.follow_up_budget_s
        try:
            follow_up = future.result(timeout=max(0.0, stopped_at + budget - time.monotonic()))
        except FutureTimeout:
            cancel.set()  # cuts the connection: the server drops the request
            return None, f"the local model gave none within {budget:g} s"
        except OllamaFailure as failure:
            if failure.code != "ungrounded":
                return None, f"no follow-up from the local model: {failure.reason}"
            with self._lock:
                self.llm_follow_ups_dropped += 1
                dropped = self.llm_follow_ups_dropped
            self.listener.notice(f"The local model's follow-up quoted nothing you said, so it was "
                                 f"dropped ({dropped} so far); the script's follow-up is asked instead.")
            return None, "the local model's follow-up quoted nothing you said"
        except Exception as exc:  # noqa: BLE001 - the script's follow-up is asked whatever went wrong
            return None, f"no follow-up from the local model: {exc}"
        if follow_up.question in asked:
            return None, "the local model repeated a follow-up already asked"
        return FollowUpChoice(follow_up.question, follow_up.reason, "llm"), ""

    def _follow_up_for(self, turn: Turn, attempt_id: int | None, answer: CoachedAnswer,
                       reason: str, moved_on: threading.Event, stopped_at: float,
                       pending: tuple[Future[Any], threading.Event] | None = None) -> Turn | None:
        """The follow-up to ask after this answer, if any: the local model's when it gave a
        grounded one within the budget, else the script's."""
        from models.coach.follow_up_choice import choose_follow_up, reply_question

        if not self._asks_follow_up(turn, reason) or attempt_id is None:
            if pending is not None:
                pending[1].set()
            return None
        with self._lock:
            if self._ending or self._closed or moved_on.is_set():
                if pending is not None:
                    pending[1].set()
                return None
            asked = self._asked_follow_ups.setdefault(turn.question.id, set())
        choice, missed = self._llm_choice(pending, stopped_at, asked) if pending else (None, "")
        if choice is None:
            choice = choose_follow_up(turn.question, answer.feedback, asked)
            if choice is not None and missed:
                choice = replace(choice, reason=f"{choice.reason} ({missed})")
        if choice is None:
            with self._lock:
                told, self._told_no_follow_ups = self._told_no_follow_ups, True
            if not told:
                self.listener.notice("No follow-up for this question: its script has none left "
                                     "to ask, so the interviewer moves on.")
            return None
        with self._lock:
            asked.add(choice.text)
        return Turn(reply_question(turn.question, choice.text, answer.feedback),
                    asked_by=choice.asked_by, parent=turn.question, follow_up_to=attempt_id,
                    reason=choice.because)

    def _fold_into_parent(self, turn: Turn, attempt_id: int, reply: Feedback | None) -> None:
        """Mark on the answer a follow-up followed up what its reply covered, and save it."""
        from models.coach.follow_up_fold import fold_follow_up

        parent_id = turn.follow_up_to
        if parent_id is None or reply is None:
            return
        try:
            folded = self.store.change_feedback(
                parent_id, lambda stored: None if stored is None else fold_follow_up(stored, reply, attempt_id))
        except USER_ERRORS as exc:
            self.listener.error(f"{exc}; the answer's feedback is kept as it was")
            return
        if folded is not None:
            self.listener.follow_up_folded(parent_id, folded)

    def _interject(self) -> None:
        """Say the interjection that cuts a long answer; whatever comes next waits for it."""
        with self._lock:
            line = self.interviewer.interjection(self._interjections)
            self._interjections += 1
        self.listener.interviewer_said(line)
        if self.settings.speak_questions:
            self._speech = self._pool.submit(self._guarded, self._speak, line, None)

    def _wait_interjection(self) -> None:
        speech, self._speech = self._speech, None
        if speech is not None:
            with contextlib.suppress(Exception):
                speech.result(timeout=30)

    def _goodbye_then_end(self) -> None:
        with self._lock:
            if self._ending:
                return
            generation = self._generation
        line = self.interviewer.goodbye()
        self.listener.interviewer_said(line)
        if self.settings.speak_questions:
            with contextlib.suppress(*USER_ERRORS):
                self._speak(line, generation)
        self.end()

    def _refine(self, question: Question, attempt_id: int | None, answer: CoachedAnswer,
                source: LiveResult, moved_on: threading.Event) -> tuple[CoachedAnswer, bool]:
        """The second pass: the accurate transcript (decoded while the candidate spoke, so
        only the stretch open at Stop is left), coached again and saved in place of the
        live one; the LLM reviews this one. Also whether it was saved (the answer reached
        its ``refined`` stage)."""
        from models.answer_pipeline import refine

        assert self._transcriber is not None
        try:
            refined = refine(question, self._transcriber, answer, source,
                             should_stop=lambda: self._closed)
        except USER_ERRORS as exc:
            # The live transcript is saved already; it stays the answer's transcript.
            self.listener.error(f"{exc}; the feedback above stays as it is")
            return answer, False
        if refined is None:
            return answer, False
        saved = True
        if attempt_id is not None:
            try:
                refined = replace(refined, feedback=self._save_keeping_marks(
                    attempt_id, refined.feedback, refined.models, transcript=refined.transcript,
                    stage="refined"))
            except StoreError as exc:
                saved = False
                self._not_kept(exc, "the refined feedback is shown but not saved; the feedback "
                                    "saved at Stop stays, and the next start refines it again")
        with self._lock:
            if self.last_attempt_id == attempt_id:
                self.last_feedback = refined.feedback
        if not moved_on.is_set():
            self.listener.transcript_refined(attempt_id or 0, refined.feedback)
        return refined, saved

    def _run_llm(self, question: Question, attempt_id: int | None, answer: CoachedAnswer,
                 cancel: threading.Event, stage: str | None = None) -> Feedback:
        from models.answer_pipeline import add_llm_review
        from models.llm_coach import LLMCoach

        coach = LLMCoach(host=self.settings.ollama_host, model=self.settings.llm_model,
                         allow_remote=self.settings.llm_allow_remote or None)
        reviewed = add_llm_review(question, answer, coach, on_text=self.listener.llm_text,
                                  cancel=cancel)
        if attempt_id is not None:
            try:
                reviewed = replace(reviewed, feedback=self._save_keeping_marks(
                    attempt_id, reviewed.feedback, reviewed.models, stage=stage))
            except StoreError as exc:
                self._not_kept(exc, "the local LLM's review is shown but not saved; the feedback "
                                    "saved before stays, and the next start reviews it again")
        with self._lock:
            if self.last_attempt_id == attempt_id:  # not an earlier answer's late review
                self.last_feedback = reviewed.feedback
        self.listener.llm_done(attempt_id or 0, reviewed.feedback)
        return reviewed.feedback

    def _not_kept(self, exc: BaseException, what: str) -> None:
        """A save that failed: said in one line with what became of the answer, and
        counted, so the command that asked for it exits non-zero."""
        message = f"{exc}; {what}"
        with self._lock:
            self.not_kept.append(message)
        self.listener.error(message)

    def _save_keeping_marks(self, attempt_id: int, feedback: Feedback, models: Any,
                            transcript: Any = None, stage: str | None = None) -> Feedback:
        """Save the answer coached again without losing the candidate's marks ("I did cover
        this"), which they may have made on the saved feedback meanwhile, even after moving
        on to the next question; ``stage``, the stage the save reaches. Returns what was
        saved."""
        from models.coach.follow_up_fold import keep_follow_up
        from models.coach.overrides import keep_stored_marks

        # Read and written in one transaction: a mark saved meanwhile cannot slip between.
        # What a follow-up's reply covered stays marked too.
        return self.store.change_feedback(
            attempt_id, lambda stored: keep_follow_up(stored, keep_stored_marks(stored, feedback)),
            models, transcript=transcript, stage=stage)

    def _finish_interview(self) -> None:
        with self._lock:
            if self.phase == Phase.RECORDING:
                self.stop_answer(reason="cancelled")
        self.wait_idle()
        with self._lock:
            if self.session_id is not None:
                try:
                    self.store.end_session(self.session_id)
                except USER_ERRORS as exc:
                    # Only the session's end time is missing; its answers were saved (or
                    # counted as not kept) already, and the interview still ends.
                    self.listener.error(str(exc))
            self._set_phase(Phase.FINISHED)
        self.listener.interview_finished(self.session_id or 0)
