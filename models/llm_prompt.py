"""Build the chat messages for LLM feedback from a question and the deterministic feedback.

The prompt text lives in ``models/prompts/<version>.md`` so it can be reviewed apart from
the code; this module only fills its placeholders. It also sizes the context window:
Ollama's default ``num_ctx`` is small enough to silently cut a long answer's transcript,
so every request states a window that holds the whole prompt plus the reply.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from string import Template
from typing import Any

from interview_scripts.script import Question
from interview_scripts.time_guide import format_clock
from models.coach.feedback_model import Feedback
from models.llm_feedback import MAX_IMPROVEMENTS, ReviewSpec

PROMPT_VERSION = "llm_feedback_v4"
PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"

SYSTEM_MARK = "<!-- system -->"
USER_MARK = "<!-- user -->"

# Token estimate: English prose runs near 4 characters a token in the tokenizers of the
# small models Greenroom suggests; JSON, time marks and names run denser. 3.2 keeps the
# estimate on the safe side for all of it.
CHARS_PER_TOKEN = 3.2
# The chat template wraps every message in role headers and end markers.
TEMPLATE_TOKENS_PER_MESSAGE = 8

# -- the context window and the reply budget --------------------------------------------
#
# Ollama keeps a loaded model only while a request asks for the same runner options;
# another num_ctx reloads it. So the window comes from a few fixed sizes, and a preload
# made before the answer is known asks for the size the answer will most likely need:
# the one that holds a seven-minute answer's prompt with the reply budget.
CONTEXT_SIZES: tuple[int, ...] = (8192, 16384, 32768, 65536, 131072)
# A seven-minute answer (about 1,200 words at a brisk pace) with the question, the
# measurements and the schema is estimated at under 4,200 tokens.
STANDARD_PROMPT_TOKENS = 4608
# A review for a question with up to four key points and four stages fits in this (the
# schema bounds it; v3's needed twice as much). It is only a floor: a larger question's
# bound is asked for, and the page and job-ad requests size their own.
STANDARD_REPLY_TOKENS = 1024
# A thinking model thinks before it writes the JSON, from the same num_predict budget.
THINK_TOKENS = 4096
# When a think runs out of budget the retry doubles it; below this much room to think
# a thinking model is not worth asking.
MIN_THINK_TOKENS = 1024


@dataclass(frozen=True)
class Budget:
    """Options for one chat: the window, the tokens the reply may take, the part of those
    kept for thinking. ``fits`` is False when the model's trained window is too small."""

    num_ctx: int
    num_predict: int
    think_tokens: int
    fits: bool = True


def plan_budget(prompt_tokens: int | None, reply_tokens: int, *, thinking: bool,
                think_tokens: int = THINK_TOKENS, trained_ctx: int | None = None) -> Budget:
    """The window and reply budget for a prompt of ``prompt_tokens`` (None: not known yet,
    as for a preload). The same inputs always give the same options, so a preload and the
    chat after it agree."""
    think = think_tokens if thinking else 0
    # A reply budget below the standard one is raised to it: a budget is only a cap, and
    # equal options let the chat reuse a model preloaded before the answer was known.
    reply = max(reply_tokens, STANDARD_REPLY_TOKENS)
    num_predict = reply + think
    need = max(prompt_tokens or 0, STANDARD_PROMPT_TOKENS) + num_predict
    num_ctx = next((size for size in CONTEXT_SIZES if size >= need), CONTEXT_SIZES[-1])
    if trained_ctx is not None and trained_ctx > 0 and num_ctx > trained_ctx:
        num_ctx = trained_ctx
    if prompt_tokens is None:
        return Budget(num_ctx, num_predict, think)
    room = num_ctx - prompt_tokens
    if room >= num_predict:
        return Budget(num_ctx, num_predict, think)
    if thinking and room - reply >= MIN_THINK_TOKENS:
        # A small window: think less rather than let Ollama cut the transcript.
        think = room - reply
        return Budget(num_ctx, reply + think, think)
    return Budget(num_ctx, num_predict, think, fits=False)


