"""Transcription while the candidate is still speaking: both passes, behind the voice.

``feed`` only copies a block into fixed-size chunks (any thread, never blocks on the
model). The live worker scores new audio with the streaming VAD; each time a segment
closes at a pause it transcribes that segment, once (the live pass), and each time a
stretch closes it hands it to the accurate worker, which decodes it again with beam search
(``Transcriber.transcribe_stretch``) whenever the live worker has nothing to do. When the
answer stops, ``finish`` only has the open segment left to transcribe, so feedback can
start about a second after Stop however long the answer was, while the accurate worker
decodes the open stretch on the other core; ``refined`` then only waits for that stretch, and returns the transcript that is saved
(``Transcriber.refined_transcript``), the same one ``Transcriber.transcribe_full`` gives
for the recording.

Blocks are kept exactly as the recorder saves them (16-bit), so the voice activity, both
passes and a later pass over the WAV all hear the same samples. The recorder owns the
audio on disk; if a worker fails, ``finish`` or ``refined`` raises a ``ModelError`` and the
recording can still be transcribed from its file.
"""

from __future__ import annotations

import mmap
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from audio.wav_writer import as_saved
from models.errors import ModelError
from models.speech_activity import (
    SAMPLE_RATE,
    SEGMENT_POLICY,
    STRETCH_POLICY,
    CutPolicy,
    SegmentCutter,
    StreamingVad,
)
from models.transcriber import StretchWords, Transcriber
from models.transcript import Transcript, Word

CHUNK_SAMPLES = 30 * SAMPLE_RATE  # the buffer grows by 30 s chunks, never by copying


def _mapped(samples: int) -> np.ndarray:
    """A float32 array in memory of its own (an anonymous map), handed back to the system
    the moment the array is let go. Chunks from the ordinary heap are kept by the allocator
    after they are freed, so copying a long answer into one array at Stop would hold it
    twice for the rest of the process (measured: about 40 MB for 10 minutes)."""
    return np.frombuffer(mmap.mmap(-1, samples * 4), dtype=np.float32)


class ChunkedAudio:
    """Append-only 16 kHz audio in preallocated chunks; reads any range written so far.
    ``whole`` ends the appending and gives everything as one array."""

    def __init__(self, chunk_samples: int = CHUNK_SAMPLES) -> None:
        self._chunk = chunk_samples
        self._chunks: list[np.ndarray] = []
        self._size = 0
        self._whole: np.ndarray | None = None
        # While ``whole`` copies: the array being filled, and how many chunks are in it.
        self._filling: np.ndarray | None = None
        self._moved = 0
        self._lock = threading.Lock()
        self._whole_lock = threading.Lock()  # one ``whole`` at a time

    @property
    def size(self) -> int:
        return self._size

    def append(self, block: np.ndarray) -> None:
        data = np.asarray(block, dtype=np.float32).reshape(-1)
        with self._lock:
            if self._filling is not None:
                return  # sealed by ``whole``: the answer has ended
            done = 0
            while done < data.size:
                index, pos = divmod(self._size, self._chunk)
                if index == len(self._chunks):
                    self._chunks.append(_mapped(self._chunk))
                take = min(self._chunk - pos, data.size - done)
                self._chunks[index][pos:pos + take] = data[done:done + take]
                done += take
                self._size += take

    def read(self, start: int, end: int) -> np.ndarray:
        with self._lock:
            end = min(end, self._size)
            if start >= end:
                return np.zeros(0, dtype=np.float32)
            if self._whole is not None:
                return self._whole[start:end].copy()
            first, last = start // self._chunk, (end - 1) // self._chunk
            parts = []
            for index in range(first, last + 1):
                base = index * self._chunk
                lo, hi = max(start - base, 0), min(end - base, self._chunk)
                if index < self._moved:
                    assert self._filling is not None
                    parts.append(self._filling[base + lo:base + hi])
                else:
                    parts.append(self._chunks[index][lo:hi])
            return np.concatenate(parts) if len(parts) > 1 else parts[0].copy()

    def whole(self) -> np.ndarray:
        """Everything written, as one array (read-only: shared with later reads). Taking it
        seals the buffer, and each chunk is let go as soon as it is copied, so a long
        answer is never held twice. The copying holds the buffer's lock a chunk at a time
        only, so the passes read their last audio while it goes on (at Stop, in parallel)."""
        with self._whole_lock:
            with self._lock:
                if self._whole is not None:
                    return self._whole
                whole = self._filling = np.empty(self._size, dtype=np.float32)
                count, size = len(self._chunks), self._size
            for index in range(count):
                with self._lock:
                    chunk = self._chunks[index]
                base = index * self._chunk
                take = min(self._chunk, size - base)
                whole[base:base + take] = chunk[:take]  # NumPy lets go of the GIL for this
                with self._lock:
                    self._moved = index + 1
                    self._chunks[index] = np.empty(0, dtype=np.float32)
                del chunk  # its memory goes back to the system now
            with self._lock:
                whole.flags.writeable = False
                self._whole, self._chunks = whole, []
            return whole


