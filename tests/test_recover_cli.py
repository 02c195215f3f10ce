"""`greenroom sessions recover` and `greenroom doctor` after a cut-off recording: the answer
is found, repaired, marked recovered and coached like any other."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.store import Store
from audio.audio_file import read_audio_16k
from audio.recovery import find_unfinished, marker_path
from audio.wav_writer import GrowingWavWriter
from interview_scripts.catalogue import find_script
from tests.speech_fixtures import *  # noqa: F403 - pytest fixtures

ANSWER = "I led the incident bridge, restored the service and ran a blameless post mortem."


def cut_off_recording(spoken: Path, target: Path) -> float:
    """Write the answer the way the recorder does, then 'crash': the last second of
    samples is written but never synced, so the header undercounts the file."""
    audio = read_audio_16k(spoken)
    writer = GrowingWavWriter(target)
    marker_path(target).touch()
    cut = len(audio) - 16_000
    writer.append(audio[:cut])
    writer.sync()
    writer.append(audio[cut:])
    writer._file.flush()  # on disk, header stale: what a killed process leaves behind
    return len(audio) / 16_000


@pytest.mark.slow
def test_recover_repairs_marks_and_coaches(capsys: pytest.CaptureFixture[str],
                                           spoken_wav: Callable[..., Path]) -> None:
    script = find_script("incident-leadership-final-round", paths.script_folders())
    question = script.questions[0]
    store = Store()
    session = store.create_session(script.id, script.title)
    target = paths.recordings_dir() / f"session-{session}" / "answer.wav"
    attempt = store.start_attempt(session, script.id, question.id, question.text, target)
    spoken_s = cut_off_recording(spoken_wav(ANSWER, rate_wpm=160), target)

    assert main(["doctor"]) in (0, 1)
    assert "sessions recover" in capsys.readouterr().out

    assert main(["sessions", "recover"]) == 0
    out = capsys.readouterr().out
    assert f"attempt {attempt}" in out and "coached" in out

    row = store.get_attempt(attempt)
    assert row.status == "recovered"
    assert row.duration_s == pytest.approx(spoken_s, abs=0.05)
    assert row.feedback is not None
    assert "restored" in row.feedback.transcript.text.lower()
    assert not marker_path(target).exists()
    assert find_unfinished(target.parent) == []

    assert main(["sessions", "recover"]) == 0
    assert "No cut-off recordings" in capsys.readouterr().out
