"""A whole spoken answer through real PortAudio: overflows, memory and Stop latency.

This is what the practice room does for one answer: the recorder writes the microphone
to disk and hands every block to live transcription. It runs in a fresh process, so the
peak memory is that of the answer path alone and not of whatever ran before it.

Needs the PulseAudio virtual microphone that `make bench` starts (as `make test` does);
without it this benchmark says so and measures nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SINK = "greenroom_mic"


def _pulse_running() -> bool:
    if not shutil.which("pactl"):
        return False
    return subprocess.run(["pactl", "info"], capture_output=True).returncode == 0


def measure(seconds: int) -> None:
    """Record ``seconds`` of speech from the virtual microphone with live transcription."""
    from audio.recorder import Recorder
    from audio.tts import synthesize_to_wav
    from benchmarks.speech_bench import SENTENCES, peak_rss_mb
    from models.live_transcription import LiveTranscriber
    from models.transcriber import load_transcriber

    with tempfile.TemporaryDirectory() as tmp:
        # Twelve different sentences (about a minute), played over and over. A text that
        # repeats within one segment would make Whisper suspect a decoding loop and decode
        # again at higher temperatures, which no real answer asks of it.
        speech = synthesize_to_wav(" ".join(SENTENCES), Path(tmp) / "speech.wav", rate_wpm=160)
        live = LiveTranscriber(load_transcriber())
        recorder = Recorder(Path(tmp) / "answer.wav", device="pulse")
        recorder.add_listener(live.feed)
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
        stopped = time.perf_counter()
        transcript = live.finish()
        latency = time.perf_counter() - stopped
    peak = peak_rss_mb()
    print(f"recorded {result.duration_s:.0f} s at 16 kHz from the virtual microphone with live "
          f"transcription ({len(transcript.words)} words): {result.overflows} input overflows, "
          f"Stop to transcript {latency:.2f} s, peak RSS {peak:.0f} MB", flush=True)


def run(quick: bool = False) -> None:
    if not _pulse_running():
        print("skipped: no PulseAudio server; run `make bench`, which starts the virtual microphone")
        return
    seconds = 60 if quick else 600
    # A child process: its peak RSS is the answer path's own, not the benchmark runner's.
    code = f"from benchmarks.recorder_bench import measure; measure({seconds})"
    subprocess.run([sys.executable, "-c", code], check=True)
