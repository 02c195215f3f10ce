"""Crash-safe recording of an answer to a 16 kHz mono 16-bit WAV.

The source's callback (often PortAudio's real-time thread) only puts each block in a
queue. One writer thread takes blocks off the queue, resamples them to 16 kHz, appends
them to the WAV on disk, updates the level meter and silence clock and hands them to the
listeners (live transcription). Each block reaches the operating system as it is written,
so a killed app loses only what the audio system still held (tens of milliseconds); every
half second the writer also makes the header match the data and fsyncs, which bounds what
a power cut can take. A ``NAME.wav.recording`` marker lives beside the file until a clean
stop, which is how :mod:`audio.recovery` spots leftovers.

If the source dies mid-answer (microphone unplugged, stream stopped by the system), the
recording ends by itself: ``error`` says what happened, ``on_device_lost`` is called,
and everything written so far stays a valid WAV. So does a disk that fills up, turns
read-only or goes away mid-answer; ``error_kind`` then says ``disk``, and the marker
stays so recovery makes the file whole later.

A closed lid (the computer asleep) or a stopped process is a stretch with no blocks and
a jump in the clocks. Nothing is recorded for it, so the recording's own clock and the
speech measured in it leave the sleep out; ``pauses`` says where and how long each was.
An audio server that kept capturing meanwhile (PulseAudio, for a stopped process) hands
the whole stretch over in one burst when the process goes on: the burst is held until
the source is back to real time, and the part of it that the pause lasted is dropped,
keeping what was said before the pause and after it.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from audio.errors import AudioError
from audio.recovery import hold_marker, marker_path
from audio.resample import StreamingResampler
from audio.sources import AudioSource, MicrophoneSource
from audio.wav_writer import GrowingWavWriter, create_private_file, disk_problem, fsync_folder

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
SYNC_INTERVAL_S = 0.5
# The meter maps -60..0 dBFS onto 0..1: quiet rooms sit near the bottom, speech in the
# upper half, clipping at the top.
METER_FLOOR_DB = -60.0
DEFAULT_SPEECH_THRESHOLD_DB = -40.0
# No block for this long (by the monotonic or the wall clock) between two that came is a
# pause: the process or the computer slept. Sources deliver every 50-100 ms.
PAUSE_GAP_S = 1.0
# After a pause, blocks are held until the source has delivered no faster than real time
# for this long: then the burst of what it kept is over. How far ahead of real time it
# got is what it kept; the slack allows for the size of its blocks.
SETTLE_S = 0.5
CATCH_UP_SLACK_S = 0.2

Listener = Callable[[np.ndarray], None]


@dataclass(frozen=True)
class Pause:
    """A stretch in which no sound arrived: ``at_s`` into the recording, ``length_s`` of
    time that passed meanwhile (none of it is in the recording)."""

    at_s: float
    length_s: float


@dataclass(frozen=True)
class RecordingResult:
    path: Path
    duration_s: float
    overflows: int
    error: str | None = None
    # "device" (the source died) or "disk" (the file could not be written); None: no error.
    error_kind: str | None = None
    pauses: tuple[Pause, ...] = ()


class _Gap:
    """Queue item: the source was silent for ``length_s`` before the next block, which
    came at ``at`` (monotonic)."""

    def __init__(self, length_s: float, at: float) -> None:
        self.length_s = length_s
        self.at = at


class _CaughtUp:
    """Queue item: after a pause the source is back to real time, ``real_s`` after it
    came back."""

    def __init__(self, real_s: float) -> None:
        self.real_s = real_s


class _Stop:
    """Queue sentinel: everything before it has been written."""


_STOP = _Stop()


def block_db(block: np.ndarray) -> float:
    """RMS level of a block in dB relative to full scale (silence is -inf-ish)."""
    if block.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    return 20.0 * np.log10(max(rms, 1e-6))


def meter_value(db: float) -> float:
    return float(min(max((db - METER_FLOOR_DB) / -METER_FLOOR_DB, 0.0), 1.0))


class Recorder:
    """Records from ``source`` (or a :class:`MicrophoneSource` on ``device``) to ``wav_path``."""

    def __init__(self, wav_path: Path, source: AudioSource | None = None,
                 device: int | str | None = None, *,
                 on_device_lost: Callable[[str], None] | None = None,
                 speech_threshold_db: float = DEFAULT_SPEECH_THRESHOLD_DB) -> None:
        self.path = Path(wav_path)
        self.device = device
        self.on_device_lost = on_device_lost
        self.speech_threshold_db = speech_threshold_db
        self._source = source
        self._listeners: list[Listener] = []
        self._queue: queue.SimpleQueue[np.ndarray | _Gap | _CaughtUp | _Stop] = queue.SimpleQueue()
        self._writer: GrowingWavWriter | None = None
        self._resampler: StreamingResampler | None = None
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._live = threading.Event()
        self._stop_lock = threading.Lock()
        self._stopping = False
        self._result: RecordingResult | None = None
        self._frames = 0
        self._last_voice_frame = 0
        self._level = 0.0
        self._error: str | None = None
        self._error_kind: str | None = None
        self._failed_listeners: set[int] = set()
        self._pauses: list[Pause] = []
        self._arrived: tuple[float, float] | None = None  # monotonic and wall time of the last block
        # After a pause (the audio thread's): when the source came back, how many samples
        # it gave since, and when it last got further ahead of real time, and how far.
        self._catching_up: tuple[float, int, float, float] | None = None
        self._held: tuple[list[np.ndarray], _Gap] | None = None
        self._marker: BinaryIO | None = None

    # -- live state (read from any thread) ---------------------------------------------

    @property
    def source(self) -> AudioSource | None:
        return self._source

    @property
    def level(self) -> float:
        """Loudness of the latest block, 0..1 on a dB scale, for a level meter."""
        return self._level

    @property
    def elapsed_s(self) -> float:
        """Seconds of audio recorded so far."""
        return self._frames / SAMPLE_RATE

    @property
    def silence_s(self) -> float:
        """Seconds since the input was last above the speech threshold."""
        return (self._frames - self._last_voice_frame) / SAMPLE_RATE

    @property
    def overflows(self) -> int:
        """Input blocks the audio system dropped because the machine fell behind."""
        return int(getattr(self._source, "overflows", 0) or 0)

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def error_kind(self) -> str | None:
        """``device`` when the source died, ``disk`` when the file could not be written."""
        return self._error_kind

    @property
    def pauses(self) -> tuple[Pause, ...]:
        """Where no sound arrived for a while (a sleep, a stopped process), so far."""
        return tuple(self._pauses)

    @property
    def is_recording(self) -> bool:
        return self._thread is not None and not self._done.is_set()

    def add_listener(self, fn: Listener) -> None:
        """``fn`` gets every 16 kHz float32 block, on the writer thread; keep it cheap."""
        self._listeners.append(fn)

    def remove_listener(self, fn: Listener) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    @property
    def is_live(self) -> bool:
        """True once the first audio arrived (opening a microphone can take a moment)."""
        return self._live.is_set()

    def wait_live(self, timeout: float | None = None) -> bool:
        """Block until the first audio arrived; False on timeout or if the recording ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._live.is_set():
            if self._done.is_set():
                return False
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            self._live.wait(0.05 if remaining is None else min(0.05, remaining))
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the recording has ended (stopped or lost); False on timeout."""
        return self._done.wait(timeout)

    # -- start / stop --------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a Recorder records once; make a new one for the next answer")
        if self._source is None:
            self._source = MicrophoneSource(self.device)  # AudioError names the device
        source = self._source
        self._resampler = StreamingResampler(int(source.sample_rate), SAMPLE_RATE)
        marker = marker_path(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # The marker goes first, so no crash can leave a WAV without one. It stays open
            # and locked while this recorder records: recovery elsewhere leaves it alone.
            self._marker = create_private_file(marker)
            self._marker.write(f"started {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n".encode())
            self._marker.flush()
            hold_marker(self._marker)
            self._writer = GrowingWavWriter(self.path, SAMPLE_RATE)
        except OSError as exc:
            self._let_go_of_marker()
            with contextlib.suppress(OSError):
                marker.unlink(missing_ok=True)
            problem = disk_problem(exc, self.path.parent)
            raise AudioError(f"{problem.cause}, so the recording {self.path.name} could not "
                             f"start; {problem.fix} and try again") from None
        fsync_folder(self.path.parent)
        self._thread = threading.Thread(target=self._run, name="greenroom-recorder",
                                        daemon=True)
        self._thread.start()
        try:
            source.start(self._enqueue)
        except BaseException:
            self._stopping = True
            self._queue.put(_STOP)
            self._thread.join(timeout=5.0)
            # Nothing was recorded: leave no empty file behind.
            self.path.unlink(missing_ok=True)
            marker.unlink(missing_ok=True)
            raise

    def _let_go_of_marker(self) -> None:
        """Close the marker, which drops its lock: the recording is no longer going on."""
        handle, self._marker = self._marker, None
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()

    def _enqueue(self, block: np.ndarray) -> None:
        # Called on the audio thread: SimpleQueue.put never blocks and holds no Python lock.
        # Both clocks: the monotonic one stands still while the computer sleeps on some
        # systems, the wall clock jumps; either one jumping means a pause.
        now, wall = time.monotonic(), time.time()
        if self._arrived is not None:
            gap = max(now - self._arrived[0], wall - self._arrived[1])
            if gap >= PAUSE_GAP_S:
                self._queue.put(_Gap(gap, now))
                self._catching_up = (now, 0, now, 0.0)
        self._arrived = (now, wall)
        self._queue.put(block)
        if self._catching_up is not None:
            came_back, given, ahead_since, ahead_s = self._catching_up
            given += int(block.shape[0])
            rate = float(getattr(self._source, "sample_rate", SAMPLE_RATE))
            real_s = now - came_back
            if given / rate - real_s > ahead_s + CATCH_UP_SLACK_S / 2:
                ahead_since, ahead_s = now, given / rate - real_s
            if now - ahead_since >= SETTLE_S:
                self._catching_up = None
                self._queue.put(_CaughtUp(real_s))
            else:
                self._catching_up = (came_back, given, ahead_since, ahead_s)

    def stop(self) -> RecordingResult:
        """Stop and close the file (safe to call again, or after the device was lost)."""
        with self._stop_lock:
            if self._result is not None:
                return self._result
            if self._thread is None:
                raise RuntimeError("stop() called on a Recorder that was never started")
            self._stopping = True
            if self._source is not None:
                self._source.stop()
            # The source has stopped calling back, so the sentinel is the last item.
            self._queue.put(_STOP)
            # on_device_lost runs on the writer thread after the file is closed; a handler
            # that calls stop() there must not wait for its own thread.
            if self._thread is not threading.current_thread():
                self._thread.join(timeout=10.0)
            if self._thread.is_alive() and self._thread is not threading.current_thread():
                log.error("recorder writer thread did not finish for %s", self.path)
            self._result = RecordingResult(self.path, self.elapsed_s, self.overflows,
                                           self._error, self._error_kind, tuple(self._pauses))
            return self._result

    # -- writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        writer = self._writer
        assert writer is not None
        last_sync = time.monotonic()
        lost: str | None = None
        clean = True
        try:
            while True:
                try:
                    item = self._queue.get(timeout=0.1)
                except queue.Empty:
                    item = None
                if isinstance(item, _Stop):
                    break
                if isinstance(item, _Gap):
                    self._release_held(writer, None)  # a pause within a pause's burst
                    self._held = ([], item)
                elif isinstance(item, _CaughtUp):
                    self._release_held(writer, item.real_s)
                elif item is not None and self._held is not None:
                    self._held[0].append(item)
                elif item is not None:
                    self._consume(writer, item)
                now = time.monotonic()
                if now - last_sync >= SYNC_INTERVAL_S:
                    writer.sync()
                    last_sync = now
                if not self._stopping and self._source is not None:
                    lost = self._source.error
                    if lost:
                        self._error = lost
                        self._error_kind = "device"
                        self._source.stop()
                        self._drain(writer)
                        break
            self._release_held(writer, None)
            self._finish_resampler(writer)
        except OSError as exc:
            clean = False
            problem = disk_problem(exc, self.path.parent)
            minutes, seconds = divmod(int(self.elapsed_s), 60)
            lost = (f"{problem.cause}, so the recording {self.path.name} stopped at "
                    f"{minutes}:{seconds:02d}; what was recorded is kept: {problem.fix}")
            self._error = lost
            self._error_kind = "disk"
            if self._source is not None:
                self._source.stop()
        finally:
            try:
                writer.close()
            except OSError:
                clean = False  # keep the marker: recovery will make the file valid later
            self._let_go_of_marker()
            if clean:
                marker_path(self.path).unlink(missing_ok=True)
            self._done.set()
        if lost and self.on_device_lost is not None:
            try:
                self.on_device_lost(lost)
            except Exception:  # noqa: BLE001 - a failing handler must not hide the loss
                log.exception("on_device_lost handler failed")

    def _drain(self, writer: GrowingWavWriter) -> None:
        """Write what the source delivered before it died."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, np.ndarray) and self._held is not None:
                self._held[0].append(item)
            elif isinstance(item, np.ndarray):
                self._consume(writer, item)

    def _release_held(self, writer: GrowingWavWriter, real_s: float | None) -> None:
        """Write what came after a pause, less the stretch the pause lasted: the held audio
        is [said before the pause, not yet handed over][kept by the audio server during
        the pause][said since the source came back, ``real_s`` of it]. The middle goes;
        ``real_s`` None: measured now."""
        if self._held is None:
            return
        blocks, gap = self._held
        self._held = None
        rate = float(getattr(self._source, "sample_rate", SAMPLE_RATE))
        audio = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
        held_s = audio.shape[0] / rate
        since_s = time.monotonic() - gap.at if real_s is None else real_s
        dropped_s = min(gap.length_s, max(0.0, held_s - since_s - CATCH_UP_SLACK_S))
        before = max(0, int(round((held_s - since_s - dropped_s) * rate)))
        after = min(audio.shape[0], before + int(round(dropped_s * rate)))
        if before:
            self._consume(writer, audio[:before])
        self._pauses.append(Pause(self.elapsed_s, gap.length_s))
        if after < audio.shape[0]:
            self._consume(writer, audio[after:])

    def _finish_resampler(self, writer: GrowingWavWriter) -> None:
        assert self._resampler is not None
        tail = self._resampler.flush()
        if tail.size:
            self._write_block(writer, tail)

    def _consume(self, writer: GrowingWavWriter, block: np.ndarray) -> None:
        assert self._resampler is not None
        block16 = self._resampler.process(block)
        if block16.size:
            self._write_block(writer, block16)

    def _write_block(self, writer: GrowingWavWriter, block16: np.ndarray) -> None:
        writer.append(block16)
        self._frames = writer.frames
        self._live.set()
        db = block_db(block16)
        self._level = meter_value(db)
        if db >= self.speech_threshold_db:
            self._last_voice_frame = self._frames
        for listener in list(self._listeners):
            try:
                listener(block16)
            except Exception:  # noqa: BLE001 - one bad listener must not stop the recording
                if id(listener) not in self._failed_listeners:
                    self._failed_listeners.add(id(listener))
                    log.exception("recording listener failed; it keeps getting blocks")
