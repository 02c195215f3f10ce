"""Finding a question in every interview: browse by role, level and kind, and search.

The pick screen and ``greenroom scripts search`` share this module, so both find the same
questions in the same order. It works on scripts already loaded; loading them is the
caller's (the window does it off the GUI thread).

Words are matched at the start of a word, with case and accents ignored: "manag" finds
"manager" and "management", "art" does not find "start", "resume" finds "résumé". Every
word of a search must be found somewhere in the question or its interview; where it is
found decides the score (see ``FIELD_WEIGHTS``).

A level filter is a candidate's level: "senior" shows the questions written for senior
candidates and those that suit every level (``any``), and leaves out entry and mid ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.errors import GreenroomError
from interview_scripts.catalogue import ScriptFolders, discover_scripts
from interview_scripts.script import KINDS, LEVELS, InterviewScript, Question

# The levels a candidate can filter by; "any" is a question's level, not a candidate's.
FILTER_LEVELS = tuple(level for level in LEVELS if level != "any")

KIND_LABELS = {
    "opener": "Openers",
    "behavioural": "Behavioural (past stories)",
    "role": "Role knowledge",
    "closer": "Closers",
}
LEVEL_LABELS = {"entry": "Entry level", "mid": "Mid level", "senior": "Senior"}

# Where a word is found, and how much that says about the question. The question's own
# words count most; the interview's role, tags and title only say which interview it is in.
FIELD_WEIGHTS: dict[str, int] = {
    "question": 5,
    "key points": 3,
    "role": 2,
    "tags": 2,
    "title": 2,
    "guidance": 1,
}
# A search of several words, found together in the question's text, ranks above the
# same words found apart.
PHRASE_BONUS = 3

_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower case, accents dropped, punctuation as spaces, with a space at each end so a
    word's start is always " word"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return f" {_NOT_WORD.sub(' ', plain).strip()} "


def search_words(text: str) -> list[str]:
    """The words of a search, normalised, each once, in the order typed."""
    return list(dict.fromkeys(normalise(text).split()))


def _has_word(field: str, word: str) -> bool:
    return f" {word}" in field


@dataclass(frozen=True)
class QuestionFilter:
    """Which questions a browse shows; an empty field leaves that part open.

    ``role`` is matched by words like a search ("nurse" finds "Registered Nurse");
    ``level`` is one of ``FILTER_LEVELS`` ("any", like "", shows every level);
    ``kind`` is one of ``interview_scripts.script.KINDS``.
    """

    role: str = ""
    level: str = ""
    kind: str = ""

    def __post_init__(self) -> None:
        level = self.level.strip().lower()
        kind = self.kind.strip().lower()
        if level == "any":
            level = ""
        if level and level not in FILTER_LEVELS:
            raise GreenroomError(f"unknown level '{self.level}' (choose one of: "
                                 f"{', '.join(FILTER_LEVELS)}, or any)")
        if kind and kind not in KINDS:
            raise GreenroomError(f"unknown kind '{self.kind}' (choose one of: {', '.join(KINDS)})")
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "role", self.role.strip())

    @property
    def is_open(self) -> bool:
        return not (self.role or self.level or self.kind)

    def fits_role(self, script: InterviewScript) -> bool:
        role = normalise(script.role)
        return all(_has_word(role, word) for word in search_words(self.role))

    def fits_question(self, question: Question) -> bool:
        if self.kind and question.kind != self.kind:
            return False
        return not self.level or question.level in (self.level, "any")

    def fits(self, script: InterviewScript, question: Question) -> bool:
        return self.fits_role(script) and self.fits_question(question)

    def questions_of(self, script: InterviewScript) -> list[Question]:
        """The script's questions this filter shows, in script order."""
        if not self.fits_role(script):
            return []
        return [q for q in script.questions if self.fits_question(q)]


@dataclass(frozen=True)
class Found:
    """One question a search found, with its interview and where the words were."""

    script: InterviewScript
    question: Question
    number: int  # the question's 1-based position in its interview
    score: int
    found_in: tuple[str, ...]  # names from FIELD_WEIGHTS, most telling first


@dataclass(frozen=True)
class _Entry:
    script_index: int
    number: int
    question: Question
    fields: tuple[tuple[str, str], ...]  # (field name, normalised text), heaviest first

    @property
    def text(self) -> str:
        return dict(self.fields)["question"]


def _fields(script: InterviewScript, question: Question) -> tuple[tuple[str, str], ...]:
    texts = {
        "question": question.text,
        "key points": " | ".join(k.text for k in question.key_points),
        "role": script.role,
        "tags": " | ".join(script.tags),
        "title": script.title,
        "guidance": question.guidance,
    }
    ordered = sorted(FIELD_WEIGHTS, key=lambda name: -FIELD_WEIGHTS[name])
    return tuple((name, normalise(texts[name])) for name in ordered)


