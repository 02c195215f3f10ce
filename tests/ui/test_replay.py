"""Replay: a known recording played through the real player into the virtual microphone's
sink, with the transcript following it. The attempt comes from the schema-1 fixture
database, migrated, so a replay of an answer saved before summaries existed is covered."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from app.store import AttemptRow, Store
from app.ui.replay_view import ReplayView, word_at_time, words_of
from audio.audio_file import write_wav_16k
from audio.time_stretch import TOLERANCE_S
from models.coach.feedback_model import TranscriptData

pytestmark = [pytest.mark.audio]

FIXTURE_V1 = Path(__file__).parents[1] / "fixtures" / "store-v1.sqlite3"
FOLLOW_S = 0.3  # the highlighted word is the one at the playback position, within this
SEEK_S = 0.2  # a click lands playback this close to the word's or marker's time


def known_recording(attempt: AttemptRow, path: Path) -> Path:
    """A burst of noise where each transcript word is said, silence between: the audio
    the transcript's word times describe."""
    assert attempt.feedback is not None
    words = attempt.feedback.transcript.words
    rate = 16_000
    rng = np.random.default_rng(7)
    audio = 0.002 * rng.standard_normal(int((attempt.duration_s or 30.0) * rate) + rate)
    for w in words:
        a, b = int(w.start_s * rate), int(w.end_s * rate)
        audio[a:b] += 0.2 * rng.standard_normal(b - a)
    return write_wav_16k(path, audio.astype(np.float32))


@pytest.fixture
def attempt(tmp_path: Path) -> AttemptRow:
    db = tmp_path / "sessions.sqlite3"
    db.write_bytes(FIXTURE_V1.read_bytes())
    saved = Store(db, recordings_dir=tmp_path).get_attempt(1)  # migrated from schema 1
    assert saved.audio_path == Path("answer-1.wav") and saved.summary is not None
    return dataclasses.replace(saved, audio_path=known_recording(saved, tmp_path / "answer-1.wav"))


@pytest.fixture
def view(qtbot, virtual_mic: str, attempt: AttemptRow) -> Iterator[ReplayView]:
    replay = ReplayView()
    qtbot.addWidget(replay)
    replay.resize(700, 420)
    replay.transcript.setFixedHeight(44)  # short enough that the transcript has to scroll
    replay.show()
    qtbot.waitExposed(replay)
    replay.activateWindow()
    replay.setFocus()
    with qtbot.waitSignal(replay.ready, timeout=10_000):
        replay.load(attempt)
    yield replay
    replay.shutdown()
    qtbot.waitUntil(lambda: replay._audio_thread.settled, timeout=5_000)


def wait_playing(qtbot, view: ReplayView) -> float:
    qtbot.waitUntil(lambda: view.player_position() is not None, timeout=5_000)
    position = view.player_position()
    assert position is not None
    return position


def test_words_and_their_times() -> None:
    text, words = words_of(TranscriptData.model_validate({"words": [
        {"word": " I", "start_s": 0.5, "end_s": 0.6}, {"word": " led", "start_s": 0.7, "end_s": 1.0},
        {"word": " it.", "start_s": 1.1, "end_s": 1.3}]}))
    assert text == "I led it."
    assert [(w.first_char, w.last_char) for w in words] == [(0, 1), (2, 5), (6, 9)]
    starts = [w.start_s for w in words]
    assert [word_at_time(starts, t) for t in (0.0, 0.5, 0.95, 1.1, 9.0)] == [-1, 0, 1, 2, 2]


def test_the_highlighted_word_follows_playback_and_the_view_scrolls(qtbot, view: ReplayView) -> None:
    starts = [w.start_s for w in view.words]
    view.seek(2.0)
    view.play()
    wait_playing(qtbot, view)
    samples = 0
    deadline = time.monotonic() + 6.0
    while time.monotonic() < deadline:
        qtbot.wait(90)
        position = view.player_position()
        if position is None:
            continue
        near = set(range(word_at_time(starts, position - FOLLOW_S),
                         word_at_time(starts, position + FOLLOW_S) + 1))
        assert view.current_word in near, (position, view.current_word, near)
        assert abs(view.position - position) <= FOLLOW_S
        samples += 1
    assert samples > 30
    assert view.position > 3.0, "playback did not move on"
    # The current word is on screen: the transcript scrolled with it.
    transcript = view.transcript
    assert transcript.verticalScrollBar().maximum() > 0
    assert transcript.viewport().rect().contains(transcript.cursorRect().center())
    # The clock band and the timeline's playhead move with it.
    assert view.clock.clock_text() == view.time_label.text().split(" / ")[0]
    assert view.timeline.playhead == pytest.approx(view.position, abs=0.1)


