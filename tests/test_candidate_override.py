"""The candidate's own marks: kept in the feedback beside the coach's verdict, undone
exactly, carried onto the answer coached again, and counted by the summary, progress
figures and the report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.progress import attempt_figures, load_progress, practise_next
from app.store import Store
from app.summary import AttemptSummary
from models.coach.feedback_model import Feedback, validate_feedback
from models.coach.overrides import (
    carry_marks,
    default_stage_span,
    has_marks,
    mark_key_point,
    mark_stage,
    sentence_spans,
    snap_span,
    unmark_key_point,
    unmark_stage,
)
from models.coach.report import render_report
from tests.coach_helpers import sample_feedback

WHEN = "2026-03-01T10:00:00+00:00"


@pytest.fixture(scope="module")
def coached() -> Feedback:
    """Real coach output: points 1, 2 and 4 not heard, point 3 partial; four STAR stages."""
    return sample_feedback()


def _index(feedback: Feedback, status: str) -> int:
    return next(i for i, p in enumerate(feedback.key_points) if p.status == status)


def test_a_marked_key_point_counts_as_covered_and_keeps_what_the_coach_heard(coached) -> None:
    i = _index(coached, "not_heard")
    marked = mark_key_point(coached, i, WHEN)
    point = marked.key_points[i]
    assert (point.status, point.evidence, point.start_s) == ("not_heard", None, None)
    assert point.candidate_says == "covered" and point.candidate_marked_at == WHEN
    assert point.effective_status == "covered" and point.by_candidate
    # The given feedback is left as it was.
    assert coached.key_points[i].candidate_says is None

    data = marked.to_dict()
    assert data["key_points"][i]["candidate_says"] == "covered"
    assert validate_feedback(data) == []
    assert Feedback.from_dict(data) == marked  # round trip through the stored JSON

    assert unmark_key_point(marked, i).to_dict() == coached.to_dict()


def test_a_partial_point_marked_covered_keeps_its_evidence(coached) -> None:
    i = _index(coached, "partial")
    point = mark_key_point(coached, i, WHEN).key_points[i]
    assert point.status == "partial" and point.evidence == coached.key_points[i].evidence
    assert point.effective_status == "covered"


def test_old_feedback_without_marks_loads_unchanged(coached) -> None:
    """A row saved before marks existed: no candidate keys anywhere, read as unmarked."""
    old = coached.to_dict()
    for point in old["key_points"]:
        del point["candidate_says"], point["candidate_marked_at"]
    for stage in old["structure"]["stages"]:
        del stage["candidate_marked_at"], stage["coach"]
    loaded = Feedback.from_dict(old)
    assert loaded.version == 1 and not has_marks(loaded)
    assert [p.effective_status for p in loaded.key_points] == [p.status for p in coached.key_points]
    assert loaded.to_dict() == coached.to_dict()
    # An even older row with no structure confidence reads too, and nothing is by the candidate.
    bare = Feedback.from_dict({"question_id": "q", "key_points": [
        {"text": "a point", "status": "missing"}],
        "structure": {"framework": "STAR", "stages": [{"name": "Result", "present": True,
                                                        "start_s": 1.0, "end_s": 2.0}]}})
    assert bare.key_points[0].effective_status == "missing"
    assert not bare.key_points[0].by_candidate and not bare.structure.stages[0].by_candidate


def test_a_marked_stage_takes_the_span_and_undo_gives_the_coachs_stage_back(coached) -> None:
    before = next(s for s in coached.structure.stages if s.name == "Result")
    marked = mark_stage(coached, "Result", 17.0, 25.49, WHEN)
    stage = next(s for s in marked.structure.stages if s.name == "Result")
    assert (stage.start_s, stage.end_s, stage.confidence) == (17.0, 25.49, "candidate")
    assert stage.present and stage.by_candidate and stage.candidate_marked_at == WHEN
    assert stage.coach["start_s"] == before.start_s and stage.coach["confidence"] == before.confidence
    assert stage.share > before.share  # a longer span holds more of the answer
    assert validate_feedback(marked.to_dict()) == []
    # Marking again moves the span but keeps the coach's original.
    again = mark_stage(marked, "result", 18.0, 25.0, WHEN)
    moved = next(s for s in again.structure.stages if s.name == "Result")
    assert moved.start_s == 18.0 and moved.coach == stage.coach
    assert unmark_stage(again, "Result").to_dict() == coached.to_dict()


def test_a_stage_the_coach_found_absent_can_be_marked_and_unmarked() -> None:
    data = sample_feedback().to_dict()
    result = data["structure"]["stages"][3]
    result.update(present=False, start_s=None, end_s=None, share=0.0, confidence="absent",
                  cue=None)
    absent = Feedback.from_dict(data)
    marked = mark_stage(absent, "Result", 20.0, 25.0, WHEN)
    assert marked.structure.stages[3].present and marked.structure.stages[3].coach["present"] is False
    assert unmark_stage(marked, "Result").to_dict() == absent.to_dict()


def test_a_mark_is_refused_for_an_unknown_stage_or_a_slip_of_the_mouse(coached) -> None:
    with pytest.raises(ValueError, match="no stage 'Outcome'"):
        mark_stage(coached, "Outcome", 1.0, 5.0)
    with pytest.raises(ValueError, match="at least"):
        mark_stage(coached, "Result", 20.0, 20.1)
    # Undoing what was never marked changes nothing.
    assert unmark_stage(coached, "Result") is coached


def test_default_spans_follow_sentences_and_the_stages_gap(coached) -> None:
    assert sentence_spans(coached)[3][0] == 20.0
    # Without a moment: between the Action before it and the end of speech.
    action_end = coached.structure.stages[2].end_s
    assert default_stage_span(coached, "Result") == (action_end, round(coached.speech.last_s, 2))
    # A moment inside the Action: the sentence said then, not the Action's whole span.
    assert default_stage_span(coached, "Result", 13.0) == (12.0, round(sentence_spans(coached)[2][1], 2))
    # A dragged span snaps onto sentence edges close by, and is left alone far from them.
    assert snap_span(coached, 19.2, 25.0) == (20.0, round(sentence_spans(coached)[3][1], 2))
    assert snap_span(coached, 3.0, 8.0) == (3.0, 8.0)


def test_marks_carry_onto_the_same_answer_coached_again(coached) -> None:
    i = _index(coached, "not_heard")
    marked = mark_stage(mark_key_point(coached, i, WHEN), "Result", 17.0, 25.49, WHEN)
    fresh = sample_feedback()  # the answer coached again (refined words, an LLM review)
    carried = carry_marks(marked, fresh)
    assert carried.key_points[i].candidate_says == "covered"
    assert carried.key_points[i].candidate_marked_at == WHEN
    result = carried.structure.stages[3]
    assert (result.confidence, result.start_s, result.candidate_marked_at) == ("candidate", 17.0, WHEN)
    assert not has_marks(carry_marks(coached, fresh))


def test_summary_counts_the_candidates_word_and_keeps_the_coachs(coached) -> None:
    before = AttemptSummary.from_feedback(coached)
    i = _index(coached, "not_heard")
    after = AttemptSummary.from_feedback(mark_key_point(coached, i, WHEN))
    assert after.covered == before.covered + 1 and after.missed == before.missed - 1
    assert after.covered_by_candidate == 1
    brief = after.key_points[i]
    assert brief.status == "covered" and brief.by_candidate and brief.coach_status == "not_heard"
    # Through JSON and back, and an old summary without the new keys still reads.
    assert AttemptSummary.from_json(after.to_json()) == after
    old = before.to_dict()
    for point in old["key_points"]:
        del point["by_candidate"], point["coach_status"]
    assert AttemptSummary.from_dict(old) == before
    staged = AttemptSummary.from_feedback(mark_stage(coached, "Result", 17.0, 25.49))
    assert [(s.name, s.by_candidate) for s in staged.stages][-1] == ("Result", True)


def test_progress_figures_and_practise_next_use_the_mark(coached) -> None:
    store = Store()
    session = store.create_session("s", "Interview")
    attempt = store.start_attempt(session, "s", "outage", "An outage?", None)
    store.finish_attempt(attempt, 26.0, None, coached, {})
    now = datetime.now(UTC)
    (question,) = load_progress(store)
    figures = attempt_figures(question.latest)
    first_rank = practise_next([question], now)[0]
    missed = figures["key_points_total"] - figures["key_points_covered"] - figures["key_points_partial"]

    marked = coached
    for i, point in enumerate(coached.key_points):
        if point.status == "not_heard":
            marked = mark_key_point(marked, i, WHEN)
    store.update_feedback(attempt, marked)
    (question,) = load_progress(store)
    again = attempt_figures(question.latest)
    assert again["key_points_covered"] == figures["key_points_covered"] + missed
    assert again["key_points_covered_by_you"] == missed
    assert [p["by_candidate"] for p in again["key_points"]] == [
        p.status == "not_heard" for p in coached.key_points]
    ranked = practise_next([question], now)[0]
    assert ranked.score < first_rank.score
    assert not any("not heard" in reason for reason in ranked.reasons)
    assert any("not heard" in reason for reason in first_rank.reasons)


def test_the_report_counts_the_mark_and_shows_the_coachs_verdict(coached) -> None:
    i = _index(coached, "not_heard")
    text = coached.key_points[i].text
    plain = render_report(coached)
    assert f"[?] {text} — not heard in these words" in plain
    marked = render_report(mark_stage(mark_key_point(coached, i, WHEN), "Result", 17.0, 25.49))
    assert (f"[x] {text} — you said you covered it (the coach: not heard in these words)"
            in marked)
    assert "Result" in marked and "yours: you marked this span" in marked
    assert "the coach: a cue heard at 0:20–0:25" in marked
    # Undone, the report is the coach's alone again.
    assert render_report(unmark_key_point(mark_key_point(coached, i), i)) == plain


def test_an_undo_made_while_the_answer_was_coached_again_stays_undone(coached) -> None:
    """The LLM reviews the refined feedback, saved with the mark on it; the candidate takes
    the mark back meanwhile. The review is saved with the store's marks: none."""
    from models.coach.overrides import keep_stored_marks

    i = _index(coached, "not_heard")
    refined_with_mark = mark_key_point(coached, i, WHEN)
    reviewed = refined_with_mark.model_copy(update={"words": coached.words + 1})
    stored_after_undo = unmark_key_point(refined_with_mark, i)
    saved = keep_stored_marks(stored_after_undo, reviewed)
    assert saved.key_points[i].candidate_says is None and saved.words == coached.words + 1
    # And a mark made meanwhile is kept; nothing stored keeps the fresh feedback as it is.
    assert keep_stored_marks(refined_with_mark, coached).key_points[i].candidate_says == "covered"
    assert keep_stored_marks(None, reviewed) is reviewed
    stage = coached.structure.stages[0].name
    moved = mark_stage(reviewed, stage, 0.0, 2.0, WHEN)
    assert keep_stored_marks(stored_after_undo, moved).structure.stages[0].confidence != "candidate"


def test_one_views_change_is_applied_without_touching_other_marks(coached) -> None:
    from models.coach.overrides import apply_mark_change

    i = _index(coached, "not_heard")
    stage = coached.structure.stages[-1].name
    elsewhere = mark_key_point(coached, i, WHEN)  # marked in another view, already stored
    after = mark_stage(coached, stage, 1.0, 3.0, WHEN)  # this view: a span, nothing else
    result = apply_mark_change(coached, after, elsewhere)
    assert result.key_points[i].candidate_says == "covered"
    marked = next(s for s in result.structure.stages if s.name == stage)
    assert (marked.confidence, marked.start_s, marked.end_s) == ("candidate", 1.0, 3.0)
    moved = mark_stage(after, stage, 2.0, 4.0, WHEN)  # the span dragged again
    result = apply_mark_change(after, moved, result)
    marked = next(s for s in result.structure.stages if s.name == stage)
    assert (marked.start_s, marked.end_s) == (2.0, 4.0) and result.key_points[i].candidate_says
    undone = apply_mark_change(moved, unmark_stage(moved, stage), result)
    assert undone.to_dict() == elsewhere.to_dict()  # only the other view's mark is left
