"""The bundled question bank checks itself.

Every bundled question must be complete enough to practise with (a guide, key points a
coach can find, mistakes, a model answer, follow-ups, guidance), the bank must be broad
enough to offer most candidates an interview for their role, and every model answer must
pass Greenroom's own coach: read as text, it makes its own key points and tells every stage
of its framework; spoken aloud and transcribed, it still makes nearly all of them. A model
answer the coach cannot follow would teach the candidate the coach is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app import paths
from interview_scripts.catalogue import script_files
from interview_scripts.loader import load_script
from interview_scripts.script import InterviewScript, Question
from tests.coach_helpers import transcript_of
from tests.speech_fixtures import *  # noqa: F403

MIN_INTERVIEWS = 17
MIN_ROLES = 15
MIN_QUESTIONS = 300
MIN_KEY_POINTS = 3
MIN_MISTAKES = 2
MIN_SAMPLE_WORDS = 80
OPENER_MAX_S = 120  # an opener is a warm-up: one to two minutes
TEXT_COVERED_SHARE = 0.95
SPOKEN_ANSWERS = 20
SPOKEN_KEPT_SHARE = 0.90
SPOKEN_RATE_WPM = 160


def _bundled() -> list[InterviewScript]:
    return [load_script(f, bundled=True) for f in script_files(paths.bundled_scripts_dir())]


BUNDLED = _bundled()
QUESTIONS: list[tuple[InterviewScript, Question]] = [(s, q) for s in BUNDLED for q in s.questions]


def _name(script: InterviewScript, question: Question) -> str:
    return f"{script.id}/{question.id}"


# -- (a) every question is complete -------------------------------------------------------

def _gaps(question: Question) -> list[str]:
    gaps: list[str] = []
    if question.time_guide is None:
        gaps.append("no time guide")
    elif question.kind == "opener" and question.time_guide.max_s > OPENER_MAX_S:
        gaps.append(f"an opener with a {question.time_guide.text} guide (at most 2 min)")
    if len(question.key_points) < MIN_KEY_POINTS:
        gaps.append(f"{len(question.key_points)} key points (at least {MIN_KEY_POINTS})")
    gaps += [f"key point without cues: {k.text!r}" for k in question.key_points if not k.cues]
    if len(question.mistakes) < MIN_MISTAKES:
        gaps.append(f"{len(question.mistakes)} mistakes (at least {MIN_MISTAKES})")
    words = len(question.sample_answer.split())
    if words < MIN_SAMPLE_WORDS:
        gaps.append(f"sample answer of {words} words (at least {MIN_SAMPLE_WORDS})")
    if not question.follow_ups:
        gaps.append("no follow-up")
    elif not any(f.probes for f in question.follow_ups):
        gaps.append("no follow-up names what it probes")
    if not question.guidance:
        gaps.append("no guidance")
    return gaps


def test_every_bundled_question_is_complete() -> None:
    problems: list[str] = []
    for script, question in QUESTIONS:
        problems += [f"{_name(script, question)}: {gap}" for gap in _gaps(question)]
    assert QUESTIONS, "no bundled questions"
    assert not problems, "incomplete bundled questions:\n" + "\n".join(problems)


# -- (b) the bank as a whole ---------------------------------------------------------------

def test_the_bank_is_broad_enough() -> None:
    roles = {" ".join(s.role.lower().split()) for s in BUNDLED}
    assert len(BUNDLED) >= MIN_INTERVIEWS, f"{len(BUNDLED)} bundled interviews (want {MIN_INTERVIEWS})"
    assert len(roles) >= MIN_ROLES, f"{len(roles)} distinct roles (want {MIN_ROLES}): {sorted(roles)}"
    assert len(QUESTIONS) >= MIN_QUESTIONS, f"{len(QUESTIONS)} questions (want {MIN_QUESTIONS})"


# -- (c) every model answer passes the coach, as text --------------------------------------

def _coach_text(question: Question) -> Any:
    from models.coach import coach_answer

    return coach_answer(question, transcript_of((question.sample_answer, 0.5), wpm=150), None)


@pytest.fixture(scope="module")
def coached_text() -> dict[str, tuple[Question, Any]]:
    return {_name(s, q): (q, _coach_text(q)) for s, q in QUESTIONS if q.sample_answer}


def test_model_answers_make_their_own_key_points(coached_text: dict[str, tuple[Question, Any]]) -> None:
    total = covered = 0
    failing: list[str] = []
    for name, (_, feedback) in coached_text.items():
        for point in feedback.key_points:
            total += 1
            if point.status == "covered":
                covered += 1
            else:
                failing.append(f"{name}: {point.status}: {point.text}")
    assert total, "no key points to check"
    share = covered / total
    assert share >= TEXT_COVERED_SHARE, (
        f"model answers cover {covered}/{total} ({share:.1%}) of their key points "
        f"(want {TEXT_COVERED_SHARE:.0%}); not covered:\n" + "\n".join(failing))


def test_model_answers_tell_every_stage_of_their_framework(
        coached_text: dict[str, tuple[Question, Any]]) -> None:
    failing: list[str] = []
    for name, (question, feedback) in coached_text.items():
        if question.framework.is_none:
            continue
        missing = [s.name for s in feedback.structure.stages if not s.present]
        if missing:
            failing.append(f"{name} ({question.framework.name}): no {', '.join(missing)}")
    assert not failing, "model answers missing a stage:\n" + "\n".join(failing)


# -- (d) a spread of model answers, spoken and transcribed ---------------------------------

def _spoken_choice() -> list[tuple[InterviewScript, Question]]:
    """Every Nth question of the bank in file order, so the choice is fixed and spread over
    every interview, long and short answers alike."""
    answered = [(s, q) for s, q in QUESTIONS if q.sample_answer]
    step = max(1, len(answered) // SPOKEN_ANSWERS)
    return answered[::step][:SPOKEN_ANSWERS]


@pytest.mark.slow
def test_spoken_model_answers_keep_their_key_points(
        spoken_wav: Callable[..., Path], transcriber: Any,
        coached_text: dict[str, tuple[Question, Any]]) -> None:
    from audio.audio_file import read_audio_16k
    from models.coach import coach_answer

    chosen = _spoken_choice()
    assert len(chosen) >= min(SPOKEN_ANSWERS, len(QUESTIONS))
    kept = heard_as_text = 0
    lost: list[str] = []
    for script, question in chosen:
        name = _name(script, question)
        as_text = {p.text for p in coached_text[name][1].key_points if p.status == "covered"}
        audio = read_audio_16k(spoken_wav(question.sample_answer, SPOKEN_RATE_WPM))
        transcript = transcriber.transcribe_full(audio)
        feedback = coach_answer(question, transcript, audio)
        spoken = {p.text for p in feedback.key_points if p.status == "covered"}
        heard_as_text += len(as_text)
        kept += len(as_text & spoken)
        lost += [f"{name}: {text}  [heard: {transcript.text[:160]}…]" for text in sorted(as_text - spoken)]
    assert heard_as_text
    share = kept / heard_as_text
    print(f"spoken model answers: {len(chosen)} answers keep {kept}/{heard_as_text} key points ({share:.1%})")
    assert share >= SPOKEN_KEPT_SHARE, (
        f"spoken, {len(chosen)} model answers keep {kept}/{heard_as_text} ({share:.1%}) of the key "
        f"points they make as text (want {SPOKEN_KEPT_SHARE:.0%}); lost:\n" + "\n".join(lost))