class LiveTranscriber:
    """Feed 16 kHz mono blocks as they are recorded; ``finish`` returns the live
    transcript, ``refined`` the accurate one (unless made with ``refine=False``)."""

    def __init__(self, transcriber: Transcriber, policy: CutPolicy = SEGMENT_POLICY,
                 refine: bool = True) -> None:
        self.transcriber = transcriber
        self.audio = ChunkedAudio()
        self._vad = StreamingVad()
        self._cutter = SegmentCutter(policy)
        self.policy = policy
        self._words: list[Word] = []
        # The VAD's scores, kept so the coach measures pauses without a second VAD pass.
        self._probabilities: list[np.ndarray] = []
        self.segments: list[tuple[float, float]] = []  # transcribed spans, answer seconds
        # Each segment's end and how much of the answer had been heard when it closed
        # (answer seconds), and when its words were ready (time.monotonic()): how far the
        # live pass runs behind the voice.
        self.segment_times: list[tuple[float, float, float]] = []
        self._wake = threading.Event()
        self._finishing = threading.Event()
        self._cancelled = threading.Event()
        self._error: BaseException | None = None
        self._vad_pos = 0
        self._accurate = _AccuratePass(transcriber, self.audio, self._cancelled) if refine else None
        self._stretch_cutter = SegmentCutter(STRETCH_POLICY) if refine else None
        self._thread = threading.Thread(target=self._run, name="greenroom-live-stt", daemon=True)
        self._thread.start()

    def feed(self, block16k: np.ndarray) -> None:
        if self._finishing.is_set() or self._cancelled.is_set():
            return
        self.audio.append(as_saved(np.asarray(block16k, dtype=np.float32).reshape(-1)))
        self._wake.set()

    @property
    def duration_s(self) -> float:
        return self.audio.size / SAMPLE_RATE

    def words_so_far(self) -> list[Word]:
        return list(self._words)

    def _run(self) -> None:
        try:
            while not self._cancelled.is_set():
                if self._accurate is not None:
                    self._accurate.live_idle.set()
                self._wake.wait(timeout=0.2)
                if self._accurate is not None:
                    self._accurate.live_idle.clear()
                self._wake.clear()
                finishing = self._finishing.is_set()  # read before the audio: none after
                self._catch_up()
                if finishing:
                    last = self._scored(self._vad.finish())
                    if self._stretch_cutter is not None and self._accurate is not None:
                        self._accurate.add(self._stretch_cutter.push(last)
                                           + self._stretch_cutter.flush(), self.audio.size)
                    for start, end in self._cutter.push(last) + self._cutter.flush():
                        self._transcribe(start, end)
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to finish()
            self._error = exc
        finally:
            if self._accurate is not None:
                # No more stretches: the accurate worker finishes the ones it has.
                self._accurate.close(self.audio.size, self._error)

    def _catch_up(self) -> None:
        """Score all audio not yet seen by the VAD; hand every stretch that closes to the
        accurate worker and transcribe every segment that closes."""
        while self._vad_pos < self.audio.size and not self._cancelled.is_set():
            end = min(self.audio.size, self._vad_pos + 10 * SAMPLE_RATE)
            block = self.audio.read(self._vad_pos, end)
            self._vad_pos = end
            probabilities = self._scored(self._vad.process(block))
            if self._stretch_cutter is not None and self._accurate is not None:
                self._accurate.add(self._stretch_cutter.push(probabilities), end)
            for start, stop in self._cutter.push(probabilities):
                self._transcribe(start, stop)

    def _scored(self, probabilities: np.ndarray) -> np.ndarray:
        self._probabilities.append(probabilities)
        return probabilities

    def audio_and_probabilities(self) -> tuple[np.ndarray, np.ndarray]:
        """After ``finish``: the whole answer as heard (one array, not copied again), and
        its speech probabilities."""
        audio = self.audio.whole()
        probabilities = (np.concatenate(self._probabilities) if self._probabilities
                         else np.zeros(0, dtype=np.float32))
        return audio, probabilities

    def _transcribe(self, start: int, end: int) -> None:
        if self._cancelled.is_set():
            return
        end = min(end, self.audio.size)
        if start >= end:
            return
        self._words += self.transcriber.transcribe_array(self.audio.read(start, end),
                                                         offset_s=start / SAMPLE_RATE)
        self.segments.append((start / SAMPLE_RATE, end / SAMPLE_RATE))
        self.segment_times.append((end / SAMPLE_RATE, self._vad_pos / SAMPLE_RATE,
                                   time.monotonic()))

    def finish(self, timeout_s: float = 120.0) -> Transcript:
        """Stop taking audio, transcribe what is still open and return the whole answer."""
        if self._cancelled.is_set():
            raise ModelError("live transcription was cancelled; transcribe the recording instead")
        self._finishing.set()
        self._wake.set()
        # Both passes take their last piece at once, a core each; the answer is made one
        # array meanwhile (coaching it needs that, and the copy would otherwise come after).
        self.release_accurate()
        self.audio.whole()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            raise ModelError(f"live transcription did not finish within {timeout_s:.0f} s; "
                             "the recording is kept and can be transcribed again")
        if self._error is not None:
            err = self._error
            detail = str(err) if isinstance(err, ModelError) else f"{type(err).__name__}: {err}"
            raise ModelError(f"live transcription failed ({detail}); the recording is kept "
                             "and can be transcribed again")
        return Transcript(words=list(self._words), language=self.transcriber.language or "en",
                          model=self.transcriber.name, duration_s=self.duration_s,
                          decoding=self.transcriber.decoding("live", policy=self.policy))

    @property
    def refines(self) -> bool:
        """Whether the accurate pass runs beside the live one."""
        return self._accurate is not None

    @property
    def stretch_times(self) -> list[tuple[float, float, float]]:
        """Each stretch's end and how much of the answer had been heard when it closed
        (answer seconds), and when its accurate words were ready (time.monotonic())."""
        return list(self._accurate.times) if self._accurate is not None else []

    def release_accurate(self) -> None:
        """Let the accurate pass decode without waiting for the live one to be idle: done
        at Stop (``finish``), when the stretch still open is all it has left and a core of
        its own shortens the wait for the refined feedback by that stretch's decode."""
        if self._accurate is not None:
            self._accurate.released.set()

    def refined(self, should_stop: Callable[[], bool] | None = None,
                timeout_s: float = 600.0) -> Transcript | None:
        """After ``finish``: the transcript that is saved, once the accurate worker has done
        the stretches still open at Stop (usually one). None when ``should_stop`` said so
        meanwhile; a ``ModelError`` if the accurate pass failed or was not run."""
        if self._accurate is None:
            raise ModelError("this answer was not refined while it was spoken; transcribe "
                             "the recording instead")
        if not self._finishing.is_set():
            raise ModelError("the answer is still being recorded; stop it before refining it")
        if should_stop is not None and should_stop():
            return None
        stretches = self._accurate.result(should_stop, timeout_s)
        if stretches is None:
            return None
        return self.transcriber.refined_transcript(stretches, list(self._words), self.segments,
                                                   self.duration_s)

    def cancel(self) -> None:
        """Drop the answer: stop the workers after the segment or stretch each is on, keep
        nothing."""
        self._cancelled.set()
        self._wake.set()
        if self._accurate is not None:
            self._accurate.wake.set()
            self._accurate.released.set()