# A sentence mark goes in at least this often even when the recogniser left out full stops.
MAX_WORDS_PER_LINE = 40
SENTENCE_END = re.compile(r"[.!?…]['\")\]]*$")

METRICS_CHAR_BUDGET = 2000


@dataclass(frozen=True)
class PromptPlan:
    """The messages of one request, the schema they carry and their estimated size."""

    messages: list[dict[str, str]]
    estimated_tokens: int
    schema: dict[str, Any]
    reply_tokens: int
    version: str = PROMPT_VERSION

    def budget(self, *, thinking: bool, think_tokens: int = THINK_TOKENS,
               trained_ctx: int | None = None, reply_tokens: int | None = None) -> Budget:
        return plan_budget(self.estimated_tokens, reply_tokens or self.reply_tokens,
                           thinking=thinking, think_tokens=think_tokens, trained_ctx=trained_ctx)

    def with_correction(self, text: str) -> PromptPlan:
        """The same request with ``text`` added to the user message, for a retry.

        The correction goes into the one user message rather than after the rejected
        reply as a new turn: Ollama drops the oldest messages without an error when a
        prompt outgrows num_ctx, and the oldest after the system prompt is the one with
        the transcript. Two messages, estimated afresh, keep that from happening.
        """
        system, user = self.messages
        messages = [system, {"role": "user", "content": f"{user['content']}\n\n{text}"}]
        return replace(self, messages=messages, estimated_tokens=estimate_messages(messages))


def load_prompt(version: str = PROMPT_VERSION) -> tuple[Template, Template]:
    text = (PROMPTS_DIR / f"{version}.md").read_text(encoding="utf-8")
    if SYSTEM_MARK not in text or USER_MARK not in text:
        raise ValueError(f"prompt {version}.md lacks its {SYSTEM_MARK} / {USER_MARK} markers")
    _, rest = text.split(SYSTEM_MARK, 1)
    system, user = rest.split(USER_MARK, 1)
    return Template(system.strip()), Template(user.strip())


def task_plan(version: str, schema: dict[str, Any], reply_tokens: int,
              system: dict[str, str], user: dict[str, str]) -> PromptPlan:
    """A task's two messages from its prompt file ``version``: the system template filled
    with the schema (compact JSON) and ``system``, the user template with ``user``."""
    system_t, user_t = load_prompt(version)
    compact = json.dumps(schema, separators=(",", ":"))
    messages = [{"role": "system", "content": system_t.substitute(schema=compact, **system)},
                {"role": "user", "content": user_t.substitute(**user)}]
    return PromptPlan(messages, estimate_messages(messages), schema, reply_tokens, version)


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_messages(messages: list[dict[str, str]]) -> int:
    return sum(estimate_tokens(m["content"]) + TEMPLATE_TOKENS_PER_MESSAGE for m in messages)


# -- transcript -----------------------------------------------------------------------


def transcript_lines(transcript: dict[str, Any]) -> list[str]:
    """The answer as lines, one per sentence, each starting with its [m:ss] mark."""
    words = [w for w in transcript.get("words", []) if str(w.get("word", "")).strip()]
    if not words:
        text = str(transcript.get("text", "")).strip()
        return [f"[0:00] {text}"] if text else []
    lines: list[str] = []
    current: list[str] = []
    start_s = 0.0
    for w in words:
        token = str(w["word"]).strip()
        if not current:
            start_s = float(w.get("start_s", 0.0))
        current.append(token)
        if SENTENCE_END.search(token) or len(current) >= MAX_WORDS_PER_LINE:
            lines.append(f"[{format_clock(start_s)}] {' '.join(current)}")
            current = []
    if current:
        lines.append(f"[{format_clock(start_s)}] {' '.join(current)}")
    return lines


# -- the deterministic part, summarised ------------------------------------------------

