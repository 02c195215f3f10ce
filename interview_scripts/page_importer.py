"""Turn a pasted interview-prep web page into an interview script.

Prep pages come in a handful of shapes: a list of questions followed by a section per
question ("why employers ask this", "answer example"), a single question with headed
sections ("how to structure your answer", "key points", "common mistakes"), or model
answers with the questions stripped out. The importer reads the page line by line with
generic heuristics, builds a script, and reports every line it could not place so the
user can finish the job by hand. The YAML it writes always loads with
``interview_scripts.loader.parse_script``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from interview_scripts import page_sections as sections
from interview_scripts.errors import ScriptError
from interview_scripts.loader import MAX_SCRIPT_BYTES, parse_script
from interview_scripts.page_advice import points_in
from interview_scripts.page_guides import (
    default_guide_in,
    guide_in,
    guide_line,
    split_question_guide,
)
from interview_scripts.page_headings import implied_questions
from interview_scripts.page_lines import PageLine, classify_lines, classify_page
from interview_scripts.page_shapes import prepare
from interview_scripts.page_wording import implied
from interview_scripts.script import InterviewScript

NO_ROLE = "Not stated on the page"
MAX_TEXT = 20_000  # the loader's limit for one text field
MAX_CUE = 200

# "Write your answer to: "...", "Question 3: ...", "Q2. ..." carry the question after a label.
_QUESTION_LABEL = re.compile(
    r"^(?:write your answer to|answer this|question(?:\s*\d+)?|q\s*\d*)\s*[:.)\-–]\s*(?P<q>.+)$", re.I)
# Behavioural and prompt-style questions often end with a full stop rather than '?'.
_IMPERATIVE_OPENER = re.compile(
    r"^(?:tell (?:me|us) about|describe (?:a|an|the|how|what|your|when)|walk (?:me|us) through"
    r"|share (?:a|an|your|how|the)|give (?:me |us )?an example|talk (?:me |us )(?:about|through)|talk through"
    r"|talk about (?:a|an) (?:time|situation|occasion)"
    r"|explain (?:how|why|what|a|your)|can you|could you|would you|please (?:describe|explain|tell))\b",
    re.I)
_BEHAVIOURAL = re.compile(
    r"^(?:tell (?:me|us) about a (?:time|situation)|describe a (?:time|situation)"
    r"|give (?:me |us )?an example|share (?:a|an) (?:specific )?(?:example|time))", re.I)
_FIRST_PERSON = re.compile(
    r"^(?:i|i'm|i've|i'd|my|we|we've|our|in (?:my|a|our) (?:last|previous|past|current)"
    r"|at (?:my|our)|when i|during|as (?:a|the|an)|situation\s*:|context\s*:|yes|absolutely|sure)\b",
    re.I)
_STAR_LABELS = re.compile(r"\bsituation\s*:.*\b(?:task|action)\s*:.*\bresult\s*:", re.I | re.S)
_LABEL_ONLY = re.compile(r"^(?:q|question)\s*#?\s*\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?\s*[:.]?$", re.I)
_FRAMEWORK_HINTS = (
    ("CIRCLES", re.compile(r"\bCIRCLES\b")),
    ("STAR", re.compile(r"\bSTAR\b|\bS\.T\.A\.R\b")),
    ("CAR", re.compile(r"\bCAR (?:method|framework|format|structure)\b|\bC\.A\.R\b")),
)
_BULLET = re.compile(r"^(?:[-–—*•·▪◦●○✓✔✗✘❌×☐☑➤►▸→+>]+|\(?\d{1,2}[.)]|\(?[a-z][.)])\s*", re.I)
_EXAMPLES = re.compile(r"\((?:e\.g\.|eg\.?|for example|such as|like|i\.e\.)[,:]?\s*(?P<items>[^)]+)\)", re.I)
_STOPWORDS = frozenset((
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "at", "by", "from", "your",
    "you", "our", "we", "me", "us", "i", "is", "are", "be", "do", "does", "did", "how", "what", "why",
    "when", "where", "which", "who", "would", "could", "can", "should", "tell", "describe", "about",
    "time", "had", "have", "has", "that", "this", "it", "its", "as", "into", "their", "there", "them",
    "they", "give", "share", "walk", "through", "explain",
))


# How sure the rules are about a page. Each measure is a way a reading goes wrong in
# general, whatever the page: answers left without their question, a question line that
# swallowed its notes, notes that hide further questions, a long stretch of notes with
# nothing picked out of it, most of the page placed nowhere, or only the questions kept
# from a page with much more to say.
LONG_QUESTION_CHARS = 300
BURIED_QUESTIONS = 2        # lines that read as questions inside one question's notes
LONG_NOTES_CHARS = 1_500    # notes this long with no key point or mistake picked out
UNPLACED_SHARE = 0.35       # share of the page's text (site noise aside) placed nowhere
BARE_PAGE_RATIO = 1.0       # text beyond the questions, as a multiple of the questions'


@dataclass(frozen=True)
class Confidence:
    """Whether the rules trust their reading of a page, and why not."""

    doubts: tuple[str, ...] = ()

    @property
    def confident(self) -> bool:
        return not self.doubts

    @property
    def line(self) -> str:
        """One line for a status bar or a terminal."""
        if not self.doubts:
            return "The rules read this page confidently."
        return "The rules are unsure about this page: " + "; ".join(self.doubts) + "."


@dataclass
class ImportResult:
    script: InterviewScript
    yaml_text: str
    unplaced: list[str]
    # The script as the YAML document it was written from, for an editor to start from.
    document: dict[str, object] = field(default_factory=dict)
    confidence: Confidence = field(default_factory=Confidence)
    # Who structured the page: "the rules", or the local model's name.
    read_by: str = "the rules"
    # The shapes the rules read the page as ("a table", "hard-wrapped lines", "a letter",
    # "site chrome"); none for a page the line reader took as it was.
    shapes: tuple[str, ...] = ()

    @property
    def confident(self) -> bool:
        return self.confidence.confident


@dataclass
class _Draft:
    text: str
    placeholder: bool = False
    guidance: list[str] = field(default_factory=list)
    sample: list[str] = field(default_factory=list)
    key_points: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)
    time_guide: str | None = None
    framework: str | None = None


def _normalise(text: str) -> str:
    """Comparable form of a question: lower case, letters and digits only."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _strip_quotes(text: str) -> str:
    text = text.strip()
    pairs = {'"': '"', "“": "”", "'": "'", "‘": "’", "«": "»"}
    while len(text) >= 2 and text[0] in pairs and text[-1] == pairs[text[0]]:
        text = text[1:-1].strip()
    return text


