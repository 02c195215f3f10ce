"""What every request's reply must pass before any of it is shown: the model is not believed.

A grammar makes a small model's reply follow the schema, not make sense. Run against a
real 270M model, a review came back with every field the schema's own description, the
same key point judged three times and times of 10^14 seconds, and it was shown as the
model's review. So each request checks its reply against what it knows, and takes out,
counting each one, whatever fails:

- text that copies the request's own wording (its instructions, its schema, the
  question and key points it was given) instead of saying something of the model's own
  (``Instructions.copied``): most of the text is one run of the instructions' words;
- a judgement that copies what it judges: a verdict or advice that is a sentence of the
  candidate's own answer (the same 270M model filled every field with one);
- text that is not words at all (``junk``): empty, punctuation, one letter repeated,
  one word repeated, a placeholder such as "string" or "...";
- a quote that the source does not contain (``QuoteFinder``: the transcript, word for
  word as the coach compares words);
- an item that repeats an earlier one;
- a time outside the answer.

What was taken out is a ``Removed``: each item where it was and why, in words the status
line and the benchmark print. A reply with nothing usable left raises ``ReplyUnusable``
(an ``OllamaFailure``, code ``reply_unusable``), so the caller reports it the way it
reports any other failure and keeps what it already had.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from models.coach.text_match import (
    QUOTE_MIN_TOKENS,
    STOPWORDS,
    TokenizedTranscript,
    locate_quote,
    normalise_words,
    stem,
    tokenize,
    tokens_match,
)
from models.errors import OllamaFailure
from models.transcript import Transcript

UNUSABLE = "reply_unusable"
# Why an item was taken out, in the words the status line uses.
WHY = {
    "copied": "copied the request's own wording",
    "parroted": "copied the answer instead of judging it",
    "quoted": "repeats a quote instead of judging it",
    "junk": "not words",
    "unfound": "quote not in the transcript",
    "short": "quote too short to check",
    "restates": "only restates a key point",
    "repeat": "repeats an earlier item",
    "time": "time outside the answer",
    "missing": "not judged",
    "unknown": "not asked for",
}
# The reasons that say a text was not the model's own judgement.
NOT_OWN = ("junk", "copied", "parroted", "quoted", "restates", "repeat")
# A text copies its source when one run of at least this many of its words stands in
# the source, and the run is most of the text.
COPY_MIN_WORDS = 3
COPY_SHARE = 0.6
# A longer text whose meaning words all but this share stand in one source sentence is
# the same sentence reordered.
REORDER_MIN_STEMS = 5
REORDER_NEW_SHARE = 0.2
# Texts that fill a field without saying anything.
PLACEHOLDERS = frozenset({"string", "text", "n a", "na", "none", "null", "todo", "tbd",
                          "example", "placeholder", "lorem ipsum", "quote", "etc", "xxx",
                          "insert text here", "your text here"})
_RUN = re.compile(r"(.)\1{4,}")
_VOWEL = re.compile(r"[aeiouy]")
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")


class StrictReply(BaseModel):
    """Base of every reply model, and of the checked review kept from one: a key the
    schema lacks is refused, not ignored (in a reply it means the model wandered off the
    schema)."""

    model_config = ConfigDict(extra="forbid")


def bare_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A reply model's JSON schema without pydantic's ``title`` labels (tokens the model
    need not read) and without ``description``s, which a small model copies into the
    fields; the prompt says what each field is for. A property that is itself named
    "title" or "description" is an object there and stays."""
    def bare(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: bare(v) for k, v in node.items()
                    if not (k in ("title", "description") and isinstance(v, str))}
        if isinstance(node, list):
            return [bare(v) for v in node]
        return node
    schema = bare(model.model_json_schema())
    assert isinstance(schema, dict)
    return schema


def _stems(text: str) -> list[str]:
    return [stem(w) for w in normalise_words(text)]


def meaning_stems(text: str) -> list[str]:
    """The stems of a text's meaning words (stopwords left out), in order."""
    return [stem(w) for w in normalise_words(text) if w not in STOPWORDS]


def junk(text: str) -> str | None:
    """Why ``text`` is not words, or None when it reads as words."""
    s = " ".join(text.split())
    if not s:
        return "empty"
    compact = s.replace(" ", "")
    letters = sum(c.isalpha() for c in compact)
    if letters < 2:
        return "no letters"
    if letters / len(compact) < 0.5:
        return "mostly not letters"
    longest = max((len(m.group(0)) for m in _RUN.finditer(compact)), default=0)
    if longest >= 5 and longest / len(compact) >= 0.3:
        return "one character repeated"
    words = normalise_words(s)
    if " ".join(words) in PLACEHOLDERS:
        return "a placeholder"
    if len(words) >= 4 and Counter(words).most_common(1)[0][1] * 2 > len(words):
        return "one word repeated"
    spelled = [w for w in words if w.isalpha()]
    if spelled and sum(bool(_VOWEL.search(w)) for w in spelled) * 2 < len(spelled):
        return "not words"
    return None


