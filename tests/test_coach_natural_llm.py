"""The local LLM's key-point and stage judgements folded into the coach's checklist: a
not-heard point is settled only by a quote that really occurs in the transcript, timed by
the transcript; a claim with a quote that is not there changes nothing; where the words
and the LLM disagree, both are shown.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from interview_scripts.frameworks import STAR
from interview_scripts.script import KeyPoint, Question
from models.coach import coach_answer, render_report
from models.coach.feedback_model import Feedback, validate_feedback
from models.coach.llm_fold import fold_llm_review
from models.coach.text_match import locate_quote, tokenize
from tests.coach_helpers import NATURAL_STAR, told_in_turn
from tests.llm_helpers import assert_whole_input_reached, every_chat_whole, transcript_words
from tests.test_coach_natural_key_points import PARAPHRASED, POINTS

WPM = 150.0

pytest_plugins = ("tests.ollama_loopback",)



@pytest.fixture(autouse=True)
def _every_chat_whole() -> Iterator[None]:
    """No chat a test makes may lose part of its prompt to the window."""
    with every_chat_whole():
        yield


def _coached(sentences: tuple[str, ...], points: tuple[KeyPoint, ...] = POINTS
             ) -> tuple[dict[str, Any], list[float]]:
    question = Question(id="slip", text="?", framework=STAR, key_points=points)
    transcript, starts = told_in_turn(sentences, wpm=WPM)
    return coach_answer(question, transcript, None).to_dict(), starts


def _review(points: list[dict[str, Any]], stages: list[dict[str, str]] | None = None
            ) -> dict[str, Any]:
    return {"verdict": "Solid.", "key_points": points, "structure": stages or [],
            "improvements": [], "rephrasing": {"at_s": None, "original": "x", "better": "y"},
            "follow_up_question": "Why?", "model": "llama3.2:3b", "prompt_version": 2}


def _word_time(starts: list[float], sentence: int, word: int) -> float:
    return round(starts[sentence] + word * 60.0 / WPM, 2)


def test_quotes_found_in_the_transcript_settle_points_not_heard() -> None:
    fb, starts = _coached(PARAPHRASED)
    assert [p["status"] for p in fb["key_points"]][:3] == ["not_heard"] * 3
    # Tidied the way a model quotes: capitals and punctuation changed, times made up.
    fb["llm"] = _review([
        {"text": POINTS[0].text, "status": "covered", "at_s": 99.0,
         "evidence": "I picked up the phone, that same afternoon"},
        {"text": POINTS[1].text, "status": "covered", "at_s": 0.0,
         "evidence": "two options each with a fresh schedule"},
        {"text": POINTS[2].text, "status": "partial", "at_s": 3.0,
         "evidence": "the slip was on us"},
        {"text": POINTS[3].text, "status": "missing", "at_s": None, "evidence": ""},
        {"text": POINTS[4].text, "status": "missing", "at_s": None, "evidence": ""}])
    folded = fold_llm_review(copy.deepcopy(fb))
    assert validate_feedback(folded) == []
    told, options, owned, record, follow = folded["key_points"]
    assert told["status"] == "covered"
    assert told["evidence"] == "I picked up the phone that same afternoon"
    assert told["start_s"] == _word_time(starts, 1, 0)  # the transcript's time, not 99 s
    assert told["words"]["status"] == "not_heard" and told["llm"]["at_s"] == told["start_s"]
    assert options["status"] == "covered"
    assert options["start_s"] == _word_time(starts, 2, 3)
    assert owned["status"] == "partial" and owned["start_s"] == _word_time(starts, 3, 4)
    # The LLM agreeing that a point was not made leaves it not heard, never missing.
    assert record["status"] == follow["status"] == "not_heard"
    assert record["llm"]["status"] == "missing" and record["disagreement"] is None
    settled = {p["text"] for p in (told, options, owned)}
    for note in folded["notes"]:
        assert not any(text in note["message"] for text in settled)
    assert sum("not heard in these words" in n["message"] for n in folded["notes"]) == 2
    report = render_report(Feedback.from_dict(folded))
    assert f"[x] {POINTS[0].text}\n" in report
    assert "heard by the local LLM (its quote is in the transcript)" in report


def test_a_quote_that_is_not_in_the_transcript_changes_nothing() -> None:
    fb, _ = _coached(PARAPHRASED)
    fb["llm"] = _review([
        {"text": POINTS[0].text, "status": "covered", "at_s": 4.0,
         "evidence": "I told the client about the delay straight away"},
        {"text": POINTS[1].text, "status": "covered", "at_s": 9.0,
         "evidence": "options"},  # one word proves nothing
        {"text": POINTS[2].text, "status": "covered", "at_s": 9.0, "evidence": ""}])
    before = copy.deepcopy(fb)
    folded = fold_llm_review(fb)
    assert folded["key_points"] == before["key_points"]
    assert folded["notes"] == before["notes"]


def test_words_and_llm_that_disagree_are_both_shown() -> None:
    said = PARAPHRASED + ("Every decision went into a written record the client could read.",)
    fb, _ = _coached(said)
    record = next(p for p in fb["key_points"] if p["text"] == POINTS[3].text)
    assert record["status"] == "covered"
    fb["llm"] = _review([{"text": POINTS[3].text, "status": "missing", "at_s": None,
                          "evidence": ""}])
    folded = fold_llm_review(fb)
    record = next(p for p in folded["key_points"] if p["text"] == POINTS[3].text)
    assert record["status"] == "covered"  # neither side silently wins
    assert record["disagreement"] == "the words found it covered, the local LLM did not"
    assert "the two disagree: the words found it covered, the local LLM did not" in \
        render_report(Feedback.from_dict(folded))


def test_folding_again_starts_from_the_words_own_judgement() -> None:
    fb, _ = _coached(PARAPHRASED)
    words_only = copy.deepcopy(fb)
    fb["llm"] = _review([{"text": POINTS[0].text, "status": "covered", "at_s": 1.0,
                          "evidence": "picked up the phone that same afternoon"}])
    once = fold_llm_review(copy.deepcopy(fb))
    twice = fold_llm_review(copy.deepcopy(once))
    assert twice["key_points"] == once["key_points"]
    once["llm"] = None
    assert fold_llm_review(once)["key_points"] == words_only["key_points"]


def test_a_stage_not_clearly_heard_shows_the_llm_view_but_keeps_its_confidence() -> None:
    told = list(NATURAL_STAR["feuding developers"])
    told[1] = ("Task", "It was not a pleasant place to be for anyone involved.")
    question = Question(id="q", text="?", framework=STAR)
    transcript, _ = told_in_turn([s for _, s in told])
    fb = coach_answer(question, transcript, None).to_dict()
    fb["llm"] = _review([], [{"stage": "Task", "assessment": "The task is only implied."},
                             {"stage": "Action", "assessment": "Clear steps."}])
    folded = fold_llm_review(fb)
    stages = {s["name"]: s for s in folded["structure"]["stages"]}
    assert stages["Task"]["confidence"] == "not_clearly_heard"
    assert stages["Task"]["llm_assessment"] == "The task is only implied."
    assert stages["Action"]["llm_assessment"] is None
    assert "local LLM: The task is only implied." in render_report(Feedback.from_dict(folded))


@pytest.mark.parametrize(("quote", "found"), [
    ("the director asked me", True),
    ("The Director, asked me!", True),
    ("stayed up and we had nine days", True),  # across the comma
    ("the director told me", False),
    ("asked me", False),  # too short to prove anything
])
def test_quotes_are_located_word_for_word(quote: str, found: bool) -> None:
    transcript, _ = told_in_turn([s for _, s in NATURAL_STAR["theatre tickets"]])
    assert (locate_quote(quote, tokenize(transcript)) is not None) is found


def test_a_point_settled_before_gets_its_note_back_when_a_new_review_does_not_settle_it(
        ) -> None:
    fb, _ = _coached(PARAPHRASED)
    fb["llm"] = _review([{"text": POINTS[0].text, "status": "covered", "at_s": 1.0,
                          "evidence": "picked up the phone that same afternoon"}])
    once = fold_llm_review(copy.deepcopy(fb))
    note = f"Key point not heard in these words: {POINTS[0].text};"
    assert not any(n["message"].startswith(note) for n in once["notes"])
    once["llm"] = _review([{"text": POINTS[0].text, "status": "missing", "at_s": None,
                            "evidence": ""}])
    again = fold_llm_review(once)
    assert again["key_points"][0]["status"] == "not_heard"
    assert sum(n["message"].startswith(note) for n in again["notes"]) == 1
    assert validate_feedback(again) == []


def test_the_loopback_llm_settles_points_only_with_quotes_from_the_transcript(
        ollama_loopback: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through the LLM coach: the loopback server replies with a review whose
    quotes are real for two points and made up for a third."""
    import tests.ollama_loopback as loopback
    from models.llm_coach import LLMCoach
    from models.llm_feedback import ReviewSpec

    question = Question(id="slip", text="?", framework=STAR, key_points=POINTS)
    transcript, starts = told_in_turn(PARAPHRASED, wpm=WPM)
    typed = coach_answer(question, transcript, None)
    fb = typed.to_dict()
    spec = ReviewSpec.for_question(question)
    claims = {POINTS[0].text: ("covered", "picked up the phone that same afternoon"),
              POINTS[1].text: ("covered", "I came with two options"),
              POINTS[2].text: ("covered", "I apologised to the whole board in writing")}
    # Written as the schema has the model write it: one slot per key point and stage.
    review = {"key_points": {slot: {"status": claims.get(text, ("missing", ""))[0],
                                    "quote": claims.get(text, ("missing", ""))[1]}
                             for slot, text in zip(spec.slots, spec.key_points, strict=True)},
              "stages": {stage: {"comment": comment, "quote": ""} for stage, comment in
                         zip(spec.stages, ("Brief and clear.", "Owned from the start.",
                                           "Options came with dates.", "Ends on trust."),
                             strict=True)},
              "verdict": "A calm account of bad news.",
              "improvements": [{"at_s": None, "advice": "Close on what changed afterwards."}],
              "rephrasing": {"original": PARAPHRASED[0], "better": "I rang them that day."},
              "follow_up_question": "What would you do differently?"}
    monkeypatch.setattr(loopback, "reply_from_format", lambda *a, **k: json.dumps(review))
    reviewed = LLMCoach(ollama_loopback.host, read_timeout_s=5.0, connect_timeout_s=0.5
                        ).coach(question, typed)
    assert isinstance(reviewed, Feedback)
    result = reviewed.to_dict()
    assert result["llm_status"]["ok"] is True, result["llm_status"]
    assert validate_feedback(result) == []
    assert_whole_input_reached(ollama_loopback, words=transcript_words(fb))
    # The made-up quote is taken out of the review itself, and counted.
    assert [p["text"] for p in result["llm"]["key_points"]] == \
        [POINTS[0].text, POINTS[1].text, POINTS[3].text, POINTS[4].text]
    assert result["llm_status"]["removed"] == [
        f"key_points.{spec.slots[2]}: quote not in the transcript (“I apologised to the whole "
        "board in writ…”)"]
    told, options, owned, record, follow = result["key_points"]
    assert told["status"] == options["status"] == "covered"
    assert told["start_s"] == _word_time(starts, 1, 1)  # "picked", by the transcript
    assert options["start_s"] == _word_time(starts, 2, 0)
    assert owned == fb["key_points"][2]  # its quote was never said: nothing changes
    assert record["status"] == follow["status"] == "not_heard"
    report = render_report(Feedback.from_dict(result))
    assert f"[x] {POINTS[0].text}" in report and f"[?] {POINTS[2].text}" in report


