"""Split an answer into its framework's stages (STAR, CAR, CIRCLES, inline) from cue phrases.

Each sentence scores the stages whose cue phrases it contains (a longer cue counts for
more). The stage sequence is then chosen as a whole, Viterbi style: moving on to a later
stage is free, going back costs a penalty, so one stray cue ("finally", "learned") does
not reorder the answer, while a clear return to an earlier stage still shows. Sentences
before the first cue of any later stage are taken as the first stage (an answer opens
by setting the scene); such a stage is marked ``inferred``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interview_scripts.frameworks import Framework
from interview_scripts.time_guide import TimeGuide
from models.coach.notes import Note, clock, duration_words, guide_words
from models.coach.text_match import Phrase, TokenizedTranscript, find_phrase

BACKWARD_PENALTY = 2.5
SWITCH_COST = 0.01  # breaks ties toward staying in the current stage
SETUP_SHARE_LIMIT = 1 / 3
SETUP_SHARE_TOLERANCE = 0.05
RESULT_MIN_SHARE = 0.10
RESULT_LATE_FRACTION = 0.9
SETUP_STAGES = {"STAR": ("Situation", "Task"), "CAR": ("Context",)}
OUTCOME_STAGE_NAMES = ("result", "evaluate", "outcome", "impact")


@dataclass(frozen=True)
class _Hit:
    stage: int
    cue: str
    start_s: float
    weight: float


def _sentence_hits(framework: Framework, tt: TokenizedTranscript) -> list[list[_Hit]]:
    cues = [[Phrase.of(c) for c in stage.cues] + [Phrase.of(stage.name)]
            for stage in framework.stages]
    hits: list[list[_Hit]] = [[] for _ in tt.sentences]
    for k, phrases in enumerate(cues):
        for phrase in phrases:
            for a, _ in find_phrase(phrase, tt):
                token = tt.tokens[a]
                hits[token.sentence].append(_Hit(k, phrase.text, token.start_s,
                                                 float(len(phrase.raws))))
    return hits


def _best_path(scores: list[list[float]], n_stages: int) -> list[int]:
    n = len(scores)
    best = [[0.0] * n_stages for _ in range(n)]
    back = [[0] * n_stages for _ in range(n)]
    for s in range(n_stages):
        # Opening in a later stage costs more than switching to it later: cue-less
        # opening sentences go to the first stage.
        best[0][s] = scores[0][s] - 2 * SWITCH_COST * s
    for i in range(1, n):
        for s in range(n_stages):
            choice, value = s, best[i - 1][s]
            for p in range(n_stages):
                if p == s:
                    continue
                cost = BACKWARD_PENALTY if p > s else SWITCH_COST
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


def _empty(framework: Framework) -> dict[str, Any]:
    return {"framework": framework.name, "stages": [
        {"name": s.name, "present": False, "inferred": False, "start_s": None, "end_s": None,
         "share": 0.0, "cue": None} for s in framework.stages],
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
    hits = _sentence_hits(framework, tt)
    scores = [[0.0] * n_stages for _ in tt.sentences]
    for si, sentence_hits in enumerate(hits):
        for h in sentence_hits:
            scores[si][h.stage] += h.weight
    path = _best_path(scores, n_stages)

    # Runs of consecutive sentences in one stage; a run lasts until the next run starts.
    runs: list[tuple[int, int, int]] = []  # (stage, first sentence, last sentence)
    for si, stage in enumerate(path):
        if runs and runs[-1][0] == stage:
            runs[-1] = (stage, runs[-1][1], si)
        else:
            runs.append((stage, si, si))
    total = max(answer_end - answer_start, 1e-6)
    sentences = tt.sentences
    stages = result["stages"]
    order: list[dict[str, Any]] = []
    for r, (stage, first, last) in enumerate(runs):
        start = answer_start if r == 0 else sentences[first].start_s
        end = sentences[runs[r + 1][1]].start_s if r + 1 < len(runs) else answer_end
        cue_hits = sorted((h for si in range(first, last + 1) for h in hits[si] if h.stage == stage),
                          key=lambda h: (h.start_s, -h.weight))
        entry = stages[stage]
        span_start = sentences[first].start_s
        if not entry["present"]:
            entry.update(present=True, start_s=round(span_start, 2),
                         inferred=not cue_hits)
        entry["end_s"] = round(sentences[last].end_s, 2)
        entry["share"] = round(entry["share"] + max(0.0, end - start) / total, 3)
        if cue_hits and entry["cue"] is None:
            entry["cue"] = {"text": cue_hits[0].cue, "at_s": round(cue_hits[0].start_s, 2)}
        order.append({"name": framework.stages[stage].name, "start_s": round(span_start, 2)})
    # A stage the path visited only because nothing else was said yet counts only when it
    # opens the answer; anywhere else a stage without a single cue was not really heard.
    for k, entry in enumerate(stages):
        if entry["present"] and entry["inferred"] and not (k == 0 and path[0] == 0):
            entry.update(present=False, start_s=None, end_s=None, share=0.0, inferred=False)
    order_ok = all(b >= a for a, b in zip(path, path[1:], strict=False))
    result["order"] = order
    result["order_ok"] = order_ok
    notes = _notes(framework, result, runs, sentences, answer_start, answer_end, guide)
    return result, notes


def _notes(framework: Framework, result: dict[str, Any], runs: list[tuple[int, int, int]],
           sentences: list[Any], answer_start: float, answer_end: float,
           guide: TimeGuide | None) -> list[Note]:
    notes: list[Note] = []
    stages = result["stages"]
    names = [s.name for s in framework.stages]
    total = max(answer_end - answer_start, 1e-6)
    for k, entry in enumerate(stages):
        if entry["present"]:
            continue
        outcome = names[k].lower() in OUTCOME_STAGE_NAMES
        hint = framework.stages[k].hint
        notes.append(Note(None, "problem" if outcome else "warning",
                          f"No {names[k]} stage was heard" + (f": {hint[0].lower()}{hint[1:]}"
                                                               if hint else ".")))
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
