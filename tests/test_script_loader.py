"""The script loader: every malformed script is one exact ``ScriptError`` line, valid
scripts build the domain types, and no input at all makes it raise anything else."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import paths
from interview_scripts.errors import ScriptError
from interview_scripts.frameworks import CIRCLES, NONE, STAR
from interview_scripts.loader import MAX_SCRIPT_BYTES, load_script, parse_script
from interview_scripts.script import FollowUp, InterviewScript, KeyPoint, Mistake, Question

VALID = """\
title: Platform engineer
role: Senior platform engineer
questions:
  - id: q1
    text: Tell me about an outage you led.
"""

TIME_GUIDE_HELP = "(try '90s', '2 min', '5-7 minutes', '1:30-2:30')"


def question_with(extra: str) -> str:
    """The valid script with extra (already indented) lines under its first question."""
    return VALID + textwrap.indent(textwrap.dedent(extra), "    ")


def script_error(data: str | bytes, name: str = "bad.yaml") -> str:
    with pytest.raises(ScriptError) as caught:
        parse_script(data, name)
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- malformed scripts: (what is wrong, the file, the exact message) ---------------------

MALFORMED: list[tuple[str, str | bytes, str]] = [
    ("title is a number",
     "title: 5\nrole: R\nquestions:\n  - id: q1\n    text: Hi\n",
     "bad.yaml: title: expected text, got int"),
    ("title missing",
     "role: R\nquestions:\n  - id: q1\n    text: Hi\n",
     "bad.yaml: title: is required"),
    ("role missing",
     "title: T\nquestions:\n  - id: q1\n    text: Hi\n",
     "bad.yaml: role: is required"),
    ("title blank",
     "title: '   '\nrole: R\nquestions:\n  - id: q1\n    text: Hi\n",
     "bad.yaml: title: must not be empty"),
    ("time guide min > max",
     question_with("time_guide: 7-5 min\n"),
     "bad.yaml: questions[0].time_guide: '7-5 min' has min > max"),
    ("default time guide min > max",
     "title: T\nrole: R\ndefaults:\n  time_guide: 3-1\nquestions:\n  - id: q1\n    text: Hi\n",
     "bad.yaml: defaults.time_guide: '3-1' has min > max"),
    ("time guide not a guide",
     question_with("time_guide: soon\n"),
     f"bad.yaml: questions[0].time_guide: 'soon' is not a time guide {TIME_GUIDE_HELP}"),
    ("time guide a bare number",
     question_with("time_guide: 5\n"),
     "bad.yaml: questions[0].time_guide: expected text, got int"),
    ("duplicate question ids",
     VALID + "  - id: q2\n    text: Two\n  - id: q1\n    text: Again\n",
     "bad.yaml: questions: duplicate question id 'q1' (also questions[0])"),
    ("unknown framework",
     question_with("framework: SPARKLE\n"),
     "bad.yaml: questions[0].framework: unknown framework 'SPARKLE' "
     "(use CAR, CIRCLES, STAR, none, or an inline {name, stages})"),
    ("unknown default framework",
     "title: T\nrole: R\ndefaults:\n  framework: STARR\nquestions:\n  - id: q1\n    text: Hi\n",
     "bad.yaml: defaults.framework: unknown framework 'STARR' "
     "(use CAR, CIRCLES, STAR, none, or an inline {name, stages})"),
    ("empty question text",
     "title: T\nrole: R\nquestions:\n  - id: q1\n    text: '  '\n",
     "bad.yaml: questions[0].text: must not be empty"),
    ("question text left blank (null)",
     "title: T\nrole: R\nquestions:\n  - id: q1\n    text:\n",
     "bad.yaml: questions[0].text: expected text, got NoneType"),
    ("second question without text",
     VALID + "  - id: q2\n",
     "bad.yaml: questions[1].text: is required"),
    ("bad YAML",
     "title: T\nrole: [R\nquestions: x\n",
     "bad.yaml: YAML syntax error at line 3, column 10: expected ',' or ']', but got ':'"),
    ("a tab for indentation",
     "title: T\n\trole: R\n",
     "bad.yaml: YAML syntax error at line 2, column 1: found character '\\t' that cannot start any token"),
    ("two YAML documents",
     VALID + "---\nfoo: 1\n",
     "bad.yaml: YAML syntax error at line 6, column 1: but found another document"),
    ("non-UTF-8 bytes",
     b"title: caf\xe9\nrole: R\n",
     "bad.yaml: not UTF-8 text (byte 0xe9 at offset 10); save the file as UTF-8"),
    ("a 10 MB file",
     b"# padding\n" * 1_000_000,
     "bad.yaml: file is 10.0 MB; scripts are limited to 1 MB"),
    ("unknown key in a question",
     question_with("colour: blue\n"),
     "bad.yaml: questions[0].colour: unknown key"),
    ("unknown top-level key",
     "titel: T\n" + VALID,
     "bad.yaml: titel: unknown key"),
    ("unknown key in defaults",
     "title: T\nrole: R\ndefaults:\n  pace: fast\nquestions:\n  - id: q1\n    text: Hi\n",
     "bad.yaml: defaults.pace: unknown key"),
    ("questions not a list",
     "title: T\nrole: R\nquestions: nope\n",
     "bad.yaml: questions: expected a list, got str"),
    ("questions a mapping",
     "title: T\nrole: R\nquestions: {q1: Hi}\n",
     "bad.yaml: questions: expected a list, got dict"),
    ("empty questions list",
     "title: T\nrole: R\nquestions: []\n",
     "bad.yaml: questions: must not be empty"),
    ("a question that is plain text",
     "title: T\nrole: R\nquestions:\n  - Why this company?\n",
     "bad.yaml: questions[0]: expected a mapping, got str"),
    ("id with a space",
     "title: T\nrole: R\nquestions:\n  - id: has space\n    text: Hi\n",
     "bad.yaml: questions[0].id: 'has space' is not a valid id (letters, digits, '-', '_', '.'; no spaces)"),
    ("id starting with a dash",
     "title: T\nrole: R\nquestions:\n  - id: -q\n    text: Hi\n",
     "bad.yaml: questions[0].id: '-q' is not a valid id (letters, digits, '-', '_', '.'; no spaces)"),
    ("id a number",
     "title: T\nrole: R\nquestions:\n  - id: 12\n    text: Hi\n",
     "bad.yaml: questions[0].id: expected text, got int"),
    ("inline framework with no stages",
     question_with("framework: {name: Mine, stages: []}\n"),
     "bad.yaml: questions[0].framework.stages: must not be empty"),
    ("inline framework stage without a name",
     question_with("framework: {name: Mine, stages: [{cues: [a]}]}\n"),
     "bad.yaml: questions[0].framework.stages[0].name: is required"),
    ("key point without text",
     question_with("key_points:\n  - cues: [a]\n"),
     "bad.yaml: questions[0].key_points[0].text: is required"),
    ("key point with an empty cue",
     question_with("key_points:\n  - text: A\n    cues: ['']\n"),
     "bad.yaml: questions[0].key_points[0].cues[0]: must not be empty"),
    ("follow-up a number",
     question_with("follow_ups: [1]\n"),
     "bad.yaml: questions[0].follow_ups[0]: expected text or a mapping, got int"),
    ("unknown kind",
     question_with("kind: warmup\n"),
     "bad.yaml: questions[0].kind: unknown kind 'warmup' (use opener, behavioural, role, closer)"),
    ("kind a number",
     question_with("kind: 3\n"),
     "bad.yaml: questions[0].kind: expected text, got int"),
    ("unknown level",
     question_with("level: junior\n"),
     "bad.yaml: questions[0].level: unknown level 'junior' (use entry, mid, senior, any)"),
    ("unknown level in defaults",
     VALID.replace("questions:", "defaults:\n  level: expert\nquestions:"),
     "bad.yaml: defaults.level: unknown level 'expert' (use entry, mid, senior, any)"),
    ("follow-up guide backwards",
     question_with("follow_up_guide: 2-1 min\n"),
     "bad.yaml: questions[0].follow_up_guide: '2-1 min' has min > max"),
    ("follow-up guide in defaults not a length",
     VALID.replace("questions:", "defaults:\n  follow_up_guide: briefly\nquestions:"),
     f"bad.yaml: defaults.follow_up_guide: 'briefly' is not a time guide {TIME_GUIDE_HELP}"),
    ("key point id in capitals",
     question_with("key_points:\n  - id: Result\n    text: A\n"),
     "bad.yaml: questions[0].key_points[0].id: 'Result' is not a valid key point id "
     "(lower-case letters, digits and '-')"),
    ("key point id with a space",
     question_with("key_points:\n  - id: the result\n    text: A\n"),
     "bad.yaml: questions[0].key_points[0].id: 'the result' is not a valid key point id "
     "(lower-case letters, digits and '-')"),
    ("duplicate key point id",
     question_with("key_points:\n  - id: owner\n    text: A\n  - B\n  - id: owner\n    text: C\n"),
     "bad.yaml: questions[0].key_points: duplicate key point id 'owner' (also key_points[0])"),
    ("a mistake with an id",
     question_with("mistakes:\n  - id: blame\n    text: Blaming\n"),
     "bad.yaml: questions[0].mistakes[0].id: unknown key"),
    ("probe naming nothing",
     question_with("framework: STAR\nkey_points:\n  - id: owner\n    text: A\n"
                   "follow_ups:\n  - Plain one?\n  - text: Who?\n    probes: [owner, outcome]\n"),
     "bad.yaml: questions[0].follow_ups[1].probes: unknown probe 'outcome' in question 'q1' (it names "
     "no key point id or stage of this question; known: owner, Situation, Task, Action, Result)"),
    ("probe with no ids or stages to name",
     question_with("follow_ups:\n  - text: Who?\n    probes: [owner]\n"),
     "bad.yaml: questions[0].follow_ups[0].probes: unknown probe 'owner' in question 'q1' (it names "
     "no key point id or stage of this question; known: none: give key points an id)"),
    ("probe naming another question's point",
     VALID.replace("questions:\n", "questions:\n  - id: q0\n    text: First?\n    key_points:\n"
                   "      - id: owner\n        text: A\n")
     + "    follow_ups:\n      - text: Who?\n        probes: [owner]\n",
     "bad.yaml: questions[1].follow_ups[0].probes: unknown probe 'owner' in question 'q1' (it names "
     "no key point id or stage of this question; known: none: give key points an id)"),
    ("probes as text",
     question_with("follow_ups:\n  - text: Who?\n    probes: Result\n"),
     "bad.yaml: questions[0].follow_ups[0].probes: expected a list, got str"),
    ("follow-up mapping without text",
     question_with("follow_ups:\n  - probes: [Result]\n"),
     "bad.yaml: questions[0].follow_ups[0].text: is required"),
    ("a tag a number",
     VALID.replace("questions:", "tags: [ops, 7]\nquestions:"),
     "bad.yaml: tags[1]: expected text, got int"),
    ("tags as text",
     VALID.replace("questions:", "tags: ops\nquestions:"),
     "bad.yaml: tags: expected a list, got str"),
    ("guidance a date",
     question_with("guidance: 2024-01-01\n"),
     "bad.yaml: questions[0].guidance: expected text, got date"),
    ("aliases",
     "title: &t T\nrole: *t\nquestions:\n  - id: q1\n    text: Hi\n",
     "bad.yaml: YAML syntax error at line 2, column 7: aliases (*name) are not allowed in scripts"),
    ("top-level list",
     "- title: T\n- role: R\n",
     "bad.yaml: (top level): expected a mapping with title, role and questions, got list"),
    ("top-level text",
     "just some words\n",
     "bad.yaml: (top level): expected a mapping with title, role and questions, got str"),
    ("empty file",
     "",
     "bad.yaml: the file is empty; a script needs title, role and questions"),
    ("only comments",
     "# a script will go here\n\n",
     "bad.yaml: the file is empty; a script needs title, role and questions"),
    ("a NUL character",
     "title: T\x00\n",
     "bad.yaml: YAML syntax error: unacceptable character #x0000: special characters are not "
     'allowed in "<unicode string>", position 8'),
    ("nesting a million levels deep",
     "title: " + "[" * 5000 + "]" * 5000 + "\n",
     "bad.yaml: YAML syntax error: maximum recursion depth exceeded"),
]


@pytest.mark.parametrize(("data", "message"), [case[1:] for case in MALFORMED],
                         ids=[case[0] for case in MALFORMED])
def test_malformed_script_is_one_exact_line(data: str | bytes, message: str) -> None:
    assert script_error(data) == message


def test_malformed_cases_cover_the_brief() -> None:
    assert len(MALFORMED) >= 15


def test_a_large_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "huge.yaml"
    with big.open("wb") as out:
        out.truncate(10_000_000)  # sparse: nothing is written, only the size counts
    with pytest.raises(ScriptError) as caught:
        load_script(big)
    assert str(caught.value) == "huge.yaml: file is 10.0 MB; scripts are limited to 1 MB"


def test_non_utf8_file_names_the_file(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("title: Café\n".encode("latin-1"))
    with pytest.raises(ScriptError) as caught:
        load_script(latin1)
    assert str(caught.value) == "latin1.yaml: not UTF-8 text (byte 0xe9 at offset 10); save the file as UTF-8"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ScriptError) as caught:
        load_script(tmp_path / "nope.yaml")
    assert str(caught.value) == f"{tmp_path / 'nope.yaml'}: no such file"
    with pytest.raises(ScriptError) as caught:
        load_script(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a folder, not a script file"


def test_the_size_limit_is_one_megabyte() -> None:
    assert MAX_SCRIPT_BYTES == 1_000_000
    padded = VALID + "#" * (MAX_SCRIPT_BYTES - len(VALID) - 1) + "\n"
    assert len(padded.encode()) == MAX_SCRIPT_BYTES
    assert parse_script(padded, "edge.yaml").title == "Platform engineer"


# -- error wording inside text-or-mapping fields, repeated keys and non-text keys --


def test_inline_framework_error_points_inside_the_mapping() -> None:
    data = question_with("framework: {name: Mine, stages: [{name: A, cues: 5}]}\n")
    assert script_error(data) == "bad.yaml: questions[0].framework.stages[0].cues: expected a list, got int"


def test_key_point_mapping_error_points_inside_the_mapping() -> None:
    data = question_with("key_points:\n  - text: A\n    cues: [1]\n")
    assert script_error(data) == "bad.yaml: questions[0].key_points[0].cues[0]: expected text, got int"


def test_key_point_of_the_wrong_type_does_not_leak_a_pydantic_label() -> None:
    data = question_with("key_points: [3]\n")
    assert script_error(data) == "bad.yaml: questions[0].key_points[0]: expected text or a mapping, got int"


def test_empty_mistake_does_not_leak_a_pydantic_label() -> None:
    data = question_with("mistakes: ['']\n")
    assert script_error(data) == "bad.yaml: questions[0].mistakes[0]: must not be empty"


def test_a_repeated_key_is_an_error() -> None:
    data = "title: First\nrole: R\ntitle: Second\nquestions:\n  - id: q1\n    text: Hi\n"
    assert script_error(data) == "bad.yaml: YAML syntax error at line 3, column 1: duplicate key 'title'"


def test_a_key_that_is_not_text() -> None:
    data = "1: x\n" + VALID
    assert script_error(data) == "bad.yaml: (top level): key 1 is not text"


# -- valid scripts ---------------------------------------------------------------------


FULL = """\
title: Incident lead
role: Engineering manager
description: |
  Panel round.
