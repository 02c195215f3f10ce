"""Against a real Ollama server, when one answers at OLLAMA_HOST.

Opt-in: set OLLAMA_HOST and run ``pytest -m live_ollama``. Without OLLAMA_HOST, or when
nothing answers there, these tests are skipped. They need a model installed
(``greenroom models pull llama3.2:3b``) and can take a minute on a laptop CPU; with a
thinking model (qwen3, deepseek-r1, gpt-oss…) installed too, they check that the loopback
server's account of thinking holds for the real one.
"""

from __future__ import annotations

import os

import pytest

from models.llm_coach import LLMCoach
from models.llm_feedback import LLMFeedback
from models.ollama_server import OllamaServer
from tests.llm_helpers import deterministic_feedback, review, star_question

pytestmark = pytest.mark.live_ollama


@pytest.fixture(scope="module")
def live_server() -> OllamaServer:
    if not os.environ.get("OLLAMA_HOST"):
        pytest.skip("set OLLAMA_HOST to run the live Ollama tests")
    server = OllamaServer()
    status = server.status()
    if not status["reachable"]:
        pytest.skip(f"no Ollama server answers: {status['error']}")
    if not status["models"]:
        pytest.skip(f"Ollama at {server.host} has no model; run `greenroom models pull llama3.2:3b`")
    return server


def test_live_status_reports_version_and_models(live_server: OllamaServer) -> None:
    status = live_server.status()
    assert status["version"] and status["models"]
    assert [e["model"] for e in status["entries"]] == status["models"]


def test_live_choice_is_local_and_can_chat(live_server: OllamaServer) -> None:
    if os.environ.get("GREENROOM_OLLAMA_MODEL"):
        pytest.skip("a model is named; the automatic choice is not used")
    choice = live_server.choose()
    assert not choice.info.remote and choice.info.chat
    shown = live_server.show(choice.name)
    assert "remote_host" not in shown
    if shown.get("capabilities") is not None:
        assert "completion" in shown["capabilities"]


def test_live_coaching_returns_valid_feedback(live_server: OllamaServer) -> None:
    pieces: list[str] = []
    coach = LLMCoach(live_server.host, read_timeout_s=300.0, total_timeout_s=600.0)
    feedback = deterministic_feedback(word_count=180, duration_s=75.0)
    result = review(coach, star_question(), feedback, on_text=pieces.append)
    assert result["llm_status"]["ok"] is True, result["llm_status"]
    llm = {k: v for k, v in result["llm"].items() if k not in ("model", "prompt_version")}
    LLMFeedback.model_validate(llm)
    assert len(llm["key_points"]) == len(star_question().key_points)
    assert pieces, "the reply should have been streamed"
    assert result["transcript"] == feedback["transcript"]


def test_live_thinking_model_is_coached(live_server: OllamaServer) -> None:
    thinking = next((e["model"] for e in live_server.tags()
                     if not e.get("remote_host") and live_server.info(e["model"], e).thinking),
                    None)
    if thinking is None:
        pytest.skip("no thinking model installed (e.g. `ollama pull qwen3:1.7b`)")
    coach = LLMCoach(live_server.host, thinking, read_timeout_s=300.0, total_timeout_s=900.0)
    result = review(coach, star_question(), deterministic_feedback(word_count=180, duration_s=75.0))
    status = result["llm_status"]
    # The review, or a reason of its own: never a generic malformed reply.
    assert status["ok"] or status["code"] in ("thinking_too_long", "timeout"), status