def own_words(text: str, instructions: Instructions | None = None) -> bool:
    """Whether ``text`` reads as words and is not a copy of ``instructions`` (the
    request's own wording): the test every text a model writes must pass."""
    return junk(text) is None and (instructions is None or not instructions.copied(text))


class _CountsNotOwn(Protocol):
    not_own: int  # texts taken out as not the model's own


def own_or_counted(instructions: Instructions | None, dropped: _CountsNotOwn) -> Callable[[str], bool]:
    """``own_words`` for one reply's check: each text that fails it adds one to
    ``dropped.not_own``, so the check says how many it took out."""
    def own(text: str) -> bool:
        if own_words(text, instructions):
            return True
        dropped.not_own += 1
        return False

    return own


def _longest_run(a: list[str], b: list[str]) -> int:
    """The longest run of ``a``'s stems that stands in ``b`` in the same order."""
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if tokens_match(x, y):
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


@dataclass(frozen=True)
class _Source:
    stems: tuple[str, ...]
    meaning: frozenset[str]


class Instructions:
    """The wording of a request, which the model must not give back as its own.
    ``reordered`` also counts a long text made of one sentence's words in another order
    (off for a transcript, whose run-on sentences hold most words of any judgement)."""

    def __init__(self, texts: Iterable[str], *, reordered: bool = True) -> None:
        self.reordered = reordered
        sources = []
        for text in texts:
            for sentence in _SENTENCE.split(text):
                stems = _stems(sentence)
                if stems:
                    sources.append(_Source(tuple(stems), frozenset(meaning_stems(sentence))))
        self.sources = tuple(sources)

    def copied(self, text: str) -> bool:
        """Whether ``text`` is, for the most part, the request's own words."""
        stems = _stems(text)
        if not stems:
            return False
        meaning = meaning_stems(text)
        for source in self.sources:
            run = _longest_run(stems, list(source.stems))
            if run >= min(COPY_MIN_WORDS, len(stems)) and run >= COPY_SHARE * len(stems):
                return True
            if self.reordered and len(meaning) >= REORDER_MIN_STEMS:
                new = [s for s in meaning if not any(tokens_match(s, t) for t in source.meaning)]
                if len(new) <= REORDER_NEW_SHARE * len(meaning):
                    return True
        return False


class QuoteFinder:
    """Finds a model's quote in the transcript, word for word as the coach compares words."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self.tokens: TokenizedTranscript = tokenize(transcript)
        # The answer's sentences, which a judgement of it must not merely repeat.
        self.said = Instructions((s.text for s in self.tokens.sentences), reordered=False)

    @staticmethod
    def checkable(quote: str) -> bool:
        """Whether the quote is long enough to be located at all (a short one proves
        nothing: "the logs" is said in many answers)."""
        return len(normalise_words(quote)) >= QUOTE_MIN_TOKENS

    def find(self, quote: str) -> float | None:
        """When the quote's first word was said, or None when it was not said."""
        span = locate_quote(quote, self.tokens)
        if span is None:
            return None
        return round(self.tokens.tokens[span[0]].start_s, 2)


def inside(at: float, duration_s: float | None) -> bool:
    """Whether a time falls inside an answer of ``duration_s`` (a second of slack)."""
    if at < 0:
        return False
    return duration_s is None or duration_s <= 0 or at <= duration_s + 1.0


@dataclass(frozen=True)
class Removal:
    where: str
    why: str  # a key of WHY
    detail: str = ""

    @property
    def line(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.where}: {WHY[self.why]}{detail}"


@dataclass
class Removed:
    """What the checks took out of one reply, in order."""

    items: list[Removal] = field(default_factory=list)

    def add(self, where: str, why: str, detail: str = "") -> None:
        self.items.append(Removal(where, why, detail))

    def count(self, *whys: str) -> int:
        return sum(1 for item in self.items if not whys or item.why in whys)

    def lines(self) -> list[str]:
        return [item.line for item in self.items]

    def summary(self) -> str:
        """One line: how many, and why, most common first ("" when nothing)."""
        if not self.items:
            return ""
        counts = Counter(item.why for item in self.items)
        parts = ", ".join(f"{n} {WHY[why]}" for why, n in counts.most_common())
        return f"{len(self.items)} removed: {parts}"


class ReplyUnusable(OllamaFailure):
    """Nothing usable was left of a reply after the checks; ``removed`` says what went."""

    def __init__(self, what: str, why: str, removed: Removed, kept: str) -> None:
        super().__init__(UNUSABLE, f"the model's {what} was not usable: {why}",
                         f"{kept}; try again, or choose a larger model with "
                         "GREENROOM_OLLAMA_MODEL")
        self.removed = removed