def _strip_bullet(line: str) -> tuple[str, bool]:
    """The line without list markers ("- • ", "✗ ", "3.") and whether it had any."""
    stripped = line
    while True:
        new = _BULLET.sub("", stripped, count=1)
        if new == stripped or not new:
            break
        stripped = new
    return stripped.strip(), stripped != line


def _sentences(text: str) -> int:
    return max(1, len(re.findall(r"[.!?](?:\s|$)", text)))


def _question_text(line: str, in_question_list: bool) -> str | None:
    """The question a line asks, or None when it does not read as one."""
    labelled = _QUESTION_LABEL.match(line)
    if labelled:
        candidate = _strip_quotes(labelled.group("q"))
        if candidate.endswith("?") or _IMPERATIVE_OPENER.match(candidate) or len(candidate) <= 300:
            return candidate
    text, _ = _strip_bullet(line)
    text = _strip_quotes(text)
    if not text or len(text) > 400:
        return None
    if text.endswith("?") and _sentences(text) <= 4:
        # "We have a tight budget. How would you ...?" sets a scene before asking; an
        # answer that ends on a rhetorical question does not address "you".
        if not _FIRST_PERSON.match(text) or re.search(r"\byou(?:r)?\b", text, re.I):
            return text
        return None
    if _FIRST_PERSON.match(text):
        return None
    if _IMPERATIVE_OPENER.match(text) and len(text) <= 300 and _sentences(text) <= 3:
        return text
    # Inside a "questions" list, bare prompts such as "Your biggest professional risk" count
    # too, but not labels, time notes or sentences of prose.
    if (in_question_list and len(text) <= 200 and len(text.split()) >= 3 and not text.endswith(".")
            and ":" not in text and guide_in(text) is None):
        return text
    return None


def _framework_hint(text: str) -> str | None:
    for name, pattern in _FRAMEWORK_HINTS:
        if pattern.search(text):
            return name
    return None


def _is_answer(line: str) -> bool:
    """Prose that reads like a spoken answer: first person, or STAR-labelled."""
    if _STAR_LABELS.search(line):
        return True
    return bool(_FIRST_PERSON.match(_strip_quotes(line))) and (len(line) >= 120 or _sentences(line) >= 2)


