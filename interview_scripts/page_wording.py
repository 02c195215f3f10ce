"""Questions a page implies rather than asks, put back into the words an interviewer says.

An answers page heads a section "Your biggest weakness" and a recruiter writes "she'll ask
how you handle month-end"; both mean a question the page never writes out. ``implied``
turns a heading into the question it stands for, ``reported`` turns the words after
"ask"/"want to know" into the question itself. Each returns the question and whether the
wording is sure: a known shape ("Your X", "Why you …", "Handling X", "A time you …") is; a
bare noun phrase worded as "Tell me about your …" is a guess the preview owns up to.
"""

from __future__ import annotations

import re

_WH = ("how", "why", "what", "where", "when", "which", "who", "whom", "whose")
_YES_NO = ("whether", "if")
# Verbs written after "you" that are auxiliaries: they swap places with "you".
_AUXILIARY = {
    "would": "would", "could": "could", "should": "should", "will": "will", "can": "can",
    "might": "might", "may": "may", "must": "must", "are": "are", "were": "were", "'re": "are",
    "'d": "would", "'ll": "will", "'ve": "have", "’re": "are", "’d": "would", "’ll": "will", "’ve": "have",
}
_IRREGULAR_PAST = {
    "led": "lead", "left": "leave", "made": "make", "took": "take", "went": "go", "chose": "choose",
    "gave": "give", "built": "build", "ran": "run", "found": "find", "told": "tell", "felt": "feel",
    "kept": "keep", "lost": "lose", "met": "meet", "sent": "send", "spent": "spend", "thought": "think",
    "won": "win", "wrote": "write", "brought": "bring", "taught": "teach", "caught": "catch",
    "sold": "sell", "held": "hold", "became": "become", "began": "begin", "had": "have", "did": "do",
    "got": "get", "saw": "see", "knew": "know", "said": "say", "dealt": "deal", "overcame": "overcome",
    "fought": "fight", "understood": "understand", "heard": "hear", "paid": "pay", "learnt": "learn",
    "spoke": "speak", "forgot": "forget", "grew": "grow", "drove": "drive", "meant": "mean",
    "bought": "buy", "stood": "stand",
}
# Stems a suffix rule gets wrong, after "-ing" or "-ed" is cut off.
_STEMS = {"us": "use", "writ": "write", "creat": "create", "cop": "cope", "invit": "invite",
          "pivot": "pivot", "ad": "add", "tak": "take", "mak": "make", "com": "come", "becom": "become",
          "overcom": "overcome", "hir": "hire", "din": "dine", "gav": "give", "liv": "live"}
_ADVERB = re.compile(r"^(?:\w+ly|ever|always|often|never|still|first|then|once|also|really|actually)$", re.I)
_OBJECT_WORDS = frozenset(("to", "about", "for", "with", "most", "best", "the", "a", "an", "in", "on", "at",
                           "and", "or", "into", "from", "as", "so", "than", "that", "this", "here", "there"))
_SUPERLATIVE = re.compile(r"^(?:\w+est|best|worst|most|least|biggest|main|top|proudest)$", re.I)
_PREPOSITION = re.compile(r"\s(?:for|with|of|in|on|at|to|about|as|from|when|during|under)\s", re.I)
_OPENER = re.compile(
    r"^(?:tell (?:me|us)|describe|walk (?:me|us)|talk (?:me|us)|give (?:me|us)|share|explain|show (?:me|us)"
    r"|take (?:me|us)|introduce|summari[sz]e|outline|list)\b", re.I)
_PRONOUN_SWAP = {"them": "us", "him": "me", "her": "me"}

# Where a reported clause starts asking a second thing: ", and what …".
_SECOND_QUESTION = re.compile(r",?\s+and\s+(?=(?:how|why|what|where|when|which|who|whether|if)\b)", re.I)


