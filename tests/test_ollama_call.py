"""The one Ollama call (models/ollama_call.py) under both requests Greenroom makes, the
answer review and the page reading, against the loopback server: each failure is named
the same whichever request met it, and each decision the two used to make apart is
made once.

- A connection that ends before the reply's first line is ``network`` (nothing came
  back: Ollama was stopped while it loaded the model); one that ends after it is
  ``stream_cut`` (the reply broke off). httpx's class for the error does not decide.
- Ollama's 400 "does not support chat" is ``not_chat_model`` for every request: on a
  server before 0.6.4, which states no capabilities, it is the only sign that a model
  whose name and family look like a chat model's cannot chat.
- A cancel cuts the connections outside the lock that guards them: it returns at once
  whether the request is waiting out a busy server's pause or blocked on a silent read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from models.coach.feedback_model import Feedback
from models.errors import OllamaFailure
from models.llm_coach import LLMCoach
from models.llm_page_reader import PageReader
from models.ollama_server import ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, MODEL_ENV
from tests.llm_helpers import deterministic_feedback, star_question
from tests.ollama_loopback import ModelSpec, OllamaLoopback, reply_from_format
from tests.test_llm_page_reader import MESSY_PAGE, READING

pytest_plugins = ("tests.ollama_loopback",)

LOCAL = "llama3.2:3b"


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (MODEL_ENV, ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)


def review_failure(server: OllamaLoopback, cancel: threading.Event | None = None,
                   **kwargs: Any) -> OllamaFailure | None:
    """The review's failure as its status tells it (None when it succeeded)."""
    kwargs.setdefault("read_timeout_s", 5.0)
    coach = LLMCoach(server.host, connect_timeout_s=0.5, **kwargs)
    result = coach.coach(star_question(), Feedback.from_dict(deterministic_feedback()),
                         cancel=cancel)
    status = result.llm_status
    assert status is not None
    if status.ok:
        assert result.llm is not None
        return None
    assert result.llm is None
    assert status.code and status.reason and status.fix
    return OllamaFailure(status.code, status.reason, status.fix, model=status.model,
                         attempts=status.attempts)


def reading_failure(server: OllamaLoopback, cancel: threading.Event | None = None,
                    **kwargs: Any) -> OllamaFailure | None:
    """The page reading's failure (None when it succeeded)."""
    kwargs.setdefault("read_timeout_s", 5.0)
    reader = PageReader(server.host, connect_timeout_s=0.5, **kwargs)
    try:
        reader.read(MESSY_PAGE, "page.txt", cancel=cancel)
    except OllamaFailure as failure:
        return failure
    return None


REQUESTS: dict[str, Callable[..., OllamaFailure | None]] = {
    "review": review_failure, "reading": reading_failure}


def serve(*models: str | ModelSpec, **kwargs: Any) -> OllamaLoopback:
    server = OllamaLoopback(models=models or (LOCAL,), **kwargs).start()
    # The page's reading for the page request; the review filled from its own schema.
    server.script_reply(lambda body: READING if "questions" in body["format"]["properties"]
                        else reply_from_format(body["format"]))
    return server


@pytest.fixture
def server() -> Any:
    loopback = serve()
    try:
        yield loopback
    finally:
        loopback.stop()


def chats(server: OllamaLoopback) -> list[Any]:
    return server.requests_to("/api/chat")


def test_both_requests_succeed_through_the_one_call(server: OllamaLoopback) -> None:
    assert review_failure(server) is None
    assert reading_failure(server) is None
    review, reading = chats(server)
    assert review.body["format"] != reading.body["format"]


# -- one classification ------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "code", "requests"), [
    ("down", "not_running", 0),
    ("missing_model", "model_missing", 0),
    ("busy", "server_busy", 2),
    ("error_line", "generation_error", 2),
    ("no_done", "stopped_early", 2),
    ("invalid_json", "malformed_json", 2),
    ("schema_violation", "schema_violation", 2),
    ("truncated", "stream_cut", 1),
    ("stopped_loading", "network", 1),
])
def test_each_failure_has_one_name_whichever_request_met_it(
        server: OllamaLoopback, mode: str, code: str, requests: int) -> None:
    for kind, ask in REQUESTS.items():
        server.requests.clear()
        server.set_mode(mode)
        failure = ask(server, busy_retry_s=0.05)
        assert failure is not None, kind
        assert failure.code == code, (kind, str(failure))
        assert "\n" not in str(failure)
        assert len(chats(server)) == requests, kind
        if requests:
            assert failure.attempts == requests and failure.model == LOCAL, kind


@pytest.mark.parametrize("kind", REQUESTS)
def test_a_connection_closed_before_any_reply_is_network_and_after_it_stream_cut(
        server: OllamaLoopback, kind: str) -> None:
    ask = REQUESTS[kind]
    # Ollama stopped while it loaded the model: the connection closes with no reply.
    server.set_mode("stopped_loading", times=1)
    before = ask(server)
    assert before is not None and before.code == "network"
    assert server.host in before.reason and "before any reply" in before.reason
    assert "ollama serve" in before.fix  # start it again
    # The reply had begun when the connection dropped: it broke off.
    server.set_mode("truncated", times=1)
    after = ask(server)
    assert after is not None and after.code == "stream_cut"
    assert "broke off" in after.reason
    # Neither is retried: one request each.
    assert len(chats(server)) == 2


