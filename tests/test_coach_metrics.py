"""Each metric of the coach on transcripts whose words and times are known exactly."""

from __future__ import annotations

import re

import numpy as np
import pytest

from interview_scripts.frameworks import CIRCLES, Framework, Stage
from interview_scripts.script import KeyPoint, Mistake, Question
from interview_scripts.time_guide import parse_time_guide
from models.coach import coach_answer, render_report
from models.coach.feedback_model import Feedback, NoteData, validate_feedback
from models.coach.notes import note_order, severity_rank
from models.coach.pace import PACE_BAND
from models.transcript import Transcript
from tests.coach_helpers import (
    INCIDENT_KEY_POINTS,
    star_question,
    timed_words,
    transcript_of,
)

STAGED = (
    ("In my last role I was the on call lead for the checkout service.", 0.5),
    ("My task was to restore payments and keep everyone informed.", 12.0),
    ("First I checked the dashboards. Then I rolled back the bad deploy and posted updates "
     "on the status page.", 20.0),
    ("As a result we restored checkout in 25 minutes and cut errors by 40 percent.", 45.0),
)


def _stages(fb: dict) -> dict[str, dict]:
    return {s["name"]: s for s in fb["structure"]["stages"]}


def test_star_answer_segments_at_its_cues() -> None:
    fb = coach_answer(star_question(), transcript_of(*STAGED), None).to_dict()
    stages = _stages(fb)
    assert all(s["present"] for s in stages.values())
    assert stages["Task"]["start_s"] == 12.0
    assert stages["Action"]["start_s"] == 20.0
    assert stages["Result"]["start_s"] == 45.0
    assert stages["Result"]["cue"]["text"] == "as a result"
    assert fb["structure"]["order_ok"] is True
    assert sum(s["share"] for s in stages.values()) == pytest.approx(1.0, abs=0.01)
    assert [r["ok"] for r in fb["structure"]["budget"]] == [True, True]


def test_stray_cue_does_not_reorder_the_answer() -> None:
    # "learned" is a Result cue, but one mention during the set-up is not a Result stage.
    parts = (("In my last role I learned the billing system inside out.", 0.0),) + STAGED[1:]
    fb = coach_answer(star_question(), transcript_of(*parts), None).to_dict()
    assert fb["structure"]["order_ok"] is True
    assert _stages(fb)["Result"]["start_s"] == 45.0


def test_result_told_first_is_out_of_order() -> None:
    parts = ((STAGED[3][0], 0.0), ("As a result of that outage, as a result, the outcome was "
                                   "fewer pages.", 6.0),
             ("In my last role I was the on call lead. At the time we had a big launch.", 15.0),
             ("My task was to keep payments up. I was responsible for the rollout.", 25.0),
             ("First I checked the dashboards. Then I rolled back the deploy.", 35.0))
    fb = coach_answer(star_question(), transcript_of(*parts), None).to_dict()
    assert fb["structure"]["order_ok"] is False
    assert [o["name"] for o in fb["structure"]["order"]][:2] == ["Result", "Situation"]
    assert any("goes back to Situation after Result" in n["message"] for n in fb["notes"])


def test_missing_result_and_late_result_are_flagged() -> None:
    fb = coach_answer(star_question(), transcript_of(*STAGED[:3]), None).to_dict()
    assert _stages(fb)["Result"]["present"] is False
    assert any(n["severity"] == "problem" and n["message"].startswith("No Result stage")
               for n in fb["notes"])
    # A long action and a result squeezed into the last seconds of a 5-7 minute answer.
    action = " ".join(["Then I rolled back the deploy and checked the logs again."] * 60)
    late = transcript_of(STAGED[0], STAGED[1], (action, 20.0), ("As a result it worked.", 292.0))
    fb = coach_answer(star_question("5-7 minutes"), late, None).to_dict()
    result = _stages(fb)["Result"]
    assert result["start_s"] == 292.0
    note = next(n for n in fb["notes"] if n["at_s"] == 292.0)
    assert note["message"].startswith("At 4:52 the Result starts — too late for a 5–7 minute answer")