def base_form(word: str) -> str:
    """The plain form of a verb written with "-ing" or "-ed": handling → handle, planned →
    plan, applied → apply, led → lead. A word with neither ending comes back as it is."""
    lower = word.lower()
    if lower in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[lower]
    if lower.endswith(("agreed", "freed", "guaranteed")):
        return lower[:-1]
    if lower.endswith("ing") and len(lower) > 4:
        stem = lower[:-3]
    elif lower.endswith("ied") and len(lower) > 4:
        return lower[:-3] + "y"
    elif lower.endswith("ed") and not lower.endswith("eed") and len(lower) > 4:
        stem = lower[:-2]
    else:
        return lower
    if stem in _STEMS:
        return _STEMS[stem]
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "lsfz":
        return stem[:-1]                         # planning → plan, stopped → stop
    if stem.endswith("ll"):
        return stem[:-1] if len(stem) >= 6 else stem  # travelling → travel; selling → sell
    if stem.endswith(("ss", "ff", "zz")):
        return stem
    if re.search(r"(?:[^aeiou]l|v|c|z|[^aeiou][aiu]r|(?:[^aeiou]|u)id|[^aeiou][ou]m|[^aeiou]in|ib)$", stem):
        return stem + "e"                        # handle, solve, balance, prepare, decide, define
    if re.search(r"(?:ang|eng|[^n]g)$", stem) and not stem.endswith("gg"):
        return stem + "e"                        # change, manage, judge
    if re.search(r"(?:[^aeiou]at|iat|uat|[^aeiou]ut|[^aeiou]ot)$", stem):
        return stem + "e"                        # communicate, evaluate, contribute, promote
    if re.search(r"(?:[^su]s)$", stem):
        return stem + "e"                        # prioritise, close, nurse; discuss and focus stay
    if re.search(r"[^aeiou][aeiou]k$", stem):
        return stem + "e"                        # make, take
    return stem


def _is_past(word: str) -> bool:
    lower = word.lower()
    return lower in _IRREGULAR_PAST or lower.endswith(("agreed", "freed")) or (
        lower.endswith("ed") and not lower.endswith("eed") and len(lower) > 3)


def _finish(text: str, mark: str = "?") -> str:
    text = " ".join(text.split()).rstrip(" .,;:!?")
    return text[:1].upper() + text[1:] + mark


def _swap_pronouns(words: list[str]) -> list[str]:
    """'walk them through' as the interviewer says it: 'walk us through'."""
    if len(words) >= 2 and words[1].lower() in _PRONOUN_SWAP:
        words = [words[0], _PRONOUN_SWAP[words[1].lower()], *words[2:]]
    return words


def _split_you(word: str) -> tuple[str, str] | None:
    """('you', "'re") for "you're"; ('you', '') for "you"; None for any other word."""
    lower = word.lower().replace("’", "'")
    if lower == "you":
        return "you", ""
    if lower.startswith("you'") and lower[3:] in _AUXILIARY:
        return "you", lower[3:]
    return None


def _invert(head: list[str], rest: list[str]) -> str | None:
    """'how' + 'you handle X' → 'How do you handle X?'; None when 'you' is not the subject."""
    if not rest:
        return None
    split = _split_you(rest[0])
    if split is None:
        return None
    _, contraction = split
    after = rest[1:]
    adverbs: list[str] = []
    if contraction:
        aux, verb_words = _AUXILIARY[contraction], after
    else:
        while after and _ADVERB.match(after[0]):
            adverbs.append(after[0])
            after = after[1:]
        if not after or after[0].lower() in _OBJECT_WORDS:
            return None  # "what drew you to nursing": "you" is the object
        verb = after[0]
        lower = verb.lower()
        if lower in _AUXILIARY:
            aux, verb_words = _AUXILIARY[lower], after[1:]
        elif lower in ("have", "has") and len(after) > 1 and _is_past(after[1]):
            aux, verb_words = "have", after[1:]
        elif lower in ("am", "is"):
            aux, verb_words = "are", after[1:]
        elif _is_past(verb):
            aux, verb_words = "did", [base_form(verb), *after[1:]]
        else:
            aux, verb_words = "do", after
    return _finish(" ".join([*head, aux, "you", *adverbs, *verb_words]))


