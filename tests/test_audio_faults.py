"""Microphone faults: missing devices, a device that refuses 16 kHz, a device lost mid-answer."""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sounddevice as sd

from audio import tts
from audio.audio_file import read_audio_16k, write_wav_16k
from audio.devices import default_input, list_input_devices
from audio.errors import AudioError
from audio.recorder import Recorder
from audio.recovery import find_unfinished, marker_path
from audio.sources import MicrophoneSource
from tests.audio_helpers import (
    MIC_DEVICE,
    finish_playing,
    play_into_mic,
    read_wav_int16,
    tone,
    transcribe,
    wait_until,
    whisper_tiny,
    words,
)

LOST = "microphone 'Test Mic' stopped unexpectedly (unplugged?); plug it back in"


class FailingSource:
    """Delivers ``blocks`` blocks of a tone, then reports an error, like a pulled USB mic."""

    sample_rate = 16_000

    def __init__(self, blocks: int, block_frames: int = 1600) -> None:
        self.blocks = blocks
        self.block_frames = block_frames
        self.error: str | None = None
        self.stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, callback: Callable[[np.ndarray], None]) -> None:
        def run() -> None:
            block = tone(300, self.block_frames / 16_000, amplitude=0.3)
            for _ in range(self.blocks):
                if self.stopped.is_set():
                    return
                callback(block)
                time.sleep(0.01)
            self.error = LOST

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopped.set()


def test_unknown_device_name_is_audio_error(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "a.wav", device="no-such-microphone-7f3a")
    with pytest.raises(AudioError) as caught:
        recorder.start()
    message = str(caught.value)
    assert "no-such-microphone-7f3a" in message and "Settings" in message
    assert "\n" not in message
    assert not (tmp_path / "a.wav").exists() and not marker_path(tmp_path / "a.wav").exists()


def test_impossible_device_index_is_audio_error() -> None:
    with pytest.raises(AudioError, match="4242"):
        MicrophoneSource(4242)


def test_no_microphone_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    outputs_only = [dict(d, max_input_channels=0) for d in sd.query_devices()]

    def no_inputs(device: Any = None, kind: str | None = None) -> Any:
        if kind == "input":
            raise sd.PortAudioError("Error querying device -1")
        return outputs_only

    monkeypatch.setattr(sd, "query_devices", no_inputs)
    with pytest.raises(AudioError, match="no microphone found; plug one in"):
        MicrophoneSource()
    assert list_input_devices() == [] and default_input() is None


def test_source_error_mid_answer_ends_recording_and_keeps_audio(tmp_path: Path) -> None:
    lost: list[str] = []
    source = FailingSource(blocks=12)
    recorder = Recorder(tmp_path / "lost.wav", source=source)

    def on_lost(message: str) -> None:
        lost.append(message)
        recorder.stop()  # a handler may stop the recorder right away, on the writer thread

    recorder.on_device_lost = on_lost
    recorder.start()
    assert recorder.wait(5), "recording did not end when the source failed"
    assert not recorder.is_recording
    assert source.stopped.is_set()
    assert wait_until(lambda: lost == [LOST], 2)
    assert recorder.error == LOST
    result = recorder.stop()
    assert result.error == LOST
    assert result.duration_s == pytest.approx(12 * 1600 / 16_000)
    samples, rate = read_wav_int16(result.path)
    assert rate == 16_000 and samples.size == 12 * 1600
    assert np.abs(samples).max() > 0.25 * 32767  # the tone is there, not silence
    assert not marker_path(result.path).exists()
    assert find_unfinished(tmp_path) == []


