"""Files that are not good audio: one clear message, or an empty transcript, never a crash."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from audio.audio_file import write_wav_16k
from audio.errors import AudioError
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures
from tests.speech_fixtures import STAR_SENTENCES


def one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert "\n" not in message and message
    return message


def test_empty_file(transcriber, tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError) as err:
        transcriber.transcribe_file(path)
    assert "empty.wav" in one_line(err) and "empty" in one_line(err)


def test_random_bytes_named_wav(transcriber, tmp_path: Path) -> None:
    path = tmp_path / "noise.wav"
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(AudioError) as err:
        transcriber.transcribe_file(path)
    assert "noise.wav" in one_line(err) and "not a readable audio file" in one_line(err)


def test_header_only_wav(transcriber, tmp_path: Path, spoken_wav) -> None:
    path = tmp_path / "header.wav"
    path.write_bytes(spoken_wav(STAR_SENTENCES[0]).read_bytes()[:30])
    with pytest.raises(AudioError) as err:
        transcriber.transcribe_file(path)
    assert "header.wav" in one_line(err)


def test_truncated_wav_keeps_what_is_there(transcriber, tmp_path: Path, spoken_wav) -> None:
    # A recording cut off mid-write (header still claims the full length): the audio
    # that made it to disk is transcribed.
    whole = spoken_wav(STAR_SENTENCES[3]).read_bytes()
    path = tmp_path / "cut.wav"
    path.write_bytes(whole[: len(whole) // 2])
    transcript = transcriber.transcribe_file(path)
    assert transcript.words and transcript.words[0].word.lower().startswith("i")
    assert transcript.duration_s < 4.5


def test_zero_second_wav(transcriber, tmp_path: Path) -> None:
    path = write_wav_16k(tmp_path / "zero.wav", np.zeros(0, dtype=np.float32))
    transcript = transcriber.transcribe_file(path)
    assert transcript.words == [] and transcript.duration_s == 0.0


def test_thirty_minutes_of_silence_is_quick(transcriber, tmp_path: Path) -> None:
    path = write_wav_16k(tmp_path / "silence.wav", np.zeros(30 * 60 * 16_000, dtype=np.float32))
    started = time.monotonic()
    transcript = transcriber.transcribe_file(path)
    assert transcript.words == []
    assert transcript.duration_s == pytest.approx(1800.0)
    assert time.monotonic() - started < 20
