"""What an Ollama server of one release does, checked through its HTTP API alone.

Each check takes a host and the release (``tests.ollama_versions.OllamaVersion``) it is
expected to behave as. tests/test_ollama_loopback.py runs them against the loopback
playing each offered release; tests/test_live_ollama.py runs them against a real server,
with the offered release that behaves as its version does. A check that passes on the
loopback and fails on a real server shows the loopback's account of that release wrong.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.ollama_versions import OllamaVersion

__test__ = False  # helpers, not tests

# Words a model's template never holds, so their presence in a prompt is the message's.
SYSTEM_TEXT = "Zephyr quokka marmalade: answer in one word. " * 6
# Far more than 256 tokens in any tokenizer; its last words are numbered.
USER_TEXT = " ".join(f"line {i} of the answer, said slowly." for i in range(120)) + " the end"
WINDOW = 256


def _client(host: str, timeout_s: float) -> httpx.Client:
    return httpx.Client(base_url=host, timeout=timeout_s, trust_env=False)


def check_listing(host: str, release: OllamaVersion, timeout_s: float = 30.0) -> None:
    """/api/tags lists capabilities from 0.30.0; /api/show states them from 0.6.4."""
    with _client(host, timeout_s) as client:
        entries = client.get("/api/tags").json()["models"]
        assert entries, "no model installed"
        for entry in entries:
            assert ("capabilities" in entry) == release.tags_capabilities, entry
        local = next(e for e in entries if not e.get("remote_host"))
        shown = client.post("/api/show", json={"model": local["model"]}).json()
        assert ("capabilities" in shown) == release.show_capabilities, sorted(shown)


def _chat(client: httpx.Client, model: str, messages: list[dict[str, str]],
          **extra: Any) -> httpx.Response:
    options = {"num_predict": 1, "temperature": 0, **extra.pop("options", {})}
    return client.post("/api/chat", json={"model": model, "messages": messages,
                                          "stream": False, "options": options, **extra})


def check_think_level(host: str, model: str, release: OllamaVersion,
                      timeout_s: float = 300.0) -> None:
    """``model`` thinks and does not use the harmony parser (not gpt-oss): a level is
    refused until 0.17.6 and taken from 0.17.7."""
    with _client(host, timeout_s) as client:
        reply = _chat(client, model, [{"role": "user", "content": "Say hi."}], think="low")
    if release.think_levels == "harmony":
        assert reply.status_code == 400, reply.text
        assert reply.json()["error"] == 'think value "low" is not supported for this model'
    else:
        assert reply.status_code == 200, reply.text


def check_window(host: str, model: str, release: OllamaVersion,
                 timeout_s: float = 300.0) -> int:
    """A system and a user message over a 256-token window: no error; before 0.15.5 the
    prompt built holds no system message, from it it does; what the model is given is cut
    to the window (0.30.0: one token less). Returns the reply's prompt_eval_count."""
    messages = [{"role": "system", "content": SYSTEM_TEXT},
                {"role": "user", "content": USER_TEXT}]
    options = {"num_ctx": WINDOW}
    with _client(host, timeout_s) as client:
        if release.debug_render:
            shown = _chat(client, model, messages, options=options, _debug_render_only=True)
            assert shown.status_code == 200, shown.text
            rendered = shown.json()["debug_info"]["rendered_template"]
            assert ("Zephyr quokka" in rendered) == (release.prompt_fit == "forward")
            assert "line 119 of the answer" in rendered
        reply = _chat(client, model, messages, options=options)
    assert reply.status_code == 200, reply.text  # only the server's log tells of the cut
    evaluated = int(reply.json()["prompt_eval_count"])
    assert evaluated <= WINDOW - release.runner_headroom
    return evaluated
