"""What a sentence of advice about a question says, in the fields of a script.

Prep pages and letters give their advice as prose: "She wants to hear about patient safety,
how you tell the prescriber, and how you record the incident." "Don't blame the assistant."
"Give yourself about five minutes." ``advice_lines`` turns such a sentence into the labelled
lines the line reader files (a time guide, key points split into items, a mistake, or
guidance); ``points_in`` does the same for a line of a page that opens with what to say
("Mention PPE, isolating circuits, and asking when unsure").
"""

from __future__ import annotations

import re

from interview_scripts.page_guides import guide_in

_LEAD_IN = re.compile(
    r"^(?:and|then|next|also|finally|lastly|after that|first(?:ly)?|second(?:ly)?|plus|so|but)\b,?\s*", re.I)
_KEY_INTRO = re.compile(
    r"\b(?:want(?:s)? to hear(?: about)?|(?:is|are|'s|'re|be) looking for|look(?:s|ing)? for|listen(?:s|ing)?"
    r" (?:out )?for|(?:make sure|be sure|remember) (?:to |you )?(?:mention|cover|talk about|bring up|include"
    r"|explain|show|get across|touch on)|(?:mention|cover|talk about|bring up|touch on|focus on|highlight"
    r"|emphasi[sz]e|stress|walk (?:her|him|them) through))\b:?\s+(?P<what>.+)", re.I)
_KEY_HEAD = re.compile(
    r"\b(?:want(?:s)? to hear|looking for|look(?:s)? for|listen(?:s|ing)? for|mention|cover|points?)\b", re.I)
_MISTAKE_OPENER = re.compile(
    r"^(?:(?:and|but|just|please|so|whatever you do),?\s+)*(?:don'?t|do not|never|avoid|try not to|steer clear of"
    r"|resist (?:the urge )?to|there'?s no need to|no need to)\b", re.I)
_MISTAKE_DISLIKE = re.compile(
    r"\b(?:hates?|dislikes?|can'?t stand|(?:is|are)n'?t (?:keen on|a fan of)|(?:does|do)n'?t (?:like|want)"
    r"(?: to hear)?|switch(?:es)? off (?:at|when))\s+(?P<what>.+)", re.I)
_MISTAKE_TURN = re.compile(r";\s*|\s+[—–-]\s+|,\s+(?:instead|but rather|rather)\b,?\s*", re.I)
_EXAMPLES = re.compile(r"\b(?:such as|including|e\.g\.|for example)\s", re.I)
# A line that opens with what to say: the page's own list of points, written as a sentence.
_DIRECTIVE = re.compile(
    r"^(?:(?:in your answer|in the answer),?\s+)?(?:mention|cover|talk about|bring up|touch on|highlight"
    r"|emphasi[sz]e|include|(?:make sure|be sure) (?:to |you )?(?:mention|cover|talk about|include))\s+(?P<what>.+)$",
    re.I)
MAX_GUIDE_SENTENCE_WORDS = 12
MAX_POINTS_LINE_WORDS = 40


def lead_in(text: str) -> str:
    """``text`` without a leading "And", "Then", "Finally," that only joins it to the last."""
    return _LEAD_IN.sub("", text.strip()).strip()


def items(what: str) -> list[str]:
    """'the controls you use, how you escalate, and how you keep the deadline' → three items.
    Examples stay with their point: 'controls such as matching, reconciliations' is one."""
    what = what.strip().rstrip(".!").strip()
    umbrella, colon, listed = what.partition(": ")
    if colon and len(re.split(r",|;", listed)) >= 2:
        what = listed  # "a calm approach: check the space, free some, tell people" lists after the colon
    examples = _EXAMPLES.search(what)
    head = what[:examples.start()] if examples else what
    parts = [p.strip() for p in re.split(r",\s*(?:and\s+|or\s+)?|;\s*", head) if p.strip()]
    if not parts:
        return [what]
    # "the channels you chose and what the results were": two points joined by "and".
    parts = parts[:-1] + [p.strip() for p in re.split(
        r"\s+and\s+(?=(?:how|what|why|when|where|whether|the|a|an|your|any|one|who)\b)", parts[-1]) if p.strip()]
    if examples:
        parts[-1] = what[head.rfind(parts[-1]):]
    return parts


def advice_lines(sentence: str) -> list[str]:
    """The labelled lines a sentence of advice about a question becomes: "Time: …", a
    "Key points:" or "Mistakes to avoid:" heading with its bullets, or "Advice: …"."""
    out: list[str] = []
    text = lead_in(sentence)
    if not text:
        return out
    guide = guide_in(text)
    if guide is not None:
        out.append(f"Time: {guide}")
        if len(text.split()) <= MAX_GUIDE_SENTENCE_WORDS:
            return out
    turn = _MISTAKE_TURN.split(text.rstrip(".!"), maxsplit=1)
    if len(turn) == 2 and _MISTAKE_OPENER.match(turn[1].strip()) and not _MISTAKE_OPENER.match(text):
        # "Be honest but positive — don't trash your employer": advice, then a mistake.
        return advice_lines(turn[0]) + advice_lines(turn[1].strip())
    if _MISTAKE_OPENER.match(text):
        parts = _MISTAKE_TURN.split(text.rstrip(".!"), maxsplit=1)
        mistake = re.sub(r"^(?:(?:and|but|just|please|so|whatever you do),?\s+)+", "", parts[0], flags=re.I)
        out += ["Mistakes to avoid:", f"- {mistake[:1].upper()}{mistake[1:]}"]
        if len(parts) > 1 and parts[1].strip():
            out += advice_lines(parts[1][:1].upper() + parts[1][1:])
        return out
    disliked = _MISTAKE_DISLIKE.search(text)
    if disliked:
        out += ["Mistakes to avoid:", f"- {disliked.group('what').rstrip('.!')}"]
        return out
    if text.endswith(":") and _KEY_HEAD.search(text):
        return ["Key points:"]
    wanted = _KEY_INTRO.search(text)
    if wanted:
        out.append("Key points:")
        out += [f"- {item}" for item in items(wanted.group("what"))]
        return out
    out.append(f"Advice: {text}")
    return out


def points_in(line: str) -> list[str] | None:
    """The key points of a one-sentence line that opens with what to say, or None."""
    if len(line.split()) > MAX_POINTS_LINE_WORDS or re.search(r"[.!?]\s+\S", line):
        return None
    said = _DIRECTIVE.match(line.strip())
    return items(said.group("what")) if said else None