def test_long_setup_breaks_the_third_budget() -> None:
    setup = " ".join(["At the time we had a legacy checkout with many services."] * 12)
    parts = ((setup, 0.0), ("My task was to fix it.", 60.0),
             ("First I rolled back the deploy.", 65.0), ("As a result errors fell 40 percent.", 75.0))
    fb = coach_answer(star_question(), transcript_of(*parts), None).to_dict()
    budget = fb["structure"]["budget"][0]
    assert budget["ok"] is False and budget["share"] > 0.7
    assert any(n["at_s"] == 65.0 and "set-up" in n["message"] for n in fb["notes"])


def test_inline_and_circles_frameworks() -> None:
    inline = Framework("PREP", (Stage("Point", ("my point is",)), Stage("Reason", ("because",)),
                                Stage("Example", ("for example",))))
    q = Question(id="q", text="?", framework=inline)
    fb = coach_answer(q, transcript_of(("My point is simple.", 0.0),
                                       ("For example we shipped weekly.", 5.0)), None).to_dict()
    stages = _stages(fb)
    assert stages["Point"]["present"] and stages["Example"]["present"]
    assert stages["Reason"]["present"] is False
    q = Question(id="c", text="?", framework=CIRCLES)
    fb = coach_answer(q, transcript_of(("I looked at the logs to find the root cause.", 0.0),
                                       ("Then we held a postmortem to prevent it.", 6.0)), None).to_dict()
    assert _stages(fb)["Identify"]["present"] and _stages(fb)["Evaluate"]["start_s"] == 6.0


def test_fillers_hedges_and_numbers_with_times() -> None:
    t = transcript_of(("Um, so I think we, you know, basically fixed it. Like, it maybe took "
                       "two weeks and cut latency by 30% which I guess saved $2,000.", 0.0), wpm=60)
    fb = coach_answer(star_question(), t, None).to_dict()
    fillers = {(i["word"], i["start_s"]) for i in fb["fillers"]["items"]}
    assert fillers == {("um", 0.0), ("you know", 5.0), ("basically", 7.0), ("like", 10.0)}
    assert fb["fillers"]["lower_bound"] is True and "lower bound" in fb["fillers"]["note"]
    assert [i["word"] for i in fb["hedges"]["items"]] == ["i think", "maybe", "i guess"]
    numbers = [n["text"] for n in fb["word_use"]["numbers"]]
    assert numbers == ["two weeks", "30%", "$2000"]
    assert len(fb["word_use"]["measurable_results"]) == 3
    assert next(m for m in fb["mistakes"] if m["text"] == "No measurable result")["flagged"] is False


def test_like_as_a_verb_is_not_a_filler() -> None:
    fb = coach_answer(star_question(), transcript_of(("I like clear runbooks.", 0.0)), None).to_dict()
    assert fb["fillers"]["count"] == 0


def test_we_instead_of_i_is_flagged_for_behavioural_answers() -> None:
    text = "We decided to roll back. We paged the team. We wrote the fix and we shipped it."
    fb = coach_answer(star_question(), transcript_of((text, 0.0)), None).to_dict()
    assert fb["word_use"]["we_count"] == 4 and fb["word_use"]["i_count"] == 0
    assert next(m for m in fb["mistakes"] if m["text"].startswith("Says 'we'"))["flagged"]
    assert any("'we' 4 times" in n["message"] for n in fb["notes"])


def test_pace_per_minute_flags_a_fast_minute() -> None:
    # Minute 1 at 140 wpm, minute 2 at 200 wpm, then half a minute at 100 wpm.
    words = (timed_words(" ".join(["steady"] * 140), 0.0, 140)
             + timed_words(" ".join(["rushed"] * 200), 60.0, 200)
             + timed_words(" ".join(["slow"] * 50), 120.0, 100))
    t = Transcript(words=words, duration_s=150.0)
    fb = coach_answer(star_question(None), t, None).to_dict()
    per = fb["pace"]["per_minute"]
    assert [p["wpm"] for p in per[:2]] == [pytest.approx(140, abs=2), pytest.approx(200, abs=2)]
    assert [p["flag"] for p in per] == [None, "fast", "slow"]
    assert fb["pace"]["flags"] == [{"minute": 2, "start_s": 60.0, "flag": "fast", "wpm": per[1]["wpm"]},
                                   {"minute": 3, "start_s": 120.0, "flag": "slow", "wpm": per[2]["wpm"]}]
    assert fb["wpm"] == pytest.approx(390 / (fb["speaking_s"] / 60), abs=0.1)
    assert any(n["at_s"] == 60.0 and n["message"].startswith("From 1:00 the pace was fast")
               for n in fb["notes"])
    assert fb["pace"]["band"] == list(PACE_BAND)
    assert "rule of thumb" in fb["pace"]["source"]


