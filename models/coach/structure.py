"""Split an answer into its framework's stages (STAR, CAR, CIRCLES, inline): from cue
phrases, from the shape of what is said, and from where it is said.

Each sentence scores every stage three ways. Cue phrases (the framework's cues and the
stage name) are exact evidence; a cue made of common function words ("we had", "so i")
counts for less than one with content words ("my task was"). Shape evidence comes from
``stage_shapes``: time and place words for a set-up, an ask, goal, deadline or constraint
for a task, the speaker's own verbs for an action, a measurable result or outcome words for
a result. Position adds a weak prior: each stage is expected around its usual part of an
answer, in order. The stage sequence is then chosen for the whole answer, Viterbi style:
moving on to a later stage is free, going back costs a penalty, so one stray cue does not
reorder the answer while a clear return to an earlier stage still shows.

How sure each stage is (``confidence``): ``clear`` when a cue of it was said, ``likely``
when its sentences have its shape, ``not_clearly_heard`` when sentences stand where it
belongs but nothing in them shows it, and ``absent`` only when the answer has nothing in
its position at all. A stage that is not absent keeps its span on the timeline
(``present``); ``inferred`` says no cue of it was heard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interview_scripts.frameworks import Framework
from interview_scripts.time_guide import TimeGuide
from models.coach.notes import Note, clock, duration_words, guide_words
from models.coach.stage_shapes import (
    OUTCOME_ROLES,
    SEQUENCE_WORDS,
    StageShape,
    is_past_verb,
    sentence_shapes,
    sentence_share_centres,
)
from models.coach.text_match import STOPWORDS, Phrase, TokenizedTranscript, find_phrase

BACKWARD_PENALTY = 2.5
SWITCH_COST = 0.01  # breaks ties toward staying in the current stage
# A stage entered on a sentence that does not show it: a sentence that shows no stage
# continues the one before it rather than following the position prior into the next.
BLIND_ENTRY_COST = 0.3
# Per stage: an answer opens on its first stage unless its first sentence clearly shows a
# later one (a stray cue such as "our monitoring" in the opening is not enough).
OPENING_COST = 0.15
# A function word in a cue ("we", "had", "so") counts this much of a content word.
CUE_FUNCTION_WORD_WEIGHT = 0.5
SINGLE_WORD_CUE_WEIGHT = 0.6
# Per unit of answer share that a sentence lies outside a stage's expected part.
POSITION_WEIGHT = 2.0
POSITION_SLACK = 0.05
# A sentence shows a stage by its shape from this score; below it the sentence is neutral.
LIKELY_MIN = 0.55
SETUP_SHARE_LIMIT = 1 / 3
SETUP_SHARE_TOLERANCE = 0.05
RESULT_MIN_SHARE = 0.10
RESULT_LATE_FRACTION = 0.9
SETUP_STAGES = {"STAR": ("Situation", "Task"), "CAR": ("Context",)}
OUTCOME_STAGE_NAMES = ("result", "evaluate", "outcome", "impact")

CLAUSE_OPENERS = frozenset({"and", "then", "so", "but"})
# Stage names that are verbs, and also nouns in other senses ("the team lead", "crash reports").
VERB_STAGE_NAMES = frozenset({"comprehend", "identify", "report", "communicate", "lead",
                              "evaluate"})
DETERMINERS = frozenset({"a", "an", "the", "our", "my", "their", "his", "her", "its", "your",
                         "this", "that", "these", "those", "each", "every", "some", "any"})
CLEAR, LIKELY, UNCLEAR, ABSENT = "clear", "likely", "not_clearly_heard", "absent"


@dataclass(frozen=True)
class _Hit:
    stage: int
    cue: str
    start_s: float
    weight: float


def cue_weight(phrase: Phrase) -> float:
    """A cue's evidence: its content words count fully, its function words half, and a
    one-word cue ("first", "next", "lead") less, since it is said in many other senses."""
    weight = sum(CUE_FUNCTION_WORD_WEIGHT if r in STOPWORDS else 1.0 for r in phrase.raws)
    return weight * SINGLE_WORD_CUE_WEIGHT if len(phrase.raws) == 1 else weight


def _in_sequence_sense(phrase: Phrase, tt: TokenizedTranscript, at: int) -> bool:
    """A one-word sequence cue ("first", "next", "finally") marks a stage only where it
    opens a sentence or clause; "the next version", "the first rush" are something else."""
    if len(phrase.stems) != 1 or phrase.stems[0] not in SEQUENCE_WORDS:
        return True
    token = tt.tokens[at]
    if at == tt.sentences[token.sentence].first_token:
        return True
    before = tt.tokens[at - 1]
    return before.comma_after or before.raw in CLAUSE_OPENERS


def _in_verb_sense(phrase: Phrase, tt: TokenizedTranscript, at: int, verb_named: bool,
                   name: str) -> bool:
    """A stage named by a verb ("Lead", "Report") is cued by its one-word cues said as
    verbs, not as the second word of a noun: "the marketing lead", "crash reports", "a
    firmware update". Its own name after a determiner ("the lead") is a noun too."""
    if not verb_named or len(phrase.raws) != 1:
        return True
    token = tt.tokens[at]
    if at == tt.sentences[token.sentence].first_token:
        return True
    before = tt.tokens[at - 1].raw
    if before in STOPWORDS:
        return not (phrase.raws[0] == name and before in DETERMINERS)
    # After a content word: a verb before it ("helped update") leaves it a verb.
    return is_past_verb(before) or before.endswith("ing")


