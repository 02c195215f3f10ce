"""Reading a prep page with the local model, against the loopback Ollama: the request
carries the page and the schema, the reply is checked against the page (invented
questions and items dropped and counted), every failure is one line, and a cloud model
gets nothing without the user's yes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from interview_scripts.errors import ScriptError
from interview_scripts.loader import parse_script
from interview_scripts.page_importer import import_page
from models.errors import OllamaFailure
from models.llm_page_reader import MAX_PAGE_CHARS, PageReader, page_schema
from models.ollama_server import ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, MODEL_ENV
from tests.llm_helpers import assert_whole_input_reached, every_chat_whole
from tests.ollama_loopback import ModelSpec, OllamaLoopback

pytest_plugins = ("tests.ollama_loopback",)



@pytest.fixture(autouse=True)
def _every_chat_whole() -> Iterator[None]:
    """No chat a test makes may lose part of its prompt to the window."""
    with every_chat_whole():
        yield

LOCAL = "llama3.2:3b"
CLOUD = "gpt-oss:120b-cloud"

# A recruiter call written down as prose: the rules find no question in it.
MESSY_PAGE = """notes from the recruiter call (tuesday)

she said they always open by asking you to tell them about yourself. keep it to 2 minutes and finish on why this role, not your whole history.

then the hiring manager asks: how did you handle a production outage you owned? they want one real incident with numbers in it. mention how long recovery took, and what changed afterwards. do not blame a colleague, that sank the last candidate.

a panel member usually asks what you would do in your first ninety days. talk about meeting the team and finding one quick win. they hate big reorganisation plans on day one.

last one is why you want to leave your current job. keep it positive and short.

