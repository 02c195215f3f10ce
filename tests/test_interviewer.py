"""The interviewer's own lines and patience, by style."""

from __future__ import annotations

import pytest

from app.interviewer import (
    CLOSING_QUESTION_ID,
    DEFAULT_STYLE,
    STYLES,
    Interviewer,
    closing_question,
    cut_at_s,
    ends_with_closer,
    estimated_minutes,
    interruption_margin_s,
)
from interview_scripts.script import Question
from interview_scripts.time_guide import parse_time_guide

ONE_TO_TWO = parse_time_guide("1-2 min")


def questions(count: int, guide: str = "2-3 min") -> list[Question]:
    return [Question(id=f"q{i}", text=f"Question {i}?", time_guide=parse_time_guide(guide))
            for i in range(count)]


def test_the_default_margin_is_the_larger_of_30_s_and_a_fifth_of_the_maximum() -> None:
    assert DEFAULT_STYLE == "neutral"
    # 1-2 minutes: 20 % of 120 s is 24 s, less than 30 s, so the cut is at 2:30.
    assert cut_at_s(ONE_TO_TWO) == 150.0
    # 5-7 minutes: 20 % of 420 s is 84 s.
    assert interruption_margin_s(420.0) == pytest.approx(84.0)
    assert cut_at_s(None) is None


def test_the_style_sets_the_margin_and_a_setting_overrides_it() -> None:
    margins = {style: interruption_margin_s(120.0, style) for style in STYLES}
    assert margins["demanding"] < margins["neutral"] < margins["friendly"]
    assert interruption_margin_s(120.0, "demanding", margin_s=50.0) == 50.0
    # An unknown style (an old or hand-edited setting) falls back to the default.
    assert interruption_margin_s(120.0, "grumpy") == interruption_margin_s(120.0, "neutral")


def test_the_opening_says_who_asks_how_many_questions_and_roughly_how_long() -> None:
    line = Interviewer().opening("Site reliability engineer", questions(3), follow_ups=True)
    assert "I'm Sam" in line
    assert "Site reliability engineer role" in line
    assert "3 questions" in line and "follow-up" in line
    minutes = estimated_minutes(questions(3), follow_ups=True)
    assert f"about {minutes} minutes" in line
    # Three 2-3 minute answers, three 1-2 minute replies, reading and the closing: ~14 min.
    assert 11 <= minutes <= 16
    assert estimated_minutes(questions(3), follow_ups=False) < minutes
    one = Interviewer("friendly").opening("", questions(1, "1-2 min"), follow_ups=False)
    assert "1 question," in one and "this role" in one


def test_transitions_are_short_and_the_last_question_is_announced() -> None:
    interviewer = Interviewer()
    lines = [interviewer.transition(i, 4) for i in range(1, 4)]
    assert lines[-1] == "Thank you. One last question."
    assert all(len(line.split()) <= 8 for line in lines)
    assert lines[0] != lines[1]


def test_each_style_has_its_own_interjection_closing_and_tone() -> None:
    by_style = {style: Interviewer(style) for style in STYLES}
    assert len({i.interjection() for i in by_style.values()}) == 3
    assert len({i.tone for i in by_style.values()}) == 3
    for interviewer in by_style.values():
        assert interviewer.closing_question().endswith("Do you have any questions for us?")
        assert interviewer.interjection(0) != interviewer.interjection(1)
        assert interviewer.goodbye()


def test_the_closing_question_is_a_closer_without_key_points() -> None:
    closing = closing_question(Interviewer())
    assert closing.id == CLOSING_QUESTION_ID and closing.kind == "closer"
    assert closing.key_points == () and closing.follow_ups == ()
    assert not ends_with_closer(questions(2))
    assert ends_with_closer([*questions(1), closing])
