"""The LLM's review of one answer: the schema that leaves a model no room, and the check
that does not believe what comes back.

The schema sent as Ollama's ``format`` is built per question and answer (``ReviewSpec``).
Ollama turns it into a llama.cpp grammar, which enforces what it can while the model
writes, and the schema is made of nothing else:

- one slot per key point and one per stage, in order: an object with one required
  property each (keyed by the key point's id and the stage's name). An array of objects
  lets the grammar write the same item three times; an object's required properties come
  once each. (``prefixItems`` would say the same, but llama.cpp's converter refuses it.)
- times as integers from 0 to the answer's length in seconds: the grammar enforces an
  integer's bounds, not a number's (a "number" with a maximum came back as 10^15).
- every string bounded, enums for every answer that is one of a few.
- no descriptions: a small model copies them into the fields. The prompt says what each
  field is for, in words a reply must not copy either.

The key-point verdicts come first, so the window shows them as they arrive. Times of key
points and of the rephrasing are not asked for: they are where the quote was said in the
transcript.

What the grammar cannot enforce, the check does (``check_review``, with the shared
checks of ``models.llm_reply_check``): text copied from the prompt or junk, quotes the
transcript does not contain, improvements that only restate a key point, repeated items
and times outside the answer are removed and counted; a key point judged said only
stands with its quote found. A review with nothing left (or one that mostly copied its
instructions) is not usable at all, and says why.

What reaches the app is ``LLMFeedback``: the review in the shape the feedback stores.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from interview_scripts.script import Question
from models.llm_reply_check import (
    NOT_OWN,
    Instructions,
    QuoteFinder,
    Removed,
    ReplyUnusable,
    StrictReply,
    inside,
    junk,
)

KeyPointStatus = Literal["covered", "partial", "missing"]
STATUSES: tuple[str, ...] = ("covered", "partial", "missing")

MAX_IMPROVEMENTS = 3
# Character limits of the free-text fields, enforced by the grammar while the model writes.
QUOTE_CHARS = 100
COMMENT_CHARS = 90
VERDICT_CHARS = 200
ADVICE_CHARS = 140
# Stages judged when the question names no framework (the prompt says the same).
PLAIN_STAGES: tuple[str, ...] = ("Opening", "Body", "Close")
# A JSON reply in English runs near 3.5 characters a token; 3.0 keeps the bound high.
REPLY_CHARS_PER_TOKEN = 3.0
# The grammar's whitespace between fields (it allows a little), and the end-of-turn token.
REPLY_SLACK_TOKENS = 64
# One quote may show two key points; the same quote for a third is a model repeating itself.
QUOTE_USES = 2
# A review whose texts were mostly copied or junk is not read at all: a model that gives
# the instructions back is not reading the answer, and its verdicts are not believed.
MOSTLY_COPIED = 0.5
_SLOT = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_KEEP_MEASURED = "the measured feedback is complete"


# -- what the model writes -----------------------------------------------------------------


class PointSlot(StrictReply):
    status: KeyPointStatus
    quote: str


class StageSlot(StrictReply):
    comment: str
    quote: str


class Advice(StrictReply):
    # The grammar sends an integer; a model without the grammar may send 12.5.
    at_s: float | None
    advice: str


class RephraseSlot(StrictReply):
    original: str
    better: str


class ReviewReply(StrictReply):
    """A reply as the schema has the model write it (slots keyed by id and stage)."""

    key_points: dict[str, PointSlot] = {}
    stages: dict[str, StageSlot]
    verdict: str
    improvements: list[Advice]
    rephrasing: RephraseSlot
    follow_up_question: str


# -- what the app keeps ----------------------------------------------------------------------


class KeyPointReview(StrictReply):
    text: str = Field(min_length=1)
    status: KeyPointStatus
    evidence: str = Field(max_length=QUOTE_CHARS)
    at_s: float | None = Field(ge=0)  # where the quote was said; None when missing


class StageReview(StrictReply):
    stage: str = Field(min_length=1)
    assessment: str = Field(max_length=COMMENT_CHARS)
    # The coach trusts a stage the LLM places only through this quote, found in the
    # transcript (models/coach/llm_fold.py).
    evidence: str = Field(max_length=QUOTE_CHARS)


class Improvement(StrictReply):
    at_s: float | None = Field(ge=0)
    message: str = Field(min_length=1, max_length=ADVICE_CHARS)


class Rephrasing(StrictReply):
    at_s: float | None = Field(ge=0)
    original: str = Field(min_length=1, max_length=QUOTE_CHARS)
    better: str = Field(min_length=1, max_length=ADVICE_CHARS)


class LLMFeedback(StrictReply):
    """The checked review, as the feedback stores it: only what passed the checks."""

    verdict: str = Field(max_length=VERDICT_CHARS)
    key_points: list[KeyPointReview]
    structure: list[StageReview]
    improvements: list[Improvement] = Field(max_length=MAX_IMPROVEMENTS)
    rephrasing: Rephrasing | None
    follow_up_question: str = Field(max_length=ADVICE_CHARS)


def feedback_schema() -> dict[str, Any]:
    """The JSON schema of a stored review (the one a request carries is ``ReviewSpec``'s)."""
    return LLMFeedback.model_json_schema()


@dataclass(frozen=True)
class CheckedReview:
    """A review that passed the checks, and what the checks took out of the reply."""

    review: LLMFeedback
    removed: Removed


# -- the schema of one question's review -------------------------------------------------------


def _slot_names(count: int, ids: tuple[str, ...]) -> tuple[str, ...]:
    """A short name per key point: its id when it has a usable one, else its place."""
    names: list[str] = []
    for i in range(1, count + 1):
        given = ids[i - 1] if i - 1 < len(ids) else ""
        name = given if _SLOT.match(given) and given not in names else f"point-{i}"
        while name in names:
            name = f"{name}-{i}"
        names.append(name)
    return tuple(names)


def _string(most: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": most}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


@dataclass(frozen=True)
class ReviewSpec:
    """What one question's review must contain: its key points (with the slot each is
    written in) and stages, in order, and how long the answer is."""

    key_points: tuple[str, ...]
    stages: tuple[str, ...]
    point_ids: tuple[str, ...] = ()
    duration_s: float | None = None

    @classmethod
    def for_question(cls, question: Question, duration_s: float | None = None) -> ReviewSpec:
        points: dict[str, str] = {}
        for k in question.key_points:
            if k.text.strip() and k.text.strip() not in points:
                points[k.text.strip()] = k.id
        framework = question.framework
        stages = PLAIN_STAGES if framework.is_none else tuple(
            dict.fromkeys(s.name for s in framework.stages))
        return cls(tuple(points), stages or PLAIN_STAGES, tuple(points.values()), duration_s)

    @property
    def slots(self) -> tuple[str, ...]:
        """The property each key point is judged under, in order."""
        return _slot_names(len(self.key_points), self.point_ids)

    @property
    def last_second(self) -> int:
        """The largest time the schema allows: the answer's end, rounded up."""
        d = self.duration_s
        return max(1, math.ceil(d)) if isinstance(d, int | float) and d > 0 else 3600

    def schema(self) -> dict[str, Any]:
        """The ``format`` schema: key points first, each slot written exactly once."""
        at = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": self.last_second},
                        {"type": "null"}]}
        defs = {
            "point": _object({"status": {"type": "string", "enum": list(STATUSES)},
                              "quote": _string(QUOTE_CHARS)}),
            "stage": _object({"comment": _string(COMMENT_CHARS), "quote": _string(QUOTE_CHARS)}),
        }
        properties: dict[str, Any] = {}
        if self.key_points:
            properties["key_points"] = _object(
                {slot: {"$ref": "#/$defs/point"} for slot in self.slots})
        properties["stages"] = _object({name: {"$ref": "#/$defs/stage"} for name in self.stages})
        properties["verdict"] = _string(VERDICT_CHARS)
        properties["improvements"] = {
            "type": "array", "minItems": 1, "maxItems": MAX_IMPROVEMENTS,
            "items": _object({"at_s": at, "advice": _string(ADVICE_CHARS)})}
        properties["rephrasing"] = _object({"original": _string(QUOTE_CHARS),
                                            "better": _string(ADVICE_CHARS)})
        properties["follow_up_question"] = _string(ADVICE_CHARS)
        return {**_object(properties), "$defs": defs}

    def reply_token_bound(self) -> int:
        """The most tokens a reply that follows ``schema()`` can take."""
        return math.ceil(max_chars(self.schema()) / REPLY_CHARS_PER_TOKEN) + REPLY_SLACK_TOKENS


