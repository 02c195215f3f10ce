"""Live transcription: the same answer fed in blocks gives the file's words, on time."""

from __future__ import annotations

import time

import numpy as np
import pytest

from audio.audio_file import read_audio_16k
from audio.wav_writer import as_saved
from benchmarks.word_error_rate import word_error_rate
from models.errors import ModelError
from models.live_transcription import ChunkedAudio, LiveTranscriber
from models.speech_activity import SAMPLE_RATE, STRETCH_POLICY, cut_segments
from models.transcriber import ACCURATE_BEAM_SIZE
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures
from tests.speech_fixtures import STAR_SENTENCES, STAR_TEXT


@pytest.fixture(scope="module")
def star_audio(spoken_answer) -> np.ndarray:
    return read_audio_16k(spoken_answer(STAR_SENTENCES, pause_s=0.9))


@pytest.fixture(scope="module")
def thinking_audio(spoken_answer) -> np.ndarray:
    """The STAR answer with a long thinking pause after each sentence."""
    return read_audio_16k(spoken_answer(STAR_SENTENCES, pause_s=2.5))


def feed_in_blocks(live: LiveTranscriber, audio: np.ndarray, block: int = 1600) -> None:
    for i in range(0, audio.size, block):
        live.feed(audio[i:i + block])


def test_chunked_audio_reads_across_chunks() -> None:
    buffer = ChunkedAudio(chunk_samples=1000)
    data = np.arange(3500, dtype=np.float32)
    for i in range(0, data.size, 333):
        buffer.append(data[i:i + 333])
    assert buffer.size == data.size
    np.testing.assert_array_equal(buffer.read(0, 3500), data)
    np.testing.assert_array_equal(buffer.read(999, 2001), data[999:2001])
    assert buffer.read(3400, 9999).size == 100


def test_live_matches_file_and_times_fit(transcriber, star_audio: np.ndarray) -> None:
    live = LiveTranscriber(transcriber)
    feed_in_blocks(live, star_audio)
    transcript = live.finish()
    # What the recorder writes to the WAV, 16-bit, is what the live pass keeps and hears.
    saved = as_saved(star_audio)
    np.testing.assert_array_equal(live.audio_and_probabilities()[0], saved)
    from_file = transcriber.transcribe_audio(saved)
    # Live and file cut the same segments and decode them the same way, so the candidate
    # gets the same words, at the same times, as transcribing the recording again would.
    assert transcript.words == from_file.words, (from_file.text, transcript.text)
    assert live.segments == [(s / SAMPLE_RATE, e / SAMPLE_RATE)
                             for s, e in cut_segments(saved)]
    assert word_error_rate(STAR_TEXT, transcript.text) <= 0.25, transcript.text
    duration = star_audio.size / SAMPLE_RATE
    assert transcript.duration_s == pytest.approx(duration, abs=0.01)
    starts = [w.start_s for w in transcript.words]
    assert starts == sorted(starts)
    assert all(0.0 <= w.start_s <= w.end_s <= duration for w in transcript.words)


def test_segments_are_transcribed_while_audio_arrives(transcriber, thinking_audio) -> None:
    live = LiveTranscriber(transcriber)
    half = thinking_audio.size // 2
    feed_in_blocks(live, thinking_audio[:half])
    deadline = time.monotonic() + 30
    while len(live.segments) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(live.segments) >= 2, "closed segments were not transcribed before Stop"
    feed_in_blocks(live, thinking_audio[half:])
    started = time.monotonic()
    transcript = live.finish()
    # A thinking pause closes a segment however short it is: one per sentence.
    assert len(live.segments) == len(STAR_SENTENCES)
    assert transcript.words and time.monotonic() - started < 15


def test_stretches_are_refined_while_audio_arrives(transcriber, thinking_audio) -> None:
    """The accurate pass decodes each stretch once it closes, before Stop; at Stop only the
    open one is left, and the result is the recording's transcript, word for word."""
    live = LiveTranscriber(transcriber)
    assert live.refines
    cut = int(0.85 * thinking_audio.size)
    feed_in_blocks(live, thinking_audio[:cut])
    deadline = time.monotonic() + 60
    while not live.stretch_times and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live.stretch_times, "no stretch was refined before Stop"
    first_end = live.stretch_times[0][0]
    assert STRETCH_POLICY.min_segment_s <= first_end <= cut / SAMPLE_RATE
    feed_in_blocks(live, thinking_audio[cut:])
    live.finish()
    refined = live.refined()
    assert refined is not None
    assert refined.words == transcriber.transcribe_full(as_saved(thinking_audio)).words
    assert word_error_rate(STAR_TEXT, refined.text) <= 0.25, refined.text
    assert [end for end, _, _ in live.stretch_times] == [
        e / SAMPLE_RATE for _, e in cut_segments(as_saved(thinking_audio), STRETCH_POLICY)]


def test_each_stretch_is_heard_after_the_one_before(transcriber, thinking_audio,
                                                    monkeypatch) -> None:
    """faster-whisper gives each 30 s window the text of the one before; the accurate pass
    gives each stretch the words of the stretch before, live and from the file alike."""
    prompts: list[str | None] = []
    real = transcriber._model.transcribe

    def spy(audio, **options):
        if options.get("beam_size") == ACCURATE_BEAM_SIZE:
            prompts.append(options.get("initial_prompt"))
        return real(audio, **options)

    monkeypatch.setattr(transcriber._model, "transcribe", spy)
    live = LiveTranscriber(transcriber)
    feed_in_blocks(live, thinking_audio)
    live.finish()
    refined = live.refined()
    assert refined is not None
    heard_live = list(prompts)
    prompts.clear()
    transcriber.transcribe_full(as_saved(thinking_audio))
    assert heard_live == prompts
    assert len(prompts) >= 2 and prompts[0] is None, prompts
    said = {w.word for w in refined.words}
    for prompt in prompts[1:]:
        assert prompt and set(prompt.split()) <= said, (prompt, refined.text)

def test_an_answer_without_the_accurate_pass_says_so(transcriber, star_audio) -> None:
    live = LiveTranscriber(transcriber, refine=False)
    feed_in_blocks(live, star_audio[: 4 * SAMPLE_RATE])
    live.finish()
    assert not live.refines and live.stretch_times == []
    with pytest.raises(ModelError, match="not refined while it was spoken"):
        live.refined()


def test_worker_failure_surfaces_from_finish(transcriber, star_audio, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("simulated CTranslate2 failure")

    monkeypatch.setattr(transcriber._model, "transcribe", broken)
    live = LiveTranscriber(transcriber)
    feed_in_blocks(live, star_audio[: 8 * SAMPLE_RATE])
    with pytest.raises(ModelError, match="simulated CTranslate2 failure.*recording is kept"):
        live.finish()
    assert live.audio.size == 8 * SAMPLE_RATE  # everything fed is still there


def test_cancel_stops_without_a_transcript(transcriber, star_audio) -> None:
    live = LiveTranscriber(transcriber)
    feed_in_blocks(live, star_audio[: 3 * SAMPLE_RATE])
    live.cancel()
    with pytest.raises(ModelError, match="cancelled"):
        live.finish()
