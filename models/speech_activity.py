"""Where someone is speaking: streaming voice activity detection and speech segmentation.

faster-whisper ships the Silero VAD network as ONNX; its own wrapper scores a whole
array at once with fresh state. Live transcription needs the same scores a piece at a
time, so ``StreamingVad`` keeps the network's recurrent state and the 64-sample context
between calls. Scoring an array in one call or in any number of pieces gives the same
probabilities.

``SegmentCutter`` turns those per-window probabilities into speech segments that are
worth transcribing on their own: it closes a segment at a pause, closes a long one at a
shorter breath, and never lets one grow past Whisper's 30-second window. The file path
and the live path both cut with it, so a file and a live answer are transcribed the same
way. ``speech_segments`` is the plain offline view (speech spans with their natural
pauses), which the coach can use for speaking time and pauses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16_000
WINDOW = 512  # samples the network scores at once (32 ms at 16 kHz)
CONTEXT = 64  # samples of the previous window the network sees in front of each window
WINDOW_S = WINDOW / SAMPLE_RATE
# Digital silence (a muted input, padding) is skipped without running the network once it
# has lasted SILENT_RUN windows: a long muted stretch then costs almost nothing.
SILENCE_FLOOR = 1e-4  # about -80 dBFS; real microphones never get this quiet
SILENT_RUN = 16

_session_lock = threading.Lock()


def _vad_session():  # -> onnxruntime.InferenceSession
    # faster-whisper caches one session per process; onnxruntime allows concurrent run().
    from faster_whisper.vad import get_vad_model

    with _session_lock:
        return get_vad_model().session


class StreamingVad:
    """Speech probability for each 32 ms window of a 16 kHz stream, fed in any pieces."""

    def __init__(self) -> None:
        self._session = _vad_session()
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._silent_run = 0
        self.windows_done = 0

    def process(self, audio: np.ndarray) -> np.ndarray:
        """Score every complete window now available; keep the rest for the next call."""
        audio = np.asarray(audio, dtype=np.float32).ravel()
        if self._pending.size:
            audio = np.concatenate((self._pending, audio))
        count = audio.size // WINDOW
        self._pending = audio[count * WINDOW:].copy()
        if count == 0:
            return np.zeros(0, dtype=np.float32)
        windows = audio[: count * WINDOW].reshape(count, WINDOW)
        contexts = np.empty((count, CONTEXT), dtype=np.float32)
        contexts[0] = self._context
        contexts[1:] = windows[:-1, -CONTEXT:]
        self._context = windows[-1, -CONTEXT:].copy()
        batch = np.concatenate((contexts, windows), axis=1)
        skip = self._skippable(np.abs(windows).max(axis=1) < SILENCE_FLOOR)
        probs = np.zeros(count, dtype=np.float32)
        # Run the network over each stretch that is not skipped, in order, carrying state.
        edges = np.flatnonzero(np.diff(skip.astype(np.int8))) + 1
        for lo, hi in zip(np.r_[0, edges], np.r_[edges, count], strict=True):
            if skip[lo]:
                self._h = np.zeros_like(self._h)
                self._c = np.zeros_like(self._c)
                continue
            out, self._h, self._c = self._session.run(
                None, {"input": batch[lo:hi], "h": self._h, "c": self._c})
            probs[lo:hi] = np.asarray(out, dtype=np.float32).reshape(-1)
        self.windows_done += count
        return probs

    def _skippable(self, silent: np.ndarray) -> np.ndarray:
        """Windows deep inside a run of digital silence (runs carry across calls)."""
        run = np.empty(silent.size, dtype=np.int64)
        current = self._silent_run
        for k, quiet in enumerate(silent.tolist()):
            current = current + 1 if quiet else 0
            run[k] = current
        self._silent_run = current
        return run >= SILENT_RUN

    def finish(self) -> np.ndarray:
        """Score the last partial window, padded with silence."""
        if not self._pending.size:
            return np.zeros(0, dtype=np.float32)
        tail = np.zeros(WINDOW, dtype=np.float32)
        tail[: self._pending.size] = self._pending
        self._pending = np.zeros(0, dtype=np.float32)
        return self.process(tail)


@dataclass(frozen=True)
class CutPolicy:
    """When a speech segment is closed; lengths in seconds.

    The defaults are the one policy both the live and the file path cut with. Every
    segment costs Whisper a whole 30-second encoder pass, and it hears words better with
    more context, so segments are long: a pause closes one only once it has run 16 s, or when the speaker
    stops for 2 s to think. The 20 s cap bounds the one segment still open at Stop, which
    is all that is left to transcribe then (1.5 s for tiny.en on a slow 2-core machine).
    """

    pause_s: float = 0.6  # a pause this long ends a segment...
    min_segment_s: float = 16.0  # ...once the segment is at least this long...
    long_pause_s: float = 2.0  # ...while a pause this long always ends it
    long_segment_s: float = 18.0  # past this, a shorter breath is enough to close
    breath_s: float = 0.2
    max_segment_s: float = 20.0  # hard cap, inside Whisper's 30-second window
    pad_s: float = 0.2  # kept either side of speech so word edges are not clipped
    min_speech_s: float = 0.15  # shorter blips (a click, a cough) are not transcribed
    threshold: float = 0.5
    neg_threshold: float = 0.35  # hysteresis: once speaking, stay so until this low
    # Saved with every transcript it cut (``models.transcript.Decoding``).
    name: str = "custom"


# One policy for files and live answers, so a recording transcribed again from its file
# gives the words the candidate saw after Stop. Its name goes into every saved
# transcript: give it a new one whenever a number above changes.
SEGMENT_POLICY = CutPolicy(name="segments-v1")

# Where the accurate pass cuts an answer: stretches of up to one Whisper window (30 s),
# closed at an ordinary pause once they run 22 s, so Whisper hears whole sentences with
# their context; a pause of 5 s always closes one, and its silence is not decoded. A
# stretch is closed the moment its pause is heard, so the accurate pass works through the
# answer while the candidate speaks and only the stretch still open is left at Stop. Files
# are cut the same way from the same voice activity, so an answer saved live is its
# recording's transcript. Measured against longer and shorter stretches in
# benchmarks/README.md; rename it whenever a number changes.
STRETCH_POLICY = CutPolicy(pause_s=0.6, min_segment_s=22.0, long_pause_s=5.0,
                           long_segment_s=27.0, breath_s=0.2, max_segment_s=30.0, pad_s=0.3,
                           name="stretches-v1")


def _windows(seconds: float) -> int:
    return 1 << 62 if seconds == float("inf") else round(seconds / WINDOW_S)


class SegmentCutter:
    """Consumes window probabilities in order; returns closed segments as sample ranges."""

    def __init__(self, policy: CutPolicy = SEGMENT_POLICY) -> None:
        self.policy = policy
        w = WINDOW_S
        self._pause_w = max(1, round(policy.pause_s / w))
        self._min_w = _windows(policy.min_segment_s)
        self._long_pause_w = max(self._pause_w, _windows(policy.long_pause_s))
        self._breath_w = max(1, round(policy.breath_s / w))
        self._long_w = _windows(policy.long_segment_s)
        self._max_w = _windows(policy.max_segment_s)
        self._pad_w = round(policy.pad_s / w)
        self._min_speech_w = max(1, round(policy.min_speech_s / w))
        self._index = 0  # next window to consume
        self._speaking = False
        self._start: int | None = None  # first window of the open segment
        self._last_speech_end = 0  # window after the last speech window
        self._speech_w = 0  # speech windows in the open segment
        self._floor = 0  # a new segment may not start before this window

    def push(self, probs: np.ndarray) -> list[tuple[int, int]]:
        closed: list[tuple[int, int]] = []
        p = self.policy
        for prob in np.asarray(probs).reshape(-1):
            i = self._index
            self._index += 1
            if self._speaking:
                self._speaking = prob >= p.neg_threshold
            else:
                self._speaking = prob >= p.threshold
            if self._start is None:
                if self._speaking:
                    self._start = max(self._floor, i - self._pad_w)
                    self._speech_w = 1
                    self._last_speech_end = i + 1
                continue
            if self._speaking:
                self._speech_w += 1
                self._last_speech_end = i + 1
            silence = self._index - self._last_speech_end
            length = self._index - self._start
            paused = silence >= self._pause_w and (length >= self._min_w
                                                   or silence >= self._long_pause_w)
            if paused or (length >= self._long_w and silence >= self._breath_w):
                end = min(self._index, self._last_speech_end + self._pad_w)
                self._close(end, closed)
            elif length >= self._max_w:
                self._close(self._index, closed)
                if self._speaking:  # speech runs on: the next segment starts right here
                    self._start = self._index
                    self._speech_w = 0
        return closed

    def flush(self) -> list[tuple[int, int]]:
        """Close the open segment at the end of the audio."""
        closed: list[tuple[int, int]] = []
        if self._start is not None:
            self._close(min(self._index, self._last_speech_end + self._pad_w), closed)
        return closed

    def _close(self, end_w: int, closed: list[tuple[int, int]]) -> None:
        assert self._start is not None
        if self._speech_w >= self._min_speech_w and end_w > self._start:
            closed.append((self._start * WINDOW, end_w * WINDOW))
        self._floor = end_w
        self._start = None
        self._speech_w = 0


# Long audio is scored a piece at a time: one batch for a 10-minute file holds every
# window's network activations at once (about 200 MB more at the peak).
PIECE = 30 * SAMPLE_RATE


def speech_probabilities(audio16k: np.ndarray) -> np.ndarray:
    """Probability of speech for each 32 ms window of ``audio16k``."""
    audio = np.asarray(audio16k, dtype=np.float32).ravel()
    vad = StreamingVad()
    parts = [vad.process(audio[i:i + PIECE]) for i in range(0, audio.size, PIECE)]
    return np.concatenate([*parts, vad.finish()])


def cut_segments(audio16k: np.ndarray, policy: CutPolicy = SEGMENT_POLICY,
                 probabilities: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Sample ranges of ``audio16k`` to transcribe one by one, cut as the live path cuts.

    ``probabilities`` are this audio's ``speech_probabilities`` when already computed.
    """
    if probabilities is None:
        probabilities = speech_probabilities(audio16k)
    cutter = SegmentCutter(policy)
    segments = cutter.push(probabilities)
    segments += cutter.flush()
    n = len(audio16k)
    return [(min(s, n), min(e, n)) for s, e in segments if min(s, n) < min(e, n)]