def test_clicking_a_word_a_marker_or_a_span_seeks_there(qtbot, view: ReplayView) -> None:
    view.play()
    wait_playing(qtbot, view)
    target = 36
    word = view.words[target]
    view.transcript.ensureCursorVisible()
    qtbot.mouseClick(view.transcript.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.word_rect_center(target))
    assert view.position == pytest.approx(word.start_s, abs=0.01)
    qtbot.waitUntil(lambda: view.player_position() is not None, timeout=5_000)
    assert view.player_position() == pytest.approx(word.start_s, abs=SEEK_S)
    qtbot.waitUntil(lambda: view.current_word >= target, timeout=3_000)

    timeline = view.timeline
    y = int(timeline._track().center().y())
    assert timeline.markers, "the fixture answer has timed notes"
    marker = timeline.markers[0]
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(timeline.marker_x(0)), y))
    assert view.position == pytest.approx(marker.at_s, abs=0.01)
    qtbot.waitUntil(lambda: view.player_position() is not None, timeout=5_000)
    assert view.player_position() == pytest.approx(marker.at_s, abs=SEEK_S)

    last = len(timeline.stages) - 1
    span = timeline.stages[last]
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(timeline.span_x(last)), y))
    assert view.position == pytest.approx(span.start_s, abs=0.01)
    qtbot.waitUntil(lambda: view.player_position() is not None, timeout=5_000)
    assert view.player_position() == pytest.approx(span.start_s, abs=SEEK_S)


def test_space_pauses_and_plays_and_the_arrows_move_five_seconds(qtbot, view: ReplayView) -> None:
    view.seek(10.0)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.playing
    wait_playing(qtbot, view)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert not view.playing
    qtbot.waitUntil(lambda: view._audio_thread.settled, timeout=5_000)
    assert not view._audio_thread.player.is_playing
    paused_at = view.position
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.position == pytest.approx(paused_at + 5.0)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.position == pytest.approx(paused_at - 5.0)
    QApplication.processEvents()


def test_at_twice_the_speed_the_cursor_is_the_recordings_time_of_what_the_player_plays(
        qtbot, view: ReplayView) -> None:
    """No clock involved: what the player has consumed of the stretched audio, mapped back,
    is the position shown, and the highlighted word is the one said at that moment."""
    assert not view.speed_note.isVisible()
    view.set_speed(2.0)
    assert view.speed_note.isVisible() and "pitch" in view.speed_note.text()
    assert "change" not in view.speed_note.text()
    view.seek(4.0)
    view.play()
    wait_playing(qtbot, view)
    player = view._audio_thread.player
    recording = view._stretched[1.0].samples
    # The player is given the stretched audio: half as many samples at the same rate.
    current = player._current
    assert current.audio.size / current.rate == pytest.approx(recording.size / 16_000 / 2, rel=0.01)
    # 4 s into the recording is 2 s into the stretched audio.
    assert current.start_frame / current.rate == pytest.approx(2.0, abs=0.02)
    starts = [w.start_s for w in view.words]
    qtbot.waitUntil(lambda: view.heard_s >= 1.9, timeout=5_000)  # polled from the player
    first_heard, first_position = view.heard_s, view.position
    for _ in range(8):
        before = view.heard_s
        qtbot.waitUntil(lambda b=before: view.heard_s > b + 0.25, timeout=10_000)
        # The position shown is the player's own seconds through the stretch's map: twice
        # them, give or take the frames' search tolerance.
        assert view.position == pytest.approx(2.0 * view.heard_s, abs=TOLERANCE_S + 0.002)
        assert view.current_word == word_at_time(starts, view.position + 1e-6)
    played = view.heard_s - first_heard
    assert played > 2.0
    assert view.position - first_position == pytest.approx(2.0 * played, abs=2 * TOLERANCE_S + 0.004)