@pytest.fixture(scope="module")
def probe_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1 kHz tone, a pause, then speech: pitch and words both show a wrong rate."""
    folder = tmp_path_factory.mktemp("probe")
    speech = read_audio_16k(tts.synthesize_to_wav(
        "Please describe your biggest professional achievement.", folder / "s.wav"))
    pause = np.zeros(4800, dtype=np.float32)
    return write_wav_16k(folder / "probe.wav",
                         np.concatenate([tone(1000, 1.0, amplitude=0.3), pause, speech]))


@pytest.mark.audio
@pytest.mark.slow
def test_device_refusing_16k_is_recorded_at_native_rate_and_resampled(
        virtual_mic: str, tmp_path: Path, probe_wav: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    real_check = sd.check_input_settings
    asked: list[float] = []

    def refuses_16k(*args: Any, **kwargs: Any) -> None:
        asked.append(kwargs.get("samplerate"))
        if kwargs.get("samplerate") == 16_000:
            raise sd.PortAudioError("Invalid sample rate [PaErrorCode -9997]")
        real_check(*args, **kwargs)

    monkeypatch.setattr(sd, "check_input_settings", refuses_16k)
    source = MicrophoneSource(MIC_DEVICE)
    native = int(source.info["default_samplerate"])
    assert native != 16_000 and source.sample_rate == native and asked == [16_000, native]

    recorder = Recorder(tmp_path / "native.wav", source=source)
    recorder.start()
    try:
        assert recorder.wait_live(8)
        wall_start, audio_start = time.monotonic(), recorder.elapsed_s
        finish_playing(play_into_mic(probe_wav))
        time.sleep(0.3)
        wall, audio = time.monotonic() - wall_start, recorder.elapsed_s - audio_start
    finally:
        result = recorder.stop()
    # 16 kHz samples written per wall second: a wrong ratio would be off by 2.7x.
    assert audio == pytest.approx(wall, abs=0.4)
    samples, rate = read_wav_int16(result.path)
    assert rate == 16_000
    signal = samples.astype(np.float32) / 32768
    spectrum = np.abs(np.fft.rfft(signal))
    freqs = np.fft.rfftfreq(signal.size, 1 / 16_000)
    band = (freqs > 300) & (freqs < 4000)
    peak = freqs[band][np.argmax(spectrum[band])]
    assert abs(peak - 1000) < 5, peak
    heard = set(words(transcribe(whisper_tiny(), result.path)))
    assert len(heard & {"describe", "biggest", "professional", "achievement"}) >= 3, heard


@pytest.mark.audio
def test_microphone_stream_ending_by_itself_ends_the_recording(virtual_mic: str,
                                                               tmp_path: Path) -> None:
    lost: list[str] = []
    source = MicrophoneSource(MIC_DEVICE)
    recorder = Recorder(tmp_path / "gone.wav", source=source, on_device_lost=lost.append)
    recorder.start()
    assert recorder.wait_live(8)
    assert wait_until(lambda: recorder.elapsed_s >= 0.3, 3)
    # What PortAudio does when a device disappears: the stream ends without being asked.
    source._stream.abort()
    assert recorder.wait(3), "recording did not end when the stream did"
    assert wait_until(lambda: len(lost) == 1, 2)
    assert "stopped unexpectedly" in lost[0] and MIC_DEVICE in lost[0]
    result = recorder.stop()
    assert result.error == lost[0]
    with wave.open(str(result.path), "rb") as w:
        assert w.getframerate() == 16_000
        assert w.getnframes() / 16_000 == pytest.approx(result.duration_s)
    assert result.duration_s >= 0.3
    assert find_unfinished(tmp_path) == []


@pytest.mark.audio
def test_device_refusing_every_rate_is_audio_error(virtual_mic: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def refuses_all(*args: Any, **kwargs: Any) -> None:
        raise sd.PortAudioError("Invalid sample rate [PaErrorCode -9997]")

    monkeypatch.setattr(sd, "check_input_settings", refuses_all)
    with pytest.raises(AudioError) as caught:
        MicrophoneSource(MIC_DEVICE)
    message = str(caught.value)
    assert MIC_DEVICE in message and "16000 Hz" in message and "Settings" in message


@pytest.mark.audio
def test_lists_the_virtual_microphone(virtual_mic: str) -> None:
    devices = list_input_devices()
    assert MIC_DEVICE in [d.name for d in devices]
    assert sum(d.is_default for d in devices) == 1
    default = default_input()
    assert default is not None and default.is_default and default.default_rate >= 8000
