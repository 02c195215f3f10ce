"""Recordings of real people with known words, for the tests and the speech benchmark.

The pocketsphinx source distribution on PyPI carries short recordings with their
transcripts among its test data: five sentences of a LibriVox reading of "Sense and
Sensibility" (one reader), five playing-card phrases and "go forward ten meters" (other
speakers). ``fetch`` downloads that sdist with pip and keeps only those files; `make
setup-test` runs it (``python -m benchmarks.real_voices fetch``), so tests and benchmarks
read them offline from ``voices_dir()``. Nothing here reaches the network at test time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

SDIST = "pocketsphinx==5.1.1"
# Inside the sdist: test/data/<these>. The transcript files name each recording.
LIBRIVOX_TEXTS = "librivox/transcription"
CARDS_TEXTS = "cards/cards.transcription"
# The package's own decoder tests expect this text for this recording.
GO_FORWARD = ("goforward.raw", "go forward ten meters")
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class RealClip:
    name: str
    audio16k: np.ndarray  # float32 in [-1, 1]
    text: str  # what was said, lower case, no punctuation

    @property
    def duration_s(self) -> float:
        return self.audio16k.size / SAMPLE_RATE


def voices_dir() -> Path:
    """Where the recordings are kept: GREENROOM_REAL_VOICES, else beside the virtualenv."""
    chosen = os.environ.get("GREENROOM_REAL_VOICES")
    return Path(chosen) if chosen else Path(sys.prefix) / "real-voices"


def _wanted(member: str) -> str | None:
    """The path under test/data of a file worth keeping, else None."""
    parts = PurePosixPath(member).parts
    if len(parts) < 4 or parts[1:3] != ("test", "data"):
        return None
    inside = PurePosixPath(*parts[3:])
    if str(inside) in (GO_FORWARD[0], LIBRIVOX_TEXTS, CARDS_TEXTS):
        return str(inside)
    if inside.suffix == ".wav" and inside.parent.name in ("librivox", "cards"):
        return str(inside)
    return None


def fetch(folder: Path) -> Path:
    """Download the sdist with pip and keep its recordings and transcripts in ``folder``."""
    with tempfile.TemporaryDirectory(prefix="greenroom-voices-") as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-binary",
                        ":all:", "--no-deps", SDIST, "-d", tmp], check=True)
        (archive,) = Path(tmp).glob("pocketsphinx-*.tar.gz")
        kept = 0
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                inside = _wanted(member.name)
                if inside is None or not member.isfile():
                    continue
                source = tar.extractfile(member)
                assert source is not None
                target = folder / inside
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read())
                kept += 1
    (folder / "SOURCE").write_text(f"{SDIST} from PyPI: test/data, {kept} files\n",
                                   encoding="utf-8")
    return folder


def _sphinx_lines(path: Path) -> list[tuple[str, str]]:
    """(recording name, text) from a transcript file: '<s> words </s> (name)'."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "(" not in line:
            continue
        words, _, name = line.rpartition("(")
        text = " ".join(w for w in words.split() if w not in ("<s>", "</s>"))
        found.append((name.strip().rstrip(")"), text))
    return found


def load_clips(folder: Path | None = None) -> list[RealClip]:
    """Every recording with its words, in a fixed order; FileNotFoundError when the
    recordings were never fetched."""
    from audio.audio_file import read_audio_16k

    folder = folder or voices_dir()
    if not (folder / "SOURCE").is_file():
        raise FileNotFoundError(f"{folder}: the real-voice recordings are not there; "
                                "`make setup-test` fetches them")
    raw = np.frombuffer((folder / GO_FORWARD[0]).read_bytes(), dtype="<i2")
    clips = [RealClip("goforward", raw.astype(np.float32) / 32768.0, GO_FORWARD[1])]
    for listing in (LIBRIVOX_TEXTS, CARDS_TEXTS):
        texts = folder / listing
        for name, text in _sphinx_lines(texts):
            audio = read_audio_16k(texts.parent / f"{name}.wav")
            clips.append(RealClip(f"{texts.parent.name}/{name}", audio, text))
    return clips


def room_tone(clip: RealClip, seconds: float) -> np.ndarray:
    """``seconds`` of the recording's own background: its quietest 0.3 s, repeated. What a
    clip that ends in silence sounds like, rather than digital zeros."""
    window = int(0.3 * SAMPLE_RATE)
    audio = clip.audio16k
    starts = range(0, max(1, audio.size - window), window // 2)
    quietest = min(starts, key=lambda i: float(np.abs(audio[i:i + window]).mean()))
    return np.resize(audio[quietest:quietest + window], int(seconds * SAMPLE_RATE))


def with_silent_tail(clip: RealClip, seconds: float = 8.0) -> np.ndarray:
    return np.concatenate([clip.audio16k, room_tone(clip, seconds)]).astype(np.float32)


def joined_answer(clips: list[RealClip], pause_s: float = 0.8) -> tuple[np.ndarray, str]:
    """Every clip in turn, each followed by ``pause_s`` of its room tone: one longer answer
    by several voices (about 46 s), ending in a pause; and its words."""
    parts = []
    for clip in clips:
        parts += [clip.audio16k, room_tone(clip, pause_s)]
    return np.concatenate(parts).astype(np.float32), " ".join(c.text for c in clips)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.real_voices",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["fetch"])
    parser.add_argument("folder", nargs="?", type=Path, default=None,
                        help="where to keep them (default: beside the virtualenv)")
    args = parser.parse_args(argv)
    folder = fetch(args.folder or voices_dir())
    print(f"real-voice recordings in {folder}: {len(load_clips(folder))} clips")
    return 0


if __name__ == "__main__":
    sys.exit(main())