def test_a_replay_can_be_opened_right_after_the_feedback(qtbot, attempt: AttemptRow,
                                                         tmp_path: Path) -> None:
    from app.practice import Phase, PracticeSession, PracticeSettings
    from app.ui.practice_screen import PracticeScreen
    from interview_scripts.loader import parse_script

    script = parse_script(f"""\
title: Incident leadership
role: Engineering manager
questions:
  - id: {attempt.question_id}
    text: {attempt.question_text}
    time_guide: 20-40 seconds
""", "incident.yaml")
    db = tmp_path / "sessions.sqlite3"  # the attempt fixture's store
    # Answers are saved with their recording's full path, as the practice flow saves them.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE attempts SET audio_path = ? WHERE id = ?",
                     (str(attempt.audio_path), attempt.id))
    store = Store(db, recordings_dir=tmp_path)
    assert attempt.feedback is not None
    for mock in (False, True):
        screen = PracticeScreen(store_factory=lambda: store)
        qtbot.addWidget(screen)
        screen.show()
        settings = PracticeSettings(speak_questions=False, llm_enabled=False, mock=mock)
        screen.settings = settings
        # A session as the flow holds it; its events are sent the way the flow sends them.
        screen.session = PracticeSession(script, script.questions, settings, screen.bridge,
                                         store=store)
        bridge = screen.bridge
        bridge.questionShown.emit(0, 1, script.questions[0])
        for phase in (Phase.RECORDING, Phase.PROCESSING):
            bridge.phaseChanged.emit(phase)
            assert not screen.replay_answer_button.isEnabled()
        bridge.phaseChanged.emit(Phase.FEEDBACK)
        assert not screen.replay_answer_button.isEnabled(), "no feedback shown yet"
        bridge.feedbackReady.emit(attempt.id, attempt.feedback)
        if mock:
            # Held back with the rest of the feedback until the report.
            assert not screen.replay_answer_button.isVisible()
            assert not screen.replay_answer_button.isEnabled()
            screen.replay_answer()
            assert getattr(screen, "replay_dialog", None) is None
            break
        assert screen.replay_answer_button.isVisible()
        assert screen.replay_answer_button.isEnabled()
        qtbot.mouseClick(screen.replay_answer_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda s=screen: getattr(s, "replay_dialog", None) is not None,
                        timeout=10_000)
        dialog = screen.replay_dialog
        qtbot.waitUntil(dialog.view.play_button.isEnabled, timeout=10_000)  # recording read
        assert dialog.view.title.text() == attempt.question_text
        assert [w.text for w in dialog.view.words][:3] == \
            [w.word.strip() for w in attempt.feedback.transcript.words][:3]
        assert dialog.view.status.text() == ""
        dialog.close()
        # The next question: nothing to replay until its answer's feedback is shown.
        bridge.questionShown.emit(0, 1, script.questions[0])
        bridge.phaseChanged.emit(Phase.IDLE)
        assert not screen.replay_answer_button.isEnabled()
        screen.session = None
        screen.close()


MAX_STALL_MS = 100


def test_the_gui_never_stalls_while_a_replay_plays_and_an_export_runs(
        qtbot, view: ReplayView, attempt: AttemptRow, tmp_path: Path) -> None:
    """A three-minute answer replayed time-stretched (each new speed is stretched while it
    plays) with PDF and HTML exports running: a heartbeat on the GUI thread never misses."""
    import gc

    from PySide6.QtCore import QElapsedTimer, QTimer

    from app.ui.history_view import HistoryView
    from audio.audio_file import read_audio_16k

    assert attempt.audio_path is not None
    spoken = read_audio_16k(attempt.audio_path)
    long_audio = np.tile(spoken, int(np.ceil(180 * 16_000 / spoken.size)))[:180 * 16_000]
    long_attempt = dataclasses.replace(
        attempt, duration_s=180.0,
        audio_path=write_wav_16k(tmp_path / "long.wav", long_audio.astype(np.float32)))
    with qtbot.waitSignal(view.ready, timeout=10_000):
        view.load(long_attempt)

    db = tmp_path / "export.sqlite3"
    db.write_bytes(FIXTURE_V1.read_bytes())
    store = Store(db, recordings_dir=tmp_path)
    history = HistoryView(store_factory=lambda: store)
    qtbot.addWidget(history)

    # As in the practice room's stall test: leave the suite's leftovers out of the
    # collector's walk, so what is measured is this work.
    gc.collect()
    gc.freeze()
    gaps: list[int] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(lambda: gaps.append(clock.restart()))
    clock.start()
    ticker.start()
    try:
        view.seek(1.0)
        view.play()  # replays, seeks, speeds and the export all start from the GUI thread
        qtbot.waitUntil(lambda: view.player_position() is not None, timeout=5_000)
        for fmt, speed in (("pdf", 1.5), ("html", 0.75), ("pdf", 2.0)):
            view.set_speed(speed)  # stretched on the audio thread while the export runs
            with qtbot.waitSignal(history.exported, timeout=30_000):
                history.export_session(1, tmp_path / f"out.{fmt}", fmt)
            view.seek(view.position + 1.0)
            qtbot.waitUntil(lambda: view.player_position() is not None, timeout=10_000)
        qtbot.wait(1000)
        assert view.playing
        playing = view._audio_thread.playing_map
        assert playing is not None and playing.speed == 2.0
        assert playing.duration_s == pytest.approx(90.0, rel=0.01)  # the stretched answer
    finally:
        ticker.stop()
        gc.unfreeze()
    assert (tmp_path / "out.pdf").stat().st_size > 0
    assert len(gaps) > 100
    assert max(gaps[1:]) <= MAX_STALL_MS, f"GUI stalled {max(gaps[1:])} ms"


