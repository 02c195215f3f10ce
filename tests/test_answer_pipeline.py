"""The one answer pipeline: a live answer and its file give the same coached result, the
live answer is coached from memory, and voice activity is scored once per answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio.audio_file import read_audio_16k, write_wav_16k
from benchmarks.word_error_rate import word_error_rate
from models import answer_pipeline, speech_activity
from models.answer_pipeline import LiveResult, coach_recording
from models.live_transcription import LiveTranscriber
from models.speech_activity import SEGMENT_POLICY, STRETCH_POLICY
from models.transcriber import ACCURATE_BEAM_SIZE
from tests.coach_helpers import INCIDENT_KEY_POINTS, star_question
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures
from tests.speech_fixtures import STAR_SENTENCES, STAR_TEXT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def star_wav(spoken_answer) -> Path:
    return spoken_answer(STAR_SENTENCES, pause_s=0.9)


def count_vad_passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every call that scores audio with the VAD from scratch."""
    calls: list[int] = []
    real = speech_activity.speech_probabilities

    def counted(audio16k: np.ndarray) -> np.ndarray:
        calls.append(int(np.asarray(audio16k).size))
        return real(audio16k)

    monkeypatch.setattr(speech_activity, "speech_probabilities", counted)
    return calls


def live_answer(transcriber, audio: np.ndarray, refine: bool = True) -> LiveResult:
    """``audio`` spoken into the live passes (as the recorder hands it over); with
    ``refine``, the accurate pass runs beside the live one, as in the practice flow."""
    live = LiveTranscriber(transcriber, refine=refine)
    for i in range(0, audio.size, 1600):
        live.feed(audio[i:i + 1600])
    transcript = live.finish()
    recorded, probabilities = live.audio_and_probabilities()
    return LiveResult(transcript, recorded, probabilities,
                      refined=live.refined if refine else None)


def test_a_file_is_read_once_and_scored_once(transcriber, star_wav: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    passes = count_vad_passes(monkeypatch)
    answer = coach_recording(star_question(key_points=INCIDENT_KEY_POINTS), transcriber,
                             path=star_wav)
    audio = read_audio_16k(star_wav)
    assert passes == [audio.size]  # one VAD pass cut the segments and timed the pauses
    assert answer.feedback.speech.source == "audio_vad"
    assert answer.feedback.words == len(answer.transcript.words) > 40
    assert answer.models.to_dict() == {"speech": "tiny.en", "coach": "greenroom-deterministic"}


def test_a_live_answer_is_coached_from_memory_like_its_file(
        transcriber, star_wav: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    question = star_question(key_points=INCIDENT_KEY_POINTS)
    from_file = coach_recording(question, transcriber, path=star_wav)
    live = live_answer(transcriber, read_audio_16k(star_wav))

    passes = count_vad_passes(monkeypatch)

    def no_disk(path: Path) -> np.ndarray:
        raise AssertionError(f"the live answer was read back from {path}")

    monkeypatch.setattr("audio.audio_file.read_audio_16k", no_disk)
    from_live = coach_recording(question, transcriber, live=live)
    assert passes == []  # the live pass's own voice-activity scores were reused
    # The streaming scores are the file's scores, so reusing them changes nothing.
    assert np.allclose(live.probabilities, speech_activity.speech_probabilities(live.audio16k),
                       atol=1e-5)
    # The sound is measured the same either way; the words differ only in how they were
    # decoded (live segments now, the whole answer for a file and after the refine pass).
    assert from_live.feedback.speech == from_file.feedback.speech
    assert from_live.feedback.pauses == from_file.feedback.pauses
    assert from_live.feedback.speaking_s == from_file.feedback.speaking_s


def test_the_recorders_length_wins_when_longer(transcriber, star_wav: Path) -> None:
    audio = read_audio_16k(star_wav)
    answer = coach_recording(star_question(), transcriber, path=star_wav,
                             duration_s=audio.size / 16000 + 3.0)
    assert answer.transcript.duration_s == pytest.approx(audio.size / 16000 + 3.0)


def test_neither_live_nor_path_is_a_programming_error(transcriber) -> None:
    with pytest.raises(ValueError, match="live result or a path"):
        answer_pipeline.coach_recording(star_question(), transcriber)


def test_the_refined_live_answer_is_what_its_saved_recording_gives(
        transcriber, star_wav: Path, tmp_path: Path) -> None:
    question = star_question(key_points=INCIDENT_KEY_POINTS)
    spoken = read_audio_16k(star_wav)
    live = live_answer(transcriber, spoken)
    instant = coach_recording(question, transcriber, live=live)
    refined = answer_pipeline.refine(question, transcriber, instant, live)
    assert refined is not None
    # The recorder saves the same samples as 16-bit PCM; coaching that file again gives
    # the refined transcript word for word: the stretches decoded while the answer was
    # spoken are the file's stretches.
    saved = write_wav_16k(tmp_path / "saved.wav", spoken)
    from_file = coach_recording(question, transcriber, path=saved)
    assert refined.transcript.words == from_file.transcript.words
    assert refined.feedback.key_points == from_file.feedback.key_points
    # Without the accurate pass running beside the live one, refining decodes the whole
    # answer after Stop, to the same words.
    late = answer_pipeline.refine(question, transcriber, instant,
                                  live_answer(transcriber, spoken, refine=False))
    assert late is not None and late.transcript.words == refined.transcript.words
    # As close to what was said as faster-whisper's own best on the same file, within one
    # answer's spread (the mean, within 0.01, is benchmarks/README.md's). Decoded stretch
    # by stretch with no context, this answer's closing stretch came out 0.10 worse.
    segments, _ = transcriber._model.transcribe(str(saved), language="en", beam_size=5,
                                                word_timestamps=True)
    direct = " ".join(w.word.strip() for s in segments for w in (s.words or []))
    refined_wer = word_error_rate(STAR_TEXT, refined.transcript.text)
    assert refined_wer <= min(0.2, word_error_rate(STAR_TEXT, direct) + 0.05), (
        refined.transcript.text, direct)
    # Each transcript says how it was made, and the feedback carries the same record.
    live_made, refined_made, file_made = (t.decoding for t in (
        instant.transcript, refined.transcript, from_file.transcript))
    assert live_made is not None and refined_made is not None and file_made is not None
    assert (live_made.pass_, refined_made.pass_, file_made.pass_) == ("live", "refined", "file")
    assert live_made.beam_size == transcriber.beam_size == 1
    assert refined_made.beam_size == file_made.beam_size == ACCURATE_BEAM_SIZE
    assert live_made.segment_policy == SEGMENT_POLICY.name
    assert refined_made.segment_policy == file_made.segment_policy == STRETCH_POLICY.name
    assert live_made.initial_prompt and not refined_made.initial_prompt
    assert refined_made.hesitations_merged and refined_made.word_timestamps
    assert refined.feedback.transcript.model_extra == {"decoding": refined_made.to_dict()}


def test_refining_stops_when_asked(transcriber, star_wav: Path) -> None:
    question = star_question()
    for refine in (True, False):
        live = live_answer(transcriber, read_audio_16k(star_wav), refine=refine)
        instant = coach_recording(question, transcriber, live=live)
        assert answer_pipeline.refine(question, transcriber, instant, live,
                                      should_stop=lambda: True) is None