def test_key_points_statuses_and_evidence() -> None:
    fb = coach_answer(star_question(key_points=INCIDENT_KEY_POINTS), transcript_of(*STAGED), None).to_dict()
    status = {k["text"]: k for k in fb["key_points"]}
    rollback = status["Rolled back the bad deploy"]
    assert rollback["status"] == "covered" and rollback["start_s"] > 20.0
    assert "rolled back" in rollback["evidence"]
    assert status["Added an automated canary check to the pipeline"]["status"] == "not_heard"
    assert status["Ran a blameless post-mortem"]["status"] == "not_heard"
    partial = coach_answer(star_question(key_points=(KeyPoint("Ran a blameless post-mortem"),)),
                           transcript_of(("Afterwards we wrote a postmortem.", 0.0)), None).to_dict()
    assert partial["key_points"][0]["status"] == "partial"  # post-mortem said, blameless not
    full = coach_answer(star_question(key_points=(KeyPoint("Ran a blameless post-mortem"),)),
                        transcript_of(("We ran a blameless post mortem.", 3.0)), None).to_dict()
    assert full["key_points"][0]["status"] == "covered"
    assert full["key_points"][0]["start_s"] == pytest.approx(3.0 + 60 / 140, abs=0.01)


def test_script_mistakes_are_found_by_their_cues() -> None:
    q = star_question(mistakes=(Mistake("Blaming others", ("their fault", "blame")),
                                Mistake("Rambling")))
    fb = coach_answer(q, transcript_of(("Honestly it was their fault, not mine.", 4.0)), None).to_dict()
    blame, ramble = fb["mistakes"][:2]
    assert blame["flagged"] and blame["start_s"] == pytest.approx(4.0 + 3 * 60 / 140, abs=0.01)
    assert ramble == {"text": "Rambling", "flagged": False, "evidence": None, "start_s": None,
                      "checked": False, "source": "script"}


def test_notes_are_sorted_single_sentences_with_clock_times() -> None:
    fb = coach_answer(star_question(key_points=INCIDENT_KEY_POINTS), transcript_of(*STAGED), None).to_dict()
    assert validate_feedback(fb) == []
    timed = [n["at_s"] for n in fb["notes"] if n["at_s"] is not None]
    assert timed == sorted(timed)
    seen_untimed = False
    for n in fb["notes"]:
        seen_untimed |= n["at_s"] is None
        assert not (seen_untimed and n["at_s"] is not None)
        assert n["source"] == "coach"
        assert not re.search(r"\d\.\d{2,}", n["message"])  # no raw float times
        if n["at_s"] is not None and n["message"].startswith("At "):
            minutes, seconds = divmod(round(n["at_s"]), 60)
            assert n["message"].startswith(f"At {minutes}:{seconds:02d}")


def test_one_severity_order_for_saved_and_typed_notes() -> None:
    """Most severe first at one moment, timed before whole-answer; an unknown severity
    last. Saved notes (dicts) and typed ones sort alike, so a re-sort changes nothing."""
    saved = [{"at_s": None, "severity": "info", "message": "a"},
             {"at_s": 3.0, "severity": "info", "message": "b"},
             {"at_s": 3.0, "severity": "problem", "message": "c"},
             {"at_s": None, "severity": "shrug", "message": "d"},
             {"at_s": None, "severity": "warning", "message": "e"}]
    ordered = [n["message"] for n in sorted(saved, key=note_order)]
    assert ordered == ["c", "b", "e", "a", "d"]
    typed = [NoteData.model_validate(n) for n in saved if n["severity"] != "shrug"]
    assert [n.message for n in sorted(typed, key=note_order)] == ["c", "b", "e", "a"]
    assert [severity_rank(s) for s in ("problem", "warning", "info")] == [0, 1, 2]


