"""Which of the question's key points the answer covered, with the sentence that shows it.

A key point counts as covered when one of its cue phrases was said, or when most of its
own content words appear within two neighbouring sentences; some of them make it
partial. Matching is on stems with fuzzy spelling, so "post-mortem", "postmortem" and
"post mortem" agree. It is word matching, not understanding: it can find evidence of a
point, but it cannot know a point is missing, because the candidate may have made it in
words of their own. A point without evidence is therefore ``not_heard`` ("not heard in
these words"), never ``missing``.
"""

from __future__ import annotations

from typing import Any

from interview_scripts.script import KeyPoint
from models.coach.notes import Note, clock
from models.coach.text_match import (
    Phrase,
    TokenizedTranscript,
    content_phrases,
    find_phrase,
    word_set,
)

# Words that say how to answer rather than what to say ("Describe the rollback").
INSTRUCTION_WORDS = word_set("""
mention mentions mentioning describe describes explain explains say says state states show
shows give gives name names discuss talk include includes cover highlight share demonstrate
clearly clear example examples specific specifically point points candidate answer good
strong briefly brief
""")
NOT_HEARD = "not_heard"
COVERED_SHARE = 0.6
PARTIAL_SHARE = 0.3
WINDOW_SENTENCES = 2


def _coverage(units: list[Phrase], tt: TokenizedTranscript, first: int, past: int
              ) -> tuple[float, int, int | None]:
    """(share of units matched, matched count, first matching token) in a token range."""
    matched = 0
    first_token: int | None = None
    for unit in units:
        hits = find_phrase(unit, tt, first, past)
        if hits:
            matched += 1
            first_token = hits[0][0] if first_token is None else min(first_token, hits[0][0])
    share = matched / len(units) if units else 0.0
    return share, matched, first_token


def check_key_point(point: KeyPoint, tt: TokenizedTranscript) -> dict[str, Any]:
    out: dict[str, Any] = {"text": point.text, "status": NOT_HEARD, "evidence": None,
                           "start_s": None, "score": 0.0, "matched_by": None}
    sentences = tt.sentences
    if not sentences:
        return out
    for cue in (Phrase.of(c) for c in point.cues):
        hits = find_phrase(cue, tt)
        if hits:
            token = tt.tokens[hits[0][0]]
            sentence = sentences[token.sentence]
            out.update(status="covered", evidence=sentence.text, start_s=round(token.start_s, 2),
                       score=1.0, matched_by=f"cue '{cue.text}'")
            return out
    units = content_phrases(point.text, INSTRUCTION_WORDS)
    if not units:
        return out
    best: tuple[float, int, int | None, int] = (0.0, 0, None, 0)  # share, matched, token, sentence
    for si in range(len(sentences)):
        last = sentences[min(si + WINDOW_SENTENCES - 1, len(sentences) - 1)]
        share, matched, at = _coverage(units, tt, sentences[si].first_token, last.last_token + 1)
        if (share, -si) > (best[0], -best[3]):
            best = (share, matched, at, si)
        if share >= 1.0:
            break
    share, matched, token_index, _ = best
    need = min(2, len(units))
    if share >= COVERED_SHARE and matched >= need:
        status = "covered"
    elif share >= PARTIAL_SHARE and matched >= 1:
        status = "partial"
    else:
        status = NOT_HEARD
    out["score"] = round(share, 2)
    if status != NOT_HEARD and token_index is not None:
        # The evidence is the sentence where the first matching word was said.
        token = tt.tokens[token_index]
        out.update(status=status, evidence=sentences[token.sentence].text,
                   start_s=round(token.start_s, 2),
                   matched_by=f"{matched} of {len(units)} key words")
    return out


def not_heard_message(text: str) -> str:
    """The note for a point without evidence: it may have been made in other words."""
    return (f"Key point not heard in these words: {text.rstrip('.')}; if you made it in your "
            "own words, say it plainly.")


def check_key_points(points: tuple[KeyPoint, ...], tt: TokenizedTranscript
                     ) -> tuple[list[dict[str, Any]], list[Note]]:
    results = [check_key_point(p, tt) for p in points]
    notes: list[Note] = []
    for r in results:
        if r["status"] == NOT_HEARD:
            notes.append(Note(None, "info", not_heard_message(r["text"])))
        elif r["status"] == "partial":
            notes.append(Note(r["start_s"], "info",
                              f"At {clock(r['start_s'])} you touch on '{r['text']}' but only "
                              "in passing; make it explicit."))
    return results, notes
