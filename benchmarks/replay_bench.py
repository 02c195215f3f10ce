"""Replay at another speed: how long the pitch-keeping stretch of a 10-minute answer takes.

The replay makes the stretched audio once per speed, on its audio thread, before the
first play at that speed; this is the wait a candidate sees as "Preparing 1.5× …". The
answer is real espeak-ng speech (the speech benchmark's sentences, with thinking pauses
and a noise floor). Reported as seconds and as a share of the audio's own length.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from audio.time_stretch import stretch_map
from benchmarks.speech_bench import SAMPLE_RATE, build_answer

MINUTES = 10.0
SPEEDS = (0.75, 1.25, 1.5, 2.0)


def run(quick: bool = False) -> dict[float, float]:
    minutes = 1.0 if quick else MINUTES
    with tempfile.TemporaryDirectory(prefix="replay-bench-") as folder:
        audio, _ = build_answer(minutes, Path(folder))
    length_s = audio.size / SAMPLE_RATE
    figures: dict[float, float] = {}
    for speed in SPEEDS:
        started = time.perf_counter()
        result = stretch_map(audio, SAMPLE_RATE, speed)
        seconds = time.perf_counter() - started
        figures[speed] = seconds
        print(f"stretch {length_s / 60:.1f} min at {speed}x: {seconds:.2f} s "
              f"({seconds / length_s * 100:.2f}% of the audio's length; "
              f"output {result.duration_s / 60:.2f} min)")
    return figures


if __name__ == "__main__":
    run()
