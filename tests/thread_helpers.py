"""An answer and its follow-up's reply saved through the store as the practice flow saves
them: the reply linked to the answer, coached against the points the answer left open,
then folded into the answer's feedback."""

from __future__ import annotations

from pathlib import Path

from app.store import Store
from interview_scripts.frameworks import STAR
from interview_scripts.script import Question
from interview_scripts.time_guide import parse_time_guide
from tests.coach_helpers import INCIDENT_KEY_POINTS, sample_feedback, transcript_of

FOLLOW_UP = "What stops it happening again?"
CANARY = "Added an automated canary check to the pipeline"
REPLY = "We added an automated canary check to the pipeline, so a bad deploy never reaches everyone again."


def incident_question() -> Question:
    return Question(id="incident", text="Tell me about an outage you led.",
                    time_guide=parse_time_guide("5-7 minutes"), framework=STAR,
                    key_points=INCIDENT_KEY_POINTS)


def answer_with_follow_up(store: Store, session: int, *, reply_text: str | None = REPLY,
                          asked_by: str = "script", audio: tuple[Path | None, Path | None] = (None, None),
                          script_id: str = "ops") -> tuple[int, int]:
    """An answer to "incident" that misses the canary check, and a follow-up whose reply
    makes it (``reply_text`` None: asked, and the reply said nothing). Returns both ids."""
    from models.coach import coach_answer
    from models.coach.follow_up_choice import reply_question
    from models.coach.follow_up_fold import fold_follow_up

    answer_feedback = sample_feedback("incident")
    answer = store.start_attempt(session, script_id, "incident", "Tell me about an outage you led.",
                                 audio[0])
    store.finish_attempt(answer, 26.0, None, answer_feedback, {}, stop_reason="candidate")
    reply = store.start_attempt(session, script_id, "incident", FOLLOW_UP, audio[1],
                                follow_up_to=answer, asked_by=asked_by,
                                ask_reason="asked because a key point was not heard")
    asked = reply_question(incident_question(), FOLLOW_UP, answer_feedback)
    transcript = transcript_of((reply_text, 0.0)) if reply_text else transcript_of()
    reply_feedback = coach_answer(asked, transcript, None)
    store.finish_attempt(reply, transcript.duration_s, None, reply_feedback, {},
                         stop_reason="silence" if reply_text else "cancelled")
    store.change_feedback(answer, lambda stored: None if stored is None
                          else fold_follow_up(stored, reply_feedback, reply))
    return answer, reply
