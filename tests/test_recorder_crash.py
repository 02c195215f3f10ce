"""A recording process killed with SIGKILL mid-answer leaves a file that recovery repairs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audio import tts
from audio.audio_file import read_audio_16k, write_wav_16k
from audio.recovery import find_unfinished, marker_path, repair
from tests.audio_helpers import REPO_ROOT, read_wav_int16, timed_words, whisper_tiny, words

ANSWER = ("Our team shipped the payment system two weeks early, and customer complaints "
          "dropped by half within a month.")
KILL_AFTER_S = 3.0

# The child records like the app does, then reports progress until it is killed.
CHILD = """
import sys, time
from audio.recorder import Recorder
from audio.sources import WavFileSource
recorder = Recorder(sys.argv[1], source=WavFileSource(sys.argv[2], realtime=True))
recorder.start()
print("started", flush=True)
while True:
    time.sleep(0.05)
    print(f"elapsed {recorder.elapsed_s:.3f}", flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_answer_is_found_and_repaired(tmp_path: Path) -> None:
    model: Any = whisper_tiny()
    spoken = tts.synthesize_to_wav(ANSWER, tmp_path / "answer-22k.wav", rate_wpm=170)
    source = write_wav_16k(tmp_path / "answer.wav", read_audio_16k(spoken))
    folder = tmp_path / "recordings"
    target = folder / "attempt-1.wav"

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(target), str(source)],
                             cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "started"
        started = time.monotonic()
        reported = 0.0
        for line in child.stdout:
            reported = float(line.split()[1])
            if reported >= KILL_AFTER_S:
                break
        os.kill(child.pid, signal.SIGKILL)
        killed_after = time.monotonic() - started
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    # Audio time can't run ahead of the clock; use the larger for a strict bound.
    elapsed_at_kill = max(killed_after, reported)

    assert marker_path(target).exists()
    assert find_unfinished(folder) == [target]
    duration = repair(target)
    assert not marker_path(target).exists()
    assert find_unfinished(folder) == []

    # Playable: the wave module reads it, and the general decoder does too.
    recorded, rate = read_wav_int16(target)
    assert rate == 16_000 and recorded.size / rate == pytest.approx(duration)
    assert duration >= elapsed_at_kill - 1.0, (duration, elapsed_at_kill)
    assert read_audio_16k(target).size == recorded.size

    # What survived is exactly the start of the answer...
    original, _ = read_wav_int16(source)
    assert recorded.size <= original.size
    prefix = original[:recorded.size].astype(np.int32)
    assert np.max(np.abs(recorded.astype(np.int32) - prefix)) <= 1
    # ...and the words spoken before the last sync are heard in it.
    expected = [w for w, end in timed_words(model, source) if end <= duration - 0.3]
    assert len(expected) >= 5, expected
    heard = set(words(" ".join(w for w, _ in timed_words(model, target))))
    missing = [w for w in expected if w not in heard]
    assert len(missing) <= len(expected) // 5, (expected, heard)
