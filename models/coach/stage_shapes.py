"""What each kind of answer stage typically sounds like, scored per sentence.

Cue phrases find a stage only when the candidate uses them. People telling a story in
their own words still give each stage its usual shape: the set-up names a time and a
place, the task names an ask, a goal, a deadline or a constraint, the action is the
speaker's own verbs one after another, and the result carries an outcome, often a figure.
These scores measure those shapes; ``structure.py`` weighs them with the cues and the
stage's place in the answer.

A stage is given a *role* from its name (Situation and Context set the scene, Result and
Evaluate close it, the CIRCLES stages have their own). A stage of a script's own framework
whose name is not known here is scored by the words of its name and hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interview_scripts.frameworks import Stage
from models.coach.text_match import (
    STOPWORDS,
    Sentence,
    Token,
    TokenizedTranscript,
    normalise_words,
    stem,
    word_set,
)
from models.coach.word_use import CHANGE_WORDS, figure_sentences

# One hit of a role's words is worth this much; a sentence's shape score is capped so that
# many loose hits never outweigh a single clear cue by much.
HIT_WEIGHT = 0.6
SHAPE_CAP = 2.0
# A measurable result (a figure with a unit or beside a change word) and a bare figure.
MEASURABLE_WEIGHT = 1.2
FIGURE_WEIGHT = 0.3
# A figure in a sentence that states an obligation is a target or a deadline, not a result.
TARGET_DAMPING = 0.3
# Being asked, expected or obliged is what makes a task a task.
OBLIGATION_WEIGHT = 1.0
# A figure in a sentence about what the speaker did ("I pulled three years of records")
# is more often the material than the outcome, unless a change word goes with it.
OWN_FIGURE_WEIGHT = 0.5
I_VERB_WEIGHT = 0.7
MORE_VERBS_WEIGHT = 0.25  # each further verb of an "I" sentence: "I built, checked and wrote"
WE_VERB_WEIGHT = 0.35
SEQUENCE_WEIGHT = 0.3
# Someone else acting or something changing, with no "I" doing it: how outcomes are told.
OTHERS_WEIGHT = 0.3
OWN_OUTCOME_SHARE = 0.5
# Handing a piece of the work to a named person counts more than one word of a stage.
DELEGATION_WEIGHT = 1.0
# "was running", "were costing", "there was", "had been": how a scene is described.
STATE_WEIGHT = 0.6
# A sentence that opens on a time or a place ("Two years ago", "At my old job") sets a
# scene whatever follows; these first words count once more.
OPENING_WORDS = 5


@dataclass(frozen=True)
class Lexicon:
    """Single words (compared by stem) and phrases (compared by stems, in order)."""

    words: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    exact: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str) -> Lexicon:
        """Entries separated by commas or new lines; an entry of several words is a phrase,
        and "..." in one stands for up to ``GAP_WORDS`` words ("let ... know"). An entry
        written "=phoned" matches that word as said only: its stem is also a noun's."""
        words: set[str] = set()
        exact: set[str] = set()
        phrases: list[tuple[str, ...]] = []
        for entry in re.split(r"[,\n]", text):
            if entry.strip().startswith("="):
                exact.add(entry.strip()[1:].lower())
                continue
            pieces = [GAP if piece == "..." else piece for piece in entry.split()]
            raws = [p if p == GAP else r for p in pieces for r in
                    ([p] if p == GAP else normalise_words(p))]
            if len(raws) == 1:
                words.add(stem(raws[0]))
            elif raws:
                phrases.append(tuple(r if r == GAP else stem(r) for r in raws))
        return cls(frozenset(words), tuple(phrases), frozenset(exact))

    def hits(self, stems: list[str], raws: list[str] | None = None) -> list[str]:
        """The distinct entries said in a sentence given as its token stems (and, for the
        entries matched as said, its words)."""
        found = sorted({s for s in stems if s in self.words}
                       | {r for r in (raws or ()) if r in self.exact})
        if not self.phrases:
            return found
        # A phrase can only start where its first stem is said: look there, not everywhere
        # (a long answer has thousands of sentences and each lexicon many phrases).
        starts: dict[str, list[int]] = {}
        for i, stem_ in enumerate(stems):
            starts.setdefault(stem_, []).append(i)
        every = range(len(stems))
        for phrase in self.phrases:
            at = every if phrase[0] == GAP else starts.get(phrase[0], ())
            if any(_phrase_at(phrase, stems, i) for i in at):
                found.append(" ".join(phrase))
        return found