def _cues_from(text: str) -> list[str]:
    """Cue phrases from a point's examples: 'Mention X (e.g., a, b, c)' -> a, b, c.

    Hyphenated cues get their spaced and joined spellings too, since a transcript may
    write 'post-mortem' as 'postmortem' or 'post mortem'."""
    cues: list[str] = []
    for match in _EXAMPLES.finditer(text):
        for item in re.split(r",|;|/|\bor\b|\band\b", match.group("items")):
            cue = item.strip(" .").lower()
            if not cue or len(cue) > MAX_CUE:
                continue
            variants = [cue]
            if "-" in cue:
                variants += [cue.replace("-", " "), cue.replace("-", "")]
            for variant in variants:
                if variant not in cues:
                    cues.append(variant)
    return cues


def _slug(text: str, max_words: int = 5) -> str:
    words = [w for w in _normalise(text).split() if w not in _STOPWORDS] or _normalise(text).split()
    return "-".join(words[:max_words])[:60].strip("-") or "question"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


class _PageReader:
    """Reads a page in two passes.

    The first pass decides where each question begins, from the line's marker (``Q:``, a
    heading, "Question 2 of 5", the page's own numbering or bullets) and its words. The
    second assigns every other line to the question above it, by the nearest heading or
    label, so a key point, mistake or answer can never cross into another question."""

    def __init__(self) -> None:
        self.title: str | None = None
        self.description: list[str] = []
        self.drafts: list[_Draft] = []
        self.by_text: dict[str, _Draft] = {}
        self.current: _Draft | None = None
        self.section: str | None = None
        self.list_bulleted = False  # whether the open list used bullet markers
        self.default_guide: str | None = None
        self.default_framework: str | None = None
        self.unplaced: list[str] = []
        self.unplaced_chars = 0  # of lines that are not site noise
        self.page_chars = 0      # every line that is not noise or a separator
        self.question_level = 0   # the Markdown level of the heading that asked the open question
        self.closed = False       # a higher heading ended the questions ("## Final thoughts")
        self.shapes: tuple[str, ...] = ()  # the shapes the page was read as (a table, a letter …)
        self.unsure: set[str] = set()      # questions worded here, not on the page, and not surely

    def read(self, text: str) -> None:
        page = prepare(text, lambda line: _question_text(line, False) is not None)
        self.shapes, self.unsure = page.shapes, set(page.unsure)
        lines = classify_lines(page.lines, page.noise)
        self.page_chars = sum(len(line.text) for line in lines if not (line.noise or line.separator))
        title_index = self._find_title(lines)
        starts = self._find_questions(lines, title_index, {})
        worded, unsure = implied_questions(lines, title_index, starts,
                                           lambda text: _question_text(text, False) is not None, _is_answer)
        self.unsure |= unsure
        if worded:
            starts = self._find_questions(lines, title_index, worded)
        listed_title = bool(self.title and _mentions_questions(self.title))
        self.section = None
        for line in lines:
            if line.index == title_index:
                # "… Interview Questions": what follows the title is a list of questions.
                self.section = sections.QUESTIONS if listed_title else self.section
                continue
            if line.index in starts:
                start = starts[line.index]
                if start is not None:
                    self._add_question(*start)
                    self.question_level = len(line.punct) if line.marker == "heading" else 0
            else:
                self._place(line)

    # ---------------------------------------------------------------- first pass
    def _find_title(self, lines: list[PageLine]) -> int | None:
        """The page's title: among the short lines that open it (noise and questions aside),
        the first that names an interview, or else the first (a site's name may come first)."""
        candidates: list[PageLine] = []
        for line in lines[:12]:
            if line.noise or line.separator:
                continue
            text = line.text
            interview = re.search(r"\binterview", text, re.I) is not None
            if (len(text) <= 80 and not text.endswith((".", "?", "!")) and line.question is None
                    and _question_text(text, False) is None and not line.listed
                    and (interview or sections.section_of(text)[0] not in sections.LIST_SECTIONS + (sections.SAMPLE,))):
                candidates.append(line)
                continue
            break
        if not candidates:
            return None
        title = next((c for c in candidates if re.search(r"\binterview", c.text, re.I)), candidates[0])
        self.title = title.text
        return title.index

    def _find_questions(self, lines: list[PageLine], title_index: int | None, worded: dict[int, str]
                        ) -> dict[int, tuple[str, str | None] | None]:
        """Line index -> (question, guide) for each line that starts a question; None for a
        "Question 3" label whose question is on the next line. ``worded`` holds the headings
        that stand for a question, with the question's words."""
        starts: dict[int, tuple[str, str | None] | None] = {}
        listed_title = bool(self.title and _mentions_questions(self.title))
        section: str | None = None
        style: tuple[str, str] | None = None  # how the page marks its questions
        q_indent = 0
        last_number = 0
        list_style: tuple[str, str] | None = None  # how the open key-point list marks items
        inline_list = False  # the open list was written on its label's line ("Avoid: jargon")
        label_waiting: PageLine | None = None
        for line in lines:
            if line.index == title_index:
                section = sections.QUESTIONS if listed_title else section
                continue
            if line.noise:
                continue
            if line.separator:
                section = None
                continue
            if section in (sections.KEY_POINTS, sections.MISTAKES) and (list_style or inline_list) and not line.listed:
                section = None  # a plain line after a bulleted or one-line list: the page moved on
            if _LABEL_ONLY.match(line.text):
                label_waiting = line  # "Question 3" on a line of its own: the next line asks
                continue
            question = worded.get(line.index) or _question_at(line, section, style, q_indent, last_number,
                                                              list_style)
            if label_waiting is not None:
                question, asked, line = line.text, line, label_waiting
                starts[label_waiting.index] = None
                label_waiting = None
            else:
                asked = line
            if question is not None:
                starts[asked.index] = split_question_guide(question)
                style, q_indent = line.style, line.indent
                last_number = line.number if line.number is not None else last_number
                list_style, inline_list = None, False
                if section != sections.QUESTIONS:
                    section = None
                continue
            kind, inline = sections.section_of(line.text)
            if kind is not None and (inline or not (section in sections.LIST_SECTIONS and line.listed)):
                section = sections.GUIDANCE if kind == sections.FRAMEWORK else kind
                list_style, inline_list = None, bool(inline)
            elif section in sections.LIST_SECTIONS and line.listed:
                list_style = line.style
        return starts


    # --------------------------------------------------------------- second pass
    def _place(self, line: PageLine) -> None:
        if line.noise:
            self.unplaced.append(line.text)  # listed, but not counted against the reading
            return
        if line.separator:
            self.section = None  # '-' rules separate the list from the detail sections
            return
        text = line.text
        kind, inline = sections.section_of(text)
        if (line.marker == "heading" and kind is None and 0 < len(line.punct) < self.question_level
                and self.current is not None):
            self.closed = True  # a part of the page above the questions: none of theirs
        if self.closed:
            self._leave(text)
            return
        # A bulleted line inside a list stays an item even if it reads like a heading
        # ("- Avoid jargon" under "Key points"); "- Avoid: jargon" is a label.
        in_list = self.section in sections.LIST_SECTIONS and self.current is not None and line.listed
        if kind is not None and in_list and not inline:
            kind = None
        if kind is None or kind in (sections.GUIDANCE, sections.FRAMEWORK):
            short = self.section != sections.SAMPLE or len(text.split()) <= 6
            guide = guide_line(text) if short else None
            if guide is not None:
                self._set_guide(guide)
                self._set_framework(sections.framework_named(text))
                return
        if kind is not None:
            self._open_section(kind, inline)
            return
        # Unbulleted lines may still be items: bullets are often lost in copying.
        if (in_list or (self.section in sections.LIST_SECTIONS and self.current is not None
                        and not line.listed)) and self._place_list_item(line):
            return
        if self.section in sections.LIST_SECTIONS:
            self.section = None
        named = sections.framework_named(text)
        if named and len(text.split()) <= 8 and self.section != sections.SAMPLE:
            self._set_framework(named)  # "Use the STAR method."
            return
        self._place_prose(text)

    def _open_section(self, kind: str, inline: str) -> None:
        self.list_bulleted = False
        if kind == sections.FRAMEWORK:
            named = sections.framework_named(inline, labelled=True)
            if named:
                self._set_framework(named)
                return
            kind = sections.GUIDANCE
        self.section = kind
        if not inline:
            return
        if kind in sections.LIST_SECTIONS:
            if self.current is None:
                self._leave(inline)
                return
            for item in sections.split_inline_items(inline):
                self._add_item(item)
            return
        if kind == sections.GUIDANCE and self.current is None:
            self.description.append(inline)
            return
        self._place_prose(inline, from_label=True)

    def _set_guide(self, guide: str) -> None:
        if self.current is None:
            self.default_guide = guide
        else:
            self.current.time_guide = guide

    def _set_framework(self, name: str | None) -> None:
        if name is None:
            return
        if self.current is None:
            self.default_framework = name
        else:
            self.current.framework = name

    def _place_list_item(self, line: PageLine) -> bool:
        assert self.current is not None
        item, bulleted = line.text, line.listed
        # Unbulleted lines may make up a point list (bullets are often lost in copying),
        # but not follow a bulleted one (that is the page moving on).
        if not bulleted and (len(item) > 250 or self.section == sections.FOLLOW_UPS or self.list_bulleted
                             or sections.section_of(item)[0] is not None):
            return False
        self.list_bulleted = self.list_bulleted or bulleted
        self._add_item(item)
        return True

    def _add_item(self, item: str) -> None:
        assert self.current is not None
        if self.section == sections.FOLLOW_UPS:
            self.current.follow_ups.append(_clip(_strip_quotes(item)))
        elif self.section == sections.KEY_POINTS:
            self.current.key_points.append(_clip(item))
        else:
            self.current.mistakes.append(_clip(item))

    def _add_question(self, text: str, guide: str | None) -> None:
        text = _strip_quotes(text)
        key = _normalise(text)
        if not key:
            self._leave(text)
            return
        if key in self.by_text:  # the page lists questions first, then details each one
            self.current = self.by_text[key]
            self.section = None
        else:
            draft = _Draft(text=_clip(text))
            self.drafts.append(draft)
            self.by_text[key] = draft
            self.current = draft
            if self.section != sections.QUESTIONS:
                self.section = None
        self.closed = False
        if guide is not None:
            self.current.time_guide = guide
        self.list_bulleted = False

    def _place_prose(self, line: str, from_label: bool = False) -> None:
        hint = _framework_hint(line)
        current = self.current
        points = points_in(line) if current is not None and self.section in (None, sections.GUIDANCE) else None
        if points and current is not None and not current.placeholder:
            current.key_points.extend(_clip(p) for p in points)  # "Mention PPE, … and asking when unsure."
            return
        if self.section == sections.GUIDANCE and current is not None:
            # Structure advice is often written in the first person ("I would use ...").
            current.guidance.append(line)
            if hint:
                current.framework = hint
            return
        sentence = line.endswith((".", "!", "?", '"', "”"))
        if self.section == sections.SAMPLE and (from_label or len(line) >= 60 or (
                current is not None and sentence and (current.sample or len(line.split()) >= 5))):
            self._add_sample(current or self._orphan(), line)
            return
        if current is None and not _is_answer(line):
            self.description.append(line)
            if self.default_guide is None:
                self.default_guide = default_guide_in(line)
            if hint:
                self.default_framework = hint
            return
        if _is_answer(line):
            # One unlabelled answer per question: a second one belongs to a question the
            # page left out.
            self._add_sample(self._orphan() if current is None or current.sample else current, line)
            self.section = None
            return
        if current is not None and not current.sample and len(line) >= 40:
            current.guidance.append(line)
            if hint:
                current.framework = hint
            return
        self._leave(line)

    def _add_sample(self, draft: _Draft, line: str) -> None:
        draft.sample.append(_strip_quotes(line))
        if _STAR_LABELS.search(line) and not draft.framework:
            draft.framework = "STAR"

    def _orphan(self) -> _Draft:
        """An answer with no question: keep it under a placeholder the user can rename."""
        draft = _Draft(text="", placeholder=True)
        self.drafts.append(draft)
        self.current = draft
        return draft

    def _leave(self, line: str) -> None:
        self.unplaced.append(line)
        self.unplaced_chars += len(line)


