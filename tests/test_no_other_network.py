"""Greenroom's LLM side talks to the configured Ollama server and to nothing else.

tests/conftest.py already refuses any connection that is not loopback; this goes further
and records the target of every socket connect during a full run (status, tags, pull,
preload, coaching with a retry) and checks that the set is exactly the server's address.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from models.llm_coach import LLMCoach
from models.ollama_server import OllamaServer
from tests.llm_helpers import deterministic_feedback, review, star_question
from tests.ollama_loopback import OllamaLoopback

pytest_plugins = ("tests.ollama_loopback",)


@pytest.fixture
def connect_targets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    targets: list[tuple[str, int]] = []
    lock = threading.Lock()
    guarded_connect = socket.socket.connect  # conftest's loopback-only guard, kept underneath
    guarded_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: object) -> object:
        with lock:
            targets.append(tuple(address[:2]) if isinstance(address, tuple) else address)
        return guarded_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> object:
        with lock:
            targets.append(tuple(address[:2]) if isinstance(address, tuple) else address)
        return guarded_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield targets


def test_a_full_coaching_run_connects_only_to_the_configured_server(
        ollama_loopback: OllamaLoopback, connect_targets: list[tuple[str, int]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy in the environment must not be used for the local server either.
    monkeypatch.setenv("HTTP_PROXY", "http://192.0.2.10:3128")
    monkeypatch.setenv("ALL_PROXY", "http://192.0.2.10:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("OLLAMA_HOST", ollama_loopback.host)

    server = OllamaServer()
    assert server.status()["reachable"] is True
    assert server.pull("qwen2.5:3b") is True
    server.preload("qwen2.5:3b").join(timeout=5)

    coach = LLMCoach(read_timeout_s=2.0)
    coach.preload().join(timeout=5)
    ollama_loopback.set_mode("schema_violation", times=1)  # include the retry's request
    result = review(coach, star_question(), deterministic_feedback(), on_text=lambda text: None)
    assert result["llm_status"]["ok"] is True, result["llm_status"]

    paths = {r.path for r in ollama_loopback.requests}
    assert {"/api/version", "/api/tags", "/api/pull", "/api/generate", "/api/show",
            "/api/chat"} <= paths
    assert connect_targets, "the run must have opened connections"
    assert set(connect_targets) == {ollama_loopback.address}


def test_a_server_that_is_down_is_the_only_address_tried(
        ollama_loopback: OllamaLoopback, connect_targets: list[tuple[str, int]]) -> None:
    ollama_loopback.set_mode("down")
    coach = LLMCoach(ollama_loopback.host, read_timeout_s=0.5, connect_timeout_s=0.5)
    result = review(coach, star_question(), deterministic_feedback())
    assert result["llm_status"]["code"] == "not_running"
    assert set(connect_targets) == {ollama_loopback.address}
