"""Common mistakes: the script's own (found by their cue phrases) and two the coach checks.

The built-in checks: no measurable result in an answer that should end with an outcome,
and a behavioural answer told with 'we' where the interviewer wants 'I'.
"""

from __future__ import annotations

from typing import Any

from interview_scripts.frameworks import Framework
from interview_scripts.script import Mistake
from models.coach.notes import Note, clock
from models.coach.text_match import Phrase, TokenizedTranscript, find_phrase

NO_RESULT = "No measurable result"
WE_NOT_I = "Says 'we' where the interviewer wants 'I'"


def _script_mistake(m: Mistake, tt: TokenizedTranscript) -> dict[str, Any]:
    out: dict[str, Any] = {"text": m.text, "flagged": False, "evidence": None, "start_s": None,
                           "checked": bool(m.cues), "source": "script"}
    for cue in (Phrase.of(c) for c in m.cues):
        hits = find_phrase(cue, tt)
        if hits:
            token = tt.tokens[hits[0][0]]
            out.update(flagged=True, evidence=tt.sentences[token.sentence].text,
                       start_s=round(token.start_s, 2))
            break
    return out


def check_mistakes(mistakes: tuple[Mistake, ...], framework: Framework, tt: TokenizedTranscript,
                   word_use: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Note]]:
    results = [_script_mistake(m, tt) for m in mistakes]
    spoke = bool(tt.tokens)
    if not framework.is_none:
        found = word_use["measurable_results"]
        results.append({"text": NO_RESULT, "flagged": spoke and not found,
                        "evidence": None if not found else found[0]["sentence"],
                        "start_s": None if not found else found[0]["start_s"],
                        "checked": spoke, "source": "coach"})
    if framework.name.upper() in ("STAR", "CAR"):
        i_count, we_count = word_use["i_count"], word_use["we_count"]
        flagged = we_count >= 4 and we_count > 1.5 * max(i_count, 1)
        results.append({"text": WE_NOT_I, "flagged": flagged,
                        "evidence": f"'we' {we_count} times, 'I' {i_count} times",
                        "start_s": None, "checked": spoke, "source": "coach"})
    notes: list[Note] = []
    for r in results:
        if not r["flagged"]:
            continue
        if r["text"] == NO_RESULT:
            notes.append(Note(None, "problem", "No measurable result was heard: give a number "
                                               "(time saved, percent, customers, money)."))
        elif r["source"] == "script":
            notes.append(Note(r["start_s"], "warning",
                              f"At {clock(r['start_s'])} a common mistake shows: {r['text']}"
                              + ("" if r["text"].endswith(".") else ".")))
    return results, notes