_BOLD_LABEL = re.compile(r"^\s*(?:[-*•>]\s+)?(?:\*\*|__)[^*_\n]{1,60}(?::(?:\*\*|__)|(?:\*\*|__):)\s*\S")
def _mentions_questions(title: str) -> bool:
    return re.search(r"\bquestions\b", title, re.I) is not None


def _question_at(line: PageLine, section: str | None, style: tuple[str, str] | None, q_indent: int,
                 last_number: int, list_style: tuple[str, str] | None) -> str | None:
    """The question ``line`` starts, or None. Labels ("Q:", "Question 2 of 5 —") always
    start one; numbered and bulleted lines do when they continue the page's own question
    list (same marker, next number, not indented deeper), or read as a question outside a
    key-point list; plain lines when they read as a question."""
    if line.question is not None:
        bare, guide = split_question_guide(line.question)
        worded = implied(bare) if _question_text(bare, False) is None else None
        if worded is not None and worded[1] and _normalise(worded[0]) != _normalise(bare):
            # "Question 3: Your greatest strength (2 min)" asks "What is your greatest strength?"
            return worded[0] + (f" ({guide})" if guide else "")
        return line.question
    if _BOLD_LABEL.match(line.raw):
        return None  # "**What they're really asking:** can you …?" is a note under a label
    text = line.text
    # Under a "Questions" heading bare prompts count too, but never a section heading
    # ("What they look for"); a real question wins over a heading-like reading
    # ("Tell me about a mistake you made").
    asked = split_question_guide(text)[0]  # "… tickets? (90 seconds)" still ends with '?'
    reads = text if _question_text(asked, False) is not None else None
    if reads is None and section == sections.QUESTIONS and sections.section_of(text)[0] is None:
        reads = _question_text(text, True)
    if line.marker == "heading":
        return reads
    deeper = style is not None and line.indent > q_indent
    in_list = section in sections.LIST_SECTIONS
    if line.marker == "number":
        continues = style == line.style and line.number == last_number + 1 and not deeper
        # The next number in the page's own style starts a question unless the open list
        # numbers its items the same way ("1." questions with "1." key points).
        if continues and (not in_list or reads or list_style != line.style):
            return text
        if in_list or deeper:
            return None
        return reads
    if line.marker == "bullet":
        if in_list:
            same = style == line.style and not deeper and section != sections.FOLLOW_UPS
            return reads if same else None
        return None if deeper and style is not None and style[0] in ("bullet", "number") else reads
    if deeper and style is not None and style[0] != "":
        return None
    if section in (sections.KEY_POINTS, sections.MISTAKES) and list_style is None:
        # An unbulleted list (bullets lost in copying): only a real question ends it.
        return reads if text.endswith("?") else None
    return reads


