"""The app's real Ollama requests against a real model and a real grammar engine.

llama.cpp's server (the engine Ollama hands ``format`` to) with Google's Gemma 3 270M is
started from ``../shared/llm-real/start-llama-server.sh`` (the folder ``shared`` beside
the checkout) on a free port, and stopped after. A thin Ollama-API front in this process
lets the app's own client code (``LLMCoach``, ``PageReader``, ``FollowUpAsker``,
``AdTailor``, all through ``models.ollama_call``) talk to it: ``/api/chat`` with
``format`` becomes llama.cpp's ``/v1/chat/completions`` with a ``json_schema`` response
format, streamed back as Ollama's NDJSON, and a schema the converter refuses is
answered as older Ollama releases did, with a 400.

Per request it reports: whether the converter accepted the schema, whether the reply
was valid (JSON of the schema's shape), whether the app's checks accepted it and what
they removed, the tokens written and the seconds taken, and, for a review, how soon the
first key-point verdict arrived in the stream. Without the script it says so in one line.
A 270M model is too small to judge advice; it is a fine judge of whether a schema leaves
a small model room to go wrong. Each review takes tens of seconds of both cores, so
``--quick`` runs one review and the page reading only.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT.parent / "shared" / "llm-real" / "start-llama-server.sh"
MODEL = "gemma3:270m"
CONTEXT = 8192
START_TIMEOUT_S = 900  # a first start installs the server and assembles the model
# A review on two busy cores can take minutes; the app's own limits are for laptops.
READ_TIMEOUT_S = 900.0
TOTAL_TIMEOUT_S = 1800.0
WORDS_PER_SECOND = 2.5  # 150 words a minute, for the answers made from sample answers
TONE = "friendly but direct; you want specifics"
_VERDICT = re.compile(r'"status"\s*:\s*"(covered|partial|missing)"')

PAGE = """Barista interview questions (from our staff notes)

1. Tell me about a time you handled a morning rush on your own. (2-3 minutes)
What they look for: calm priorities, keeping the queue informed, no drinks remade.
Key points: kept the queue informed; worked the tickets in order; asked for help early.
Avoid: blaming colleagues who were late.

2. How do you keep the bar clean during a busy service?
Key points: clean as you go; a checklist at closing; milk jugs rinsed between drinks.

3. Why do you want to work in specialty coffee?
"""

AD = """Customer Support Specialist, SaaS billing product (full time, hybrid)

You will answer customer tickets by email and chat about invoices, refunds and failed
payments, keep first-response times under two hours, and escalate billing bugs to the
engineering team with clear reproduction steps. You will write help-centre articles for
common questions and take part in a weekly rota for weekend cover.