def max_chars(schema: dict[str, Any]) -> int:
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
            return 2 + int(node.get("maxItems", MAX_IMPROVEMENTS)) * (size(node["items"]) + 1)
        if kind == "string":
            # Quotes, and a little for escaped quotes or newlines inside.
            return int(node.get("maxLength", ADVICE_CHARS)) + 8
        if kind == "integer":
            return len(str(int(node.get("maximum", 10**9)))) + 1
        if kind == "number":
            return 24
        return 5  # null, true, false
    return size(schema)


# -- checking a reply ------------------------------------------------------------------------


def _nth(n: int) -> str:
    return {3: "third", 4: "fourth", 5: "fifth"}.get(n, f"{n}th")


def _shorten(text: str, most: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


@dataclass
class _Texts:
    """The free-text fields of one reply: how many there were, how many were copied or junk."""

    seen: int = 0
    bad: int = 0


def check_review(reply: ReviewReply, spec: ReviewSpec, finder: QuoteFinder,
                 instructions: Instructions) -> CheckedReview:
    """The reply with everything the checks reject taken out and counted.

    Raises ReplyUnusable when nothing is left, or when most of its texts were copied
    from the request or junk."""
    removed = Removed()
    texts = _Texts()
    key_texts = Instructions(spec.key_points)
    # Every quote the reply gives, found or not: a judgement that repeats one judges nothing.
    quotes = Instructions([q for q in (*(p.quote for p in reply.key_points.values()),
                                       *(s.quote for s in reply.stages.values()),
                                       reply.rephrasing.original) if finder.checkable(q)],
                          reordered=False)
    kept_texts: list[str] = []

    def own_words(text: str, where: str, most: int, restating: Instructions | None = None,
                  *, quoting: bool = True) -> str:
        """``text`` when it is the model's own words and says something not said in the
        reply already, else "" (and counted)."""
        texts.seen += 1
        if (why := junk(text)) is not None:
            texts.bad += 1
            removed.add(where, "junk", why)
            return ""
        for why, source in (("restates", restating), ("copied", instructions),
                            ("parroted", finder.said), ("quoted", quotes if quoting else None),
                            ("repeat", Instructions(kept_texts, reordered=False))):
            if source is not None and source.copied(text):
                texts.bad += 1
                removed.add(where, why)
                return ""
        kept_texts.append(text)
        return _shorten(text, most)

    def quoted(quote: str, where: str) -> tuple[str, float] | None:
        quote = _shorten(quote, QUOTE_CHARS)
        if not quote.strip():
            return None
        if not finder.checkable(quote):
            removed.add(where, "short", f"“{quote}”")
            return None
        at = finder.find(quote)
        if at is None:
            removed.add(where, "unfound", f"“{_shorten(quote, 40)}”")
            return None
        return quote, at

    key_points: list[KeyPointReview] = []
    quote_uses: dict[str, int] = {}
    for slot in reply.key_points:
        if slot not in spec.slots:
            removed.add(f"key_points.{slot}", "unknown")
    for slot, text in zip(spec.slots, spec.key_points, strict=True):
        judged = reply.key_points.get(slot)
        where = f"key_points.{slot}"
        if judged is None:
            removed.add(where, "missing")
            continue
        if judged.status == "missing":
            key_points.append(KeyPointReview(text=text, status="missing", evidence="", at_s=None))
            continue
        # Said, the model claims: it stands only on words the candidate really said.
        found = quoted(judged.quote, where)
        if found is None:
            if not judged.quote.strip():
                removed.add(where, "unfound", "no quote")
            continue
        said = " ".join(found[0].casefold().split())
        quote_uses[said] = quote_uses.get(said, 0) + 1
        if quote_uses[said] > QUOTE_USES:
            removed.add(where, "repeat", f"the same quote for a {_nth(quote_uses[said])} point")
            continue
        key_points.append(KeyPointReview(text=text, status=judged.status, evidence=found[0],
                                         at_s=found[1]))

    structure: list[StageReview] = []
    for name in spec.stages:
        judged_stage = reply.stages.get(name)
        where = f"stages.{name}"
        if judged_stage is None:
            removed.add(where, "missing")
            continue
        comment = own_words(judged_stage.comment, f"{where}.comment", COMMENT_CHARS)
        found = quoted(judged_stage.quote, f"{where}.quote")
        if comment or found:
            structure.append(StageReview(stage=name, assessment=comment,
                                         evidence=found[0] if found else ""))
    for slot in reply.stages:
        if slot not in spec.stages:
            removed.add(f"stages.{slot}", "unknown")

    verdict = own_words(reply.verdict, "verdict", VERDICT_CHARS, key_texts)

    improvements: list[Improvement] = []
    for i, item in enumerate(reply.improvements):
        where = f"improvements.{i}"
        if len(improvements) >= MAX_IMPROVEMENTS:
            removed.add(where, "unknown", f"more than {MAX_IMPROVEMENTS}")
            continue
        message = own_words(item.advice, where, ADVICE_CHARS, key_texts)
        if not message:
            continue
        at = item.at_s
        if at is not None and (not math.isfinite(at) or not inside(at, spec.duration_s)):
            removed.add(f"{where}.at_s", "time", f"{at:g} s")
            at = None
        improvements.append(Improvement(at_s=at, message=message))

    rephrasing = None
    original = quoted(reply.rephrasing.original, "rephrasing.original")
    if original is not None:
        # A better way to say it shares words with the original; only a copy of it is out.
        better = reply.rephrasing.better
        if Instructions([original[0]], reordered=False).copied(better):
            texts.seen += 1
            texts.bad += 1
            removed.add("rephrasing.better", "repeat", "the same as the original")
            better = ""
        else:
            better = own_words(better, "rephrasing.better", ADVICE_CHARS, quoting=False)
        if better:
            rephrasing = Rephrasing(at_s=original[1], original=original[0], better=better)

    follow_up = own_words(reply.follow_up_question, "follow_up_question", ADVICE_CHARS)

    review = LLMFeedback(verdict=verdict, key_points=key_points, structure=structure,
                         improvements=improvements, rephrasing=rephrasing,
                         follow_up_question=follow_up)
    if texts.seen and texts.bad > MOSTLY_COPIED * texts.seen:
        not_own = Removed([r for r in removed.items if r.why in NOT_OWN]).summary()
        raise ReplyUnusable("review", f"{texts.bad} of its {texts.seen} texts were not its own "
                            f"({not_own.split(': ', 1)[1]})", removed, _KEEP_MEASURED)
    if not (verdict or key_points or structure or improvements or rephrasing or follow_up):
        reason = removed.summary() or "it was empty"
        raise ReplyUnusable("review", f"nothing was left after the checks ({reason})",
                            removed, _KEEP_MEASURED)
    return CheckedReview(review, removed)
