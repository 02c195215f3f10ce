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
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from interview_scripts.script import Question
from interview_scripts.time_guide import format_clock
from models.llm_feedback import MAX_IMPROVEMENTS, feedback_schema

PROMPT_VERSION = "llm_feedback_v1"
PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"

SYSTEM_MARK = "<!-- system -->"
USER_MARK = "<!-- user -->"

# Token estimate: English prose runs near 4 characters a token in the tokenizers of the
# small models Greenroom suggests; JSON, time marks and names run denser. 3.2 keeps the
# estimate on the safe side for all of it.
CHARS_PER_TOKEN = 3.2
# Room for the JSON reply: five improvements and a handful of key points stay well inside.
REPLY_TOKENS = 1536
MIN_NUM_CTX = 4096
NUM_CTX_STEP = 1024
MAX_NUM_CTX = 32768

# A sentence mark goes in at least this often even when the recogniser left out full stops.
MAX_WORDS_PER_LINE = 40
SENTENCE_END = re.compile(r"[.!?…]['\")\]]*$")

METRICS_CHAR_BUDGET = 2000


@dataclass(frozen=True)
class PromptPlan:
    messages: list[dict[str, str]]
    estimated_tokens: int
    num_ctx: int
    num_predict: int
    version: str = PROMPT_VERSION


def load_prompt(version: str = PROMPT_VERSION) -> tuple[Template, Template]:
    text = (PROMPTS_DIR / f"{version}.md").read_text(encoding="utf-8")
    if SYSTEM_MARK not in text or USER_MARK not in text:
        raise ValueError(f"prompt {version}.md lacks its {SYSTEM_MARK} / {USER_MARK} markers")
    _, rest = text.split(SYSTEM_MARK, 1)
    system, user = rest.split(USER_MARK, 1)
    return Template(system.strip()), Template(user.strip())


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def context_window_for(prompt_tokens: int, reply_tokens: int = REPLY_TOKENS) -> int:
    """Smallest multiple of NUM_CTX_STEP (at least MIN_NUM_CTX) holding prompt and reply."""
    need = prompt_tokens + reply_tokens
    return min(MAX_NUM_CTX, max(MIN_NUM_CTX, math.ceil(need / NUM_CTX_STEP) * NUM_CTX_STEP))


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


def build_prompt(question: Question, feedback: dict[str, Any],
                 version: str = PROMPT_VERSION) -> PromptPlan:
    system_t, user_t = load_prompt(version)
    schema_text = json.dumps(feedback_schema(), separators=(",", ":"))
    system = system_t.substitute(schema=schema_text, max_improvements=MAX_IMPROVEMENTS)

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
    user = user_t.substitute(
        question=question.text.strip(),
        time_guide=time_text,
        framework=framework_text,
        guidance=question.guidance.strip() or "none given",
        key_points=_bullets([k.text for k in question.key_points], "- none listed"),
        mistakes=_bullets([m.text for m in question.mistakes], "- none listed"),
        metrics=metrics_summary(feedback),
        transcript="\n".join(lines) if lines else "(the candidate said nothing)",
    )
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    # A few tokens per message for the chat template's role headers.
    tokens = estimate_tokens(system) + estimate_tokens(user) + 16
    return PromptPlan(messages=messages, estimated_tokens=tokens,
                      num_ctx=context_window_for(tokens), num_predict=REPLY_TOKENS)
