"""Real Ollama behaviours end to end: real speech through `greenroom feedback --json` and
through the practice flow, against the loopback server listing the models people really
have (cloud, embedding, thinking) and failing the ways Ollama really fails."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.practice import PracticeListener, PracticeSession, PracticeSettings
from app.store import Store
from audio.sources import WavFileSource
from interview_scripts.loader import parse_script
from models.coach.feedback_model import Feedback
from models.ollama_server import ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, MODEL_ENV
from tests.llm_helpers import assert_whole_input_reached, every_chat_whole, transcript_words
from tests.ollama_loopback import ModelSpec, OllamaLoopback
from tests.outage_story import OUTAGE_SCRIPT as SCRIPT
from tests.speech_fixtures import *  # noqa: F403 - pytest fixtures

pytest_plugins = ("tests.ollama_loopback", "tests.outage_story")



@pytest.fixture(autouse=True)
def _every_chat_whole() -> Iterator[None]:
    """No chat a test makes may lose part of its prompt to the window."""
    with every_chat_whole():
        yield

CLOUD = "gpt-oss:120b-cloud"
EMBED = "nomic-embed-text:latest"
LOCAL = "llama3.2:3b"


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (MODEL_ENV, ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def many_models() -> Any:
    """A cloud model and an embedding model pulled after the only local chat model."""
    server = OllamaLoopback(models=(ModelSpec.named(CLOUD, age_days=1),
                                    ModelSpec.named(EMBED, age_days=2),
                                    ModelSpec("mistral:7b", family="mistral", age_days=3)))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def feedback_json(capsys: pytest.CaptureFixture[str], audio: Path, script: Path,
                  host: str, *extra: str) -> tuple[int, dict[str, Any] | None, str]:
    code = main(["feedback", str(audio), "--script", str(script), "--question", "outage",
                 "--ollama-host", host, "--json", *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def assert_measured(feedback: dict[str, Any]) -> None:
    """The deterministic feedback is all there, whatever happened to the LLM."""
    assert feedback["transcript"]["words"]
    assert {k["text"]: k["status"] for k in feedback["key_points"]}[
        "Restored the service quickly"] == "covered"
    assert feedback["length"]["verdict"] in ("short", "within", "long")


# -- greenroom feedback --json ---------------------------------------------------------


def test_feedback_coaches_with_the_local_model_and_sends_nothing_to_the_others(
        capsys: pytest.CaptureFixture[str], script_file: Path, answer: Path,
        many_models: OllamaLoopback) -> None:
    code, feedback, _ = feedback_json(capsys, answer, script_file, many_models.host)
    assert code == 0 and feedback is not None
    assert_measured(feedback)
    assert feedback["llm_status"]["ok"] is True, feedback["llm_status"]
    assert feedback["llm"]["model"] == "mistral:7b"
    assert_whole_input_reached(many_models, words=transcript_words(feedback))
    assert many_models.requests_for(CLOUD) == []
    # Ollama 0.13.5 lists no capabilities, so the embedding model is only asked about
    # (/api/show, nothing of the answer); no chat or load reaches it.
    assert [r.path for r in many_models.requests_for(EMBED)] == ["/api/show"]


def test_feedback_refuses_a_named_cloud_model_in_one_line_unless_allowed(
        capsys: pytest.CaptureFixture[str], script_file: Path, answer: Path,
        many_models: OllamaLoopback) -> None:
    code, feedback, err = feedback_json(capsys, answer, script_file, many_models.host,
                                        "--llm-model", CLOUD)
    assert code == 1 and feedback is None
    line = err.strip()
    assert line.startswith("greenroom: ") and "\n" not in line
    assert CLOUD in line and "leave this machine" in line and "--allow-remote-llm" in line
    assert many_models.requests == [], "nothing at all was sent"

    code, feedback, err = feedback_json(capsys, answer, script_file, many_models.host,
                                        "--llm-model", CLOUD, "--allow-remote-llm")
    assert code == 0 and feedback is not None
    assert "ollama.com" in err  # said plainly, even when allowed
    assert feedback["llm"]["model"] == CLOUD
    assert "ollama.com" in feedback["llm_status"]["reason"]


def test_feedback_refuses_a_host_elsewhere_before_transcribing(
        capsys: pytest.CaptureFixture[str], script_file: Path, answer: Path) -> None:
    # The network guard fails any connection off loopback: none is attempted.
    code, feedback, err = feedback_json(capsys, answer, script_file, "http://192.168.1.20:11434")
    assert code == 1 and feedback is None
    assert "not on this machine" in err and err.count("\n") == 1
    # Without the LLM there is nothing to refuse.
    code, feedback, _ = feedback_json(capsys, answer, script_file, "http://192.168.1.20:11434",
                                      "--no-llm")
    assert code == 0 and feedback is not None and feedback["llm"] is None


@pytest.mark.parametrize(("setup", "mode"), [
    ("gpt-oss-thinks", None),
    ("llama", "padded"),
    ("llama", "no_done"),
    ("llama", "busy"),
    ("llama", "error_line"),
    ("llama", "negative_times"),
])
def test_feedback_ends_with_the_review_filled(
        capsys: pytest.CaptureFixture[str], script_file: Path, answer: Path,
        setup: str, mode: str | None) -> None:
    # gpt-oss thinks at any level it is given, into message.thinking.
    spec = ModelSpec.named("gpt-oss:20b", think_tokens=2500) \
        if setup.startswith("gpt-oss") else ModelSpec(LOCAL)
    server = OllamaLoopback(models=(spec,)).start()
    try:
        server.pad_tokens = 2500  # more than the first reply budget, less than the retry's
        if mode:
            server.set_mode(mode, times=None if mode == "negative_times" else 1)
        code, feedback, _ = feedback_json(capsys, answer, script_file, server.host)
        assert code == 0 and feedback is not None
        assert_measured(feedback)
        assert feedback["llm_status"]["ok"] is True, feedback["llm_status"]
        assert feedback["llm"]["model"] == spec.name
        assert all(n["at_s"] is None or n["at_s"] >= 0 for n in feedback["notes"])
        assert "Let me weigh" not in json.dumps(feedback["llm"])
    finally:
        server.stop()


@pytest.mark.parametrize(("mode", "code"), [
    ("padded", "reply_too_long"), ("no_done", "stopped_early"), ("busy", "server_busy"),
    ("error_line", "generation_error"),
])
def test_feedback_names_what_went_wrong_when_no_retry_helps(
        capsys: pytest.CaptureFixture[str], script_file: Path, answer: Path,
        ollama_loopback: OllamaLoopback, mode: str, code: str) -> None:
    ollama_loopback.pad_tokens = 100_000
    ollama_loopback.set_mode(mode)
    exit_code, feedback, _ = feedback_json(capsys, answer, script_file, ollama_loopback.host)
    assert exit_code == 0 and feedback is not None
    assert_measured(feedback)
    status = feedback["llm_status"]
    assert feedback["llm"] is None and status["code"] == code and status["fix"]
    assert "malformed" not in status["reason"]


def test_a_thinking_model_out_of_budget_gets_its_own_code(
        capsys: pytest.CaptureFixture[str], script_file: Path, answer: Path) -> None:
    server = OllamaLoopback(models=(ModelSpec.named("gpt-oss:20b", think_tokens=50_000),)).start()
    try:
        code, feedback, _ = feedback_json(capsys, answer, script_file, server.host)
        assert code == 0 and feedback is not None
        assert_measured(feedback)
        assert feedback["llm_status"]["code"] == "thinking_too_long"
        assert "GREENROOM_OLLAMA_MODEL" in feedback["llm_status"]["fix"]
    finally:
        server.stop()


# -- the practice flow ---------------------------------------------------------------------


class Listener(PracticeListener):
    def __init__(self) -> None:
        self.store: Store | None = None
        self.reviewed = threading.Event()
        self.review: Feedback | None = None
        self.errors: list[str] = []

    def llm_done(self, attempt_id: int, feedback: Feedback) -> None:
        self.review = feedback
        self.reviewed.set()

    def error(self, message: str) -> None:
        self.errors.append(message)


def practise(server: OllamaLoopback, answer: Path, listener: Listener | None = None,
             **settings: Any) -> tuple[Listener, Store, int | None]:
    script = parse_script(SCRIPT, "e2e.yaml")
    listener = listener or Listener()
    store = Store()
    listener.store = store
    session = PracticeSession(
        script, script.questions,
        PracticeSettings(speak_questions=False, ollama_host=server.host, **settings),
        listener, store=store,
        source_factory=lambda _q: WavFileSource(answer, realtime=False),
    )
    try:
        session.begin()
        assert listener.reviewed.wait(120), listener.errors
        session.end()
    finally:
        session.close()
    return listener, store, session.session_id


@pytest.mark.slow
def test_practice_coaches_with_a_thinking_model_when_the_rest_are_cloud_and_embedding(
        answer: Path) -> None:
    server = OllamaLoopback(models=(ModelSpec.named(CLOUD, age_days=1),
                                    ModelSpec.named(EMBED, age_days=2),
                                    ModelSpec.named("qwen3:4b", age_days=3))).start()
    try:
        server.set_mode("busy", times=1)
        listener, store, session_id = practise(server, answer)
        review = listener.review
        assert review is not None and review.llm is not None, review
        assert review.llm.model == "qwen3:4b"
        assert server.requests_for(CLOUD) == []
        assert {r.path for r in server.requests_for(EMBED)} == {"/api/show"}
        # Preloaded while the answer was spoken, with the chat's own options: one load.
        (preload,) = server.requests_to("/api/generate")
        chat = server.requests_to("/api/chat")[-1]
        assert preload.body["options"] == chat.body["options"]
        assert server.loads == [("qwen3:4b", chat.body["options"]["num_ctx"])]
        (attempt,) = store.list_attempts(session_id)
        assert attempt.feedback is not None and attempt.feedback.llm is not None
    finally:
        server.stop()


@pytest.mark.slow
def test_practice_with_a_named_cloud_model_says_it_was_refused(
        answer: Path, many_models: OllamaLoopback) -> None:
    listener, _, _ = practise(many_models, answer, llm_model=CLOUD)
    review = listener.review
    assert review is not None and review.llm is None
    assert review.llm_status is not None and review.llm_status.code == "remote_refused"
    assert review.transcript.words
    assert many_models.requests_for(CLOUD) == []

    listener, _, _ = practise(many_models, answer, llm_model=CLOUD, llm_allow_remote=True)
    assert listener.review is not None and listener.review.llm is not None
    assert listener.review.llm.model == CLOUD


def test_the_app_setting_keeps_the_users_yes(tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.ui.settings_store import SettingsStore

    store = SettingsStore(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert store.practice_settings().llm_allow_remote is False  # off unless the user says yes
    store.save_practice_settings(PracticeSettings(llm_allow_remote=True))
    again = SettingsStore(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert again.practice_settings().llm_allow_remote is True


class MarksAtOnce(Listener):
    """The candidate, on seeing the instant feedback, says they did cover a point the
    words matcher did not hear; the window saves that mark with the attempt at once."""

    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None:
        from models.coach.overrides import mark_key_point

        index = next(i for i, p in enumerate(feedback.key_points) if p.text.startswith("Capacity"))
        assert feedback.key_points[index].status == "not_heard"
        assert self.store is not None
        self.store.update_feedback(attempt_id, mark_key_point(feedback, index))


@pytest.mark.slow
def test_a_mark_made_on_the_instant_feedback_survives_the_refined_pass_and_the_review(
        answer: Path, ollama_loopback: OllamaLoopback) -> None:
    listener, store, session_id = practise(ollama_loopback, answer, listener=MarksAtOnce())
    (attempt,) = store.list_attempts(session_id)
    saved = attempt.feedback
    assert saved is not None and saved.llm is not None  # refined and reviewed since the mark
    capacity = next(p for p in saved.key_points if p.text.startswith("Capacity"))
    assert capacity.candidate_says == "covered" and capacity.effective_status == "covered"
    assert listener.review is not None
    assert next(p for p in listener.review.key_points
                if p.text.startswith("Capacity")).candidate_says == "covered"
