"""Time guides as prep pages write them: "(2–3 min)", "Time: 3-4 minutes", "about 2 minutes".

Pages phrase the length of an answer in many ways; this module finds one in a line and
returns it in a form ``parse_time_guide`` accepts ("2-3 min", "3 to 5 minutes", "90 seconds"),
together with the line without it, so a guide written into a question never stays in the
question's text.
"""

from __future__ import annotations

import re

from interview_scripts.time_guide import parse_time_guide

_UNIT = r"(?:minutes?|mins?|seconds?|secs?|s)\b"
_FIGURE = r"\d+(?:\.\d+)?"
_APPROX = r"(?:about|around|roughly|approximately|approx\.?|~|up to|under|no more than|max(?:imum)?|at most)"
_GUIDE = re.compile(
    rf"(?<![\w:.])(?:{_APPROX}\s*)?"
    rf"(?P<g>{_FIGURE}\s*(?:{_UNIT}\s*)?(?:-|–|—|to)\s*{_FIGURE}\s*{_UNIT}"
    rf"|\d+:[0-5]\d\s*(?:-|–|—|to)\s*\d+:[0-5]\d"
    rf"|{_FIGURE}\s*{_UNIT})",
    re.I,
)
# Labels that announce a guide: the whole line is about length, however long it is.
_LABEL = re.compile(
    r"^(?:time|timing|length|duration|time guide|time limit|suggested (?:length|time|duration)"
    r"|answer length|target|aim for|answer in|keep it(?: to)?|speak for|allow)\b\s*:?\s*", re.I)
# A guide tacked onto a question after a separator: "Tell me about yourself -- about 2 minutes".
_TAIL_SEPARATOR = re.compile(r"\s+(?:-{1,2}|–|—|·|\|)\s+|,\s+(?=[^,]*$)")
MAX_SHORT_LINE_WORDS = 12
# Letters and emails spell lengths out: "about five minutes", "a minute or two".
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
}
_NUMBER_WORD = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_IDIOMS = (
    (re.compile(r"\ba (?:minute|min) or two\b", re.I), "1-2 minutes"),
    (re.compile(r"\ba couple of minutes\b", re.I), "2 minutes"),
    (re.compile(r"\ba minute and a half\b", re.I), "90 seconds"),
    (re.compile(r"\bhalf a minute\b", re.I), "30 seconds"),
    (re.compile(r"\b(?:a|one) (?:single )?minute\b", re.I), "1 minute"),
)


def _normalise(match_text: str) -> str | None:
    guide = " ".join(match_text.split())
    guide = re.sub(r"\s*[–—]\s*", "-", guide)
    guide = re.sub(r"\s*-\s*", "-", guide)
    guide = re.sub(r"(?<=\d)\s+(?=s\b)", "", guide)  # "90 s" -> "90s"
    try:
        parse_time_guide(guide)
    except ValueError:
        return None
    return guide


def spell_out_numbers(text: str) -> str:
    """``text`` with spelled-out lengths written in figures: "about five minutes" → "about 5
    minutes", "two to three minutes" → "2 to 3 minutes", "a minute or two" → "1-2 minutes"."""
    for pattern, figure in _IDIOMS:
        text = pattern.sub(figure, text)

    def figure(match: re.Match[str]) -> str:
        return str(_NUMBER_WORDS[match.group(0).lower()])

    text = re.sub(rf"\b(?:{_NUMBER_WORD})\b(?=(?:\s*(?:-|–|—|to|or)\s*(?:{_NUMBER_WORD}|\d+))*\s*{_UNIT})",
                  figure, text, flags=re.I)
    return re.sub(rf"\b(\d+) or (\d+)(?=\s*{_UNIT})", r"\1-\2", text)  # "five or six minutes"


def guide_in(text: str) -> str | None:
    """The first time guide anywhere in ``text``, normalised, or None."""
    for match in _GUIDE.finditer(spell_out_numbers(text)):
        guide = _normalise(match.group("g"))
        if guide is not None:
            return guide
    return None


def guide_line(text: str) -> str | None:
    """The guide of a line that is about answer length: labelled ("Time: 2 min") or short
    ("final round · 5-7 minutes"). Long prose is skipped on purpose: answers say things
    like 'we restored service within 45 minutes'."""
    if _LABEL.match(text) or len(text.split()) <= MAX_SHORT_LINE_WORDS:
        return guide_in(text)
    return None


# Prose that sets the length of every answer: "Each answer should take two to three minutes".
_EVERY_ANSWER = re.compile(r"\b(?:each|every|all|your) (?:answers?|responses?|questions?)\b|\bper (?:question|answer)\b",
                           re.I)


def default_guide_in(text: str) -> str | None:
    """The guide a page's introduction sets for all its answers, or None."""
    return guide_in(text) if _EVERY_ANSWER.search(text) else None


def split_question_guide(text: str) -> tuple[str, str | None]:
    """(question text, guide) for a question line that may carry its guide.

    "Tell us about a project (2–3 min)" and "Tell me about yourself -- about 2 minutes"
    give the guide and the bare question; a length mentioned inside the question itself
    ("a task you had 10 minutes for") is left alone."""
    for paren in re.finditer(r"\(([^()]*)\)", text):
        guide = guide_in(paren.group(1))
        if guide is not None and len(paren.group(1).split()) <= 6:
            bare = (text[:paren.start()] + text[paren.end():]).strip()
            return " ".join(bare.split()).rstrip(" -–—,;:"), guide
    asked, mark, after = text.rpartition("?")
    if mark and after.strip() and len(after.split()) <= 6 and guide_in(after) is not None:
        return asked + "?", guide_in(after)  # "… accident? Allow about 2 minutes."
    parts = _TAIL_SEPARATOR.split(text)
    if len(parts) >= 2:
        tail = parts[-1]
        guide = guide_in(tail)
        if guide is not None and len(tail.split()) <= 6:
            head = text[: len(text) - len(tail)].rstrip()
            head = re.sub(r"(?:\s*(?:-{1,2}|–|—|·|\||,))+$", "", head).strip()
            if head:
                return head, guide
    return text, None