class InstantPlayer:
    """Stands in for the speaker: notes what it was asked to play, and plays nothing."""

    def __init__(self) -> None:
        self.played: list[int] = []
        self.heard_s = 0.0
        self.position_s = 0.0
        self.is_playing = False

    def play_array(self, audio: np.ndarray, rate: int, **_: object) -> None:
        self.played.append(len(audio))
        self.is_playing = True

    def wait(self, timeout: float | None = None) -> bool:
        return True

    def stop(self) -> None:
        self.is_playing = False

    def close(self) -> None:
        pass


def stored_thread(tmp_path: Path) -> tuple[Store, int, int, int]:
    """A store holding an answer (3 s of recording) and its follow-up's reply (2 s)."""
    from tests.thread_helpers import answer_with_follow_up

    wavs = (tmp_path / "answer.wav", tmp_path / "reply.wav")
    for wav, seconds in zip(wavs, (3.0, 2.0), strict=True):
        write_wav_16k(wav, np.zeros(int(seconds * 16_000), dtype=np.float32))
    store = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session = store.create_session("ops", "Ops interview")
    answer, reply = answer_with_follow_up(store, session, audio=wavs)
    return store, session, answer, reply


def replay_view_of(qtbot, store: Store, players: list[InstantPlayer]) -> ReplayView:
    """A replay view over ``store`` whose speakers (one per play) are noted in ``players``."""
    view = ReplayView(player_factory=lambda: players.append(InstantPlayer()) or players[-1],
                      store_factory=lambda: store)
    qtbot.addWidget(view)
    return view


def test_replaying_an_answer_offers_its_follow_up_next(qtbot, tmp_path: Path) -> None:
    from tests.thread_helpers import FOLLOW_UP

    store, session, answer, reply = stored_thread(tmp_path)
    plain = store.start_attempt(session, "ops", "incident", "Tell me about an outage you led.", None)

    players: list[InstantPlayer] = []
    view = replay_view_of(qtbot, store, players)
    with qtbot.waitSignal(view.followUpFound, timeout=10_000):
        view.load(store.get_attempt(answer))
    assert not view.follow_up_button.isHidden()
    assert view.follow_up_button.text().replace("&", "") == "Play the follow-up"
    assert view.follow_up is not None and view.follow_up.id == reply
    assert view.follow_up_button.toolTip() == f"Asked next: {FOLLOW_UP}"

    # The reply is loaded and played from its start; it offers no follow-up of its own.
    with qtbot.waitSignal(view.ready, timeout=10_000):
        view.follow_up_button.click()
    assert view.title.text() == f"↳ Follow-up: {FOLLOW_UP}"
    assert view.playing and view.follow_up_button.isHidden()
    qtbot.waitUntil(lambda: bool(players) and players[-1].played == [2 * 16_000], timeout=5_000)
    view.pause()

    # An answer without a follow-up offers none.
    view.load(store.get_attempt(plain))
    qtbot.wait(300)
    assert view.follow_up is None and view.follow_up_button.isHidden()
    view.shutdown()
    qtbot.waitUntil(lambda: view._audio_thread.settled, timeout=5_000)


def test_a_recording_read_late_is_never_played_for_the_answer_shown_after_it(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow disk: the first answer's recording arrives after the candidate has moved on
    to its follow-up; what plays is the follow-up's recording, once."""
    import threading

    import app.ui.replay_view as replay_view

    store, _, answer, _ = stored_thread(tmp_path)

    disk = threading.Event()  # the first recording's read waits on it
    read = replay_view._load_audio
    first_read_done = threading.Event()

    def slow_read(path: Path) -> tuple[np.ndarray, int]:
        if Path(path).name == "answer.wav":
            disk.wait(10)
            try:
                return read(path)
            finally:
                first_read_done.set()
        return read(path)

    monkeypatch.setattr(replay_view, "_load_audio", slow_read)
    players: list[InstantPlayer] = []
    view = replay_view_of(qtbot, store, players)
    with qtbot.waitSignal(view.followUpFound, timeout=10_000):
        view.load(store.get_attempt(answer))
    with qtbot.waitSignal(view.ready, timeout=10_000):
        view.follow_up_button.click()  # the reply's recording is read at once
    qtbot.waitUntil(lambda: bool(players) and players[-1].played == [2 * 16_000], timeout=5_000)

    disk.set()  # the answer's recording arrives now, late
    qtbot.waitUntil(first_read_done.is_set, timeout=10_000)
    qtbot.wait(300)  # its result, were it delivered, would be by now
    assert [p.played for p in players] == [[2 * 16_000]]
    assert view._audio is not None and view._audio.size == 2 * 16_000
    view.shutdown()
    qtbot.waitUntil(lambda: view._audio_thread.settled, timeout=5_000)
