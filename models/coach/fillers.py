"""Filler words and hedges, with the moment each was said.

Whisper is trained on clean transcripts and tends to leave "um" and "uh" out, so the
counts here are a lower bound: what was heard for sure, not everything that was said.
"""

from __future__ import annotations

from typing import Any

from models.coach.notes import Note, clock
from models.coach.text_match import Token

VOCAL_FILLERS = frozenset({"um", "umm", "uhm", "uh", "uhh", "er", "erm", "ah", "ahh", "hmm",
                           "hm", "mm", "mmm", "eh"})
# Words that are fillers wherever they appear in an answer.
WORD_FILLERS = frozenset({"basically", "literally"})
# Phrases that are fillers only when set off by commas or at a sentence edge:
# "you know, we..." is a filler; "you know the system" is not.
SET_OFF_FILLERS = (("you", "know"), ("i", "mean"), ("like",))

HEDGES = (("i", "think"), ("i", "guess"), ("i", "believe"), ("i", "suppose"),
          ("i", "feel", "like"), ("maybe",), ("probably",), ("perhaps",), ("possibly",),
          ("sort", "of"), ("kind", "of"), ("somewhat",), ("a", "little", "bit"),
          ("hopefully",), ("not", "sure"), ("might", "have"))

_HEDGE_STARTS = frozenset(phrase[0] for phrase in HEDGES)  # skips most words at one look

FILLER_NOTE = ("a lower bound: speech recognition often leaves out 'um' and 'uh', so more "
               "were probably said")
HEDGE_NOTE = "counted from the transcript; a hedge can be honest caution, so read them in context"
FILLERS_PER_MINUTE_WARNING = 4.0
HEDGES_PER_MINUTE_WARNING = 3.0


def _at(tokens: list[Token], i: int, words: tuple[str, ...]) -> bool:
    return (i + len(words) <= len(tokens)
            and all(tokens[i + k].raw == w for k, w in enumerate(words)))


def _set_off(tokens: list[Token], i: int, n: int) -> bool:
    before = i == 0 or tokens[i - 1].sentence != tokens[i].sentence or tokens[i - 1].comma_after
    last = tokens[i + n - 1]
    after = (i + n >= len(tokens) or tokens[i + n].sentence != last.sentence
             or last.comma_after)
    return before or after if n > 1 else before and after


def _items(found: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"word": w, "start_s": round(t, 2)} for w, t in found]


def _summary(found: list[tuple[str, float]], speaking_s: float, note: str) -> dict[str, Any]:
    per_minute = len(found) / (speaking_s / 60.0) if speaking_s > 0 else 0.0
    counts: dict[str, int] = {}
    for w, _ in found:
        counts[w] = counts.get(w, 0) + 1
    return {"count": len(found), "per_minute": round(per_minute, 2), "items": _items(found),
            "by_word": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
            "lower_bound": True, "note": note}


def find_fillers(tokens: list[Token], speaking_s: float) -> tuple[dict[str, Any], list[Note]]:
    found: list[tuple[str, float]] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.raw in VOCAL_FILLERS or t.raw in WORD_FILLERS:
            found.append((t.raw, t.start_s))
            i += 1
            continue
        for phrase in SET_OFF_FILLERS:
            if _at(tokens, i, phrase) and _set_off(tokens, i, len(phrase)):
                found.append((" ".join(phrase), t.start_s))
                i += len(phrase) - 1
                break
        i += 1
    summary = _summary(found, speaking_s, FILLER_NOTE)
    notes: list[Note] = []
    if found and summary["per_minute"] >= FILLERS_PER_MINUTE_WARNING and speaking_s >= 20:
        notes.append(Note(found[0][1], "warning",
                          f"From {clock(found[0][1])} on, fillers come {summary['per_minute']:.1f} "
                          "times a minute (at least); replace them with a short silence."))
    elif found:
        notes.append(Note(None, "info", f"At least {len(found)} filler word"
                                        f"{'s' if len(found) != 1 else ''} heard "
                                        "(speech recognition misses many)."))
    return summary, notes


def find_hedges(tokens: list[Token], speaking_s: float) -> tuple[dict[str, Any], list[Note]]:
    found: list[tuple[str, float]] = []
    i = 0
    while i < len(tokens):
        if tokens[i].raw not in _HEDGE_STARTS:
            i += 1
            continue
        for phrase in HEDGES:
            if _at(tokens, i, phrase):
                found.append((" ".join(phrase), tokens[i].start_s))
                i += len(phrase) - 1
                break
        i += 1
    summary = _summary(found, speaking_s, HEDGE_NOTE)
    summary["lower_bound"] = False
    notes: list[Note] = []
    if found and summary["per_minute"] >= HEDGES_PER_MINUTE_WARNING and speaking_s >= 20:
        notes.append(Note(found[0][1], "warning",
                          f"From {clock(found[0][1])} hedges such as '{found[0][0]}' come "
                          f"{summary['per_minute']:.1f} times a minute; state what you did plainly."))
    return summary, notes
