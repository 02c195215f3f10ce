"""Structure of answers told in the candidate's own words, without textbook stage phrases.

Each answer lists the stage every sentence belongs to, so the test knows where each
stage starts. Found means present, in order, starting at its first sentence; a stage
that is really left out must still be reported absent.
"""

from __future__ import annotations

from typing import Any

import pytest

from interview_scripts.frameworks import CAR, CIRCLES, STAR, Framework
from interview_scripts.script import Question
from models.coach import coach_answer, render_report
from models.coach.feedback_model import Feedback
from tests.coach_helpers import (
    NATURAL_CAR,
    NATURAL_CIRCLES,
    NATURAL_STAR,
    told_in_turn,
)

Told = tuple[tuple[str, str], ...]
ANSWERS = ([(STAR, name, told) for name, told in NATURAL_STAR.items()]
           + [(CAR, name, told) for name, told in NATURAL_CAR.items()]
           + [(CIRCLES, name, told) for name, told in NATURAL_CIRCLES.items()])


# Answers from other walks of life, with stages of several sentences; found in order too.
MORE_ANSWERS: list[tuple[Framework, str, Told]] = [
    (STAR, "nurse", (
        ("Situation", "I was a charge nurse on a busy surgical ward in Manchester."),
        ("Situation", "One winter we lost three nurses in a month and the rota fell apart."),
        ("Task", "My matron wanted every shift covered safely without paying agency rates, and the"
                 " new rota had to start in two weeks."),
        ("Action", "I sat down with each nurse and asked which shifts they could actually do."),
        ("Action", "Then I built a rota around those answers and swapped the long night shifts "
                   "into shorter ones."),
        ("Action", "I also agreed a bank of four retired nurses who could cover at short notice."),
        ("Result", "For the next six months not one shift ran short, and agency spending dropped "
                   "to almost nothing."),
        ("Result", "Two of the nurses who had planned to leave stayed on."),
    )),
    (STAR, "teacher", (
        ("Situation", "In my second year of teaching, my year nine maths class had the lowest "
                      "scores in the school."),
        ("Task", "The head of department expected them to reach the national average by the summer"
                 " exams."),
        ("Action", "I split the class into small groups by what they found hard and gave each "
                   "group its own weekly problems."),
        ("Action", "I started every lesson with a five minute quiz and phoned parents when a pupil"
                   " improved."),
        ("Result", "By June the class average rose by eighteen points, just above the national "
                   "figure."),
    )),
    (STAR, "sales", (
        ("Situation", "Last spring I was selling software to mid-sized law firms."),
        ("Task", "Our biggest prospect was about to pick a competitor, and I had one meeting to "
                 "change their mind."),
        ("Action", "I called three of their associates beforehand to learn what slowed them down."),
        ("Action", "In the meeting I showed exactly those tasks done in our tool, using their own "
                   "documents."),
        ("Result", "They signed a two year deal the following week, worth about ninety thousand "
                   "pounds."),
    )),
    (CAR, "volunteer", (
        ("Context", "At the food bank where I volunteer, Saturday queues used to stretch round the"
                    " block."),
        ("Context", "People waited over an hour in the cold."),
        ("Action", "I timed each step one morning and saw that the sign-in sheet was the "
                   "bottleneck."),
        ("Action", "I set up a second table and gave regulars a card they could show instead of "
                   "signing in."),
        ("Result", "The wait fell to about fifteen minutes, and the organisers now use the same "
                   "setup at both sites."),
    )),
    (CIRCLES, "payments", (
        ("Comprehend", "Around noon on payday, card payments in our app started failing for "
                       "roughly one in five customers."),
        ("Identify", "I went through the payment service traces and found every failure came from "
                     "a single bank partner timing out."),
        ("Report", "I sent a short update to customer support and the payments director, with the "
                   "next update promised in thirty minutes."),
        ("Communicate", "I put Lena in charge of talking to the bank and had Marco prepare a "
                        "switch to the backup provider."),
        ("Lead", "When the bank could not give an estimate, we switched traffic to the backup "
                 "provider and failures stopped within minutes."),
        ("Evaluate", "In the review we decided to test the backup route every month, and we have "
                     "not had a payday outage since."),
    )),
]


def _coach(framework: Framework, told: Told) -> tuple[dict[str, Any], dict[str, float]]:
    transcript, starts = told_in_turn([sentence for _, sentence in told])
    first: dict[str, float] = {}
    for (stage, _), at in zip(told, starts, strict=True):
        first.setdefault(stage, at)
    question = Question(id="q", text="Tell me about a time.", framework=framework)
    return coach_answer(question, transcript, None).to_dict(), first


def _stages(fb: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in fb["structure"]["stages"]}


@pytest.mark.parametrize(("framework", "name", "told"), ANSWERS + MORE_ANSWERS,
                         ids=[f"{f.name}-{n}" for f, n, _ in ANSWERS + MORE_ANSWERS])