class QuestionIndex:
    """Every question of ``scripts``, ready to browse and search; the scripts keep their
    order (the catalogue's: bundled first), which breaks ties between equal scores."""

    def __init__(self, scripts: Iterable[InterviewScript]) -> None:
        self.scripts: tuple[InterviewScript, ...] = tuple(scripts)
        self._entries = tuple(
            _Entry(s_index, number, question, _fields(script, question))
            for s_index, script in enumerate(self.scripts)
            for number, question in enumerate(script.questions, start=1))

    @property
    def question_count(self) -> int:
        return len(self._entries)

    def roles(self) -> list[str]:
        """Each role once (the first spelling met), sorted as a reader would."""
        seen: dict[str, str] = {}
        for script in self.scripts:
            seen.setdefault(normalise(script.role), script.role)
        return sorted(seen.values(), key=str.casefold)

    def levels(self) -> list[str]:
        """The filter levels some question is written for, in the usual order."""
        present = {e.question.level for e in self._entries}
        return [level for level in FILTER_LEVELS if level in present]

    def kinds(self) -> list[str]:
        present = {e.question.kind for e in self._entries}
        return [kind for kind in KINDS if kind in present]

    def browse(self, flt: QuestionFilter) -> list[tuple[InterviewScript, list[Question]]]:
        """The scripts with at least one question the filter shows, with those questions."""
        shown = ((script, flt.questions_of(script)) for script in self.scripts)
        return [(script, questions) for script, questions in shown if questions]

    def listing(self, flt: QuestionFilter) -> list[Found]:
        """Every question the filter shows, in the catalogue's order, as a search of no
        words would find them (score 0)."""
        return [Found(script, question, number, 0, ())
                for script in self.scripts
                for number, question in enumerate(script.questions, start=1)
                if flt.fits(script, question)]

    def search(self, text: str, flt: QuestionFilter | None = None) -> list[Found]:
        """Questions of every interview with every word of ``text``, best first; none for
        a search with no words."""
        words = search_words(text)
        if not words:
            return []
        flt = flt or QuestionFilter()
        phrase = " ".join(words)
        found: list[Found] = []
        for entry in self._entries:
            script = self.scripts[entry.script_index]
            if not flt.fits(script, entry.question):
                continue
            score = 0
            where: list[str] = []
            for word in words:
                # fields are heaviest first, so the first field with the word scores it
                hit = next((name for name, field in entry.fields if _has_word(field, word)), None)
                if hit is None:
                    break
                score += FIELD_WEIGHTS[hit]
            else:
                where = [name for name, field in entry.fields
                         if any(_has_word(field, word) for word in words)]
                if len(words) > 1 and _has_word(entry.text, phrase):
                    score += PHRASE_BONUS
                found.append(Found(script, entry.question, entry.number, score, tuple(where)))
        # sorted() keeps the catalogue's order among equal scores
        return sorted(found, key=lambda f: -f.score)


@dataclass(frozen=True)
class Round:
    """What Start begins from questions chosen across interviews: one interview's, in its
    own order, and the others' left for later rounds, per interview."""

    script: InterviewScript | None
    questions: tuple[Question, ...] = ()
    waiting: tuple[tuple[InterviewScript, tuple[Question, ...]], ...] = ()


def plan_round(chosen: Sequence[Found], lead: Found | None = None) -> Round:
    """The round of ``chosen``: the questions of ``lead``'s interview (the one the candidate
    has moved to) when some of them are chosen, else those of the first chosen question's.

    One interview at a time, because the practice flow saves each answer under its
    session's script, and Progress and Compare find a question's answers by that script."""
    if not chosen:
        return Round(None)
    # Grouped by identity: two interviews can be equal field for field yet be two files.
    groups: dict[int, tuple[InterviewScript, list[Found]]] = {}
    for item in chosen:
        groups.setdefault(id(item.script), (item.script, []))[1].append(item)
    first = lead if lead is not None and id(lead.script) in groups else chosen[0]
    script, items = groups.pop(id(first.script))

    def in_order(found: list[Found]) -> tuple[Question, ...]:
        return tuple(f.question for f in sorted(found, key=lambda f: f.number))

    return Round(script, in_order(items),
                 tuple((other, in_order(rest)) for other, rest in groups.values()))


@dataclass(frozen=True)
class Catalogue:
    """Every script found in the folders, indexed, and the one-line problem of each file
    that did not load."""

    index: QuestionIndex
    problems: tuple[str, ...] = ()


def index_folders(folders: ScriptFolders) -> Catalogue:
    """Load and index every script in ``folders``: disk work, so the window runs it on a
    worker. A broken file is a problem listed, not a failure."""
    scripts, problems = discover_scripts(folders)
    return Catalogue(QuestionIndex(scripts), tuple(str(p) for p in problems))
