"""Text copied out of a PDF or a plain-text email: hard-wrapped lines put back together.

A PDF breaks every paragraph at the page's width, splits long words with a hyphen at a line
end ("exam-" / "ple"), and puts page numbers and running headers between the pieces when a
paragraph crosses a page. The line reader expects one question per line, so this module
first decides from the page itself whether it was hard-wrapped, then joins the pieces:

- the evidence is a page's line lengths and punctuation: lines that stop near the page's
  usual width without ending a sentence, followed by a line that starts in lower case or
  carries on a hyphenated word. Two such breaks make a wrapped page; a web page pasted with
  one paragraph per line has none;
- a line joins the next when it reached the margin (or stopped on a hyphen, a comma, or a
  word that cannot end a sentence) and the next line carries no marker of its own (number,
  bullet, heading, "Q:" or a label such as "Key points:");
- page numbers ("12", "Page 3 of 10", "– 4 –") and lines repeated page after page (digits
  aside) are page furniture: they are taken out of the text, kept for the list of lines the
  import left out, and do not stop a paragraph from joining across the page break.
"""

from __future__ import annotations

import re
from collections import Counter

from interview_scripts import page_sections as sections
from interview_scripts.page_guides import guide_line
from interview_scripts.page_lines import classify

_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|pg\.?)\s*)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?$"
    r"|^[-–—]\s*\d{1,3}\s*[-–—]$"
    r"|^\d{1,3}\s+[|·•]\s+\S.{0,70}$|^\S.{0,70}\s[|·•]\s+(?:page\s+)?\d{1,3}$"
    r"|^\S.{0,70}\s{2,}(?:page\s+)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?$",
    re.I)
_TERMINAL = re.compile(r"[.?!:]['\"”’)\]]*$")
_HYPHENATED = re.compile(r"[A-Za-z]{2,}-$")
# Words a sentence does not end on: a line that stops on one was cut by the margin.
_OPEN_END = re.compile(
    r"\b(?:the|a|an|and|or|but|of|to|in|on|at|for|with|from|by|your|you|their|our|my|that|which"
    r"|who|when|how|what|why|where|if|as|into|about|than|is|are|was|were|be|been|have|has|had"
    r"|would|could|should|will|can|do|did|this|these|those|not|so|because|while)$", re.I)
# Left halves of words that keep their hyphen when a line breaks after them.
_COMPOUND_LEFT = frozenset((
    "self", "well", "cross", "follow", "long", "short", "full", "part", "half", "high", "low", "real",
    "one", "two", "three", "first", "time", "hands", "face", "front", "end", "on", "off", "day",
    "week", "year", "month", "hour", "decision", "problem", "customer", "client", "patient", "team",
    "fast", "open", "check", "sign", "log", "non", "up", "out", "hand", "data", "case", "must",
))
MIN_BREAKS = 2          # wrapped-looking breaks that make a page count as hard-wrapped
FULL_SHARE = 0.6        # a line this share of the page's width or more reached the margin
MAX_WRAP_WIDTH = 140    # wider lines are a web page's paragraphs, not a wrapped page
BLOCK_LINES = 8         # a page with a blank line every this many lines or fewer spaces its paragraphs


def _page_width(lengths: list[int]) -> int:
    """The page's usual full-line width: a high percentile, so one long stray line (a link,
    an unwrapped heading) does not set it."""
    ordered = sorted(lengths)
    return ordered[int(0.9 * (len(ordered) - 1))] if len(ordered) >= 10 else ordered[-1]


def _marked(text: str) -> bool:
    """Whether a line starts something of its own: a list item, heading, label or section."""
    line = classify(0, text)
    if line is None or line.separator:
        return True
    if line.marker or line.question is not None:
        return True
    if text.lstrip()[:1].islower():
        return False
    return sections.section_of(line.text)[0] is not None or (
        guide_line(line.text) is not None and len(line.text.split()) <= 6)


def _furniture(lines: list[str]) -> set[int]:
    """Page numbers, and headers or footers repeated on every page (digits aside)."""
    out = {i for i, line in enumerate(lines) if _PAGE_NUMBER.match(line.strip())}
    keys = [re.sub(r"\d+", "#", " ".join(line.lower().split())) for line in lines]
    counts = Counter(k for k in keys if k)
    first_content = [i for i, line in enumerate(lines) if line.strip()][:3]
    for i, key in enumerate(keys):
        text = lines[i].strip()
        if (counts[key] >= 2 and key and len(text.split()) <= 14 and not _TERMINAL.search(text)
                and not _marked(text) and i not in first_content):
            out.add(i)
    return out