def _unclear_task() -> tuple[dict[str, Any], list[float]]:
    told = list(NATURAL_STAR["feuding developers"])
    told[1] = ("Task", "It was not a pleasant place to be for anyone involved.")
    transcript, starts = told_in_turn([s for _, s in told], wpm=WPM)
    question = Question(id="q", text="?", framework=STAR)
    return coach_answer(question, transcript, None).to_dict(), starts


def _stage_review(name: str, quote: str) -> dict[str, str]:
    return {"stage": name, "assessment": f"{name} as told.", "evidence": quote}


def test_a_quote_inside_a_stage_not_clearly_heard_settles_it() -> None:
    fb, starts = _unclear_task()
    before = copy.deepcopy(fb)
    fb["llm"] = _review([], [_stage_review("Task", "not a pleasant place to be")])
    folded = fold_llm_review(fb)
    task = next(s for s in folded["structure"]["stages"] if s["name"] == "Task")
    assert task["confidence"] == "likely" and task["present"] is True
    assert task["start_s"] == pytest.approx(starts[1])  # the timeline is not moved
    assert task["llm"] == {"evidence": "not a pleasant place to be",
                           "at_s": _word_time(starts, 1, 2)}
    assert task["words"]["confidence"] == "not_clearly_heard"
    assert task["basis"].startswith("the local LLM, with a quote found in the transcript")
    assert not any("Task was not clearly heard" in n["message"] for n in folded["notes"])
    assert validate_feedback(folded) == []
    assert "Task          15%  likely: the local LLM, with a quote found in the transcript " \
           "(0:08)" in render_report(Feedback.from_dict(folded))
    # Without the review the coach's own reading and its note come back.
    folded["llm"] = None
    again = fold_llm_review(folded)
    assert again["structure"] == before["structure"] and again["notes"] == before["notes"]