source: a prep page
defaults:
  time_guide: 2-3 min
  framework: star
questions:
  - id: plain
    text: Why this team?
  - id: own-guide
    text: Walk me through an outage.
    time_guide: 5-7 minutes
    framework: CIRCLES
  - id: inline.1
    text: How do you run a retro?
    time_guide: 2 min
    framework:
      name: Retro
      stages:
        - name: Facts
          cues: [timeline, what happened]
          hint: Start with the timeline.
        - name: Changes
    guidance: "  Keep it blameless.  "
    key_points:
      - Blameless tone
      - text: Action items with owners
        cues: [action items, owner]
    mistakes:
      - text: Blaming a person
        cues: [his fault]
      - Skipping follow-up
    sample_answer: We start from the timeline.
    follow_ups: ["Who owns the actions?"]
"""


def test_a_full_script_builds_the_domain_types(tmp_path: Path) -> None:
    file = tmp_path / "incident-lead.yaml"
    file.write_text(FULL, encoding="utf-8")
    script = load_script(file)

    assert isinstance(script, InterviewScript)
    assert (script.id, script.title, script.role) == ("incident-lead", "Incident lead", "Engineering manager")
    assert (script.description, script.source) == ("Panel round.", "a prep page")
    assert script.path == file and script.bundled is False
    assert [q.id for q in script.questions] == ["plain", "own-guide", "inline.1"]

    plain, own, inline = script.questions
    # Defaults fill what a question leaves out; a question's own values win.
    assert (plain.time_guide.min_s, plain.time_guide.max_s, plain.time_guide.text) == (120, 180, "2-3 min")
    assert plain.framework is STAR
    assert (plain.guidance, plain.key_points, plain.mistakes, plain.follow_ups) == ("", (), (), ())
    assert (own.time_guide.min_s, own.time_guide.max_s) == (300, 420)
    assert own.framework is CIRCLES

    # A single figure: about two minutes, not more.
    assert (inline.time_guide.min_s, inline.time_guide.max_s) == (90, 120)
    assert inline.framework.name == "Retro"
    assert [(s.name, s.cues, s.hint) for s in inline.framework.stages] == [
        ("Facts", ("timeline", "what happened"), "Start with the timeline."),
        ("Changes", (), ""),
    ]
    assert inline.guidance == "Keep it blameless."
    assert inline.key_points == (KeyPoint("Blameless tone"),
                                 KeyPoint("Action items with owners", ("action items", "owner")))
    assert inline.mistakes == (Mistake("Blaming a person", ("his fault",)), Mistake("Skipping follow-up"))
    assert inline.sample_answer == "We start from the timeline."
    assert inline.follow_ups == (FollowUp("Who owns the actions?"),)
    assert script.question("2") is own and script.question("inline.1") is inline


NEW_KEYS = """\
title: Analyst screen
role: Data analyst
tags: [sql, dashboards, stakeholder reporting]
defaults:
  framework: STAR
  level: mid
  follow_up_guide: 45-90 seconds
