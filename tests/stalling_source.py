"""A source that stops delivering blocks for a while, as a microphone does while the lid is
closed, then goes on. With ``burst`` it then hands over, at once, what it "kept" during the
stall (the next ``stall_s`` of its audio), as PulseAudio does for a process that was
stopped; without, it goes on from where it stopped, in real time.

The module holds no asserts, so it asks pytest not to rewrite it (PYTEST_DONT_REWRITE).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

SAMPLE_RATE = 16_000
BLOCK_S = 0.05


class StallingSource:
    """Plays ``audio`` (16 kHz float32) in real time, stalling ``stall_s`` once ``stall_at_s``
    of it has been delivered; ``finished`` once all of it was delivered."""

    sample_rate = SAMPLE_RATE

    def __init__(self, audio: np.ndarray, stall_at_s: float, stall_s: float,
                 burst: bool = False) -> None:
        self.audio = np.asarray(audio, dtype=np.float32)
        self.stall_at_s = stall_at_s
        self.stall_s = stall_s
        self.burst = burst
        self.error: str | None = None
        self.stalled = threading.Event()  # set while the stall lasts
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def start(self, callback: Callable[[np.ndarray], None]) -> None:
        self._thread = threading.Thread(target=self._run, args=(callback,), daemon=True,
                                        name="stalling-source")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    def _run(self, callback: Callable[[np.ndarray], None]) -> None:
        block = int(SAMPLE_RATE * BLOCK_S)
        stall_at = int(self.stall_at_s * SAMPLE_RATE)
        position, stalled = 0, False
        clock = time.monotonic()
        try:
            while position < self.audio.size and not self._stop.is_set():
                if not stalled and position >= stall_at:
                    stalled = True
                    self.stalled.set()
                    if self._stop.wait(self.stall_s):
                        return
                    self.stalled.clear()
                    if self.burst:
                        kept = int(self.stall_s * SAMPLE_RATE)
                        for start in range(position, min(position + kept, self.audio.size), block):
                            callback(self.audio[start:min(start + block, position + kept)])
                        position += kept
                    clock = time.monotonic() - position / SAMPLE_RATE
                    continue
                due = clock + (position + block) / SAMPLE_RATE
                if self._stop.wait(max(0.0, due - time.monotonic())):
                    return
                callback(self.audio[position:position + block])
                position += block
        finally:
            self._finished.set()
