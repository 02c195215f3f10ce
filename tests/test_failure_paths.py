"""Expected failures end in one clear line and lose nothing: a data folder that can't be
used, a malformed Ollama host, no display for the app, and a microphone that fails to open."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.practice import Phase, PracticeListener, PracticeSession, PracticeSettings
from app.store import Store
from audio.errors import AudioError
from interview_scripts.loader import parse_script


def test_a_data_folder_that_is_a_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("GREENROOM_HOME", str(blocker))
    assert main(["sessions", "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "GREENROOM_HOME" in err and str(blocker) in err


def test_no_display_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--no-gui" in err


def test_a_malformed_ollama_host_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "localhost:notaport")
    assert main(["models", "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "localhost:notaport" in err


class Events(PracticeListener):
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.phases: list[Phase] = []
        self.failed = threading.Event()

    def error(self, message: str) -> None:
        self.errors.append(message)
        self.failed.set()

    def phase_changed(self, phase: Phase) -> None:
        self.phases.append(phase)


def test_a_microphone_that_fails_to_open_leaves_no_empty_attempt() -> None:
    script = parse_script("title: T\nrole: R\nquestions:\n  - id: q\n    text: Why us?\n", "t.yaml")
    events = Events()

    def broken_source(_question: Any) -> Any:
        raise AudioError("microphone 'Test mic' could not be opened; pick another in Settings")

    store = Store()
    session = PracticeSession(script, script.questions,
                              PracticeSettings(speak_questions=False, llm_enabled=False),
                              events, store=store, source_factory=broken_source)
    try:
        session.begin()
        assert events.failed.wait(60)
    finally:
        session.close()
    assert events.errors == ["microphone 'Test mic' could not be opened; pick another in Settings"]
    assert session.phase == Phase.IDLE
    assert store.list_attempts() == []


class DeletedInHistory(Store):
    """A real store whose new session is deleted (hidden) at once, as History does while
    an interview is set up in another window."""

    def create_session(self, script_id: str, script_title: str) -> int:
        session_id = super().create_session(script_id, script_title)
        self.hide_session(session_id)
        return session_id


def test_an_answer_in_a_deleted_interview_is_refused_in_one_line_and_records_nothing() -> None:
    script = parse_script("title: T\nrole: R\nquestions:\n  - id: q\n    text: Why us?\n", "t.yaml")
    events = Events()
    opened: list[Any] = []

    def source(_question: Any) -> Any:
        opened.append(_question)
        raise AssertionError("no microphone is opened for a deleted interview")

    store = DeletedInHistory()
    session = PracticeSession(script, script.questions,
                              PracticeSettings(speak_questions=False, llm_enabled=False),
                              events, store=store, source_factory=source)
    try:
        session.begin()
        assert events.failed.wait(60)
    finally:
        session.close()
    assert events.errors == ["this interview was deleted (in History, or another window): undo "
                             "the delete there, or end it and start again"]
    assert session.phase == Phase.IDLE and opened == []
    assert session.session_id is not None
    store.restore_session(session.session_id)
    assert store.list_attempts(session.session_id) == []
