"""How words were used: most frequent words, repeated phrases, 'I' against 'we', numbers."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from models.coach.notes import Note
from models.coach.text_match import (
    STOPWORDS,
    Sentence,
    Token,
    TokenizedTranscript,
    word_set,
)

I_WORDS = frozenset({"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"})
WE_WORDS = frozenset({"we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll"})

NUMBER_WORDS = word_set("""
two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
hundred thousand million billion dozen half twice double triple tenfold
""")
# "one" is left out: "one of the", "the one thing" are not figures.
UNITS = word_set("""
percent % x times fold hours hour minutes minute seconds second ms milliseconds days day
weeks week months month years year dollars dollar euros pounds k users customers people
engineers tickets incidents requests points bugs errors sales deals revenue clients teams
servers nodes gb tb mb
""")
CHANGE_WORDS = word_set("""
reduced reduce cut cutting increased increase improved improve saved save grew grow dropped
drop raised lowered lower decreased decrease doubled halved boosted shortened sped faster
slower fewer
""")
_DIGIT = re.compile(r"^[$£€]?\d")

TOP_WORDS = 10
PHRASE_SIZES = (3, 4)
PHRASE_MIN_REPEATS = 3


def _is_number(t: Token) -> bool:
    return bool(_DIGIT.match(t.raw)) or t.raw in NUMBER_WORDS


def _numbers(tokens: list[Token]) -> list[tuple[int, int]]:
    """Token ranges of figures, with a following unit word kept ("40 percent", "two weeks")."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if not _is_number(tokens[i]):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and tokens[j].sentence == tokens[i].sentence and (
                _is_number(tokens[j]) or tokens[j].raw in ("and", "point")
                and j + 1 < len(tokens) and _is_number(tokens[j + 1])):
            j += 1
        if j < len(tokens) and tokens[j].sentence == tokens[i].sentence and tokens[j].raw in UNITS:
            j += 1
        spans.append((i, j))
        i = j
    return spans


def _measurable(tokens: list[Token], span: tuple[int, int], sentence: Sentence,
                tt: TokenizedTranscript) -> bool:
    """A figure reads as a result when it carries a unit or sits next to a change word."""
    i, j = span
    if tokens[j - 1].raw in UNITS or tokens[j - 1].raw.endswith("%"):
        return True
    return any(t.raw in CHANGE_WORDS for t in tt.sentence_tokens(sentence))


def figure_sentences(tt: TokenizedTranscript
                     ) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Per sentence index, its measurable results and all its figures (as said).

    The structure check reads a sentence that carries a measurable result as outcome-shaped.
    """
    tokens = tt.tokens
    sentences = {s.index: s for s in tt.sentences}
    measurable: dict[int, list[str]] = {}
    figures: dict[int, list[str]] = {}
    for span in _numbers(tokens):
        first = tokens[span[0]]
        text = tt.text_between(*span)
        figures.setdefault(first.sentence, []).append(text)
        if _measurable(tokens, span, sentences[first.sentence], tt):
            measurable.setdefault(first.sentence, []).append(text)
    return measurable, figures


def analyse_word_use(tt: TokenizedTranscript, framework_name: str
                     ) -> tuple[dict[str, Any], list[Note]]:
    tokens = tt.tokens
    content = [t.raw for t in tokens if t.raw not in STOPWORDS and len(t.raw) > 2
               and not _DIGIT.match(t.raw)]
    top = [{"word": w, "count": c} for w, c in Counter(content).most_common(TOP_WORDS) if c >= 2]

    phrases: Counter[tuple[str, ...]] = Counter()
    first_at: dict[tuple[str, ...], float] = {}
    for n in PHRASE_SIZES:
        for k in range(len(tokens) - n + 1):
            window = tokens[k: k + n]
            if window[0].sentence != window[-1].sentence:
                continue
            key = tuple(t.raw for t in window)
            if all(w in STOPWORDS for w in key):
                continue
            phrases[key] += 1
            first_at.setdefault(key, window[0].start_s)
    repeated: list[dict[str, Any]] = []
    for key, count in phrases.most_common():
        if count < PHRASE_MIN_REPEATS:
            break
        text = " ".join(key)
        # A 3-word phrase inside an equally repeated 4-word one adds nothing.
        if any(text in r["text"] and r["count"] >= count for r in repeated):
            continue
        repeated.append({"text": text, "count": count, "first_s": round(first_at[key], 2)})
        if len(repeated) >= 5:
            break

    i_count = sum(1 for t in tokens if t.raw in I_WORDS)
    we_count = sum(1 for t in tokens if t.raw in WE_WORDS)
    behavioural = framework_name.upper() in ("STAR", "CAR")
    i_we_note = None
    notes: list[Note] = []
    if behavioural and we_count >= 4 and we_count > 1.5 * max(i_count, 1):
        i_we_note = (f"You said 'we' {we_count} times and 'I' {i_count} times; the interviewer "
                     "wants to hear what you did yourself.")
        notes.append(Note(None, "warning", i_we_note))
    elif we_count or i_count:
        i_we_note = f"'I' {i_count} times, 'we' {we_count} times."

    sentences = {s.index: s for s in tt.sentences}
    numbers: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for span in _numbers(tokens):
        first = tokens[span[0]]
        item = {"text": tt.text_between(*span), "start_s": round(first.start_s, 2)}
        numbers.append(item)
        sentence = sentences[first.sentence]
        if _measurable(tokens, span, sentence, tt):
            results.append({**item, "sentence": sentence.text})
    for key, count in ((r["text"], r["count"]) for r in repeated[:1]):
        notes.append(Note(first_at[tuple(key.split())], "info",
                          f"The phrase '{key}' comes {count} times; vary it or cut it."))
    return {"top_words": top, "repeated_phrases": repeated, "i_count": i_count,
            "we_count": we_count, "i_we_note": i_we_note, "numbers": numbers,
            "measurable_results": results}, notes