def test_a_stage_quote_elsewhere_is_shown_beside_the_coach_reading() -> None:
    fb, starts = _unclear_task()
    before = copy.deepcopy(fb)
    # The LLM hears the Task in what the coach took for the Action, and a Result that
    # was never said; neither moves anything.
    fb["llm"] = _review([], [_stage_review("Task", "I sat down with each of them"),
                             _stage_review("Result", "everyone was promoted twice")])
    folded = fold_llm_review(fb)
    stages = {s["name"]: s for s in folded["structure"]["stages"]}
    task = stages["Task"]
    assert task["confidence"] == "not_clearly_heard"
    assert task["disagreement"] == "the local LLM hears it at 0:12, the coach at 0:07"
    assert task["llm"]["at_s"] == _word_time(starts, 2, 0)
    assert stages["Result"] == {**before["structure"]["stages"][3],
                                "llm_assessment": None}
    assert folded["notes"] == before["notes"]
    assert "the two disagree: the local LLM hears it at 0:12, the coach at 0:07" in \
        render_report(Feedback.from_dict(folded))


def test_a_stage_the_coach_found_absent_stays_absent_with_the_llm_view_beside_it() -> None:
    told = NATURAL_STAR["parcel forecast"][:-1]
    transcript, starts = told_in_turn([s for _, s in told], wpm=WPM)
    fb = coach_answer(Question(id="q", text="?", framework=STAR), transcript, None).to_dict()
    fb["llm"] = _review([], [_stage_review("Result", "wrote a one page summary")])
    folded = fold_llm_review(fb)
    result = next(s for s in folded["structure"]["stages"] if s["name"] == "Result")
    assert result["present"] is False and result["confidence"] == "absent"
    assert result["disagreement"].endswith(", the coach found none")
    assert result["llm_assessment"] == "Result as told."


def test_without_llm_gives_back_the_coach_own_checklist_and_timeline() -> None:
    fb, _ = _unclear_task()
    question = Question(id="slip", text="?", framework=STAR, key_points=POINTS)
    transcript, _ = told_in_turn(PARAPHRASED, wpm=WPM)
    fb = coach_answer(question, transcript, None).to_dict()
    coach_only = copy.deepcopy(fb)
    fb["llm"] = _review([{"text": POINTS[0].text, "status": "covered", "at_s": 1.0,
                          "evidence": "picked up the phone that same afternoon"}],
                        [_stage_review("Situation", "Our supplier slipped by three weeks")])
    folded = Feedback.from_dict(fold_llm_review(fb))
    assert folded.key_points[0].status == "covered"
    alone = folded.without_llm().to_dict()
    for key in ("key_points", "structure", "notes"):
        assert alone[key] == coach_only[key], key
    assert alone["llm"] is None and alone["llm_status"] is None
