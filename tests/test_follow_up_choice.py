"""Which scripted follow-up the interviewer asks, and the reason the feedback gives."""

from __future__ import annotations

from interview_scripts.loader import parse_script
from models.coach.feedback_model import Feedback, KeyPointResult, Stage, Structure
from models.coach.follow_up_choice import answer_gaps, choose_follow_up, reply_question

SCRIPT = """
title: Follow-up choice
role: Tester
questions:
  - id: outage
    text: Tell me about an outage you handled.
    time_guide: 2-3 min
    follow_up_guide: 30s-1 min
    framework: STAR
    key_points:
      - id: restore
        text: Restored the service
        cues: [restored the service]
      - id: result
        text: Give the measurable result
        cues: [percent, minutes]
      - text: Blameless post-mortem
        cues: [post mortem, postmortem]
    follow_ups:
      - What would you do differently?
      - text: How did you get the service back?
        probes: [restore]
      - text: And what was the result, in numbers?
        probes: [result]
      - Who did you tell, and when?
  - id: plain
    text: Why this role?
    follow_ups:
      - What drew you to us?
      - Where do you see the postmortem culture going?
    key_points:
      - text: Blameless post-mortem
        cues: [postmortem]
  - id: story
    text: Tell me about a hard week.
    framework: STAR
    follow_ups:
      - What would you do differently?
      - Which action did you take yourself?
"""


def script_question(ref: str = "outage"):  # noqa: ANN201 - a Question
    return parse_script(SCRIPT, "choice.yaml").question(ref)


def feedback(statuses: dict[str, str], absent: tuple[str, ...] = ()) -> Feedback:
    question = script_question()
    return Feedback(
        question_id=question.id,
        key_points=[KeyPointResult(text=p.text, status=statuses.get(p.text, "covered"))
                    for p in question.key_points],
        structure=Structure(framework="STAR", stages=[
            Stage(name=s.name, present=s.name not in absent,
                  confidence="absent" if s.name in absent else "clear")
            for s in question.framework.stages]))


def test_a_key_point_not_heard_gets_the_follow_up_that_probes_it() -> None:
    choice = choose_follow_up(script_question(), feedback({"Give the measurable result": "not_heard"}))
    assert choice is not None
    assert choice.text == "And what was the result, in numbers?"
    assert choice.index == 2 and choice.asked_by == "script"
    assert choice.because == "asked because 'give the measurable result' was not heard in these words"


def test_the_earliest_gap_wins_and_asked_follow_ups_are_skipped() -> None:
    question = script_question()
    both = feedback({"Restored the service": "not_heard", "Give the measurable result": "missing"})
    assert choose_follow_up(question, both).text == "How did you get the service back?"
    later = choose_follow_up(question, both, asked={"How did you get the service back?"})
    assert later.text == "And what was the result, in numbers?"


def test_an_absent_stage_is_matched_by_probes() -> None:
    question = script_question()
    # Every key point heard, the Result stage absent: "result" in the probes names the
    # stage too (probes are key point ids or stage names, case-insensitive).
    answer = feedback({}, absent=("Result",))
    choice = choose_follow_up(question, answer)
    assert choice.text == "And what was the result, in numbers?"
    assert choice.reason == "no result was heard"
    assert choice.targets == ("Result",)
    assert [(g.kind, g.name) for g in answer_gaps(question, answer)] == [("stage", "Result")]


def test_an_absent_stage_is_matched_by_the_follow_ups_words() -> None:
    story = script_question("story")
    answer = Feedback(question_id="story", structure=Structure(framework="STAR", stages=[
        Stage(name=s.name, present=s.name != "Action", confidence="absent" if s.name == "Action" else "likely")
        for s in story.framework.stages]))
    choice = choose_follow_up(story, answer)
    assert choice.text == "Which action did you take yourself?"
    assert choice.because == "asked because no action was heard"
    # A stage only "not clearly heard" is not a gap: the first follow-up is asked.
    answer.structure.stages[2].confidence = "not_clearly_heard"
    assert choose_follow_up(story, answer).text == "What would you do differently?"


