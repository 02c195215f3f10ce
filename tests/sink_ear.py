"""An ear on the virtual microphone's sink: records everything played into it, so a test
can tell what the candidate heard (the question read aloud) and in which order."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from types import TracebackType

import numpy as np

from tests.audio_helpers import MIC_SINK

EAR_RATE = 16_000


class SinkEar:
    """``with SinkEar(path) as ear:`` records the sink's monitor as 16 kHz mono s16."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SinkEar:
        self._out = open(self.path, "wb")  # noqa: SIM115 - closed in __exit__
        self._process = subprocess.Popen(
            ["parec", f"--device={MIC_SINK}.monitor", "--format=s16le", f"--rate={EAR_RATE}",
             "--channels=1", "--latency-msec=20"],
            stdout=self._out, stderr=subprocess.DEVNULL)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if not self._out.closed:
            self._out.close()

    def audio(self) -> np.ndarray:
        raw = np.frombuffer(self.path.read_bytes(), dtype="<i2")
        return raw.astype(np.float32) / 32768.0


def word_times(model: object, audio: np.ndarray) -> list[tuple[str, float]]:
    """(normalised word, start time) of every word Whisper hears in ``audio``."""
    from tests.audio_helpers import words

    # Only the speech is decoded (faster-whisper's own Silero VAD; times stay the
    # recording's). Over the sink's long silences Whisper can otherwise jump a whole
    # sentence: a mock interview's ear once lost its closing question that way.
    segments, _ = model.transcribe(  # type: ignore[attr-defined]
        audio, language="en", beam_size=1, word_timestamps=True,
        condition_on_previous_text=False, vad_filter=True)
    found: list[tuple[str, float]] = []
    for segment in segments:
        for word in segment.words or []:
            found.extend((w, float(word.start)) for w in words(word.word))
    return found


def first_time(heard: list[tuple[str, float]], wanted: set[str]) -> float | None:
    times = [t for w, t in heard if w in wanted]
    return min(times) if times else None
