"""`greenroom demo` and `greenroom practice --no-gui` in a terminal: the whole loop ends with
the coaching report and a saved attempt."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import main
from app.store import Store
from tests.audio_helpers import finish_playing, play_into_mic
from tests.speech_fixtures import *  # noqa: F403 - pytest fixtures

pytestmark = pytest.mark.slow


def test_demo_runs_the_whole_loop_without_a_microphone(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--no-llm", "--no-speak"]) == 0
    out = capsys.readouterr().out
    assert "Transcript:" in out
    assert "Key points" in out and "Time guide" in out
    attempts = Store().list_attempts()
    assert len(attempts) == 1
    assert attempts[0].status == "complete"
    assert attempts[0].feedback is not None and attempts[0].feedback.words > 20
    assert Path(attempts[0].audio_path).is_file()


ANSWER = ("I had to roll out a new ticketing system. I picked two champions in the team, "
          "ran a short pilot, and within a month reporting accuracy improved by forty percent.")


def test_practice_in_the_terminal_records_the_microphone(
        capsys: pytest.CaptureFixture[str], virtual_mic: str, spoken_wav: Callable[..., Path],
        tmp_path: Path) -> None:
    script = tmp_path / "one.yaml"
    script.write_text(
        "title: Terminal practice\nrole: IT Manager\nquestions:\n"
        "  - id: adoption\n    text: How did you get a team to adopt a new tool?\n"
        "    time_guide: 5-15 s\n    key_points:\n      - text: Ran a pilot\n        cues: [pilot]\n",
        encoding="utf-8")
    answer = spoken_wav(ANSWER, rate_wpm=170)
    result: dict[str, int] = {}

    def practise() -> None:
        result["code"] = main(["practice", "--script", str(script), "--no-gui", "--no-speak",
                               "--no-llm", "--silence", "2.5", "--max-seconds", "60"])

    runner = threading.Thread(target=practise)
    runner.start()
    # Speak once the recorder is listening: the attempt row appears when recording starts.
    deadline = time.monotonic() + 60
    while not Store().list_attempts() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    finish_playing(play_into_mic(answer))
    runner.join(timeout=120)
    assert not runner.is_alive()
    assert result["code"] == 0
    out = capsys.readouterr().out
    assert "Stopped after a silence" in out
    assert "pilot" in out.lower()
    attempt = Store().list_attempts()[0]
    assert attempt.status == "complete"
    assert attempt.feedback is not None
    assert {k.text: k.status for k in attempt.feedback.key_points}["Ran a pilot"] == "covered"