questions:
  - id: hello
    text: Tell me about yourself.
    framework: none
    kind: opener
    level: any
  - id: wrong-report
    text: Tell me about a report you got wrong.
    key_points:
      - id: own-it
        text: Say it was your mistake
        cues: [my mistake]
      - Say how you fixed it
      - id: result
        text: Give the result in numbers
    follow_ups:
      - text: What did it cost, in numbers?
        probes: [result, RESULT, situation]
      - What would you check first next time?
  - id: joins
    text: When would you use a left join?
    framework: none
    kind: Role
    level: entry
    follow_up_guide: 1 min
"""


def test_kind_level_follow_up_guide_ids_probes_and_tags() -> None:
    script = parse_script(NEW_KEYS, "analyst.yaml")
    assert script.tags == ("sql", "dashboards", "stakeholder reporting")
    hello, story, joins = script.questions
    # A question's own value wins over the defaults, which win over the built-in default.
    assert (hello.kind, hello.level) == ("opener", "any")
    assert (story.kind, story.level) == ("behavioural", "mid")  # STAR: a past story
    assert (joins.kind, joins.level) == ("role", "entry")       # kinds are read in any case
    assert (story.follow_up_guide.min_s, story.follow_up_guide.max_s) == (45, 90)
    assert (joins.follow_up_guide.min_s, joins.follow_up_guide.max_s) == (45, 60)
    assert [k.id for k in story.key_points] == ["own-it", "", "result"]
    assert story.key_points[0] == KeyPoint("Say it was your mistake", ("my mistake",), "own-it")
    # A probe is the key point id when there is one, else the stage by its own name;
    # the same thing named twice counts once.
    assert story.follow_ups == (FollowUp("What did it cost, in numbers?", ("result", "Situation")),
                                FollowUp("What would you check first next time?"))


def test_without_the_new_keys_questions_get_the_stated_defaults() -> None:
    script = parse_script(VALID.replace("    text:", "    framework: car\n    text:")
                          + "  - id: q2\n    text: Why us?\n", "plain.yaml")
    story, plain = script.questions
    assert (story.kind, plain.kind) == ("behavioural", "role")
    assert story.level == plain.level == "any"
    assert (plain.follow_up_guide.min_s, plain.follow_up_guide.max_s) == (60, 120)
    assert script.tags == ()
    # Built by hand, a question takes the same default kind from its framework.
    assert Question(id="x", text="Tell me", framework=STAR).kind == "behavioural"
    assert Question(id="x", text="Why us?").kind == "role"


def test_a_minimal_script_has_no_guide_and_no_framework() -> None:
    script = parse_script(VALID, "minimal.yaml")
    (question,) = script.questions
    assert question.time_guide is None
    assert question.framework is NONE
    assert script.id == "minimal"


def test_id_comes_from_the_title_without_a_file_name() -> None:
    assert parse_script(VALID).id == "platform-engineer"


def test_a_byte_order_mark_and_str_input_are_accepted() -> None:
    with_bom = parse_script(b"\xef\xbb\xbf" + VALID.encode(), "bom.yaml")
    assert with_bom == parse_script(VALID, "bom.yaml")


def test_framework_none_by_name_overrides_a_default() -> None:
    data = "title: T\nrole: R\ndefaults:\n  framework: CAR\nquestions:\n  - id: q1\n    text: Hi\n" \
           "    framework: none\n  - id: q2\n    text: Two\n"
    first, second = parse_script(data, "x.yaml").questions
    assert first.framework is NONE
    assert second.framework.name == "CAR"


def test_every_bundled_script_loads() -> None:
    files = sorted(paths.bundled_scripts_dir().glob("*.yaml"))
    assert files, "no bundled scripts found"
    for file in files:
        script = load_script(file, bundled=True)
        assert script.bundled and script.questions
        assert all(q.time_guide is not None for q in script.questions), file.name


# -- property: any input gives a script or a ScriptError, nothing else ----------------


def accepts_or_explains(data: str | bytes) -> None:
    try:
        result = parse_script(data, "fuzz.yaml")
    except ScriptError as exc:
        message = str(exc)
        assert message.startswith("fuzz.yaml: ") and "\n" not in message
    else:
        assert isinstance(result, InterviewScript)
        assert result.questions


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.sampled_from([
    "title", "role", "questions", "defaults", "id", "text", "time_guide", "framework", "name",
    "stages", "cues", "hint", "key_points", "mistakes", "guidance", "follow_ups", "sample_answer",
    "kind", "level", "follow_up_guide", "probes", "tags",
])
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
           | st.sampled_from(["STAR", "circles", "5-7 min", "7-5 min", "90s", "q1", "", " ", "opener",
                            "senior", "result", "Situation"]))
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(KEYS | st.text(max_size=6) | st.integers(), inner, max_size=6),
    max_leaves=25,
)


@FUZZ
@given(TREES)
def test_random_structures_give_a_script_or_a_script_error(tree: Any) -> None:
    accepts_or_explains(yaml.safe_dump(tree, allow_unicode=True))


@FUZZ
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_random_text_gives_a_script_or_a_script_error(data: str | bytes) -> None:
    accepts_or_explains(data)


VALID_TREES = [yaml.safe_load(FULL), yaml.safe_load(NEW_KEYS)]


def _places(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _places(value, (*prefix, index))
    return found


PLACES = [_places(tree)[1:] for tree in VALID_TREES]


@st.composite
def mutated_scripts(draw: st.DrawFn) -> str:
    """The full valid script with a few values replaced, removed or joined by extra keys,
    or its YAML text with characters cut, repeated or swapped."""
    which = draw(st.sampled_from(range(len(VALID_TREES))))
    tree = copy.deepcopy(VALID_TREES[which])
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(PLACES[which]))
        parent = tree
        try:
            for step in place[:-1]:
                parent = parent[step]
            parent[place[-1]]  # noqa: B018 - still there after an earlier change?
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(parent, dict | list):
            continue  # an earlier change put a string where this place's parent was
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[place[-1]] = draw(TREES)
        elif action == "remove" and isinstance(parent, dict):
            del parent[place[-1]]
        elif isinstance(parent, dict):
            parent[draw(KEYS | st.text(max_size=6))] = draw(SCALARS)
    text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            cut = draw(st.integers(0, 8))
            text = text[:at] + draw(st.sampled_from(["", ":", "-", " ", "\n", "  ", "[", "'", "&a", "*a",
                                                     "\t", "{", "#"])) + text[at + cut:]
    return text


@FUZZ
@given(mutated_scripts())
def test_mutated_valid_scripts_give_a_script_or_a_script_error(text: str) -> None:
    accepts_or_explains(text)


def test_the_readme_example_loads_with_what_it_says() -> None:
    import re

    readme = (Path(__file__).resolve().parents[1] / "interview_scripts" / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## A complete example\n\n```yaml\n(.*?)```", readme, re.S)
    assert example is not None
    script = parse_script(example.group(1), "example.yaml")
    outage, why_us = script.questions
    assert script.tags == ("platform", "kubernetes", "on call")
    assert (outage.kind, outage.level, outage.follow_up_guide.text) == ("behavioural", "senior", "1 min")
    assert outage.follow_ups[1] == FollowUp("What came out of the review?", ("review", "Result"))
    assert (why_us.kind, why_us.level, why_us.follow_up_guide.text) == ("opener", "any", "1-2 min")
