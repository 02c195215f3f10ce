"""Playing sound (questions read aloud, recorded answers) without blocking the caller.

A sounddevice OutputStream pulls samples from a preloaded array in its callback, so
``play_*`` returns at once and ``stop()`` silences the speaker mid-word (the stream is
aborted, not drained). One Player plays one thing at a time; starting another stops the
first.

Every stream is closed as soon as its sound has ended, not left for the next ``play_*``
or for ``stop()``: through PulseAudio a finished but open stream stays attached to the
output (corked), and while it is there other streams on that output underrun over and
over, so a later sound (from any Player, or another program) comes out mostly missing.
"""

from __future__ import annotations

import contextlib
import threading
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from audio.audio_file import read_audio_16k
from audio.devices import load_sounddevice
from audio.errors import AudioError
from audio.resample import resample
from audio.sources import pcm_to_float

SPEAKER_FIX = "plug in speakers or headphones, or pick another output in Settings"
FinishedCallback = Callable[[bool], None]


def read_for_playback(path: Path) -> tuple[np.ndarray, int]:
    """Mono float32 samples and their rate; PCM WAVs keep their own rate."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as w:
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            raw = w.readframes(w.getnframes())
        return pcm_to_float(raw, width, channels), rate
    except (wave.Error, EOFError):
        return read_audio_16k(path), 16_000  # not PCM WAV: let the decoder handle it
    except FileNotFoundError:
        raise AudioError(f"{path}: no such audio file") from None


class _Playback:
    """One sound being played; the audio callback reads and advances ``position``."""

    def __init__(self, audio: np.ndarray, rate: int, start_frame: int,
                 on_finished: FinishedCallback | None) -> None:
        self.audio = audio
        self.rate = rate
        self.start_frame = start_frame
        self.position = start_frame
        self.latency_frames = 0  # queued in the output after the callback's position
        self.on_finished = on_finished
        self.stopped = False
        self.ended = False  # PortAudio finished the stream: played out, or aborted
        self.underflows = 0
        self.done = threading.Event()  # set once the stream is closed
        self.stream: Any = None


class Player:
    """Plays a file or an array on ``device`` (None = the system's default output)."""

    def __init__(self, device: int | str | None = None) -> None:
        self.device = device
        self._current: _Playback | None = None
        self._lock = threading.Lock()

    @property
    def is_playing(self) -> bool:
        current = self._current
        return current is not None and not current.done.is_set()

    @property
    def position_s(self) -> float:
        """Where playback is in the sound, in seconds (for a replay cursor)."""
        current = self._current
        return current.position / current.rate if current is not None else 0.0

    @property
    def heard_s(self) -> float:
        """Where the listener is in the sound, in seconds: the callback's position less
        what is still queued in the output (for a cursor that follows the voice)."""
        current = self._current
        if current is None:
            return 0.0
        frame = max(current.start_frame, current.position - current.latency_frames)
        return frame / current.rate

    @property
    def underflows(self) -> int:
        """Gaps in the current sound because the machine fell behind (0 when healthy)."""
        current = self._current
        return current.underflows if current is not None else 0

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playback has ended; True when it has (or nothing was playing)."""
        current = self._current
        return True if current is None else current.done.wait(timeout)

    def play_file(self, path: Path, start_s: float = 0.0, *,
                  on_finished: FinishedCallback | None = None) -> None:
        """Play ``path`` from ``start_s`` seconds in."""
        audio, rate = read_for_playback(path)
        self.play_array(audio, rate, start_s=start_s, on_finished=on_finished)

    def play_array(self, audio: np.ndarray, sample_rate: int, *, start_s: float = 0.0,
                   on_finished: FinishedCallback | None = None) -> None:
        """Play mono float samples. ``on_finished(completed)`` runs when it ends."""
        sd = load_sounddevice()
        samples = np.ascontiguousarray(np.asarray(audio, dtype=np.float32).reshape(-1))
        device_index, rate, samples = self._fit_device(sd, samples, int(sample_rate))
        start_frame = min(max(int(round(start_s * rate)), 0), samples.size)
        playback = _Playback(samples, rate, start_frame, on_finished)
        with self._lock:
            self._stop_current()
            try:
                # 'high' latency: prompts and replays gain nothing from a short buffer, and
                # a short one underruns on a busy laptop (clicks that garble the speech).
                # stop() aborts, so a long buffer does not delay silencing it.
                playback.stream = sd.OutputStream(
                    device=device_index, samplerate=rate, channels=1, dtype="float32",
                    latency="high", callback=self._make_callback(sd, playback),
                    finished_callback=lambda: self._finished(playback))
                self._current = playback
                # PortAudio's estimate of the output's delay; read once, it does not change.
                with contextlib.suppress(Exception):
                    playback.latency_frames = int(float(playback.stream.latency) * rate)
                playback.stream.start()
            except (sd.PortAudioError, ValueError) as exc:
                self._current = None
                self._close(playback)
                raise AudioError(f"could not play sound on {self._label()} ({exc}); "
                                 f"{SPEAKER_FIX}") from None

    def stop(self) -> None:
        """Silence the current sound now; ``on_finished(False)`` follows."""
        with self._lock:
            self._stop_current()

    def close(self) -> None:
        self.stop()

    # -- internals -----------------------------------------------------------------------

    def _label(self) -> str:
        return "the default output" if self.device is None else f"output {self.device!r}"

    def _fit_device(self, sd: Any, samples: np.ndarray, rate: int) -> tuple[int, int, np.ndarray]:
        try:
            info = sd.query_devices(self.device, kind="output")
        except (sd.PortAudioError, ValueError):
            if self.device is None:
                raise AudioError(f"no speaker or headphones found; {SPEAKER_FIX}") from None
            raise AudioError(f"{self._label()} not found; {SPEAKER_FIX}") from None
        index = int(info["index"])
        try:
            sd.check_output_settings(device=index, samplerate=rate, channels=1, dtype="float32")
        except (sd.PortAudioError, ValueError):
            # The device wants another rate: convert rather than refuse to play.
            native = int(info["default_samplerate"])
            samples = resample(samples, rate, native)
            rate = native
        return index, rate, samples

    @staticmethod
    def _make_callback(sd: Any, playback: _Playback) -> Callable[..., None]:
        audio = playback.audio

        def fill(outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            # Real-time thread: one slice copy, no allocation beyond it, no locks.
            if status.output_underflow:
                playback.underflows += 1
            start = playback.position
            chunk = audio[start:start + frames]
            n = chunk.size
            outdata[:n, 0] = chunk
            playback.position = start + n
            if n < frames:
                outdata[n:] = 0.0
                raise sd.CallbackStop  # PortAudio plays what is queued, then finishes

        return fill

    def _finished(self, playback: _Playback) -> None:
        playback.ended = True
        # PortAudio's thread: a stream cannot be closed from its own finished callback, and
        # the handler may take its time, so both happen on a thread of their own.
        threading.Thread(target=self._wrap_up, args=(playback,),
                         name="greenroom-playback-done", daemon=True).start()

    def _wrap_up(self, playback: _Playback) -> None:
        with self._lock:
            self._close(playback)
        if playback.on_finished is not None:
            playback.on_finished(not playback.stopped)

    def _stop_current(self) -> None:
        current, self._current = self._current, None
        if current is None or current.stream is None:
            return
        current.stopped = not current.ended
        # A vanished device can fail to abort; the sound is gone either way.
        with contextlib.suppress(Exception):
            current.stream.abort()
        self._close(current)

    @staticmethod
    def _close(playback: _Playback) -> None:
        """Close the stream (once); callers hold ``_lock`` so no two close it together."""
        stream, playback.stream = playback.stream, None
        if stream is not None:
            with contextlib.suppress(Exception):  # a vanished device can fail to close
                stream.close()
        playback.done.set()
