"""`greenroom progress` and the JSON listings, on the schema-1 fixture database migrated."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.progress import (
    interview_series,
    interview_sessions,
    load_progress,
    practise_next,
    question_series,
)
from app.store import Store
from tests.coach_helpers import sample_feedback

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "store-v1.sqlite3"


@pytest.fixture
def saved() -> Store:
    """The fixture's two answers to one question, as the app's own database."""
    db = paths.database_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(FIXTURE_V1.read_bytes())
    return Store()


def test_progress_json_lists_every_attempt_of_a_question_in_order_with_its_figures(
        saved: Store, capsys: pytest.CaptureFixture[str]) -> None:
    later = saved.create_session("other", "Other interview")
    attempt = saved.start_attempt(later, "other", "outage", "Another outage question?", None)
    saved.finish_attempt(attempt, 272.0, None, sample_feedback(), {})

    assert main(["progress", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(q["script_id"], q["question_id"]) for q in data] == [
        ("incident-leadership", "incident"), ("other", "outage")]
    first = data[0]
    assert first["question_text"] == "Tell me about a production incident you led."
    assert [a["attempt_id"] for a in first["attempts"]] == [1, 2]  # oldest first
    one, two = first["attempts"]
    assert [a["started_at"] for a in first["attempts"]] == sorted(a["started_at"] for a in first["attempts"])
    for figures in (one, two):
        assert figures["coached"] is True
        assert figures["length_verdict"] == "within"
        assert figures["time_guide"] == {"min_s": 20.0, "max_s": 40.0, "text": "20-40 seconds"}
        assert figures["speaking_s"] > 15 and 100 < figures["wpm"] < 170
        assert set(figures) >= {"fillers_per_min", "pauses", "stages", "key_points", "duration_s"}
    assert (one["key_points_covered"], one["key_points_partial"], one["key_points_total"]) == (2, 1, 5)
    assert (two["key_points_covered"], two["key_points_total"]) == (3, 5)
    assert one["fillers"] == 1 and two["fillers"] == 0
    assert [s["name"] for s in two["stages"]] == ["Situation", "Action", "Result"]

    assert main(["progress", "--script", "other", "--question", "outage", "--json"]) == 0
    only = json.loads(capsys.readouterr().out)
    assert len(only) == 1 and only[0]["attempts"][0]["length_verdict"] == "short"


def test_progress_as_text_has_one_row_per_attempt(saved: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Tell me about a production incident you led.  [incident-leadership / incident]")
    rows = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(rows) == 2 and rows[0].rstrip().endswith("2/5") and rows[1].rstrip().endswith("3/5")


def test_sessions_list_and_show_as_json(saved: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "list", "--json"]) == 0
    (session,) = json.loads(capsys.readouterr().out)
    assert session["id"] == 1 and session["attempt_count"] == 2
    assert session["script_title"] == "Incident leadership final round"

    assert main(["sessions", "show", "1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == 1 and [a["attempt_id"] for a in shown["attempts"]] == [1, 2]
    assert shown["attempts"][1]["key_points_covered"] == 3
    assert shown["attempts"][0]["audio_path"] == "answer-1.wav"


def test_practise_next_puts_weak_and_stale_questions_first(tmp_path: Path) -> None:
    opened = Store(tmp_path / "s.sqlite3")
    session = opened.create_session("ops", "Ops")
    weak = sample_feedback("weak")  # short against its guide, key points missed
    strong = weak.model_copy(update={
        "question_id": "strong", "length": weak.length.model_copy(update={"verdict": "within"}),
        "key_points": [p.model_copy(update={"status": "covered"}) for p in weak.key_points]})
    # Every point made, but past the top of its guide: the length is its only weakness.
    long = strong.model_copy(update={
        "question_id": "long", "length": weak.length.model_copy(update={"verdict": "long"})})
    for question, feedback in (("weak", weak), ("strong", strong), ("long", long)):
        attempt = opened.start_attempt(session, "ops", question, f"{question}?", None)
        opened.finish_attempt(attempt, 10.0, None, feedback, {})
    progress = load_progress(opened)
    now = datetime.now(UTC)
    ranked = practise_next(progress, now)
    assert [n.question.question_id for n in ranked] == ["weak", "long", "strong"]
    assert "too short" in ranked[0].reasons and any("not heard" in r for r in ranked[0].reasons)
    assert ranked[1].reasons == ("too long",)
    assert ranked[2].reasons == ()
    # Left alone long enough, even a strong answer comes back round.
    later = practise_next(progress, now + timedelta(weeks=52))
    assert all(any("week" in r for r in n.reasons) for n in later)


def _interview(opened: Store) -> tuple[int, int]:
    """Two practice sessions of one interview: the first with a short answer and one not
    coached, the second with a short answer and one within its guide."""
    short = sample_feedback("weak")
    within = short.model_copy(update={
        "question_id": "strong", "length": short.length.model_copy(update={"verdict": "within"}),
        "key_points": [p.model_copy(update={"status": "covered"}) for p in short.key_points]})
    first = opened.create_session("ops", "Ops interview")
    coached = opened.start_attempt(first, "ops", "weak", "Weak?", None)
    opened.finish_attempt(coached, 10.0, None, short, {})
    opened.start_attempt(first, "ops", "strong", "Strong?", None)  # never finished
    second = opened.create_session("ops", "Ops interview")
    for question, feedback in (("weak", short), ("strong", within)):
        attempt = opened.start_attempt(second, "ops", question, f"{question.title()}?", None)
        opened.finish_attempt(attempt, 10.0, None, feedback, {})
    return first, second


def test_an_interview_is_charted_one_point_per_practice_session() -> None:
    opened = Store()
    first, second = _interview(opened)
    progress = load_progress(opened)
    sessions = interview_sessions(progress)
    assert [s.session_id for s in sessions] == [first, second]
    early, late = sessions
    assert (early.answers, early.uncoached, early.judged, early.within) == (1, 1, 1, 0)
    assert (late.answers, late.uncoached, late.judged, late.within) == (2, 0, 2, 1)
    summaries = [b.summary for b in opened.list_briefs(session_id=second) if b.summary]
    speaking = sum(s.speaking_s for s in summaries)
    words = sum(s.words for s in summaries)
    # Rates over the session's speaking time, not an average of each answer's rate.
    assert late.wpm == pytest.approx(words / (speaking / 60))
    assert late.fillers_per_min == pytest.approx(sum(s.fillers for s in summaries) / (speaking / 60))
    listed = sum(len(s.key_points) for s in summaries)
    assert late.covered_percent == pytest.approx(
        100 * sum(s.covered for s in summaries) / listed)

    series = interview_series(progress)
    assert [p.value for p in series.time] == [0.0, 50.0]
    assert [p.value for p in series.pace] == pytest.approx([early.wpm, late.wpm])
    assert series.points[1].value == pytest.approx(late.covered_percent)
    assert series.uncoached == 1 and series.points_ceiling == 100.0
    assert series.time[1].detail.endswith("1 of 2 answers within their time guide")
    # Per question: one point per coached attempt, against that attempt's own guide.
    weak = next(q for q in progress if q.question_id == "weak")
    assert len(question_series(weak).time) == 2


def test_progress_by_session_as_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    opened = Store()
    first, second = _interview(opened)
    assert main(["progress", "--by-session", "--json"]) == 0
    (interview,) = json.loads(capsys.readouterr().out)
    assert interview["script_id"] == "ops"
    expected = [s.to_json() for s in interview_sessions(load_progress(opened))]
    assert interview["sessions"] == json.loads(json.dumps(expected))
    assert [s["session_id"] for s in interview["sessions"]] == [first, second]
    assert [s["within_guide_percent"] for s in interview["sessions"]] == [0.0, 50.0]

    assert main(["progress", "--by-session"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Ops interview  [ops]\n")
    rows = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(rows) == 2
    assert "      1  " in rows[0] and "0 of 1" in rows[0]
    assert "      2  " in rows[1] and "1 of 2" in rows[1]


# ------------------------------------------------------------------ an answer and its follow-up
def test_a_follow_up_is_part_of_its_answers_thread_in_the_series_and_the_json(
        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.thread_helpers import CANARY, FOLLOW_UP, answer_with_follow_up

    opened = Store()
    session = opened.create_session("ops", "Ops interview")
    answer, reply = answer_with_follow_up(opened, session)
    silent_session = opened.create_session("ops", "Ops interview")
    quiet, quiet_reply = answer_with_follow_up(opened, silent_session, reply_text=None, asked_by="llm")
    plain = opened.start_attempt(silent_session, "ops", "incident", "Tell me about an outage you led.", None)
    opened.finish_attempt(plain, 26.0, None, sample_feedback("incident"), {})

    (question,) = load_progress(opened)
    # The replies are no attempts of their own: three answers, each reply in its thread.
    assert [a.id for a in question.attempts] == [answer, quiet, plain]
    made = question.follow_up_of(question.attempts[0])
    assert made is not None and (made.attempt_id, made.answered, made.points_added) == (reply, True, (CANARY,))
    silent = question.follow_up_of(question.attempts[1])
    assert silent is not None and (silent.answered, silent.points_added, silent.asked_by) == (False, (), "llm")
    assert question.follow_up_of(question.attempts[2]) is None

    points = question_series(question).points
    assert [p.value for p in points] == [2.0, 1.0, 1.0]
    assert [p.follow_up for p in points] == [1.0, 0.0, 0.0]
    assert points[0].answer_value == 1.0
    assert points[0].detail.endswith("2 of 5 key points covered (1 in the answer, 1 only in the "
                                     "follow-up, 1 partly)")
    assert points[2].detail.endswith("1 of 5 key points covered (1 partly)")
    first_session = interview_sessions([question])[0]
    assert (first_session.key_points_covered, first_session.key_points_in_follow_up) == (2, 1)
    assert interview_series([question]).points[0].follow_up == pytest.approx(20.0)

    assert main(["progress", "--json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    one, two, three = data["attempts"]
    assert one["follow_up"] == {
        "asked": True, "attempt_id": reply, "question_text": FOLLOW_UP, "asked_by": "script",
        "ask_reason": "asked because a key point was not heard", "stop_reason": "silence",
        "answered": True, "key_points_added": [CANARY]}
    assert (one["key_points_covered"], one["key_points_covered_in_follow_up"]) == (2, 1)
    assert [r["attempt_id"] for r in one["follow_ups"]] == [reply]
    assert two["follow_up"]["answered"] is False and two["follow_up"]["key_points_added"] == []
    assert two["follow_up"]["attempt_id"] == quiet_reply
    assert three["follow_up"] == {"asked": False} and three["follow_ups"] == []


def test_the_diff_counts_a_point_made_in_the_follow_up_apart_from_the_answers() -> None:
    from app.progress import changes, key_point_diff
    from tests.thread_helpers import CANARY, answer_with_follow_up

    opened = Store()
    session = opened.create_session("ops", "Ops interview")
    plain = opened.start_attempt(session, "ops", "incident", "Tell me about an outage you led.", None)
    opened.finish_attempt(plain, 26.0, None, sample_feedback("incident"), {})
    answer, _ = answer_with_follow_up(opened, session)
    by_id = {b.id: b.summary for b in opened.list_briefs(session_id=session)}
    before, after = by_id[plain], by_id[answer]
    assert before is not None and after is not None

    diff = key_point_diff(before, after)
    assert diff.covered_in_follow_up == (CANARY,)
    assert CANARY not in diff.newly_covered + diff.still_missed + diff.newly_missed
    assert diff.newly_covered == ()
    improved, worse = changes(before, after)
    assert improved == "Improved: 1 more key point(s) covered counting the follow-up."
    assert worse == "Got worse: nothing measurable."
    # Back the other way: the point the follow-up made is no longer said at all.
    back = key_point_diff(after, before)
    assert back.newly_missed == (CANARY,) and back.covered_in_follow_up == ()
    assert changes(after, before)[1] == "Got worse: 1 fewer key point(s) covered counting the follow-up."
    # An answer that now makes itself the point its follow-up made before: newly covered.
    made_itself = before.__class__(**{**before.__dict__, "key_points": tuple(
        p if p.text != CANARY else p.__class__(p.text, "covered", 3.0) for p in before.key_points)})
    moved = key_point_diff(after, made_itself)
    assert moved.newly_covered == (CANARY,) and moved.covered_in_follow_up == ()
    assert changes(after, made_itself)[0] == "Improved: 1 more key point(s) covered in the answer."
