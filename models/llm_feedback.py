"""The shape of the LLM's feedback on one answer, and how a reply is checked and repaired.

The schema sent as Ollama's ``format`` is built per question: exactly one key-point entry
per key point (their texts as an enum), the framework's stage names as an enum and a
maximum length on every free-text field. Ollama turns ``format`` into a llama.cpp grammar,
which enforces types, enums, array sizes and string lengths while the model writes; it
does not enforce ``minimum`` on numbers, so a negative time can still arrive. What the
grammar lets through is repaired here (impossible times dropped, unknown or repeated
entries left out, over-long text shortened) instead of throwing the whole review away.
Only a reply whose shape is wrong (missing fields, wrong types: a model that ignored
``format``) counts as a schema violation.

The bounds also size the reply: ``reply_token_bound`` is the most tokens a reply that
follows the schema can take, which is what ``num_predict`` must leave room for.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interview_scripts.script import Question

KeyPointStatus = Literal["covered", "partial", "missing"]

MAX_IMPROVEMENTS = 5
# Character limits of the free-text fields, enforced by the grammar while the model writes.
VERDICT_CHARS = 400
QUOTE_CHARS = 200
SENTENCE_CHARS = 240
# Stages judged when the question names no framework (the prompt says the same).
PLAIN_STAGES: tuple[str, ...] = ("Opening", "Body", "Close")
# A JSON reply in English runs near 3.5 characters a token; 3.0 keeps the bound high.
REPLY_CHARS_PER_TOKEN = 3.0
# Whitespace the grammar allows between fields, and the end-of-turn token.
REPLY_SLACK_TOKENS = 96


class _Strict(BaseModel):
    # Unknown keys mean the model wandered off the schema; reject rather than ignore them.
    model_config = ConfigDict(extra="forbid")


class KeyPointReview(_Strict):
    text: str = Field(min_length=1, description="The key point, exactly as listed in the prompt.")
    status: KeyPointStatus
    evidence: str = Field(
        max_length=QUOTE_CHARS,
        description="A short exact quote from the transcript that shows it; empty when missing.",
    )
    at_s: float | None = Field(
        ge=0, description="Seconds into the answer where the evidence starts; null when missing."
    )


class StageReview(_Strict):
    stage: str = Field(min_length=1, description="A stage of the answer framework.")
    assessment: str = Field(min_length=1, max_length=SENTENCE_CHARS,
                            description="One sentence on how that stage went.")
    # The coach trusts a stage the LLM places only through this quote, found in the
    # transcript (models/coach/llm_fold.py).
    evidence: str = Field(
        max_length=QUOTE_CHARS,
        description="A short exact quote from the transcript where this stage is told; empty "
                    "when the answer lacks it.",
    )


class Improvement(_Strict):
    at_s: float | None = Field(
        ge=0, description="Seconds into the answer this refers to; null for the whole answer."
    )
    message: str = Field(min_length=1, max_length=SENTENCE_CHARS,
                         description="One concrete thing to do differently.")


class Rephrasing(_Strict):
    at_s: float | None = Field(ge=0, description="Seconds into the answer of the original.")
    original: str = Field(min_length=1, max_length=SENTENCE_CHARS,
                          description="A weak sentence quoted from the transcript.")
    better: str = Field(min_length=1, max_length=SENTENCE_CHARS,
                        description="The same point said more strongly.")


class LLMFeedback(_Strict):
    verdict: str = Field(
        min_length=1, max_length=VERDICT_CHARS,
        description="Overall verdict in one or two sentences.",
    )
    key_points: list[KeyPointReview]
    structure: list[StageReview]
    improvements: list[Improvement] = Field(max_length=MAX_IMPROVEMENTS)
    rephrasing: Rephrasing
    follow_up_question: str = Field(
        min_length=1, max_length=SENTENCE_CHARS,
        description="A follow-up an interviewer would likely ask next.",
    )


def feedback_schema() -> dict[str, Any]:
    """The generic schema, true for every question (the per-question one narrows it)."""
    return LLMFeedback.model_json_schema()


@dataclass(frozen=True)
class ReviewSpec:
    """What one question's review must contain: its key points and stages, in order."""

    key_points: tuple[str, ...]
    stages: tuple[str, ...]

    @classmethod
    def for_question(cls, question: Question) -> ReviewSpec:
        points = tuple(dict.fromkeys(k.text.strip() for k in question.key_points if k.text.strip()))
        framework = question.framework
        stages = PLAIN_STAGES if framework.is_none else tuple(
            dict.fromkeys(s.name for s in framework.stages))
        return cls(points, stages or PLAIN_STAGES)

    def schema(self) -> dict[str, Any]:
        """The ``format`` schema for this question."""
        schema = copy.deepcopy(feedback_schema())
        defs = schema["$defs"]
        point = defs["KeyPointReview"]["properties"]
        if self.key_points:
            point["text"] = {"type": "string", "enum": list(self.key_points),
                             "description": point["text"]["description"]}
        stage = defs["StageReview"]["properties"]
        stage["stage"] = {"type": "string", "enum": list(self.stages),
                          "description": stage["stage"]["description"]}
        props = schema["properties"]
        count = len(self.key_points)
        props["key_points"].update(minItems=count, maxItems=count)
        props["structure"].update(minItems=len(self.stages), maxItems=len(self.stages))
        props["improvements"].update(minItems=1)
        return schema

    def reply_token_bound(self) -> int:
        """The most tokens a reply that follows ``schema()`` can take."""
        return math.ceil(_max_chars(self.schema()) / REPLY_CHARS_PER_TOKEN) + REPLY_SLACK_TOKENS


