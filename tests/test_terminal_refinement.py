"""`greenroom practice --no-gui` prints the report of the instant feedback as soon as the
answer stops, then what the refined pass changed; the answer is saved refined and done."""

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

ANSWER = ("I had to roll out a new ticketing system. Um, I picked two champions in the team, "
          "ran a short pilot, and within a month, uh, the reports were right far more often.")


def test_the_report_comes_first_then_what_the_refined_pass_changed(
        capsys: pytest.CaptureFixture[str], virtual_mic: str, spoken_wav: Callable[..., Path],
        tmp_path: Path) -> None:
    script = tmp_path / "one.yaml"
    script.write_text(
        "title: Terminal refinement\nrole: IT Manager\nquestions:\n"
        "  - id: adoption\n    text: How did you get a team to adopt a new tool?\n"
        "    time_guide: 5-20 s\n    key_points:\n      - text: Ran a pilot\n        cues: [pilot]\n",
        encoding="utf-8")
    answer = spoken_wav(ANSWER, rate_wpm=160)
    result: dict[str, int] = {}

    def practise() -> None:
        result["code"] = main(["practice", "--script", str(script), "--no-gui", "--no-speak",
                               "--no-llm", "--silence", "2.5", "--max-seconds", "60"])

    runner = threading.Thread(target=practise)
    runner.start()
    deadline = time.monotonic() + 60
    while not Store().list_attempts() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    finish_playing(play_into_mic(answer))
    runner.join(timeout=180)
    assert not runner.is_alive()
    assert result["code"] == 0
    out = capsys.readouterr().out
    report = out.index("Feedback on question adoption")
    refined = out.index("Refined: the accurate pass changed")
    assert report < refined, out
    # What follows "Refined" is either "nothing." or the changes, one per line.
    after = out[refined:].splitlines()
    assert after[0].endswith("changed nothing.") or (
        after[0].endswith("changed") and after[1].startswith("  - ")), after[:4]
    # The report is printed once: the refined pass is reported as its changes.
    assert out.count("Feedback on question adoption") == 1
    (attempt,) = Store().list_attempts()
    assert attempt.stage == "reviewed"  # --no-llm: refined, and no review was asked for
    assert attempt.transcript is not None and attempt.transcript["decoding"]["pass"] == "refined"
