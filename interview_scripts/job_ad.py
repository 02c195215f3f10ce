"""A practice round built from a job ad: the bank ranked against the ad, then cut to length.

The ad's words are matched against the question bank with BM25 (the ``rank-bm25``
library): first against each interview's role, title, tags and description, to decide
which role the ad is for; then against every question (its text, its key points and their
cues, and its interview's role and tags), to see which questions the ad's duties point at.
Words are lower-cased and lightly stemmed ("nurses", "nursing" and "nurse" are one term),
and two words that stand side by side in both texts count once more as a phrase, so
"patient care" in an ad finds a bank that says "patient care" before one that only says
"patient" somewhere and "care" elsewhere.

The round then takes an opener, role questions (the ad's role bank first, at the level
the ad asks for when it names one), the behavioural questions the ad scores highest
(whichever interview they come from) and a closer, until the minutes asked are filled.
Each question is planned at the middle of its time guide plus one follow-up reply at the
middle of its follow-up guide. Every pick keeps the ad's words that chose it, as the ad
writes them, for the preview.

A CV or notes, when given, count at a lower weight for behavioural questions only (they
are stories from the candidate's own past) and are shown apart from the ad's words.

Nothing here saves: the result is a script document for the editor, and its YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rank_bm25 import BM25Okapi

from interview_scripts import bundled_dir
from interview_scripts.catalogue import discover_scripts
from interview_scripts.errors import ScriptError
from interview_scripts.frameworks import BUILT_IN
from interview_scripts.loader import parse_script, read_user_file
from interview_scripts.page_importer import dump_document
from interview_scripts.script import (
    DEFAULT_FOLLOW_UP_GUIDE,
    InterviewScript,
    Question,
    default_kind,
)
from interview_scripts.time_guide import TimeGuide

DEFAULT_MINUTES = 30
MIN_MINUTES = 10  # an opener, one question and a closer, each with a follow-up
MAX_MINUTES = 120
MAX_AD_CHARS = 60_000  # a job ad and a CV are a few pages; past this it is not an ad
MAX_AD_BYTES = 4 * MAX_AD_CHARS  # UTF-8 of the longest text, checked before reading
# A question without a time guide is planned as a usual behavioural answer.
UNGUIDED_S = 150.0
# Of the minutes between the opener and the closer, the share planned for role questions;
# the rest goes to behavioural ones, then whatever still fits is filled from either.
ROLE_SHARE = 0.55
# A question of another interview than the ad's role needs at least this share of the
# best score in the role's own interview: a word or two in common is not a reason.
OTHER_INTERVIEW_SHARE = 0.25
# The CV's words weigh this much of the ad's when ranking behavioural questions.
CV_WEIGHT = 0.5
# Tags and the role name say what an interview is about more surely than its description.
ROLE_FIELD_REPEAT = 3
SHOWN_TERMS = 6

# Words that say nothing about the job: common English and the boilerplate of ads.
_STOPWORD_TEXT = """
a about above after again all also am an and any are as at be been before being below
both but by can could did do does doing down during each either etc every few for from
further had has have having he her here hers him his how i if in into is it its itself
just like may me might more most must my no nor not of off on once only or other our
ours out over own per same she should so some such than that the their theirs them then
there these they this those through to too under until up upon us very via was we were
what when where which while who whom why will with within would you your yours yourself
ll ve re de co non pre un able apply applicant applicants applying based benefit
benefits candidate candidates company day days full hiring hybrid ideal ideally
including join joining looking new offer offers office part permanent plus position
remote role roles salary someone week weeks year years want wants across along around
back best come every get gets getting give given go good great help helps high keep
keeps know large level look low make makes making many mid much need needed needs one
ones part put really see set start still take takes thing things two use used uses using
time tell ask asks asked question questions first next right find away open way ways
well whole without work works working entry strong clear
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    """A light stem so that plurals, -ing and -ed forms meet: 'nurses', 'nursing' and
    'nurse' give 'nurs'; 'planning' and 'plans' give 'plan'."""
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: len(word) - len(suffix)] + keep
            if suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
                word = word[:-1]  # 'planning' → 'plann' → 'plan'
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]  # 'nurse' and 'nurs(ing)' meet
    return word


