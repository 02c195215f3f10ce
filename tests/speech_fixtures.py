"""Spoken answers with known words, for any test that needs real speech.

Speech comes from the project's own text-to-speech (espeak-ng on Linux) and is
synthesized once per test session, cached by text and rate. Import the fixtures you need
into a test module with a star import (``__all__`` names only the fixtures; import
constants by name)::

    from tests.speech_fixtures import *  # noqa: F403

``spoken_wav(text, rate_wpm=160) -> Path`` is one utterance as the TTS wrote it.
``spoken_answer(sentences, pause_s=0.9, rate_wpm=160) -> Path`` is a 16 kHz WAV of the
sentences with real pauses between them, like a candidate thinking between points.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from audio.audio_file import SAMPLE_RATE, read_audio_16k, write_wav_16k
from audio.errors import AudioError

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["speech_cache", "spoken_wav", "spoken_answer", "transcriber"]

# A short STAR answer with plain words (no digits, which Whisper may write either way).
STAR_SENTENCES = (
    "In my last job I looked after the billing service for a small online shop.",
    "One week before a big sale, the checkout started failing for some customers.",
    "My task was to find the cause and fix it without stopping the sale.",
    "I read the error logs, found a slow database query, and added the missing index.",
    "Checkout worked again that afternoon, and the sale went ahead as planned.",
)
STAR_TEXT = " ".join(STAR_SENTENCES)

FILLER_TEXT = "Um, I think the main thing I learned was, uh, to ask for help early."


def _synthesize(text: str, path: Path, rate_wpm: int) -> Path:
    """Render ``text`` with the project's TTS in a fresh interpreter.

    espeak-ng carries state from one utterance to the next within a process (its pitch
    flutter runs on), so the same text rendered second in a process sounds slightly
    different from the same text rendered first, and Whisper can hear the two
    differently. Rendered alone, an utterance is the same speech whichever tests ran
    before, so a test gives one result run alone or in the suite.
    """
    partial = path.with_name(f"{path.stem}.partial.wav")
    command = [sys.executable, "-m", "tests.render_speech", text, str(partial), str(rate_wpm)]
    for _ in range(2):
        # pyttsx3's espeak driver can return from its first request before the file is
        # written; a second fresh process settles it (and is again a first render).
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        if done.returncode == 0 and partial.exists():
            os.replace(partial, path)
            return path
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    raise AudioError(f"could not render test speech {text[:40]!r}: {last}")


def _key(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One folder for the session: every module that star-imports these fixtures gets its
    # own fixture instance, and they share what was rendered.
    folder = tmp_path_factory.getbasetemp() / "spoken"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def spoken_wav(speech_cache: Path) -> Callable[..., Path]:
    def make(text: str, rate_wpm: int = 160) -> Path:
        path = speech_cache / f"utterance-{_key(text, rate_wpm)}.wav"
        if not path.exists():
            _synthesize(text, path, rate_wpm)
        return path

    return make


@pytest.fixture(scope="session")
def spoken_answer(speech_cache: Path, spoken_wav: Callable[..., Path]) -> Callable[..., Path]:
    def make(sentences: Sequence[str], pause_s: float = 0.9, rate_wpm: int = 160,
             lead_s: float = 0.5) -> Path:
        path = speech_cache / f"answer-{_key(tuple(sentences), pause_s, rate_wpm, lead_s)}.wav"
        if not path.exists():
            gap = np.zeros(int(pause_s * SAMPLE_RATE), dtype=np.float32)
            parts = [np.zeros(int(lead_s * SAMPLE_RATE), dtype=np.float32)]
            for sentence in sentences:
                parts += [read_audio_16k(spoken_wav(sentence, rate_wpm)), gap]
            write_wav_16k(path, np.concatenate(parts))
        return path

    return make


@pytest.fixture(scope="session")
def transcriber():  # -> models.transcriber.Transcriber
    from models.transcriber import load_transcriber

    return load_transcriber()
