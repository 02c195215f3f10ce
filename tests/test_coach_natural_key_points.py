"""Key points made in the candidate's own words: the word matcher can only fail to hear a
point, so it says "not heard in these words" and never calls a point missing. The feedback
JSON, the report and the app word the statuses alike, and older saved feedback still loads.
"""

from __future__ import annotations

import copy
from typing import Any

from interview_scripts.frameworks import STAR
from interview_scripts.script import KeyPoint, Question
from models.coach import coach_answer, render_report
from models.coach.feedback_model import Feedback, validate_feedback
from tests.coach_helpers import INCIDENT_KEY_POINTS, sample_feedback, told_in_turn

# No cue words: each point can only be heard through its own words.
POINTS = (
    KeyPoint("Told the client about the delay early"),
    KeyPoint("Offered a revised plan with new dates"),
    KeyPoint("Took responsibility instead of blaming the team"),
    KeyPoint("Kept a written record of every decision"),
    KeyPoint("Followed up after the launch to check satisfaction"),
)
# The first three points, each made in other words; the last two not made at all.
PARAPHRASED = (
    "Our supplier slipped by three weeks on the hardware for a hospital customer.",
    "I picked up the phone that same afternoon instead of waiting for our weekly call.",
    "I came with two options, each with a fresh schedule they could hold us to.",
    "I said plainly that the slip was on us and that I would own putting it right.",
    "They stayed with us and extended the contract for another year.",
)


def _coached(sentences: tuple[str, ...], points: tuple[KeyPoint, ...] = POINTS
             ) -> dict[str, Any]:
    question = Question(id="slip", text="Tell me about a time you had to deliver bad news.",
                        framework=STAR, key_points=points)
    transcript, _ = told_in_turn(sentences)
    return coach_answer(question, transcript, None).to_dict()


def test_points_made_in_other_words_are_never_called_missing() -> None:
    fb = _coached(PARAPHRASED)
    assert validate_feedback(fb) == []
    statuses = {p["text"]: p["status"] for p in fb["key_points"]}
    assert "missing" not in statuses.values()
    assert set(statuses.values()) <= {"covered", "partial", "not_heard"}
    for point in fb["key_points"]:
        if point["status"] == "not_heard":
            assert point["evidence"] is None and point["start_s"] is None
    messages = [n["message"] for n in fb["notes"]]
    assert not any("missing" in m.lower() for m in messages)
    not_heard = [m for m in messages if m.startswith("Key point not heard in these words: ")]
    assert len(not_heard) == list(statuses.values()).count("not_heard")
    assert all("in your own words" in m for m in not_heard)


def test_only_a_point_with_evidence_is_covered() -> None:
    said = PARAPHRASED + ("Every decision went into a written record the client could read.",)
    fb = _coached(said)
    record = next(p for p in fb["key_points"] if p["text"].startswith("Kept a written record"))
    assert record["status"] == "covered"
    assert "written record" in record["evidence"]
    assert record["matched_by"].endswith("key words")
    follow_up = next(p for p in fb["key_points"] if p["text"].startswith("Followed up"))
    assert follow_up["status"] == "not_heard" and follow_up["evidence"] is None


def test_report_and_app_word_the_statuses_alike() -> None:
    from app.ui.feedback_view import KEY_POINT_MARKS, FeedbackView

    fb = _coached(PARAPHRASED + ("Every decision went into a written record the client could "
                                 "read.",))
    report = render_report(Feedback.from_dict(fb))
    for point in fb["key_points"]:
        if point["status"] == "not_heard":
            assert f"[?] {point['text']} — not heard in these words" in report
            assert KEY_POINT_MARKS[point["status"]].endswith("not heard in these words")
        elif point["status"] == "covered":
            assert f"[x] {point['text']}\n" in report
    structure = FeedbackView._structure_text(Feedback.from_dict(fb))
    assert structure.startswith("Structure (STAR): Situation ")


def test_feedback_saved_by_older_versions_still_loads_and_reads() -> None:
    old = sample_feedback().to_dict()
    old = copy.deepcopy(old)
    for point in old["key_points"]:
        if point["status"] == "not_heard":
            point["status"] = "missing"
    for stage in old["structure"]["stages"]:
        stage.pop("confidence")
        stage.pop("basis")
    assert any(p["status"] == "missing" for p in old["key_points"])
    assert validate_feedback(old) == []
    loaded = Feedback.from_dict(old)
    assert all(s.confidence is None for s in loaded.structure.stages)
    report = render_report(loaded)
    missing = next(p for p in old["key_points"] if p["status"] == "missing")
    assert f"[ ] {missing['text']} — missing" in report

    from app.ui.feedback_view import KEY_POINT_MARKS, FeedbackView

    assert KEY_POINT_MARKS["missing"] == "✘ missing"
    marks = FeedbackView._structure_text(loaded)
    present = [s.name for s in loaded.structure.stages if s.present]
    assert all(f"{name} ✔" in marks for name in present)


def test_the_incident_points_not_said_are_not_heard() -> None:
    fb = _coached(("We rolled back the deploy within minutes.",), INCIDENT_KEY_POINTS)
    statuses = [p["status"] for p in fb["key_points"]]
    assert statuses[0] == "covered"
    assert statuses[1:] == ["not_heard"] * 4