def reported(clause: str) -> tuple[str, bool] | None:
    """The question a recruiter reports: "how you handle month-end" → "How do you handle
    month-end?"; "whether you've led a team" → "Have you led a team?"; "to walk them through
    your CV" → "Walk us through your CV."; "about your last role" → "Tell me about your last
    role." None when the words do not report a question."""
    clause = " ".join(clause.split()).strip(" ,;:—–-\"'“”‘’").rstrip(".!")
    clause = re.sub(r"\s+(?:too|as well|also)$", "", clause, flags=re.I)  # "… brand awareness too"
    if not clause:
        return None
    second = _SECOND_QUESTION.search(clause)
    if second is not None and clause[second.end():]:
        # "whether you have worked on site, and what you learnt" asks two things in one.
        one, two = reported(clause[:second.start()]), reported(clause[second.end():])
        if one and two and one[0].endswith("?") and two[0].endswith("?"):
            return f"{one[0][:-1]}, and {two[0][:1].lower()}{two[0][1:]}", one[1] and two[1]
    if clause.endswith("?"):
        return _finish(clause), True
    words = clause.split(" ")
    first = words[0].lower()
    if first == "to" and len(words) >= 2:
        return _finish(" ".join(_swap_pronouns(words[1:])), "."), True
    if first == "about" and len(words) >= 2:
        return _finish("Tell me about " + " ".join(words[1:]), "."), True
    if first in _YES_NO:
        question = _invert([], words[1:])
        return (question, True) if question else None
    if first in _WH:
        you_at = next((i for i, w in enumerate(words[1:6], start=1) if _split_you(w)), None)
        if you_at is not None:
            question = _invert(words[:you_at], words[you_at:])
            if question:
                return question, True
        return _finish(clause), True  # "what motivates you", "why this firm"
    return None


def implied(heading: str) -> tuple[str, bool] | None:
    """The question a heading stands for, and whether the wording is sure; None when the
    heading does not name a question."""
    text = re.sub(r"^(?:\d{1,2}[.):]|#\d{1,2})\s*", "", heading.strip()).strip(" :.")
    if not text or not re.search(r"[A-Za-z]{2,}", text):
        return None
    words = text.split()
    first = words[0].lower()
    if text.endswith("?"):
        return text, True
    if _OPENER.match(text):
        return _finish(text, "."), True
    if first in _WH or first in _YES_NO:
        return reported(text)
    if first in ("your", "you"):
        if first == "you" or len(words) < 2:
            return None
        plural = _plural(text)
        return _finish(f"What {'are' if plural else 'is'} {text[:1].lower()}{text[1:]}"), True
    if first.endswith("ing") and len(first) > 5 and len(words) >= 2:
        return _finish(f"How do you {base_form(first)} {' '.join(words[1:])}"), True
    if first in ("a", "an", "one", "the", "that") and len(words) >= 3:
        sure = any(_split_you(w) for w in words[1:6]) or words[1].lower() in ("time", "situation", "moment")
        return _finish(f"Tell me about {first} {' '.join(words[1:])}", "."), sure
    if _SUPERLATIVE.match(first):
        return _finish(f"What is your {text[:1].lower()}{text[1:]}"), True
    if len(words) > 6 or not text[:1].isupper():
        return None
    phrase = text[:1].lower() + text[1:]
    if _plural(text):
        return _finish(f"What are your {phrase}"), False
    return _finish(f"Tell me about {phrase}", "."), False


def _plural(phrase: str) -> bool:
    """Whether a noun phrase's head is plural: "salary expectations", "strengths and weaknesses"."""
    head = _PREPOSITION.split(f" {phrase} ")[0].split()
    if not head:
        return False
    if any(w.lower() == "and" for w in head):
        return True
    last = head[-1].lower().strip(",")
    return last.endswith("s") and not last.endswith(("ss", "us", "is", "ness", "ics"))