@dataclass(frozen=True)
class Terms:
    """A text's terms: stemmed words and side-by-side word pairs, each with the words the
    text used for it the first time (lower case), so a match can be shown in its words."""

    tokens: tuple[str, ...]
    surface: dict[str, str] = field(compare=False)

    @classmethod
    def of(cls, text: str) -> Terms:
        tokens: list[str] = []
        surface: dict[str, str] = {}
        previous: tuple[str, str] | None = None  # (stem, word) just before, if it counts
        # Line breaks and punctuation end a phrase: a pair is two words side by side.
        for chunk in re.split(r"[\n.,;:!?()\[\]/|•·–—]+", text.lower().replace("’", "'")):
            previous = None
            for word in _WORD.findall(chunk.replace("'s ", " ")):
                if len(word) < 2 or word in _STOPWORDS or word.isdigit():
                    previous = None
                    continue
                stem = _stem(word)
                tokens.append(stem)
                surface.setdefault(stem, word)
                if previous is not None:
                    pair = f"{previous[0]}_{stem}"
                    tokens.append(pair)
                    surface.setdefault(pair, f"{previous[1]} {word}")
                previous = (stem, word)
        return cls(tuple(tokens), surface)


@dataclass(frozen=True)
class Pick:
    """One question of the round: where it comes from, the ad's words that chose it (as
    the ad writes them, strongest first) and its score against the ad."""

    question: Question
    script_id: str
    matched_terms: tuple[str, ...]
    score: float
    cv_terms: tuple[str, ...] = ()  # the CV's words that also counted (behavioural only)

    @property
    def seconds(self) -> float:
        return planned_seconds(self.question)


@dataclass(frozen=True)
class RoleMatch:
    """How well one interview's role fits the ad."""

    script_id: str
    role: str
    score: float
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class AdLevel:
    """The level the ad asks for (``any`` when it names none) and the ad's words that said so."""

    level: str
    because: str = ""


@dataclass(frozen=True)
class AdRound:
    """A round built from an ad, ready for the preview and the editor (nothing saved)."""

    script: InterviewScript
    picks: list[Pick]
    minutes: float  # the planned length: each question's guide and one follow-up, midpoints
    asked_minutes: int
    role: RoleMatch
    level: AdLevel
    document: dict[str, Any]
    yaml_text: str
    roles: tuple[RoleMatch, ...] = ()  # every interview's fit, best first
    notes: tuple[str, ...] = ()


def _midpoint(guide: TimeGuide | None, default: float) -> float:
    return default if guide is None else (guide.min_s + guide.max_s) / 2


def planned_seconds(question: Question) -> float:
    """The time a round plans for a question: its answer and one follow-up reply."""
    return _midpoint(question.time_guide, UNGUIDED_S) + _midpoint(question.follow_up_guide,
                                                                  _midpoint(DEFAULT_FOLLOW_UP_GUIDE, 90.0))


# ------------------------------------------------------------------------------ level
# Titles name a level plainly; in the body "junior" is as often the people a senior will
# mentor, so only phrases that describe the post itself count there.
_TITLE_LEVELS = (
    ("entry", r"\b(junior|graduate|entry[- ]level|trainee|apprentice|intern|newly qualified)\b"),
    ("senior", r"\b(senior|lead|principal|head of)\b"),
    ("mid", r"\b(mid[- ]level|intermediate)\b"),
)
_BODY_LEVELS = (
    ("entry", r"\b(entry[- ]level|graduates? (are )?welcome|graduate scheme|newly qualified|"
              r"early[- ]career|no (commercial |previous |prior )?experience (is )?(needed|required)|"
              r"trainee|apprenticeship)\b"),
    ("senior", r"\b(senior (role|position|post|level)|at a senior level|principal)\b"),
    ("mid", r"\b(mid[- ]level|intermediate level)\b"),
)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10}
_YEARS = re.compile(r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s*"
                    r"(?:\+|or more|plus)?\s*years?\b(?:'|’)?(?=\s+(?:of\s+)?"
                    r"(?:experience|in|as|working)\b)", re.IGNORECASE)
SENIOR_YEARS = 5
MID_YEARS = 2


def _title_line(ad: str) -> str:
    return next((line.strip() for line in ad.splitlines() if line.strip()), "")