def _find_role(title: str | None, description: list[str], questions: list[_Draft]) -> str | None:
    name = r"([A-Z][\w/&+\-]*(?: (?:of |and |& )?[A-Z][\w/&+\-]*){0,5})"
    patterns = (
        re.compile(rf"\byour {name} (?:job )?interview"),
        re.compile(rf"\b{name} (?:job )?interview questions", re.I),
        re.compile(rf"\binterview questions (?:for|to ask) (?:an? |the )?{name}", re.I),
        re.compile(rf"\b(?:this|the) {name} (?:role|position|job)\b"),
    )
    texts = [t for t in (title, *description[:3]) if t] + [q.text for q in questions if not q.placeholder]
    for pattern in patterns:
        for text in texts:
            match = pattern.search(text)
            if match and match.group(1).lower() not in ("the", "an", "a"):
                return match.group(1).strip()
    return None


def _placeholder_text(number: int, answer: str) -> str:
    snippet = " ".join(re.sub(r"^(?:situation|context)\s*:\s*", "", answer, flags=re.I).split()[:10])
    return f"Untitled question {number} (the page gave only the answer, which begins: {snippet} …)"


def _meaningful_stem(name: str) -> str | None:
    stem = Path(name).stem
    if re.search(r"[A-Za-z]{3,}", stem) is None:
        return None
    words = [w for w in re.split(r"[\W_]+", stem) if re.fullmatch(r"[A-Za-z]{2,}", w)]
    return " ".join(words).capitalize() if words else None


