"""Replies a real small model writes under a grammar, for the loopback Ollama server.

The loopback fills a schema tidily. A real model (Gemma 3 270M behind llama.cpp's
grammar) filled the same schemas with the schema's own descriptions, the same item three
times, times of 10^14 seconds and sentences of the candidate's answer in place of a
judgement. Each shape here builds such a reply from a chat request's body (its
``format`` schema and its messages), and ``SHAPES`` names them for the server's
behaviours (``OllamaLoopback.set_mode(name)``) or for ``script_reply``.

``sound`` is the contrast: a review a good model writes, own words and real quotes, which
every check must let through. The other shapes are ``sound`` with one thing wrong, so a
test knows exactly what the checks must take out and what they must keep.

A reply follows the schema wherever the grammar would hold a model to it (every slot,
every enum, every string within its maximum); only ``unbounded_numbers`` breaks a bound,
as a model does where the grammar enforces none (a "number", or an older converter).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__test__ = False  # builders, not tests

Body = dict[str, Any]
# Own-words texts a good reviewer writes; none copies a prompt or an answer.
COMMENTS = ("Set the scene in two sentences, then moved on.",
            "Said plainly what was theirs to fix.",
            "Each step came with who did it and why.",
            "The outcome came with numbers a listener can check.",
            "Short and specific, with a clear close.",
            "Carried the listener from the problem to its end.")
ADVICE = ("Open with the cost to the business in one number before the details.",
          "Name the single decision you made yourself and what it risked.",
          "Close with the lesson in one sentence, then stop.")
VERDICT = "A clear story told in order; lead with the stakes and it will land harder."
BETTER = "I owned the nightly run, and within two months it stopped failing."
FOLLOW_UP = "How would you spot that contention before customers felt it?"
# Words a candidate plausibly says, which the test transcripts never contain.
UNSAID = ("I personally doubled our revenue in a single quarter",
          "my manager gave me an award for the migration",
          "we hired four contractors to rewrite the billing engine")
_MARK = re.compile(r"^\[(\d+):(\d\d)\] (.+)$")


def _messages(body: Body) -> tuple[str, str]:
    messages = body.get("messages") or []
    system = next((m["content"] for m in messages if m.get("role") == "system"), "")
    user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    return system, user


def transcript_lines(body: Body) -> list[tuple[int, str]]:
    """The answer's lines in the prompt, each with its time in seconds."""
    _, user = _messages(body)
    lines = []
    for line in user.splitlines():
        if (m := _MARK.match(line.strip())) is not None:
            lines.append((int(m.group(1)) * 60 + int(m.group(2)), m.group(3)))
    return lines