GAP = "..."
GAP_WORDS = 4


def _phrase_at(phrase: tuple[str, ...], stems: list[str], i: int) -> bool:
    """Whether ``phrase`` (with gaps) is said starting at stem ``i``."""
    if not phrase:
        return True
    if phrase[0] == GAP:
        return any(_phrase_at(phrase[1:], stems, i + skip) for skip in range(GAP_WORDS + 1))
    return i < len(stems) and stems[i] == phrase[0] and _phrase_at(phrase[1:], stems, i + 1)


# -- the scene: when and where -----------------------------------------------------------
TIME_PLACE = Lexicon.of("""
ago, back then, at the time, at that time, last year, that year, last summer, years, months,
january, february, april, june, july, august, september, october, november,
december, monday, tuesday, wednesday, thursday, friday, saturday, sunday, weekend, spring,
summer, autumn, winter, quarter, season, when i was, while i was, during, previous, previously,
earlier, former, formerly, once, used to, company, startup, firm, agency, bank, employer,
department, office, store, shop, hospital, school, university, college, warehouse, factory,
studio, charity, council, organisation, organization, agency, retailer, worked at, worked for,
worked as, working at, working for, working as, joined, my first job, my last job, my old job,
at my, there was, there were, back in, city, country, branch, site, headquarters
""")
# A limit in time: "by the summer exams", "before Friday", "until the end of March".
DEADLINE_WORDS = frozenset(stem(w) for w in word_set("""
by before until within ahead
"""))
DEADLINE_TIMES = frozenset(stem(w) for w in word_set("""
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday weekend spring summer autumn winter
christmas quarter end deadline launch release exams exam morning evening tonight tomorrow
noon midnight week month year day days weeks months time
"""))
DEADLINE_REACH = 4  # words between "by" and its time: "by the end of", "before the summer"


def _deadlines(stems: list[str]) -> list[str]:
    found: list[str] = []
    for i, s in enumerate(stems):
        if s not in DEADLINE_WORDS:
            continue
        for j in range(i + 1, min(len(stems), i + 1 + DEADLINE_REACH)):
            if stems[j] in DEADLINE_TIMES:
                found.append(" ".join(stems[i:j + 1]))
                break
    return found


# Background states, matched on the words as said (not stems): "was running", "had been".
STATE = Lexicon.of("""
there was, there were, there had been, had been, used to
""")


def _progressive(tokens: list[Token]) -> list[str]:
    """'was running', 'were costing': a scene in progress."""
    return [f"{a.raw} {b.raw}" for a, b in zip(tokens, tokens[1:], strict=False)
            if a.raw in ("was", "were") and b.raw.endswith("ing") and len(b.raw) > 5]
