"""A full disk at every step ends the same way: one line that says the disk is full and
where (never that the database may be damaged), a non-zero exit when what was asked for
was not kept, nothing already saved changed, and every answer finished once space returns.

The data folder lives on a small tmpfs of the test's own (tests/small_disk.py), filled to
the last byte at the step under test and freed by deleting the ballast. The flow's tests
replace only Whisper (tests/scripted_flow.py): the recorder, coach, store and recovery are
the real ones."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from app import paths
from app.cli import main
from app.disk_faults import integrity_problem
from app.practice import Phase, PracticeListener, PracticeSession, PracticeSettings
from app.recovery import finish_unfinished, recover_all
from app.store import Store
from audio.recovery import find_unfinished, read_layout
from audio.sources import WavFileSource
from interview_scripts.loader import parse_script
from models.coach.feedback_model import Feedback
from models.llm_coach import LLMCoach
from tests.ollama_loopback import OllamaLoopback
from tests.outage_story import OUTAGE_SCRIPT
from tests.scripted_flow import ScriptedEar
from tests.small_disk import SmallDisk

pytest_plugins = ("tests.ollama_loopback", "tests.scripted_flow", "tests.small_disk")

DAMAGE_WORDS = ("damaged", "move it aside", "integrity")


class FillsTheDisk(PracticeListener):
    """Fills the disk at one step of the flow (``at``), on the flow's own thread, so the
    very next write is the one that meets the full disk."""

    def __init__(self, disk: SmallDisk, at: str, after_s: float = 1.5) -> None:
        self.disk = disk
        self.at = at
        self.after_s = after_s
        self.errors: list[str] = []
        self.notices: list[str] = []
        self.feedback: dict[str, Feedback] = {}
        self.stop_reasons: list[str] = []
        self.rested = threading.Event()
        self.reviewed = threading.Event()
        self._filled = False

    def _fill(self, step: str) -> None:
        if step == self.at and not self._filled:
            self._filled = True
            self.disk.fill()

    def recording_tick(self, elapsed_s: float, level: float, band: str) -> None:
        if elapsed_s >= self.after_s:
            self._fill("recording")

    def recording_stopped(self, duration_s: float, reason: str) -> None:
        self.stop_reasons.append(reason)
        self._fill("stopped")

    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback["instant"] = feedback
        self._fill("saved")

    def transcript_refined(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback["refined"] = feedback

    def llm_done(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedback["reviewed"] = feedback
        self.reviewed.set()

    def phase_changed(self, phase: Phase) -> None:
        if phase == Phase.FEEDBACK:
            self.rested.set()

    def error(self, message: str) -> None:
        self.errors.append(message)

    def notice(self, message: str) -> None:
        self.notices.append(message)


def practise_one_answer(listener: FillsTheDisk, answer: Path, host: str | None = None,
                        realtime: bool = True) -> PracticeSession:
    # Saved among the user's scripts, where recovery finds the question again.
    (paths.user_scripts_dir() / "outage.yaml").write_text(OUTAGE_SCRIPT, encoding="utf-8")
    script = parse_script(OUTAGE_SCRIPT, "outage.yaml")
    settings = PracticeSettings(speak_questions=False, follow_ups=False,
                                llm_enabled=host is not None, ollama_host=host)
    session = PracticeSession(script, script.questions, settings, listener, store=Store(),
                              source_factory=lambda _q: WavFileSource(answer, realtime=realtime))
    try:
        session.begin()
        assert listener.rested.wait(60), listener.errors
        assert session.wait_idle(60)
        if host is not None:
            assert listener.reviewed.wait(60), listener.errors
        session.end()
        assert session.wait_finished(30)
    finally:
        session.close()
    return session


def says_full_never_damaged(lines: list[str], disk: SmallDisk) -> None:
    assert lines, "nothing was said"
    for line in lines:
        assert "\n" not in line
        assert not any(word in line for word in DAMAGE_WORDS), line
    assert any("is full" in line and str(disk.root) in line for line in lines), lines


def the_one_attempt() -> Any:
    (attempt,) = Store().list_attempts()
    return attempt


def test_a_disk_that_fills_mid_answer_keeps_what_was_said_and_the_next_start_finishes_it(
        data_on_small_disk: SmallDisk, scripted_ear: ScriptedEar, tone_answer: Path) -> None:
    disk = data_on_small_disk
    listener = FillsTheDisk(disk, at="recording")
    session = practise_one_answer(listener, tone_answer)

    says_full_never_damaged(listener.errors, disk)
    assert any("the recording" in line and "stopped at 0:01" in line for line in listener.errors)
    assert any("session database could not be written" in line for line in listener.errors)
    assert listener.stop_reasons == ["disk"]
    assert session.not_kept and "instant" in listener.feedback  # shown, though not saved
    database = paths.database_path()
    assert integrity_problem(database) is None
    attempt = the_one_attempt()  # history still reads on the full disk
    assert attempt.status == "recording" and attempt.feedback is None
    wav = Path(attempt.audio_path)
    assert wav in find_unfinished(wav.parent)

    disk.free()
    (result,) = recover_all()
    assert (result.attempt_id, result.coached, result.problem) == (attempt.id, True, "")
    attempt = the_one_attempt()
    assert attempt.status == "recovered" and attempt.feedback is not None
    assert attempt.feedback.transcript.text.startswith("Last winter")
    # Everything up to the moment the disk filled, and the file whole again.
    assert 1.4 <= attempt.duration_s <= 3.0
    layout = read_layout(wav)
    assert layout is not None and layout.data_offset + layout.data_size == wav.stat().st_size
    assert recover_all() == [] and len(Store().list_attempts()) == 1


def test_a_save_that_fails_on_a_full_disk_is_finished_when_space_returns(
        data_on_small_disk: SmallDisk, scripted_ear: ScriptedEar, tone_answer: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    disk = data_on_small_disk
    listener = FillsTheDisk(disk, at="stopped")
    session = practise_one_answer(listener, tone_answer, realtime=False)

    says_full_never_damaged(listener.errors, disk)
    assert listener.stop_reasons == ["end_of_input"]  # the recording itself was whole
    assert any("feedback is shown but not saved; its recording is kept" in line
               for line in session.not_kept)
    assert "instant" in listener.feedback and "refined" not in listener.feedback
    assert integrity_problem(paths.database_path()) is None
    assert the_one_attempt().status == "recording"

    # With the disk still full, recovery says so and exits non-zero: nothing finished yet.
    assert main(["sessions", "recover"]) == 1
    out = capsys.readouterr().out
    assert "is full" in out and not any(word in out for word in DAMAGE_WORDS)
    assert the_one_attempt().feedback is None

    disk.free()
    assert main(["sessions", "recover"]) == 0
    assert "and coached" in capsys.readouterr().out
    attempt = the_one_attempt()
    assert attempt.status == "recovered" and attempt.feedback is not None
    assert attempt.duration_s == pytest.approx(6.0, abs=0.1)


def test_the_refine_and_review_saves_on_a_full_disk_keep_the_saved_feedback(
        data_on_small_disk: SmallDisk, scripted_ear: ScriptedEar, tone_answer: Path,
        ollama_loopback: OllamaLoopback) -> None:
    disk = data_on_small_disk
    listener = FillsTheDisk(disk, at="saved")
    session = practise_one_answer(listener, tone_answer, ollama_loopback.host, realtime=False)

    says_full_never_damaged(listener.errors, disk)
    assert [line.rsplit("; ", 1)[-1] for line in session.not_kept] == [
        "the feedback saved at Stop stays, and the next start refines it again",
        "the feedback saved before stays, and the next start reviews it again",
    ]
    # Both were shown; the instant feedback is what stays saved, intact.
    assert {"instant", "refined", "reviewed"} <= listener.feedback.keys()
    attempt = the_one_attempt()
    assert attempt.status == "complete" and attempt.stage == "live_coached"
    assert attempt.feedback is not None and attempt.feedback.transcript.words == []
    assert integrity_problem(paths.database_path()) is None

    # Space returns: the next start refines and reviews it.
    disk.free()
    outcome = finish_unfinished(review=LLMCoach(host=ollama_loopback.host))
    assert [(a.attempt_id, a.was, a.reached, a.problem) for a in outcome.attempts] == [
        (attempt.id, "live_coached", "reviewed", "")]
    attempt = the_one_attempt()
    assert attempt.stage == "reviewed" and attempt.feedback is not None
    assert attempt.feedback.transcript.text.startswith("Last winter")
    assert attempt.feedback.llm is not None


def test_a_full_disk_before_anything_starts_is_one_line_and_exit_1(
        data_on_small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]) -> None:
    disk = data_on_small_disk
    Store().create_session("outage", "Outage story")
    disk.fill()
    # Reading history still works on the full disk.
    assert main(["sessions", "list"]) == 0
    assert "Outage story" in capsys.readouterr().out
    assert main(["sessions", "rename", "1", "Before the interview"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    says_full_never_damaged([err.strip()], disk)
    disk.free()
    assert main(["sessions", "rename", "1", "Before the interview"]) == 0


def test_an_export_to_a_full_disk_is_one_line_and_leaves_no_half_file(
        small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store()
    session = store.create_session("outage", "Outage story")
    small_disk.fill()
    target = small_disk.root / "session.md"
    assert main(["sessions", "export", str(session), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    says_full_never_damaged([err.strip()], small_disk)
    assert not target.exists()


def test_an_import_to_a_full_disk_is_one_line_and_leaves_no_half_script(
        small_disk: SmallDisk, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Platform interview\n\n1. Tell me about an outage you led.\n"
                    "2. How do you plan capacity for a sale?\n", encoding="utf-8")
    small_disk.fill()
    target = small_disk.root / "imported.yaml"
    assert main(["scripts", "import", str(page), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    says_full_never_damaged([err.strip()], small_disk)
    assert not target.exists()


@pytest.mark.slow
def test_the_demo_on_a_nearly_full_disk_exits_non_zero_and_recover_finishes_it(
        data_on_small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]) -> None:
    """The reported case: the data folder on a nearly full disk, `greenroom demo`, the
    recording stops when the disk fills and the save fails. It used to say the database
    "may be damaged" and exit 0."""
    disk = data_on_small_disk
    Store()  # the database exists before the disk fills, as on any used laptop
    disk.fill(leave_bytes=200_000)  # about six seconds of recording
    assert main(["demo", "--no-speak", "--no-llm"]) == 1
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("greenroom:")]
    says_full_never_damaged(lines, disk)
    assert "sessions recover" in lines[-1]

    disk.free()
    assert main(["sessions", "recover"]) == 0
    assert "and coached" in capsys.readouterr().out
    attempt = the_one_attempt()
    assert attempt.status == "recovered" and attempt.feedback is not None
    assert attempt.feedback.transcript.text.strip()
