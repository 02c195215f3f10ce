"""A key point the first answer missed and the follow-up's reply made: "covered in the
follow-up".

The reply is coached like any answer (against the points the first answer left open,
``follow_up_choice.reply_question``). Each of those the reply covered is marked on the
first answer's key point as ``follow_up`` (which reply, its evidence and when); the
point's own ``status`` stays what the first answer showed, and ``effective_status``
counts it covered, so every figure and list labels it apart from a point made at once.
"""

from __future__ import annotations

from models.coach.feedback_model import Feedback

LABEL = "covered in the follow-up"


def fold_follow_up(parent: Feedback, reply: Feedback | None, reply_attempt_id: int) -> Feedback:
    """``parent`` with every key point it did not cover, and ``reply`` did, marked as
    covered in the follow-up; an earlier mark from the same reply is replaced, so the
    fold can run again when the reply is coached again."""
    folded = parent.model_copy(deep=True)
    covered = {} if reply is None else {
        r.text: r for r in reply.key_points if r.effective_status == "covered"}
    for point in folded.key_points:
        if point.follow_up is not None and point.follow_up.get("attempt_id") == reply_attempt_id:
            point.follow_up = None
        made = covered.get(point.text)
        if made is None or point.status == "covered":
            continue
        point.follow_up = {"attempt_id": reply_attempt_id, "status": "covered",
                           "evidence": made.evidence, "at_s": made.start_s}
    return folded


def keep_follow_up(stored: Feedback | None, new: Feedback | None) -> Feedback | None:
    """``new`` (the answer coached again) with the follow-up marks ``stored`` carried,
    on the points ``new`` still does not cover."""
    if stored is None or new is None:
        return new
    marks = {p.text: p.follow_up for p in stored.key_points if p.follow_up is not None}
    if not marks:
        return new
    kept = new.model_copy(deep=True)
    for point in kept.key_points:
        mark = marks.get(point.text)
        if mark is not None and point.status != "covered" and point.follow_up is None:
            point.follow_up = dict(mark)
    return kept
