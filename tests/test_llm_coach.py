"""LLMCoach against the loopback Ollama server: healthy runs, every failure, retry, cancel.

The deterministic feedback here is built by hand in the shape ``models.coach`` returns;
the question is a real ``Question`` with a STAR framework and a parsed time guide.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from models.coach.feedback_model import Feedback
from models.llm_coach import LLMCoach
from models.llm_feedback import LLMFeedback
from models.llm_prompt import (
    CONTEXT_SIZES,
    PROMPT_VERSION,
    build_prompt,
    estimate_tokens,
    transcript_lines,
)
from tests.llm_helpers import (
    assert_whole_input_reached,
    deterministic_feedback,
    every_chat_whole,
    review,
    star_question,
    transcript_dict,
    transcript_words,
    without_fold,
)
from tests.ollama_loopback import OllamaLoopback

pytest_plugins = ("tests.ollama_loopback",)



@pytest.fixture(autouse=True)
def _every_chat_whole() -> Iterator[None]:
    """No chat a test makes may lose part of its prompt to the window."""
    with every_chat_whole():
        yield


# Short timeouts keep the failure tests fast; the loopback's slow mode outlasts them.
READ_TIMEOUT_S = 0.5
DETERMINISTIC_KEYS = ("question_id", "duration_s", "speaking_s", "time_guide", "length",
                      "words", "wpm", "pace", "pauses", "fillers", "hedges", "word_use",
                      "structure", "key_points", "mistakes", "transcript")
def make_coach(server: OllamaLoopback, **kwargs: Any) -> LLMCoach:
    return LLMCoach(server.host, read_timeout_s=READ_TIMEOUT_S, connect_timeout_s=0.5, **kwargs)


def assert_deterministic_untouched(result: dict[str, Any], original: dict[str, Any]) -> None:
    for key in DETERMINISTIC_KEYS:
        assert without_fold(result[key]) == without_fold(original[key]), key


def assert_failed(result: dict[str, Any], original: dict[str, Any], code: str) -> dict[str, Any]:
    status = result["llm_status"]
    assert result["llm"] is None
    assert status["ok"] is False
    assert status["code"] == code, status
    assert status["reason"] and "\n" not in status["reason"]
    assert status["fix"]
    assert_deterministic_untouched(result, original)
    assert result["notes"] == original["notes"]
    return status


def times_sorted(notes: list[dict[str, Any]]) -> bool:
    keys = [(n["at_s"] is None, n["at_s"] or 0.0) for n in notes]
    return keys == sorted(keys)


# -- healthy ----------------------------------------------------------------------------


def test_healthy_run_fills_llm_and_adds_timed_notes(ollama_loopback: OllamaLoopback) -> None:
    feedback = deterministic_feedback()
    original = copy.deepcopy(feedback)
    typed = Feedback.from_dict(feedback)
    reviewed = make_coach(ollama_loopback).coach(star_question(), typed)
    result = reviewed.to_dict()

    assert isinstance(reviewed, Feedback) and reviewed is not typed
    assert typed.to_dict() == original, "the caller's feedback must not be changed"
    assert result["llm_status"]["ok"] is True, result["llm_status"]
    llm = result["llm"]
    assert llm["model"] == "llama3.2:3b"
    assert llm["prompt_version"] == PROMPT_VERSION
    LLMFeedback.model_validate({k: v for k, v in llm.items()
                                if k not in ("model", "prompt_version")})
    assert_deterministic_untouched(result, original)

    llm_notes = [n for n in result["notes"] if n["source"] == "llm"]
    assert [n["message"] for n in llm_notes] == \
        [i["message"] for i in sorted(llm["improvements"],
                                      key=lambda i: (i["at_s"] is None, i["at_s"] or 0.0))]
    assert llm_notes and all(n["severity"] == "info" for n in llm_notes)
    assert any(isinstance(n["at_s"], float) for n in llm_notes)
    assert all(n["at_s"] is None or 0 <= n["at_s"] <= feedback["duration_s"] for n in llm_notes)
    assert len(result["notes"]) == len(original["notes"]) + len(llm_notes)
    assert times_sorted(result["notes"])
    assert result["notes"][-1]["at_s"] is None  # whole-answer notes go last

    # The request carried the schema, a low temperature, a sized window and streaming.
    (chat,) = ollama_loopback.requests_to("/api/chat")
    plan = build_prompt(star_question(), feedback)
    assert chat.body["format"] == plan.schema
    assert chat.body["stream"] is True
    assert chat.body["options"]["temperature"] <= 0.3
    assert chat.body["options"]["num_ctx"] == plan.budget(thinking=False).num_ctx
    assert chat.body["messages"] == plan.messages
    assert "think" not in chat.body, "a model that cannot think is not told about thinking"
    # The model got the whole prompt: every word of the answer, in order.
    assert_whole_input_reached(ollama_loopback, words=transcript_words(feedback))


def test_streaming_callback_receives_the_reply_text(ollama_loopback: OllamaLoopback) -> None:
    pieces: list[str] = []
    threads: set[str] = set()

    def on_text(text: str) -> None:
        pieces.append(text)
        threads.add(threading.current_thread().name)

    result = review(make_coach(ollama_loopback), star_question(), deterministic_feedback(),
                    on_text=on_text)
    assert len(pieces) > 3, "the reply should arrive in several streamed pieces"
    # The key-point verdicts come first in the stream, so the window shows them first.
    assert pieces[0].startswith('{"key_points": {"point-1": {"status": ')
    streamed = json.loads("".join(pieces))
    assert list(streamed)[:2] == ["key_points", "stages"]
    llm = result["llm"]
    assert streamed["verdict"] == llm["verdict"]
    assert [i["advice"] for i in streamed["improvements"]] == \
        [i["message"] for i in llm["improvements"]]
    assert threads == {"llm-review"}  # the request's worker, never the caller's thread


def test_a_failing_callback_does_not_cost_the_feedback(ollama_loopback: OllamaLoopback) -> None:
    def on_text(text: str) -> None:
        raise RuntimeError("display went away")

    result = review(make_coach(ollama_loopback), star_question(), deterministic_feedback(),
                    on_text=on_text)
    assert result["llm_status"]["ok"] is True


def test_coaching_a_saved_result_again_replaces_its_llm_notes(
        ollama_loopback: OllamaLoopback) -> None:
    coach = make_coach(ollama_loopback)
    once = review(coach, star_question(), deterministic_feedback())
    twice = review(coach, star_question(), once)
    assert twice["notes"] == once["notes"]


# -- failures ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "code", "chat_requests"), [
    ("down", "not_running", 0),
    ("slow", "timeout", 1),
    ("missing_model", "model_missing", 0),
    ("truncated", "stream_cut", 1),
    ("invalid_json", "malformed_json", 2),
    ("schema_violation", "schema_violation", 2),
])
def test_each_failure_keeps_the_deterministic_feedback(
        ollama_loopback: OllamaLoopback, mode: str, code: str, chat_requests: int) -> None:
    feedback = deterministic_feedback()
    original = copy.deepcopy(feedback)
    ollama_loopback.set_mode(mode)
    started = time.monotonic()
    result = review(make_coach(ollama_loopback), star_question(), feedback)
    assert time.monotonic() - started < 5
    status = assert_failed(result, original, code)
    assert ollama_loopback.host in status["reason"] or code in ("malformed_json",
                                                                "schema_violation")
    assert len(ollama_loopback.requests_to("/api/chat")) == chat_requests
    if code == "model_missing":
        assert status["fix"] == "greenroom models pull llama3.2:3b"
    if chat_requests == 2:
        # The retry tells the model what was wrong with its first reply, inside the one
        # user message, so no older message can be dropped to make room for it.
        first, retry = (r.body["messages"] for r in ollama_loopback.requests_to("/api/chat"))
        assert [m["role"] for m in retry] == ["system", "user"]
        assert retry[1]["content"].startswith(first[1]["content"])
        assert "REJECTED" in retry[1]["content"]


def test_a_model_the_server_lacks_gives_a_pull_command(ollama_loopback: OllamaLoopback) -> None:
    feedback = deterministic_feedback()
    result = review(make_coach(ollama_loopback, model="mistral:7b"), star_question(), feedback)
    status = assert_failed(result, feedback, "model_missing")
    assert status["fix"] == "greenroom models pull mistral:7b"


def test_a_server_without_models_says_what_to_pull() -> None:
    server = OllamaLoopback(models=()).start()
    try:
        feedback = deterministic_feedback()
        result = review(make_coach(server), star_question(), feedback)
        status = assert_failed(result, feedback, "no_model")
        assert status["fix"].startswith("greenroom models pull ")
    finally:
        server.stop()


def test_one_schema_violation_is_retried_and_the_retry_is_used(
        ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.set_mode("schema_violation", times=1)
    feedback = deterministic_feedback()
    result = review(make_coach(ollama_loopback), star_question(), feedback)
    assert result["llm_status"]["ok"] is True, result["llm_status"]
    assert result["llm_status"]["attempts"] == 2
    assert result["llm"]["verdict"]
    chats = ollama_loopback.requests_to("/api/chat")
    assert len(chats) == 2
    assert "did not match the review schema" in chats[1].body["messages"][-1]["content"]


def test_cancel_returns_at_once_with_the_feedback_intact() -> None:
    server = OllamaLoopback(slow_s=3.0).start()
    try:
        server.set_mode("slow")
        feedback = deterministic_feedback()
        cancel = threading.Event()
        threading.Timer(0.2, cancel.set).start()
        started = time.monotonic()
        result = review(LLMCoach(server.host, read_timeout_s=5.0), star_question(), feedback,
                                                                 cancel=cancel)
        assert time.monotonic() - started < 1.0
        assert_failed(result, feedback, "cancelled")
    finally:
        server.stop()


def test_cancel_before_start_makes_no_difference_to_the_answer(
        ollama_loopback: OllamaLoopback) -> None:
    cancel = threading.Event()
    cancel.set()
    feedback = deterministic_feedback()
    result = review(make_coach(ollama_loopback), star_question(), feedback, cancel=cancel)
    assert_failed(result, feedback, "cancelled")


# -- prompt -----------------------------------------------------------------------------


def test_prompt_for_a_seven_minute_answer_fits_the_context_window() -> None:
    feedback = deterministic_feedback(word_count=1100, duration_s=420.0)
    plan = build_prompt(star_question(), feedback)
    user = plan.messages[1]["content"]

    budget = plan.budget(thinking=False)
    assert plan.estimated_tokens + budget.num_predict <= budget.num_ctx
    assert budget.num_ctx > 4096, "Ollama's small default window would cut the transcript"
    # The whole transcript is there, every sentence behind its time mark.
    lines = transcript_lines(feedback["transcript"])
    assert all(line in user for line in lines)
    assert all(re.match(r"^\[\d+:\d\d\] \S", line) for line in lines)
    assert lines[-1].startswith("[6:5")
    spoken = " ".join(line.split("] ", 1)[1] for line in lines)
    assert spoken == feedback["transcript"]["text"]
    # The estimate errs high: at least one token per four characters of the prompt.
    text = plan.messages[0]["content"] + user
    assert plan.estimated_tokens >= len(text) / 4
    assert estimate_tokens(text) <= plan.estimated_tokens


def test_prompt_carries_question_guidance_points_mistakes_metrics_and_schema() -> None:
    question = star_question()
    feedback = deterministic_feedback()
    plan = build_prompt(question, feedback)
    system, user = plan.messages[0]["content"], plan.messages[1]["content"]
    assert json.dumps(plan.schema, separators=(",", ":")) in system
    assert question.text in user and question.guidance in user
    assert all(k.text in user for k in question.key_points)
    assert all(m.text in user for m in question.mistakes)
    assert "5-7 minutes (5:00 to 7:00)" in user
    assert "STAR (Situation:" in user
    # The coach's own figures reach the prompt as measured.
    assert f"- wpm: {feedback['wpm']}" in user
    assert f"- fillers: {{count={feedback['fillers']['count']}" in user
    assert "$" not in user  # every placeholder was filled


def test_answers_share_one_window_size_and_only_a_very_long_one_gets_more(
        ollama_loopback: OllamaLoopback) -> None:
    # A short and a seven-minute answer run in the same window, so the loaded model is
    # reused; a twenty-minute ramble needs the next fixed size.
    for words, seconds in ((260, 100.0), (1100, 420.0), (3300, 1200.0)):
        result = review(make_coach(ollama_loopback), star_question(),
                        deterministic_feedback(word_count=words, duration_s=seconds))
        assert result["llm_status"]["ok"], result["llm_status"]
    short, seven, ramble = (r.body["options"]["num_ctx"]
                            for r in ollama_loopback.requests_to("/api/chat"))
    assert short == seven == CONTEXT_SIZES[0]
    assert ramble == CONTEXT_SIZES[1]
    assert_whole_input_reached(ollama_loopback)


# -- end to end with the deterministic coach ---------------------------------------------


def test_real_deterministic_feedback_gets_llm_feedback_and_stays_valid(
        ollama_loopback: OllamaLoopback) -> None:
    from models.coach import coach_answer
    from models.coach.feedback_model import validate_feedback
    from models.transcript import Transcript

    transcript = Transcript.from_dict(transcript_dict(word_count=300, duration_s=120.0))
    feedback = coach_answer(star_question(), transcript, audio=None).to_dict()
    original = copy.deepcopy(feedback)
    assert validate_feedback(feedback) == []

    result = review(make_coach(ollama_loopback), star_question(), feedback)
    assert result["llm_status"]["ok"] is True, result["llm_status"]
    assert validate_feedback(result) == []
    untouched = [k for k in original if k not in ("llm", "llm_status", "notes")]
    assert all(without_fold(result[k]) == without_fold(original[k]) for k in untouched)
    assert [n for n in result["notes"] if n["source"] != "llm"] == original["notes"]
    assert times_sorted(result["notes"])
    # The prompt summarised the coach's own measurements.
    (chat,) = ollama_loopback.requests_to("/api/chat")
    user = chat.body["messages"][1]["content"]
    assert f"- wpm: {_fmt(original['wpm'])}" in user

    ollama_loopback.set_mode("down")
    failed = review(make_coach(ollama_loopback), star_question(), feedback)
    assert failed["llm"] is None and validate_feedback(failed) == []
    assert {k: v for k, v in failed.items() if k != "llm_status"} == \
        {k: v for k, v in original.items() if k != "llm_status"}


def _fmt(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


# -- typed all the way ------------------------------------------------------------------


def test_feedback_stays_typed_from_the_coach_through_the_review_to_the_store(
        ollama_loopback: OllamaLoopback, tmp_path: Any) -> None:
    from app.store import Store
    from models.answer_pipeline import CoachedAnswer, ModelsUsed, add_llm_review
    from models.coach import coach_answer
    from models.transcript import Transcript

    transcript = Transcript.from_dict(transcript_dict(word_count=300, duration_s=120.0))
    measured = coach_answer(star_question(), transcript, audio=None)
    assert type(measured) is Feedback
    answer = CoachedAnswer(transcript, measured, ModelsUsed(speech="tiny.en"))
    reviewed = add_llm_review(star_question(), answer, make_coach(ollama_loopback))
    assert type(reviewed.feedback) is Feedback
    assert reviewed.feedback.llm is not None and reviewed.feedback.llm_status is not None
    assert reviewed.feedback.llm_status.ok and reviewed.models.llm == "llama3.2:3b"
    assert measured.llm is None, "the coach's own feedback is left as it was"

    store = Store(tmp_path / "typed.sqlite3")
    session = store.create_session("ops", "Ops")
    attempt = store.start_attempt(session, "ops", star_question().id, star_question().text,
                                  tmp_path / "answer.wav")
    store.finish_attempt(attempt, 120.0, reviewed.transcript, reviewed.feedback,
                         reviewed.models)
    saved = store.get_attempt(attempt).feedback
    assert type(saved) is Feedback
    assert saved == reviewed.feedback
    assert saved.llm is not None and saved.llm.model == "llama3.2:3b"