# -- the task: an ask, a goal, a deadline, a constraint -----------------------------------
# An obligation says something was asked for or had to happen; a figure beside one is a
# target or a deadline rather than a result.
OBLIGATION = Lexicon.of("""
had to, have to, has to, needed to, need to, needs to, was to, were to, got to, must,
asked me, asked us, wanted me, wanted us, told me to, told us to, expected me, expected us,
supposed to, make sure, ensure, responsible for, in charge, charged with, tasked, assigned me,
my job, my role, the goal, our goal, goal, aim, target, objective, mission, deadline,
requirement, up to me, fell to me, it was on me, handed me, gave me, gave us, the ask,
the brief, asked ... to, wanted ... to, needed ... to, expected ... to, my job was
""")
CONSTRAINT = Lexicon.of("""
due, budget, constraint, limit, only had, we had only, without, in time, on time, before the,
until, end of, with no, no downtime, no more, no extra, on our own, alone,
by the end of, no more than, at most, at least, priority, challenge, the problem was,
the question was, keep, stay, deliver, meet, own it, so that
""")
# -- the outcome -------------------------------------------------------------------------
OUTCOME = Lexicon.of("""
in the end, ended up, end result, outcome, finally, eventually, ultimately, afterwards,
went from, went down, went up, fell, dropped, rose, grew, doubled, halved, tripled, saved,
reduced, increased, improved, shortened, faster, quicker, cheaper, fewer, more than, less than,
succeeded, success, worked, paid off, launched, delivered, shipped, hit, met, beat, exceeded,
praised, thanked, promoted, award, adopted, still, since, since then, now, today, anymore,
never, zero, single, not one, no longer, happy, pleased, feedback, lesson, lessons, learned,
learnt, taught me, realised, realized, next time, from then on, became, record, stable,
stayed, held, on time, under, below, above, signed off, approved, accepted, agreed, renewed,
won, chose, hired, returned, came back, went live, passed, closed, came down, nobody, no one,
by about, by half, a third, a quarter, twice as
""")
SEQUENCE_WORDS = frozenset(stem(w) for w in word_set("""
then next first second third afterwards after so once meanwhile later finally also
"""))
# -- the CIRCLES stages of incident response ------------------------------------------------
# Comprehend: what broke and for whom, how many, how bad, and what was at stake.
COMPREHEND = Lexicon.of("""
customers, users, affected, impact, failing, failed, failure, errors, error, down, outage,
broken, slow, timing out, timeouts, alert, alerts, paged, pager, page, woke, noticed, saw,
dashboard, dashboards, how many, how bad, scope, spike, complaints, reports, symptoms,
understand, sized, size, region, regions, half, third, quarter of, most of, all of, nobody,
could not, couldn't, unable, first thing, started getting, getting, checked how, graphs,
stuck, stopped working, lit up, went off, jumped, mattered, at stake, urgent, waiting,
suddenly, went down, stopped reaching, never received, complaining, telling us
""")
# Identify: the cause, and how it was found.
IDENTIFY = Lexicon.of("""
because, cause, caused, causing, turned out, traced, found, narrowed, culprit, logs, log,
showed, pointed, due to, why, bug, misconfigured, misconfiguration, expired, config, commit,
diff, query, leak, memory, disk, full, root, source, reason, behind, triggered, compared,
spotted, discovered, realised, realized, figured out, looked at, dug, digging, the problem was,
it was the, came from, coming from, recent change, deploy, release, saw that, found that,
noticed that, saw it, reproduce, reproduced, replicated, read through, went through,
looked into, dug into, traces, tracing
""")
# "phoned" and "rang" as said: "phone" and "ring" are also things in an investigation.
REPORT = Lexicon.of("""
told, wrote to, =emailed, posted, =messaged, informed, inform, updated, update,
updates, status, stakeholders, leadership, executives, announce, announced, let them know,
let everyone know, let ... know, kept ... informed, kept ... posted, kept ... updated,
write again, would write, hear from, note, summary, =phoned, =rang, briefed, explained,
heads up, warned, notice, banner, status page, call back, get back to, hear more, promised
""")
COMMUNICATE = Lexicon.of("""
asked, assigned, owner, owners, paired, split, handled, handle, took, who, roles, channel,
bridge, call, room, coordinate, coordinated, gathered, pulled in, brought in, each, while,
divided, delegated, person, named, one person, another, someone, responsible for, in charge,
owned, own, look after, looked after, take care, took care, worked with, the job of, job of,
took on, took over, meanwhile, at the same time, in parallel
""")
# Lead: the fix and the service coming back. "Again" and "back" tell of a return to working
# order; re- verbs ("reloaded", "reopened") too.
LEAD = Lexicon.of("""
fixed, fix, rolled back, roll back, rolled, reverted, revert, patched, patch, deployed, pushed,
restarted, rebooted, recovered, restored, back up, switched, failover, failed over, mitigated,
renewed, replaced, scaled, disabled, turned off, flag, hotfix, drove, resolved, stable,
came back, working again, cleared, drained, freed, killed, stopped, unblocked, applied,
deleted, removed, moved, healthy, normal, up again, back to normal, rerouted, was back,
were back, back online, back up, reloaded, reopened, redeployed, reinstalled, reconnected,
reprocessed, reindexed, resynced, rebuilt, reran, unplugged, lifted, shipped, rolled out,
put back, went back, usual, caught up, opened again
""")
EVALUATE = Lexicon.of("""
afterwards, after that, later, review, reviewed, retro, retrospective, postmortem, post mortem,
lesson, lessons, learned, learnt, prevent, prevents, since, never, happen again,
happened again, never again, added, alert,
alerting, monitor, monitoring, process, changed, now, checklist, runbook, follow up,
the week after, next week, blameless, wrote up, write up, automated, test, tests, so that,
hasn't, has not, no longer, from then on, ever since, every, whenever, going forward,
from now on, decided to, can never, always
""")
# People who act in an answer besides the speaker: who took what is the Communicate stage.
PEOPLE = word_set("""
colleague colleagues engineer engineers developer developers manager managers lead head
director administrator admin caretaker contractor analyst tester designer deputy teammate
teammates nurse officer technician specialist architect coordinator supervisor intern
assistant operator someone another partner boss team
""")
# Whom a report goes to, and the ways of telling them: "I emailed the finance director".
AUDIENCE = PEOPLE | word_set("""
customers users support stakeholders everyone everybody leadership executives staff parents
her him them managers board
""")
TELLING = word_set("""
told emailed wrote messaged phoned rang called let updated briefed informed warned posted
sent texted
""")
TELLING_REACH = 6
# "I had Kofi call", "I asked Priya to renew", "I put Lena in charge": work handed to others.
DELEGATING = word_set("had asked got put sent left gave paired")
# Words before "back" that make it a reply, not a recovery: "call back", "hear back".
REPLY_BEFORE_BACK = word_set("call called calling write wrote hear heard get got ring phone")
# Words shortly before "again" that make it a recurrence, not a recovery: "never happened
# again", "nobody has lost access again".
RECURRENCE_BEFORE_AGAIN = word_set("happen happened happens never nobody not no hasn't")
# Shortly before "back" or "again", these make it a hope, not a fact: "expected the printers
# back", "would be up again by noon".
HOPE_BEFORE = word_set("expected expect would will should hoped hope promised")
RECURRENCE_REACH = 4

