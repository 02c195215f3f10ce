"""One line of a pasted prep page, with its list marker, heading level and label told apart.

The importer decides where questions begin from the shape of a line (a Markdown heading,
``Q:``, "Question 2 of 5 —", "3.", "•") as much as from its words, so this module strips
the marker off each line and keeps it. It also recognises site noise: menus, adverts,
sign-up prompts and cookie banners, which a copied web page is full of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<rest>.*?)\s*#*\s*$")
_NUMBERED = re.compile(r"^\(?(?P<n>\d{1,3})(?P<p>[.)])\s+(?=\S)")
# ASCII markers need a space after them, so "*emphasis*" and "-5%" stay text.
_BULLET = re.compile(r"^(?:(?P<b>[•·▪◦●○✓✔✗✘❌×☐☑➤►▸→])\s*|(?P<a>[-–—*+])\s+)")
_LETTERED = re.compile(r"^\(?[a-h][.)]\s+(?=\S)")
# "Q:", "Q1.", "Q 2)", "Question:", "Question 3 -", "Question 1 of 4 —", "Write your answer to:".
_QUESTION_LABEL = re.compile(
    r"^(?:write your answer to|answer this|(?:q|question)\s*#?\s*(?P<n>\d{1,3})?(?:\s*(?:of|/)\s*\d{1,3})?)"
    r"\s*(?:[:.)]|\s[-–—]+)\s*(?P<q>\S.*)$"
    r"|^(?:q|question)\s*#?\s*(?P<m>\d{1,3})\s+(?P<p>[A-Z\"“‘'].*)$", re.I)  # "Q1 Tell us about …"
SEPARATOR = re.compile(r"^[\s\-–—_=~*•·/|.#]*$")

_NOISE = re.compile(
    r"^(?:advertisement|advert|sponsored(?: content)?|ad|ads|promoted|skip to (?:main )?content|menu"
    r"|home|back to top|next|previous|print|share|search|open menu|close menu)$"
    r"|\bsign (?:up|in)\b|\blog ?in\b|\bsubscribe\b|\bnewsletter\b|\bcookies?\b|\baccept all\b"
    r"|\bshare (?:on|this|via)\b|\brelated (?:articles?|jobs?|posts?|questions?|content)\b"
    r"|\bread more\b|\bclick here\b|©|\bcopyright\b|\ball rights reserved\b|\bwas this (?:helpful|useful)\b"
    r"|\bprivacy policy\b|\bterms (?:of|and) (?:use|service|conditions)\b|\bmin(?:ute)? read\b"
    r"|\bfollow us\b|\bdownload (?:our|the) app\b|\bcreate (?:a |an )?(?:free )?account\b|\bjoin (?:now|free|us)\b"
    r"|\bjob alerts?\b|\bupgrade to\b|\bfree trial\b|\$\d+(?:\.\d\d)?\s*/\s*(?:mo|month|year)\b",
    re.I)
NOISE_MAX_WORDS = 14


@dataclass(frozen=True)
class PageLine:
    """A non-blank line: ``text`` is its words without markers or Markdown emphasis."""

    index: int
    raw: str
    text: str
    indent: int
    marker: str = ""          # "", "heading", "label", "number", "bullet"
    punct: str = ""           # "." or ")" for numbers, the bullet character, a heading's "##"
    number: int | None = None
    question: str | None = None  # the question after a "Q:"-style label
    noise: bool = False
    separator: bool = False

    @property
    def listed(self) -> bool:
        return self.marker in ("number", "bullet")

    @property
    def style(self) -> tuple[str, str]:
        """What marks the line, for telling questions from the lists inside them."""
        return self.marker, self.punct


def _strip_emphasis(text: str) -> str:
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"^([*_])([^*_]{1,60}?)\1(?=[\s:]|$)", r"\2", text)  # "*How I'd answer:* …"
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "*_`":
        text = text[1:-1]
    return text.strip()


def _is_menu(raw: str) -> bool:
    """'Jobs | Companies | Salaries' or words spaced apart by a copied navigation bar."""
    parts = [p for p in re.split(r"\s*\|\s*|\s{3,}|\t+|\s+·\s+", raw.strip()) if p]
    return (len(parts) >= 3 and all(len(p.split()) <= 3 for p in parts)
            and not re.search(r"[?.!]$", raw.strip()))


def is_noise(text: str, raw: str = "") -> bool:
    if len(text.split()) > NOISE_MAX_WORDS:
        return False
    return bool(_NOISE.search(text)) or _is_menu(raw or text)


def classify(index: int, raw: str, noise_known: bool = False) -> PageLine | None:
    """The line with its marker told apart; None for a blank line. ``noise_known`` marks a
    line a shape reader found to be the page's frame (site chrome, page furniture)."""
    expanded = raw.expandtabs(4).rstrip()
    if not expanded.strip():
        return None
    indent = len(expanded) - len(expanded.lstrip())
    text = " ".join(expanded.split())
    if noise_known:  # listed as the page wrote it, less Markdown's heading marks and emphasis
        heading = _HEADING.match(text)
        return PageLine(index, raw, _strip_emphasis(heading.group("rest") if heading else text), indent, noise=True)
    if SEPARATOR.match(text):
        return PageLine(index, raw, text, indent, separator=True)
    noise = is_noise(text, expanded)
    marker, punct, number = "", "", None
    heading = _HEADING.match(text)
    if heading:
        marker, punct, text = "heading", heading.group("hashes"), heading.group("rest")
        numbered = _NUMBERED.match(text)  # "## 3. Why …": the number is the page's, not the question's
        if numbered:
            number, text = int(numbered.group("n")), text[numbered.end():]
    else:
        while text.startswith(">"):  # quoted Markdown
            text = text[1:].lstrip()
        numbered = _NUMBERED.match(text)
        if numbered:
            marker, punct, number = "number", numbered.group("p"), int(numbered.group("n"))
            text = text[numbered.end():]
        else:
            bullet = _BULLET.match(text)
            if bullet and len(text) > bullet.end():
                marker, punct = "bullet", bullet.group("b") or bullet.group("a")
                text = text[bullet.end():]
            elif _LETTERED.match(text):
                marker, punct = "bullet", "a"
                text = text[_LETTERED.match(text).end():]  # type: ignore[union-attr]
        # Copied lists often double their markers ("- • Point", "1. ✓ Point").
        while (extra := _BULLET.match(text)) and len(text) > extra.end():
            text = text[extra.end():]
    text = _strip_emphasis(text)
    if not text:
        return PageLine(index, raw, text, indent, separator=True)
    question = None
    labelled = _QUESTION_LABEL.match(text)
    if labelled and (labelled.group("q") or not labelled.group("p")[:1].islower()):
        question = _strip_emphasis(labelled.group("q") or labelled.group("p"))
        label_number = labelled.group("n") or labelled.group("m")
        if label_number and number is None:
            number = int(label_number)
    return PageLine(index, raw, text, indent, marker, punct, number, question, noise and not question)


def classify_page(text: str) -> list[PageLine]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return classify_lines(lines)


def classify_lines(lines: list[str], noise: frozenset[int] = frozenset()) -> list[PageLine]:
    """The non-blank lines classified, those in ``noise`` marked as noise whatever they say."""
    return [line for i, raw in enumerate(lines) if (line := classify(i, raw, i in noise)) is not None]
