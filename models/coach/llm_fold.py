"""The local LLM's judgements folded into the coach's own checklist and timeline.

The word matcher can only fail to hear a key point; the LLM reads meaning but can invent
a quote. So the LLM may settle a point the words did not hear only with a quote that
really occurs in the transcript: the quote is located word for word, and its time is the
transcript's, never the LLM's. A claim whose quote is not there changes nothing. Where
the words and the LLM disagree, both are kept on the point (``llm`` and ``disagreement``)
rather than one silently winning. Stages follow the same rule: a stage that was not clearly heard
becomes ``likely`` when the LLM quotes words inside its span; a quote elsewhere, or for a
stage the coach found absent, is shown as a disagreement and moves nothing on the
timeline. A stage that was not clearly heard (or absent) also shows the LLM's one-line
assessment beside it.

Folding is repeatable: a point the LLM settled keeps the words' own judgement under
``words`` and gets it back before the next review is folded in.
"""

from __future__ import annotations

from typing import Any

from models.coach.key_points import NOT_HEARD, not_heard_message
from models.coach.notes import clock, note_order
from models.coach.text_match import TokenizedTranscript, locate_quote, tokenize
from models.transcript import Transcript

SAID = ("covered", "partial")
SETTLED_BY = "the local LLM, with a quote found in the transcript"


def _key(text: str) -> str:
    return " ".join(text.casefold().rstrip(".").split())


def _restore(point: dict[str, Any], removed: list[tuple[int, dict[str, Any]]]) -> None:
    """Undo a previous fold: the words' own judgement, without the LLM's; the note the
    fold removed goes to ``removed`` with its place among the coach's notes."""
    words = point.get("words")
    if isinstance(words, dict):
        _keep_removed(words, removed)
        point.update({k: v for k, v in words.items() if k not in ("note", "note_at")})
    # Null rather than removed: the feedback model writes every field.
    point.update(words=None, llm=None, disagreement=None)


def _keep_removed(words: dict[str, Any], removed: list[tuple[int, dict[str, Any]]]) -> None:
    note, at = words.get("note"), words.get("note_at")
    if isinstance(note, dict) and isinstance(at, int):
        removed.append((at, note))


def _remove_note(note: dict[str, Any], notes: list[dict[str, Any]], words: dict[str, Any]
                 ) -> None:
    """Take a coach note out, remembering where it stood among the coach's notes."""
    coach = [n for n in notes if n.get("source") == "coach"]
    words.update(note=note, note_at=next(i for i, n in enumerate(coach) if n is note))
    notes.remove(note)


def _put_back(notes: list[dict[str, Any]], removed: list[tuple[int, dict[str, Any]]]
              ) -> list[dict[str, Any]]:
    """The notes with the removed ones back where they stood among the coach's notes."""
    notes = list(notes)
    for at, note in sorted(removed, key=lambda item: item[0]):
        coach = [i for i, n in enumerate(notes) if n.get("source") == "coach"]
        notes.insert(coach[at] if at < len(coach) else (coach[-1] + 1 if coach else
                                                        len(notes)), note)
    return sorted(notes, key=note_order)  # stable: the coach's own order is kept


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
                transcript: Transcript, notes: list[dict[str, Any]]) -> bool:
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
            words = {k: point.get(k) for k in ("status", "evidence", "start_s", "matched_by")}
            message = not_heard_message(point["text"])
            note = next((n for n in notes if n.get("source") == "coach"
                         and n.get("message") == message), None)
            if note is not None:
                _remove_note(note, notes, words)
            point.update(status=status, evidence=said, start_s=at, matched_by=SETTLED_BY,
                         llm=llm, words=words)
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


def _restore_stage(stage: dict[str, Any], removed: list[tuple[int, dict[str, Any]]]) -> None:
    """Undo a previous fold of a stage, its not-clearly-heard note included."""
    words = stage.get("words")
    if isinstance(words, dict):
        stage.update(confidence=words.get("confidence"), basis=words.get("basis"))
        _keep_removed(words, removed)
    stage.update(words=None, llm=None, disagreement=None, llm_assessment=None)


def _unclear_note(stage: dict[str, Any], notes: list[dict[str, Any]]) -> dict[str, Any] | None:
    text = f"the {stage['name']} was not clearly heard"
    return next((n for n in notes if n.get("source") == "coach" and text in n["message"]), None)


def _fold_stage(stage: dict[str, Any], review: dict[str, Any], tt: TokenizedTranscript,
                transcript: Transcript, notes: list[dict[str, Any]]) -> None:
    quote = str(review.get("evidence") or "")
    found = _quoted(quote, tt, transcript) if quote else None
    if found is None:
        return  # an unchecked claim changes nothing
    said, at = found
    stage["llm"] = {"evidence": said, "at_s": at}
    start, end = stage.get("start_s"), stage.get("end_s")
    # The span and the quote's time both come from the transcript's word times.
    inside = (stage.get("present") and start is not None and end is not None
              and start <= at <= end)
    if inside and stage.get("confidence") == "not_clearly_heard":
        words: dict[str, Any] = {"confidence": stage["confidence"], "basis": stage.get("basis")}
        note = _unclear_note(stage, notes)
        if note is not None:
            _remove_note(note, notes, words)
        stage["words"] = words
        stage.update(confidence="likely", basis=f"{SETTLED_BY} ({clock(at)})")
    elif not inside:
        where = f", the coach at {clock(start)}" if stage.get("present") and start is not None \
            else ", the coach found none"
        stage["disagreement"] = f"the local LLM hears it at {clock(at)}{where}"


def fold_llm_review(result: dict[str, Any]) -> dict[str, Any]:
    """Fold ``result["llm"]`` into ``result``'s key points and stages (in place)."""
    points = result.get("key_points") or []
    stages = (result.get("structure") or {}).get("stages") or []
    removed: list[tuple[int, dict[str, Any]]] = []
    for point in points:
        _restore(point, removed)
    for stage in stages:
        _restore_stage(stage, removed)
    notes = _put_back(result.get("notes") or [], removed)
    result["notes"] = notes
    llm = result.get("llm")
    if not llm:
        return result
    transcript = Transcript.from_dict(result.get("transcript") or {})
    tt = tokenize(transcript)
    reviews = {_key(str(r.get("text", ""))): r for r in llm.get("key_points") or []}
    for point in points:
        review = reviews.get(_key(point["text"]))
        if review is not None:
            _fold_point(point, review, tt, transcript, notes)
    stage_reviews = {_key(str(r.get("stage", ""))): r for r in llm.get("structure") or []}
    for stage in stages:
        review = stage_reviews.get(_key(stage["name"]))
        if review is None:
            continue
        if stage.get("confidence") in ("not_clearly_heard", "absent") and review.get("assessment"):
            stage["llm_assessment"] = str(review["assessment"])
        _fold_stage(stage, review, tt, transcript, notes)
    return result