def _sentence_hits(framework: Framework, tt: TokenizedTranscript) -> list[list[_Hit]]:
    # The stage name counts as a cue too, once ("Lead" is also one of its cues).
    cues = [list({p.raws: p for p in (Phrase.of(c) for c in (*stage.cues, stage.name))}.values())
            for stage in framework.stages]
    names = [s.name.strip().lower() for s in framework.stages]
    hits: list[list[_Hit]] = [[] for _ in tt.sentences]
    for k, phrases in enumerate(cues):
        for phrase in phrases:
            for a, _ in find_phrase(phrase, tt):
                token = tt.tokens[a]
                if not (_in_sequence_sense(phrase, tt, a)
                        and _in_verb_sense(phrase, tt, a, names[k] in VERB_STAGE_NAMES,
                                           names[k])):
                    continue
                hits[token.sentence].append(_Hit(k, phrase.text, token.start_s,
                                                 cue_weight(phrase)))
    return hits


def _expected_parts(shapes: list[StageShape]) -> list[tuple[float, float]]:
    """The part of the answer (0..1) each stage usually takes, in framework order."""
    known = [s.share for s in shapes if s.role is not None]
    # A stage of unknown role gets an equal part of what the known ones leave.
    rest = max(0.0, 1.0 - sum(known))
    unknown = len(shapes) - len(known)
    shares = [s.share if s.role is not None else (rest / unknown if rest > 0 else 1.0 / len(shapes))
              for s in shapes]
    total = sum(shares) or 1.0
    parts: list[tuple[float, float]] = []
    at = 0.0
    for share in shares:
        parts.append((at / total - POSITION_SLACK, (at + share) / total + POSITION_SLACK))
        at += share
    return parts


def _position_prior(centre: float, part: tuple[float, float]) -> float:
    low, high = part
    outside = max(0.0, low - centre, centre - high)
    return -POSITION_WEIGHT * outside


def _best_path(scores: list[list[float]], n_stages: int, shown: list[list[bool]]
               ) -> list[int]:
    n = len(scores)
    best = [[0.0] * n_stages for _ in range(n)]
    back = [[0] * n_stages for _ in range(n)]
    for s in range(n_stages):
        # Opening in a later stage costs more than switching to it later: evidence-less
        # opening sentences go to the first stage.
        best[0][s] = scores[0][s] - OPENING_COST * s
    for i in range(1, n):
        for s in range(n_stages):
            choice, value = s, best[i - 1][s]
            for p in range(n_stages):
                if p == s:
                    continue
                cost = BACKWARD_PENALTY if p > s else SWITCH_COST
                if not shown[i][s]:
                    cost += BLIND_ENTRY_COST
                if best[i - 1][p] - cost > value:
                    choice, value = p, best[i - 1][p] - cost
            best[i][s] = value + scores[i][s]
            back[i][s] = choice
    state = max(range(n_stages), key=lambda s: (best[-1][s], -s))
    path = [state]
    for i in range(n - 1, 0, -1):
        state = back[i][state]
        path.append(state)
    return path[::-1]


def _shows(si: int, stage: int, hits: list[list[_Hit]], shape_scores: list[list[float]]) -> bool:
    """Whether sentence ``si`` carries any evidence of ``stage`` (a cue or its shape)."""
    return (any(h.stage == stage for h in hits[si])
            or shape_scores[si][stage] >= LIKELY_MIN)


