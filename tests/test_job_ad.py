"""A round from a job ad: `greenroom scripts from-ad` on the ads in tests/ads/ and the
library behind it (interview_scripts/job_ad.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.cli import main
from interview_scripts.errors import ScriptError
from interview_scripts.job_ad import (
    build_round,
    load_bank,
    planned_seconds,
    rank_roles,
    read_level,
)
from interview_scripts.loader import load_script
from interview_scripts.script import InterviewScript, Question

ADS = Path(__file__).resolve().parent / "ads"
# Each ad and the bank its role questions should come from, with the level it names.
ROLES = {
    "nurse.txt": ("nurse", "entry"),
    "data-analyst.txt": ("data-analyst", "senior"),
    "teacher.txt": ("teacher", "entry"),
    "sales-account-executive.txt": ("sales-account-executive", "mid"),
    "junior-software-engineer.txt": ("software-engineer", "entry"),
    "customer-support.txt": ("customer-support", "any"),
}


@pytest.fixture(scope="module")
def bank() -> list[InterviewScript]:
    return load_bank()


def _ad(name: str) -> str:
    return (ADS / name).read_text(encoding="utf-8")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _sources(question: Question, bank: list[InterviewScript]) -> set[str]:
    """The interviews of the bank that hold a question with this text."""
    return {s.id for s in bank for q in s.questions if q.text == question.text}


def _ad_phrase_text(ad: str) -> str:
    """The ad's words in order, lower case, possessive 's left out: a matched term must be
    a run of these."""
    text = re.sub(r"['’]s\b", "", ad.lower())
    return " " + " ".join(re.findall(r"[a-z0-9]+", text)) + " "


@pytest.mark.parametrize("minutes", [20, 30, 45])
@pytest.mark.parametrize("ad_name", sorted(ROLES))
def test_from_ad_builds_a_round_of_the_ads_role_that_fits_the_minutes(
        ad_name: str, minutes: int, tmp_path: Path, bank: list[InterviewScript],
        capsys: pytest.CaptureFixture[str]) -> None:
    role_id, level = ROLES[ad_name]
    out_file = tmp_path / "round.yaml"
    code, out, err = _run(capsys, "scripts", "from-ad", str(ADS / ad_name), "--minutes", str(minutes),
                          "-o", str(out_file))
    assert code == 0, err
    script = load_script(out_file)
    questions = script.questions
    assert questions[0].kind == "opener" and questions[-1].kind == "closer"
    assert {q.kind for q in questions[1:-1]} <= {"role", "behavioural"}
    assert len({q.text for q in questions}) == len(questions)

    # The ad's role: most role questions come from that role's own interview.
    role_questions = [q for q in questions if q.kind == "role"]
    assert role_questions, out
    from_role = [q for q in role_questions if role_id in _sources(q, bank)]
    assert len(from_role) * 2 > len(role_questions), out
    assert f"the {role_id} interview" in out
    assert script.role == next(s.role for s in bank if s.id == role_id)

    # The level the ad names: questions for that level, never those for another.
    if level != "any":
        assert f"Level: {level}" in out
        assert all(q.level in (level, "any") for q in questions), [(q.level, q.text) for q in questions]
        assert any(q.level == level for q in questions)

    # The minutes: each question's guide midpoint plus one follow-up's, within one
    # question's length of what was asked and never over it.
    planned = [planned_seconds(q) for q in questions]
    total = sum(planned)
    assert total <= minutes * 60
    assert minutes * 60 - total < max(planned), (total, planned)
    assert f"about {total / 60:.0f} minutes" in out


@pytest.mark.parametrize("ad_name", sorted(ROLES))
def test_every_pick_shows_words_really_in_the_ad(ad_name: str, bank: list[InterviewScript]) -> None:
    ad = _ad(ad_name)
    phrases = _ad_phrase_text(ad)
    round_ = build_round(ad, bank, 30, name=ad_name)
    assert round_.role.script_id == ROLES[ad_name][0]
    for pick in round_.picks:
        assert pick.matched_terms, pick.question.text
        assert pick.score > 0
        for term in pick.matched_terms:
            assert f" {term} " in phrases, (term, pick.question.text)
        # The words that chose it are words of the question, its key points and cues, or
        # its interview's role and tags.
        source = next(s for s in bank if s.id == pick.script_id)
        own = " ".join([pick.question.text, *(w for k in pick.question.key_points for w in (k.text, *k.cues)),
                        source.role, *source.tags]).lower()
        assert any(term.split()[0][:4] in own for term in pick.matched_terms)
    assert [p.question.text for p in round_.picks] == [q.text for q in round_.script.questions]
    assert round_.minutes == pytest.approx(sum(p.seconds for p in round_.picks) / 60, abs=0.05)


def test_a_picked_question_is_written_whole(tmp_path: Path, bank: list[InterviewScript]) -> None:
    """Key points with ids and cues, mistakes, follow-ups with what they probe, the kind,
    level and both guides come over as the bank holds them (no file's defaults apply)."""
    round_ = build_round(_ad("junior-software-engineer.txt"), bank, 45)
    written = tmp_path / "round.yaml"
    written.write_text(round_.yaml_text, encoding="utf-8")
    loaded = load_script(written)
    assert len(loaded.questions) == len(round_.picks)
    for question, pick in zip(loaded.questions, round_.picks, strict=True):
        original = pick.question
        for field in ("text", "time_guide", "framework", "guidance", "key_points", "mistakes",
                      "sample_answer", "follow_ups", "kind", "level", "follow_up_guide"):
            assert getattr(question, field) == getattr(original, field), (field, original.id)
    assert round_.script.tags == next(s.tags for s in bank if s.id == "software-engineer")


def test_the_cv_weighs_in_on_stories_but_is_shown_apart(bank: list[InterviewScript],
                                                        capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    ad, cv = _ad("junior-software-engineer.txt"), (ADS / "cv-graduate.txt").read_text(encoding="utf-8")
    with_cv = build_round(ad, bank, 30, cv=cv)
    phrases, cv_phrases = _ad_phrase_text(ad), _ad_phrase_text(cv)
    stories = [p for p in with_cv.picks if p.question.kind == "behavioural"]
    assert any(p.cv_terms for p in stories)
    assert all(not p.cv_terms for p in with_cv.picks if p.question.kind != "behavioural")
    for pick in with_cv.picks:
        assert all(f" {t} " in phrases for t in pick.matched_terms)
        assert all(f" {t} " in cv_phrases for t in pick.cv_terms)
    without = build_round(ad, bank, 30)
    by_text = {p.question.text: p.score for p in without.picks}
    assert all(p.score > by_text[p.question.text] for p in stories if p.cv_terms and p.question.text in by_text)

    code, out, _ = _run(capsys, "scripts", "from-ad", str(ADS / "junior-software-engineer.txt"),
                        "--cv", str(ADS / "cv-graduate.txt"), "-o", str(tmp_path / "r.yaml"))
    assert code == 0 and "from your CV:" in out


def test_the_ads_role_is_decided_by_the_banks_roles_and_tags(bank: list[InterviewScript]) -> None:
    ranked = rank_roles("We need a registered nurse for patient care and medication rounds on a busy ward.",
                        bank)
    assert ranked[0].script_id == "nurse"
    assert ranked[0].score > 2 * ranked[1].score
    assert "registered nurse" in ranked[0].matched_terms
    ranked = rank_roles("Account executive: own a quota, build pipeline, run discovery and close B2B deals.",
                        bank)
    assert ranked[0].script_id == "sales-account-executive"


@pytest.mark.parametrize(("ad", "level", "because"), [
    ("Junior Data Analyst\nYou will build dashboards.", "entry", "Junior"),
    ("Graduate Software Engineer\nJoin our team.", "entry", "Graduate"),
    ("Senior Data Analyst\nYou will mentor two junior analysts.", "senior", "Senior"),
    ("Data Analyst\nYou will mentor two junior analysts. Five or more years of experience in SQL.",
     "senior", "Five or more years"),
    ("Account Executive, Mid-Market\nTwo or more years as an account executive.", "mid", "Two or more years"),
    ("Teacher of Maths\nEarly career teachers are encouraged to apply.", "entry", "Early career"),
    ("Staff Nurse (Band 5)\nWe value kindness and teamwork.", "any", ""),
])
def test_the_level_is_read_from_the_ad(ad: str, level: str, because: str) -> None:
    found = read_level(ad)
    assert (found.level, found.because) == (level, because)


def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  bank: list[InterviewScript]) -> None:
    out_file = tmp_path / "round.yaml"
    ad = str(ADS / "nurse.txt")
    for argv, words in (
        (("--minutes", "5"), "10 to 120 minutes, not 5"),
        (("--minutes", "500"), "not 500"),
    ):
        code, _, err = _run(capsys, "scripts", "from-ad", ad, *argv, "-o", str(out_file))
        assert code == 1 and words in err and len(err.strip().splitlines()) == 1
        assert not out_file.exists()
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    code, _, err = _run(capsys, "scripts", "from-ad", str(empty), "-o", str(out_file))
    assert code == 1 and "empty" in err and not out_file.exists()
    binary = tmp_path / "ad.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    code, _, err = _run(capsys, "scripts", "from-ad", str(binary), "-o", str(out_file))
    assert code == 1 and "not UTF-8" in err
    code, _, err = _run(capsys, "scripts", "from-ad", str(tmp_path / "missing.txt"), "-o", str(out_file))
    assert code == 1 and "no such file" in err
    nonsense = tmp_path / "nonsense.txt"
    nonsense.write_text("Zorblat quux frobnicate wibble.\n", encoding="utf-8")
    code, _, err = _run(capsys, "scripts", "from-ad", str(nonsense), "-o", str(out_file))
    assert code == 1 and "none of the ad's words match" in err and not out_file.exists()
    with pytest.raises(ScriptError, match="no interviews"):
        build_round(_ad("nurse.txt"), [], 30)

    # An existing file is kept unless --force is given.
    out_file.write_text("mine\n", encoding="utf-8")
    code, _, err = _run(capsys, "scripts", "from-ad", ad, "-o", str(out_file))
    assert code == 1 and "already exists" in err and out_file.read_text(encoding="utf-8") == "mine\n"
    code, _, _ = _run(capsys, "scripts", "from-ad", ad, "-o", str(out_file), "--force")
    assert code == 0 and load_script(out_file).questions[0].kind == "opener"


def test_without_o_the_round_goes_into_the_users_scripts_folder(capsys: pytest.CaptureFixture[str]) -> None:
    from app import paths

    code, out, _ = _run(capsys, "scripts", "from-ad", str(ADS / "teacher.txt"))
    assert code == 0
    written = list(paths.user_scripts_dir().glob("*.yaml"))
    assert len(written) == 1 and f"Wrote {written[0]}" in out
    assert written[0].name.startswith("teacher-of-english")
