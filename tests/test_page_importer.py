"""The page importer on the three kinds of prep page and on small hand-made ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from interview_scripts.errors import ScriptError
from interview_scripts.loader import parse_script
from interview_scripts.page_importer import ImportResult, import_page

# The seed pages sit beside the repository; GREENROOM_SEEDS_DIR points elsewhere.
_DEFAULT_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEEDS_DIR = _DEFAULT_SEEDS if _DEFAULT_SEEDS.is_dir() else Path(os.environ.get("GREENROOM_SEEDS_DIR", _DEFAULT_SEEDS))


def _seed(prefix: str) -> Path:
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed pages not found at {SEEDS_DIR} (set GREENROOM_SEEDS_DIR to their folder)")
    matches = sorted(SEEDS_DIR.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"no seed page {prefix}_*.txt in {SEEDS_DIR}")
    return matches[0]


def _import(prefix: str) -> ImportResult:
    page = _seed(prefix)
    return import_page(page.read_text(encoding="utf-8"), page.name)


@pytest.fixture(scope="module")
def answers_only() -> ImportResult:
    return _import("000")


@pytest.fixture(scope="module")
def question_list() -> ImportResult:
    return _import("001")


@pytest.fixture(scope="module")
def final_round() -> ImportResult:
    return _import("002")


def _round_trip(result: ImportResult) -> None:
    again = parse_script(result.yaml_text, name=f"{result.script.id}.yaml")
    assert again == result.script


def test_answers_without_questions_become_placeholders(answers_only: ImportResult) -> None:
    script = answers_only.script
    assert script.role == "IT Manager"
    first = script.questions[0]
    assert first.text == "How do you align IT strategies with overall business goals?"
    assert "roadmap" in first.sample_answer
    placeholders = [q for q in script.questions if q.text.startswith("Untitled question")]
    assert len(placeholders) == 14  # every model answer after the first lacks its question
    assert all(q.sample_answer for q in placeholders)
    star = [q for q in placeholders if q.framework.name == "STAR"]
    assert len(star) == 5 and all("Result:" in q.sample_answer for q in star)
    notes = [u for u in answers_only.unplaced if u.startswith("note: questions[")]
    assert len(notes) == 14
    # Tips and advertising are reported, not turned into questions or answers.
    assert any(u.startswith("$9/month") for u in answers_only.unplaced)
    assert any("Don't fake it" in u for u in answers_only.unplaced)
    _round_trip(answers_only)


def test_question_list_page(question_list: ImportResult) -> None:
    script = question_list.script
    assert script.title == "Senior Operations Engineer Interview Questions"
    assert script.role == "Senior Operations Engineer"
    assert len(script.questions) == 24  # listed once, detailed once: no duplicates
    texts = [q.text for q in script.questions]
    assert texts[1] == "Tell me about a 2 a.m. incident you led. How did you triage, communicate, and resolve it?"
    assert any(t.startswith("We have a tight budget.") for t in texts)
    assert any(t.startswith("Walk me through how you would build") for t in texts)
    for q in script.questions:
        assert q.guidance.startswith("Employers ask"), q.id
        assert q.sample_answer and not q.sample_answer.startswith(("Answer Example", '"')), q.id
    behavioural = [q for q in script.questions
                   if q.text.startswith(("Tell me about a time", "Describe a time", "Share a specific example"))]
    assert len(behavioural) == 3 and all(q.framework.name == "STAR" for q in behavioural)
    # The repeated footer is reported once with its count.
    assert any("(×23)" in u for u in question_list.unplaced)
    _round_trip(question_list)


def test_final_round_page(final_round: ImportResult) -> None:
    (q,) = final_round.script.questions
    assert q.text.startswith("Describe a time you had to lead a cross-functional team")
    assert q.text.endswith("maintaining team morale?")
    assert q.time_guide is not None and (q.time_guide.min_s, q.time_guide.max_s) == (300.0, 420.0)
    assert q.framework.name == "CIRCLES"
    assert "CIRCLES" in q.guidance
    assert q.sample_answer.startswith("In a past role")
    assert len(q.key_points) == 6 and len(q.mistakes) == 6
    assert not any(k.text.startswith(("-", "•")) for k in q.key_points)
    assert not any(m.text.startswith(("-", "✗")) for m in q.mistakes)
    cues = {c for k in q.key_points for c in k.cues}
    assert {"blameless post-mortem", "blameless postmortem", "blameless post mortem", "dedicated channels"} <= cues
    assert final_round.unplaced == []
    _round_trip(final_round)


def test_headed_sections_and_follow_ups() -> None:
    page = "\n".join([
        "Product Manager Interview Questions",
        "",
        "Q1: What product do you admire most, and why?",
        "Time: 2 minutes",
        "Why interviewers ask",
        "They want to hear product judgement rather than fandom.",
        "Sample answer:",
        "I admire a note-taking app that made offline sync feel invisible to its users.",
        "Key points",
        "* Name the user problem the product solves (e.g. sync, speed)",
        "* Avoid gushing without evidence",
        "Pitfalls",
        "1. Picking your own employer's product",
        "Follow-up questions",
        "- What would you change about it?",
        "",
        "Tell me about a time you shipped something users hated.",
        "Situation: we launched a redesign. Task: win users back. Action: I ran interviews. "
        "Result: retention recovered within a month.",
    ])
    result = import_page(page, "pm.txt")
    first, second = result.script.questions
    assert first.text == "What product do you admire most, and why?"
    assert (first.time_guide.min_s, first.time_guide.max_s) == (90.0, 120.0)  # single figure: 75%..100%
    assert first.guidance == "They want to hear product judgement rather than fandom."
    assert first.sample_answer.startswith("I admire a note-taking app")
    assert [k.text for k in first.key_points][1] == "Avoid gushing without evidence"  # bullet, not a heading
    assert first.key_points[0].cues == ("sync", "speed")
    assert [m.text for m in first.mistakes] == ["Picking your own employer's product"]
    assert first.follow_ups == ("What would you change about it?",)
    assert second.framework.name == "STAR"
    assert second.sample_answer.startswith("Situation: we launched")
    assert result.script.role == "Product Manager"
    _round_trip(result)


def test_orphan_answer_and_unplaced_lines() -> None:
    page = (
        "I keep a weekly review with each stakeholder so priorities never drift, and I publish "
        "the decisions in one shared document that everyone can read.\n"
        "Subscribe for more tips!\n"
    )
    result = import_page(page, "notes.txt")
    (q,) = result.script.questions
    assert q.text.startswith("Untitled question 1")
    assert q.sample_answer.startswith("I keep a weekly review")
    assert "Subscribe for more tips!" in result.unplaced
    assert any("without its question" in u for u in result.unplaced)
    _round_trip(result)


def test_awkward_text_still_round_trips() -> None:
    page = "\n".join([
        'Question: "Why: yes, no & maybe — # is this a comment?"',
        "Answer example: \"I'd say 'yes' — 100% — and explain: the #1 reason is {curly} [brackets].\"",
        "Key points:",
        "- true",
        "- 1:30",
    ])
    result = import_page(page, "odd.txt")
    (q,) = result.script.questions
    assert q.text == "Why: yes, no & maybe — # is this a comment?"
    assert q.sample_answer.startswith("I'd say 'yes'")
    assert [k.text for k in q.key_points] == ["true", "1:30"]  # stay text, not YAML booleans or times
    _round_trip(result)


def test_page_without_questions_is_a_script_error() -> None:
    with pytest.raises(ScriptError, match=r"^empty\.txt: found no interview questions"):
        import_page("Just a heading\n\nnothing else here", "empty.txt")
