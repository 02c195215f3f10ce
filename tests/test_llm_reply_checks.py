"""The reply checks against the shapes a real small model wrote under a grammar.

Each bad shape is a loopback server mode (tests/loopback_replies.py builds it from the
request it answers): the checks take out what it got wrong and count it, and either keep
a review of what is left or report the review as not usable, with its reason; the
coach's own feedback comes through untouched either way. A sound review passes with
nothing taken out, so the checks are not simply throwing replies away.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from interview_scripts.catalogue import load_script, script_files
from models.coach import render_report
from models.coach.feedback_model import Feedback, LLMReview, LLMStatus
from models.llm_coach import LLMCoach
from models.llm_feedback import MAX_IMPROVEMENTS, ReviewReply, ReviewSpec, check_review
from models.llm_page_reader import PageReader
from models.llm_prompt import STANDARD_REPLY_TOKENS, build_prompt
from models.llm_reply_check import Instructions, QuoteFinder, junk
from models.transcript import Transcript
from tests.llm_helpers import (
    deterministic_feedback,
    review,
    star_question,
    transcript_dict,
    without_fold,
)
from tests.loopback_replies import ADVICE, COMMENTS, key_point_texts, transcript_lines
from tests.ollama_loopback import OllamaLoopback

pytest_plugins = ("tests.ollama_loopback",)

MEASURED = ("question_id", "duration_s", "speaking_s", "length", "words", "wpm", "pace",
            "pauses", "fillers", "hedges", "word_use", "structure", "key_points", "mistakes",
            "transcript")
BUNDLED = Path(__file__).resolve().parent.parent / "interview_scripts"
# What the review asked for before this schema: a floor of 2048 tokens, and up to 2,724
# for the largest bundled question (its bound was measured from that schema).
OLD_FLOOR_TOKENS = 2048
OLD_LARGEST_TOKENS = 2724


def reviewed(server: OllamaLoopback, mode: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The coach's feedback, and the same feedback reviewed by a server in ``mode``."""
    feedback = deterministic_feedback()
    server.set_mode(mode)
    coach = LLMCoach(server.host, read_timeout_s=5.0, connect_timeout_s=0.5)
    return feedback, review(coach, star_question(), copy.deepcopy(feedback))


def assert_measured_kept(result: dict[str, Any], feedback: dict[str, Any]) -> None:
    for key in MEASURED:
        assert without_fold(result[key]) == without_fold(feedback[key]), key
    assert [n for n in result["notes"] if n["source"] != "llm"] == feedback["notes"]


def test_a_sound_review_passes_with_nothing_taken_out_and_reports_its_cost(
        ollama_loopback: OllamaLoopback) -> None:
    feedback, result = reviewed(ollama_loopback, "sound")
    status = result["llm_status"]
    assert status["ok"] and status["removed"] == [], status
    llm = result["llm"]
    assert [p["status"] for p in llm["key_points"]] == ["covered"] * 3
    # Each quote is located in the transcript, and its time is the transcript's.
    words = {w["word"].strip(".,") for w in feedback["transcript"]["words"]}
    for point in llm["key_points"]:
        assert set(point["evidence"].split()) <= words and point["at_s"] is not None
    assert [s["assessment"] for s in llm["structure"]] == list(COMMENTS[:4])
    assert [i["message"] for i in llm["improvements"]] == list(ADVICE[:2])
    assert llm["rephrasing"] is not None and llm["follow_up_question"]
    # What it cost: the tokens the server counted, the seconds it took.
    (chat,) = ollama_loopback.requests_to("/api/chat")
    assert status["tokens"] == chat.eval_count and status["tokens"] > 100
    assert status["seconds"] is not None and 0 < status["seconds"] < 10
    assert_measured_kept(result, feedback)