class _AccuratePass:
    """The accurate worker: decodes each closed stretch with beam search, in order,
    whenever the live worker is idle, so the live pass never waits behind it for more than
    the one model call under way."""

    def __init__(self, transcriber: Transcriber, audio: ChunkedAudio,
                 cancelled: threading.Event) -> None:
        self.transcriber = transcriber
        self.audio = audio
        self.cancelled = cancelled
        self.live_idle = threading.Event()
        self.released = threading.Event()  # Stop: no more waiting for the live pass
        self.wake = threading.Event()
        self.times: list[tuple[float, float, float]] = []
        self._queue: deque[tuple[int, int, int]] = deque()
        self._done: list[StretchWords] = []
        self._closed_at: int | None = None  # the answer's length, once no stretch can come
        self._error: BaseException | None = None
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="greenroom-accurate-stt",
                                        daemon=True)
        self._thread.start()

    def add(self, stretches: list[tuple[int, int]], heard: int) -> None:
        """Stretches that closed once ``heard`` samples of the answer were scored."""
        if stretches:
            with self._lock:
                self._queue.extend((start, end, heard) for start, end in stretches)
            self.wake.set()

    def close(self, size: int, error: BaseException | None) -> None:
        with self._lock:
            self._closed_at = size
            if error is not None and self._error is None:
                self._error = error
        self.wake.set()

    def _may_go(self) -> bool:
        # While the candidate speaks the live pass goes first: it has the model whenever it
        # has a segment. From Stop on (``released``) both run at once, a core each, so the
        # open stretch is decoded while the live pass does its open segment.
        return (self.cancelled.is_set() or self.released.is_set() or self._closed_at is not None
                or self.live_idle.is_set())

    def _next(self) -> tuple[int, int, int] | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def _run(self) -> None:
        try:
            while not self.cancelled.is_set():
                closed = self._closed_at is not None
                stretch = self._next()
                if stretch is None:
                    if closed:
                        return
                    self.wake.wait(timeout=0.2)
                    self.wake.clear()
                    continue
                # The live pass goes first: while the candidate speaks it has the model
                # whenever it has a segment; after Stop, the live pass and the instant
                # feedback finish before this goes on.
                while not self._may_go():
                    time.sleep(0.01)
                # Kept inside the audio, as ``cut_segments`` keeps a file's stretches.
                start, end = (min(edge, self.audio.size) for edge in stretch[:2])
                if start >= end:
                    continue
                words = self.transcriber.transcribe_stretch(
                    self.audio.read(start, end), offset_s=start / SAMPLE_RATE,
                    previous=self._done[-1].words if self._done else ())
                self._done.append(StretchWords(start / SAMPLE_RATE, end / SAMPLE_RATE,
                                               tuple(words)))
                self.times.append((end / SAMPLE_RATE, stretch[2] / SAMPLE_RATE,
                                   time.monotonic()))
        except BaseException as exc:  # noqa: BLE001 - handed to result()
            with self._lock:
                self._error = exc
        finally:
            self._finished.set()

    def result(self, should_stop: Callable[[], bool] | None,
               timeout_s: float) -> list[StretchWords] | None:
        deadline = time.monotonic() + timeout_s
        while not self._finished.wait(0.1):
            if should_stop is not None and should_stop():
                return None
            if time.monotonic() > deadline:
                raise ModelError(f"the accurate pass did not finish within {timeout_s:.0f} s; "
                                 "the recording is kept and can be transcribed again")
        if self._error is not None:
            err = self._error
            detail = str(err) if isinstance(err, ModelError) else f"{type(err).__name__}: {err}"
            raise ModelError(f"the accurate pass failed ({detail}); the recording is kept and "
                             "can be transcribed again")
        if self.cancelled.is_set():
            raise ModelError("live transcription was cancelled; transcribe the recording instead")
        return list(self._done)