def speech_segments(audio16k: np.ndarray, sample_rate: int = SAMPLE_RATE,
                    min_pause_s: float = 0.3,
                    probabilities: np.ndarray | None = None) -> list[tuple[float, float]]:
    """Spans of speech in seconds, split at every pause of at least ``min_pause_s``.

    The gaps between consecutive spans are the speaker's pauses, measured from the sound
    itself rather than from word timestamps. ``probabilities`` (16 kHz audio only) are the
    audio's ``speech_probabilities`` when already computed, e.g. by the live pass.
    """
    audio = np.asarray(audio16k, dtype=np.float32).ravel()
    if sample_rate != SAMPLE_RATE:
        positions = np.linspace(0, audio.size - 1, int(audio.size * SAMPLE_RATE / sample_rate))
        audio = np.interp(positions, np.arange(audio.size), audio).astype(np.float32)
    policy = CutPolicy(pause_s=min_pause_s, min_segment_s=0.0, long_segment_s=float("inf"),
                       max_segment_s=float("inf"), pad_s=0.0, min_speech_s=0.1)
    if probabilities is None or sample_rate != SAMPLE_RATE:
        probabilities = speech_probabilities(audio)
    cutter = SegmentCutter(policy)
    spans = cutter.push(probabilities) + cutter.flush()
    limit = audio.size / SAMPLE_RATE
    return [(s / SAMPLE_RATE, min(e / SAMPLE_RATE, limit)) for s, e in spans]
