"""The loopback Ollama server speaks the published protocol, and models.ollama_server and
`greenroom models` work against it."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import httpx
import pytest

from app.cli import main as cli_main
from models.errors import LLMError
from models.llm_feedback import LLMFeedback, feedback_schema
from models.ollama_server import (
    DEFAULT_HOST,
    MODEL_ENV,
    OllamaServer,
    PullProgress,
    choose_model,
    resolve_host,
    server_status,
)
from tests.ollama_loopback import (
    ModelSpec,
    OllamaLoopback,
    SchemaFiller,
    count_tokens,
    tokens,
)
from tests.ollama_versions import DEFAULT, OFFERED
from tests.release_checks import WINDOW, check_listing, check_think_level, check_window

pytest_plugins = ("tests.ollama_loopback",)

DETAIL_KEYS = {"parent_model", "format", "family", "families", "parameter_size",
               "quantization_level"}


def http(server: OllamaLoopback) -> httpx.Client:
    return httpx.Client(base_url=server.host, timeout=2.0, trust_env=False)


# -- the wire protocol ------------------------------------------------------------------


@pytest.mark.parametrize("ollama_loopback", OFFERED, indirect=True)
def test_version_tags_and_show_carry_the_fields_of_the_release(
        ollama_loopback: OllamaLoopback) -> None:
    release = ollama_loopback.version
    with http(ollama_loopback) as client:
        assert client.get("/api/version").json() == {"version": release}
        (entry,) = client.get("/api/tags").json()["models"]
        # api.ListModelResponse; remote_model/remote_host are omitted for a local model.
        # Capabilities (and the details' context_length) are listed from 0.30.0 only.
        listed = {"name", "model", "modified_at", "size", "digest", "details"}
        if release == "0.30.0":
            assert set(entry) == listed | {"capabilities"}
            assert entry["capabilities"] == ["completion", "tools"]
            assert set(entry["details"]) == DETAIL_KEYS | {"context_length"}
        else:
            assert set(entry) == listed and set(entry["details"]) == DETAIL_KEYS
        assert entry["name"] == entry["model"] == "llama3.2:3b"
        show = client.post("/api/show", json={"model": "llama3.2:3b"}).json()
        assert {"modelfile", "parameters", "template", "details", "model_info"} <= set(show)
        assert show["model_info"]["llama.context_length"] > 0
        # /api/show states capabilities from 0.6.4.
        assert show.get("capabilities") == (None if release == "0.6.2"
                                            else ["completion", "tools"])
        assert 'stop "<|eot_id|>"' in show["parameters"]
        assert "remote_host" not in show
        missing = client.post("/api/show", json={"model": "nope:1b"})
        assert missing.status_code == 404 and "not found" in missing.json()["error"]


def test_chat_streams_ndjson_and_ends_with_statistics(ollama_loopback: OllamaLoopback) -> None:
    request = {"model": "llama3.2:3b", "messages": [{"role": "user", "content": "hi"}],
               "format": feedback_schema()}
    with http(ollama_loopback) as client, client.stream("POST", "/api/chat", json=request) as r:
        assert r.headers["content-type"] == "application/x-ndjson"
        lines = [json.loads(line) for line in r.iter_lines()]
    *pieces, final = lines
    assert pieces and all(p["done"] is False and p["message"]["role"] == "assistant"
                          for p in pieces)
    assert all({"model", "created_at", "message", "done"} <= set(p) for p in lines)
    assert final["done"] is True and final["done_reason"] == "stop"
    assert {"total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration",
            "eval_count", "eval_duration"} <= set(final)
    content = "".join(p["message"]["content"] for p in pieces)
    LLMFeedback.model_validate_json(content)


def test_chat_reply_follows_the_schema_sent_and_is_prose_without_one(
        ollama_loopback: OllamaLoopback) -> None:
    base = {"model": "llama3.2:3b", "messages": [{"role": "user", "content": "hi"}],
            "stream": False}
    tiny = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 100},
                                             "tag": {"enum": ["a", "b"]}},
            "required": ["n", "tag"]}
    with http(ollama_loopback) as client:
        shaped = client.post("/api/chat", json={**base, "format": tiny}).json()
        plain = client.post("/api/chat", json=base).json()
    value = json.loads(shaped["message"]["content"])
    assert set(value) == {"n", "tag"} and value["n"] >= 100 and value["tag"] in ("a", "b")
    assert shaped["done"] is True
    with pytest.raises(json.JSONDecodeError):
        json.loads(plain["message"]["content"])


def test_schema_filler_satisfies_the_feedback_schema_with_refs_and_enums() -> None:
    schema = feedback_schema()
    assert "$defs" in schema  # the walker really resolves references
    value = SchemaFiller(schema).fill()
    parsed = LLMFeedback.model_validate(value)
    assert {kp.status for kp in parsed.key_points} <= {"covered", "partial", "missing"}
    assert len(parsed.improvements) <= 5


def test_generate_with_no_prompt_loads_the_model(ollama_loopback: OllamaLoopback) -> None:
    with http(ollama_loopback) as client:
        reply = client.post("/api/generate", json={"model": "llama3.2:3b", "keep_alive": "5m",
                                                   "stream": False}).json()
    assert reply["response"] == "" and reply["done"] is True and reply["done_reason"] == "load"


def test_every_request_is_recorded(ollama_loopback: OllamaLoopback) -> None:
    with http(ollama_loopback) as client:
        client.get("/api/version")
        client.post("/api/show", json={"model": "llama3.2:3b"})
    assert [(r.method, r.path) for r in ollama_loopback.requests] == \
        [("GET", "/api/version"), ("POST", "/api/show")]
    assert ollama_loopback.requests[1].body == {"model": "llama3.2:3b"}
    assert ollama_loopback.requests[0].client[0] == "127.0.0.1"


def test_down_mode_closes_the_port_and_healthy_reopens_it(
        ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.set_mode("down")
    with http(ollama_loopback) as client, pytest.raises(httpx.ConnectError):
        client.get("/api/version")
    ollama_loopback.set_mode("healthy")
    with http(ollama_loopback) as client:
        assert client.get("/api/version").status_code == 200


# -- models.ollama_server -----------------------------------------------------------------


def test_host_comes_from_the_setting_then_the_environment_then_the_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    assert resolve_host() == DEFAULT_HOST
    monkeypatch.setenv("OLLAMA_HOST", "10.0.0.5")
    assert resolve_host() == "http://10.0.0.5:11434"
    assert resolve_host("127.0.0.1:9999") == "http://127.0.0.1:9999"
    assert resolve_host("https://ollama.lan") == "https://ollama.lan:443"
    assert resolve_host("0.0.0.0:11434") == DEFAULT_HOST


def test_status_lists_version_and_models(ollama_loopback: OllamaLoopback) -> None:
    status = server_status(ollama_loopback.host)
    assert status == {"host": ollama_loopback.host, "reachable": True,
                      "version": ollama_loopback.version, "models": ["llama3.2:3b"],
                      "entries": ollama_loopback.tags(), "error": None}


def test_status_of_a_closed_port_says_how_to_start_it(ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.set_mode("down")
    status = OllamaServer(ollama_loopback.host, connect_timeout_s=0.5).status()
    assert status["reachable"] is False and status["models"] == []
    assert ollama_loopback.host in status["error"] and "ollama serve" in status["error"]


def test_model_choice_follows_the_preference_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    assert choose_model(["mistral:7b", "qwen2.5:3b", "llama3.2:3b"]) == "llama3.2:3b"
    assert choose_model(["mistral:7b", "phi3.5:latest"]) == "phi3.5:latest"
    assert choose_model(["mistral:7b"]) == "mistral:7b"
    assert choose_model([]) is None
    server = OllamaServer("127.0.0.1:1")
    assert server.pick_model("gemma2:2b", installed=["llama3.2:3b"]) == "gemma2:2b"
    monkeypatch.setenv(MODEL_ENV, "qwen2.5:3b")
    assert server.pick_model(installed=["llama3.2:3b"]) == "qwen2.5:3b"


def test_pull_reports_progress_and_installs_the_model(ollama_loopback: OllamaLoopback) -> None:
    seen: list[PullProgress] = []
    done = OllamaServer(ollama_loopback.host).pull("qwen2.5:3b", on_progress=seen.append)
    assert done is True
    assert seen[0].status == "pulling manifest" and seen[-1].status == "success"
    fractions = [p.fraction for p in seen if p.fraction is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "qwen2.5:3b" in ollama_loopback.models
    (request,) = ollama_loopback.requests_to("/api/pull")
    assert request.body["model"] == "qwen2.5:3b" and request.body["stream"] is True


def test_pull_can_be_cancelled_midway() -> None:
    server = OllamaLoopback(pull_steps=20, pull_delay_s=0.05).start()
    try:
        cancel = threading.Event()
        seen: list[PullProgress] = []

        def on_progress(progress: PullProgress) -> None:
            seen.append(progress)
            if progress.fraction:
                cancel.set()

        done = OllamaServer(server.host).pull("qwen2.5:3b", on_progress, cancel)
        assert done is False
        assert seen[-1].status != "success" and len(seen) < 5
        assert "qwen2.5:3b" not in server.models
    finally:
        server.stop()


def test_pull_of_an_unknown_name_raises_one_line(ollama_loopback: OllamaLoopback) -> None:
    with pytest.raises(LLMError, match="could not pull 'missing-model'") as info:
        OllamaServer(ollama_loopback.host).pull("missing-model")
    assert "\n" not in str(info.value)


def test_preload_asks_for_keep_alive_off_the_calling_thread(
        ollama_loopback: OllamaLoopback) -> None:
    thread = OllamaServer(ollama_loopback.host).preload("llama3.2:3b", keep_alive="15m")
    assert thread is not threading.current_thread() and thread.daemon
    thread.join(timeout=5)
    (request,) = ollama_loopback.requests_to("/api/generate")
    assert request.body == {"model": "llama3.2:3b", "keep_alive": "15m", "stream": False}


def test_preload_against_a_closed_port_stays_quiet(ollama_loopback: OllamaLoopback) -> None:
    ollama_loopback.set_mode("down")
    thread = OllamaServer(ollama_loopback.host, connect_timeout_s=0.5).preload("llama3.2:3b")
    thread.join(timeout=5)
    assert not thread.is_alive()


# -- greenroom models ---------------------------------------------------------------------


def test_models_list_shows_server_version_models_and_choice(
        ollama_loopback: OllamaLoopback, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    ollama_loopback.add_model(ModelSpec("mistral:7b", family="mistral", age_days=0))
    assert cli_main(["models", "--host", ollama_loopback.host, "list"]) == 0
    out = capsys.readouterr().out
    assert f"server:  {ollama_loopback.host}" in out
    assert f"version: {ollama_loopback.version}" in out
    assert "    mistral:7b" in out and "  * llama3.2:3b" in out
    assert "in use:  llama3.2:3b" in out


def test_models_pull_draws_a_progress_bar(ollama_loopback: OllamaLoopback,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["models", "--host", ollama_loopback.host, "pull", "phi3.5"]) == 0
    err = capsys.readouterr().err
    assert "[" + "#" * 30 + "] 100.0%" in err
    assert "\r" in err and "pulled phi3.5" in err
    assert "phi3.5" in ollama_loopback.models


def test_models_commands_with_the_server_down_print_one_line(
        ollama_loopback: OllamaLoopback, capsys: pytest.CaptureFixture[str]) -> None:
    ollama_loopback.set_mode("down")
    for argv in (["list"], ["pull", "phi3.5"]):
        assert cli_main(["models", "--host", ollama_loopback.host, *argv]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("greenroom: ") and "\n" not in err
        assert "ollama serve" in err


@pytest.mark.parametrize("release", ["0.13.5", "0.30.0"])
def test_models_list_marks_cloud_embedding_and_thinking_models(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        release: str) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    server = OllamaLoopback(models=("gpt-oss:120b-cloud", "nomic-embed-text:latest",
                                    "qwen3:4b", "mistral:7b"), version=release).start()
    try:
        assert cli_main(["models", "--host", server.host, "list"]) == 0
        out = capsys.readouterr().out
        assert "    gpt-oss:120b-cloud  (runs on https://ollama.com:443: answers would " \
               "leave this machine)" in out
        assert "    nomic-embed-text:latest  (cannot chat (embedding))" in out
        assert "    qwen3:4b  (thinks before answering)" in out
        assert "  * mistral:7b" in out and "in use:  mistral:7b (none of" in out
        # From 0.30.0 the listing says the embedding model cannot chat; before, it is
        # asked about (/api/show) like each local model.
        asked = {r.body["model"] for r in server.requests_to("/api/show")}
        assert ("nomic-embed-text:latest" in asked) == (release != "0.30.0")
        assert asked >= {"mistral:7b", "qwen3:4b"}
        # Listing asks nothing about a cloud model.
        assert server.requests_for("gpt-oss:120b-cloud") == []
    finally:
        server.stop()


def test_tags_are_newest_first_and_carry_remote_fields_only_for_cloud_models() -> None:
    server = OllamaLoopback(models=(ModelSpec("old:1b", age_days=9),
                                    ModelSpec.named("gpt-oss:20b-cloud", age_days=1),
                                    ModelSpec("new:1b", age_days=0))).start()
    try:
        with http(server) as client:
            entries = client.get("/api/tags").json()["models"]
            assert [e["model"] for e in entries] == ["new:1b", "gpt-oss:20b-cloud", "old:1b"]
            cloud = entries[1]
            assert cloud["remote_host"] == "https://ollama.com:443"
            assert cloud["remote_model"] == "gpt-oss:20b"
            assert "remote_host" not in entries[0]
            shown = client.post("/api/show", json={"model": "gpt-oss:20b-cloud"}).json()
            assert shown["remote_host"] == cloud["remote_host"]
            assert "thinking" in shown["capabilities"]
    finally:
        server.stop()


def test_a_stream_error_line_and_a_busy_server_look_as_ollama_sends_them(
        ollama_loopback: OllamaLoopback) -> None:
    request = {"model": "llama3.2:3b", "messages": [{"role": "user", "content": "hi"}],
               "format": feedback_schema()}
    ollama_loopback.set_mode("error_line", times=1)
    with http(ollama_loopback) as client, client.stream("POST", "/api/chat", json=request) as r:
        assert r.status_code == 200
        lines = [json.loads(line) for line in r.iter_lines()]
    assert lines[-1] == {"error": "an error was encountered while running the model"}
    assert all("error" not in line for line in lines[:-1])
    ollama_loopback.set_mode("busy", times=1)
    with http(ollama_loopback) as client:
        busy = client.post("/api/chat", json=request)
    assert busy.status_code == 503 and "server busy" in busy.json()["error"]


def test_a_thinking_model_thinks_unless_told_not_to_and_the_budget_counts_it() -> None:
    server = OllamaLoopback(models=(ModelSpec.named("qwen3:4b", think_tokens=300),)).start()
    try:
        base = {"model": "qwen3:4b", "messages": [{"role": "user", "content": "hi"}],
                "format": feedback_schema(), "stream": False}
        with http(server) as client:
            thought = client.post("/api/chat", json=base).json()
            plain = client.post("/api/chat", json={**base, "think": False}).json()
            cut = client.post("/api/chat", json={**base, "options": {"num_predict": 100}}).json()
        assert thought["message"]["thinking"] and json.loads(thought["message"]["content"])
        assert "thinking" not in plain["message"] and json.loads(plain["message"]["content"])
        assert cut["done_reason"] == "length" and cut["message"]["content"] == ""
    finally:
        server.stop()


def test_a_prompt_longer_than_the_window_loses_its_oldest_messages_silently(
        ollama_loopback: OllamaLoopback) -> None:
    long = "word " * 5000
    messages = [{"role": "system", "content": "be brief"},
                {"role": "user", "content": long}, {"role": "assistant", "content": "ok"},
                {"role": "user", "content": "again"}]
    with http(ollama_loopback) as client:
        reply = client.post("/api/chat", json={"model": "llama3.2:3b", "messages": messages,
                                               "stream": False})
    assert reply.status_code == 200
    (chat,) = ollama_loopback.requests_to("/api/chat")
    assert chat.num_ctx == 4096 and chat.kept_messages == 3  # system + the last two
    assert chat.seen == [messages[0], *messages[2:]] and chat.cut_tokens == 0
    assert reply.json()["prompt_eval_count"] == chat.prompt_tokens < chat.sent_tokens


SYSTEM = "You read interview answers. Reply with JSON only. " * 3
ANSWER = " ".join(f"w{i}" for i in range(400))  # 800 tokens: " w" and the number


def cut_chat(release: str, messages: list[dict[str, str]], num_ctx: int = 256) -> Any:
    server = OllamaLoopback(version=release).start()
    try:
        with http(server) as client:
            reply = client.post("/api/chat", json={
                "model": "llama3.2:3b", "messages": messages, "stream": False,
                "options": {"num_ctx": num_ctx}})
        assert reply.status_code == 200  # no error: only the server's log says it cut
        (chat,) = server.requests_to("/api/chat")
        assert reply.json()["prompt_eval_count"] == chat.prompt_tokens
        return chat
    finally:
        server.stop()


def test_before_0_15_5_a_system_and_a_user_message_over_the_window_lose_the_system_one() -> None:
    # server/prompt.go chatPrompt walks back from the message before the last, and keeps
    # the system messages before the index that did not fit: of two, none. The runner then
    # keeps the first four tokens (the user's template header) and the end of the answer.
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ANSWER}]
    chat = cut_chat("0.13.5", messages)
    assert chat.kept_messages == 1 and chat.prompt_tokens == 256
    ((role, content),) = [(m["role"], m["content"]) for m in chat.seen]
    assert role == "user" and ANSWER.endswith(content) and content.endswith("w399")
    assert "w0 " not in content
    assert chat.cut_tokens == 6 + count_tokens(ANSWER) - 256


@pytest.mark.parametrize(("release", "window"), [("0.17.6", 256), ("0.30.0", 255)])
def test_from_0_15_5_the_system_message_is_kept_and_the_runner_cuts_from_the_front(
        release: str, window: int) -> None:
    # chatPrompt walks forward and keeps the system message; the runner keeps the first
    # four tokens, which are the system message's header, so its words go with the
    # answer's start. 0.30.0's cut for llama-server leaves one token of the window free.
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ANSWER}]
    chat = cut_chat(release, messages)
    assert chat.kept_messages == 2 and chat.prompt_tokens == window
    system, user = chat.seen
    assert system == {"role": "system", "content": ""}
    assert user["role"] == "user" and user["content"].endswith("w399")
    assert "w0 " not in user["content"]


def test_a_prompt_that_fits_reaches_the_model_whole() -> None:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ANSWER}]
    chat = cut_chat("0.13.5", messages, num_ctx=1024)
    assert chat.seen == messages and chat.cut_tokens == 0
    assert chat.prompt_tokens == chat.sent_tokens == 2 * 6 + 800 + count_tokens(SYSTEM)


def test_tokens_join_back_into_the_text_and_count_as_counted() -> None:
    text = "It's 12,345 naïve words… [0:05] extraordinarily\n\n  long_word"
    assert "".join(tokens(text)) == text and len(tokens(text)) == count_tokens(text)


# -- one release at a time -------------------------------------------------------------------


def test_the_release_is_the_one_named_or_the_one_with_what_was_asked() -> None:
    assert OllamaLoopback().version == DEFAULT
    assert OllamaLoopback(version="0.17.6").version == "0.17.6"
    # Asked by behaviour: capabilities in the listing are 0.30.0's; none in /api/show
    # is a release before 0.6.4.
    assert OllamaLoopback(tags_capabilities=True).version == "0.30.0"
    assert OllamaLoopback(tags_capabilities=False, show_capabilities=False).version == "0.6.2"


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"version": "0.14.0"}, "not '0.14.0'"),
    ({"version": "0.13.5", "tags_capabilities": True}, "tags_capabilities=True (from 0.30.0"),
    ({"tags_capabilities": True, "show_capabilities": False}, "no Ollama release has all"),
    ({"models": ("qwen3:4b",), "version": "0.6.2"},
     "qwen3:4b: Ollama 0.6.2 states no thinking capability (from 0.9.0"),
    ({"models": ("gpt-oss:20b-cloud",), "version": "0.6.2"}, "has no cloud models"),
    ({"models": ("qwen3.5:4b",), "version": "0.13.5"},
     "has no qwen3.5 parser (from 0.17.1, model/parsers/parsers.go"),
])
def test_a_mix_no_release_has_is_refused_when_the_server_is_made(
        kwargs: dict[str, Any], says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        OllamaLoopback(**kwargs)


def test_a_model_the_release_cannot_run_is_neither_added_nor_pulled() -> None:
    server = OllamaLoopback(version="0.13.5").start()
    try:
        with pytest.raises(ValueError, match="play version='0.17.6'"):
            server.add_model(ModelSpec.named("qwen3.5:4b"))
        with pytest.raises(LLMError, match="requires a newer version of Ollama"):
            OllamaServer(server.host).pull("qwen3.5:4b")
        assert server.models == ["llama3.2:3b"]
    finally:
        server.stop()


def chat_reply(server: OllamaLoopback, model: str, **extra: Any) -> httpx.Response:
    with http(server) as client:
        return client.post("/api/chat", json={
            "model": model, "messages": [{"role": "user", "content": "hi"}],
            "format": feedback_schema(), "stream": False, **extra})


def test_think_levels_are_the_releases() -> None:
    models = ("llama3.2:3b", ModelSpec.named("qwen3:4b", think_tokens=50),
              ModelSpec.named("gpt-oss:20b", think_tokens=50))
    old, new = (OllamaLoopback(models=models, version=v).start() for v in ("0.13.5", "0.30.0"))
    try:
        for server in (old, new):
            # gpt-oss takes a level on both; a model that cannot think takes none.
            assert chat_reply(server, "gpt-oss:20b", think="low").json()["message"]["thinking"]
            plain = chat_reply(server, "llama3.2:3b", think="low")
            assert plain.status_code == 400
            assert plain.json()["error"] == '"llama3.2:3b" does not support thinking'
            assert chat_reply(server, "qwen3:4b", think="max").status_code == 400
            # think=false is fine for any model; gpt-oss thinks all the same.
            assert "thinking" not in chat_reply(server, "llama3.2:3b", think=False).json()["message"]
            assert chat_reply(server, "gpt-oss:20b", think=False).json()["message"]["thinking"]
        # Until 0.17.6 a level is for the harmony parser only, refused once the model is
        # loaded; from 0.17.7 any thinking model takes one.
        refused = chat_reply(old, "qwen3:4b", think="low")
        assert refused.status_code == 400
        assert refused.json()["error"] == 'think value "low" is not supported for this model'
        assert ("qwen3:4b", 4096) in old.loads
        assert chat_reply(new, "qwen3:4b", think="low").json()["message"]["thinking"]
    finally:
        old.stop()
        new.stop()


def test_before_thinking_existed_think_is_an_unknown_field() -> None:
    server = OllamaLoopback(version="0.6.2").start()
    try:
        reply = chat_reply(server, "llama3.2:3b", think=True)
        assert reply.status_code == 200 and "thinking" not in reply.json()["message"]
        (chat,) = server.requests_to("/api/chat")
        assert chat.num_ctx == 2048  # envconfig's default window before 0.6.7
    finally:
        server.stop()


@pytest.mark.parametrize("release", ["0.17.6", "0.30.0"])
def test_with_think_off_a_thinking_parser_loses_the_format(release: str) -> None:
    # ollama#14645: qwen3.5's parser holds the format back until a think ends; with
    # think=false no think comes, and the reply is free text. Thinking, it is JSON.
    server = OllamaLoopback(models=(ModelSpec.named("qwen3.5:4b", think_tokens=50),),
                            version=release).start()
    try:
        off = chat_reply(server, "qwen3.5:4b", think=False).json()["message"]
        assert "thinking" not in off
        with pytest.raises(json.JSONDecodeError):
            json.loads(off["content"])
        on = chat_reply(server, "qwen3.5:4b").json()["message"]
        assert on["thinking"] and LLMFeedback.model_validate_json(on["content"])
    finally:
        server.stop()


def test_a_broken_reply_is_one_a_grammar_allows_cut_where_the_model_wrote_a_stop_string(
        ollama_loopback: OllamaLoopback) -> None:
    whole = chat_reply(ollama_loopback, "llama3.2:3b").json()
    ollama_loopback.set_mode("invalid_json", times=1)
    broken = chat_reply(ollama_loopback, "llama3.2:3b").json()
    content = broken["message"]["content"]
    # No prose before the JSON (the grammar allows none): the start of the same JSON,
    # ended inside its first string, the stop string and the rest never sent.
    assert whole["message"]["content"].startswith(content) and content.startswith("{")
    assert re.search(r'": "[^"]*$', content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)
    assert broken["done"] is True and broken["done_reason"] == "stop"
    assert broken["eval_count"] < whole["eval_count"]


# -- the checks a live server is put to, passed by the loopback ----------------------------


@pytest.mark.parametrize("release", OFFERED)
def test_the_loopback_passes_the_checks_a_live_server_of_its_release_is_put_to(
        release: str) -> None:
    models = ("llama3.2:3b",) if release == "0.6.2" else ("llama3.2:3b", "qwen3:4b")
    server = OllamaLoopback(models=models, version=release).start()
    try:
        check_listing(server.host, server.release)
        if server.release.thinking:
            check_think_level(server.host, "qwen3:4b", server.release)
        evaluated = check_window(server.host, "llama3.2:3b", server.release)
        assert evaluated == WINDOW - server.release.runner_headroom
    finally:
        server.stop()