def test_report_shows_every_section_and_the_llm_part() -> None:
    fb = coach_answer(star_question(key_points=INCIDENT_KEY_POINTS), transcript_of(*STAGED), None).to_dict()
    text = render_report(Feedback.from_dict(fb))
    for heading in ("Length", "Pace and pauses", "Words", "Structure (STAR)", "Key points", "Notes"):
        assert f"\n{heading}\n" in text
    assert "lower bound" in text and "5-7 minutes" in text and "): short by " in text
    assert "[x] Rolled back the bad deploy" in text
    assert "From the local LLM" not in text
    fb["llm"] = {"verdict": "Clear story, thin result.", "model": "qwen",
                 "improvements": [{"at_s": 45.0, "message": "Lead with the number."}],
                 "rephrasing": {"at_s": 20.0, "original": "First I checked.",
                                "better": "I checked the dashboards first."},
                 "follow_up_question": "What would you do differently?"}
    text = render_report(Feedback.from_dict(fb))
    assert "From the local LLM (qwen)" in text
    for part in ("Clear story, thin result.", "0:45  Lead with the number.",
                 "I checked the dashboards first.", "What would you do differently?"):
        assert part in text
    fb["llm"] = None
    fb["llm_status"] = {"ok": False, "reason": "Ollama is not running", "fix": "start it"}
    text = render_report(Feedback.from_dict(fb))
    assert "Not available: Ollama is not running" in text and "start it" in text


def test_audio_measures_replace_word_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    # A tone stands in for speech from 1.0 s to 3.0 s and 6.0 s to 8.0 s; the words claim
    # 0.0 s to about 1 s. A tone is not speech to the voice activity detector, so it is made
    # to fail: the coach then falls back to its energy detector, and the audio still wins.
    rate = 16_000
    audio = np.zeros(10 * rate, dtype=np.float32)
    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(2 * rate) / rate).astype(np.float32)
    audio[rate: 3 * rate] = tone
    audio[6 * rate: 8 * rate] = tone
    from models import speech_activity

    def no_vad(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no ONNX runtime")

    monkeypatch.setattr(speech_activity, "speech_segments", no_vad)
    t = Transcript(words=transcript_of(("hello there", 0.0)).words, duration_s=10.0)
    fb = coach_answer(star_question(None), t, audio).to_dict()
    assert fb["speech"]["source"] == "audio_energy"
    assert "loudness" in fb["confidence"]["speaking_s"]
    assert fb["duration_s"] == 10.0
    assert fb["speech"]["first_s"] == pytest.approx(1.0, abs=0.05)
    assert fb["speech"]["last_s"] == pytest.approx(8.0, abs=0.2)
    assert fb["speaking_s"] == pytest.approx(7.0, abs=0.25)
    # Two 2 s tones; the energy detector holds on 150 ms after each (measured 4.32 s).
    assert fb["speech"]["voiced_s"] == pytest.approx(4.3, abs=0.15)
    assert [(round(p["start_s"]), round(p["end_s"])) for p in fb["pauses"]] == [(3, 6)]


def test_the_timing_source_is_said_and_words_alone_are_less_exact() -> None:
    t = transcript_of(("We rolled back the release.", 1.0), ("Then we watched it.", 6.0))
    fb = coach_answer(star_question(None), t, None).to_dict()
    assert fb["speech"]["source"] == "word_timings"
    assert "word timings" in fb["confidence"]["pauses"]
    assert any("No audio was available" in n["message"] for n in fb["notes"])
    # Speaking time never reads 0 s while there are words.
    assert fb["words"] > 0 and fb["speaking_s"] > 4.0


def test_guide_dict_and_verdict_fields() -> None:
    q = Question(id="short", text="?", time_guide=parse_time_guide("90s"))
    fb = coach_answer(q, transcript_of(("A quick answer.", 0.0)), None).to_dict()
    assert fb["time_guide"] == {"min_s": 68.0, "max_s": 90.0, "text": "90s"}
    assert fb["length"]["verdict"] == "short" and fb["length"]["delta_s"] < 0


def test_schema_check_catches_a_broken_feedback() -> None:
    fb = coach_answer(star_question(), transcript_of(*STAGED), None).to_dict()
    assert validate_feedback(fb) == []
    broken = dict(fb, length={"verdict": "fine"}, notes=[{"at_s": -1, "severity": "loud",
                                                          "message": ""}])
    del broken["pauses"]
    problems = validate_feedback(broken)
    assert problems[0] == "missing key 'pauses'"
    broken["pauses"] = []
    problems = validate_feedback(broken)
    where = {line.split(":")[0] for line in problems}
    assert where == {"length.verdict", "notes.0.severity", "notes.0.message", "notes.0.at_s"}
    assert any("'short', 'within', 'long' or 'no_guide'" in line for line in problems)
