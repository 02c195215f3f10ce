"""A round from a job ad: `greenroom scripts from-ad` on the ads in tests/ads/ and the
library behind it (interview_scripts/job_ad.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from interview_scripts.errors import ScriptError
from interview_scripts.job_ad import (
    TAILORED,
    build_round,
    load_bank,
    planned_seconds,
    rank_roles,
    read_level,
)
from interview_scripts.loader import load_script
from interview_scripts.script import InterviewScript, Question
from models.errors import OllamaFailure
from models.llm_job_ad import MAX_POINTS, MAX_QUESTIONS, AdTailor, tailoring_schema
from models.ollama_server import ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, MODEL_ENV
from tests.ollama_loopback import ModelSpec, OllamaLoopback

pytest_plugins = ("tests.ollama_loopback",)

LOCAL = "llama3.2:3b"
CLOUD = "gpt-oss:120b-cloud"
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

    # The level the ad names: questions for that level first; one for another level only
    # once the role's interview has none of the ad's level left that would fit instead,
    # and never a senior one in a junior round.
    if level != "any":
        assert f"Level: {level}" in out
        assert any(q.level == level for q in questions)
        bank_role = next(s for s in bank if s.id == role_id)
        texts = {q.text for q in questions}
        for other in (q for q in questions if q.level not in (level, "any")):
            assert not (level == "entry" and other.level == "senior"), other.text
            unused = [q.text for q in bank_role.questions if q.kind in ("role", "behavioural")
                      and q.level in (level, "any") and q.text not in texts
                      and planned_seconds(q) <= planned_seconds(other)]
            assert not unused, (other.text, unused)

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
    code, out, _ = _run(capsys, "scripts", "from-ad", str(ADS / "teacher.txt"))
    assert code == 0
    written = list(paths.user_scripts_dir().glob("*.yaml"))
    assert len(written) == 1 and f"Wrote {written[0]}" in out
    assert written[0].name.startswith("teacher-of-english")


# ---------------------------------------------------------------- questions tailored by the model


def _tailored(text: str, kind: str, requirement: str, *points: tuple[str, list[str]]) -> dict[str, object]:
    return {"text": text, "kind": kind, "requirement": requirement,
            "key_points": [{"text": p, "cues": cues} for p, cues in points]}


# What a model that follows the prompt writes for the nurse ad, with one key point of its
# own that uses none of the ad's words, and one question whose only point is like that.
TAILORED_REPLY = {"questions": [
    _tailored("Tell me about a time you gave IV drugs on a busy shift.", "behavioural",
              "Administer medication safely, including IV drugs",
              ("Checks before you administer IV drugs", ["double check", "second nurse", "prescription"]),
              ("Accurate records kept straight away", ["recorded", "documented", "signed"]),
              ("Quantify revenue growth for shareholders", ["revenue", "growth"])),
    _tailored("How would you support a family who are worried about a care plan?", "role",
              "Support families, explain care plans",
              ("Explain the care plan in plain words", ["explain", "plain words", "care plan"]),
              ("Treat the patient with dignity", ["dignity", "respect"])),
    _tailored("What is your favourite programming language?", "role", "",
              ("Mention functional programming paradigms", ["haskell", "lambda"])),
]}


@pytest.fixture
def ollama(monkeypatch: pytest.MonkeyPatch) -> Iterator[OllamaLoopback]:
    for env in (MODEL_ENV, ALLOW_REMOTE_ENV, KEEP_ALIVE_ENV, "OLLAMA_HOST"):
        monkeypatch.delenv(env, raising=False)
    server = OllamaLoopback(models=(LOCAL,)).start()
    server.script_reply(TAILORED_REPLY)
    try:
        yield server
    finally:
        server.stop()


def _tailor(server: OllamaLoopback, model: str | None = None) -> AdTailor:
    return AdTailor(server.host, model, connect_timeout_s=0.5, busy_retry_s=0.05, read_timeout_s=5.0)


def _ad_words(ad: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", ad.lower()) if len(w) >= 3}


def test_the_model_adds_questions_whose_key_points_all_come_from_the_ad(
        ollama: OllamaLoopback, bank: list[InterviewScript]) -> None:
    ad, cv = _ad("nurse.txt"), "Newly qualified nurse; placements on a cardiac ward and in A&E."
    round_ = build_round(ad, bank, 30)
    tailoring = _tailor(ollama).tailor(ad, round_, cv)

    assert [q.text for q in tailoring.added] == [
        "Tell me about a time you gave IV drugs on a busy shift.",
        "How would you support a family who are worried about a care plan?"]
    words = _ad_words(ad)
    for question in tailoring.added:
        assert question.key_points
        for point in question.key_points:
            assert set(re.findall(r"[a-z]+", point.text.lower())) & words, point.text
    assert [k.text for k in tailoring.added[0].key_points] == ["Checks before you administer IV drugs",
                                                               "Accurate records kept straight away"]
    assert tailoring.added[0].framework.name == "STAR" and tailoring.added[0].kind == "behavioural"
    assert tailoring.added[0].key_points[0].cues == ("double check", "second nurse", "prescription")
    assert (tailoring.dropped.points, tailoring.dropped.questions) == (2, 1)
    assert tailoring.line == (f"Added 2 questions tailored to the ad by the local model {LOCAL}; dropped "
                              "2 key points not in the ad's words and 1 question left without one or "
                              "already in the round.")

    # They join the round before its closer, and the round still keeps to its minutes.
    joined = tailoring.round
    picks = joined.picks
    assert picks[0].question.kind == "opener" and picks[-1].question.kind == "closer"
    assert [p.question.text for p in picks[-3:-1]] == [q.text for q in tailoring.added]
    assert all(p.script_id == TAILORED and p.matched_terms for p in picks[-3:-1])
    assert sum(p.seconds for p in picks) <= 30 * 60
    assert any("left out" in note for note in joined.notes)
    assert [q.text for q in joined.script.questions] == [p.question.text for p in picks]

    # One request: the ad, the CV, the round so far, and a bounded schema.
    (request,) = ollama.requests_to("/api/chat")
    body = request.body
    assert body["format"] == tailoring_schema()
    questions = body["format"]["properties"]["questions"]
    assert questions["maxItems"] == MAX_QUESTIONS
    item = body["format"]["$defs"]["TailoredQuestion"]["properties"]
    assert item["kind"]["enum"] == ["behavioural", "role"]
    assert item["key_points"]["maxItems"] == MAX_POINTS
    assert item["text"]["maxLength"] and item["requirement"]["maxLength"]
    system, user = body["messages"]
    assert ad.strip() in user["content"] and cv in user["content"]
    assert all(p.question.text in user["content"] for p in round_.picks)
    assert "JSON schema" in system["content"]


def test_a_reply_with_nothing_drawn_from_the_ad_or_only_repeats_is_a_failure(
        ollama: OllamaLoopback, bank: list[InterviewScript]) -> None:
    ad = _ad("nurse.txt")
    round_ = build_round(ad, bank, 30)
    repeat = round_.picks[1].question.text
    ollama.script_reply({"questions": [
        _tailored("What is your favourite programming language?", "role", "",
                  ("Mention functional programming paradigms", ["haskell"])),
        _tailored(repeat, "role", "", ("Escalate to the medical team", ["escalate"])),
    ]})
    with pytest.raises(OllamaFailure) as failed:
        _tailor(ollama).tailor(ad, round_)
    assert failed.value.code == "no_questions"
    message = str(failed.value)
    assert "\n" not in message and "dropped 1 key point not in the ad's words and 2 questions" in message
    assert message.endswith("the round from the bank is kept")


def test_a_cloud_model_gets_no_ad_without_consent(bank: list[InterviewScript],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_REMOTE_ENV, raising=False)
    server = OllamaLoopback(models=(ModelSpec.named(CLOUD, age_days=1), LOCAL)).start()
    server.script_reply(TAILORED_REPLY)
    try:
        ad = _ad("nurse.txt")
        round_ = build_round(ad, bank, 30)
        with pytest.raises(OllamaFailure) as refused:
            _tailor(server, CLOUD).tailor(ad, round_)
        assert refused.value.code == "remote_refused" and "job ad would leave this machine" in str(refused.value)
        assert server.requests_to("/api/chat") == []
        assert _tailor(server).tailor(ad, round_).model == LOCAL  # not named, the cloud is never chosen
    finally:
        server.stop()


def test_from_ad_with_llm_writes_the_tailored_questions_or_the_banks_round(
        ollama: OllamaLoopback, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "round.yaml"
    host = ollama.host
    code, out, err = _run(capsys, "scripts", "from-ad", str(ADS / "nurse.txt"), "--llm", "--ollama-host", host,
                          "-o", str(out_file))
    assert code == 0, err
    assert "Added 2 questions tailored to the ad" in out and "[tailored]" in out
    assert "the ad's words it uses:" in out
    texts = [q.text for q in load_script(out_file).questions]
    assert "Tell me about a time you gave IV drugs on a busy shift." in texts
    assert "What is your favourite programming language?" not in texts

    ollama.set_mode("down")
    code, out, err = _run(capsys, "scripts", "from-ad", str(ADS / "nurse.txt"), "--llm", "--ollama-host", host,
                          "-o", str(out_file), "--force")
    assert code == 0, err
    assert "The local model could not add questions:" in out and "the round from the bank is written" in out
    script = load_script(out_file)
    assert script.questions[0].kind == "opener" and script.questions[-1].kind == "closer"
    assert "Tell me about a time you gave IV drugs on a busy shift." not in [q.text for q in script.questions]