def _point(text: str) -> str | dict[str, object]:
    cues = _cues_from(text)
    return {"text": text, "cues": cues} if cues else text


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:  # the loader rejects aliases
        return True


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_document(document: dict[str, object]) -> str:
    """YAML text of a script document, written so the loader reads back the same values
    (no aliases, multi-line text as blocks, '1:30' and 'true' kept as text)."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def question_id(text: str, taken: set[str]) -> str:
    """A short id from a question's words, made unique against ``taken`` (which it joins)."""
    base = _slug(text) if text.strip() else "question"
    qid, n = base, 2
    while qid in taken:
        qid, n = f"{base}-{n}", n + 1
    taken.add(qid)
    return qid


def import_page(text: str, name: str) -> ImportResult:
    """Build a script from a pasted page; ``name`` is the page's file name for messages."""
    label = Path(name).name or "page"
    if len(text.encode("utf-8", errors="replace")) > MAX_SCRIPT_BYTES:
        raise ScriptError(f"{label}: the page is over {MAX_SCRIPT_BYTES // 1_000_000} MB; paste only the "
                          "part with the questions")
    reader = _PageReader()
    reader.read(text)
    drafts = [d for d in reader.drafts if d.text or d.sample]
    if not drafts:
        raise ScriptError(f"{label}: found no interview questions or answers; questions should end "
                          "with '?' or start with 'Tell me about', 'Describe', 'Walk me through'")

    notes: list[str] = []
    ids: set[str] = set()
    questions: list[dict[str, object]] = []
    orphan_number = 0
    for index, draft in enumerate(drafts):
        if draft.placeholder:
            orphan_number += 1
            draft.text = _placeholder_text(orphan_number, " ".join(draft.sample))
            base = f"answer-{orphan_number}"
        else:
            base = _slug(draft.text)
        qid, n = base, 2
        while qid in ids:
            qid, n = f"{base}-{n}", n + 1
        ids.add(qid)
        if draft.placeholder:
            notes.append(f"note: questions[{index}] ({qid}) is an answer the page gave without its question; "
                         "replace the placeholder text with the question it answers")
        if draft.framework is None and _BEHAVIOURAL.match(draft.text):
            draft.framework = "STAR"
        entry: dict[str, object] = {"id": qid, "text": draft.text}
        if draft.time_guide:
            entry["time_guide"] = draft.time_guide
        if draft.framework:
            entry["framework"] = draft.framework
        if draft.guidance:
            entry["guidance"] = _clip("\n\n".join(draft.guidance))
        if draft.key_points:
            entry["key_points"] = [_point(p) for p in draft.key_points]
        if draft.mistakes:
            entry["mistakes"] = [_point(m) for m in draft.mistakes]
        if draft.sample:
            entry["sample_answer"] = _clip("\n\n".join(draft.sample))
        if draft.follow_ups:
            entry["follow_ups"] = list(draft.follow_ups)
        questions.append(entry)

    role = _find_role(reader.title, reader.description, drafts)
    title = reader.title or (f"{role} interview" if role else None) or _meaningful_stem(label)
    if not title:
        first = next((d.text for d in drafts if not d.placeholder), drafts[0].text)
        words = first.split()
        title = "Interview question: " + " ".join(words[:8]) + (" …" if len(words) > 8 else "")
    if not any(d.time_guide for d in drafts) and not reader.default_guide:
        notes.append("note: the page gave no time guide; add 'defaults: time_guide: 2-3 min' or one per question")

    document: dict[str, object] = {
        "title": _clip(title),
        "role": _clip(role or NO_ROLE),
    }
    if reader.description:
        document["description"] = "\n\n".join(reader.description)
    document["source"] = f"Imported from the interview-prep page {label}"
    defaults = {k: v for k, v in (("time_guide", reader.default_guide),
                                  ("framework", reader.default_framework)) if v}
    if defaults:
        document["defaults"] = defaults
    document["questions"] = questions

    script_id = "-".join(_normalise(title).split()[:8])[:60].strip("-") or "imported-script"
    header = (f"# Interview script imported from {label} by 'greenroom scripts import'.\n"
              "# Check the questions and sample answers; the format is described in "
              "interview_scripts/README.md.\n")
    yaml_text = header + dump_document(document)
    script = parse_script(yaml_text, name=f"{script_id}.yaml")  # proves the round trip

    unplaced = _summarise_unplaced(reader.unplaced) + notes
    return ImportResult(script=script, yaml_text=yaml_text, unplaced=unplaced, document=document,
                        confidence=_assess(reader, drafts), shapes=reader.shapes)