ROLE_OF_NAME = {
    "situation": "setting", "context": "setting", "background": "setting", "setting": "setting",
    "task": "assignment", "goal": "assignment", "challenge": "assignment",
    "problem": "assignment", "assignment": "assignment", "objective": "assignment",
    "action": "action", "actions": "action", "approach": "action", "steps": "action",
    "result": "outcome", "results": "outcome", "outcome": "outcome", "impact": "outcome",
    "comprehend": "comprehend", "identify": "identify", "report": "report",
    "communicate": "communicate", "lead": "lead", "evaluate": "evaluate",
    "learning": "evaluate", "learnings": "evaluate", "lessons": "evaluate",
    "reflection": "evaluate",
}
# The part of a typical answer each role takes: where a stage is expected to lie.
ROLE_SHARE = {
    "setting": 0.15, "assignment": 0.12, "action": 0.45, "outcome": 0.28,
    "comprehend": 0.15, "identify": 0.2, "report": 0.15, "communicate": 0.15, "lead": 0.2,
    "evaluate": 0.15,
}
OUTCOME_ROLES = ("outcome", "evaluate")
ROLE_WORDS = {"setting": "time and place words", "assignment": "what was asked, a goal, "
              "a deadline or a constraint", "outcome": "outcome words",
              "comprehend": "impact and symptoms", "identify": "cause words",
              "report": "updates to people", "communicate": "who did what",
              "lead": "fix words", "evaluate": "follow-up and lessons"}
