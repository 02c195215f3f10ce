"""Where recorded sound comes from: a real microphone, or a WAV file standing in for one.

Both kinds follow :class:`AudioSource`: ``start(callback)`` begins delivering mono
float32 blocks at ``sample_rate``; ``stop()`` ends it; ``error`` becomes a one-line
message if the source dies on its own (a microphone unplugged mid-answer). The callback
may run on a real-time audio thread, so it must only hand the block on (the recorder puts
it in a queue) and return.
"""

from __future__ import annotations

import contextlib
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from audio.devices import load_sounddevice
from audio.errors import AudioError
from audio.resample import StreamingResampler

SAMPLE_RATE = 16_000
BlockCallback = Callable[[np.ndarray], None]

MIC_FIX = "plug one in or pick another microphone in Settings"
# A stream that has not called back for this long is treated as gone (some drivers just
# go quiet when a USB microphone is pulled instead of reporting an error).
STALL_TIMEOUT_S = 2.0
# Opening can take a while before the first block (PulseAudio through ALSA has been seen
# to need two seconds on a busy machine), so the first block gets longer.
FIRST_BLOCK_TIMEOUT_S = 6.0
# ``error`` is asked every tenth of a second while recording. A longer gap between two
# asks (by either clock) means this process, or the whole computer, was asleep: a closed
# lid, a stopped process. The stream went quiet because nothing ran, not because the
# microphone went, so it gets this long to deliver again before it counts as gone.
SUSPEND_GAP_S = 1.0
RESUME_GRACE_S = FIRST_BLOCK_TIMEOUT_S


@runtime_checkable
class AudioSource(Protocol):
    sample_rate: int

    @property
    def error(self) -> str | None: ...

    def start(self, callback: BlockCallback) -> None: ...

    def stop(self) -> None: ...


def _device_label(device: int | str | None) -> str:
    return "the default microphone" if device is None else f"microphone {device!r}"


def resolve_input_device(device: int | str | None) -> dict[str, Any]:
    """PortAudio's description of ``device`` (None = default); AudioError if unusable."""
    sd = load_sounddevice()
    label = _device_label(device)
    try:
        info = sd.query_devices(device, kind="input")
    except ValueError as exc:  # no device matches the name, or several do
        raise AudioError(f"{label} not found ({exc}); {MIC_FIX}") from None
    except sd.PortAudioError:
        if device is None:
            raise AudioError(f"no microphone found; {MIC_FIX}") from None
        raise AudioError(f"{label} not found; {MIC_FIX}") from None
    if int(info["max_input_channels"]) < 1:
        raise AudioError(f"{label} ({info['name']}) has no input channels; {MIC_FIX}")
    return dict(info)


def choose_input_rate(device: int | str | None, info: dict[str, Any]) -> int:
    """16 kHz when the device accepts it, else its own default rate (resampled later)."""
    sd = load_sounddevice()
    index = int(info["index"])
    try:
        sd.check_input_settings(device=index, samplerate=SAMPLE_RATE, channels=1, dtype="float32")
        return SAMPLE_RATE
    except (sd.PortAudioError, ValueError):
        pass
    native = int(info["default_samplerate"])
    try:
        sd.check_input_settings(device=index, samplerate=native, channels=1, dtype="float32")
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioError(
            f"{_device_label(device)} ({info['name']}) accepts neither 16000 Hz nor its own "
            f"{native} Hz mono ({exc}); pick another microphone in Settings") from None
    return native