def _assess(reader: _PageReader, drafts: list[_Draft]) -> Confidence:
    """The doubts about a reading, each in a few words; none means the rules are sure."""
    doubts: list[str] = []
    orphans = sum(1 for d in drafts if d.placeholder)
    if orphans:
        doubts.append(f"{orphans} answer{'s' if orphans != 1 else ''} came without "
                      f"{'their question' if orphans != 1 else 'its question'}")
    asked = [(n, d) for n, d in enumerate(drafts, start=1) if not d.placeholder]
    guessed = [n for n, d in asked if d.text in reader.unsure]
    if guessed:
        doubts.append(f"{_which(guessed)} {'was' if len(guessed) == 1 else 'were'} worded from a heading "
                      "that does not ask a question")
    long_ones = [n for n, d in asked if len(d.text) > LONG_QUESTION_CHARS]
    if long_ones:
        doubts.append(f"{_which(long_ones)} {'runs' if len(long_ones) == 1 else 'run'} over "
                      f"{LONG_QUESTION_CHARS} characters, so notes may be in the question")
    buried = [n for n, d in asked
              if sum(1 for line in d.guidance + d.sample
                     if line.rstrip().endswith("?") and _question_text(line, False)) >= BURIED_QUESTIONS]
    if buried:
        doubts.append(f"the notes of {_which(buried)} hold lines that read as questions")
    unpicked = [n for n, d in asked if not (d.key_points or d.mistakes)
                and sum(len(g) for g in d.guidance) > LONG_NOTES_CHARS]
    if unpicked:
        doubts.append(f"{_which(unpicked)} got long notes with no key point picked out")
    if reader.page_chars and reader.unplaced_chars / reader.page_chars > UNPLACED_SHARE:
        share = round(100 * reader.unplaced_chars / reader.page_chars)
        doubts.append(f"{share}% of the page's text could not be placed")
    detailed = any(d.key_points or d.mistakes or d.guidance or d.sample or d.follow_ups for d in drafts)
    question_chars = sum(len(d.text) for _, d in asked)
    beyond = reader.page_chars - question_chars
    if not detailed and question_chars and beyond > BARE_PAGE_RATIO * question_chars:
        doubts.append("no question got key points, notes or a sample answer, though the page "
                      "says more than its questions")
    return Confidence(tuple(doubts))