parking is at the back, bring id
"""


def _question(text: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"text": text, "time_guide": "", "framework": "none", "guidance": "",
                            "key_points": [], "mistakes": [], "sample_answer": "", "follow_ups": []}
    return base | fields


# What a model that follows the prompt writes for MESSY_PAGE, plus one question and one
# key point of its own that the page never says.
READING: dict[str, Any] = {
    "title": "notes from the recruiter call",
    "role": "",
    "questions": [
        _question("tell them about yourself", time_guide="2 minutes",
                  guidance="finish on why this role, not your whole history"),
        _question("how did you handle a production outage you owned?", framework="STAR",
                  guidance="they want one real incident with numbers in it",
                  key_points=["mention how long recovery took", "what changed afterwards",
                              "Quantify the dollar cost for enterprise customers"],
                  mistakes=["do not blame a colleague"]),
        _question("What is your greatest weakness?"),
        _question("what you would do in your first ninety days",
                  key_points=["meeting the team", "finding one quick win"],
                  mistakes=["big reorganisation plans on day one"]),
        _question("why you want to leave your current job", guidance="keep it positive and short"),
    ],
}


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (MODEL_ENV, ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Any:
    loopback = OllamaLoopback(models=(LOCAL,)).start()
    loopback.script_reply(READING)
    try:
        yield loopback
    finally:
        loopback.stop()


def reader(server: OllamaLoopback, **kwargs: Any) -> PageReader:
    kwargs.setdefault("read_timeout_s", 5.0)
    return PageReader(server.host, connect_timeout_s=0.5, busy_retry_s=0.05, **kwargs)


def chats(server: OllamaLoopback) -> list[Any]:
    return server.requests_to("/api/chat")


def test_the_rules_cannot_read_the_messy_page() -> None:
    with pytest.raises(ScriptError, match="found no interview questions"):
        import_page(MESSY_PAGE, "recruiter-call.txt")


def test_the_model_structures_a_messy_page_and_what_it_invents_is_dropped(
        server: OllamaLoopback) -> None:
    reading = reader(server).read(MESSY_PAGE, "recruiter-call.txt")
    script = reading.result.script
    assert [q.text for q in script.questions] == [
        "tell them about yourself", "how did you handle a production outage you owned?",
        "what you would do in your first ninety days", "why you want to leave your current job"]
    yourself, outage, first_days, leave = script.questions
    assert yourself.time_guide is not None and yourself.time_guide.max_s == 120.0
    assert yourself.guidance.startswith("finish on why this role")
    assert outage.framework.name == "STAR"
    assert [k.text for k in outage.key_points] == ["mention how long recovery took",
                                                   "what changed afterwards"]
    assert [m.text for m in outage.mistakes] == ["do not blame a colleague"]
    assert [m.text for m in first_days.mistakes] == ["big reorganisation plans on day one"]
    assert leave.guidance == "keep it positive and short"
    assert (reading.dropped.questions, reading.dropped.items) == (1, 1)
    assert reading.line == (f"Read by the local model {LOCAL}: 4 questions; dropped 1 question, "
                            "1 list item not found on the page.")
    assert reading.result.read_by == f"the local model {LOCAL}"
    assert script.title == "notes from the recruiter call" and script.role == "Not stated on the page"
    # The same review as the rules' import: lines left out, notes, and YAML the loader reads.
    assert "parking is at the back, bring id" in reading.result.unplaced
    assert any("dropped 1 question" in line for line in reading.result.unplaced)
    assert parse_script(reading.result.yaml_text, name=f"{script.id}.yaml") == script
    assert reading.result.document["questions"][1]["key_points"][0] == "mention how long recovery took"

    (request,) = chats(server)
    body = request.body
    assert body["model"] == LOCAL and body["stream"] is True
    assert body["format"] == page_schema()
    assert body["format"]["properties"]["questions"]["maxItems"] == 40
    system, user = body["messages"]
    assert MESSY_PAGE.strip() in user["content"]
    assert json.dumps(page_schema(), separators=(",", ":")) in system["content"]
    assert body["options"]["temperature"] == 0.0
    assert_whole_input_reached(server, MESSY_PAGE.strip())  # the window held it all


def test_a_page_near_the_longest_allowed_reaches_the_model_whole(server: OllamaLoopback) -> None:
    # The window is sized from Greenroom's own estimate; the server counts the page in
    # its own tokens and cuts whatever does not fit, without an error.
    filler = "\n\n".join(f"note {i}: the panel asked about rota {i} and shift handover "
                         f"number {i * 7}, then about staffing on ward {i % 9}."
                         for i in range(700))
    page = MESSY_PAGE + "\n" + filler[: MAX_PAGE_CHARS - len(MESSY_PAGE) - 200]
    assert MAX_PAGE_CHARS - 300 < len(page) <= MAX_PAGE_CHARS
    reading = reader(server).read(page, "long-notes.txt")
    assert len(reading.result.script.questions) == 4
    (request,) = chats(server)
    assert request.body["options"]["num_ctx"] > 8192
    assert_whole_input_reached(server, page.strip())


def test_a_reply_without_any_question_from_the_page_is_a_failure(server: OllamaLoopback) -> None:
    server.script_reply({"title": "x", "role": "", "questions": [_question("Why should we hire you?")]})
    with pytest.raises(OllamaFailure) as failed:
        reader(server).read(MESSY_PAGE, "page.txt")
    assert failed.value.code == "no_questions"
    assert "it named 1, none of them in the page's words" in str(failed.value)


@pytest.mark.parametrize(("mode", "code", "requests"), [
    ("down", "not_running", 0),
    ("busy", "server_busy", 2),
    ("invalid_json", "malformed_json", 2),
    ("schema_violation", "schema_violation", 2),
    ("truncated", "stream_cut", 1),
    ("no_done", "stopped_early", 2),
])
def test_every_failure_is_one_line(server: OllamaLoopback, mode: str, code: str,
                                   requests: int) -> None:
    server.set_mode(mode)
    with pytest.raises(OllamaFailure) as failed:
        reader(server).read(MESSY_PAGE, "page.txt")
    message = str(failed.value)
    assert failed.value.code == code, message
    assert "\n" not in message and "; " in message  # the reason, then what to do
    if mode != "down":
        assert len(chats(server)) == requests


def test_a_garbage_reply_is_retried_with_the_reason(server: OllamaLoopback) -> None:
    server.set_mode("invalid_json", times=1)
    reading = reader(server).read(MESSY_PAGE, "page.txt")
    assert reading.attempts == 2 and len(reading.result.script.questions) == 4
    first, second = chats(server)
    assert "REJECTED" not in first.body["messages"][1]["content"]
    assert "YOUR PREVIOUS REPLY WAS REJECTED: the model's reply was not valid JSON" in \
        second.body["messages"][1]["content"]
    # The retry, the reason added, still fits the page in its window.
    assert_whole_input_reached(server, MESSY_PAGE.strip())


def test_a_busy_server_is_asked_again(server: OllamaLoopback) -> None:
    server.set_mode("busy", times=1)
    reading = reader(server).read(MESSY_PAGE, "page.txt")
    assert reading.attempts == 2 and len(chats(server)) == 2


def test_a_reply_cut_at_its_limit_is_retried_with_twice_the_room_then_given_up(
        server: OllamaLoopback) -> None:
    endless = _question("why you want to leave your current job",
                        sample_answer="keep it positive " * 3000)
    server.script_reply({"title": "", "role": "", "questions": [endless]})
    with pytest.raises(OllamaFailure) as failed:
        reader(server).read(MESSY_PAGE, "page.txt")
    assert failed.value.code == "reply_too_long"
    first, second = (r.body["options"]["num_predict"] for r in chats(server))
    assert second >= 2 * first - 1 and f"limit of {second} tokens" in str(failed.value)


def test_a_cloud_model_gets_nothing_without_consent() -> None:
    server = OllamaLoopback(models=(ModelSpec.named(CLOUD, age_days=1), LOCAL)).start()
    server.script_reply(READING)
    try:
        with pytest.raises(OllamaFailure) as refused:
            reader(server, model=CLOUD).read(MESSY_PAGE, "page.txt")
        assert refused.value.code == "remote_refused"
        assert "your page would leave this machine" in str(refused.value)
        assert server.requests_for(CLOUD) == [] and chats(server) == []

        # Not named, the cloud model is never chosen; the local one reads the page.
        assert reader(server).read(MESSY_PAGE, "page.txt").model == LOCAL
        assert server.requests_for(CLOUD) == []

        allowed = reader(server, model=CLOUD, allow_remote=True).read(MESSY_PAGE, "page.txt")
        assert allowed.model == CLOUD and len(chats(server)) == 2
    finally:
        server.stop()


def test_a_remote_host_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(OllamaFailure) as refused:
        PageReader("http://192.0.2.10:11434", connect_timeout_s=0.2).choose()
    assert refused.value.code == "remote_refused" and "not on this machine" in str(refused.value)


def test_no_model_installed_says_which_to_pull() -> None:
    server = OllamaLoopback(models=()).start()
    try:
        with pytest.raises(OllamaFailure) as failed:
            reader(server).choose()
        assert failed.value.code == "no_model" and "greenroom models pull" in str(failed.value)
    finally:
        server.stop()


def test_cancel_during_a_slow_load_returns_and_the_server_drops_the_request() -> None:
    server = OllamaLoopback(models=(LOCAL,), slow_s=30.0).start()
    server.script_reply(READING)
    server.set_mode("slow", times=1)
    cancel = threading.Event()
    progress: list[int] = []

    def cancel_once_asked() -> None:
        while not chats(server):
            time.sleep(0.01)
        cancel.set()

    threading.Thread(target=cancel_once_asked, daemon=True).start()
    try:
        with pytest.raises(OllamaFailure) as failed:
            reader(server, read_timeout_s=60.0).read(MESSY_PAGE, "page.txt", progress.append, cancel)
        assert failed.value.code == "cancelled" and progress == []
        (request,) = chats(server)
        deadline = time.monotonic() + 10
        while request.abandoned_at is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert request.abandoned_at is not None
        # The next read is served at once, not behind the abandoned load.
        assert len(reader(server).read(MESSY_PAGE, "page.txt", progress.append).result.script.questions) == 4
        assert progress and progress == sorted(progress)
    finally:
        server.stop()
