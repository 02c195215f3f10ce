"""The coach on real speech: espeak-ng answers with silences spliced in at known places,
transcribed by the real Whisper model.

Only one answer is transcribed (once for the module). The length-verdict tests repeat
that answer's audio to make 4-, 6- and 8-minute recordings; the verdict comes from the
audio's voice activity, not from the words, so their transcripts are the one real
transcript copied at the same offsets instead of transcribing eight minutes again.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pytest

from audio.audio_file import SAMPLE_RATE, read_audio_16k
from audio.errors import AudioError
from audio.tts import synthesize_to_wav
from interview_scripts.script import KeyPoint
from models.coach import coach_answer, render_report
from models.coach.feedback_model import Feedback, validate_feedback
from models.coach.speech_time import SpeechTiming, energy_speech_spans
from models.transcript import Transcript, Word
from tests.coach_helpers import star_question

pytestmark = pytest.mark.slow

RATE_WPM = 90  # slow speech: fewer words to synthesize and transcribe per minute of audio
STAGES = {
    "Situation": "In my last role I was the on call lead for our checkout service.",
    "Task": "My task was to restore payments quickly and keep customers informed.",
    "Action": "First I rolled back the bad deploy, and I posted updates on the status page.",
    "Result": "As a result checkout was back in twenty five minutes, and we held a blameless "
              "post mortem.",
}
# Silences spliced in: before the answer, after each stage, after the answer.
LEAD_S = 1.0
GAPS_S = {"Situation": 2.6, "Task": 0.7, "Action": 4.5}
TAIL_S = 1.5

KEY_POINTS = (
    KeyPoint("Rolled back the bad deploy", ("roll back", "rollback")),
    KeyPoint("Kept customers informed on the status page", ("status page",)),
    KeyPoint("Ran a blameless post-mortem"),
    KeyPoint("Added an automated canary check to the pipeline", ("canary",)),
    KeyPoint("Escalated to the database vendor's support engineers"),
)
LEFT_OUT = {"Added an automated canary check to the pipeline",
            "Escalated to the database vendor's support engineers"}


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * SAMPLE_RATE)), dtype=np.float32)


def _trimmed(audio: np.ndarray) -> np.ndarray:
    """The clip without the TTS's own leading and trailing silence, so lengths are known."""
    loud = np.flatnonzero(np.abs(audio) > 1e-3)
    return audio[loud[0]: loud[-1] + 1]


def _speak(text: str, path: Path) -> np.ndarray:
    for _ in range(3):
        # The espeak driver occasionally returns before writing its first file in a
        # process; a warmed-up engine and a retry make synthesis reliable.
        try:
            synthesize_to_wav(text, path, rate_wpm=RATE_WPM)
            audio = read_audio_16k(path)
            if audio.size > SAMPLE_RATE:
                return _trimmed(audio)
        except AudioError:
            pass
    raise AssertionError(f"text-to-speech failed three times for {text!r}")


class Answer:
    """The spliced answer and where each piece of it lies, in seconds."""

    def __init__(self, clips: dict[str, np.ndarray]) -> None:
        parts = [_silence(LEAD_S)]
        self.stage_start: dict[str, float] = {}
        self.pauses: list[tuple[float, float]] = []
        t = LEAD_S
        for name, clip in clips.items():
            self.stage_start[name] = t
            parts.append(clip)
            t += clip.size / SAMPLE_RATE
            gap = GAPS_S.get(name)
            if gap:
                if gap >= 2.0:  # shorter silences are not reported as pauses
                    self.pauses.append((t, t + gap))
                parts.append(_silence(gap))
                t += gap
        self.speech_end = t
        parts.append(_silence(TAIL_S))
        self.audio = np.concatenate(parts)
        self.speaking_s = self.speech_end - LEAD_S


@pytest.fixture(scope="module")
def answer(tmp_path_factory: pytest.TempPathFactory) -> Answer:
    folder = tmp_path_factory.mktemp("coach-speech")
    with contextlib.suppress(AudioError):  # the warm-up only has to happen, not succeed
        synthesize_to_wav("Ready.", folder / "warm-up.wav")
    return Answer({name: _speak(text, folder / f"{name}.wav") for name, text in STAGES.items()})


@pytest.fixture(scope="module")
def transcript(answer: Answer) -> Transcript:
    from models.transcriber import load_transcriber

    return load_transcriber().transcribe_audio(answer.audio)


def _cut(transcript: Transcript, audio: np.ndarray, end_s: float) -> tuple[Transcript, np.ndarray]:
    words = [w for w in transcript.words if w.start_s < end_s]
    return (Transcript(words=words, language=transcript.language, model=transcript.model,
                       duration_s=end_s), audio[: int(end_s * SAMPLE_RATE)])


def test_speaking_time_and_pauses_match_the_constructed_answer(answer: Answer,
                                                               transcript: Transcript) -> None:
    fb = coach_answer(star_question(key_points=KEY_POINTS), transcript, answer.audio).to_dict()
    assert validate_feedback(fb) == []
    assert fb["speech"]["source"] == "audio_vad"
    assert fb["speaking_s"] == pytest.approx(answer.speaking_s, abs=1.0)
    assert fb["duration_s"] == pytest.approx(answer.audio.size / SAMPLE_RATE, abs=0.01)
    assert len(fb["pauses"]) == len(answer.pauses)
    for found, (start, end) in zip(fb["pauses"], answer.pauses, strict=True):
        assert found["start_s"] == pytest.approx(start, abs=0.5)
        assert found["end_s"] == pytest.approx(end, abs=0.5)
    # The 4.5 s pause is long enough for a timed note.
    four = answer.pauses[-1][0]
    assert any(n["at_s"] is not None and abs(n["at_s"] - four) < 0.5 and "silence" in n["message"]
               for n in fb["notes"])