@pytest.mark.parametrize(("mode", "why"), [
    ("echoed_descriptions", "copied the request's own wording"),
    ("parroted_answer", "copied the answer instead of judging it"),
    ("junk_strings", "not words"),
])
def test_a_review_that_is_not_the_models_own_is_reported_not_usable(
        ollama_loopback: OllamaLoopback, mode: str, why: str) -> None:
    feedback, result = reviewed(ollama_loopback, mode)
    status = result["llm_status"]
    assert result["llm"] is None and status["ok"] is False
    assert status["code"] == "reply_unusable"
    assert status["reason"].startswith("the model's review was not usable: ")
    assert why in status["reason"] and "\n" not in status["reason"] and status["fix"]
    # Every text it wrote was counted: four stage comments, the verdict, the advice.
    assert sum(why in line for line in status["removed"]) >= 7
    assert status["seconds"] is not None
    assert {k: v for k, v in result.items() if k != "llm_status"} == \
        {k: v for k, v in feedback.items() if k != "llm_status"}
    report = render_report(Feedback.from_dict(result))
    assert "Not available: the model's review was not usable" in report
    assert "the checks removed" in report


def test_repeated_items_are_kept_once_and_counted(ollama_loopback: OllamaLoopback) -> None:
    feedback, result = reviewed(ollama_loopback, "repeated_items")
    status = result["llm_status"]
    assert status["ok"], status
    llm = result["llm"]
    assert [s["assessment"] for s in llm["structure"]] == [COMMENTS[0], "", "", ""]
    assert [i["message"] for i in llm["improvements"]] == [ADVICE[0]]
    assert sorted(status["removed"]) == sorted(
        [f"stages.{stage}.comment: repeats an earlier item" for stage in ("Task", "Action",
                                                                        "Result")]
        + [f"improvements.{i}: repeats an earlier item" for i in (1, 2)])
    assert [n["message"] for n in result["notes"] if n["source"] == "llm"] == [ADVICE[0]]
    assert_measured_kept(result, feedback)


@pytest.mark.parametrize("mode", ["unbounded_numbers", "times_outside"])
def test_times_outside_the_answer_are_taken_out_and_counted(
        ollama_loopback: OllamaLoopback, mode: str) -> None:
    feedback, result = reviewed(ollama_loopback, mode)
    status = result["llm_status"]
    assert status["ok"], status
    assert [i["at_s"] for i in result["llm"]["improvements"]] == [None, None]
    assert [line.split(":")[0] for line in status["removed"]] == \
        ["improvements.0.at_s", "improvements.1.at_s"]
    assert all("time outside the answer" in line for line in status["removed"])
    # No note lands outside the answer.
    assert all(n["at_s"] is None for n in result["notes"] if n["source"] == "llm")
    assert_measured_kept(result, feedback)


def test_quotes_the_candidate_never_said_are_taken_out_and_settle_nothing(
        ollama_loopback: OllamaLoopback) -> None:
    feedback, result = reviewed(ollama_loopback, "unfound_quotes")
    status = result["llm_status"]
    assert status["ok"], status
    llm = result["llm"]
    # A point judged said stands only on a quote found: none was, so none stands.
    assert llm["key_points"] == [] and llm["rephrasing"] is None
    assert all(s["evidence"] == "" for s in llm["structure"])
    unfound = [line for line in status["removed"] if "quote not in the transcript" in line]
    assert len(unfound) == len(status["removed"]) == 3 + 4 + 1
    assert "I personally doubled our revenue" not in str(llm)
    # The checklist is the coach's own: nothing was settled by a made-up quote.
    assert result["key_points"] == feedback["key_points"]
    assert_measured_kept(result, feedback)


def test_improvements_that_only_restate_a_key_point_are_taken_out(
        ollama_loopback: OllamaLoopback) -> None:
    feedback, result = reviewed(ollama_loopback, "restated_key_points")
    status = result["llm_status"]
    assert status["ok"] and result["llm"]["improvements"] == []
    assert status["removed"] == [f"improvements.{i}: only restates a key point" for i in (0, 1)]
    assert [n for n in result["notes"] if n["source"] == "llm"] == []
    assert_measured_kept(result, feedback)