def _continues(prev: str, nxt: str, width: int, blocks: bool) -> bool:
    """Whether ``nxt`` carries on the paragraph that ``prev`` (one printed line) broke off.
    ``blocks``: the page sets its paragraphs apart with blank lines, so a full line that
    ends a sentence is followed by more of the same paragraph, not by a new one."""
    prev, nxt = prev.rstrip(), nxt.strip()
    if not prev or not nxt or _marked(nxt):
        return False
    starts_low = nxt[:1].islower() or nxt[:1].isdigit() or nxt[:1] in "(&"
    if _HYPHENATED.search(prev):
        return nxt[:1].isalpha()
    if _TERMINAL.search(prev):
        if prev.endswith(("?", ":")):
            return False  # a question or a label ends where it ends
        return starts_low or (blocks and len(prev) + 1 + len(nxt.split()[0]) > width)
    cut = len(prev) >= FULL_SHARE * width or prev.endswith((",", ";", "(", "—", "–")) or bool(
        _OPEN_END.search(prev))
    return cut and (starts_low or len(prev) >= 0.8 * width)


def _dehyphenate(prev: str, nxt: str, page: set[str]) -> str:
    """'exam-' + 'ple …' → 'example …'; 'follow-' + 'up …' keeps its hyphen."""
    left = re.search(r"([A-Za-z]+)-$", prev[-40:])  # only the end: ``prev`` may be a long paragraph
    right = re.match(r"([A-Za-z]+)", nxt)
    assert left is not None and right is not None
    whole = left.group(1) + right.group(1)
    keep = (prev[-40:].endswith(f"-{left.group(1)}-")  # "one-to-" / "one": a compound already
            or f"{left.group(1)}-{right.group(1)}".lower() in page
            or (left.group(1).lower() in _COMPOUND_LEFT and whole.lower() not in page)
            or right.group(1)[:1].isupper())
    return prev + nxt if keep else prev[:-1] + nxt


def _breaks(lines: list[str], furniture: set[int], width: int) -> int:
    """How many line ends look like a margin cut: no sentence end, then lower case or a
    hyphenated word carried over."""
    content = [line for i, line in enumerate(lines) if i not in furniture]
    count = 0
    for prev, nxt in zip(content, content[1:], strict=False):
        prev = prev.rstrip()
        low = nxt.strip()[:1].islower()
        # A sentence does not end on "to" or a comma, whatever the case of the next line.
        open_end = bool(_OPEN_END.search(prev)) or prev.endswith((",", ";"))
        if not prev or not nxt.strip() or not (low or open_end) or _marked(nxt):
            continue
        hyphen = bool(_HYPHENATED.search(prev))
        cut = not _TERMINAL.search(prev) and len(prev) >= FULL_SHARE * width
        count += hyphen or cut
    return count


def unwrap(lines: list[str]) -> list[tuple[str, bool]] | None:
    """The page's lines with wrapped paragraphs joined, each with whether it is page
    furniture; None when the page was not hard-wrapped (it is then left as it is)."""
    lengths = [len(line.strip()) for line in lines if line.strip()]
    if len(lengths) < 3:
        return None
    page_numbers = sum(1 for line in lines if _PAGE_NUMBER.match(line.strip()))
    furniture = _furniture(lines) if page_numbers else set()
    width = _page_width([len(line.strip()) for i, line in enumerate(lines)
                         if line.strip() and i not in furniture])
    if width > MAX_WRAP_WIDTH or _breaks(lines, furniture, width) < MIN_BREAKS:
        return None
    if not furniture:
        furniture = _furniture(lines)
    content = [i for i, line in enumerate(lines) if line.strip() and i not in furniture]
    gaps = sum(1 for a, b in zip(content, content[1:], strict=False)
               if any(not lines[k].strip() for k in range(a + 1, b)) and not furniture.intersection(range(a + 1, b)))
    blocks = gaps >= MIN_BREAKS and gaps * BLOCK_LINES >= len(content)
    page = set(re.findall(r"[a-z]+(?:-[a-z]+)*", " ".join(lines).lower()))  # the page's own spellings
    out: list[tuple[str, bool]] = []
    pending: list[str] = []          # furniture met inside the paragraph being joined
    current: str | None = None       # the joined paragraph so far
    last_piece = ""                  # its last printed line, whose length shows a margin cut
    gap = False                      # a blank line since the last piece
    page_break = False               # furniture since the last piece
    for i, raw in enumerate(lines):
        if i in furniture:
            pending.append(raw.strip())
            gap, page_break = False, True  # a page break is not the end of a paragraph
            continue
        if not raw.strip():
            gap = gap or not page_break    # nor are the blank lines around a page number
            continue
        if current is not None and not gap and _continues(last_piece, raw, width, blocks):
            nxt = raw.strip()
            current = (_dehyphenate(current, nxt, page) if _HYPHENATED.search(last_piece.rstrip())
                       else f"{current} {nxt}")
        else:
            if current is not None:
                out.append((current, False))
                if gap:
                    out.append(("", False))
            out.extend((p, True) for p in pending)
            pending = []
            current = raw.rstrip()
        last_piece = raw
        gap = page_break = False
    if current is not None:
        out.append((current, False))
    out.extend((p, True) for p in pending)
    return out