def read_level(ad: str) -> AdLevel:
    """The level the ad is for: its title's word, else the years of experience it asks,
    else a phrase in the body; ``any`` when it says nothing."""
    title = _title_line(ad)
    for level, pattern in _TITLE_LEVELS:
        found = re.search(pattern, title, re.IGNORECASE)
        if found:
            return AdLevel(level, found.group(0))
    for level, pattern in _BODY_LEVELS:
        if level == "entry":
            found = re.search(pattern, ad, re.IGNORECASE)
            if found:
                return AdLevel(level, found.group(0))
    years = [(_NUMBERS.get(m.group(1).lower()) or int(m.group(1)), m.group(0)) for m in _YEARS.finditer(ad)
             if m.group(1).isdigit() or m.group(1).lower() in _NUMBERS]
    if years:
        most, words = max(years)
        if most >= SENIOR_YEARS:
            return AdLevel("senior", words)
        if most >= MID_YEARS:
            return AdLevel("mid", words)
    for level, pattern in _BODY_LEVELS:
        found = re.search(pattern, ad, re.IGNORECASE)
        if found:
            return AdLevel(level, found.group(0))
    return AdLevel("any")


# ------------------------------------------------------------------------------ ranking
def _role_text(script: InterviewScript) -> str:
    named = "\n".join([script.role, *script.tags])
    return "\n".join([named] * ROLE_FIELD_REPEAT + [script.title, script.description])


def _own_text(question: Question) -> str:
    return "\n".join([question.text, *(p for k in question.key_points for p in (k.text, *k.cues))])


def _interview_text(script: InterviewScript) -> str:
    return "\n".join([script.role, *script.tags])


def _matched(query: Terms, doc: set[str], idf: dict[str, float],
             first: frozenset[str] | set[str] = frozenset()) -> tuple[str, ...]:
    """The query's terms found in ``doc``, in the query's words: those also in ``first``
    (the question's own words) ahead, then strongest first; a word already shown inside a
    phrase is not shown again."""
    found = sorted({t for t in query.tokens if t in doc},
                   key=lambda t: (t not in first, -idf.get(t, 0.0), t))
    shown: list[str] = []
    inside: set[str] = set()
    for token in found:
        if "_" in token:
            inside.update(token.split("_"))
    for token in found:
        if "_" not in token and token in inside:
            continue
        shown.append(query.surface[token])
    return tuple(shown[:SHOWN_TERMS])


def _unique(tokens: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(tokens))


def rank_roles(ad: str, scripts: Sequence[InterviewScript]) -> list[RoleMatch]:
    """Every interview's fit to the ad by its role, tags, title and description, best first."""
    if not scripts:
        return []
    query = Terms.of(ad)
    docs = [Terms.of(_role_text(s)).tokens for s in scripts]
    bm25 = BM25Okapi([list(d) for d in docs])
    scores = bm25.get_scores(_unique(query.tokens))
    matches = [RoleMatch(s.id, s.role, float(score), _matched(query, set(doc), bm25.idf))
               for s, doc, score in zip(scripts, docs, scores, strict=True)]
    return sorted(matches, key=lambda m: -m.score)


@dataclass(frozen=True)
class _Scored:
    question: Question
    script: InterviewScript
    score: float
    terms: tuple[str, ...]
    cv_terms: tuple[str, ...]


def _score_questions(ad: str, cv: str, scripts: Sequence[InterviewScript]) -> list[_Scored]:
    entries = [(q, s) for s in scripts for q in s.questions]
    own_tokens = [Terms.of(_own_text(q)).tokens for q, _ in entries]
    interview = {s.id: Terms.of(_interview_text(s)).tokens for s in scripts}
    # BM25 counts how often a term comes; the matched words only whether it does.
    bm25 = BM25Okapi([[*words, *interview[s.id]] or ["-"] for words, (_, s) in zip(own_tokens, entries, strict=True)])
    own = [set(words) for words in own_tokens]
    docs = [words | set(interview[s.id]) for words, (_, s) in zip(own, entries, strict=True)]
    query = Terms.of(ad)
    scores = bm25.get_scores(_unique(query.tokens))
    cv_query = Terms.of(cv) if cv.strip() else None
    cv_scores = bm25.get_scores(_unique(cv_query.tokens)) if cv_query else None
    scored: list[_Scored] = []
    for i, ((question, script), doc) in enumerate(zip(entries, docs, strict=True)):
        score = float(scores[i])
        cv_terms: tuple[str, ...] = ()
        if cv_query is not None and cv_scores is not None and question.kind == "behavioural":
            score += CV_WEIGHT * float(cv_scores[i])
            cv_terms = _matched(cv_query, doc, bm25.idf, own[i])
        scored.append(_Scored(question, script, score, _matched(query, doc, bm25.idf, own[i]), cv_terms))
    return scored


