"""The question finder: browse by role, level and kind, search every interview, plan a round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import GreenroomError
from app.question_finder import (
    FILTER_LEVELS,
    Found,
    QuestionFilter,
    QuestionIndex,
    index_folders,
    normalise,
    plan_round,
    search_words,
)
from interview_scripts import bundled_dir
from interview_scripts.catalogue import discover_scripts
from interview_scripts.script import InterviewScript, KeyPoint, Question


def _q(qid: str, text: str, kind: str = "role", level: str = "any", guidance: str = "",
       points: tuple[str, ...] = ()) -> Question:
    return Question(id=qid, text=text, kind=kind, level=level, guidance=guidance,
                    key_points=tuple(KeyPoint(p) for p in points))


NURSE = InterviewScript(
    id="nurse", title="Ward nurse", role="Registered Nurse", tags=("patient care", "handover"),
    questions=(
        _q("intro", "Tell me about yourself.", kind="opener"),
        _q("deteriorating", "Tell me about a time a patient deteriorated on your shift.",
           kind="behavioural", level="senior", points=("Say how you escalated",)),
        _q("first-week", "What would you do in your first week on the ward?", level="entry"),
        _q("questions", "Do you have any questions for us?", kind="closer"),
    ))
ENGINEER = InterviewScript(
    id="engineer", title="Platform engineer", role="Software Engineer", tags=("kubernetes",),
    questions=(
        _q("outage", "Tell me about an outage you led.", kind="behavioural", level="senior",
           guidance="Name the start of the incident and your first call."),
        _q("queue", "How would you scale a queue consumer?", level="mid",
           points=("Mention backpressure", "Make the handler idempotent")),
        _q("manager", "How do you work with your manager?", kind="behavioural"),
    ))
INDEX = QuestionIndex([NURSE, ENGINEER])


def _ids(found: list[Found]) -> list[tuple[str, str]]:
    return [(f.script.id, f.question.id) for f in found]


def test_words_match_at_their_start_ignoring_case_accents_and_punctuation() -> None:
    assert normalise("Résumé, CI/CD!") == " resume ci cd "
    assert search_words("  Queue queue  CONSUMER ") == ["queue", "consumer"]
    assert _ids(INDEX.search("consum")) == [("engineer", "queue")]  # the start of a word
    assert INDEX.search("sumer") == []  # not the middle of one
    assert _ids(INDEX.search("IDEMPOTENT")) == [("engineer", "queue")]
    assert INDEX.search("") == [] and INDEX.search(" ,; ") == []


def test_every_word_must_be_found_somewhere_in_the_question_or_its_interview() -> None:
    assert _ids(INDEX.search("patient deteriorated")) == [("nurse", "deteriorating")]
    assert INDEX.search("patient outage") == []
    # "kubernetes" is only a tag of the engineer interview: all of its questions, none else
    assert _ids(INDEX.search("kubernetes")) == [("engineer", "outage"), ("engineer", "queue"),
                                                ("engineer", "manager")]


def test_the_question_text_ranks_above_key_points_then_role_and_tags_then_guidance() -> None:
    kitchen = InterviewScript(id="kitchen", title="Line cook", role="Cook", tags=("oven",), questions=(
        _q("tidy", "How do you keep your station tidy?"),
        _q("broke", "What did you do when a dish came back?", points=("Name the oven you used",)),
        _q("clean", "How do you clean an oven?"),
    ))
    bakery = InterviewScript(id="bakery", title="Bakery", role="Baker", questions=(
        _q("bread", "Which bread do you bake best?", guidance="Say how you watch the oven."),
    ))
    found = QuestionIndex([bakery, kitchen]).search("oven")
    assert _ids(found) == [("kitchen", "clean"), ("kitchen", "broke"), ("kitchen", "tidy"),
                           ("bakery", "bread")]
    assert [f.found_in for f in found] == [("question", "tags"), ("key points", "tags"), ("tags",),
                                           ("guidance",)]
    assert found[0].score > found[1].score > found[2].score > found[3].score
    # "nurse": the nurse interview's role and title, in every one of its questions
    assert {f.found_in for f in INDEX.search("nurse")} == {("role", "title")}
    assert len(INDEX.search("nurse")) == len(NURSE.questions)
    # Both words are needed; each scores where it is best found.
    found = INDEX.search("escalat handover")
    assert _ids(found) == [("nurse", "deteriorating")]
    assert found[0].found_in == ("key points", "tags")
    # Equal scores keep the catalogue's order.
    found = INDEX.search("tell me about")
    assert _ids(found) == [("nurse", "intro"), ("nurse", "deteriorating"), ("engineer", "outage")]
    assert len({f.score for f in found}) == 1


def test_a_phrase_in_the_question_text_ranks_above_the_same_words_apart() -> None:
    together = InterviewScript(id="a", title="A", role="R", questions=(
        _q("apart", "Describe a queue you built and how a consumer read it."),
        _q("together", "What limits a queue consumer?"),
    ))
    found = QuestionIndex([together]).search("queue consumer")
    assert _ids(found) == [("a", "together"), ("a", "apart")]
    assert found[0].score > found[1].score


def test_a_level_is_a_candidates_level_that_level_and_any() -> None:
    senior = QuestionFilter(level="senior")
    assert [q.id for q in senior.questions_of(NURSE)] == ["intro", "deteriorating", "questions"]
    entry = QuestionFilter(level="Entry")
    assert [q.id for q in entry.questions_of(NURSE)] == ["intro", "first-week", "questions"]
    assert QuestionFilter(level="any") == QuestionFilter()  # "any" leaves the level open
    assert QuestionFilter().is_open and not entry.is_open


def test_kind_and_role_filters() -> None:
    assert [q.id for q in QuestionFilter(kind="closer").questions_of(NURSE)] == ["questions"]
    assert QuestionFilter(kind="closer").questions_of(ENGINEER) == []
    # a role is matched by its words, like a search
    assert QuestionFilter(role="nurse").fits_role(NURSE)
    assert not QuestionFilter(role="nurse").fits_role(ENGINEER)
    assert QuestionFilter(role="Software Engineer").fits_role(ENGINEER)
    both = QuestionFilter(role="software", kind="behavioural", level="senior")
    assert [q.id for q in both.questions_of(ENGINEER)] == ["outage", "manager"]
    assert both.questions_of(NURSE) == []


@pytest.mark.parametrize(("field", "value", "words"), [
    ("level", "principal", "unknown level 'principal' (choose one of: entry, mid, senior, or any)"),
    ("kind", "trivia", "unknown kind 'trivia' (choose one of: opener, behavioural, role, closer)"),
])
def test_an_unknown_level_or_kind_is_one_line_naming_the_choices(field: str, value: str, words: str) -> None:
    with pytest.raises(GreenroomError) as caught:
        QuestionFilter(**{field: value})
    assert str(caught.value) == words


def test_browse_lists_only_interviews_with_a_question_the_filters_show() -> None:
    assert [(s.id, [q.id for q in qs]) for s, qs in INDEX.browse(QuestionFilter(kind="opener"))] == [
        ("nurse", ["intro"])]
    assert [s.id for s, _ in INDEX.browse(QuestionFilter())] == ["nurse", "engineer"]
    assert INDEX.browse(QuestionFilter(role="teacher")) == []
    # filters apply to a search too
    assert _ids(INDEX.search("tell", QuestionFilter(kind="behavioural"))) == [
        ("nurse", "deteriorating"), ("engineer", "outage")]
    assert _ids(INDEX.search("tell", QuestionFilter(role="software"))) == [("engineer", "outage")]


def test_roles_levels_and_kinds_on_offer() -> None:
    twin = InterviewScript(id="twin", title="Twin", role="registered nurse", questions=(_q("x", "X?"),))
    index = QuestionIndex([NURSE, ENGINEER, twin])
    assert index.roles() == ["Registered Nurse", "Software Engineer"]  # one spelling each
    assert index.levels() == ["entry", "mid", "senior"]
    assert index.kinds() == ["opener", "behavioural", "role", "closer"]
    assert index.question_count == 8


def test_a_round_is_one_interview_the_highlighted_ones_else_the_first_chosen() -> None:
    found = INDEX.search("tell")  # nurse intro, nurse deteriorating, engineer outage
    assert plan_round([]).script is None
    first = plan_round(found)
    assert first.script is NURSE
    assert [q.id for q in first.questions] == ["intro", "deteriorating"]
    assert [(s.id, [q.id for q in qs]) for s, qs in first.waiting] == [("engineer", ["outage"])]
    moved = plan_round(found, lead=found[2])
    assert moved.script is ENGINEER and [q.id for q in moved.questions] == ["outage"]
    assert [s.id for s, _ in moved.waiting] == ["nurse"]
    # a highlighted question that is not chosen does not choose its interview
    unchosen = Found(ENGINEER, ENGINEER.questions[2], 3, 0, ())
    assert plan_round(found[:2], lead=unchosen).script is NURSE
    # the round keeps the interview's own order, whatever the ranking
    reordered = [found[1], found[0]]
    assert [q.id for q in plan_round(reordered).questions] == ["intro", "deteriorating"]


def test_two_equal_interviews_from_two_files_are_two_rounds() -> None:
    copy = InterviewScript(id=NURSE.id, title=NURSE.title, role=NURSE.role, questions=NURSE.questions,
                           tags=NURSE.tags, path=Path("copy.yaml"))
    assert copy == NURSE  # equal field for field (paths do not compare) ...
    found = QuestionIndex([NURSE, copy]).search("yourself")
    chosen = plan_round(found)
    assert chosen.script is NURSE and len(chosen.waiting) == 1 and chosen.waiting[0][0] is copy


def test_the_bundled_bank_is_indexed_and_searched_across_interviews(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("title: Broken\nquestions: []\n", encoding="utf-8")
    catalogue = index_folders([(bundled_dir(), True), (tmp_path, False)])
    scripts, _ = discover_scripts([(bundled_dir(), True)])
    index = catalogue.index
    assert len(index.scripts) == len(scripts) >= 20
    assert index.question_count == sum(len(s.questions) for s in scripts)
    assert len(catalogue.problems) == 1 and "broken.yaml" in catalogue.problems[0]
    assert index.levels() == list(FILTER_LEVELS)
    # Every bundled question is found by its own text, in its own interview, first or tied first.
    for script in scripts:
        for question in script.questions:
            found = index.search(question.text)
            assert found, question.text
            top = [f for f in found if f.score == found[0].score]
            assert any(f.script.id == script.id and f.question.id == question.id for f in top)
    # An opener is asked in many interviews: the search spans them.
    openers = index.search("tell me about yourself", QuestionFilter(kind="opener"))
    assert len({f.script.id for f in openers}) > 5
    assert all(f.question.kind == "opener" for f in openers)


LANTERN = """\
title: Lighthouse keeper
role: Lighthouse keeper
questions:
  - id: night
    text: Describe a night the lantern failed.
    framework: STAR
    level: entry
  - id: logbook
    text: Why does the lantern logbook matter?
    kind: role
