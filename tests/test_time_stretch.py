"""Time stretching keeps the pitch, the length it promises, the level, and makes no clicks."""

from __future__ import annotations

import numpy as np
import pytest

from audio.time_stretch import TOLERANCE_S, stretch, stretch_map

RATE = 16_000
SPEEDS = (0.75, 1.5, 2.0)


def tone(freqs: tuple[float, ...], seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (sum(np.sin(2 * np.pi * f * t) / (i + 1) for i, f in enumerate(freqs)) * 0.3
            ).astype(np.float32)


def dominant_hz(samples: np.ndarray) -> float:
    # Leave the edges out: only the steady middle says what the pitch is.
    middle = samples[RATE // 4:-RATE // 4]
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(middle.size)))
    return float(np.fft.rfftfreq(middle.size, 1 / RATE)[int(np.argmax(spectrum))])


def speech_like(seconds: float = 3.0) -> np.ndarray:
    """A voiced sound (140 Hz and its harmonics) that starts and stops like syllables,
    with gliding pitch, plus a little breath noise."""
    t = np.arange(int(seconds * RATE)) / RATE
    pitch = 140 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    voiced = sum(np.sin(h * phase) / h for h in range(1, 8))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 2
    rng = np.random.default_rng(3)
    return (0.25 * voiced * syllables + 0.003 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.mark.parametrize("speed", SPEEDS)
@pytest.mark.parametrize("freqs", [(220.0,), (220.0, 330.0, 440.0)], ids=["tone", "harmonic"])
def test_the_pitch_stays_and_the_length_is_len_over_speed(speed: float,
                                                          freqs: tuple[float, ...]) -> None:
    source = tone(freqs)
    out = stretch(source, RATE, speed)
    assert out.size == pytest.approx(source.size / speed, rel=0.01)
    assert dominant_hz(out) == pytest.approx(220.0, rel=0.03)
    # Resampling would have moved it by the speed itself: the test can tell the two apart.
    assert abs(dominant_hz(out) - 220.0 * speed) > 0.1 * 220.0


@pytest.mark.parametrize("speed", SPEEDS)
def test_speech_keeps_its_energy_and_has_no_clicks(speed: float) -> None:
    source = speech_like()
    out = stretch(source, RATE, speed)
    rms_in = float(np.sqrt(np.mean(source.astype(np.float64) ** 2)))
    rms_out = float(np.sqrt(np.mean(out.astype(np.float64) ** 2)))
    assert rms_out == pytest.approx(rms_in, rel=0.15)
    # A click is a jump between neighbouring samples far beyond any the input makes.
    biggest_in = float(np.max(np.abs(np.diff(source))))
    biggest_out = float(np.max(np.abs(np.diff(out))))
    assert biggest_out < 1.5 * biggest_in, (biggest_out, biggest_in)
    # Nor any short bursts of louder sound than the input ever has.
    assert float(np.max(np.abs(out))) < 1.2 * float(np.max(np.abs(source)))


@pytest.mark.parametrize("speed", SPEEDS)
def test_output_time_maps_back_to_the_recordings_time(speed: float) -> None:
    source = speech_like(4.0)
    result = stretch_map(source, RATE, speed)
    assert result.speed == speed and result.rate == RATE
    for out_s in (0.0, 0.5, 1.0, result.duration_s * 0.9):
        # Each frame strays at most the search tolerance from its nominal source time.
        assert result.source_s(out_s) == pytest.approx(out_s * speed, abs=TOLERANCE_S + 1e-3)
        assert result.output_s(result.source_s(out_s)) == pytest.approx(out_s, abs=0.02)
    # A moment in the recording is found where the stretched audio plays it.
    marker = np.zeros(int(3.0 * RATE), np.float32)
    marker[int(1.7 * RATE):int(1.72 * RATE)] = 0.8  # a 20 ms burst at 1.7 s
    out = stretch_map(marker, RATE, speed)
    loudest_s = int(np.argmax(np.abs(out.samples))) / RATE
    assert out.source_s(loudest_s) == pytest.approx(1.7, abs=0.04)
    assert out.output_s(1.7) == pytest.approx(loudest_s, abs=0.04)


def test_one_times_is_the_recording_itself_and_silly_speeds_are_refused() -> None:
    source = speech_like(1.0)
    same = stretch_map(source, RATE, 1.0)
    assert np.array_equal(same.samples, source)
    assert same.source_s(0.6) == pytest.approx(0.6) and same.output_s(0.6) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="speed"):
        stretch(source, RATE, 4.0)
    assert stretch(np.zeros(0, np.float32), RATE, 1.5).size == 0