def _fill_gaps(path: list[int], n_stages: int, hits: list[list[_Hit]],
               shape_scores: list[list[float]]) -> list[int]:
    """Give a stage the path skipped the sentences at its place that could be it.

    The decoder puts a sentence that shows no stage wherever the position prior leans; if a
    stage between its neighbours got nothing, such sentences at the boundary could be it,
    so the stage is not called absent. Failing those, a boundary sentence that shows the
    skipped stage at least as well as its own (by shape) moves to it, when its own stage
    keeps other evidence. A stage is left absent only when nothing at its place could be it.
    """
    path = list(path)
    if not path or any(b < a for a, b in zip(path, path[1:], strict=False)):
        return path  # an answer told out of order keeps the decoder's reading

    def shows(i: int, stage: int) -> bool:
        return _shows(i, stage, hits, shape_scores)

    def kept_elsewhere(i: int) -> bool:
        return any(path[j] == path[i] and shows(j, path[j]) for j in range(len(path)) if j != i)

    for k in range(n_stages):
        if k in path:
            continue
        # Where stage k would stand: after the last sentence of an earlier stage.
        boundary = sum(1 for s in path if s < k)
        chosen: list[int] = []
        # Trailing neutral sentences of the earlier stage (keeping at least one for it).
        i = boundary - 1
        while i > 0 and not shows(i, path[i]) and path[i - 1] == path[i]:
            chosen.append(i)
            i -= 1
        if not chosen:
            # Leading neutral sentences of the later stage (keeping at least one for it).
            i = boundary
            while i + 1 < len(path) and not shows(i, path[i]) and path[i + 1] == path[i]:
                chosen.append(i)
                i += 1
        if not chosen:
            both = [i for i in (boundary - 1, boundary) if 0 <= i < len(path)
                    and shape_scores[i][k] >= max(LIKELY_MIN, shape_scores[i][path[i]])
                    and kept_elsewhere(i)]
            chosen = sorted(both, key=lambda i: -shape_scores[i][k])[:1]
        for i in chosen:
            path[i] = k
    return path


def _empty(framework: Framework) -> dict[str, Any]:
    return {"framework": framework.name, "stages": [
        {"name": s.name, "present": False, "inferred": False, "start_s": None, "end_s": None,
         "share": 0.0, "cue": None, "confidence": ABSENT, "basis": None}
        for s in framework.stages],
        "order": [], "order_ok": None if framework.is_none else True, "budget": []}


def analyse_structure(framework: Framework, tt: TokenizedTranscript, answer_start: float,
                      answer_end: float, guide: TimeGuide | None
                      ) -> tuple[dict[str, Any], list[Note]]:
    result = _empty(framework)
    if framework.is_none or not tt.sentences:
        if not framework.is_none:
            result["order_ok"] = None
        return result, []
    n_stages = len(framework.stages)
    sentences = tt.sentences
    hits = _sentence_hits(framework, tt)
    stage_shapes = [StageShape.of(stage) for stage in framework.stages]
    shapes = sentence_shapes(tt)
    judged = [[stage_shapes[k].score(shape) for k in range(n_stages)] for shape in shapes]
    shape_scores = [[score for score, _ in row] for row in judged]
    parts = _expected_parts(stage_shapes)
    centres = sentence_share_centres(sentences, answer_start, answer_end)
    scores = [[shape_scores[si][k] + _position_prior(centres[si], parts[k])
               for k in range(n_stages)] for si in range(len(sentences))]
    for si, sentence_hits in enumerate(hits):
        for h in sentence_hits:
            scores[si][h.stage] += h.weight
    shown = [[_shows(si, k, hits, shape_scores) for k in range(n_stages)]
             for si in range(len(sentences))]
    path = _fill_gaps(_best_path(scores, n_stages, shown), n_stages, hits, shape_scores)

    # Runs of consecutive sentences in one stage; a run lasts until the next run starts.
    runs: list[tuple[int, int, int]] = []  # (stage, first sentence, last sentence)
    for si, stage in enumerate(path):
        if runs and runs[-1][0] == stage:
            runs[-1] = (stage, runs[-1][1], si)
        else:
            runs.append((stage, si, si))
    total = max(answer_end - answer_start, 1e-6)
    stages = result["stages"]
    order: list[dict[str, Any]] = []
    for r, (stage, first, last) in enumerate(runs):
        start = answer_start if r == 0 else sentences[first].start_s
        end = sentences[runs[r + 1][1]].start_s if r + 1 < len(runs) else answer_end
        entry = stages[stage]
        span_start = sentences[first].start_s
        if not entry["present"]:
            entry.update(present=True, start_s=round(span_start, 2))
        entry["end_s"] = round(sentences[last].end_s, 2)
        entry["share"] = round(entry["share"] + max(0.0, end - start) / total, 3)
        order.append({"name": framework.stages[stage].name, "start_s": round(span_start, 2)})
    for k, entry in enumerate(stages):
        if entry["present"]:
            _judge(entry, k, path, hits, judged)
    order_ok = all(b >= a for a, b in zip(path, path[1:], strict=False))
    result["order"] = order
    result["order_ok"] = order_ok
    notes = _notes(framework, result, runs, sentences, answer_start, answer_end, guide,
                   stage_shapes)
    return result, notes