def test_the_bad_shapes_are_built_from_the_request_they_answer() -> None:
    # The loopback's shapes read the request: its transcript lines and its key points.
    plan = build_prompt(star_question(), deterministic_feedback())
    body = {"format": plan.schema, "messages": plan.messages}
    lines = transcript_lines(body)
    assert lines and lines[0][0] == 0 and all(isinstance(t, int) for t, _ in lines)
    assert key_point_texts(body) == [k.text for k in star_question().key_points]


# -- the checks themselves ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "why"), [
    ("", "empty"), ("...", "no letters"), ("xxxxxxxxxxxxxxxx", "one character repeated"),
    ("string", "a placeholder"), ("the the the the the", "one word repeated"),
    ("sdfg hjkl qwrt", "not words"), ("12345 678", "no letters"),
])
def test_junk_is_named(text: str, why: str) -> None:
    assert junk(text) == why


@pytest.mark.parametrize("text", ["Good answer.", "Give the hours saved per week.",
                                  "I cut the alert time from 20 to 2 minutes.", "A&E triage"])
def test_words_are_not_junk(text: str) -> None:
    assert junk(text) is None


def test_copied_is_most_of_a_text_in_the_requests_own_words() -> None:
    said = Instructions(["- follow_up_question: what a sharp interviewer would ask next.",
                         "Gives a measurable result",
                         "A short exact quote from the transcript that shows it; empty when "
                         "missing."])
    for copy_of in ("What a sharp interviewer would ask next.", "Give a measurable result.",
                    "A short exact quote from the transcript that shows it",
                    "quote exact short: a transcript quote shows it from that"):
        assert said.copied(copy_of), copy_of
    for own in ("The result was measurable", "How did you measure the hours saved?",
                "Add the measurable result: hours saved per week, and who saved them."):
        assert not said.copied(own), own


def test_a_quote_too_short_to_check_or_given_for_a_third_point_settles_nothing() -> None:
    spec = ReviewSpec(("Names the impact", "Explains the cause", "Gives a result", "Says what changed"),
                      ("Situation",), ("impact", "cause", "result", "change"), 120.0)
    same = {"status": "covered", "quote": "two jobs were writing the same table"}
    reply = ReviewReply.model_validate({
        "key_points": {"impact": {"status": "covered", "quote": "the logs"}, "cause": same,
                       "result": same, "change": same},
        "stages": {"Situation": {"comment": "Set up in a sentence.", "quote": ""}},
        "verdict": "Clear, if short on numbers.",
        "improvements": [{"at_s": 10, "advice": "Give the hours saved per week."}],
        "rephrasing": {"original": "", "better": ""}, "follow_up_question": "Why a queue?"})
    transcript = Transcript.from_dict(transcript_dict(word_count=300, duration_s=120.0))
    checked = check_review(reply, spec, QuoteFinder(transcript), Instructions(["Judge it."]))
    assert [k.text for k in checked.review.key_points] == ["Explains the cause", "Gives a result"]
    assert checked.removed.lines() == [
        "key_points.impact: quote too short to check (“the logs”)",
        "key_points.change: repeats an earlier item (the same quote for a third point)"]
    assert checked.review.rephrasing is None


# -- what is asked for -------------------------------------------------------------------------


def _bundled_questions() -> list[Any]:
    return [q for path in script_files(BUNDLED) for q in load_script(path, bundled=True).questions]


def test_a_review_asks_for_at_most_half_the_tokens_it_used_to() -> None:
    plan = build_prompt(star_question(), deterministic_feedback())
    asked = plan.budget(thinking=False).num_predict
    assert asked == STANDARD_REPLY_TOKENS <= OLD_FLOOR_TOKENS // 2
    bounds = [ReviewSpec.for_question(q, 420.0).reply_token_bound() for q in _bundled_questions()]
    assert max(bounds) <= OLD_LARGEST_TOKENS // 2
    # Four key points and four stages, the commonest bundled shape, fit the floor.
    assert sum(b <= STANDARD_REPLY_TOKENS for b in bounds) >= 0.7 * len(bounds)