class MicrophoneSource:
    """A sounddevice InputStream, at 16 kHz mono float32 or the device's native rate."""

    def __init__(self, device: int | str | None = None, block_s: float = 0.05) -> None:
        self.device = device
        self.info = resolve_input_device(device)
        self.device_name = str(self.info["name"])
        self.sample_rate = choose_input_rate(device, self.info)
        self.block_frames = max(int(self.sample_rate * block_s), 64)
        self.overflows = 0
        self._stream: Any = None
        self._callback: BlockCallback | None = None
        self._stopping = False
        self._failure: str | None = None
        self._last_block = 0.0
        self._started = False
        self._asked: tuple[float, float] | None = None  # monotonic and wall time of the last ask
        self._resumed = float("-inf")

    @property
    def error(self) -> str | None:
        if self._failure is not None:
            return self._failure
        if self._stream is None or self._stopping:
            return None
        now, wall = time.monotonic(), time.time()
        asked, self._asked = self._asked, (now, wall)
        if asked is not None and max(now - asked[0], wall - asked[1]) > SUSPEND_GAP_S:
            self._resumed = now
        if now - self._resumed < RESUME_GRACE_S:
            return None
        quiet_s = now - max(self._last_block, self._resumed)
        if not self._started and quiet_s > FIRST_BLOCK_TIMEOUT_S:
            return (f"microphone {self.device_name!r} opened but sent no sound; "
                    f"{MIC_FIX}")
        if self._started and quiet_s > STALL_TIMEOUT_S:
            return (f"microphone {self.device_name!r} stopped sending sound (unplugged?); "
                    f"{MIC_FIX}")
        return None

    def _on_audio(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # Real-time thread: count, copy, hand on. Nothing that can block for long.
        if status.input_overflow:
            self.overflows += 1
        self._last_block = time.monotonic()
        self._started = True
        callback = self._callback
        if callback is not None:
            callback(indata[:, 0].copy())

    def _on_finished(self) -> None:
        if not self._stopping and self._failure is None:
            self._failure = (f"microphone {self.device_name!r} stopped unexpectedly "
                             f"(unplugged or taken by another app?); {MIC_FIX}")

    def start(self, callback: BlockCallback) -> None:
        sd = load_sounddevice()
        self._callback = callback
        self._stopping = False
        self._started = False
        try:
            # 'high' latency: nothing downstream needs sound within milliseconds, and the
            # larger buffer rides out a busy moment instead of dropping audio.
            stream = sd.InputStream(
                device=int(self.info["index"]), samplerate=self.sample_rate, channels=1,
                dtype="float32", blocksize=self.block_frames, latency="high",
                callback=self._on_audio,
                finished_callback=self._on_finished)
            self._last_block = time.monotonic()
            self._stream = stream
            stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            failed, self._stream = self._stream, None
            if failed is not None:
                with contextlib.suppress(Exception):
                    failed.close()
            raise AudioError(f"could not open microphone {self.device_name!r} at "
                             f"{self.sample_rate} Hz ({exc}); {MIC_FIX}") from None

    def stop(self) -> None:
        self._stopping = True
        stream, self._stream = self._stream, None
        if stream is None:
            return
        # A vanished device can fail to stop; close it anyway and carry on.
        with contextlib.suppress(Exception):
            stream.stop()
        with contextlib.suppress(Exception):
            stream.close()


def pcm_to_float(raw: bytes, width: int, channels: int) -> np.ndarray:
    """Little-endian PCM frames of 1-4 bytes per sample as mono float32 in [-1, 1]."""
    if width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8  # sign-extend 24 bit
        samples = ints.astype(np.float32) / 8388608.0
    else:
        samples = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples


class WavFileSource:
    """Plays a PCM WAV file into the recorder as if someone were speaking it.

    Blocks are 16 kHz whatever the file's rate. With ``realtime`` they arrive at the pace
    of speech; otherwise as fast as the callback takes them. At the end ``finished`` is
    True and no more blocks come.
    """

    sample_rate = SAMPLE_RATE

    def __init__(self, path: Path, realtime: bool = True, block_s: float = 0.1) -> None:
        self.path = Path(path)
        self.realtime = realtime
        self.block_s = block_s
        try:
            with wave.open(str(self.path), "rb") as w:
                self.file_rate = w.getframerate()
                self._width = w.getsampwidth()
                self._channels = w.getnchannels()
                self.file_frames = w.getnframes()
        except FileNotFoundError:
            raise AudioError(f"{self.path}: no such audio file") from None
        except (wave.Error, EOFError) as exc:
            raise AudioError(f"{self.path.name}: not a PCM WAV file ({exc}); "
                             "convert it to WAV first") from None
        self.error: str | None = None
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def duration_s(self) -> float:
        return self.file_frames / self.file_rate if self.file_rate else 0.0

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def wait_finished(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    def start(self, callback: BlockCallback) -> None:
        if self._thread is not None:
            raise RuntimeError("WavFileSource can only be started once")
        self._thread = threading.Thread(target=self._run, args=(callback,),
                                        name="greenroom-wav-source", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    def _blocks(self) -> Any:
        """16 kHz blocks of ``block_s`` seconds (the last one may be shorter)."""
        resampler = StreamingResampler(self.file_rate, SAMPLE_RATE)
        frames_per_read = max(int(self.file_rate * self.block_s), 1)
        with wave.open(str(self.path), "rb") as w:
            while True:
                raw = w.readframes(frames_per_read)
                if not raw:
                    break
                yield resampler.process(pcm_to_float(raw, self._width, self._channels))
        tail = resampler.flush()
        if tail.size:
            yield tail

    def _run(self, callback: BlockCallback) -> None:
        started = time.monotonic()
        delivered = 0
        try:
            for block in self._blocks():
                if self._stop.is_set():
                    return
                if block.size == 0:
                    continue
                if self.realtime:
                    # Like a microphone, a block arrives once its last sample was "spoken";
                    # pacing against the start time keeps delays from adding up.
                    due = started + (delivered + block.size) / SAMPLE_RATE
                    wait = due - time.monotonic()
                    if wait > 0 and self._stop.wait(wait):
                        return
                callback(block)
                delivered += block.size
        except (OSError, wave.Error, EOFError) as exc:
            self.error = f"{self.path.name}: could not read the audio file ({exc})"
        finally:
            self._finished.set()
