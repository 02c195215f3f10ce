"""LLMCoach against Ollama's real behaviours, played by the loopback server: cloud and
embedding models in the listing, thinking models that honour or ignore ``think: false``,
replies cut at ``num_predict``, streams that stop early or carry an error, a busy server,
times below zero, the context arithmetic, the preload's options and cancel during a load.

The feedback under review comes from the real deterministic coach (``coach_answer``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from models.coach import coach_answer
from models.llm_coach import REVIEW, LLMCoach
from models.llm_feedback import ReviewReply, ReviewSpec, check_review
from models.llm_prompt import STANDARD_REPLY_TOKENS, THINK_TOKENS, build_prompt, plan_budget
from models.llm_reply_check import Instructions, QuoteFinder
from models.ollama_call import chat_options
from models.ollama_server import ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, MODEL_ENV, OllamaServer
from models.transcript import Transcript
from tests.llm_helpers import (
    assert_whole_input_reached,
    every_chat_whole,
    review,
    star_question,
    transcript_dict,
    transcript_words,
    without_fold,
)
from tests.loopback_replies import times_outside, unbounded_numbers
from tests.ollama_loopback import ModelSpec, OllamaLoopback, count_tokens

pytest_plugins = ("tests.ollama_loopback",)



@pytest.fixture(autouse=True)
def _every_chat_whole() -> Iterator[None]:
    """No chat a test makes may lose part of its prompt to the window."""
    with every_chat_whole():
        yield

LOCAL = "llama3.2:3b"
CLOUD = "gpt-oss:120b-cloud"
EMBED = "nomic-embed-text:latest"


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (MODEL_ENV, ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)


def coached_feedback(words: int = 300, seconds: float = 120.0) -> dict[str, Any]:
    """What the deterministic coach says about an answer of that size, as a dict."""
    transcript = Transcript.from_dict(transcript_dict(word_count=words, duration_s=seconds))
    feedback = coach_answer(star_question(), transcript, audio=None)
    return feedback.to_dict() if hasattr(feedback, "to_dict") else feedback


def serve(*models: str | ModelSpec, **kwargs: Any) -> OllamaLoopback:
    return OllamaLoopback(models=models, **kwargs).start()


def coach(server: OllamaLoopback, **kwargs: Any) -> LLMCoach:
    kwargs.setdefault("read_timeout_s", 5.0)
    return LLMCoach(server.host, connect_timeout_s=0.5, busy_retry_s=0.05, **kwargs)


def assert_reviewed(result: dict[str, Any], original: dict[str, Any], model: str) -> None:
    status = result["llm_status"]
    assert status["ok"] is True, status
    assert result["llm"]["model"] == model
    kept = [k for k in original if k not in ("llm", "llm_status", "notes")]
    assert all(without_fold(result[k]) == without_fold(original[k]) for k in kept)
    assert [n for n in result["notes"] if n["source"] != "llm"] == original["notes"]


def assert_failed(result: dict[str, Any], original: dict[str, Any], code: str) -> dict[str, Any]:
    status = result["llm_status"]
    assert result["llm"] is None and status["ok"] is False
    assert status["code"] == code, status
    assert status["reason"] and "\n" not in status["reason"] and status["fix"]
    assert "malformed" not in status["reason"]
    assert {k: v for k, v in result.items() if k != "llm_status"} == \
        {k: v for k, v in original.items() if k != "llm_status"}
    return status


def chats(server: OllamaLoopback) -> list[Any]:
    return server.requests_to("/api/chat")


# -- which model ---------------------------------------------------------------------------


@pytest.mark.parametrize("release", ["0.13.5", "0.30.0"])
def test_cloud_and_embedding_models_listed_first_are_never_sent_anything(release: str) -> None:
    # Newest first, as /api/tags lists: a cloud model and an embedding model were pulled
    # after the local chat model, and none of them is on the preference list.
    server = serve(ModelSpec.named(CLOUD, age_days=1), ModelSpec.named(EMBED, age_days=2),
                   ModelSpec("mistral:7b", family="mistral", age_days=3), version=release)
    tags_capabilities = server.release.tags_capabilities
    try:
        assert server.models == [CLOUD, EMBED, "mistral:7b"]
        feedback = coached_feedback()
        result = review(coach(server), star_question(), feedback)
        assert_reviewed(result, feedback, "mistral:7b")
        assert server.requests_for(CLOUD) == []
        # Chat and preload never reach the embedding model; only an old server, whose
        # listing lacks capabilities, is asked about it (/api/show, nothing of the answer).
        assert [r.path for r in server.requests_for(EMBED)] == \
            ([] if tags_capabilities else ["/api/show"])
    finally:
        server.stop()


def test_a_named_cloud_model_is_refused_without_the_setting_and_used_with_it() -> None:
    server = serve(ModelSpec.named(CLOUD, age_days=1), LOCAL)
    try:
        feedback = coached_feedback()
        refused = review(coach(server, model=CLOUD), star_question(), feedback)
        status = assert_failed(refused, feedback, "remote_refused")
        assert CLOUD in status["reason"] and "leave this machine" in status["reason"]
        assert "--allow-remote-llm" in status["fix"]
        assert server.requests_for(CLOUD) == [] and chats(server) == []

        allowed = review(coach(server, model=CLOUD, allow_remote=True), star_question(), feedback)
        assert_reviewed(allowed, feedback, CLOUD)
        assert "ollama.com" in allowed["llm_status"]["reason"]
    finally:
        server.stop()


def test_the_environment_setting_says_yes_too(monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(ModelSpec.named(CLOUD), LOCAL)
    try:
        monkeypatch.setenv(ALLOW_REMOTE_ENV, "1")
        monkeypatch.setenv(MODEL_ENV, CLOUD)
        result = review(coach(server), star_question(), coached_feedback())
        assert result["llm_status"]["ok"] and result["llm"]["model"] == CLOUD
    finally:
        server.stop()


def test_a_named_embedding_model_cannot_chat() -> None:
    server = serve(EMBED, LOCAL)
    try:
        feedback = coached_feedback()
        result = review(coach(server, model="nomic-embed-text"), star_question(), feedback)
        status = assert_failed(result, feedback, "not_chat_model")
        assert "embedding" in status["reason"] and chats(server) == []
    finally:
        server.stop()


def test_an_embedding_model_that_slips_through_is_answered_by_ollama_with_400() -> None:
    # The chat endpoint's own refusal (routes.go: "does not support chat") is reported
    # as such, not as a generic server error.
    server = serve(EMBED)
    try:
        with pytest.raises(Exception, match="does not support chat"):
            OllamaServer(server.host).client().chat(model=EMBED, messages=[
                {"role": "user", "content": "hi"}])
    finally:
        server.stop()


def test_a_server_off_this_machine_is_refused_before_any_connection() -> None:
    # The test network guard fails any connection to a non-loopback address, so a pass
    # also proves nothing was attempted.
    feedback = coached_feedback()
    for host in ("http://10.0.0.5:11434", "https://ollama.example.org"):
        result = review(LLMCoach(host), star_question(), feedback)
        status = assert_failed(result, feedback, "remote_refused")
        assert "not on this machine" in status["reason"]


def test_names_match_by_base_name_as_ollama_lists_them() -> None:
    server = serve("llama3.2:latest", "phi3.5:latest")
    try:
        result = review(coach(server, model="llama3.2"), star_question(), coached_feedback())
        assert result["llm_status"]["ok"] and result["llm"]["model"] == "llama3.2:latest"
        # The preference phi3.5 is found as phi3.5:latest by the automatic choice.
        assert OllamaServer(server.host).choose(preferred=("phi3.5",)).name == "phi3.5:latest"
    finally:
        server.stop()


@pytest.mark.parametrize("release", ["0.13.5", "0.30.0"])
def test_a_model_that_thinks_is_chosen_only_when_nothing_else_can_chat(release: str) -> None:
    # Known from /api/show before 0.30.0, from the listing after.
    server = serve(ModelSpec.named("qwen3:4b", age_days=0), ModelSpec("granite3.1:2b", age_days=5),
                   version=release)
    try:
        choice = OllamaServer(server.host).choose()
        assert choice.name == "granite3.1:2b"
        assert any("qwen3:4b thinks" in s for s in choice.skipped)
    finally:
        server.stop()
    server = serve(ModelSpec.named("qwen3:4b"), EMBED, version=release)
    try:
        assert OllamaServer(server.host).choose().name == "qwen3:4b"
    finally:
        server.stop()


# -- thinking models -----------------------------------------------------------------------


@pytest.mark.parametrize(("model", "think", "thinks"), [
    ("qwen3:4b", False, False),  # honours think=false
    ("gpt-oss:20b", "low", True),  # takes only a level, and thinks whatever it is told
])
def test_a_thinking_model_is_asked_not_to_think_and_given_room_if_it_does(
        model: str, think: bool | str, thinks: bool) -> None:
    server = serve(ModelSpec.named(model, think_tokens=1500))
    try:
        pieces: list[str] = []
        feedback = coached_feedback()
        result = review(coach(server), star_question(), feedback, on_text=pieces.append)
        assert_reviewed(result, feedback, model)
        (chat,) = chats(server)
        assert chat.body["think"] == think
        assert chat.eval_count > 1500 if thinks else chat.eval_count < 1500
        budget = chat.body["options"]
        assert budget["num_predict"] >= THINK_TOKENS + STANDARD_REPLY_TOKENS
        # Thinking text never counts as the answer, nor reaches the display.
        streamed = "".join(pieces)
        assert "Let me weigh" not in streamed and "<think>" not in streamed
        assert streamed.startswith("{")
        assert "Let me weigh" not in str(result["llm"])
    finally:
        server.stop()


def test_a_model_whose_schema_is_ignored_without_thinking_is_let_think_on_the_retry() -> None:
    # ollama#14645 (0.12.4 to 0.31.1): with think=false qwen3.5's parser never lets the
    # format apply, and the reply comes back as prose.
    server = serve(ModelSpec.named("qwen3.5:4b"), version="0.17.6")
    try:
        feedback = coached_feedback()
        result = review(coach(server), star_question(), feedback)
        assert_reviewed(result, feedback, "qwen3.5:4b")
        assert result["llm_status"]["attempts"] == 2
        first, retry = chats(server)
        assert first.body["think"] is False and "think" not in retry.body
    finally:
        server.stop()


def test_a_think_that_runs_out_of_budget_is_retried_with_twice_the_room() -> None:
    # gpt-oss thinks at any level it is given; a long think fills the first budget.
    server = serve(ModelSpec.named("gpt-oss:20b",
                                   think_tokens=THINK_TOKENS + STANDARD_REPLY_TOKENS + 200))
    try:
        feedback = coached_feedback()
        result = review(coach(server), star_question(), feedback)
        assert_reviewed(result, feedback, "gpt-oss:20b")
        first, retry = chats(server)
        assert retry.body["options"]["num_predict"] > first.body["options"]["num_predict"]
        assert result["llm_status"]["attempts"] == 2
    finally:
        server.stop()


def test_a_think_too_long_for_any_budget_says_to_choose_another_model() -> None:
    server = serve(ModelSpec.named("gpt-oss:20b", think_tokens=40000))
    try:
        feedback = coached_feedback()
        status = assert_failed(review(coach(server), star_question(), feedback), feedback,
                               "thinking_too_long")
        assert "GREENROOM_OLLAMA_MODEL=llama3.2:3b" in status["fix"]
        assert status["attempts"] == 2
    finally:
        server.stop()


def test_gpt_oss_gets_a_thinking_level_it_understands() -> None:
    server = serve(ModelSpec.named("gpt-oss:20b"))
    try:
        result = review(coach(server), star_question(), coached_feedback())
        assert result["llm_status"]["ok"], result["llm_status"]
        assert chats(server)[0].body["think"] == "low"
    finally:
        server.stop()


# -- replies that end badly ------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "code"), [
    ("padded", "reply_too_long"),
    ("no_done", "stopped_early"),
    ("error_line", "generation_error"),
    ("busy", "server_busy"),
])
def test_a_failure_that_happens_once_is_retried_and_one_that_stays_is_named(
        ollama_loopback: OllamaLoopback, mode: str, code: str) -> None:
    feedback = coached_feedback()
    plan = build_prompt(star_question(), feedback)
    first_budget = plan.budget(thinking=False)
    ollama_loopback.pad_tokens = first_budget.num_predict  # one reply's worth of blank lines

    ollama_loopback.set_mode(mode, times=1)
    result = review(coach(ollama_loopback), star_question(), feedback)
    assert_reviewed(result, feedback, LOCAL)
    assert result["llm_status"]["attempts"] == 2
    first, retry = chats(ollama_loopback)
    if mode == "padded":
        assert retry.body["options"]["num_predict"] >= 2 * first.body["options"]["num_predict"]
    if mode in ("no_done", "error_line"):
        # The same seed would walk into the same loop again.
        assert retry.body["options"]["seed"] != first.body["options"]["seed"]

    ollama_loopback.requests.clear()
    ollama_loopback.pad_tokens = 100_000
    ollama_loopback.set_mode(mode)
    status = assert_failed(review(coach(ollama_loopback), star_question(), feedback), feedback, code)
    assert status["attempts"] == 2 and len(chats(ollama_loopback)) == 2


@pytest.mark.parametrize("shape", [times_outside, unbounded_numbers])
def test_times_outside_the_answer_are_dropped_and_the_review_kept(
        ollama_loopback: OllamaLoopback, shape: Any) -> None:
    ollama_loopback.script_reply(shape)  # below zero and past the end; or 10^14
    feedback = coached_feedback()
    result = review(coach(ollama_loopback), star_question(), feedback)
    assert_reviewed(result, feedback, LOCAL)
    llm = result["llm"]
    assert llm["improvements"] and all(i["at_s"] is None for i in llm["improvements"])
    removed = result["llm_status"]["removed"]
    assert len([line for line in removed if "time outside the answer" in line]) == \
        len(llm["improvements"]) == len(removed)
    assert all(n["at_s"] is None or n["at_s"] >= 0 for n in result["notes"])


def test_the_schema_is_built_for_the_question() -> None:
    question = star_question()
    spec = ReviewSpec.for_question(question, 120.0)
    schema = spec.schema()
    # Key points first, then every slot once: an object with one required property per
    # key point and per stage, so no judgement can be written twice or left out.
    assert list(schema["properties"])[:2] == ["key_points", "stages"]
    points = schema["properties"]["key_points"]
    assert points["required"] == list(points["properties"]) == list(spec.slots)
    assert len(spec.slots) == len(question.key_points) and points["additionalProperties"] is False
    stages = schema["properties"]["stages"]
    assert stages["required"] == ["Situation", "Task", "Action", "Result"]
    assert schema["$defs"]["point"]["properties"]["status"]["enum"] == ["covered", "partial",
                                                                      "missing"]
    # Times are integers bounded by the answer: the grammar enforces those bounds.
    (at, null) = schema["properties"]["improvements"]["items"]["properties"]["at_s"]["anyOf"]
    assert at == {"type": "integer", "minimum": 0, "maximum": 120} and null == {"type": "null"}
    assert "description" not in json.dumps(schema)
    # The reply bound holds even a reply with every string at its longest.
    from tests.ollama_loopback import SchemaFiller

    longest = SchemaFiller(schema, verbose=True).fill()
    assert count_tokens(json.dumps(longest)) <= spec.reply_token_bound()


def test_a_reply_written_without_the_grammar_is_checked_not_thrown_away() -> None:
    # What a model that ignored `format` may send: over-long text, a slot not asked for,
    # one left out, a stage of another framework, too many improvements, odd times.
    spec = ReviewSpec(key_points=("Names the impact", "Explains the cause"),
                      stages=("Situation", "Result"), point_ids=("impact", "cause"),
                      duration_s=120.0)
    transcript = Transcript.from_dict(transcript_dict(word_count=300, duration_s=120.0))
    reply = ReviewReply.model_validate({
        "key_points": {"cause": {"status": "covered", "quote": "two jobs were writing the same"},
                       "invented": {"status": "covered", "quote": "e"}},
        "stages": {"Result": {"comment": "Ends on hours saved but never says per what.",
                              "quote": ""},
                   "Epilogue": {"comment": "A lesson, briefly.", "quote": ""}},
        "verdict": "Careful and specific about the fix; " * 20,
        "improvements": [{"at_s": 900.0, "advice": advice} for advice in (
            "Open with what the failures cost the finance team.",
            "Say why a queue beat adding servers.", "Give the hours saved per month.",
            "Drop the second alert story.", "Name who reviewed the lock.",
            "End on the lesson.", "Slow down in the middle.")],
        "rephrasing": {"original": "I also set up an alert", "better": "I added an alert that "
                       "pages whoever is on call within a minute."},
        "follow_up_question": "What would you check first if it failed again?",
    })
    checked = check_review(reply, spec, QuoteFinder(transcript), Instructions(["Judge it."]))
    got = checked.review
    assert [(k.text, k.status) for k in got.key_points] == [("Explains the cause", "covered")]
    assert got.key_points[0].at_s is not None and 0 <= got.key_points[0].at_s <= 120
    assert [s.stage for s in got.structure] == ["Result"]
    assert len(got.verdict) <= 200 and got.verdict.endswith("…")
    assert len(got.improvements) == 3 and all(i.at_s is None for i in got.improvements)
    assert got.rephrasing is not None and got.rephrasing.at_s is not None
    assert {r.where: r.why for r in checked.removed.items} == {
        "key_points.invented": "unknown", "key_points.impact": "missing",
        "stages.Situation": "missing", "stages.Epilogue": "unknown",
        "improvements.0.at_s": "time", "improvements.1.at_s": "time",
        "improvements.2.at_s": "time", "improvements.3": "unknown", "improvements.4": "unknown",
        "improvements.5": "unknown", "improvements.6": "unknown"}


# -- the window, the retry and the preload -----------------------------------------------------


@pytest.mark.parametrize("release", ["0.13.5", "0.17.6", "0.30.0"])
@pytest.mark.parametrize("model", [LOCAL, "qwen3:4b"])
def test_a_seven_minute_answer_fits_the_window_sent_on_the_first_try_and_the_retry(
        model: str, release: str) -> None:
    # Each release cuts an over-long prompt its own way (tests/ollama_versions.py); the
    # window Greenroom asks for must hold the whole prompt under every one.
    server = serve(model, version=release)
    try:
        feedback = coached_feedback(words=1150, seconds=420.0)
        server.set_mode("schema_violation", times=1)
        result = review(coach(server), star_question(), feedback)
        assert result["llm_status"]["ok"] and result["llm_status"]["attempts"] == 2
        # Greenroom's own estimate errs high against the server's count.
        plan = build_prompt(star_question(), feedback)
        assert chats(server)[0].body["messages"] == plan.messages
        assert plan.estimated_tokens >= chats(server)[0].sent_tokens
        for chat in chats(server):
            options = chat.body["options"]
            # Counted by the server, on the prompt actually sent: nothing was dropped and
            # the whole reply budget fits after it.
            assert chat.kept_messages == len(chat.body["messages"]) == 2
            assert chat.sent_tokens == chat.prompt_tokens
            assert chat.prompt_tokens + options["num_predict"] <= options["num_ctx"], chat
            assert chat.num_ctx == options["num_ctx"]
            # The transcript's last words are in the prompt.
            assert feedback["transcript"]["words"][-1]["word"] in chat.body["messages"][1]["content"]
        assert_whole_input_reached(server, words=transcript_words(feedback))
    finally:
        server.stop()


def test_the_preload_loads_with_the_options_of_the_chat_so_nothing_reloads() -> None:
    for model in (LOCAL, "qwen3:4b"):
        server = serve(model)
        try:
            llm = coach(server)
            llm.preload().join(timeout=10)
            (preload,) = server.requests_to("/api/generate")
            result = review(llm, star_question(), coached_feedback(words=1150, seconds=420.0))
            assert result["llm_status"]["ok"], result["llm_status"]
            (chat,) = chats(server)
            assert preload.body["options"]["num_ctx"] == chat.body["options"]["num_ctx"]
            assert preload.body["options"] == chat.body["options"]
            assert server.loads == [(model, chat.body["options"]["num_ctx"])], server.loads
            # The user's own OLLAMA_KEEP_ALIVE is left alone.
            assert "keep_alive" not in preload.body and "keep_alive" not in chat.body
        finally:
            server.stop()


def test_keep_alive_is_sent_only_when_a_setting_asks(monkeypatch: pytest.MonkeyPatch,
                                                     ollama_loopback: OllamaLoopback) -> None:
    monkeypatch.setenv(KEEP_ALIVE_ENV, "20m")
    llm = coach(ollama_loopback)
    llm.preload().join(timeout=10)
    review(llm, star_question(), coached_feedback())
    assert [r.body["keep_alive"] for r in ollama_loopback.requests
            if r.path in ("/api/generate", "/api/chat")] == ["20m", "20m"]


def test_budget_options_are_the_same_for_the_same_inputs() -> None:
    a = plan_budget(None, STANDARD_REPLY_TOKENS, thinking=True, trained_ctx=40960)
    b = plan_budget(3000, 900, thinking=True, trained_ctx=40960)
    assert chat_options(a, REVIEW) == chat_options(b, REVIEW)
    small = plan_budget(4000, 900, thinking=True, trained_ctx=8192)
    assert small.fits and 4000 + small.num_predict <= 8192 and small.think_tokens < THINK_TOKENS


# -- cancel ------------------------------------------------------------------------------------


def test_cancel_during_a_slow_load_returns_at_once_and_the_next_request_is_served() -> None:
    server = serve(LOCAL, slow_s=30.0)
    try:
        server.set_mode("slow", times=1)
        feedback = coached_feedback()
        cancel = threading.Event()
        box: dict[str, Any] = {}

        def run() -> None:
            box["result"] = review(coach(server, read_timeout_s=60.0), star_question(),
                                   feedback, cancel=cancel)
            box["returned"] = time.monotonic()

        worker = threading.Thread(target=run)
        worker.start()
        deadline = time.monotonic() + 5
        while not chats(server) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert chats(server), "the chat request never reached the server"
        time.sleep(0.2)  # the server is now loading the model, silent
        cancelled_at = time.monotonic()
        cancel.set()
        worker.join(timeout=5)
        assert box["returned"] - cancelled_at < 0.5
        assert_failed(box["result"], feedback, "cancelled")

        # The server saw the client leave and dropped the request...
        (first,) = chats(server)
        deadline = time.monotonic() + 5
        while first.abandoned_at is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert first.abandoned_at is not None and first.abandoned_at - cancelled_at < 1.0
        # ...so the next one does not wait out the 30 s load of the abandoned one.
        started = time.monotonic()
        result = review(coach(server), star_question(), feedback)
        assert result["llm_status"]["ok"], result["llm_status"]
        assert time.monotonic() - started < 10
    finally:
        server.stop()
