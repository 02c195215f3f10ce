"""Rules docs/feedback-json.md states about the coach, each held to its word here."""

from __future__ import annotations

import numpy as np
import pytest

from interview_scripts.frameworks import CAR, NONE, STAR
from interview_scripts.script import Question
from interview_scripts.time_guide import parse_time_guide
from models.coach import coach_answer
from models.transcript import Transcript, Word
from tests.coach_helpers import transcript_of

RATE = 16_000


def question(framework=NONE, guide: str | None = None) -> Question:  # noqa: ANN001
    return Question(id="q", text="Tell me about it.", framework=framework,
                    time_guide=parse_time_guide(guide) if guide else None)


def test_top_words_leave_out_stop_words_and_words_said_once() -> None:
    fb = coach_answer(question(), transcript_of(
        ("The database was slow. The database needed an index.", 0.0),
        ("We added the index and the database recovered.", 8.0)), None).to_dict()
    top = {t["word"]: t["count"] for t in fb["word_use"]["top_words"]}
    assert top == {"database": 3, "index": 2}
    assert len(fb["word_use"]["top_words"]) <= 10


def test_one_is_not_counted_as_a_number_but_other_figures_are() -> None:
    fb = coach_answer(question(), transcript_of(
        ("One of the jobs failed, the one thing we fixed first.", 0.0),
        ("We cut the failures by 40 percent in two weeks.", 6.0)), None).to_dict()
    figures = [n["text"].lower() for n in fb["word_use"]["numbers"]]
    assert not any(f.split()[0] == "one" for f in figures), figures
    assert any(f.startswith("40") for f in figures) and any(f.startswith("two") for f in figures)


@pytest.mark.parametrize(("sentence", "counted"), [
    ("I mean, the fix was simple.", True),       # set off by a comma at the start
    ("We rolled back, I mean, at once.", True),  # set off on both sides
    ("That is what I mean by a safe release.", False),  # the verb, not a filler
])
def test_i_mean_is_a_filler_only_when_set_off(sentence: str, counted: bool) -> None:
    fb = coach_answer(question(), transcript_of((sentence, 0.0)), None).to_dict()
    words = [item["word"].lower() for item in fb["fillers"]["items"]]
    assert ("i mean" in words) is counted, fb["fillers"]


def test_no_pace_flag_for_a_stretch_under_twenty_seconds() -> None:
    # 15 s spoken very fast: far outside the band, but too short to judge.
    fast = " ".join(["we shipped the fix today"] * 12)
    fb = coach_answer(question(), transcript_of((fast, 0.0), wpm=240), None).to_dict()
    assert fb["speaking_s"] < 20
    assert fb["pace"]["flags"] == [] and fb["pace"]["overall_flag"] is None
    assert all(m["flag"] is None for m in fb["pace"]["per_minute"])
    # The same pace over 40 s is flagged.
    longer = coach_answer(question(), transcript_of((" ".join([fast] * 3), 0.0), wpm=240),
                          None).to_dict()
    assert longer["pace"]["overall_flag"] == "fast"


def test_voiced_time_leaves_out_pauses_that_speaking_time_keeps() -> None:
    # Two 2 s stretches of sound with a 3 s gap: 7 s speaking, 4 s voiced.
    audio = np.zeros(10 * RATE, dtype=np.float32)
    noise = np.random.default_rng(3).normal(0, 0.2, 2 * RATE).astype(np.float32)
    audio[1 * RATE:3 * RATE] = noise
    audio[6 * RATE:8 * RATE] = noise
    words = [Word(" We", 1.1, 1.5), Word(" fixed", 6.2, 6.6)]
    from models.coach.speech_time import SpeechTiming

    timing = SpeechTiming(spans=((1.0, 3.0), (6.0, 8.0)), source="audio_vad", duration_s=10.0)
    fb = coach_answer(question(), Transcript(words=words, duration_s=10.0), audio,
                      timing=timing).to_dict()
    assert fb["speaking_s"] == pytest.approx(7.0)
    assert fb["speech"]["voiced_s"] == pytest.approx(4.0)
    assert [(p["start_s"], p["end_s"]) for p in fb["pauses"]] == [(3.0, 6.0)]


def test_speaking_time_is_never_zero_while_there_are_words_and_no_audio() -> None:
    fb = coach_answer(question(), transcript_of(("We rolled back the release.", 2.0)),
                      None).to_dict()
    assert fb["words"] == 5 and fb["speaking_s"] > 1.0 and fb["wpm"] is not None


def car_answer(context_s: float, total_s: float) -> Transcript:
    """A CAR answer whose Context runs ``context_s`` of ``total_s`` seconds."""
    action_at = context_s
    result_at = action_at + (total_s - context_s) * 0.6
    return transcript_of(
        ("In my last role we had a nightly billing job that kept failing.", 0.0),
        ("At the time the team restarted it by hand every morning.", context_s / 2),
        ("So I traced the failures and then I added a lock to the shared step.", action_at),
        ("I decided to move one job to a queue as well.", action_at + 6.0),
        ("As a result failures dropped by ninety percent in a month.", result_at),
        ("In the end we saved six hours a week.", result_at + 5.0),
        wpm=130)


def budget(fb: dict, starts: str) -> dict:
    return next(rule for rule in fb["structure"]["budget"] if rule["rule"].startswith(starts))


def test_car_context_takes_at_most_about_a_third() -> None:
    short = coach_answer(question(CAR), car_answer(8.0, 60.0), None).to_dict()
    assert budget(short, "Context")["ok"] is True
    long = coach_answer(question(CAR), car_answer(35.0, 60.0), None).to_dict()
    rule = budget(long, "Context")
    assert rule["ok"] is False and rule["share"] > 0.38


def test_the_result_needs_a_tenth_of_the_answer_and_not_the_last_tenth() -> None:
    told = transcript_of(
        ("In my last role our deploys broke every Friday.", 0.0),
        ("My task was to make releases safe before the holidays.", 8.0),
        ("First I added canary checks and then I wrote a rollback script.", 16.0),
        ("I also trained the team on it over two weeks.", 26.0),
        ("As a result failed releases dropped by eighty percent.", 36.0),
        ("In the end we shipped twice as often.", 42.0), wpm=130)
    fb = coach_answer(question(STAR), told, None).to_dict()
    assert budget(fb, "Result")["ok"] is True
    squeezed = transcript_of(
        ("In my last role our deploys broke every Friday.", 0.0),
        ("My task was to make releases safe before the holidays.", 8.0),
        ("First I added canary checks and then I wrote a rollback script.", 16.0),
        ("I also trained the team on it over two weeks and then I kept coaching them for "
         "months on every single release we made together across all the teams.", 26.0),
        ("As a result it worked.", 52.0), wpm=130)
    fb = coach_answer(question(STAR), squeezed, None).to_dict()
    rule = budget(fb, "Result")
    assert rule["ok"] is False
    assert any("Result starts" in n["message"] for n in fb["notes"])