Requirements: two years in customer support, experience with Zendesk or a similar
ticketing tool, calm written communication with upset customers, and the judgement to
issue refunds within policy.
"""


# -- the front: Ollama's API over llama.cpp's server ---------------------------------------------


@dataclass
class Chat:
    """One /api/chat as the front saw it."""

    schema_accepted: bool = True
    error: str = ""
    tokens: int = 0
    seconds: float = 0.0
    first_verdict_s: float | None = None
    finish: str = ""


@dataclass
class Front:
    """An Ollama-API server on loopback that forwards chats to llama.cpp's server."""

    llama_port: int
    chats: list[Chat] = field(default_factory=list)
    port: int = 0
    server: ThreadingHTTPServer | None = None

    def start(self) -> Front:
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # the body ends when the connection closes

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                if self.path == "/api/version":
                    self._json(200, {"version": "0.13.5"})
                elif self.path == "/api/tags":
                    self._json(200, {"models": [{"name": MODEL, "model": MODEL,
                                                 "details": {"family": "gemma3"},
                                                 "capabilities": ["completion"]}]})
                else:
                    self._json(404, {"error": "404 page not found"})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path == "/api/show":
                    self._json(200, {"capabilities": ["completion"], "details": {"family": "gemma3"},
                                     "model_info": {"gemma3.context_length": CONTEXT}})
                elif self.path == "/api/generate":  # a preload: nothing to load here
                    self._json(200, {"model": MODEL, "response": "", "done": True,
                                     "done_reason": "load"})
                elif self.path == "/api/chat":
                    front.chat(self, body)
                else:
                    self._json(404, {"error": "404 page not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def chat(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        record = Chat()
        self.chats.append(record)
        options = body.get("options") or {}
        fmt = body.get("format")
        request: dict[str, Any] = {
            "messages": body.get("messages") or [], "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": int(options.get("num_predict") or 1024),
            "temperature": float(options.get("temperature", 0.2)),
            "seed": int(options.get("seed", 0)),
        }
        if isinstance(fmt, dict):
            request["response_format"] = {"type": "json_schema",
                                          "json_schema": {"name": "reply", "schema": fmt}}
        started = time.monotonic()
        upstream = http.client.HTTPConnection("127.0.0.1", self.llama_port, timeout=READ_TIMEOUT_S)
        upstream.request("POST", "/v1/chat/completions", json.dumps(request),
                         {"Content-Type": "application/json"})
        reply = upstream.getresponse()
        if reply.status != 200:
            text = reply.read().decode("utf-8", "replace")
            record.error = " ".join(text.split())[:300]
            record.schema_accepted = "schema" not in text.lower()
            record.seconds = round(time.monotonic() - started, 1)
            # Older Ollama releases converted the schema themselves and said so.
            message = "invalid JSON schema in format" if not record.schema_accepted else text
            data = json.dumps({"error": message}).encode()
            handler.send_response(400 if not record.schema_accepted else 500)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/x-ndjson")
        handler.end_headers()
        written, finish, tokens = "", "stop", 0
        for raw in reply:
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            usage = event.get("usage") or {}
            tokens = int(usage.get("completion_tokens") or tokens)
            for choice in event.get("choices") or []:
                piece = (choice.get("delta") or {}).get("content") or ""
                if piece:
                    written += piece
                    if record.first_verdict_s is None and _VERDICT.search(written):
                        record.first_verdict_s = round(time.monotonic() - started, 1)
                    handler.wfile.write((json.dumps({
                        "model": MODEL, "message": {"role": "assistant", "content": piece},
                        "done": False}) + "\n").encode())
                    handler.wfile.flush()
                if choice.get("finish_reason"):
                    finish = "length" if choice["finish_reason"] == "length" else "stop"
        upstream.close()
        record.tokens, record.finish = tokens, finish
        record.seconds = round(time.monotonic() - started, 1)
        handler.wfile.write((json.dumps({
            "model": MODEL, "message": {"role": "assistant", "content": ""}, "done": True,
            "done_reason": finish, "eval_count": tokens}) + "\n").encode())
        handler.wfile.flush()


# -- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_llama(port: int) -> int:
    """Start the real server; its process id."""
    done = subprocess.run([str(SCRIPT), str(port)], env={**os.environ, "CTX": str(CONTEXT)},
                          capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not lines[-1].isdigit():
        raise RuntimeError(f"the llama.cpp server did not start: {done.stderr.strip()[-300:]}")
    return int(lines[-1])


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


# -- the requests ----------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    ok: bool = False  # the app's checks accepted it
    valid: bool = True  # the reply was JSON of the schema's shape
    removed: str = ""  # what the checks took out, or why nothing was used
    tokens: int | None = None
    seconds: float = 0.0
    kept: list[str] = field(default_factory=list)  # what of the reply was shown


def _spoken(text: str) -> Any:
    """A transcript of ``text`` said at 150 words a minute."""
    from models.transcript import Transcript

    words = text.split()
    step = 1 / WORDS_PER_SECOND
    return Transcript.from_dict({
        "text": " ".join(words), "language": "en", "model": "sample", "duration_s": len(words) * step,
        "words": [{"word": w, "start_s": round(i * step, 2), "end_s": round(i * step + 0.3, 2),
                   "probability": 0.95} for i, w in enumerate(words)]})


def _questions() -> dict[str, Any]:
    """A STAR, a CIRCLES and a no-key-point question of the bank, each with its sample answer."""
    from interview_scripts.frameworks import NONE
    from interview_scripts.job_ad import load_bank

    bank = {q.id: q for s in load_bank() for q in s.questions if q.sample_answer.strip()}
    star = bank["code-review-feedback"]
    circles = bank["design-alarm-clock"]
    plain = replace(bank["tell-me-about-yourself"], key_points=(), framework=NONE)
    return {"review STAR": star, "review CIRCLES": circles, "review no key points": plain}


def _failed(name: str, exc: Exception, seconds: float) -> Outcome:
    code = getattr(exc, "code", "")
    reason = getattr(exc, "reason", str(exc))
    return Outcome(name, ok=False, valid=code not in ("malformed_json", "schema_violation"),
                   removed=f"{code}: {reason}", seconds=seconds)


def _review(host: str, name: str, question: Any) -> Outcome:
    from models.coach import coach_answer
    from models.llm_coach import LLMCoach

    transcript = _spoken(question.sample_answer)
    feedback = coach_answer(question, transcript, None)
    coach = LLMCoach(host, MODEL, read_timeout_s=READ_TIMEOUT_S, total_timeout_s=TOTAL_TIMEOUT_S)
    result = coach.coach(question, feedback)
    status = result.llm_status
    assert status is not None
    removed = "; ".join(status.removed) or "nothing"
    if not status.ok:
        return Outcome(name, ok=False, valid=status.code not in ("malformed_json", "schema_violation"),
                       removed=f"{status.code}: {status.reason}", seconds=status.seconds or 0.0)
    llm = result.llm
    assert llm is not None
    kept = [f"key point {p['text']!r}: {p['status']}, “{p['evidence']}”" for p in llm.key_points]
    kept += [f"stage {s['stage']}: {s['assessment']!r}" + (f", “{s['evidence']}”" if s["evidence"]
                                                          else "") for s in llm.structure]
    kept += [f"verdict: {llm.verdict!r}"] if llm.verdict else []
    kept += [f"improvement at {i['at_s']}: {i['message']!r}" for i in llm.improvements]
    if llm.rephrasing:
        kept.append(f"rephrasing: “{llm.rephrasing['original']}” → {llm.rephrasing['better']!r}")
    kept += [f"follow-up: {llm.follow_up_question!r}"] if llm.follow_up_question else []
    return Outcome(name, ok=True, removed=removed, tokens=status.tokens,
                   seconds=status.seconds or 0.0, kept=kept)


def _timed(name: str, work: Callable[[], tuple[str, int | None]]) -> Outcome:
    from models.errors import OllamaFailure

    started = time.monotonic()
    try:
        removed, tokens = work()
    except OllamaFailure as exc:
        return _failed(name, exc, round(time.monotonic() - started, 1))
    return Outcome(name, ok=True, removed=removed, tokens=tokens,
                   seconds=round(time.monotonic() - started, 1))


def _page(host: str) -> Outcome:
    from models.llm_page_reader import PageReader

    def work() -> tuple[str, int | None]:
        reading = PageReader(host, MODEL, read_timeout_s=READ_TIMEOUT_S,
                             total_timeout_s=TOTAL_TIMEOUT_S).read(PAGE, "barista")
        kept = len(reading.result.script.questions)
        return f"{kept} questions kept; {reading.dropped.line() or 'nothing dropped'}", None
    return _timed("page reading", work)


def _follow_up(host: str) -> Outcome:
    from models.llm_follow_up import FollowUpAsker

    question = _questions()["review STAR"]

    def work() -> tuple[str, int | None]:
        asker = FollowUpAsker(host, MODEL, budget_s=TOTAL_TIMEOUT_S)
        got = asker.ask(question, _spoken(question.sample_answer), TONE)
        return f"asked: {got.question}", None
    return _timed("follow-up", work)


def _job_ad(host: str) -> Outcome:
    from interview_scripts.job_ad import build_round, load_bank
    from models.llm_job_ad import AdTailor

    def work() -> tuple[str, int | None]:
        round_ = build_round(AD, load_bank(), 30)
        got = AdTailor(host, MODEL, read_timeout_s=READ_TIMEOUT_S,
                       total_timeout_s=TOTAL_TIMEOUT_S).tailor(AD, round_)
        return f"{len(got.added)} questions added; {got.dropped.line() or 'nothing dropped'}", None
    return _timed("job-ad questions", work)


def _present(module: str) -> bool:
    return (ROOT / "models" / f"{module}.py").exists()


def _report(outcome: Outcome, chats: list[Chat]) -> None:
    accepted = all(c.schema_accepted for c in chats) if chats else False
    tokens = outcome.tokens if outcome.tokens is not None else sum(c.tokens for c in chats)
    first = next((c.first_verdict_s for c in chats if c.first_verdict_s is not None), None)
    cut = sum(c.finish == "length" for c in chats)
    print(f"- {outcome.name}: schema accepted {'yes' if accepted else 'NO'}; "
          f"reply valid {'yes' if outcome.valid else 'no'}; "
          f"checks {'accepted it' if outcome.ok else 'did not'}; {tokens} tokens "
          f"in {outcome.seconds:.0f} s over {len(chats)} chat(s)"
          + (f"; first key-point verdict at {first:.0f} s" if first is not None else "")
          + (f"; {cut} cut at the token limit" if cut else ""), flush=True)
    print(f"    {'removed' if outcome.ok else 'not used'}: {outcome.removed}", flush=True)
    for line in outcome.kept:
        print(f"    kept: {line}", flush=True)
    for chat in chats:
        if chat.error:
            print(f"    server said: {chat.error}", flush=True)


def run(quick: bool = False) -> None:
    if not SCRIPT.exists():
        print("llm_real_bench: skipped: no real llama.cpp server here "
              "(../shared/llm-real/start-llama-server.sh beside the checkout is missing)")
        return
    llama_port = _free_port()
    pid = _start_llama(llama_port)
    front = Front(llama_port).start()
    host = f"http://127.0.0.1:{front.port}"
    try:
        print(f"llama.cpp server with Gemma 3 270M (Q4_K_M), {CONTEXT}-token context, 2 threads; "
              f"{os.cpu_count()} CPUs here", flush=True)
        jobs: list[tuple[str, Callable[[], Outcome]]] = [
            (name, lambda name=name, q=q: _review(host, name, q))
            for name, q in _questions().items()]
        jobs.append(("page reading", lambda: _page(host)))
        for module, name, job in (("llm_follow_up", "follow-up", _follow_up),
                                  ("llm_job_ad", "job-ad questions", _job_ad)):
            if _present(module):
                jobs.append((name, lambda job=job: job(host)))
            else:
                print(f"- {name}: not run (models/{module}.py is not there)")
        if quick:
            jobs = [jobs[0], next(j for j in jobs if j[0] == "page reading")]
        for _name, job in jobs:
            before = len(front.chats)
            outcome = job()
            _report(outcome, front.chats[before:])
    finally:
        front.stop()
        _stop(pid)
