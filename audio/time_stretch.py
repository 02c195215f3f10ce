"""Faster or slower speech at the same pitch: WSOLA (waveform-similarity overlap-add).

The output is built from short Hann-windowed frames of the input, laid down at a fixed
hop (half a frame, so the windows sum to one and the level never wobbles). Frame ``k`` of
the output belongs, nominally, to source time ``k * hop * speed``; before it is copied,
the source is searched a few milliseconds either side of that point for the stretch of
waveform most like the natural continuation of the frame before. Laying that one down
keeps the pitch periods in step across the joins, so the voice neither clicks nor
warbles, and its pitch is the recording's own. Frame and search sizes suit speech.

``Stretched`` keeps where each output frame came from, so a replay maps what the player
has played (output seconds) back to the recording's own time for its cursor, and a seek
in recording time to where the stretched audio holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRAME_S = 0.025  # long enough to hold two or three pitch periods of a low voice
TOLERANCE_S = 0.010  # how far a frame may move from its nominal source point
MIN_SPEED, MAX_SPEED = 0.5, 2.5


@dataclass(frozen=True)
class Stretched:
    """Time-stretched samples and the map from their time to the source's."""

    samples: np.ndarray
    rate: int
    speed: float
    # Anchor points: output sample out_anchor[k] was taken from source sample src_anchor[k]
    # (frame centres). Between anchors time runs linearly.
    out_anchor: np.ndarray
    src_anchor: np.ndarray

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.rate

    def source_s(self, output_s: float) -> float:
        """The recording's time (seconds) of what the output plays at ``output_s``."""
        return float(np.interp(output_s * self.rate, self.out_anchor, self.src_anchor)) / self.rate

    def output_s(self, source_s: float) -> float:
        """Where in the output the recording's moment ``source_s`` is played."""
        # A frame may reach a little back (slow speeds); the running maximum keeps the
        # map one-to-one for interpolation.
        src = np.maximum.accumulate(self.src_anchor)
        return float(np.interp(source_s * self.rate, src, self.out_anchor)) / self.rate


def identity(samples: np.ndarray, rate: int) -> Stretched:
    """The recording itself, as a ``Stretched`` at 1×."""
    n = float(max(samples.size, 1))
    anchors = np.array([0.0, n])
    return Stretched(samples, rate, 1.0, anchors, anchors.copy())


def stretch_map(samples: np.ndarray, rate: int, speed: float) -> Stretched:
    """``samples`` played ``speed`` times as fast at the same pitch (0.5–2.5×)."""
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed {speed:g} is outside {MIN_SPEED:g}–{MAX_SPEED:g}")
    if speed == 1.0 or x.size == 0:
        return identity(x, rate)

    frame = max(16, int(round(FRAME_S * rate)) // 2 * 2)
    hop = frame // 2  # synthesis hop: periodic Hann at 50% overlap sums to exactly 1
    tol = max(1, int(round(TOLERANCE_S * rate)))
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame) / frame)).astype(np.float32)

    out_len = int(round(x.size / speed))
    frames = out_len // hop + 2
    # Frame k's centre is output sample k*hop; its nominal source centre is k*hop*speed.
    # Padding keeps every search window inside the array.
    pad = hop + tol + frame
    tail = pad + frame + max(0, int(np.ceil(frames * hop * speed)) - x.size)
    xp = np.concatenate([np.zeros(pad, np.float32), x, np.zeros(tail, np.float32)])
    # Running energy, for normalising the correlation of each candidate frame.
    energy = np.concatenate([[0.0], np.cumsum(xp.astype(np.float64) ** 2)])

    buffer = np.zeros(frames * hop + frame, np.float32)
    src_starts = np.empty(frames, np.int64)
    # Decimated search: correlate every other sample over every other lag, then refine
    # around the best; a quarter of the work, and speech has little energy near Nyquist.
    step = 2
    prev = -1
    for k in range(frames):
        nominal = pad + int(round(k * hop * speed)) - hop  # padded start of the frame
        if prev < 0:
            start = nominal
        else:
            template = xp[prev + hop:prev + hop + frame]
            lo = nominal - tol
            region = xp[lo:lo + 2 * tol + frame]
            coarse = np.correlate(region[::step], template[::step], mode="valid")
            lags = np.arange(coarse.size) * step
            coarse = coarse / np.sqrt(energy[lo + lags + frame] - energy[lo + lags] + 1e-9)
            best = int(lags[int(np.argmax(coarse))])
            a, b = max(0, best - step + 1), min(2 * tol, best + step - 1)
            fine = np.correlate(region[a:b + frame], template, mode="valid")
            fine_lags = np.arange(a, a + fine.size)
            fine = fine / np.sqrt(energy[lo + fine_lags + frame] - energy[lo + fine_lags] + 1e-9)
            start = lo + int(fine_lags[int(np.argmax(fine))])
        buffer[k * hop:k * hop + frame] += window * xp[start:start + frame]
        src_starts[k] = start
        prev = start

    out = buffer[hop:hop + out_len].copy()
    out_anchor = np.arange(frames, dtype=np.float64) * hop
    src_anchor = (src_starts - pad + hop).astype(np.float64)
    return Stretched(out, rate, float(speed), out_anchor, src_anchor)


def stretch(samples: np.ndarray, rate: int, speed: float) -> np.ndarray:
    """The samples of ``stretch_map``: about ``len(samples) / speed`` of them."""
    return stretch_map(samples, rate, speed).samples


__all__ = ["FRAME_S", "TOLERANCE_S", "Stretched", "identity", "stretch", "stretch_map"]