def _which(numbers: list[int]) -> str:
    """'question 3' or 'questions 2, 5, 7 and 4 more'."""
    shown = ", ".join(str(n) for n in numbers[:4])
    more = f" and {len(numbers) - 4} more" if len(numbers) > 4 else ""
    return f"question{'s' if len(numbers) != 1 else ''} {shown}{more}"


def structured_result(page: str, name: str, *, title: str, role: str,
                      questions: list[dict[str, object]], read_by: str,
                      notes: list[str] | None = None) -> ImportResult:
    """An import built from a page already split into questions elsewhere (the local model).

    Each question is a dict with ``text`` and optionally ``time_guide``, ``framework``,
    ``guidance``, ``key_points``, ``mistakes`` (lists of text), ``sample_answer`` and
    ``follow_ups``. The result has the same shape as ``import_page``'s: ids made from the
    words, cue words from a point's examples, texts clipped to the loader's limits, the
    YAML checked by the loader, and the page lines that landed in no field listed."""
    label = Path(name).name or "page"
    ids: set[str] = set()
    entries: list[dict[str, object]] = []
    for question in questions:
        text = _clip(str(question.get("text", "")).strip())
        if not text:
            continue
        entry: dict[str, object] = {"id": question_id(text, ids), "text": text}
        for key in ("time_guide", "framework", "guidance", "sample_answer"):
            value = str(question.get(key) or "").strip()
            if value:
                entry[key] = _clip(value)
        for key in ("key_points", "mistakes"):
            items = [_clip(str(i).strip()) for i in question.get(key) or [] if str(i).strip()]  # type: ignore[attr-defined]
            if items:
                entry[key] = [_point(i) for i in items]
        follow = [_clip(str(i).strip()) for i in question.get("follow_ups") or [] if str(i).strip()]  # type: ignore[attr-defined]
        if follow:
            entry["follow_ups"] = follow
        entries.append(entry)
    if not entries:
        raise ScriptError(f"{label}: no question to write")
    document: dict[str, object] = {"title": _clip(title.strip() or _meaningful_stem(label) or "Imported interview"),
                                   "role": _clip(role.strip() or NO_ROLE),
                                   "source": f"Imported from the interview-prep page {label}",
                                   "questions": entries}
    script_id = "-".join(_normalise(str(document["title"])).split()[:8])[:60].strip("-") or "imported-script"
    header = (f"# Interview script imported from {label} by 'greenroom scripts import', structured\n"
              f"# by {read_by}. Check every question against the page; the format is described in\n"
              "# interview_scripts/README.md.\n")
    yaml_text = header + dump_document(document)
    script = parse_script(yaml_text, name=f"{script_id}.yaml")
    unplaced = _summarise_unplaced(_left_out(page, document)) + list(notes or [])
    return ImportResult(script=script, yaml_text=yaml_text, unplaced=unplaced, document=document,
                        read_by=read_by)


def _left_out(page: str, document: dict[str, object]) -> list[str]:
    """Page lines whose words appear in no field of the document (headings aside)."""
    found: list[str] = [str(document.get("title", "")), str(document.get("role", ""))]

    def gather(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                gather(item)
        elif isinstance(value, list):
            for item in value:
                gather(item)
        else:
            found.append(str(value))

    gather(document.get("questions"))
    placed = " " + " ".join(_normalise(f) for f in found) + " "
    placed_words = set(content_words(placed))
    left: list[str] = []
    for line in classify_page(page):
        if line.separator:
            continue
        kind, inline = sections.section_of(line.text)
        if kind is not None and not inline:
            continue  # a heading such as "Key points:" is structure, not content
        key = _normalise(_strip_bullet(line.text)[0])
        if key and f" {key} " not in placed and word_share(line.text, placed_words) < MOSTLY:
            left.append(line.text)
    return left


MOSTLY = 0.75  # the share of a text's words that must be found for the text to count as found


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry its meaning, cut to a short stem so that 'recover',
    'recovers' and 'recovery' are one word."""
    return [w[:6] for w in _normalise(text).split() if len(w) >= 3 and w not in _STOPWORDS]


def word_share(text: str, words: set[str]) -> float:
    """The share of ``text``'s meaning words found in ``words`` (1.0 when it has none)."""
    own = content_words(text)
    return sum(1 for w in own if w in words) / len(own) if own else 1.0


def _summarise_unplaced(lines: list[str]) -> list[str]:
    """Each unplaced line once, with a count when a page repeats it (e.g. footers)."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    return [line if n == 1 else f"{line} (×{n})" for line, n in counts.items()]