@pytest.mark.parametrize("kind", REQUESTS)
def test_a_model_that_cannot_chat_on_a_server_that_does_not_say_so_is_named(kind: str) -> None:
    # An embedding model copied under a plain name, on a server from before capabilities
    # were stated: the listing and /api/show look like a chat model's; the chat's own 400
    # is what tells.
    spec = ModelSpec("notes-index:latest", capabilities=("embedding",), family="nomic-bert-moe")
    server = serve(spec, tags_capabilities=False, show_capabilities=False)
    try:
        failure = REQUESTS[kind](server)
        assert failure is not None and failure.code == "not_chat_model", failure
        assert "does not support chat" in failure.reason and "greenroom models pull" in failure.fix
        assert len(chats(server)) == 1, "a refusal is not asked again"
    finally:
        server.stop()


# -- cancel ------------------------------------------------------------------------------


def cancel_when(condition: Callable[[], bool]) -> tuple[threading.Event, list[float]]:
    """An event set as soon as ``condition`` holds, and the moment it was set."""
    cancel = threading.Event()
    moment: list[float] = []

    def watch() -> None:
        deadline = time.monotonic() + 10
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.005)
        moment.append(time.monotonic())
        cancel.set()

    threading.Thread(target=watch, daemon=True).start()
    return cancel, moment


@pytest.mark.parametrize("kind", REQUESTS)
def test_a_cancel_during_the_pause_after_a_busy_answer_returns_at_once(
        server: OllamaLoopback, kind: str) -> None:
    server.set_mode("busy")
    cancel, moment = cancel_when(lambda: len(chats(server)) == 1)
    failure = REQUESTS[kind](server, cancel, busy_retry_s=30.0)
    assert failure is not None and failure.code == "cancelled"
    assert time.monotonic() - moment[0] < 0.5
    time.sleep(0.1)
    assert len(chats(server)) == 1, "nothing more is asked after a cancel"


@pytest.mark.parametrize("kind", REQUESTS)
def test_a_cancel_during_a_silent_load_cuts_the_connection_at_once(kind: str) -> None:
    server = serve(slow_s=30.0)
    try:
        server.set_mode("slow", times=1)
        cancel, moment = cancel_when(lambda: len(chats(server)) == 1)
        failure = REQUESTS[kind](server, cancel, read_timeout_s=60.0)
        assert failure is not None and failure.code == "cancelled"
        assert time.monotonic() - moment[0] < 0.5
        (request,) = chats(server)
        deadline = time.monotonic() + 5
        while request.abandoned_at is None and time.monotonic() < deadline:
            time.sleep(0.01)
        # The server saw the client leave, so the next request is not kept waiting.
        assert request.abandoned_at is not None and request.abandoned_at - moment[0] < 1.0
        assert REQUESTS[kind](server) is None
    finally:
        server.stop()


def test_every_request_front_takes_its_own_task_and_time_limit() -> None:
    """Each request module names only its task and limit; the connection settings come
    from ``TaskClient`` and an explicit limit still wins."""
    from models import llm_coach, llm_job_ad, llm_page_reader
    from models.llm_follow_up import FOLLOW_UP, FollowUpAsker
    from models.llm_job_ad import AdTailor
    from models.ollama_call import TaskClient

    fronts = {LLMCoach: (llm_coach.REVIEW, llm_coach.TOTAL_TIMEOUT_S),
              PageReader: (llm_page_reader.READING, llm_page_reader.TOTAL_TIMEOUT_S),
              AdTailor: (llm_job_ad.TAILORING, llm_job_ad.TOTAL_TIMEOUT_S)}
    for front, (task, limit) in fronts.items():
        client = front("http://127.0.0.1:1", "some-model", read_timeout_s=7.0)
        assert isinstance(client, TaskClient) and client.TASK is task
        assert (client.call.total_timeout_s, client.call.read_timeout_s) == (limit, 7.0)
        assert client.call.model == "some-model" and client.host == "http://127.0.0.1:1"
        assert front(total_timeout_s=9.0).call.total_timeout_s == 9.0
    asker = FollowUpAsker("http://127.0.0.1:1", budget_s=2.0, connect_timeout_s=5.0)
    assert asker.TASK is FOLLOW_UP
    assert (asker.call.total_timeout_s, asker.call.read_timeout_s, asker.call.busy_retry_s) == \
        (2.0, 2.0, 0.5)


def test_char_count_reports_the_reply_so_far() -> None:
    from models.ollama_call import char_count

    seen: list[int] = []
    on_text = char_count(seen.append)
    for piece in ('{"qu', "estions", '": []}'):
        on_text(piece)
    assert seen == [4, 11, 17]
    char_count(None)("no one listens")  # progress is optional
