"""Which field of a question a page's heading or label opens.

Pages name the same part of a question in many ways: "Key points", "Hit these points",
"What they look for", "Look for"; "Avoid", "Common mistakes", "Red flags"; "A:",
"Sample answer", "Answer example". ``section_of`` maps a short heading, or the label of a
"Label: content" line, onto the field it fills, and hands back the content after the label.
"""

from __future__ import annotations

import re

KEY_POINTS, MISTAKES, SAMPLE, FOLLOW_UPS, GUIDANCE, FRAMEWORK, QUESTIONS = (
    "key_points", "mistakes", "sample", "follow_ups", "guidance", "framework", "questions")
LIST_SECTIONS = (KEY_POINTS, MISTAKES, FOLLOW_UPS)

_LISTENERS = r"(?:they|we|interviewers?|employers?|recruiters?|hiring managers?|the panel|you)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (FOLLOW_UPS, re.compile(r"\bfollow[- ]?ups?\b|\bthey may (?:also )?ask\b", re.I)),
    (MISTAKES, re.compile(
        r"\bmistakes?\b|\bpitfalls?\b|\bred flags?\b|\bwhat (?:not )?to avoid\b|\bthings to avoid\b"
        r"|\bdon'?ts\b|\bdo not\b|\bavoid(?:ing)?\b|\bwatch out\b|\btraps?\b|\bwhat not to say\b"
        r"|\bweak answers?\b|\bbad answers?\b", re.I)),
    (KEY_POINTS, re.compile(
        r"\bkey (?:points?|takeaways?|things|elements|ideas)\b|\bpoints? to (?:mention|cover|include|make|hit)\b"
        r"|\bhit these(?: points)?\b|\btalking points\b|\bwhat to (?:mention|include|cover|say)\b"
        r"|\bmust[- ]mention\b|\bmust[- ]haves?\b|\bchecklist\b|^(?:include|mention|cover)(?: these)?$"
        rf"|\b(?:what )?{_LISTENERS}(?:'re| are| will| would| should)? (?:wants? to hear|(?:look|listen)(?:s|ing)? for)\b"
        r"|^(?:look|listen)(?:ing)? for\b|\bstrong answers? (?:include|mention|cover)s?\b"
        r"|\bwhat a (?:good|strong|great) answer (?:includes|covers|has)\b", re.I)),
    (SAMPLE, re.compile(
        r"\b(?:sample|example|model|good|strong|ideal|suggested|possible|great) (?:answers?|responses?)\b"
        r"|\banswer example\b|\bhow (?:i|you)(?: would|'d|’d| might| could) answer\b|^(?:a|answer|my answer|response|example)$",
        re.I)),
    (FRAMEWORK, re.compile(r"^(?:framework|method|structure|format|use)$", re.I)),
    (GUIDANCE, re.compile(
        r"\bhow to (?:structure|answer|approach|respond)\b|\bstructur\w* (?:your|the|an) answer\b"
        r"|\b(?:answer )?(?:structure|framework|approach|tips?|guidance|advice)\b"
        rf"|\bwhy {_LISTENERS} ask\b|\bwhy (?:this|it) (?:is asked|matters)\b"
        r"|\bwhat (?:the )?interviewers? (?:wants?|is trying) to (?:know|learn|find out)\b", re.I)),
    (QUESTIONS, re.compile(r"\bquestions?\b", re.I)),
)
_FRAMEWORK_NAMES = (
    ("CIRCLES", re.compile(r"\bCIRCLES\b")),
    ("STAR", re.compile(r"\bSTAR\b|\bS\.T\.A\.R\.?")),
    ("CAR", re.compile(r"\bCAR\b(?= (?:method|framework|format|structure))|\bC\.A\.R\.?|^CAR$")),
)


def section_of(text: str) -> tuple[str | None, str]:
    """(field, content after the label) when ``text`` is a heading or a "Label: content"
    line; (None, "") otherwise. Sentences are never headings."""
    label, sep, rest = text.partition(":")
    label = label.strip()
    first_person = re.match(r"(?:i|we|my|our)\b", label, re.I) is not None  # "I follow the X framework:"
    if sep and 0 < len(label) <= 48 and len(label.split()) <= 7 and not first_person:
        for kind, pattern in _PATTERNS:
            if kind != QUESTIONS and pattern.search(label):
                return kind, rest.strip()
    bare = text.rstrip(":").strip()
    if (len(bare) <= 60 and len(bare.split()) <= 8 and not bare.endswith((".", "?", "!", '"', "”"))
            and not (sep and rest.strip())):
        for kind, pattern in _PATTERNS:
            if pattern.search(bare):
                return kind, ""
    return None, ""


def framework_named(text: str, labelled: bool = False) -> str | None:
    """A built-in framework the text names ("use the STAR method"); with ``labelled`` the
    text is a framework field's value, where lower case counts too ("framework: star")."""
    if labelled:
        word = text.strip().strip(".").split(" ")[0].upper() if text.strip() else ""
        if word in ("STAR", "CAR", "CIRCLES", "NONE"):
            return word if word != "NONE" else "none"
    for name, pattern in _FRAMEWORK_NAMES:
        if pattern.search(text):
            return name
    return None


def split_inline_items(content: str) -> list[str]:
    """The items of a list written on one line: "a; b; c", or "a, b, c" when every part is
    short. A sentence with commas in it stays whole ("Say what you did, not what we did")."""
    content = content.strip().rstrip(".")
    if ";" in content:
        return [p.strip() for p in content.split(";") if p.strip()]
    if "(" in content:
        return [content]
    parts = [p.strip() for p in content.split(",") if p.strip()]
    if len(parts) >= 3:  # "a, b, and c": the last item's "and" only closes the list
        parts[-1] = re.sub(r"^(?:and|or)\s+", "", parts[-1], flags=re.I)
    joiners = re.compile(r"^(?:not|but|and|or|which|so|because|then|while|e\.g|i\.e)\b", re.I)
    if len(parts) >= 2 and all(len(p.split()) <= 6 for p in parts) and not any(
            joiners.match(p) for p in parts[1:]):
        return parts
    return [content]
