"""Helpers shared by the audio tests: speech in and out of the virtual microphone, Whisper."""

from __future__ import annotations

import subprocess
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.word_error_rate import normalize_words, word_error_rate  # noqa: F401 - re-exported

REPO_ROOT = Path(__file__).resolve().parent.parent
MIC_SINK = "greenroom_mic"
# PortAudio's name for the PulseAudio plugin; its default source is the sink's monitor.
MIC_DEVICE = "pulse"


def whisper_tiny() -> Any:
    """Plain faster-whisper on the bundled tiny.en: the model Greenroom loaded, shared.

    The audio tests call it without Greenroom's VAD, prompt or retries, as a neutral ear.
    """
    from models.transcriber import load_transcriber

    return load_transcriber()._model


def transcribe(model: Any, audio: Path | np.ndarray) -> str:
    source = str(audio) if isinstance(audio, Path) else np.asarray(audio, dtype=np.float32)
    segments, _ = model.transcribe(source, language="en", beam_size=1, vad_filter=False,
                                   condition_on_previous_text=False)
    return " ".join(segment.text for segment in segments)


def timed_words(model: Any, audio: Path) -> list[tuple[str, float]]:
    """(normalised word, end time) for every word Whisper hears."""
    segments, _ = model.transcribe(str(audio), language="en", beam_size=1, word_timestamps=True,
                                   condition_on_previous_text=False)
    found: list[tuple[str, float]] = []
    for segment in segments:
        for word in segment.words or []:
            found.extend((w, float(word.end)) for w in words(word.word))
    return found


# One definition of a word and of WER for the tests, the benchmarks and the app.
words = normalize_words


def play_into_mic(path: Path) -> subprocess.Popen[bytes]:
    """Start playing ``path`` into the virtual microphone; returns the paplay process."""
    return subprocess.Popen(["paplay", f"--device={MIC_SINK}", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish_playing(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    _, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"paplay failed: {err.decode(errors='replace')}"


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def read_wav_int16(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def tone(freq_hz: float, seconds: float, rate: int = 16_000, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def words_in_order(heard: list[str], expected: list[str]) -> int:
    """How many of ``expected`` appear in ``heard`` in the same order (longest common
    subsequence): unlike a bag of words, a garbled or shuffled transcript scores low."""
    row = [0] * (len(expected) + 1)
    for word in heard:
        previous = 0
        for j, want in enumerate(expected):
            current = row[j + 1]
            row[j + 1] = previous + 1 if word == want else max(row[j + 1], row[j])
            previous = current
    return row[-1]


def marked_recording(path: Path, duration_s: float, base_level: float,
                     marks: dict[float, float], mark_s: float = 1.0,
                     rate: int = 16_000) -> Path:
    """A recording that tells where a clip of it was cut from: a steady ``base_level``,
    and from each time in ``marks`` (seconds → level) that level for ``mark_s``. Give
    every mark its own level and a clip's first samples say which moment it starts at."""
    from audio.audio_file import write_wav_16k

    audio = np.full(int(duration_s * rate), base_level, dtype=np.float32)
    for at_s, level in marks.items():
        audio[int(at_s * rate):int((at_s + mark_s) * rate)] = level
    return write_wav_16k(path, audio, rate)
