"""Player: real playback into the virtual microphone, heard back by a recorder."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audio import tts
from audio.audio_file import read_audio_16k, write_wav_16k
from audio.errors import AudioError
from audio.playback import Player
from audio.recorder import Recorder
from tests.audio_helpers import MIC_DEVICE, transcribe, wait_until, whisper_tiny, words

FIRST = "The budget meeting moved to Monday morning."
SECOND = "Please bring the quarterly sales report."


@pytest.fixture(scope="module")
def two_sentences(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """One WAV holding both sentences, and the second's start time in seconds."""
    folder = tmp_path_factory.mktemp("playback")
    first = read_audio_16k(tts.synthesize_to_wav(FIRST, folder / "1.wav", rate_wpm=150))
    second = read_audio_16k(tts.synthesize_to_wav(SECOND, folder / "2.wav", rate_wpm=150))
    joined = np.concatenate([first, second])
    return write_wav_16k(folder / "both.wav", joined), first.size / 16_000


@pytest.fixture()
def listening(virtual_mic: str, tmp_path: Path) -> Any:
    recorder = Recorder(tmp_path / "heard.wav", device=MIC_DEVICE)
    recorder.start()
    assert recorder.wait_live(8), "virtual microphone sent no audio"
    yield recorder
    recorder.stop()


def test_no_such_output_device_is_audio_error() -> None:
    with pytest.raises(AudioError) as caught:
        Player(device="no-such-speaker-91c2").play_array(np.zeros(1600), 16_000)
    assert "no-such-speaker-91c2" in str(caught.value) and "Settings" in str(caught.value)


def test_missing_file_is_audio_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="nothing.wav"):
        Player().play_file(tmp_path / "nothing.wav")


@pytest.mark.audio
@pytest.mark.slow
def test_play_from_a_moment_is_heard_from_there(listening: Recorder,
                                                two_sentences: tuple[Path, float]) -> None:
    path, second_starts = two_sentences
    player = Player()
    finished: list[bool] = []
    started = time.monotonic()
    player.play_file(path, start_s=second_starts, on_finished=finished.append)
    assert time.monotonic() - started < 0.5  # returns at once; the sound plays on
    assert player.is_playing
    assert player.wait(15)
    assert wait_until(lambda: finished == [True], 2)
    assert not player.is_playing
    time.sleep(0.4)
    result = listening.stop()
    heard = set(words(transcribe(whisper_tiny(), result.path)))
    # tiny.en may mishear a word or two of synthetic speech; three of these five is the bar.
    assert len(heard & {"please", "bring", "quarterly", "sales", "report"}) >= 3, heard
    assert not heard & {"budget", "meeting", "monday"}, heard


@pytest.mark.audio
def test_stop_silences_playback_mid_way(listening: Recorder,
                                        two_sentences: tuple[Path, float]) -> None:
    path, _ = two_sentences
    player = Player()
    ended = threading.Event()
    outcome: list[bool] = []

    def on_finished(completed: bool) -> None:
        outcome.append(completed)
        ended.set()

    player.play_file(path, on_finished=on_finished)
    # Wait until the microphone hears the speech, then cut it off.
    assert wait_until(lambda: listening.level > 0.3, 5), "nothing reached the microphone"
    time.sleep(0.5)
    player.stop()
    assert not player.is_playing and player.wait(0.1)
    assert ended.wait(2) and outcome == [False]
    time.sleep(1.0)
    # Only what was already buffered (well under half a second) came after stop().
    assert listening.silence_s >= 0.6, listening.silence_s
