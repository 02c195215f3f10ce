"""The local model's follow-up: grounded in what the candidate said or refused, and every
way the server fails ends quickly enough for the interviewer to ask the script's own."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from interview_scripts.loader import parse_script
from models.llm_follow_up import FollowUpAsker, FollowUpReply, follow_up_request, grounded
from models.ollama_call import OllamaFailure
from models.transcript import Transcript, Word
from tests.ollama_loopback import OllamaLoopback

pytest_plugins = ("tests.ollama_loopback",)

QUESTION = parse_script("""
title: t
role: r
questions:
  - id: rollback
    text: Tell me about a release you had to roll back.
    key_points:
      - text: Say what you watched to confirm the fix
        cues: [dashboards]
""", "t.yaml").questions[0]
ANSWER = "We rolled back the release at once and then we told the support team what happened."
GOOD = {"quote": "rolled back the release at once",
        "question": "When you rolled back the release, who made that call?"}


def transcript(text: str = ANSWER) -> Transcript:
    words = text.split()
    return Transcript(words=[Word(f" {w}", i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(words)],
                      duration_s=len(words) * 0.4)


def test_a_follow_up_that_quotes_the_answer_is_kept_with_the_words_as_said() -> None:
    follow_up = grounded(FollowUpReply(**GOOD), transcript(), "llama3.2:3b")
    assert follow_up.question == GOOD["question"]
    assert follow_up.quote == "rolled back the release at once"
    assert follow_up.at_s == pytest.approx(0.4)
    assert follow_up.reason == "you said “rolled back the release at once”"
    # A model that tidies case and punctuation still quotes; a missing "?" is added.
    tidy = grounded(FollowUpReply(quote="Rolled back, the release", question="Why roll back the release"),
                    transcript(), "m")
    assert tidy.question == "Why roll back the release?"


@pytest.mark.parametrize(("reply", "why"), [
    ({"quote": "we deployed a hotfix on friday", "question": "Why a hotfix on Friday?"}, "quotes nothing"),
    ({"quote": "rolled back the release", "question": "What is your biggest weakness?"}, "does not name"),
    ({"quote": "rolled back", "question": "Why rolled back?"}, "quotes nothing"),  # too short to prove
])
def test_a_follow_up_that_quotes_nothing_said_is_refused(reply: dict[str, str], why: str) -> None:
    with pytest.raises(OllamaFailure) as caught:
        grounded(FollowUpReply(**reply), transcript(), "m")
    assert caught.value.code == "ungrounded" and why in caught.value.reason
    assert caught.value.fix == "the script's follow-up is asked instead"


def test_the_request_carries_the_answer_the_points_the_tone_and_a_bounded_schema() -> None:
    request = follow_up_request(QUESTION, transcript(), "direct and probing")
    system, user = (m["content"] for m in request.plan.messages)
    assert "direct and probing" in system
    assert ANSWER in user and "Say what you watched to confirm the fix" in user
    schema = request.plan.schema
    assert schema["required"] == ["quote", "question"]
    assert schema["properties"]["question"]["maxLength"] == 220
    assert schema["additionalProperties"] is False


def ask(server: OllamaLoopback, budget_s: float = 4.0) -> tuple[Any, float]:
    asker = FollowUpAsker(server.host, budget_s=budget_s)
    cancel = threading.Event()
    timer = threading.Timer(budget_s, cancel.set)
    timer.start()
    started = time.monotonic()
    try:
        return asker.ask(QUESTION, transcript(), "polite", cancel), time.monotonic() - started
    except OllamaFailure as failure:
        return failure, time.monotonic() - started
    finally:
        timer.cancel()


def test_through_the_server_a_grounded_follow_up_arrives(ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.script_reply(GOOD)
    follow_up, _ = ask(ollama_loopback)
    assert follow_up.question == GOOD["question"] and follow_up.model == "llama3.2:3b"
    (chat,) = ollama_loopback.requests_to("/api/chat")
    assert chat.body["format"]["properties"].keys() == {"quote", "question"}


def test_through_the_server_an_ungrounded_one_is_dropped_without_a_retry(
        ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.script_reply({"quote": "I love cats", "question": "Tell me about cats?"})
    failure, _ = ask(ollama_loopback)
    assert isinstance(failure, OllamaFailure) and failure.code == "ungrounded"
    assert len(ollama_loopback.requests_to("/api/chat")) == 1


@pytest.mark.parametrize("mode", ["slow", "busy", "down"])
def test_a_late_busy_or_dead_server_gives_up_within_the_budget(
        ollama_loopback: OllamaLoopback, mode: str) -> None:
    ollama_loopback.script_reply(GOOD)
    ollama_loopback.slow_s = 30.0
    ollama_loopback.set_mode(mode)
    failure, took = ask(ollama_loopback, budget_s=2.0)
    assert isinstance(failure, OllamaFailure), failure
    assert failure.code in {"slow": ("cancelled", "timeout"), "busy": ("server_busy",),
                            "down": ("not_running",)}[mode]
    assert took < 2.0 + 0.5