ROLE_LEXICON = {"setting": TIME_PLACE, "outcome": OUTCOME,
                "comprehend": COMPREHEND, "identify": IDENTIFY, "report": REPORT,
                "communicate": COMMUNICATE, "lead": LEAD, "evaluate": EVALUATE}
# The CIRCLES stages are told in the speaker's own verbs too; their own words tell them apart.
ACTION_LIKE = ("identify", "report", "communicate", "lead")

# Past-tense verbs that say what someone did without an -ed ending.
IRREGULAR_PAST = word_set("""
wrote built set ran made took went spoke met sat gave found led brought bought drew chose put
kept told sent spent began caught dug fought held hid knew laid left lost meant paid read rode
rang rose saw sold shook shut sang slept spread stood struck swept taught thought threw
understood woke won did got rewrote rebuilt rethought split cut hit sought upheld withdrew
flew drove broke chose forgot froze grew overcame undertook let dealt fed felt heard lent
lit shot sped stuck swung tore wore wound bent bound fled flung forbade forgave oversaw
overtook rang redid reran resent retook sent set upset
""")
# Words after "I" that state a wish, an obligation, a thought or a state rather than
# something done.
NOT_ACTIONS = word_set("""
needed wanted used supposed expected tasked hoped seemed liked loved wished managed was
were had tried think thought guess mean meant suppose believe feel felt know knew remember
love like want hope wish need am realise realize really always never usually often probably
kind sort basically honestly actually personally still
""")
SETTING_VERBS = frozenset({"worked", "joined", "started", "lived", "studied"})
SETTING_AFTER = frozenset({"at", "for", "as", "in"})
ADVERBS = word_set("""
then also just quickly first immediately personally finally eventually actually still even
next soon later carefully basically again
""")
I_SUBJECT = frozenset({"i"})
WE_SUBJECT = frozenset({"we"})
YEAR = re.compile(r"^(19|20)\d\d$")


def is_past_verb(raw: str) -> bool:
    if raw in NOT_ACTIONS:
        return False
    return raw in IRREGULAR_PAST or (len(raw) >= 5 and raw.endswith("ed") and raw.isalpha())


def _is_deed(raw: str) -> bool:
    """A word right after "I" or "we" that says what was done. Past forms are known by
    shape; any other content word there is a verb too ("I load tested", "I redrew"), since
    a subject is followed by its verb, unless it states a thought or a wish."""
    if is_past_verb(raw):
        return True
    return raw.isalpha() and raw not in STOPWORDS and raw not in NOT_ACTIONS


def _own_verbs(tokens: list[Token], subjects: frozenset[str]) -> list[str]:
    """'I called', 'I then wrote': a subject followed by a past-tense verb."""
    verbs: list[str] = []
    for i, t in enumerate(tokens):
        if t.raw not in subjects:
            continue
        j = i + 1
        while j < len(tokens) and j <= i + 2 and tokens[j].raw in ADVERBS:
            j += 1
        if j >= len(tokens) or not _is_deed(tokens[j].raw):
            continue
        after = tokens[j + 1].raw if j + 1 < len(tokens) else ""
        if tokens[j].raw in SETTING_VERBS and after in SETTING_AFTER:
            continue  # "I worked at a bank" sets the scene
        verbs.append(f"{t.raw} {tokens[j].raw}")
    return verbs


# Capitalised words that are not people even mid-sentence.
NOT_NAMES = word_set("""
i january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
""")