# ------------------------------------------------------------------------------ the round
def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _fits_level(question: Question, level: str) -> bool:
    return level == "any" or question.level in (level, "any")


def _fits_or_below(question: Question, level: str) -> bool:
    """Another level's question a round may fall back on: never a senior one for a junior."""
    return not (level == "entry" and question.level == "senior")


def _best_first(pool: Iterable[_Scored]) -> list[_Scored]:
    return sorted(pool, key=lambda s: -s.score)


def _level_first(pool: Iterable[_Scored], level: str) -> list[_Scored]:
    """The questions that suit the ad's level: those written for exactly that level first,
    then those for any level, each best first."""
    suiting = [s for s in pool if _fits_level(s.question, level)]
    exact = [s for s in suiting if level != "any" and s.question.level == level]
    return _best_first(exact) + _best_first(s for s in suiting if s not in exact)


def _take(pool: list[_Scored], budget: float, chosen: list[_Scored], seen: set[str]) -> float:
    """Adds from ``pool`` in order whatever still fits ``budget``; returns what is left."""
    for item in pool:
        key = _normal(item.question.text)
        cost = planned_seconds(item.question)
        if key in seen or cost > budget or item.score <= 0:
            continue
        chosen.append(item)
        seen.add(key)
        budget -= cost
    return budget


def _best(pool: list[_Scored], level: str, role_id: str) -> _Scored | None:
    """The opener or closer to use: the best scored that suits the level, the role bank's
    on a tie."""
    ranked = _best_first(s for s in pool if _fits_level(s.question, level))
    if not ranked:
        return None
    top = ranked[0].score
    same = [s for s in ranked if s.score == top and s.script.id == role_id]
    return same[0] if same else ranked[0]


def build_round(ad: str, scripts: Sequence[InterviewScript], minutes: int = DEFAULT_MINUTES,
                cv: str = "", name: str = "job ad") -> AdRound:
    """A round from ``scripts`` for ``ad`` that fits ``minutes``; ScriptError in one line
    when the ad is empty or too long, the minutes are out of range or the bank is empty."""
    check_request(ad, cv, minutes, name)
    if not scripts:
        raise ScriptError(f"{name}: no interviews to choose questions from")
    roles = rank_roles(ad, scripts)
    role = roles[0]
    if role.score <= 0:
        raise ScriptError(f"{name}: none of the ad's words match an interview of the bank; paste the "
                          "ad's duties and requirements, in English")
    level = read_level(ad)
    scored = _score_questions(ad, cv, scripts)
    by_kind: dict[str, list[_Scored]] = {}
    for item in scored:
        by_kind.setdefault(item.question.kind, []).append(item)

    budget = minutes * 60.0
    seen: set[str] = set()
    ends: list[_Scored] = []
    for kind in ("opener", "closer"):
        best = _best(by_kind.get(kind, []), level.level, role.script_id)
        if best is not None:
            ends.append(best)
            seen.add(_normal(best.question.text))
            budget -= planned_seconds(best.question)
    in_bank = [s for s in by_kind.get("role", []) + by_kind.get("behavioural", [])
               if s.script.id == role.script_id]
    # Another interview's question joins only when the ad matches it well enough.
    top = max((s.score for s in in_bank), default=0.0)
    elsewhere = [s for s in by_kind.get("role", []) + by_kind.get("behavioural", [])
                 if s.script.id != role.script_id and s.score >= OTHER_INTERVIEW_SHARE * top]
    middle: list[_Scored] = []
    # Role questions come from the ad's role bank.
    left = _take(_level_first((s for s in in_bank if s.question.kind == "role"), level.level),
                 budget * ROLE_SHARE, middle, seen) + budget * (1 - ROLE_SHARE)
    # Stories: the role bank's written for the ad's level, then the best of any interview
    # whose words the ad's duties match.
    stories = [s for s in in_bank + elsewhere if s.question.kind == "behavioural"]
    exact = [s for s in stories if s.script.id == role.script_id and level.level != "any"
             and s.question.level == level.level]
    left = _take(_best_first(exact) + _best_first(s for s in stories if _fits_level(s.question, level.level)),
                 left, middle, seen)
    # Time still free goes to the role bank's next best question of either kind, then to
    # one of its questions for another level, then to another interview's.
    left = _take(_level_first(in_bank, level.level), left, middle, seen)
    left = _take(_best_first(s for s in in_bank if _fits_or_below(s.question, level.level)), left, middle, seen)
    _take(_best_first(s for s in elsewhere if _fits_level(s.question, level.level)), left, middle, seen)
    if not middle:
        raise ScriptError(f"{name}: {minutes} minutes leave no time for a question between the opener "
                          "and the closer; ask for more minutes")
    order = [s for s in ends if s.question.kind == "opener"] + _interleave(middle) \
        + [s for s in ends if s.question.kind == "closer"]
    picks = [Pick(s.question, s.script.id, s.terms, round(s.score, 3), s.cv_terms) for s in order]
    bank = next(s for s in scripts if s.id == role.script_id)
    return _assemble(ad, picks, minutes, role, level, roles, bank.role, bank.tags)


