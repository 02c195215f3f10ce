"""The local LLM's judgements folded into the coach's own checklist and timeline.

The word matcher can only fail to hear a key point; the LLM reads meaning but can invent
a quote. So the LLM may settle a point the words did not hear only with a quote that
really occurs in the transcript: the quote is located word for word, and its time is the
transcript's, never the LLM's. A claim whose quote is not there changes nothing. Where
the words and the LLM disagree, both are kept on the point (``llm`` and ``disagreement``)
rather than one silently winning. The LLM's stage reviews carry no quote, so they never
change a stage; a stage that was not clearly heard (or absent) shows the LLM's
assessment beside it.

Folding is repeatable: a point the LLM settled keeps the words' own judgement under
``words`` and gets it back before the next review is folded in.
"""

from __future__ import annotations

from typing import Any

from models.coach.key_points import NOT_HEARD, not_heard_message
from models.coach.text_match import TokenizedTranscript, locate_quote, tokenize
from models.transcript import Transcript

SAID = ("covered", "partial")
SETTLED_BY = "the local LLM, with a quote found in the transcript"


def _key(text: str) -> str:
    return " ".join(text.casefold().rstrip(".").split())


def _restore(point: dict[str, Any]) -> None:
    """Undo a previous fold: the words' own judgement, without the LLM's."""
    words = point.get("words")
    if isinstance(words, dict):
        point.update(words)
    # Null rather than removed: the feedback model writes every field.
    point.update(words=None, llm=None, disagreement=None)


def _quoted(quote: str, tt: TokenizedTranscript, transcript: Transcript
            ) -> tuple[str, float] | None:
    """The quote as the transcript has it, and when it was said; None when not said."""
    span = locate_quote(quote, tt)
    if span is None:
        return None
    first, last = tt.tokens[span[0]], tt.tokens[span[1] - 1]
    # Token word indices count the words tokenize kept: the non-blank ones.
    spoken = [w for w in transcript.words if w.word.strip()]
    words = spoken[first.word_index: last.word_index + 1]
    return " ".join(w.word.strip() for w in words), round(first.start_s, 2)


def _fold_point(point: dict[str, Any], review: dict[str, Any], tt: TokenizedTranscript,
                transcript: Transcript) -> bool:
    """Fold one LLM review into one point; True when it settled a not-heard point."""
    status = review.get("status")
    quote = str(review.get("evidence") or "")
    if status in SAID:
        found = _quoted(quote, tt, transcript) if quote else None
        if found is None:
            return False  # an unchecked claim changes nothing
        said, at = found
        llm = {"status": status, "evidence": said, "at_s": at}
        if point["status"] == NOT_HEARD:
            point["words"] = {k: point.get(k) for k in
                              ("status", "evidence", "start_s", "matched_by")}
            point.update(status=status, evidence=said, start_s=at, matched_by=SETTLED_BY,
                         llm=llm)
            return True
        point["llm"] = llm
        if status != point["status"]:
            point["disagreement"] = (f"the words found it {point['status']}, the local LLM "
                                     f"{status}")
        return False
    if status == "missing":
        point["llm"] = {"status": "missing", "evidence": None, "at_s": None}
        if point["status"] in SAID:
            point["disagreement"] = (f"the words found it {point['status']}, the local LLM "
                                     "did not")
    return False


def _not_heard_notes(result: dict[str, Any], points: list[dict[str, Any]],
                     settled: set[str]) -> None:
    """Drop the not-heard note of a point the LLM settled; give one back to a point a
    previous review had settled and this one did not (whole-answer info notes go last)."""
    notes = [n for n in result.get("notes") or []
             if not (n.get("source") == "coach" and n.get("message") in settled)]
    present = {n.get("message") for n in notes}
    for point in points:
        message = not_heard_message(point["text"])
        if point["status"] == NOT_HEARD and message not in present:
            notes.append({"at_s": None, "severity": "info", "message": message,
                          "source": "coach"})
    result["notes"] = notes


def fold_llm_review(result: dict[str, Any]) -> dict[str, Any]:
    """Fold ``result["llm"]`` into ``result``'s key points and stages (in place)."""
    points = result.get("key_points") or []
    for point in points:
        _restore(point)
    stages = (result.get("structure") or {}).get("stages") or []
    for stage in stages:
        stage["llm_assessment"] = None
    llm = result.get("llm")
    if not llm:
        _not_heard_notes(result, points, set())
        return result
    transcript = Transcript.from_dict(result.get("transcript") or {})
    tt = tokenize(transcript)
    reviews = {_key(str(r.get("text", ""))): r for r in llm.get("key_points") or []}
    settled: set[str] = set()
    for point in points:
        review = reviews.get(_key(point["text"]))
        if review is not None and _fold_point(point, review, tt, transcript):
            settled.add(not_heard_message(point["text"]))
    _not_heard_notes(result, points, settled)
    assessments = {_key(str(r.get("stage", ""))): str(r.get("assessment", ""))
                   for r in llm.get("structure") or []}
    for stage in stages:
        if stage.get("confidence") in ("not_clearly_heard", "absent"):
            said = assessments.get(_key(stage["name"]))
            if said:
                stage["llm_assessment"] = said
    return result
