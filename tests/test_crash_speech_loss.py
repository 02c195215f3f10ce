"""How much of what the candidate said is lost when the app is killed mid-answer, measured
from outside: known speech plays into the virtual microphone while `greenroom practice`
records it through PortAudio (live transcription running, as always), the process is
killed with SIGKILL while the speech plays, `greenroom sessions recover` repairs the
file, and the recording is lined up against an ear on the sink to see how much of the
speech before the kill it holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from app import paths
from app.cli import main
from app.store import Store
from audio.audio_file import read_audio_16k
from tests.audio_helpers import MIC_DEVICE, REPO_ROOT, finish_playing, play_into_mic
from tests.sink_ear import EAR_RATE, SinkEar
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures

pytestmark = [pytest.mark.slow, pytest.mark.audio]

SPEECH = ("I joined the platform team in March. The deploys were failing twice a week, and "
          "nobody owned the pipeline. I wrote down every failure for a month, grouped them by "
          "cause, and fixed the three biggest. After that, failed deploys dropped to one a "
          "month, and the team trusted the pipeline again.")
KILL_AT_S = 6.0  # into the speech, which runs about 15 s: the kill lands mid-sentence
# The goal. Measured: 0.04-0.14 s when blocks waited in the file buffer for the half-second
# sync, 0.005-0.044 s (four runs) since each block goes to the OS as it is written.
MAX_LOST_S = 1.0

SCRIPT = """\
title: Crash test
role: Platform engineer
questions:
  - id: pipeline
    text: Tell me about a pipeline you fixed.
    time_guide: 1-2 minutes
"""


def offset_in(reference: np.ndarray, piece: np.ndarray) -> float:
    """Where ``piece`` starts inside ``reference`` (seconds), by cross-correlation."""
    n = 1 << int(np.ceil(np.log2(reference.size + piece.size)))
    spectrum = np.fft.rfft(reference, n) * np.conj(np.fft.rfft(piece, n))
    lag = int(np.argmax(np.fft.irfft(spectrum, n)[: reference.size]))
    return lag / EAR_RATE


def test_a_kill_mid_answer_loses_at_most_a_second_of_speech(
        tmp_path: Path, virtual_mic: str, spoken_wav: Callable[..., Path]) -> None:
    speech = spoken_wav(SPEECH, 170)
    # In the candidate's own scripts folder, so the next start can find the question again
    # and coach the recovered answer (a script given only by a path elsewhere cannot be).
    script = paths.user_scripts_dir() / "crash.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "app", "practice", "--script", str(script), "--no-gui",
               "--no-speak", "--no-llm", "--device", MIC_DEVICE, "--silence", "60"]
    with SinkEar(tmp_path / "ear.raw") as ear:
        child = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                                 stdin=subprocess.PIPE, text=True)
        try:
            assert child.stdout is not None
            for line in child.stdout:
                if line.startswith("Recording"):
                    break
            player = play_into_mic(speech)
            time.sleep(KILL_AT_S)
            os.kill(child.pid, signal.SIGKILL)
            # What the ear had heard when the app died (the ear keeps up within ~20 ms).
            heard_at_kill_s = (ear.path.stat().st_size // 2) / EAR_RATE
            child.wait(timeout=10)
            finish_playing(player)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == -signal.SIGKILL
    assert main(["sessions", "recover"]) == 0
    (attempt,) = Store().list_attempts()
    assert attempt.status == "recovered" and attempt.audio_path is not None
    target = Path(attempt.audio_path)
    recorded = read_audio_16k(target)
    reference = ear.audio()
    assert recorded.size > 2 * EAR_RATE, "the recording holds almost nothing"
    # Line the recording up on the ear's clock by its last three seconds of sound.
    tail = recorded[-3 * EAR_RATE:]
    end_on_ear_s = offset_in(reference, tail) + tail.size / EAR_RATE
    lost_s = heard_at_kill_s - end_on_ear_s
    # The kill came while speech was playing: the ear still heard speech after it.
    after = reference[int(heard_at_kill_s * EAR_RATE):int((heard_at_kill_s + 1.0) * EAR_RATE)]
    assert np.sqrt(np.mean(after**2)) > 0.01, "the kill did not land during speech"
    assert lost_s <= MAX_LOST_S, f"{lost_s:.2f} s of speech before the kill was lost"