def _interleave(middle: list[_Scored]) -> list[_Scored]:
    """Role and behavioural questions taken in turn, each kind best first, so the round
    does not hold all its stories at one end."""
    role = sorted((s for s in middle if s.question.kind == "role"), key=lambda s: -s.score)
    stories = sorted((s for s in middle if s.question.kind != "role"), key=lambda s: -s.score)
    first, second = (role, stories) if (role and (not stories or role[0].score >= stories[0].score)) \
        else (stories, role)
    out: list[_Scored] = []
    for i in range(max(len(first), len(second))):
        out += first[i:i + 1] + second[i:i + 1]
    return out


def check_request(ad: str, cv: str, minutes: int, name: str = "job ad") -> None:
    """ScriptError in one line for an empty or overlong ad or CV, or minutes out of range."""
    _check_text(ad, name, "the job ad")
    if cv:
        _check_text(cv, name, "the CV or notes", empty_ok=True)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ScriptError(f"{name}: a round from a job ad is {MIN_MINUTES} to {MAX_MINUTES} minutes, "
                          f"not {minutes}")


def _check_text(text: str, name: str, what: str, empty_ok: bool = False) -> None:
    if not text.strip() and not empty_ok:
        raise ScriptError(f"{name}: {what} is empty; paste the ad's text")
    if len(text) > MAX_AD_CHARS:
        raise ScriptError(f"{name}: {what} is {len(text):,} characters; paste at most "
                          f"{MAX_AD_CHARS:,} (the duties and requirements are enough)")


# ------------------------------------------------------------------------------ the script
def question_entry(question: Question, qid: str) -> dict[str, Any]:
    """A question as a script document holds it, every field written out (a round mixes
    interviews, so no file's defaults apply)."""
    entry: dict[str, Any] = {"id": qid, "text": question.text}
    if question.time_guide is not None:
        entry["time_guide"] = question.time_guide.text
    framework = question.framework
    if framework.name.upper() in BUILT_IN:
        entry["framework"] = framework.name
    else:
        entry["framework"] = {"name": framework.name,
                              "stages": [{"name": st.name, "cues": list(st.cues), "hint": st.hint}
                                         for st in framework.stages]}
    if question.kind != default_kind(framework):
        entry["kind"] = question.kind
    if question.level != "any":
        entry["level"] = question.level
    entry["follow_up_guide"] = question.follow_up_guide.text
    if question.guidance:
        entry["guidance"] = question.guidance
    if question.key_points:
        entry["key_points"] = [({"id": k.id} if k.id else {}) | {"text": k.text}
                               | ({"cues": list(k.cues)} if k.cues else {}) for k in question.key_points]
    if question.mistakes:
        entry["mistakes"] = [{"text": m.text, "cues": list(m.cues)} if m.cues else m.text
                             for m in question.mistakes]
    if question.sample_answer:
        entry["sample_answer"] = question.sample_answer
    if question.follow_ups:
        entry["follow_ups"] = [{"text": f.text, "probes": list(f.probes)} if f.probes else f.text
                               for f in question.follow_ups]
    return entry


def _slug(text: str) -> str:
    return "-".join(_WORD.findall(text.lower())[:8])[:60].strip("-") or "job-ad-round"


def ad_title(ad: str) -> str:
    """The ad's first line, clipped: most ads open with the job's title."""
    title = _title_line(ad)
    return title if len(title) <= 80 else title[:79].rstrip() + "…"