# The keys the coach writes that a reader of the transcript cannot see for themselves.
METRIC_KEYS = ("duration_s", "speaking_s", "length", "words", "wpm", "pace", "pauses",
               "fillers", "hedges", "word_use", "structure", "key_points", "mistakes")


def _compact(value: Any, depth: int = 0) -> str:
    """A short, stable, human-readable rendering of any JSON-like value."""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dict):
        if depth >= 2:
            return "{…}"
        items = [f"{k}={_compact(v, depth + 1)}" for k, v in value.items()
                 if v not in (None, "", [], {}) and k not in ("cues", "transcript")]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        shown = [_compact(v, depth + 1) for v in value[:6]]
        more = f", … {len(value) - 6} more" if len(value) > 6 else ""
        return "[" + ", ".join(shown) + more + "]"
    return str(value)


def metrics_summary(feedback: dict[str, Any]) -> str:
    lines = []
    for key in METRIC_KEYS:
        if key in feedback and feedback[key] not in (None, "", [], {}):
            lines.append(f"- {key}: {_compact(feedback[key])}")
    text = "\n".join(lines) or "- none measured"
    if len(text) > METRICS_CHAR_BUDGET:
        text = text[:METRICS_CHAR_BUDGET].rsplit("\n", 1)[0] + "\n- (more measurements left out)"
    return text


# -- the messages ---------------------------------------------------------------------


def _bullets(items: list[str], empty: str) -> str:
    return "\n".join(f"- {item}" for item in items) if items else empty


def build_prompt(question: Question, feedback: Feedback | dict[str, Any],
                 version: str = PROMPT_VERSION) -> PromptPlan:
    """The review's messages for ``feedback`` (the typed feedback, or its JSON)."""
    if isinstance(feedback, Feedback):
        feedback = feedback.to_dict()
    system_t, user_t = load_prompt(version)
    spec = ReviewSpec.for_question(question, float(feedback.get("duration_s") or 0.0))
    schema = spec.schema()
    schema_text = json.dumps(schema, separators=(",", ":"))
    system = system_t.substitute(schema=schema_text, max_improvements=MAX_IMPROVEMENTS,
                                 last_second=spec.last_second, stages=", ".join(spec.stages))
    framework = question.framework
    if framework.is_none:
        framework_text = "none named"
    else:
        stages = "; ".join(f"{s.name}: {s.hint}" if s.hint else s.name for s in framework.stages)
        framework_text = f"{framework.name} ({stages})"
    if question.time_guide is not None:
        guide = question.time_guide
        time_text = (f"{guide.text} ({format_clock(guide.min_s)} to {format_clock(guide.max_s)})")
    else:
        time_text = "none given"
    lines = transcript_lines(feedback.get("transcript") or {})
    points = [f"{slot}: {text}" for slot, text in zip(spec.slots, spec.key_points, strict=True)]
    user = user_t.substitute(
        question=question.text.strip(),
        time_guide=time_text,
        framework=framework_text,
        guidance=question.guidance.strip() or "none given",
        key_points=_bullets(points, "- none listed"),
        mistakes=_bullets([m.text for m in question.mistakes], "- none listed"),
        metrics=metrics_summary(feedback),
        transcript="\n".join(lines) if lines else "(the candidate said nothing)",
    )
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return PromptPlan(messages=messages, estimated_tokens=estimate_messages(messages),
                      schema=schema, reply_tokens=spec.reply_token_bound(), version=version)


def instruction_texts(question: Question, plan: PromptPlan) -> list[str]:
    """Everything the review's prompt says that is not the candidate's answer: the
    instructions and schema, and the question's own texts. A reply must not copy them."""
    texts = [plan.messages[0]["content"], question.text, question.guidance]
    texts += [k.text for k in question.key_points] + [m.text for m in question.mistakes]
    texts += [s.hint for s in question.framework.stages if s.hint]
    return texts