def test_every_stage_of_a_naturally_told_answer_is_found_in_order(
        framework: Framework, name: str, told: Told) -> None:
    fb, first = _coach(framework, told)
    stages = _stages(fb)
    assert fb["structure"]["order_ok"] is True
    assert [o["name"] for o in fb["structure"]["order"]] == [s.name for s in framework.stages]
    for stage in framework.stages:
        found = stages[stage.name]
        assert found["present"], (name, stage.name, found)
        assert found["confidence"] in ("clear", "likely"), (name, stage.name, found)
        assert found["start_s"] == pytest.approx(first[stage.name], abs=0.01), (name, found)
        assert found["basis"]
    assert sum(s["share"] for s in stages.values()) == pytest.approx(1.0, abs=0.01)
    assert not any("stage was heard" in n["message"] or "not clearly heard" in n["message"]
                   for n in fb["notes"])


LEFT_OUT = [(framework, name, told, stage.name)
            for framework, name, told in ANSWERS for stage in framework.stages
            # Dropping a stage that takes the whole of another's place is not a lack.
            if sum(1 for s, _ in told if s == stage.name) < len(told) - 1]


@pytest.mark.parametrize(("framework", "name", "told", "left_out"), LEFT_OUT,
                         ids=[f"{f.name}-{n}-no-{s}" for f, n, _, s in LEFT_OUT])
def test_a_stage_really_left_out_is_still_reported_absent(
        framework: Framework, name: str, told: Told, left_out: str) -> None:
    kept = tuple((stage, sentence) for stage, sentence in told if stage != left_out)
    fb, first = _coach(framework, kept)
    stages = _stages(fb)
    assert stages[left_out]["present"] is False, (name, stages[left_out])
    assert stages[left_out]["confidence"] == "absent"
    assert stages[left_out]["start_s"] is None and stages[left_out]["share"] == 0.0
    assert any(n["message"].startswith(f"No {left_out} stage was heard") for n in fb["notes"])
    for stage in first:
        assert stages[stage]["present"], (name, stage, stages[stage])


def test_something_in_a_stage_place_that_does_not_show_it_is_not_clearly_heard() -> None:
    told = list(NATURAL_STAR["feuding developers"])
    # The task replaced by a remark that shows no stage: something stands there.
    told[1] = ("Task", "It was not a pleasant place to be for anyone involved.")
    fb, first = _coach(STAR, tuple(told))
    task = _stages(fb)["Task"]
    assert task["confidence"] == "not_clearly_heard"
    assert task["present"] is True and task["inferred"] is True
    assert task["start_s"] == pytest.approx(first["Task"], abs=0.01)
    assert not any(n["message"].startswith("No Task stage") for n in fb["notes"])
    note = next(n for n in fb["notes"] if "Task was not clearly heard" in n["message"])
    minutes, seconds = divmod(round(note["at_s"]), 60)
    assert note["message"].startswith(f"At {minutes}:{seconds:02d} the Task was not clearly")
    report = render_report(Feedback.from_dict(fb))
    assert "Task" in report and "not clearly heard: it stands where the Task belongs" in report
    from app.ui.feedback_view import FeedbackView

    line = FeedbackView._structure_text(Feedback.from_dict(fb))
    assert "Task ? not clearly heard" in line and "Task ✘" not in line


def test_an_answer_that_ends_on_its_actions_has_no_result() -> None:
    told = NATURAL_STAR["parcel forecast"][:-1]
    fb, _ = _coach(STAR, told)
    result = _stages(fb)["Result"]
    assert result["present"] is False and result["confidence"] == "absent"
    assert any(n["severity"] == "problem" and n["message"].startswith("No Result stage")
               for n in fb["notes"])
    assert "     missing     Result" in render_report(Feedback.from_dict(fb))


def test_a_figure_beside_an_obligation_is_a_target_not_a_result() -> None:
    # "nine days" is a measurable figure, but the sentence says what had to happen.
    told = NATURAL_STAR["theatre tickets"]
    fb, first = _coach(STAR, told)
    task = _stages(fb)["Task"]
    assert task["confidence"] == "likely" and task["start_s"] == pytest.approx(first["Task"])
    assert "asked" in task["basis"]
    result = _stages(fb)["Result"]
    assert result["start_s"] == pytest.approx(first["Result"])
    assert result["basis"].startswith("a measurable result")


def test_cues_still_make_a_stage_clear_and_shapes_fill_the_rest() -> None:
    told = (("Situation", "In my last role I ran the payments team at a small bank."),
            ("Task", "The board wanted card fraud halved before the summer."),
            ("Action", "I rewrote the scoring rules and tested them on a year of past "
                       "payments."),
            ("Result", "As a result fraud losses fell by sixty percent in three months."))
    fb, first = _coach(STAR, told)
    stages = _stages(fb)
    assert stages["Situation"]["confidence"] == "clear"
    assert stages["Situation"]["cue"]["text"] == "in my last role"
    assert stages["Result"]["confidence"] == "clear"
    assert stages["Task"]["confidence"] == "likely" and stages["Action"]["confidence"] == "likely"
    assert [stages[n]["start_s"] for n in first] == pytest.approx(list(first.values()))


def test_saved_structure_without_confidence_still_loads_and_reads() -> None:
    fb, _ = _coach(STAR, NATURAL_STAR["payroll client"])
    for stage in fb["structure"]["stages"]:
        del stage["confidence"], stage["basis"]
    fb["structure"]["stages"][0]["inferred"] = True
    old = Feedback.from_dict(fb)
    assert old.structure.stages[0].confidence is None
    assert "opening, no cue heard" in render_report(old)