def test_a_follow_up_without_probes_is_tied_to_a_key_point_by_its_words() -> None:
    plain = script_question("plain")
    answer = Feedback(question_id="plain",
                      key_points=[KeyPointResult(text="Blameless post-mortem", status="not_heard")])
    choice = choose_follow_up(plain, answer)
    assert choice.text == "Where do you see the postmortem culture going?"
    assert choice.targets == ("Blameless post-mortem",)


def test_without_a_gap_the_first_follow_up_not_yet_asked_is_asked() -> None:
    question = script_question()
    choice = choose_follow_up(question, feedback({}))
    assert choice.text == "What would you do differently?"
    assert "gave what this question looks for" in choice.reason
    nxt = choose_follow_up(question, feedback({}), asked={"What would you do differently?"})
    assert nxt.text == "How did you get the service back?"
    everything = {f.text for f in question.follow_ups}
    assert choose_follow_up(question, feedback({}), asked=everything) is None


def test_a_partial_point_comes_after_points_not_heard_and_stages_absent() -> None:
    question = script_question()
    answer = feedback({"Restored the service": "partial", "Give the measurable result": "not_heard"})
    gaps = answer_gaps(question, answer)
    assert [g.text for g in gaps] == ["Give the measurable result", "Restored the service"]
    partial_only = choose_follow_up(question, feedback({"Restored the service": "partial"}))
    assert partial_only.text == "How did you get the service back?"
    assert partial_only.reason == "'restored the service' was only touched on"


def test_the_candidates_own_word_closes_a_gap() -> None:
    answer = feedback({"Give the measurable result": "not_heard"})
    answer.key_points[1].candidate_says = "covered"
    choice = choose_follow_up(script_question(), answer)
    assert choice.text == "What would you do differently?"


def test_no_follow_ups_gives_none() -> None:
    question = parse_script("title: t\nrole: r\nquestions:\n  - id: q\n    text: Why?\n", "t.yaml").questions[0]
    assert choose_follow_up(question, None) is None


def test_the_reply_is_coached_on_the_points_left_open_with_the_follow_up_guide() -> None:
    question = script_question()
    answer = feedback({"Give the measurable result": "not_heard", "Restored the service": "partial"})
    reply = reply_question(question, "And what was the result, in numbers?", answer)
    assert reply.text == "And what was the result, in numbers?"
    assert reply.id == "outage"
    assert reply.time_guide == question.follow_up_guide
    assert reply.time_guide.text == "30s-1 min"
    assert [p.text for p in reply.key_points] == ["Restored the service", "Give the measurable result"]
    assert reply.framework.is_none and reply.follow_ups == ()


def test_a_point_missed_then_made_in_the_reply_counts_as_covered_in_the_follow_up() -> None:
    from models.coach.follow_up_fold import fold_follow_up, keep_follow_up

    parent = feedback({"Give the measurable result": "not_heard", "Blameless post-mortem": "not_heard"})
    reply = Feedback(question_id="outage", key_points=[
        KeyPointResult(text="Give the measurable result", status="covered",
                       evidence="We were back in forty minutes.", start_s=1.5),
        KeyPointResult(text="Blameless post-mortem", status="not_heard")])
    folded = fold_follow_up(parent, reply, reply_attempt_id=7)
    result, review = folded.key_points[1], folded.key_points[2]
    assert result.status == "not_heard" and result.effective_status == "covered"
    assert result.in_follow_up
    assert result.follow_up == {"attempt_id": 7, "status": "covered",
                                "evidence": "We were back in forty minutes.", "at_s": 1.5}
    assert review.effective_status == "not_heard" and not review.in_follow_up
    # The parent stays as it was; the mark survives a save and a read.
    assert parent.key_points[1].follow_up is None
    assert Feedback.from_dict(folded.to_dict()).key_points[1].in_follow_up
    # Folding the same reply again (coached again, now without the point) takes it back.
    again = fold_follow_up(folded, Feedback(question_id="outage"), reply_attempt_id=7)
    assert again.key_points[1].follow_up is None
    # The first answer coached again keeps the mark, unless it now covers the point itself.
    recoached = feedback({"Give the measurable result": "not_heard"})
    assert keep_follow_up(folded, recoached).key_points[1].in_follow_up
    heard_now = feedback({})
    assert keep_follow_up(folded, heard_now).key_points[1].follow_up is None
