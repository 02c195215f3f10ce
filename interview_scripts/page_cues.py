"""Cue words suggested for a key point, from its own words and their common variants.

The coach finds a key point in a transcript by its words, so a point written as "Mention
the post-incident review" is best found by "post-incident review", "postmortem"-style
spellings and the word itself in other forms. The suggestions are offered in the script
editor for the user to accept or change; nothing here is applied without them.
"""

from __future__ import annotations

import re

# Words that say how to answer, not what to say, plus the usual function words.
_SKIP_WORDS = """
a an the and or of to in on for with at by from your you our we me us i is are be do does did how what
why when where which who would could can should tell describe about that this it its as into their there
them they give share walk through explain mention mentions say says state show name discuss talk include
cover highlight demonstrate clearly clear example examples specific specifically point points answer good
strong briefly brief make sure any some very just also using use used e.g eg i.e etc not no own one
first long took made get got well way time times then than more most much many was were been being has have had
before after while during over under again
"""
_SKIP = frozenset(_SKIP_WORDS.split())
MAX_CUES = 6


def _variants(word: str) -> list[str]:
    """The word and the endings a transcript is likely to hold instead."""
    out = [word]
    if "-" in word:
        out += [word.replace("-", " "), word.replace("-", "")]
        return out
    if word.endswith(("ly", "th", "ss", "ing", "ed")) or word.isdigit():
        return out
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    elif word.endswith("s") and len(word) > 3:
        out.append(word[:-1])
    elif word.endswith("y") and len(word) > 3:
        out.append(word[:-1] + "ies")
    else:
        out.append(word + "s")
    return out


def suggest_cues(text: str) -> list[str]:
    """Up to ``MAX_CUES`` lower-case cue phrases for a key point's text.

    Two neighbouring content words make the first cue ("incident review"), since a
    phrase is a surer sign than either word; then each content word with a variant."""
    # Phrases never span punctuation: "(e.g. refund, renewal)" is two cues, not one.
    chunks = re.split(r"[,;:.()!?/]+", text.lower())
    runs = [[w.strip("'-") for w in re.findall(r"[a-z0-9][a-z0-9'\-]*", chunk)] for chunk in chunks]
    words = [w for run in runs for w in run]
    content = [w for w in words if w and w not in _SKIP and len(w) >= 3]
    cues: list[str] = []

    def add(cue: str) -> None:
        if cue and cue not in cues and len(cues) < MAX_CUES:
            cues.append(cue)

    pairs = [(a, b) for run in runs for a, b in zip(run, run[1:], strict=False)
             if a in content and b in content]
    if pairs:
        add(" ".join(pairs[0]))
    for word in sorted(content, key=len, reverse=True):
        for variant in _variants(word):
            add(variant)
    return cues