def _spoken_words(tt: TokenizedTranscript, s: Sentence, tokens: list[Token]) -> list[str]:
    """Each token's word as it was said, capitals kept ("" where it cannot be told)."""
    said = s.text.split()
    first = tokens[0].word_index if tokens else 0
    return [said[t.word_index - first] if 0 <= t.word_index - first < len(said) else ""
            for t in tokens]


def _is_person(i: int, tokens: list[Token], spoken: list[str]) -> bool:
    """A person named mid-sentence ("Priya", "Tom") or a person by role ("the engineer")."""
    raw = tokens[i].raw
    if raw in PEOPLE:
        return True
    word = spoken[i].strip(".,;:!?\"'")
    return (i > 0 and word[:1].isupper() and word.isalpha() and raw not in NOT_NAMES
            and tokens[i - 1].raw not in ("the", "a", "an"))


def _others_acting(tokens: list[Token], spoken: list[str]) -> list[str]:
    """Someone other than the speaker doing something: "Jonas took", "the caretaker walked"."""
    found: list[str] = []
    for i in range(len(tokens) - 1):
        if _is_person(i, tokens, spoken) and is_past_verb(tokens[i + 1].raw):
            found.append(f"{tokens[i].raw} {tokens[i + 1].raw}")
    return found


def _delegated(tokens: list[Token], spoken: list[str]) -> list[str]:
    """The speaker handing work to someone: "I had Kofi talk", "I asked Priya to"."""
    found: list[str] = []
    for i, t in enumerate(tokens[:-2]):
        if t.raw != "i" or tokens[i + 1].raw not in DELEGATING:
            continue
        for j in range(i + 2, min(len(tokens), i + 5)):
            if _is_person(j, tokens, spoken) or tokens[j].raw == "one":
                found.append(f"i {tokens[i + 1].raw} {tokens[j].raw}")
                break
    return found


def _told_someone(tokens: list[Token], spoken: list[str]) -> list[str]:
    """The speaker telling people what was going on: "I emailed the finance director"."""
    found: list[str] = []
    for i, t in enumerate(tokens[:-1]):
        if t.raw not in ("i", "we"):
            continue
        j = i + 1
        if tokens[j].raw in ADVERBS and j + 1 < len(tokens):
            j += 1
        if tokens[j].raw not in TELLING:
            continue
        for k in range(j + 1, min(len(tokens), j + 1 + TELLING_REACH)):
            if tokens[k].raw in AUDIENCE or _is_person(k, tokens, spoken):
                found.append(f"{tokens[j].raw} {tokens[k].raw}")
                break
    return found


def _restored(tokens: list[Token]) -> list[str]:
    """A return to working order: "opened again", "came back", "back to normal"."""
    found: list[str] = []
    for i, t in enumerate(tokens):
        before = [b.raw for b in tokens[max(0, i - RECURRENCE_REACH):i]]
        if HOPE_BEFORE.intersection(before):
            continue
        if t.raw == "again" and not RECURRENCE_BEFORE_AGAIN.intersection(before):
            found.append(" ".join(before[-1:] + ["again"]))
        elif (t.raw == "back" and i > 0 and tokens[i - 1].raw not in REPLY_BEFORE_BACK
              and (i + 1 >= len(tokens) or tokens[i + 1].raw != "then")):
            found.append(f"{tokens[i - 1].raw} back")
    return found


def _past_perfect(tokens: list[Token]) -> list[str]:
    """"had changed", "had been blocked": what happened before, how a cause is told."""
    found: list[str] = []
    for i, t in enumerate(tokens[:-1]):
        if t.raw != "had":
            continue
        j = i + 1
        if j < len(tokens) and tokens[j].raw in ADVERBS:
            j += 1
        # "had to", "had a" are an obligation and a possession, not an earlier event.
        if j < len(tokens) and (tokens[j].raw == "been" or is_past_verb(tokens[j].raw)):
            found.append(f"had {tokens[j].raw}")
    return found