def instruction_sentences(body: Body) -> list[str]:
    """The request's own wording: the schema's descriptions, then the system prompt's rules."""
    said: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("description"), str):
                said.append(node["description"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body.get("format"))
    system, _ = _messages(body)
    for line in system.splitlines():
        text = re.sub(r"^\s*(?:\d+\.|-)\s*(?:\w+:\s*)?", "", line).strip()
        if len(text.split()) >= 5 and not text.startswith("{"):
            said.append(text)
    return said or ["Reply with a single JSON object and nothing else."]


def key_point_texts(body: Body) -> list[str]:
    """The key points the prompt lists ("- id: text" under its KEY POINTS heading)."""
    _, user = _messages(body)
    part = user.split("KEY POINTS", 1)[1] if "KEY POINTS" in user else ""
    texts = []
    for line in part.splitlines()[1:]:
        if not line.startswith("- "):
            break
        texts.append(line[2:].split(": ", 1)[-1])
    return [t for t in texts if t != "none listed"]


def _quote(line: str, words: int = 8) -> str:
    return " ".join(line.split()[:words]).rstrip(".,")


class _Filler:
    """Builds a value for a schema, asking ``text`` and ``number`` for each leaf by the
    name of the property it fills; arrays get ``items`` entries (at least their minimum)."""

    def __init__(self, schema: dict[str, Any], text: Callable[[str, int], str],
                 number: Callable[[str, dict[str, Any]], Any], items: int = 2,
                 enum: Callable[[str, list[Any]], Any] | None = None) -> None:
        self.root, self.text, self.number, self.items = schema, text, number, items
        self.enum = enum or (lambda _name, options: options[0])
        self.counts: dict[str, int] = {}

    def fill(self) -> Any:
        return self._value(self.root, "root")

    def _value(self, node: dict[str, Any], name: str) -> Any:
        if "$ref" in node:
            target: Any = self.root
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            return self._value(target, name)
        if "enum" in node:
            return self.enum(name, node["enum"])
        if "anyOf" in node:
            options = [o for o in node["anyOf"] if o.get("type") != "null"] or node["anyOf"]
            return self._value(options[0], name)
        kind = node.get("type")
        if kind == "object":
            return {key: self._value(sub, key) for key, sub in node.get("properties", {}).items()}
        if kind == "array":
            count = min(int(node.get("maxItems", self.items)),
                        max(int(node.get("minItems", 0)), self.items))
            return [self._value(node.get("items", {}), name) for _ in range(count)]
        if kind == "string":
            n = self.counts[name] = self.counts.get(name, -1) + 1
            text = self.text(name, n)
            return text[: node["maxLength"]] if "maxLength" in node else text
        if kind in ("integer", "number"):
            return self.number(name, node)
        if kind == "boolean":
            return True
        return None


def _sound_text(body: Body) -> Callable[[str, int], str]:
    lines = transcript_lines(body) or [(0, "I fixed the nightly billing run for good")]

    def text(name: str, n: int) -> str:
        if name in ("quote", "original", "evidence"):
            return _quote(lines[(n * 2 + 1) % len(lines)][1])
        table = {"comment": COMMENTS, "advice": ADVICE, "verdict": (VERDICT,),
                 "better": (BETTER,), "follow_up_question": (FOLLOW_UP,)}
        options = table.get(name)
        return options[n % len(options)] if options else f"{name} {n}"
    return text


def _time(name: str, node: dict[str, Any]) -> int:
    # Well inside any answer: the schema's bound, or a minute.
    return min(int(node.get("maximum", 60)), 12)


def _covered(name: str, options: list[Any]) -> Any:
    return "covered" if "covered" in options else options[0]


def _reply(body: Body, text: Callable[[str, int], str] | None = None,
           number: Callable[[str, dict[str, Any]], Any] = _time, items: int = 2) -> str:
    schema = body.get("format")
    if not isinstance(schema, dict):
        return "Here is some friendly feedback on your answer."
    value = _Filler(schema, text or _sound_text(body), number, items, _covered).fill()
    return json.dumps(value)


# -- the shapes ---------------------------------------------------------------------------


def sound(body: Body) -> str:
    """A review a good model writes: its own words, quotes the candidate said."""
    return _reply(body)


def echoed_descriptions(body: Body) -> str:
    """Every text field the request's own wording, as the 270M model wrote it; quotes too."""
    said = instruction_sentences(body)
    return _reply(body, lambda _name, n: said[n % len(said)])


def parroted_answer(body: Body) -> str:
    """Every field a sentence of the candidate's answer, judgements included."""
    lines = transcript_lines(body) or [(0, "I fixed the nightly billing run for good")]
    return _reply(body, lambda _name, n: lines[n % len(lines)][1])


def repeated_items(body: Body) -> str:
    """One comment for every stage and one advice written three times."""
    sound_text = _sound_text(body)

    def text(name: str, n: int) -> str:
        return sound_text(name, 0 if name in ("comment", "advice", "text") else n)
    return _reply(body, text, items=3)


def unbounded_numbers(body: Body) -> str:
    """Times of 10^14 seconds, as a model wrote where nothing bounded them."""
    return _reply(body, number=lambda _name, _node: 10**14)


def times_outside(body: Body) -> str:
    """Times past the end of the answer and below zero."""
    seen = [0]

    def number(_name: str, node: dict[str, Any]) -> int:
        seen[0] += 1
        return -3 if seen[0] % 2 else int(node.get("maximum", 60)) + 240
    return _reply(body, number=number)


def junk_strings(body: Body) -> str:
    """Texts that are not words: padding, dots, placeholders, one word over and over."""
    junk = ("xxxxxxxxxxxxxxxx", "...", "string", "the the the the the", "a1b2c3 d4e5")
    return _reply(body, lambda _name, n: junk[n % len(junk)])


def unfound_quotes(body: Body) -> str:
    """A sound review whose quotes the candidate never said."""
    sound_text = _sound_text(body)

    def text(name: str, n: int) -> str:
        if name in ("quote", "original", "evidence"):
            return UNSAID[n % len(UNSAID)]
        return sound_text(name, n)
    return _reply(body, text)


def restated_key_points(body: Body) -> str:
    """A sound review whose improvements only give the key points back."""
    sound_text = _sound_text(body)
    points = key_point_texts(body) or ["Gives a measurable result"]

    def text(name: str, n: int) -> str:
        return points[n % len(points)] if name == "advice" else sound_text(name, n)
    return _reply(body, text)


SHAPES: dict[str, Callable[[Body], str]] = {
    "sound": sound,
    "echoed_descriptions": echoed_descriptions,
    "parroted_answer": parroted_answer,
    "repeated_items": repeated_items,
    "unbounded_numbers": unbounded_numbers,
    "times_outside": times_outside,
    "junk_strings": junk_strings,
    "unfound_quotes": unfound_quotes,
    "restated_key_points": restated_key_points,
}