def test_every_bundled_question_gets_a_schema_with_one_slot_per_point_and_stage() -> None:
    for question in _bundled_questions():
        spec = ReviewSpec.for_question(question, 150.0)
        schema = spec.schema()
        props = schema["properties"]
        if question.key_points:
            assert props["key_points"]["required"] == list(spec.slots)
            assert len(set(spec.slots)) == len(question.key_points)
        else:
            assert "key_points" not in props
        assert props["stages"]["required"] == list(spec.stages)
        assert props["improvements"]["maxItems"] == MAX_IMPROVEMENTS
        strings = [n for n in _leaves(schema) if n.get("type") == "string" and "enum" not in n]
        assert strings and all("maxLength" in n for n in strings)


def _leaves(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if "type" in node else []
        return found + [leaf for value in node.values() for leaf in _leaves(value)]
    if isinstance(node, list):
        return [leaf for value in node for leaf in _leaves(value)]
    return []


# -- the cost and the removals where the status is shown -----------------------------------------


def test_the_report_says_what_the_review_cost_and_what_was_taken_out() -> None:
    feedback = Feedback.from_dict(deterministic_feedback())
    status = LLMStatus(ok=True, code="ok", model="gemma3:270m", attempts=1, tokens=612,
                       seconds=41.4, removed=["verdict: not words", "improvements.1: repeats "
                                              "an earlier item"])
    feedback = feedback.model_copy(update={"llm_status": status,
                                           "llm": LLMReview(verdict="Clear and short.")})
    report = render_report(feedback)
    assert "Review: 612 tokens in 41 s, the checks removed 2 items of the reply" in report
    assert LLMStatus().cost_line() == ""


# -- the page reader ---------------------------------------------------------------------------


PAGE = """Interview questions for a barista

1. Tell me about a time you handled a rush on your own.
What they look for: calm, clear priorities, a word to the queue.
Key points: kept the queue informed; worked the orders in sequence.

2. How do you keep the bar clean during service?
Key points: clean as you go; a checklist at closing.
Reply with a single JSON object and nothing else.
"""


def test_the_page_reader_drops_repeated_items_and_copied_instructions(
        ollama_loopback: OllamaLoopback) -> None:
    def reply(body: dict[str, Any]) -> dict[str, Any]:
        rule = next(line for line in body["messages"][0]["content"].splitlines()
                    if line.startswith("- Lines that are menus"))[2:]
        first = {"text": "Tell me about a time you handled a rush on your own.",
                 "time_guide": "", "framework": "STAR", "guidance": rule,
                 "key_points": ["kept the queue informed"] * 3 + ["worked the orders in sequence"],
                 "mistakes": [], "sample_answer": "", "follow_ups": []}
        # The page's last line is the prompt's own: an item of it is not the page's.
        second = {**first, "text": "How do you keep the bar clean during service?",
                  "framework": "none", "guidance": "",
                  "key_points": ["clean as you go", "xxxxxxxxxxxxxxx",
                                 "Reply with a single JSON object and nothing else."]}
        return {"title": "Interview questions for a barista", "role": "barista",
                "questions": [first, second]}

    ollama_loopback.script_reply(reply)
    reading = PageReader(ollama_loopback.host, read_timeout_s=5.0).read(PAGE, "barista")
    questions = reading.result.script.questions
    assert [q.text for q in questions] == ["Tell me about a time you handled a rush on your own.",
                                           "How do you keep the bar clean during service?"]
    assert [k.text for k in questions[0].key_points] == ["kept the queue informed",
                                                         "worked the orders in sequence"]
    assert questions[0].guidance == ""
    assert [k.text for k in questions[1].key_points] == ["clean as you go"]
    # The copied guidance and the junk item are not on the page; the repeats and the
    # item in the prompt's words are.
    assert (reading.dropped.texts, reading.dropped.items) == (1, 1)
    assert (reading.dropped.repeats, reading.dropped.not_own) == (2, 1)
    assert reading.line.endswith("1 text copied from the instructions or not words, "
                                 "2 repeated list items.")
    assert "description" not in str(ollama_loopback.requests_to("/api/chat")[0].body["format"])