@dataclass(frozen=True)
class SentenceShape:
    """The raw shape features of one sentence, each with the words that show it."""

    time_place: list[str]
    opens_on_scene: bool
    state: list[str]
    obligation: list[str]
    constraint: list[str]
    deadlines: list[str]
    outcome_words: list[str]
    i_verbs: list[str]
    we_verbs: list[str]
    past_verbs: int  # every past-tense verb, whoever did it
    change: bool  # a change word: reduced, doubled, faster...
    sequence: bool
    measurable: list[str]
    figures: list[str]
    stems: list[str]
    raws: list[str]
    others_acting: list[str]  # someone else doing something: "Jonas took"
    delegated: list[str]  # "I had Kofi call", "I asked Priya to"
    told: list[str]  # "I emailed the director"
    restored: list[str]  # "opened again", "came back"
    past_perfect: list[str]  # "had changed", "had been blocked"

    @property
    def assignment(self) -> list[str]:
        return self.obligation + self.deadlines + self.constraint


def sentence_shapes(tt: TokenizedTranscript) -> list[SentenceShape]:
    measurable, figures = figure_sentences(tt)
    shapes: list[SentenceShape] = []
    for s in tt.sentences:
        tokens = tt.sentence_tokens(s)
        stems = [t.stem for t in tokens]
        spoken = _spoken_words(tt, s, tokens)
        years = [t.raw for t in tokens if YEAR.match(t.raw)]
        shapes.append(SentenceShape(
            time_place=TIME_PLACE.hits(stems) + years,
            opens_on_scene=bool(TIME_PLACE.hits(stems[:OPENING_WORDS])
                                or any(YEAR.match(t.raw) for t in tokens[:OPENING_WORDS])),
            state=STATE.hits([t.raw for t in tokens]) + _progressive(tokens),
            obligation=OBLIGATION.hits(stems),
            constraint=CONSTRAINT.hits(stems),
            deadlines=_deadlines(stems),
            outcome_words=OUTCOME.hits(stems),
            i_verbs=_own_verbs(tokens, I_SUBJECT),
            we_verbs=_own_verbs(tokens, WE_SUBJECT),
            past_verbs=sum(1 for t in tokens if is_past_verb(t.raw)),
            change=any(t.raw in CHANGE_WORDS for t in tokens),
            sequence=bool(tokens) and tokens[0].stem in SEQUENCE_WORDS,
            measurable=measurable.get(s.index, []),
            figures=[f for f in figures.get(s.index, []) if not YEAR.match(f)],
            stems=stems,
            raws=[t.raw for t in tokens],
            others_acting=_others_acting(tokens, spoken),
            delegated=_delegated(tokens, spoken),
            told=_told_someone(tokens, spoken),
            restored=_restored(tokens),
            past_perfect=_past_perfect(tokens)))
    return shapes


def _capped(hits: int, weight: float = HIT_WEIGHT) -> float:
    return min(SHAPE_CAP, weight * hits)


def _action_score(shape: SentenceShape) -> float:
    score = WE_VERB_WEIGHT * len(shape.we_verbs)
    if shape.i_verbs:
        more = max(0, shape.past_verbs - len(shape.i_verbs) - len(shape.we_verbs))
        score += I_VERB_WEIGHT * len(shape.i_verbs) + MORE_VERBS_WEIGHT * more
    if shape.sequence:
        score += SEQUENCE_WEIGHT
    return min(SHAPE_CAP, score)


def _outcome_score(shape: SentenceShape) -> float:
    if shape.measurable:
        own = shape.i_verbs and not shape.change
        figures = OWN_FIGURE_WEIGHT if own else MEASURABLE_WEIGHT
    else:
        figures = FIGURE_WEIGHT if shape.figures else 0.0
    if shape.obligation:
        figures *= TARGET_DAMPING
    others = OTHERS_WEIGHT if shape.past_verbs and not shape.i_verbs else 0.0
    # "They renewed", "sales grew": outcome words tell what happened; beside the speaker's
    # own verbs ("I agreed a rota") they more often tell what was done.
    words = HIT_WEIGHT * len(shape.outcome_words) * (OWN_OUTCOME_SHARE if shape.i_verbs else 1.0)
    return min(SHAPE_CAP, figures + others + words)


