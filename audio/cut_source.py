"""An audio source that stops delivering at a set length of its own audio.

The interviewer cuts an answer that runs well past its guide. Timing the cut on the
samples delivered, not on a wall clock, makes it exact to the sample whatever the pace
of the source: a microphone delivers at the pace of speech, a file in a test may deliver
faster than real time, and either way the recording holds everything up to the cut and
nothing after it. Whoever records from it sees ``cut`` and stops the recording.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from audio.sources import AudioSource, BlockCallback


class CutSource:
    """Passes ``inner``'s blocks on until ``cut_s`` seconds of them were delivered; the
    block that crosses the cut is trimmed to it, later ones are dropped."""

    def __init__(self, inner: AudioSource, cut_s: float) -> None:
        if cut_s <= 0:
            raise ValueError("cut_s must be positive")
        self.inner = inner
        self.sample_rate = int(inner.sample_rate)
        self.cut_s = float(cut_s)
        self._limit = max(1, round(self.cut_s * self.sample_rate))
        self._delivered = 0
        self._cut = threading.Event()
        self._callback: BlockCallback | None = None

    @property
    def error(self) -> str | None:
        return self.inner.error

    @property
    def cut(self) -> bool:
        """True once the cut was reached: nothing more is delivered."""
        return self._cut.is_set()

    @property
    def delivered_s(self) -> float:
        return self._delivered / self.sample_rate

    @property
    def finished(self) -> bool:
        """The inner source ran out by itself (a file played to its end) before the cut."""
        return bool(getattr(self.inner, "finished", False)) and not self.cut

    @property
    def overflows(self) -> int:
        return int(getattr(self.inner, "overflows", 0) or 0)

    def __getattr__(self, name: str) -> Any:
        # Anything else a caller asks of a source (a microphone's device name) is the
        # inner source's.
        return getattr(self.inner, name)

    def start(self, callback: BlockCallback) -> None:
        self._callback = callback
        self.inner.start(self._on_block)

    def stop(self) -> None:
        self.inner.stop()

    def _on_block(self, block: np.ndarray) -> None:
        # May run on a real-time audio thread: count, slice, hand on.
        callback = self._callback
        if callback is None or self._cut.is_set():
            return
        room = self._limit - self._delivered
        if block.size >= room:
            if room > 0:
                callback(block[:room])
            self._delivered = self._limit
            self._cut.set()
            return
        callback(block)
        self._delivered += block.size