def _judge(entry: dict[str, Any], k: int, path: list[int], hits: list[list[_Hit]],
           judged: list[list[tuple[float, str | None]]]) -> None:
    """Set a present stage's cue, confidence and basis from the sentences it holds."""
    held = [si for si, stage in enumerate(path) if stage == k]
    cue_hits = sorted((h for si in held for h in hits[si] if h.stage == k),
                      key=lambda h: (h.start_s, -h.weight))
    if cue_hits:
        entry["cue"] = {"text": cue_hits[0].cue, "at_s": round(cue_hits[0].start_s, 2)}
        entry.update(confidence=CLEAR, inferred=False, basis=f"cue '{cue_hits[0].cue}'")
        return
    score, basis = max((judged[si][k] for si in held), key=lambda sb: sb[0])
    if score >= LIKELY_MIN and basis:
        entry.update(confidence=LIKELY, inferred=True, basis=basis)
    else:
        entry.update(confidence=UNCLEAR, inferred=True, basis="its place in the answer")


def _notes(framework: Framework, result: dict[str, Any], runs: list[tuple[int, int, int]],
           sentences: list[Any], answer_start: float, answer_end: float,
           guide: TimeGuide | None, stage_shapes: list[StageShape]) -> list[Note]:
    notes: list[Note] = []
    stages = result["stages"]
    names = [s.name for s in framework.stages]
    total = max(answer_end - answer_start, 1e-6)
    for k, entry in enumerate(stages):
        outcome = (names[k].lower() in OUTCOME_STAGE_NAMES
                   or stage_shapes[k].role in OUTCOME_ROLES)
        hint = framework.stages[k].hint
        advice = f": {hint[0].lower()}{hint[1:]}" if hint else "."
        if not entry["present"]:
            notes.append(Note(None, "problem" if outcome else "warning",
                              f"No {names[k]} stage was heard{advice}"))
        elif entry["confidence"] == UNCLEAR:
            # Something stands where the stage belongs: say so, do not call it absent.
            at = entry["start_s"]
            notes.append(Note(at, "warning" if outcome else "info",
                              f"At {clock(at)} the {names[k]} was not clearly heard; if this "
                              f"part is your {names[k]}, make it plain{advice}"))
    # Going back to an earlier stage after a later one.
    for prev, cur in zip(runs, runs[1:], strict=False):
        if cur[0] < prev[0]:
            at = sentences[cur[1]].start_s
            notes.append(Note(at, "warning", f"At {clock(at)} the answer goes back to "
                                             f"{names[cur[0]]} after {names[prev[0]]}; keep "
                                             "the stages in order."))
    budget: list[dict[str, Any]] = []
    setup = SETUP_STAGES.get(framework.name.upper())
    if setup:
        share = sum(e["share"] for e in stages if e["name"] in setup and e["present"])
        ok = share <= SETUP_SHARE_LIMIT + SETUP_SHARE_TOLERANCE
        label = " and ".join(setup)
        budget.append({"rule": f"{label} take at most about a third of the answer",
                       "ok": ok, "share": round(share, 3)})
        if not ok:
            after = next((e for e in stages if e["present"] and e["name"] not in setup), None)
            at = after["start_s"] if after else None
            notes.append(Note(at, "warning",
                              f"{label} took {duration_words(share * total)} ({share:.0%}) of the "
                              "answer; keep the set-up to about a third and spend the time on "
                              "what you did." if at is None else
                              f"At {clock(at)} the set-up ({label}) finally ends after "
                              f"{share:.0%} of the answer; keep it to about a third."))
    outcome_entries = [e for e in stages if e["name"].lower() in OUTCOME_STAGE_NAMES]
    for entry in outcome_entries:
        if not entry["present"]:
            budget.append({"rule": f"{entry['name']} is present", "ok": False, "share": 0.0})
            continue
        start = entry["start_s"]
        late = (start - answer_start) / total > RESULT_LATE_FRACTION
        thin = entry["share"] < RESULT_MIN_SHARE
        ok = not (late or thin)
        budget.append({"rule": f"{entry['name']} is present and given room, not squeezed "
                               "into the last seconds", "ok": ok, "share": entry["share"]})
        if not ok:
            left = answer_end - start
            context = (f"too late for a {guide_words(guide.text)} answer" if guide is not None
                       else f"leaving it only {duration_words(left)}")
            notes.append(Note(start, "warning",
                              f"At {clock(start)} the {entry['name']} starts — {context}; "
                              "give the outcome about a fifth of your time."))
    result["budget"] = budget
    return notes