@dataclass(frozen=True)
class StageShape:
    """How one stage of a framework is recognised by its shape."""

    role: str | None
    share: float
    own_words: Lexicon | None  # for a stage whose role is not known: its name and hint

    @classmethod
    def of(cls, stage: Stage) -> StageShape:
        role = ROLE_OF_NAME.get(stage.name.strip().lower())
        if role is not None:
            return cls(role, ROLE_SHARE[role], None)
        words = [w for w in normalise_words(f"{stage.name} {stage.hint}")
                 if w not in STOPWORDS and len(w) > 2]
        return cls(None, 0.0, Lexicon.of(",".join(words)))

    def score(self, shape: SentenceShape) -> tuple[float, str | None]:
        """(score, what showed it) for one sentence."""
        role = self.role
        if role is None:
            hits = self.own_words.hits(shape.stems) if self.own_words else []
            return _capped(len(hits)), _basis("its own words", hits)
        if role == "action":
            verbs = shape.i_verbs + shape.we_verbs
            return _action_score(shape), _basis("your own actions", verbs)
        if role == "outcome":
            shown = shape.measurable or shape.outcome_words
            return _outcome_score(shape), _basis(
                "a measurable result" if shape.measurable else ROLE_WORDS[role], shown)
        if role == "setting":
            # A time named as a deadline is the task's, not the scene's.
            times = max(0, len(shape.time_place) - len(shape.deadlines))
            score = min(SHAPE_CAP, HIT_WEIGHT * (times + shape.opens_on_scene)
                        + STATE_WEIGHT * len(shape.state))
            return score, _basis(ROLE_WORDS[role], shape.time_place + shape.state)
        if role == "assignment":
            score = min(SHAPE_CAP, OBLIGATION_WEIGHT * len(shape.obligation)
                        + HIT_WEIGHT * (len(shape.deadlines) + len(shape.constraint)))
            return score, _basis(ROLE_WORDS[role], shape.assignment)
        hits = ROLE_LEXICON[role].hits(shape.stems, shape.raws) + _role_shape(role, shape)
        score = _capped(len(hits))
        if role == "communicate" and shape.delegated:
            score = min(SHAPE_CAP, score + DELEGATION_WEIGHT - HIT_WEIGHT)
        if role in ACTION_LIKE:
            score = min(SHAPE_CAP, score + 0.5 * _action_score(shape))
        elif role == "evaluate":
            score = min(SHAPE_CAP, score + 0.5 * _outcome_score(shape))
        elif role == "comprehend":
            score = min(SHAPE_CAP, score + 0.5 * _capped(len(shape.time_place)))
        return score, _basis(ROLE_WORDS[role], hits)


def _role_shape(role: str, shape: SentenceShape) -> list[str]:
    """What a CIRCLES stage's sentences show besides its words, each counted as one hit:
    the impact told as a scene in progress or a count, the cause as what had happened
    before, the report as telling people, the hand-out as other people doing things, the
    fix as things working again."""
    if role == "comprehend":
        return shape.state + ([] if shape.change else shape.figures[:1])
    if role == "identify":
        return shape.past_perfect
    if role == "communicate":
        return shape.delegated + shape.others_acting
    if role == "lead":
        return shape.restored
    if role == "report":
        return shape.told
    return []


def _basis(kind: str, shown: list[str]) -> str | None:
    if not shown:
        return None
    return f"{kind} ({', '.join(shown[:3])})"


def sentence_share_centres(sentences: list[Sentence], start: float, end: float) -> list[float]:
    """Where each sentence lies in the answer, 0 at its start and 1 at its end."""
    total = max(end - start, 1e-6)
    return [min(1.0, max(0.0, ((s.start_s + s.end_s) / 2 - start) / total)) for s in sentences]
