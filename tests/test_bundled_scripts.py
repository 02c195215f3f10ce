"""The scripts that ship with Greenroom load, and cover every question of their source pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from app import paths
from interview_scripts import loader
from interview_scripts.catalogue import script_files
from interview_scripts.errors import ScriptError
from interview_scripts.loader import load_script, parse_script

# Copies of the pages the bundled scripts were written from, kept with the tests so they
# run in any clone.
SEEDS_DIR = Path(__file__).resolve().parent / "pages" / "seeds"
PROMPT_OPENERS = re.compile(r"^(tell me about|describe|walk me through|share)\b", re.I)
LABELLED = re.compile(r'^write your answer to:\s*["“](?P<q>.+?)["”]\s*$', re.I)


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def page_questions(text: str) -> set[str]:
    """Questions as a reader sees them on a page: labelled, ending in '?', or a prompt."""
    found: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        labelled = LABELLED.match(line)
        if labelled:
            found.add(normalise(labelled.group("q")))
        elif len(line) <= 400 and (line.endswith("?") or PROMPT_OPENERS.match(line)):
            found.add(normalise(line))
    return found


@pytest.fixture(scope="module")
def bundled() -> dict:
    folder = paths.bundled_scripts_dir()
    return {f.stem: load_script(f, bundled=True) for f in script_files(folder)}


@pytest.fixture(scope="module")
def bundled_questions(bundled: dict) -> set[str]:
    return {normalise(q.text) for s in bundled.values() for q in s.questions}


def seed_pages() -> list[Path]:
    return sorted(SEEDS_DIR.glob("*.txt"))


def test_every_bundled_file_loads(bundled: dict) -> None:
    # The three written from the seed pages; the rest of the bank is checked by
    # tests/test_question_bank.py.
    assert {"it-manager", "senior-ops-engineer", "incident-leadership-final-round"} <= set(bundled)
    for script_id, script in bundled.items():
        assert script.id == script_id
        assert script.source, f"{script_id} names no source"
        for q in script.questions:
            assert q.time_guide is not None, f"{script_id}/{q.id} has no time guide"
            assert q.guidance and q.sample_answer and q.key_points, f"{script_id}/{q.id} is incomplete"


def test_bundled_files_read_the_same_with_the_strict_loader(bundled: dict) -> None:
    """The bank is read with libyaml's parser for speed; the strict pure-Python reader
    (no aliases, a depth limit) must find the same script in every file."""
    assert loader._BundledLoader is not None, "PyYAML was installed without libyaml"
    for file in script_files(paths.bundled_scripts_dir()):
        text = file.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=loader._BundledLoader) == yaml.load(  # noqa: S506
            text, Loader=loader._NoAliasLoader), file.name
        assert parse_script(text, name=file.name, path=file, bundled=True) == parse_script(
            text, name=file.name, path=file, bundled=False), file.name
        assert bundled[file.stem] == parse_script(text, name=file.name, path=file, bundled=True)


def test_the_fast_reader_still_refuses_a_repeated_key() -> None:
    text = "title: A\nrole: B\ntitle: C\nquestions: []\n"
    with pytest.raises(ScriptError, match="duplicate key 'title'"):
        parse_script(text, name="bad.yaml", bundled=True)

def test_key_points_carry_cues(bundled: dict) -> None:
    for script in bundled.values():
        for q in script.questions:
            assert all(k.cues for k in q.key_points), f"{script.id}/{q.id} has a key point without cues"
            assert all(c == c.lower() for k in q.key_points for c in k.cues)


def test_behavioural_questions_use_star(bundled: dict) -> None:
    for script in bundled.values():
        for q in script.questions:
            if re.match(r"(tell me about a time|describe a time you)", q.text, re.I) and script.id != (
                    "incident-leadership-final-round"):
                assert q.framework.name == "STAR", f"{script.id}/{q.id}"


def test_every_seed_question_is_rehearsable(bundled_questions: set[str]) -> None:
    pages = seed_pages()
    assert pages, f"no .txt pages in {SEEDS_DIR}"
    total = 0
    for page in pages:
        wanted = page_questions(page.read_text(encoding="utf-8"))
        missing = wanted - bundled_questions
        assert not missing, f"{page.name}: questions not in any bundled script: {sorted(missing)}"
        total += len(wanted)
    assert total >= 26  # 1 stated on the IT manager page, 24 listed for ops, 1 final-round question


def test_incident_question_guide_framework_points(bundled: dict) -> None:
    q = bundled["incident-leadership-final-round"].questions[0]
    assert "cross-functional team" in q.text
    assert (q.time_guide.min_s, q.time_guide.max_s) == (300.0, 420.0)
    assert q.framework.name == "CIRCLES"
    assert [s.name for s in q.framework.stages][0] == "Comprehend"
    assert len(q.key_points) >= 6 and len(q.mistakes) >= 6
    cues = {c for k in q.key_points for c in k.cues}
    assert {"post-mortem", "postmortem", "post mortem"} <= cues
    assert any(m.cues for m in q.mistakes)


def test_it_manager_covers_every_model_answer(bundled: dict) -> None:
    # The IT manager page has 14 model answers but states only one question; each answer
    # needs a question of its own, plus the unfamiliar-tool and closing-questions tips.
    script = bundled["it-manager"]
    assert len(script.questions) >= 16
    assert len({q.id for q in script.questions}) == len(script.questions)
    assert sum(q.framework.name == "STAR" for q in script.questions) >= 5
