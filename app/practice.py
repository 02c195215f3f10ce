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
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import paths
from app.errors import USER_ERRORS, GreenroomError, StoreError
from app.store import Store
from audio.mic_permission import SilentStartCheck
from interview_scripts.script import InterviewScript, Question
from interview_scripts.time_guide import clock_band
from models.coach.feedback_model import Feedback
from models.errors import ModelError
from models.transcript import Transcript

if TYPE_CHECKING:
    # Imported for their types only: loading them at start-up would pull in PortAudio,
    # ONNX and CTranslate2 before the window shows.
    from audio.playback import Player
    from audio.recorder import Recorder
    from audio.sources import AudioSource
    from models.answer_pipeline import CoachedAnswer, LiveResult
    from models.live_transcription import LiveTranscriber
    from models.transcriber import Transcriber

TICK_S = 0.1
# Silence auto-stop only arms once the candidate has spoken for this long, so a slow
# start is not mistaken for the end of an answer.
MIN_SPEECH_BEFORE_AUTOSTOP_S = 1.0


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
    mock: bool = False


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
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="greenroom-practice")
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

    # ----------------------------------------------------------------- properties
    @property
    def question(self) -> Question:
        return self.questions[self.index]

    # ------------------------------------------------------------------- actions
    def begin(self) -> None:
        with self._lock:
            self.session_id = self.store.create_session(self.script.id, self.script.title)
        # Load the speech model while the question is read out, so Stop is never
        # followed by a cold model load.
        self._pool.submit(self._warm_transcriber)
        self._show_question()

    def replay_question(self) -> None:
        with self._lock:
            if self._ending or self.phase in (Phase.RECORDING, Phase.PROCESSING):
                return
        self._show_question(speak_only=True)

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

    def stop_answer(self, reason: str = "user") -> None:
        with self._lock:
            if self.phase != Phase.RECORDING or self._recorder is None:
                return
            self._set_phase(Phase.PROCESSING)
            recorder, live, attempt_id = self._recorder, self._live, self._attempt_id
            self._recorder = None
            question = self.question
            future = self._pool.submit(self._guarded, self._stop_and_process, question, attempt_id,
                                       recorder, live, reason)
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
        self._show_question()
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

    def _show_question(self, speak_only: bool = False) -> None:
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._stop_player()
            question = self.question
            if not speak_only:
                self.listener.question_shown(self.index, len(self.questions), question)
            if self.settings.speak_questions:
                self._set_phase(Phase.SPEAKING)
        self._pool.submit(self._guarded, self._speak_then_record, generation, question, not speak_only)

    def _speak_then_record(self, generation: int, question: Question, then_record: bool) -> None:
        if self.settings.speak_questions:
            try:
                self._speak(question.text, generation)
            except USER_ERRORS as exc:
                # Reading aloud is a convenience: the question is on screen, carry on.
                self.listener.error(f"{exc} (the question is shown on screen instead)")
        if then_record:
            self._think_then_record(generation)
        else:
            with self._lock:
                if generation == self._generation and self.phase == Phase.SPEAKING:
                    self._set_phase(Phase.IDLE)

    def _speak(self, text: str, generation: int) -> None:
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
        if generation != self._generation:
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
            question, session_id = self.question, self.session_id
        try:
            self._open_recording(question, session_id, generation, Recorder, LiveTranscriber)
        finally:
            with self._lock:
                self._opening = False

    def _open_recording(self, question: Question, session_id: int | None, generation: int,
                        recorder_type: type[Recorder], live_type: type[LiveTranscriber]) -> None:
        """Opens the device outside the lock: PortAudio may take seconds, and every user
        action needs the lock."""
        assert session_id is not None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        folder = paths.ensure_private_dir(paths.recordings_dir() / f"session-{session_id}")
        wav_path = folder / f"{question.id}-{stamp}.wav"
        # The attempt row exists before the first sample is written, so no recording is
        # ever on disk without one.
        try:
            attempt_id = self.store.start_attempt(session_id, self.script.id, question.id,
                                                  question.text, wav_path)
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
                reason = "device_lost"
                self.listener.error(str(recorder.error))
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

    def _preload_llm(self) -> None:
        try:
            from models.llm_coach import LLMCoach

            LLMCoach(host=self.settings.ollama_host, model=self.settings.llm_model,
                     allow_remote=self.settings.llm_allow_remote or None).preload()
        except Exception:  # noqa: BLE001 - preloading is an optimisation; coaching reports real failures
            pass

    def _stop_and_process(self, question: Question, attempt_id: int | None, recorder: Recorder,
                          live: LiveTranscriber, reason: str) -> None:
        from models.answer_pipeline import LiveResult, coach_recording

        source: LiveResult | None = None
        try:
            result = recorder.stop()
        except Exception:
            live.cancel()
            with self._lock:
                self._set_phase(Phase.FEEDBACK)
            raise
        if result.error and reason == "user":
            reason = "device_lost"
        self.listener.recording_stopped(float(result.duration_s), reason)
        transcriber = self._transcriber
        assert transcriber is not None  # recording only starts once it is loaded
        try:
            try:
                transcript = live.finish()
                audio, probabilities = live.audio_and_probabilities()
                source = LiveResult(transcript, audio, probabilities)
                answer = coach_recording(question, transcriber, live=source,
                                         duration_s=float(result.duration_s))
            except ModelError as exc:
                source = None
                # The live path failed: transcribe the file on disk instead.
                self.listener.error(f"{exc}; transcribing the saved recording instead")
                answer = coach_recording(question, transcriber, path=result.path,
                                         duration_s=float(result.duration_s))
            self.listener.transcript_ready(answer.transcript)
            if attempt_id is not None:
                self.store.finish_attempt(attempt_id, float(result.duration_s), answer.transcript,
                                          answer.feedback, answer.models)
        except Exception as exc:  # noqa: BLE001 - never lose the answer over a failed step
            self._report(exc)
            if attempt_id is not None:
                # The recording is complete and kept; it simply has no feedback yet
                # (`greenroom feedback AUDIO` can coach it later).
                with contextlib.suppress(*USER_ERRORS):
                    self.store.finish_attempt(attempt_id, float(result.duration_s), None, None, {})
            with self._lock:
                self._set_phase(Phase.FEEDBACK)
            return
        with self._lock:
            self.last_attempt_id = attempt_id
            self.last_feedback = answer.feedback
            self._set_phase(Phase.FEEDBACK)
            # This answer's own events (the next recording makes new ones, which must not
            # revive this answer's review): set when the candidate redoes or moves on, and,
            # for the review, also when they stop waiting for it.
            moved_on, cancel_review = self._moved_on, self._llm_cancel
        self.listener.feedback_ready(attempt_id or 0, answer.feedback)
        if source is not None:
            answer = self._refine(question, attempt_id, answer, source, moved_on)
        if self.settings.llm_enabled:
            self._run_llm(question, attempt_id, answer, cancel_review)

    def _refine(self, question: Question, attempt_id: int | None, answer: CoachedAnswer,
                source: LiveResult, moved_on: threading.Event) -> CoachedAnswer:
        """The second pass: the whole answer transcribed accurately, coached again and
        saved in place of the live transcript; the LLM reviews this one."""
        from models.answer_pipeline import refine

        assert self._transcriber is not None
        try:
            refined = refine(question, self._transcriber, answer, source,
                             should_stop=lambda: self._closed)
        except USER_ERRORS as exc:
            # The live transcript is saved already; it stays the answer's transcript.
            self.listener.error(f"{exc}; the feedback above stays as it is")
            return answer
        if refined is None:
            return answer
        if attempt_id is not None:
            refined = replace(refined, feedback=self._save_keeping_marks(
                attempt_id, refined.feedback, refined.models, transcript=refined.transcript))
        with self._lock:
            if self.last_attempt_id == attempt_id:
                self.last_feedback = refined.feedback
        if not moved_on.is_set():
            self.listener.transcript_refined(attempt_id or 0, refined.feedback)
        return refined

    def _run_llm(self, question: Question, attempt_id: int | None, answer: CoachedAnswer,
                 cancel: threading.Event) -> None:
        from models.answer_pipeline import add_llm_review
        from models.llm_coach import LLMCoach

        coach = LLMCoach(host=self.settings.ollama_host, model=self.settings.llm_model,
                         allow_remote=self.settings.llm_allow_remote or None)
        reviewed = add_llm_review(question, answer, coach, on_text=self.listener.llm_text,
                                  cancel=cancel)
        if attempt_id is not None:
            reviewed = replace(reviewed, feedback=self._save_keeping_marks(
                attempt_id, reviewed.feedback, reviewed.models))
        with self._lock:
            if self.last_attempt_id == attempt_id:  # not an earlier answer's late review
                self.last_feedback = reviewed.feedback
        self.listener.llm_done(attempt_id or 0, reviewed.feedback)

    def _save_keeping_marks(self, attempt_id: int, feedback: Feedback, models: Any,
                            transcript: Any = None) -> Feedback:
        """Save the answer coached again without losing the candidate's marks ("I did cover
        this"), which they may have made on the saved feedback meanwhile, even after moving
        on to the next question. Returns what was saved."""
        from models.coach.overrides import keep_stored_marks

        # Read and written in one transaction: a mark saved meanwhile cannot slip between.
        return self.store.change_feedback(attempt_id, lambda stored: keep_stored_marks(stored, feedback),
                                          models, transcript=transcript)

    def _finish_interview(self) -> None:
        with self._lock:
            if self.phase == Phase.RECORDING:
                self.stop_answer(reason="cancelled")
        self.wait_idle()
        with self._lock:
            if self.session_id is not None:
                self.store.end_session(self.session_id)
            self._set_phase(Phase.FINISHED)
        self.listener.interview_finished(self.session_id or 0)
