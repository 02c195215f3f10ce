"""The cut is exact to the sample on the source's own clock, however fast it delivers."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from audio.cut_source import CutSource
from audio.recorder import Recorder
from audio.sources import SAMPLE_RATE, WavFileSource


def write_ramp(path: Path, seconds: float, rate: int = SAMPLE_RATE) -> Path:
    """A WAV whose every sample says where it is (a slow ramp), so a cut can be located."""
    count = int(seconds * rate)
    samples = (np.arange(count) % 20_000).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return path


def test_a_file_fed_faster_than_real_time_is_cut_at_the_exact_sample(tmp_path: Path) -> None:
    wav = write_ramp(tmp_path / "long.wav", 12.0)
    source = CutSource(WavFileSource(wav, realtime=False), cut_s=7.25)
    recorder = Recorder(tmp_path / "answer.wav", source=source)
    recorder.start()
    source.inner.wait_finished(10)
    assert source.cut and not source.finished
    result = recorder.stop()
    assert result.duration_s == pytest.approx(7.25, abs=1 / SAMPLE_RATE)
    with wave.open(str(result.path), "rb") as w:
        recorded = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    # Everything up to the cut is there, in order, and nothing after it (to within the
    # last bit the float round trip may change).
    expected = (np.arange(int(7.25 * SAMPLE_RATE)) % 20_000).astype(np.int32)
    assert recorded.size == expected.size
    assert np.abs(recorded.astype(np.int32) - expected).max() <= 1


def test_a_source_that_ends_before_the_cut_is_finished_not_cut(tmp_path: Path) -> None:
    wav = write_ramp(tmp_path / "short.wav", 1.0)
    source = CutSource(WavFileSource(wav, realtime=False), cut_s=5.0)
    blocks: list[np.ndarray] = []
    source.start(blocks.append)
    assert source.inner.wait_finished(5)
    source.stop()
    assert source.finished and not source.cut
    assert sum(b.size for b in blocks) == SAMPLE_RATE
    assert source.delivered_s == pytest.approx(1.0)
    assert source.error is None and source.overflows == 0


def test_a_cut_at_a_block_boundary_and_a_bad_length() -> None:
    class Blocks:
        sample_rate = SAMPLE_RATE
        error = None

        def start(self, callback):  # noqa: ANN001, ANN202 - the AudioSource protocol
            for _ in range(5):
                callback(np.ones(1600, dtype=np.float32))

        def stop(self) -> None:
            pass

    got: list[int] = []
    source = CutSource(Blocks(), cut_s=0.2)  # exactly two blocks of 0.1 s
    source.start(lambda b: got.append(b.size))
    assert got == [1600, 1600] and source.cut
    with pytest.raises(ValueError):
        CutSource(Blocks(), cut_s=0)
