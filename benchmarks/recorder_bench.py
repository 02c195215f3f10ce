"""Recording through real PortAudio: input overflows and memory over a long answer.

Needs the PulseAudio virtual microphone that `make bench` starts (as `make test` does);
without it this benchmark says so and measures nothing.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from audio.recorder import Recorder
from audio.tts import synthesize_to_wav

SINK = "greenroom_mic"
TEXT = ("I kept the team focused on one thing at a time, wrote down every decision, "
        "and checked in with the stakeholders at the top of every hour. ")


def _pulse_running() -> bool:
    if not shutil.which("pactl"):
        return False
    return subprocess.run(["pactl", "info"], capture_output=True).returncode == 0


def run(quick: bool = False) -> None:
    if not _pulse_running():
        print("skipped: no PulseAudio server; run `make bench`, which starts the virtual microphone")
        return
    seconds = 60 if quick else 600
    with tempfile.TemporaryDirectory() as tmp:
        speech = synthesize_to_wav(TEXT * 4, Path(tmp) / "speech.wav", rate_wpm=160)
        recorder = Recorder(Path(tmp) / "answer.wav", device="pulse")
        recorder.start()
        recorder.wait_live(10)
        started = time.monotonic()
        player = None
        while time.monotonic() - started < seconds:
            if player is None or player.poll() is not None:
                player = subprocess.Popen(["paplay", f"--device={SINK}", str(speech)])
            time.sleep(0.2)
        if player is not None:
            player.terminate()
        result = recorder.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"recorded {result.duration_s:.0f} s at 16 kHz from the virtual microphone: "
          f"{result.overflows} input overflows, peak RSS {peak:.0f} MB")