def _assemble(ad: str, picks: list[Pick], minutes: int, role: RoleMatch, level: AdLevel,
              roles: Sequence[RoleMatch], bank_role: str, bank_tags: Sequence[str],
              notes: Sequence[str] = ()) -> AdRound:
    taken: set[str] = set()
    entries = []
    for pick in picks:
        qid = pick.question.id
        if qid in taken:
            qid = f"{qid}-{pick.script_id}"[:80]
        base, n = qid, 2
        while qid in taken:
            qid, n = f"{base}-{n}", n + 1
        taken.add(qid)
        entries.append(question_entry(pick.question, qid))
    planned = sum(p.seconds for p in picks) / 60
    title = ad_title(ad) or f"{bank_role} round"
    document: dict[str, Any] = {
        "title": f"{title} (from a job ad)",
        "role": bank_role,
        "description": (f"Built from the job ad “{title}”: {len(picks)} questions, about "
                        f"{planned:.0f} minutes with one follow-up each. Role: {bank_role}; level: "
                        f"{level.level}."),
        "source": "Chosen from Greenroom's question bank to match a job ad",
        "tags": list(bank_tags),
        "questions": entries,
    }
    header = ("# A practice round chosen from Greenroom's question bank to match a job ad;\n"
              "# the format is described in interview_scripts/README.md.\n")
    yaml_text = header + dump_document(document)
    script = parse_script(yaml_text, name=f"{_slug(str(document['title']))}.yaml")  # proves it loads
    return AdRound(script=script, picks=picks, minutes=round(planned, 1), asked_minutes=minutes, role=role,
                   level=level, document=document, yaml_text=yaml_text, roles=tuple(roles), notes=tuple(notes))


# ------------------------------------------------------------------------------ tailored
TAILORED = "tailored"  # the ``script_id`` of a question written for the ad itself


def shared_terms(text: str, ad: str) -> tuple[str, ...]:
    """The ad's words (as the ad writes them) that ``text`` also uses, stemmed alike."""
    ad_terms = Terms.of(ad)
    own = {t for t in Terms.of(text).tokens if "_" not in t}
    return tuple(dict.fromkeys(ad_terms.surface[t] for t in ad_terms.tokens if t in own))


def with_tailored(round_: AdRound, ad: str, questions: Sequence[Question],
                  notes: Sequence[str] = ()) -> AdRound:
    """The round with ``questions`` (written for the ad) before the closer; to keep to the
    minutes asked, the bank's least matched questions between opener and closer make
    room, never the opener, the closer or a tailored question."""
    tailored = [Pick(q, TAILORED, shared_terms(" ".join([q.text, *(k.text for k in q.key_points)]), ad), 0.0)
                for q in questions]
    picks = list(round_.picks)
    closer = picks.pop() if picks and picks[-1].question.kind == "closer" else None
    picks += tailored
    if closer is not None:
        picks.append(closer)
    budget = round_.asked_minutes * 60
    left_out = 0
    while sum(p.seconds for p in picks) > budget:
        removable = [p for p in picks if p.script_id != TAILORED and p.question.kind in ("role", "behavioural")]
        if not removable:
            break
        picks.remove(min(removable, key=lambda p: p.score))
        left_out += 1
    if left_out:
        notes = [*notes, f"left out {left_out} of the bank's questions to keep to {round_.asked_minutes} minutes"]
    return _assemble(ad, picks, round_.asked_minutes, round_.role, round_.level, round_.roles,
                     round_.script.role, round_.script.tags, [*round_.notes, *notes])


def load_bank(folder: Path | None = None) -> list[InterviewScript]:
    """The bundled interviews (or those of ``folder``) a round is chosen from."""
    scripts, problems = discover_scripts([(folder or bundled_dir(), True)])
    if not scripts and problems:
        raise problems[0]
    return scripts


def read_ad_file(path: Path, what: str = "job ad") -> str:
    """A job ad (or a CV) saved as text; every problem is one line naming the file."""
    data = read_user_file(path, MAX_AD_BYTES,
                          too_big=f"{what} file is {{mb}} MB; paste only its text (duties and requirements)",
                          is_folder=f"is a folder; give the {what} as a .txt file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScriptError(f"{path}: not UTF-8 text; save the {what} as plain UTF-8 text") from None