def _max_chars(schema: dict[str, Any]) -> int:
    """The longest JSON text the schema allows (compact; whitespace is in the slack)."""
    def size(node: dict[str, Any]) -> int:
        if "$ref" in node:
            return size(schema["$defs"][node["$ref"].rsplit("/", 1)[1]])
        if "anyOf" in node:
            return max(size(option) for option in node["anyOf"])
        if "enum" in node:
            # Quotes, plus room for escapes inside the option.
            return max(len(str(option)) for option in node["enum"]) + 4
        kind = node.get("type")
        if kind == "object":
            return 2 + sum(len(key) + 4 + size(sub) for key, sub in node["properties"].items())
        if kind == "array":
            # An unbounded array has no bound; every array Greenroom sends is bounded.
            items = int(node.get("maxItems", MAX_IMPROVEMENTS))
            return 2 + items * (size(node["items"]) + 1)
        if kind == "string":
            # Quotes, and a little for escaped quotes or newlines inside.
            return int(node.get("maxLength", SENTENCE_CHARS)) + 8
        if kind in ("number", "integer"):
            return 10
        return 5  # null, true, false
    return size(schema)


# -- checking and repairing a reply -----------------------------------------------------


@dataclass
class Repairs:
    """What was changed in a reply to make it usable, in words for the log and tests."""

    items: list[str]

    def add(self, text: str) -> None:
        self.items.append(text)


def repair_reply(data: Any, spec: ReviewSpec, duration_s: float | None) -> tuple[Any, Repairs]:
    """Fix what the grammar lets through, keeping every piece of usable advice.

    Returns the repaired value (a copy) and what was changed. A value that is not an
    object of the right shape is returned as it is, for validation to reject.
    """
    repairs = Repairs([])
    if not isinstance(data, dict):
        return data, repairs
    data = copy.deepcopy(data)
    limit = float(duration_s) + 1.0 if isinstance(duration_s, int | float) and duration_s > 0 \
        else None

    def fix_time(item: Any, where: str) -> None:
        if not isinstance(item, dict) or "at_s" not in item:
            return
        at = item["at_s"]
        if isinstance(at, bool) or not isinstance(at, int | float):
            return
        if at < 0 or not math.isfinite(at):
            item["at_s"] = None
            repairs.add(f"{where}: time {at} below zero dropped")
        elif limit is not None and at > limit:
            item["at_s"] = None
            repairs.add(f"{where}: time {at} past the end of the answer dropped")

    def shorten(item: Any, key: str, most: int, where: str) -> None:
        if isinstance(item, dict) and isinstance(item.get(key), str) and len(item[key]) > most:
            item[key] = item[key][: most - 1].rstrip() + "…"
            repairs.add(f"{where}.{key}: shortened to {most} characters")

    shorten(data, "verdict", VERDICT_CHARS, "verdict")
    shorten(data, "follow_up_question", SENTENCE_CHARS, "follow_up_question")

    points = data.get("key_points")
    if isinstance(points, list) and spec.key_points:
        known = {text.casefold(): text for text in spec.key_points}
        kept: dict[str, Any] = {}
        for i, item in enumerate(points):
            text = item.get("text") if isinstance(item, dict) else None
            name = known.get(str(text).strip().casefold()) if isinstance(text, str) else None
            if name is None or name in kept:
                repairs.add(f"key_points.{i}: '{text}' is not a listed key point or repeats one")
                continue
            item["text"] = name
            kept[name] = item
        # The prompt's order, whatever order the model used.
        data["key_points"] = [kept[name] for name in spec.key_points if name in kept]
        if len(kept) < len(spec.key_points):
            repairs.add(f"key_points: {len(spec.key_points) - len(kept)} of "
                        f"{len(spec.key_points)} not reviewed")
    if isinstance(data.get("key_points"), list):
        for i, item in enumerate(data["key_points"]):
            fix_time(item, f"key_points.{i}")
            shorten(item, "evidence", QUOTE_CHARS, f"key_points.{i}")

    stages = data.get("structure")
    if isinstance(stages, list):
        known_stages = {name.casefold(): name for name in spec.stages}
        seen: set[str] = set()
        kept_stages = []
        for i, item in enumerate(stages):
            name = item.get("stage") if isinstance(item, dict) else None
            canonical = known_stages.get(name.strip().casefold()) if isinstance(name, str) else None
            if canonical is None or canonical in seen:
                repairs.add(f"structure.{i}: stage '{name}' is not one of {', '.join(spec.stages)}")
                continue
            seen.add(canonical)
            item["stage"] = canonical
            shorten(item, "assessment", SENTENCE_CHARS, f"structure.{i}")
            if not isinstance(item.get("evidence"), str):
                # A reply to an older prompt has no quote: the review stands without one.
                item["evidence"] = ""
                repairs.add(f"structure.{i}: no evidence quote")
            shorten(item, "evidence", QUOTE_CHARS, f"structure.{i}")
            kept_stages.append(item)
        data["structure"] = kept_stages

    improvements = data.get("improvements")
    if isinstance(improvements, list):
        if len(improvements) > MAX_IMPROVEMENTS:
            repairs.add(f"improvements: {len(improvements) - MAX_IMPROVEMENTS} past "
                        f"{MAX_IMPROVEMENTS} left out")
            data["improvements"] = improvements = improvements[:MAX_IMPROVEMENTS]
        for i, item in enumerate(improvements):
            fix_time(item, f"improvements.{i}")
            shorten(item, "message", SENTENCE_CHARS, f"improvements.{i}")

    rephrasing = data.get("rephrasing")
    fix_time(rephrasing, "rephrasing")
    for key in ("original", "better"):
        shorten(rephrasing, key, SENTENCE_CHARS, "rephrasing")
    return data, repairs
