"""Word error rate: how far a transcript is from the words that were really said.

Used by the tests and the benchmarks to hold transcription accuracy to a number.
Comparison ignores case and punctuation, hyphenated words count as their parts, and a
number counts the same written in digits or in words ("10" is "ten"), so only real
recognition mistakes are counted, not Whisper's choice of style.
"""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[^a-z0-9' ]+")
# A number with its thousands commas (taken out first, so "1,200" stays one number).
_GROUPED = re.compile(r"(?<=\d),(?=\d{3}\b)")
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(number: int) -> list[str]:
    """A whole number below a million as it is said: 305 -> three hundred five."""
    if number < 20:
        return [_ONES[number]]
    if number < 100:
        tens, ones = divmod(number, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return [_ONES[hundreds], "hundred"] + (number_words(rest) if rest else [])
    thousands, rest = divmod(number, 1000)
    return number_words(thousands) + ["thousand"] + (number_words(rest) if rest else [])


def _spoken(word: str) -> list[str]:
    if word.isdigit() and len(word) <= 6:
        return number_words(int(word))
    return [word]


def normalize_words(text: str) -> list[str]:
    lowered = _GROUPED.sub("", text.lower()).replace("-", " ").replace("’", "'")
    words = [w.strip("'") for w in _NOT_WORD.sub(" ", lowered).split() if w.strip("'")]
    return [part for word in words for part in _spoken(word)]


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Fewest substitutions, deletions and insertions turning one list into the other."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_word in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1,
                             previous[j - 1] + (ref_word != hyp_word))
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Edits per reference word (0.0 is perfect; can exceed 1.0 for runaway output)."""
    ref = normalize_words(reference)
    hyp = normalize_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
