"""Read any audio file PyAV understands as 16 kHz mono float32; write 16-bit WAV."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from audio.errors import AudioError
from audio.wav_writer import to_int16

SAMPLE_RATE = 16_000


def read_audio_16k(path: Path) -> np.ndarray:
    """Decode ``path`` to 16 kHz mono float32 in [-1, 1]; one-line AudioError when it can't."""
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path.name}: the file is empty (0 bytes)")
    # faster-whisper's decoder is plain PyAV with a resampler: reuse it rather than
    # keeping a second copy of that code.
    from faster_whisper.audio import decode_audio

    try:
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # noqa: BLE001 - PyAV raises many types for bad input
        raise AudioError(f"{path.name}: not a readable audio file ({type(exc).__name__}: {exc})") from None
    return np.asarray(audio, dtype=np.float32)


def write_wav_16k(path: Path, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write mono float32 [-1, 1] (or int16) samples as a 16-bit PCM WAV."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = to_int16(audio)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.tobytes())
    return path
