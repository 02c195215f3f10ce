"""Streaming sample-rate conversion in NumPy (e.g. a 44.1/48 kHz microphone to 16 kHz).

A rational polyphase resampler: conceptually the input is upsampled by ``up`` (zeros
between samples), low-pass filtered with a Kaiser-windowed sinc and decimated by
``down``. Only the filter taps that meet non-zero input samples are ever computed, and
the input tail that future outputs still need is kept between blocks, so feeding a
signal in blocks of any size gives exactly the same output as feeding it at once.
"""

from __future__ import annotations

from math import gcd

import numpy as np

# Taps per output sample at the lower of the two rates. 16 gives > 60 dB stop-band
# rejection with the window below, plenty for speech-to-text and a level meter.
_TAPS_PER_SIDE = 8
_KAISER_BETA = 8.0
# Cut off a little below the lower Nyquist frequency so the transition band sits
# mostly under it and aliasing stays small.
_CUTOFF_FRACTION = 0.92


def _design_filter(up: int, down: int) -> tuple[np.ndarray, int, int]:
    """The prototype low-pass filter split into ``up`` phases of ``taps`` coefficients."""
    ratio = max(up, down)
    taps = 2 * _TAPS_PER_SIDE * int(np.ceil(ratio / up))
    length = taps * up
    delay = length // 2  # in upsampled samples; keeps output aligned with the input
    cutoff = _CUTOFF_FRACTION * 0.5 / ratio  # cycles per upsampled sample
    n = np.arange(length) - delay
    prototype = 2.0 * cutoff * np.sinc(2.0 * cutoff * n) * np.kaiser(length, _KAISER_BETA)
    prototype *= up / prototype.sum()  # zero-stuffing divides the level by ``up``
    # phases[p, k] multiplies input sample (i - k) for an output that falls on phase p.
    phases = prototype.reshape(taps, up).T.copy()
    return phases.astype(np.float64), taps, delay


class StreamingResampler:
    """Converts mono float32 blocks from ``in_rate`` to ``out_rate``, keeping state."""

    def __init__(self, in_rate: int, out_rate: int) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {in_rate} and {out_rate}")
        self.in_rate = int(in_rate)
        self.out_rate = int(out_rate)
        common = gcd(self.in_rate, self.out_rate)
        self._up = self.out_rate // common
        self._down = self.in_rate // common
        self._passthrough = self._up == self._down
        if not self._passthrough:
            self._phases, self._taps, self._delay = _design_filter(self._up, self._down)
        else:
            self._phases, self._taps, self._delay = np.zeros((1, 1)), 1, 0
        # Input samples that are still needed, starting at absolute index ``_base``.
        # Starts with zeros standing in for the silence before the first sample.
        self._history = np.zeros(self._taps - 1, dtype=np.float64)
        self._base = -(self._taps - 1)
        self._received = 0   # input samples fed so far
        self._produced = 0   # output samples returned so far

    @property
    def passthrough(self) -> bool:
        return self._passthrough

    def process(self, block: np.ndarray) -> np.ndarray:
        """Resample the next block; returns every output sample that is now complete."""
        samples = np.asarray(block, dtype=np.float32).reshape(-1)
        if self._passthrough:
            self._received += samples.size
            self._produced += samples.size
            return samples
        self._history = np.concatenate([self._history, samples.astype(np.float64)])
        self._received += samples.size
        return self._emit(self._received - 1)

    def flush(self) -> np.ndarray:
        """The outputs still owed for the input fed so far (call once, at the end)."""
        if self._passthrough:
            return np.zeros(0, dtype=np.float32)
        # Pretend silence follows, so the last outputs see a complete filter window.
        pad = np.zeros(self._taps, dtype=np.float64)
        self._history = np.concatenate([self._history, pad])
        owed = -(-self._received * self._up // self._down)  # ceil(received * up / down)
        out = self._emit(self._received - 1 + self._taps, limit=owed)
        return out

    def _emit(self, last_index: int, limit: int | None = None) -> np.ndarray:
        up, down = self._up, self._down
        # Output n needs input up to index (n*down + delay) // up.
        # Largest n with that index <= last_index:
        max_n = ((last_index + 1) * up - 1 - self._delay) // down
        if limit is not None:
            max_n = min(max_n, limit - 1)
        start = self._produced
        if max_n < start:
            return np.zeros(0, dtype=np.float32)
        n = np.arange(start, max_n + 1, dtype=np.int64)
        position = n * down + self._delay
        newest = position // up           # newest input sample each output uses
        phase = position % up
        offsets = newest[:, None] - np.arange(self._taps)[None, :] - self._base
        window = self._history[offsets]
        out = np.einsum("ij,ij->i", window, self._phases[phase])
        self._produced = max_n + 1
        # Drop input that no future output can reach.
        next_newest = ((self._produced * down) + self._delay) // up
        keep_from = next_newest - (self._taps - 1)
        drop = keep_from - self._base
        if drop > 0:
            self._history = self._history[drop:]
            self._base = keep_from
        return out.astype(np.float32)


def resample(audio: np.ndarray, in_rate: int, out_rate: int) -> np.ndarray:
    """One-shot conversion of a whole signal (same filter as the streaming one)."""
    resampler = StreamingResampler(in_rate, out_rate)
    head = resampler.process(audio)
    return np.concatenate([head, resampler.flush()])
