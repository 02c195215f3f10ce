"""Replay one saved answer: the recording with its transcript following word by word.

The current word is highlighted and kept in view; a click on a word, a structure span
or a timeline marker jumps there. Space plays and pauses, ←/→ move 5 s, and the clock
band shows where the answer stood against its time guide at that moment.

Nothing here waits on the disk or the sound card on the GUI thread: the recording is
decoded on a worker, and every play, seek and stop goes to one audio thread in order
(a PortAudio stream can take a while to open or abort). A timer polls the player's
position, which is a plain attribute read.

Speed: another speed plays the recording time-stretched (``audio.time_stretch``, WSOLA),
so the voice keeps its pitch. The stretch is made on the audio thread, once per speed
(about a second for a 10-minute answer), and carries the map from the stretched audio's
time back to the recording's, which the cursor and every seek go through.

An answer and its follow-up are one thread: replaying an answer whose follow-up was
asked offers "Play the follow-up", which loads the reply (found and read on a worker)
and plays it.
"""

from __future__ import annotations

import bisect
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.conversation import attempt_label
from app.store import AttemptRow, Store
from app.ui.widgets.answer_timeline import Marker, StageSpan
from app.ui.widgets.clock_band import ClockBand
from app.ui.widgets.replay_timeline import ReplayTimeline
from app.ui.workers import run_in_background
from audio.time_stretch import Stretched, identity, stretch_map
from interview_scripts.time_guide import TimeGuide, format_clock
from models.coach.feedback_model import Feedback, TranscriptData

SPEEDS = (0.75, 1.0, 1.25, 1.5, 2.0)
STEP_S = 5.0
POLL_MS = 30
SPEED_NOTE = "Played faster or slower at the voice's own pitch."


@dataclass(frozen=True)
class TimedWord:
    text: str
    start_s: float
    end_s: float
    first_char: int
    last_char: int  # one past the word's last character


def words_of(transcript: TranscriptData) -> tuple[str, list[TimedWord]]:
    """The transcript as one text and its words with their character spans."""
    parts: list[str] = []
    words: list[TimedWord] = []
    offset = 0
    for word in transcript.words:
        text = word.word.strip()
        if not text:
            continue
        if parts:
            parts.append(" ")
            offset += 1
        words.append(TimedWord(text, word.start_s, max(word.end_s, word.start_s), offset,
                               offset + len(text)))
        parts.append(text)
        offset += len(text)
    return "".join(parts), words


def word_at_time(starts: list[float], seconds: float) -> int:
    """The index of the word being said at ``seconds``: the last one started (-1: none yet)."""
    return bisect.bisect_right(starts, seconds) - 1


class _AudioThread:
    """Runs the player's calls one after another, off the GUI thread."""

    def __init__(self, player_factory: Callable[[], Any]) -> None:
        self._factory = player_factory
        self.player: Any = None
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.queued = 0  # written by the GUI thread only
        self.done = 0  # written by the audio thread only
        self.error: str | None = None
        # What the player was last given (written by the audio thread, before ``done``
        # counts the job): maps the player's seconds back to the recording's.
        self.playing_map: Stretched | None = None
        self._thread = threading.Thread(target=self._run, name="greenroom-replay-audio",
                                        daemon=True)
        self._thread.start()

    @property
    def settled(self) -> bool:
        return self.done >= self.queued

    def submit(self, job: Callable[[], None]) -> int:
        """Queue ``job``; its ticket tells it later whether anything was queued after it."""
        self.queued += 1
        self._jobs.put(job)
        return self.queued

    def superseded(self, ticket: int) -> bool:
        """A play, pause or seek came after job ``ticket``: it need not start a sound."""
        return self.queued != ticket

    def close(self) -> None:
        self.submit(self._stop)
        self._jobs.put(None)

    def _stop(self) -> None:
        if self.player is not None:
            self.player.stop()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                if self.player is None:
                    self.player = self._factory()
                job()
            except Exception as exc:  # noqa: BLE001 - shown in the view, never raised in a thread
                self.error = str(exc)
            finally:
                self.done += 1


