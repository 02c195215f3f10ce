"""`greenroom feedback` end to end: real speech, real transcription, the real coach, and
the loopback Ollama server healthy and in every failure mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app import paths
from app.cli import main
from app.store import Store
from models.coach.feedback_model import Feedback
from tests.ollama_loopback import OllamaLoopback
from tests.outage_story import OUTAGE_ANSWER as ANSWER
from tests.speech_fixtures import *  # noqa: F403 - pytest fixtures

pytest_plugins = ("tests.ollama_loopback", "tests.outage_story")


@pytest.fixture
def long_answer(spoken_wav: Callable[..., Path]) -> Path:
    """Over a minute, so the times the LLM gives land inside the answer."""
    return spoken_wav(" ".join([ANSWER] * 5), rate_wpm=170)


def run_feedback(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["feedback", *args, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_healthy_server_fills_the_llm_part(capsys: pytest.CaptureFixture[str], script_file: Path,
                                           long_answer: Path, ollama_loopback: OllamaLoopback) -> None:
    code, feedback, _ = run_feedback(capsys, str(long_answer), "--script", str(script_file),
                                     "--question", "outage", "--ollama-host", ollama_loopback.host)
    assert code == 0
    assert feedback["llm"] is not None
    assert feedback["llm"]["model"] in ollama_loopback.models
    llm_notes = [n for n in feedback["notes"] if n.get("source") == "llm"]
    end = feedback["duration_s"]
    assert llm_notes and all(n["at_s"] is None or 0 <= n["at_s"] <= end for n in llm_notes)
    assert any(n["at_s"] is not None for n in llm_notes)
    # The deterministic part is all there too.
    assert {k["text"]: k["status"] for k in feedback["key_points"]}["Restored the service quickly"] == "covered"
    assert "restored" in feedback["transcript"]["text"].lower()
    # The schema Greenroom sent is what the server answered from.
    chat = ollama_loopback.requests_to("/api/chat")
    assert chat and isinstance(chat[-1].body.get("format"), dict)


@pytest.mark.parametrize("mode", ["down", "slow", "missing_model", "truncated", "invalid_json",
                                  "schema_violation"])
def test_every_failure_keeps_the_deterministic_feedback(
        mode: str, capsys: pytest.CaptureFixture[str], script_file: Path, answer: Path,
        ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.slow_s = 3.0
    ollama_loopback.set_mode(mode)
    code, feedback, _ = run_feedback(capsys, str(answer), "--script", str(script_file),
                                     "--question", "outage", "--ollama-host", ollama_loopback.host,
                                     "--llm-timeout", "1")
    assert code == 0
    assert feedback["llm"] is None
    assert feedback["llm_status"]["ok"] is False
    assert feedback["llm_status"]["reason"]
    # About 13 s of speech against a 20-40 s guide: the coach's verdict stands.
    assert feedback["length"]["verdict"] == "short" and feedback["length"]["delta_s"] < 0
    assert feedback["llm_status"]["code"] and feedback["llm_status"]["code"] != "ok"
    assert len(feedback["key_points"]) == 3
    assert feedback["transcript"]["words"]
    assert not [n for n in feedback["notes"] if n.get("source") == "llm"]


def test_human_report_says_why_there_is_no_llm_part(capsys: pytest.CaptureFixture[str],
                                                    script_file: Path, answer: Path,
                                                    ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.set_mode("down")
    code = main(["feedback", str(answer), "--script", str(script_file), "--question", "1",
                 "--ollama-host", ollama_loopback.host])
    out = capsys.readouterr().out
    assert code == 0
    assert "Key points" in out
    assert "Ollama" in out


def test_llm_again_reviews_a_saved_attempt(capsys: pytest.CaptureFixture[str], answer: Path,
                                           ollama_loopback: OllamaLoopback) -> None:
    from interview_scripts.catalogue import find_script

    script = find_script("incident-leadership-final-round", paths.script_folders())
    question = script.questions[0]
    code, first, _ = run_feedback(capsys, str(answer), "--script", script.id, "--question",
                                  question.id, "--no-llm")
    assert code == 0 and first["llm"] is None
    store = Store()
    session = store.create_session(script.id, script.title)
    attempt = store.start_attempt(session, script.id, question.id, question.text, answer)
    store.finish_attempt(attempt, first["duration_s"], first["transcript"],
                         Feedback.from_dict(first), {"speech": "tiny.en"})

    code, again, _ = run_feedback(capsys, "--llm-again", str(attempt), "--ollama-host",
                                  ollama_loopback.host)
    assert code == 0
    assert again["llm"] is not None
    saved = store.get_attempt(attempt)
    assert saved.feedback is not None and saved.feedback.llm is not None
    assert saved.feedback.to_dict() == again
    assert saved.models.get("llm") == again["llm"]["model"]
    assert saved.models.get("speech") == "tiny.en"


def test_feedback_errors_are_one_line(capsys: pytest.CaptureFixture[str], script_file: Path,
                                      tmp_path: Path) -> None:
    bogus = tmp_path / "not-audio.wav"
    bogus.write_bytes(b"this is not audio at all" * 10)
    code = main(["feedback", str(bogus), "--script", str(script_file), "--question", "outage"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "not-audio.wav" in err
    code = main(["feedback", str(bogus), "--script", str(script_file), "--question", "nope"])
    err = capsys.readouterr().err
    assert code == 1 and "no question 'nope'" in err


def test_a_malformed_ollama_host_keeps_the_built_in_feedback(
        capsys: pytest.CaptureFixture[str], script_file: Path, answer: Path) -> None:
    code, feedback, _ = run_feedback(capsys, str(answer), "--script", str(script_file),
                                     "--question", "outage", "--ollama-host", "localhost:nope")
    assert code == 0
    assert feedback["llm"] is None
    assert feedback["llm_status"]["code"] == "settings"
    assert "localhost:nope" in feedback["llm_status"]["reason"]
    assert feedback["key_points"] and feedback["transcript"]["words"]