"""


def test_scripts_search_from_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from app import paths
    from app.cli import main

    (paths.user_scripts_dir() / "lighthouse.yaml").write_text(LANTERN, encoding="utf-8")
    (paths.user_scripts_dir() / "broken.yaml").write_text("title: Broken\n", encoding="utf-8")
    assert main(["scripts", "search", "lantern", "log"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("BROKEN  ")
    assert "1 question in 1 interview:" in out
    assert "[lighthouse #2 logbook] role; found in question" in out
    assert "greenroom practice -s lighthouse -q logbook" in out

    assert main(["scripts", "search", "--role", "lighthouse", "--level", "entry", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["search"], data["role"], data["level"], data["kind"]) == ("", "lighthouse", "entry", "")
    assert [(f["interview"], f["question"], f["number"], f["level"]) for f in data["found"]] == [
        ("lighthouse", "night", 1, "entry"), ("lighthouse", "logbook", 2, "any")]
    assert data["found"][0]["source"] == "yours" and len(data["broken"]) == 1

    # Across the bundled bank: an opener is in many interviews, one practice line for each.
    assert main(["scripts", "search", "tell", "me", "about", "yourself", "--kind", "opener"]) == 0
    out = capsys.readouterr().out
    assert out.count("greenroom practice -s ") == 3  # the first three interviews as examples
    assert main(["scripts", "search", "zzyzx"]) == 0
    assert "No question found" in capsys.readouterr().out
