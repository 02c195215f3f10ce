"""Against a real Ollama server, when one answers at OLLAMA_HOST.

Opt-in: set OLLAMA_HOST and run ``pytest -m live_ollama``. Without OLLAMA_HOST, or when
nothing answers there, these tests are skipped. They need a model installed
(``greenroom models pull llama3.2:3b``) and can take a minute on a laptop CPU; with a
thinking model (qwen3, deepseek-r1, gpt-oss…) installed too, they check that the loopback
server's account of thinking holds for the real one.

The server's version picks the release the loopback plays for it (the offered release that
behaves as that version does in every way tests/ollama_versions.py lists); the checks the
loopback passes for that release (tests/release_checks.py: the listing, think levels, the
window's cut) are then put to the real server. A version no offered release behaves as is
skipped, naming it.
"""

from __future__ import annotations

import os

import pytest

from models.llm_coach import LLMCoach
from models.llm_feedback import LLMFeedback
from models.ollama_server import OllamaServer
from tests.llm_helpers import deterministic_feedback, review, star_question
from tests.ollama_versions import OFFERED, OllamaVersion, played_by
from tests.release_checks import check_listing, check_think_level, check_window

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


# -- the loopback's account of this release --------------------------------------------------


@pytest.fixture(scope="module")
def live_release(live_server: OllamaServer) -> OllamaVersion:
    number = live_server.version()
    played = played_by(number)
    if played is None:
        pytest.skip(f"the loopback plays no release that behaves as Ollama {number} does "
                    f"(it plays {', '.join(OFFERED)}); add it to tests/ollama_versions.py")
    return OllamaVersion(played)


def test_live_listing_is_the_releases(live_server: OllamaServer,
                                      live_release: OllamaVersion) -> None:
    check_listing(live_server.host, live_release)


def test_live_think_levels_are_the_releases(live_server: OllamaServer,
                                            live_release: OllamaVersion) -> None:
    thinking = next((e["model"] for e in live_server.tags() if not e.get("remote_host")
                     and (info := live_server.info(e["model"], e)).thinking
                     and info.family.lower() != "gptoss"), None)
    if thinking is None:
        pytest.skip("no thinking model other than gpt-oss installed (e.g. `ollama pull qwen3:1.7b`)")
    check_think_level(live_server.host, thinking, live_release)


def test_live_window_is_cut_as_the_release_cuts(live_server: OllamaServer,
                                                live_release: OllamaVersion) -> None:
    check_window(live_server.host, live_server.choose().name, live_release)