def _default_player() -> Any:
    from audio.playback import Player

    return Player()


def _load_audio(path: Path) -> tuple[np.ndarray, int]:
    from audio.playback import read_for_playback

    return read_for_playback(path)


class ReplayView(QWidget):
    positionChanged = Signal(float)  # noqa: N815 - Qt signal naming
    problem = Signal(str)
    ready = Signal()  # the recording is loaded and can play
    speedReady = Signal(float)  # noqa: N815 - the recording was stretched to this speed
    followUpFound = Signal()  # noqa: N815 - the shown answer's follow-up reply was read

    def __init__(self, player_factory: Callable[[], Any] | None = None,
                 parent: QWidget | None = None,
                 store_factory: Callable[[], Store] | None = None) -> None:
        super().__init__(parent)
        # Where an answer's follow-up reply is looked up; None: no follow-up is offered.
        self._store_factory = store_factory
        self.follow_up: AttemptRow | None = None
        self._play_when_ready = False
        self._loading = 0  # which read of a recording is the shown answer's
        self._audio_thread = _AudioThread(player_factory or _default_player)
        self._audio: np.ndarray | None = None
        self._rate = 16_000
        # Speed -> the recording at that speed; written on the audio thread only.
        self._stretched: dict[float, Stretched] = {}
        self._preparing = False
        self._heard_s = 0.0  # the player's own seconds behind the last position shown
        self._words: list[TimedWord] = []
        self._starts: list[float] = []
        self._duration = 0.0
        self._position = 0.0
        self._playing = False
        self._speed = 1.0
        self._current_word = -1
        self._attempt: AttemptRow | None = None

        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setObjectName("replayTitle")
        layout.addWidget(self.title)
        self.clock = ClockBand()
        self.clock.setMinimumHeight(110)
        self.clock.setMaximumHeight(130)
        layout.addWidget(self.clock)
        self.timeline = ReplayTimeline()
        self.timeline.momentRequested.connect(self.seek)
        layout.addWidget(self.timeline)

        controls = QHBoxLayout()
        self.back_button = QPushButton("−5 s")
        self.back_button.setToolTip("Back 5 seconds (←)")
        self.back_button.clicked.connect(lambda: self.step(-STEP_S))
        self.play_button = QPushButton("Play")
        self.play_button.setObjectName("replayPlay")
        self.play_button.setToolTip("Play or pause (Space)")
        self.play_button.clicked.connect(self.toggle)
        self.forward_button = QPushButton("+5 s")
        self.forward_button.setToolTip("Forward 5 seconds (→)")
        self.forward_button.clicked.connect(lambda: self.step(STEP_S))
        for button in (self.back_button, self.play_button, self.forward_button):
            # Space and the arrows belong to the replay, not to whichever button has focus.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            controls.addWidget(button)
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setObjectName("replayTime")
        controls.addWidget(self.time_label)
        controls.addStretch(1)
        controls.addWidget(QLabel("Speed"))
        self.speed_box = QComboBox()
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.set_speed(float(self.speed_box.itemData(i))))
        controls.addWidget(self.speed_box)
        self.follow_up_button = QPushButton("Play the &follow-up")
        self.follow_up_button.setObjectName("replayFollowUp")
        self.follow_up_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.follow_up_button.clicked.connect(self.play_follow_up)
        self.follow_up_button.setVisible(False)
        controls.addWidget(self.follow_up_button)
        layout.addLayout(controls)
        self.speed_note = QLabel(SPEED_NOTE)
        self.speed_note.setWordWrap(True)
        self.speed_note.setVisible(False)
        layout.addWidget(self.speed_note)

        self.transcript = QTextEdit()
        self.transcript.setObjectName("replayTranscript")
        self.transcript.setReadOnly(True)
        self.transcript.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.transcript.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.transcript.viewport().installEventFilter(self)
        self.transcript.setToolTip("Click a word to hear it")
        layout.addWidget(self.transcript, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        for key, action in ((Qt.Key.Key_Space, self.toggle),
                            (Qt.Key.Key_Left, lambda: self.step(-STEP_S)),
                            (Qt.Key.Key_Right, lambda: self.step(STEP_S))):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.speedReady.connect(self._speed_ready)  # emitted on the audio thread: queued
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._set_enabled(False)

    # ------------------------------------------------------------------ loading
    def load(self, attempt: AttemptRow) -> None:
        """Show ``attempt`` and read its recording on a worker (``ready`` follows)."""
        self.stop()
        self._attempt = attempt
        self.follow_up = None
        self.follow_up_button.setVisible(False)
        self._look_for_follow_up(attempt)
        feedback = attempt.feedback or Feedback(
            question_id=attempt.question_id,
            transcript=TranscriptData.model_validate(attempt.transcript or {}))
        text, self._words = words_of(feedback.transcript)
        self._starts = [w.start_s for w in self._words]
        self._duration = max(feedback.duration_s, attempt.duration_s or 0.0,
                             self._words[-1].end_s if self._words else 0.0)
        self.title.setText(attempt_label(attempt))
        self.transcript.setPlainText(text or "(nothing was transcribed)")
        guide = feedback.time_guide
        self.clock.set_guide(TimeGuide(guide.min_s, guide.max_s, guide.text) if guide else None)
        self._fill_timeline(feedback)
        self._current_word = -1
        self._show_position(0.0)
        self._audio = None
        self._stretched.clear()
        self._set_enabled(False)
        # A recording read for an answer shown before this one (a slow disk, quick clicks)
        # must not be played as this one's: each read is checked against the answer shown.
        self._loading += 1
        loading = self._loading
        path = attempt.audio_path
        if path is None:
            self.status.setText("This answer has no recording to replay.")
            return
        self.status.setText("Loading the recording…")
        run_in_background(lambda: _load_audio(path), lambda loaded: self._audio_loaded(loading, loaded),
                          lambda message: self._audio_failed(loading, message), owner=self)

    def _audio_loaded(self, loading: int, loaded: tuple[np.ndarray, int]) -> None:
        if loading != self._loading:
            return  # another answer's recording is on its way
        self._audio, self._rate = loaded
        self._duration = max(self._duration, self._audio.size / self._rate)
        self._stretched = {1.0: identity(self._audio, self._rate)}
        self.status.setText("")
        self._set_enabled(True)
        if self._speed != 1.0:
            self._prepare(self._speed)
        self._show_position(self._position)
        self.ready.emit()
        if self._play_when_ready:
            self._play_when_ready = False
            self.play()

    def _look_for_follow_up(self, attempt: AttemptRow) -> None:
        factory = self._store_factory
        if factory is None or attempt.is_follow_up:
            return
        answer_id, session_id = attempt.id, attempt.session_id

        def find() -> AttemptRow | None:
            # On a worker: the latest reply that follows this answer up, read in full.
            replies = [b for b in factory().list_briefs(session_id=session_id, oldest_first=True)
                       if b.follow_up_to == answer_id]
            return factory().get_attempt(replies[-1].id) if replies else None

        def found(reply: AttemptRow | None) -> None:
            if reply is None or self._attempt is None or self._attempt.id != answer_id:
                return  # none asked, or another attempt is shown by now
            self.follow_up = reply
            self.follow_up_button.setToolTip(f"Asked next: {reply.question_text}")
            self.follow_up_button.setVisible(True)
            self.followUpFound.emit()

        run_in_background(find, found, self.problem.emit, owner=self)

    def play_follow_up(self) -> None:
        """Replay the shown answer's follow-up reply, from its start, once it is loaded."""
        reply = self.follow_up
        if reply is None:
            return
        self._position = 0.0
        self._play_when_ready = reply.audio_path is not None
        self.load(reply)

    def _audio_failed(self, loading: int, message: str) -> None:
        if loading != self._loading:
            return
        self._play_when_ready = False
        self.status.setText(f"The recording cannot be played: {message}")
        self.problem.emit(message)

    def _fill_timeline(self, feedback: Feedback) -> None:
        spans = [StageSpan(s.name, s.start_s, s.end_s, i)
                 for i, s in enumerate(feedback.structure.stages)
                 if s.present and s.start_s is not None and s.end_s is not None]
        markers = [Marker(item.start_s, "filler", f"“{item.word}”") for item in feedback.fillers.items]
        markers += [Marker(n.at_s, "note", n.message) for n in feedback.notes if n.at_s is not None]
        pauses = [(p.start_s, p.end_s) for p in feedback.pauses]
        self.timeline.set_data(self._duration, spans, pauses, markers)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.play_button, self.back_button, self.forward_button, self.speed_box):
            widget.setEnabled(enabled)

    # ------------------------------------------------------------------ playing
    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def position(self) -> float:
        """Seconds into the recording, as the view shows it."""
        return self._position

    @property
    def words(self) -> list[TimedWord]:
        return list(self._words)

    @property
    def current_word(self) -> int:
        return self._current_word

    @property
    def heard_s(self) -> float:
        """The player's own time (seconds of the audio it plays, stretched or not) that the
        position on show was mapped from."""
        return self._heard_s

    def source_s(self, player_s: float) -> float:
        """The recording's time of the player's ``player_s`` at the speed now playing."""
        mapping = self._audio_thread.playing_map
        return player_s if mapping is None else mapping.source_s(player_s)

    def player_position(self) -> float | None:
        """Where the player is (seconds of the recording), or None while it is not playing."""
        player = self._audio_thread.player
        if not self._playing or player is None or not self._audio_thread.settled:
            return None
        return self.source_s(float(player.heard_s))

    def play(self) -> None:
        if self._audio is None:
            return
        if self._position >= self._duration - 0.05:
            self._position = 0.0
        self._playing = True
        self.play_button.setText("Pause")
        self._start_audio(self._position)
        self._timer.start()

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self.play_button.setText("Play")
        self._timer.stop()
        self._audio_thread.submit(self._audio_thread._stop)

    def stop(self) -> None:
        self.pause()

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def step(self, seconds: float) -> None:
        self.seek(self._position + seconds)

    def seek(self, seconds: float) -> None:
        self._position = max(0.0, min(seconds, self._duration))
        self._show_position(self._position)
        if self._playing:
            self._start_audio(self._position)

    def set_speed(self, speed: float) -> None:
        self._speed = speed
        self.speed_note.setVisible(speed != 1.0)
        index = self.speed_box.findData(speed)
        if index >= 0 and index != self.speed_box.currentIndex():
            self.speed_box.setCurrentIndex(index)
        if self._playing:
            self._start_audio(self._position)
        elif self._audio is not None:
            self._prepare(speed)  # ready by the time Play is pressed

    def _stretch_job(self, speed: float) -> Callable[[], Stretched]:
        """A job for the audio thread: the recording at ``speed``, made once and kept."""
        original, rate, cache = self._audio, self._rate, self._stretched
        ready = self.speedReady

        def stretched() -> Stretched:
            found = cache.get(speed)
            if found is None:
                assert original is not None
                found = stretch_map(original, rate, speed)
                # Keep the recording and one other speed: a long answer's copies add up.
                for other in [s for s in cache if s not in (1.0, speed)]:
                    del cache[other]
                cache[speed] = found
                ready.emit(speed)
            return found

        return stretched

    def _note_preparing(self, speed: float) -> None:
        if speed not in self._stretched:
            self._preparing = True
            self.status.setText(f"Preparing {speed:g}× …")

    def _speed_ready(self, speed: float) -> None:
        if self._preparing and speed == self._speed:
            self._preparing = False
            self.status.setText("")

    def _prepare(self, speed: float) -> None:
        self._note_preparing(speed)
        make = self._stretch_job(speed)

        def prepare() -> None:
            make()

        self._audio_thread.submit(prepare)

    def _start_audio(self, at_s: float) -> None:
        audio_thread = self._audio_thread
        make = self._stretch_job(self._speed)
        self._note_preparing(self._speed)
        # Known before the job is queued: the audio thread may run it at once.
        ticket = audio_thread.queued + 1

        def start() -> None:
            stretched = make()
            if audio_thread.superseded(ticket):
                return  # a later play, pause or seek is queued: it decides what sounds
            audio_thread.playing_map = stretched
            audio_thread.player.play_array(stretched.samples, stretched.rate,
                                           start_s=stretched.output_s(at_s))

        audio_thread.submit(start)

    def _poll(self) -> None:
        thread = self._audio_thread
        if thread.error:
            message, thread.error = thread.error, None
            self.pause()
            self.status.setText(f"The recording cannot be played: {message}")
            self.problem.emit(message)
            return
        if not thread.settled or thread.player is None:
            return  # a play or seek is on its way; keep showing where it will start
        if not thread.player.is_playing:
            self._position = self._duration  # played to the end
            self._show_position(self._position)
            self.pause()
            return
        self._heard_s = float(thread.player.heard_s)
        self._position = min(self._duration, self.source_s(self._heard_s))
        self._show_position(self._position)

    # ------------------------------------------------------------------ showing
    def _show_position(self, seconds: float) -> None:
        self.clock.set_elapsed(seconds)
        self.timeline.set_playhead(seconds)
        self.time_label.setText(f"{format_clock(seconds)} / {format_clock(self._duration)}")
        self._highlight(word_at_time(self._starts, seconds + 1e-6))
        self.positionChanged.emit(seconds)

    def _highlight(self, index: int) -> None:
        if index == self._current_word:
            return
        self._current_word = index
        if index < 0 or index >= len(self._words):
            self.transcript.setExtraSelections([])
            return
        word = self._words[index]
        cursor = QTextCursor(self.transcript.document())
        cursor.setPosition(word.first_char)
        cursor.setPosition(word.last_char, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        fmt = QTextCharFormat()
        palette = self.palette()
        fmt.setBackground(palette.highlight())
        fmt.setForeground(palette.highlightedText())
        selection.format = fmt
        self.transcript.setExtraSelections([selection])
        # Keep the word in view as the answer goes on.
        view_cursor = QTextCursor(cursor)
        view_cursor.clearSelection()
        self.transcript.setTextCursor(view_cursor)
        self.transcript.ensureCursorVisible()

    def word_rect_center(self, index: int) -> Any:
        """Where word ``index`` is drawn, in the transcript viewport (for clicks)."""
        word = self._words[index]
        cursor = QTextCursor(self.transcript.document())
        cursor.setPosition(word.first_char + max(0, (word.last_char - word.first_char) // 2))
        return self.transcript.cursorRect(cursor).center()

    def word_at_char(self, char: int) -> int:
        firsts = [w.first_char for w in self._words]
        return max(0, bisect.bisect_right(firsts, char) - 1) if self._words else -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.transcript.viewport() and event.type() == QEvent.Type.MouseButtonRelease:
            char = self.transcript.cursorForPosition(event.position().toPoint()).position()
            index = self.word_at_char(char)
            if index >= 0:
                self.seek(self._words[index].start_s)
                return True
        return super().eventFilter(watched, event)

    def shutdown(self) -> None:
        """Stop the sound and end the audio thread (the view's owner calls this on close)."""
        self._timer.stop()
        self._playing = False
        self._audio_thread.close()


class ReplayDialog(QDialog):
    """A window of its own for one replay; the sound stops when it closes."""

    def __init__(self, attempt: AttemptRow, player_factory: Callable[[], Any] | None = None,
                 parent: QWidget | None = None,
                 store_factory: Callable[[], Store] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Replay — Greenroom")
        self.resize(900, 640)
        layout = QVBoxLayout(self)
        self.view = ReplayView(player_factory, store_factory=store_factory)
        layout.addWidget(self.view)
        self.view.load(attempt)
        self.view.setFocus()

    def done(self, result: int) -> None:
        self.view.shutdown()
        super().done(result)


__all__ = ["SPEEDS", "ReplayDialog", "ReplayView", "TimedWord", "word_at_time", "words_of"]
