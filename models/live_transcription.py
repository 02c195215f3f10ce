"""Transcription while the candidate is still speaking.

``feed`` only copies a block into fixed-size chunks (any thread, never blocks on the
model). A worker thread scores new audio with the streaming VAD, and each time a segment
closes at a pause it transcribes that segment, once. When the answer stops, ``finish``
only has the open remainder left to transcribe, so feedback can start about a second
after Stop however long the answer was.

The recorder owns the audio on disk; if the worker fails, ``finish`` raises a
``ModelError`` and the recording can still be transcribed from its file.
"""

from __future__ import annotations

import threading

import numpy as np

from models.errors import ModelError
from models.speech_activity import (
    SAMPLE_RATE,
    SEGMENT_POLICY,
    CutPolicy,
    SegmentCutter,
    StreamingVad,
)
from models.transcriber import Transcriber
from models.transcript import Transcript, Word

CHUNK_SAMPLES = 30 * SAMPLE_RATE  # the buffer grows by 30 s chunks, never by copying


class ChunkedAudio:
    """Append-only 16 kHz audio in preallocated chunks; reads any range written so far."""

    def __init__(self, chunk_samples: int = CHUNK_SAMPLES) -> None:
        self._chunk = chunk_samples
        self._chunks: list[np.ndarray] = []
        self._size = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._size

    def append(self, block: np.ndarray) -> None:
        data = np.asarray(block, dtype=np.float32).reshape(-1)
        with self._lock:
            done = 0
            while done < data.size:
                index, pos = divmod(self._size, self._chunk)
                if index == len(self._chunks):
                    self._chunks.append(np.empty(self._chunk, dtype=np.float32))
                take = min(self._chunk - pos, data.size - done)
                self._chunks[index][pos:pos + take] = data[done:done + take]
                done += take
                self._size += take

    def read(self, start: int, end: int) -> np.ndarray:
        with self._lock:
            end = min(end, self._size)
            if start >= end:
                return np.zeros(0, dtype=np.float32)
            first, last = start // self._chunk, (end - 1) // self._chunk
            parts = []
            for index in range(first, last + 1):
                base = index * self._chunk
                parts.append(self._chunks[index][max(start - base, 0):min(end - base, self._chunk)])
            return np.concatenate(parts) if len(parts) > 1 else parts[0].copy()


class LiveTranscriber:
    """Feed 16 kHz mono blocks as they are recorded; ``finish`` returns the transcript."""

    def __init__(self, transcriber: Transcriber, policy: CutPolicy = SEGMENT_POLICY) -> None:
        self.transcriber = transcriber
        self.audio = ChunkedAudio()
        self._vad = StreamingVad()
        self._cutter = SegmentCutter(policy)
        self.policy = policy
        self._words: list[Word] = []
        # The VAD's scores, kept so the coach measures pauses without a second VAD pass.
        self._probabilities: list[np.ndarray] = []
        self.segments: list[tuple[float, float]] = []  # transcribed spans, answer seconds
        self._wake = threading.Event()
        self._finishing = threading.Event()
        self._cancelled = threading.Event()
        self._error: BaseException | None = None
        self._vad_pos = 0
        self._thread = threading.Thread(target=self._run, name="greenroom-live-stt", daemon=True)
        self._thread.start()

    def feed(self, block16k: np.ndarray) -> None:
        if self._finishing.is_set() or self._cancelled.is_set():
            return
        self.audio.append(block16k)
        self._wake.set()

    @property
    def duration_s(self) -> float:
        return self.audio.size / SAMPLE_RATE

    def words_so_far(self) -> list[Word]:
        return list(self._words)

    def _run(self) -> None:
        try:
            while not self._cancelled.is_set():
                self._wake.wait(timeout=0.2)
                self._wake.clear()
                finishing = self._finishing.is_set()  # read before the audio: none after
                self._catch_up()
                if finishing:
                    for start, end in self._cutter.push(self._scored(self._vad.finish())) + \
                            self._cutter.flush():
                        self._transcribe(start, end)
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to finish()
            self._error = exc

    def _catch_up(self) -> None:
        """Score all audio not yet seen by the VAD; transcribe every segment that closes."""
        while self._vad_pos < self.audio.size and not self._cancelled.is_set():
            end = min(self.audio.size, self._vad_pos + 10 * SAMPLE_RATE)
            block = self.audio.read(self._vad_pos, end)
            self._vad_pos = end
            for start, stop in self._cutter.push(self._scored(self._vad.process(block))):
                self._transcribe(start, stop)

    def _scored(self, probabilities: np.ndarray) -> np.ndarray:
        self._probabilities.append(probabilities)
        return probabilities

    def audio_and_probabilities(self) -> tuple[np.ndarray, np.ndarray]:
        """After ``finish``: the whole answer as heard, and its speech probabilities."""
        audio = self.audio.read(0, self.audio.size)
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

    def finish(self, timeout_s: float = 120.0) -> Transcript:
        """Stop taking audio, transcribe what is still open and return the whole answer."""
        if self._cancelled.is_set():
            raise ModelError("live transcription was cancelled; transcribe the recording instead")
        self._finishing.set()
        self._wake.set()
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

    def cancel(self) -> None:
        """Drop the answer: stop the worker after the segment it is on, keep nothing."""
        self._cancelled.set()
        self._wake.set()
