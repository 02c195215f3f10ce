"""Builders shared by the LLM tests: a STAR question and feedback in the coach's shape;
and the check that what was sent reached the model whole."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from interview_scripts.frameworks import STAR
from interview_scripts.script import KeyPoint, Mistake, Question
from interview_scripts.time_guide import parse_time_guide

# Ordinary interview-answer words, so character and token counts look like real speech.
_SENTENCES = (
    "In my last role our billing service failed every night during the batch run.",
    "I was responsible for making the nightly invoices reliable again.",
    "First I read the logs and found that two jobs were writing the same table.",
    "Then I moved one job to a queue and added a lock around the shared step.",
    "I also set up an alert so the team would hear about failures within minutes.",
    "As a result the failures dropped from four a week to none in two months.",
    "We saved about six hours of manual fixes every week.",
    "What I learned is to look for contention before adding more servers.",
)


def star_question() -> Question:
    return Question(
        id="reliability-incident",
        text="Tell me about a time you fixed a recurring production problem.",
        time_guide=parse_time_guide("5-7 minutes"),
        framework=STAR,
        guidance="Pick one concrete incident you owned and walk through it in order.",
        key_points=(KeyPoint("Names the business impact", ("customers", "invoices")),
                    KeyPoint("Explains the root cause", ("root cause", "found that")),
                    KeyPoint("Gives a measurable result", ("percent", "hours"))),
        mistakes=(Mistake("Says 'we' throughout and never 'I'", ("we did",)),),
    )


def transcript_dict(word_count: int, duration_s: float) -> dict[str, Any]:
    """Whisper-shaped transcript words cut from the sentences above, evenly timed."""
    tokens = list(itertools.islice(itertools.cycle(" ".join(_SENTENCES).split()), word_count))
    step = duration_s / max(1, word_count)
    words = [{"word": token, "start_s": round(i * step, 3),
              "end_s": round(i * step + step * 0.8, 3), "probability": 0.93}
             for i, token in enumerate(tokens)]
    return {"text": " ".join(tokens), "language": "en", "model": "tiny.en",
            "duration_s": duration_s, "words": words}


def deterministic_feedback(word_count: int = 260, duration_s: float = 100.0) -> dict[str, Any]:
    """What ``models.coach.coach_answer`` writes for an answer of ``word_count`` words over
    ``duration_s`` seconds (timed from its words), as the JSON the LLM coach receives."""
    from models.coach import coach_answer
    from models.transcript import Transcript

    transcript = Transcript.from_dict(transcript_dict(word_count, duration_s))
    return coach_answer(star_question(), transcript, None).to_dict()


# The LLM's judgements are folded into the coach's checklist and stages under these keys
# (models/coach/llm_fold.py). The loopback's quotes are never in the transcript, so beside
# them the coach's own findings must come through unchanged.
FOLD_KEYS = ("llm", "words", "disagreement", "llm_assessment")


def without_fold(value: Any) -> Any:
    """``value`` with the folded-in LLM keys left out, at any depth."""
    if isinstance(value, dict):
        return {k: without_fold(v) for k, v in value.items() if k not in FOLD_KEYS}
    if isinstance(value, list):
        return [without_fold(v) for v in value]
    return value


def review(coach: Any, question: Question, feedback: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """``coach`` (an ``LLMCoach``) reviewing ``feedback`` given as the coach's JSON: the
    typed ``Feedback`` goes in and comes out, and the result is read as stored JSON."""
    from models.coach.feedback_model import Feedback

    result = coach.coach(question, Feedback.from_dict(feedback), **kwargs)
    assert isinstance(result, Feedback)
    return result.to_dict()


# -- the whole input reached the model ------------------------------------------------------


def assert_whole_input_reached(server: Any, *texts: str, words: Iterable[str] = ()) -> None:
    """Every chat request the loopback ``server`` ran reached its model whole: no message
    dropped and no token cut to fit the window (the loopback records what the model got
    after its own cut, ``RecordedRequest.seen``); each of ``texts`` (a page) stands in it,
    and ``words`` (a transcript's) come in it in their order."""
    ran = [r for r in server.requests_to("/api/chat") if r.seen is not None]
    assert ran, "no chat request reached the model"
    wanted = [w for w in words if w.strip()]
    for chat in ran:
        sent = [{"role": m["role"], "content": m["content"]} for m in chat.body["messages"]]
        assert chat.seen == sent and chat.cut_tokens == 0, (
            f"the model got {chat.prompt_tokens} of the {chat.sent_tokens} prompt tokens sent "
            f"({chat.kept_messages} of {len(sent)} messages) in a {chat.num_ctx}-token window")
        got = "\n".join(m["content"] for m in chat.seen)
        for text in texts:
            assert text in got, f"not given to the model: {text[:60]!r}…"
        at = 0
        for word in wanted:
            found = got.find(word, at)
            assert found >= 0, f"the transcript's word {word!r} did not reach the model"
            at = found + len(word)


@contextlib.contextmanager
def every_chat_whole() -> Iterator[None]:
    """Checks, when the block ends, that every loopback server made inside it gave its
    model every chat request whole (``assert_whole_input_reached``)."""
    import tests.ollama_loopback as loopback

    watched: list[Any] = []
    loopback.WATCHED = watched
    try:
        yield
    finally:
        loopback.WATCHED = None
    for server in watched:
        if any(r.seen is not None for r in server.requests_to("/api/chat")):
            assert_whole_input_reached(server)


def transcript_words(feedback: dict[str, Any]) -> list[str]:
    """The words of the answer under review, as the transcript holds them."""
    return [str(w["word"]).strip() for w in (feedback.get("transcript") or {}).get("words", [])]
