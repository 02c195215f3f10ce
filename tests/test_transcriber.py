"""File transcription with the bundled tiny.en model on real synthesized speech."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from audio.audio_file import read_audio_16k
from benchmarks.word_error_rate import word_error_rate
from models.errors import ModelError
from models.speech_activity import (
    SAMPLE_RATE,
    SEGMENT_POLICY,
    STRETCH_POLICY,
    CutPolicy,
    StreamingVad,
    cut_segments,
    speech_probabilities,
    speech_segments,
)
from models.speech_models import resolve_model
from models.transcriber import FILLER_PROMPT, Transcriber
from models.transcript import Decoding, Transcript
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures
from tests.speech_fixtures import FILLER_TEXT, STAR_SENTENCES, STAR_TEXT

# Measured on espeak-ng speech with tiny.en: 0.10 to 0.15. The bound leaves room for
# other espeak-ng versions and voices.
MAX_WER = 0.25
PAUSE_S = 0.9


@pytest.fixture(scope="module")
def star_wav(spoken_answer) -> Path:
    return spoken_answer(STAR_SENTENCES, pause_s=PAUSE_S)


def test_word_error_rate_counts_edits() -> None:
    assert word_error_rate("The cat sat.", "the cat sat") == 0.0
    assert word_error_rate("one two three four", "one too three") == pytest.approx(0.5)
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("well-known fact", "well known fact") == 0.0


def test_star_answer_transcribed_within_wer_bound(transcriber, star_wav: Path) -> None:
    transcript = transcriber.transcribe_file(star_wav)
    wer = word_error_rate(STAR_TEXT, transcript.text)
    assert wer <= MAX_WER, f"WER {wer:.2f}: {transcript.text}"
    assert transcript.model == "tiny.en"
    audio_s = read_audio_16k(star_wav).size / SAMPLE_RATE
    assert transcript.duration_s == pytest.approx(audio_s, abs=0.01)
    starts = [w.start_s for w in transcript.words]
    assert starts == sorted(starts)
    assert all(0.0 <= w.start_s <= w.end_s <= audio_s for w in transcript.words)
    # The answer starts after a 0.5 s lead-in, so the first word is near its start.
    assert 0.2 <= transcript.words[0].start_s < 1.5


def test_a_transcript_says_how_it_was_decoded_and_old_rows_read_as_unknown(
        transcriber, star_wav: Path) -> None:
    audio = read_audio_16k(star_wav)
    whole = transcriber.transcribe_full(audio)
    segments = transcriber.transcribe_audio(audio)
    # The accurate pass: beam search over stretches, without the filler prompt, with the
    # hesitations of the prompted live segments put in.
    assert whole.decoding == Decoding(pass_="file", beam_size=5, segment_policy=STRETCH_POLICY.name,
                                      word_timestamps=True, initial_prompt=False,
                                      hesitations_merged=True, previous_stretch=True)
    assert segments.decoding is not None and segments.decoding.beam_size == transcriber.beam_size
    custom = transcriber.transcribe_audio(audio, CutPolicy(min_segment_s=0.0, name="per-pause"))
    assert custom.decoding is not None and custom.decoding.segment_policy == "per-pause"
    # Saved and read back as it was.
    saved = whole.to_dict()
    assert saved["decoding"] == {"pass": "file", "beam_size": 5,
                                 "segment_policy": STRETCH_POLICY.name,
                                 "word_timestamps": True, "initial_prompt": False,
                                 "hesitations_merged": True, "previous_stretch": True}
    assert Transcript.from_dict(saved).decoding == whole.decoding
    assert Transcript.from_dict(saved).to_dict() == saved
    # A transcript saved before the record was kept, or with one this version cannot
    # read, says it is not known rather than guessing.
    old = {k: v for k, v in saved.items() if k != "decoding"}
    assert Transcript.from_dict(old).decoding is None
    assert Transcript.from_dict({**saved, "decoding": {"pass": "twice"}}).decoding is None
    assert Transcript.from_dict(old).to_dict()["decoding"] is None
    assert Transcript.from_dict(old).to_dict()["words"] == saved["words"]
    # A record saved before hesitations were merged, or before each stretch was given the
    # one before, reads as not done.
    before = {k: v for k, v in saved["decoding"].items()
              if k not in ("hesitations_merged", "previous_stretch")}
    made = Transcript.from_dict({**saved, "decoding": before}).decoding
    assert made is not None and made.hesitations_merged is False and made.previous_stretch is False


def test_hesitations_are_kept(transcriber, spoken_wav) -> None:
    words = [w.word.strip(",.").lower() for w in transcriber.transcribe_file(
        spoken_wav(FILLER_TEXT, 150)).words]
    assert {"um", "uh"} & set(words), words


def test_segments_close_at_pauses(star_wav: Path) -> None:
    audio = read_audio_16k(star_wav)
    spans = speech_segments(audio)
    # Every pause between sentences separates two spans; a comma inside a sentence may
    # split one more (espeak's clause pauses vary slightly from render to render).
    assert len(STAR_SENTENCES) <= len(spans) <= len(STAR_SENTENCES) + 2, spans
    gaps = sorted((b[0] - a[1] for a, b in zip(spans, spans[1:], strict=False)), reverse=True)
    sentence_gaps = gaps[: len(STAR_SENTENCES) - 1]
    # espeak-ng ends each sentence with its own short silence on top of the added pause.
    assert all(PAUSE_S <= g <= PAUSE_S + 0.6 for g in sentence_gaps), gaps
    # With no minimum length, every pause between sentences closes a segment...
    per_pause = cut_segments(audio, CutPolicy(min_segment_s=0.0))
    assert len(STAR_SENTENCES) <= len(per_pause) <= len(STAR_SENTENCES) + 2, per_pause
    # ...while the shared policy keeps short pauses inside a segment until it has run
    # long enough to give Whisper context: fewer, longer segments, none past the cap.
    segments = cut_segments(audio)
    assert 2 <= len(segments) < len(STAR_SENTENCES), segments
    cap = SEGMENT_POLICY.max_segment_s * SAMPLE_RATE
    assert all(end - start <= cap for start, end in segments)


def test_each_segment_is_decoded_in_one_window(transcriber, star_wav: Path) -> None:
    """Whisper runs its encoder once per segment, not again over the segment's tail."""
    audio = read_audio_16k(star_wav)
    windows: list[str] = []

    class CountWindows(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("Processing segment"):
                windows.append(record.getMessage())

    logger = logging.getLogger("faster_whisper")
    handler, level = CountWindows(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        transcript = transcriber.transcribe_audio(audio)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(windows) == len(cut_segments(audio)), windows
    assert word_error_rate(STAR_TEXT, transcript.text) <= MAX_WER, transcript.text


def test_streaming_vad_matches_one_pass(star_wav: Path) -> None:
    audio = read_audio_16k(star_wav)
    whole = speech_probabilities(audio)
    vad = StreamingVad()
    pieces = [vad.process(audio[i:i + 1111]) for i in range(0, audio.size, 1111)]
    streamed = np.concatenate([*pieces, vad.finish()])
    np.testing.assert_allclose(streamed, whole, atol=1e-5)
    assert whole.max() > 0.9 and whole[:5].max() < 0.2  # speech found; lead-in is quiet


def test_missing_model_names_the_download_command(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(ModelError) as err:
        Transcriber("small.en")
    assert "greenroom speech-models download small.en" in str(err.value)


def test_unknown_model_and_bad_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="unknown speech model 'huge.xx'"):
        Transcriber("huge.xx")
    with pytest.raises(ModelError, match="not a speech model folder"):
        Transcriber(str(tmp_path))


def test_model_folder_path_and_models_dir(tmp_path: Path) -> None:
    bundled = resolve_model()
    assert bundled.source == "bundled" and (bundled.path / "model.bin").is_file()
    assert resolve_model(str(bundled.path)).source == "folder"
    # A model in the models folder the caller names is found by name (a link keeps it cheap).
    models_dir = tmp_path / "models"
    (models_dir).mkdir()
    (models_dir / "base.en").symlink_to(bundled.path, target_is_directory=True)
    assert resolve_model("base.en", models_dir).source == "downloaded"
    # Without the folder it is not looked for there.
    with pytest.raises(ModelError, match="not installed"):
        resolve_model("base.en")


def test_a_failed_decode_is_retried_without_the_prompt(transcriber, star_wav: Path,
                                                       monkeypatch) -> None:
    """A decode that fails Whisper's checks (a loop, a guess) is done again, promptless."""
    import models.transcriber as transcriber_module

    prompts: list[object] = []
    real = transcriber._model.transcribe

    def spy(audio, **options):
        prompts.append(options["initial_prompt"])
        return real(audio, **options)

    monkeypatch.setattr(transcriber._model, "transcribe", spy)
    # Every text compresses better than this: each first decode counts as a loop.
    monkeypatch.setattr(transcriber_module, "COMPRESSION_RATIO_LIMIT", 0.0)
    audio = read_audio_16k(star_wav)
    transcript = transcriber.transcribe_audio(audio)
    assert prompts == [FILLER_PROMPT, None] * len(cut_segments(audio))
    assert word_error_rate(STAR_TEXT, transcript.text) <= MAX_WER, transcript.text


def test_long_audio_is_scored_in_pieces_with_the_same_result() -> None:
    rng = np.random.default_rng(7)
    audio = rng.normal(0, 0.05, 75 * SAMPLE_RATE).astype(np.float32)
    vad = StreamingVad()
    whole = np.concatenate((vad.process(audio), vad.finish()))
    np.testing.assert_allclose(speech_probabilities(audio), whole, atol=1e-6)


def test_audio_longer_than_a_window_in_one_call(transcriber, star_wav: Path) -> None:
    """The decode-length bound never pushes a call past Whisper's 448-token context."""
    audio = read_audio_16k(star_wav)
    once = transcriber.transcribe_array(audio)
    words = transcriber.transcribe_array(np.concatenate([audio, audio, audio]))
    third = audio.size / SAMPLE_RATE
    assert 3 * third > 60
    # Every third holds about as many words as the answer once: none was skipped
    # (measured: 71 words once, 71 / 72 / 73 in the thirds).
    for k in range(3):
        inside = [w for w in words if k * third <= w.start_s < (k + 1) * third]
        assert len(inside) >= 0.8 * len(once), (k, len(inside), len(once))
    assert words[-1].end_s > 2.9 * third, words[-3:]