def test_energy_detector_agrees_with_the_constructed_answer(answer: Answer) -> None:
    # The stand-in used when the voice activity model cannot run.
    timing = SpeechTiming(spans=tuple(energy_speech_spans(answer.audio)), source="audio_energy",
                          duration_s=answer.audio.size / SAMPLE_RATE)
    assert timing.speaking_s == pytest.approx(answer.speaking_s, abs=1.0)
    gaps = timing.gaps(2.0)
    assert len(gaps) == len(answer.pauses)
    for (s, e), (start, end) in zip(gaps, answer.pauses, strict=True):
        assert s == pytest.approx(start, abs=0.5) and e == pytest.approx(end, abs=0.5)


def test_star_stages_found_in_order(answer: Answer, transcript: Transcript) -> None:
    fb = coach_answer(star_question(), transcript, answer.audio).to_dict()
    stages = fb["structure"]["stages"]
    assert [s["name"] for s in stages if s["present"]] == list(STAGES)
    assert fb["structure"]["order_ok"] is True
    starts = [s["start_s"] for s in stages]
    assert starts == sorted(starts)
    for s in stages[1:]:  # Situation opens the answer; the others start where their cue is said
        assert s["start_s"] == pytest.approx(answer.stage_start[s["name"]], abs=1.0)
    assert not any("No Result" in n["message"] for n in fb["notes"])


def test_missing_result_is_flagged(answer: Answer, transcript: Transcript) -> None:
    cut_transcript, cut_audio = _cut(transcript, answer.audio, answer.stage_start["Result"] - 0.2)
    fb = coach_answer(star_question(), cut_transcript, cut_audio).to_dict()
    stages = {s["name"]: s for s in fb["structure"]["stages"]}
    assert [n for n, s in stages.items() if s["present"]] == ["Situation", "Task", "Action"]
    assert stages["Result"]["present"] is False
    assert any(n["severity"] == "problem" and "No Result stage" in n["message"]
               for n in fb["notes"])
    no_result = next(m for m in fb["mistakes"] if m["text"] == "No measurable result")
    assert no_result["flagged"] is True


def test_key_points_left_out_are_exactly_the_missing_ones(answer: Answer,
                                                          transcript: Transcript) -> None:
    fb = coach_answer(star_question(key_points=KEY_POINTS), transcript, answer.audio).to_dict()
    status = {k["text"]: k["status"] for k in fb["key_points"]}
    assert {t for t, s in status.items() if s == "not_heard"} == LEFT_OUT
    # The three that were said are never missing; tiny.en may garble a cue word, which can
    # leave one of them 'partial' rather than 'covered'.
    said = set(status) - LEFT_OUT
    assert all(status[t] in ("covered", "partial") for t in said), status
    assert sum(status[t] == "covered" for t in said) >= 2, status
    rollback = next(k for k in fb["key_points"] if k["text"].startswith("Rolled back"))
    assert rollback["start_s"] == pytest.approx(answer.stage_start["Action"], abs=3.0)
    assert "roll" in rollback["evidence"].lower()
    report = render_report(Feedback.from_dict(fb))
    assert ("[?] Escalated to the database vendor's support engineers — not heard in these words"
            in report)


def _repeated(answer: Answer, transcript: Transcript, times: int, gap_s: float = 1.0
              ) -> tuple[np.ndarray, Transcript, float]:
    """The answer's speech said ``times`` times in a row; returns audio, transcript, span."""
    speech = answer.audio[int(LEAD_S * SAMPLE_RATE): int(answer.speech_end * SAMPLE_RATE)]
    block = speech.size / SAMPLE_RATE + gap_s
    audio = np.concatenate([_silence(LEAD_S)] + [np.concatenate((speech, _silence(gap_s)))] * times)
    words = [Word(w.word, w.start_s + k * block, w.end_s + k * block, w.probability)
             for k in range(times) for w in transcript.words]
    span = times * block - gap_s
    return audio, Transcript(words=words, model=transcript.model,
                             duration_s=audio.size / SAMPLE_RATE), span


@pytest.mark.parametrize(("minutes", "verdict"), [(4.0, "short"), (6.0, "within"), (8.0, "long")])
def test_length_verdict_against_a_five_to_seven_minute_guide(
        answer: Answer, transcript: Transcript, minutes: float, verdict: str) -> None:
    block = answer.speaking_s + 1.0
    times = max(1, round(minutes * 60 / block))
    audio, long_transcript, span = _repeated(answer, transcript, times)
    fb = coach_answer(star_question("5-7 minutes"), long_transcript, audio).to_dict()
    assert fb["speaking_s"] == pytest.approx(span, abs=1.0)
    assert fb["length"]["verdict"] == verdict
    if verdict == "long":
        assert fb["length"]["delta_s"] == pytest.approx(span - 420, abs=1.0)
        assert any(n["at_s"] == pytest.approx(LEAD_S + 420, abs=1.0) and "7:00" in n["message"]
                   for n in fb["notes"])
    elif verdict == "short":
        assert fb["length"]["delta_s"] == pytest.approx(span - 300, abs=1.0)
    else:
        assert fb["length"]["delta_s"] == 0.0
