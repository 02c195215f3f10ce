"""Odd folders: a read-only data folder, a recordings folder on a disk that was unplugged,
a disk that stops answering mid-answer, a data folder on a share that goes away. Each ends
in one line naming the folder and the fix, and nothing already saved is touched.

The disks are small tmpfs mounts of the test's own (tests/small_disk.py), turned read-only
or unmounted in place; the disk that stops answering mid-answer is the real recorder's
writer meeting EIO."""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.errors import DiskError
from app.practice import Phase, PracticeListener, PracticeSession, PracticeSettings
from app.store import Store
from audio import wav_writer
from audio.recovery import find_unfinished
from audio.sources import WavFileSource
from interview_scripts.loader import parse_script
from tests.coach_helpers import sample_feedback
from tests.outage_story import OUTAGE_SCRIPT
from tests.scripted_flow import ScriptedEar
from tests.small_disk import SmallDisk

pytest_plugins = ("tests.scripted_flow", "tests.small_disk")


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith("-shm")}


def saved_answer(store: Store) -> int:
    session = store.create_session("outage", "Outage story")
    wav = store.recordings_dir() / f"session-{session}" / "answer.wav"
    wav.parent.mkdir(parents=True, exist_ok=True)
    wav.write_bytes(wav_writer.wav_header(16_000, 0))
    attempt = store.start_attempt(session, "outage", "outage", "Tell me about an outage.", wav)
    store.finish_attempt(attempt, 30.0, None, sample_feedback())
    return attempt


def one_line(text: str) -> str:
    assert text.count("\n") == 1, text
    assert not any(word in text for word in ("damaged", "move it aside", "Traceback")), text
    return text.strip()


class Listener(PracticeListener):
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.stop_reasons: list[str] = []
        self.recording = False
        self.rested = threading.Event()

    def recording_started(self, attempt_id: int) -> None:
        self.recording = True

    def recording_stopped(self, duration_s: float, reason: str) -> None:
        self.stop_reasons.append(reason)

    def phase_changed(self, phase: Phase) -> None:
        if phase == Phase.FEEDBACK:
            self.rested.set()

    def error(self, message: str) -> None:
        self.errors.append(message)
        if not self.recording:
            self.rested.set()  # nothing was recorded: the flow rests where it was


def practise(answer: Path, store: Store, listener: Listener) -> PracticeSession:
    script = parse_script(OUTAGE_SCRIPT, "outage.yaml")
    session = PracticeSession(script, script.questions,
                              PracticeSettings(speak_questions=False, llm_enabled=False,
                                               follow_ups=False),
                              listener, store=store,
                              source_factory=lambda _q: WavFileSource(answer, realtime=True))
    try:
        session.begin()
        assert listener.rested.wait(30), listener.errors
        session.wait_idle(30)
    finally:
        session.close()
    return session


def test_a_read_only_data_folder_is_one_line_and_nothing_is_touched(
        data_on_small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]) -> None:
    disk = data_on_small_disk
    saved_answer(Store())
    before = fingerprint(disk.root)
    disk.remount("ro")
    try:
        for command in (["sessions", "list"], ["sessions", "rename", "1", "Mine"],
                        ["sessions", "recover"]):
            assert main(command) == 1, command
            line = one_line(capsys.readouterr().err)
            assert "read-only" in line and "GREENROOM_HOME" in line
            assert str(disk.root / "greenroom") in line
        assert fingerprint(disk.root) == before
    finally:
        disk.remount("rw")
    assert fingerprint(disk.root) == before


def test_recordings_on_a_disk_that_was_unplugged_are_one_line(
        small_disk: SmallDisk, scripted_ear: ScriptedEar, tone_answer: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The recordings folder moved to a removable disk, linked from the data folder.
    moved = small_disk.root / "greenroom-recordings"
    moved.mkdir()
    link = paths.data_dir() / "recordings"
    link.symlink_to(moved, target_is_directory=True)
    store = Store()
    attempt = saved_answer(store)
    row_before = store.get_attempt(attempt)
    small_disk.unplug()

    listener = Listener()
    practise(tone_answer, store, listener)
    (line,) = listener.errors
    assert f"{link} leads to {moved}, which is not there" in line
    assert "reconnect it" in line
    assert len(store.list_attempts()) == 1  # no answer was started without its recording
    assert store.get_attempt(attempt) == row_before

    assert main(["sessions", "recover"]) == 1
    assert f"{link} leads to {moved}" in one_line(capsys.readouterr().err)
    assert not moved.exists() and link.is_symlink()  # not made again on the disk below


def test_a_disk_that_stops_answering_mid_answer_keeps_what_was_written(
        monkeypatch: pytest.MonkeyPatch, scripted_ear: ScriptedEar, tone_answer: Path) -> None:
    append = wav_writer.GrowingWavWriter.append

    def unplugged_after_a_second(self: wav_writer.GrowingWavWriter, samples: object) -> None:
        if self.duration_s >= 1.0:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        append(self, samples)  # type: ignore[arg-type]

    monkeypatch.setattr(wav_writer.GrowingWavWriter, "append", unplugged_after_a_second)
    store = Store()
    listener = Listener()
    session = practise(tone_answer, store, listener)
    folder = paths.recordings_dir()
    assert listener.stop_reasons == ["disk"]
    (line,) = listener.errors
    assert "stopped answering (Input/output error; a disk unplugged or a network share gone?)" in line
    assert str(folder) in line and "what was recorded is kept: reconnect it" in line
    assert session.not_kept == [line]
    (attempt,) = store.list_attempts()
    # Coached from what the live pass heard; the file keeps its marker for recovery.
    assert attempt.feedback is not None and attempt.stop_reason == "disk"
    assert attempt.duration_s == pytest.approx(1.0, abs=0.15)
    assert Path(attempt.audio_path) in find_unfinished(Path(attempt.audio_path).parent)


def test_a_data_folder_on_a_share_that_goes_away_is_one_line_and_starts_nothing_new(
        small_disk: SmallDisk, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    home = small_disk.root / "share" / "greenroom"
    home.parent.mkdir()  # the share's own folder, as it was mounted
    monkeypatch.setenv("GREENROOM_HOME", str(home))
    store = Store()
    session = store.create_session("outage", "Outage story")
    database = store.path
    # Held open across the unplug, to read what is on the share afterwards.
    handle = open(database, "rb")  # noqa: SIM115 - closed below
    try:
        saved = hashlib.sha256(handle.read()).hexdigest()
        small_disk.unplug()

        # The window that had it open: its next save says so, and makes no new database.
        with pytest.raises(DiskError) as caught:
            store.rename_session(session, "Mine")
        line = str(caught.value)
        assert caught.value.kind == "gone" and "\n" not in line
        assert "cannot be reached (a disk unplugged or a network share gone?)" in line
        assert "reconnect it and try again" in line and "damaged" not in line
        # A command started now: one line, and no empty history begun in its place.
        assert main(["sessions", "list"]) == 1
        line = one_line(capsys.readouterr().err)
        assert f"the data folder {home} cannot be reached" in line and "reconnect it" in line
        assert list(small_disk.root.iterdir()) == []
        handle.seek(0)
        assert hashlib.sha256(handle.read()).hexdigest() == saved
    finally:
        handle.close()
