"""Render one utterance with the project's TTS and exit: ``python -m tests.render_speech
TEXT PATH RATE_WPM``. The speech fixtures run it once per utterance (see there why)."""

from __future__ import annotations

import sys
from pathlib import Path

from audio.tts import synthesize_to_wav


def main(argv: list[str]) -> int:
    text, path, rate_wpm = argv
    synthesize_to_wav(text, Path(path), rate_wpm=int(rate_wpm))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
