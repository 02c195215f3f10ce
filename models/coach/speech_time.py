"""When the candidate was actually speaking, measured from the audio.

Pauses and speaking time come from the sound, not from gaps between Whisper's word
timestamps: Whisper stretches words over silences and drops hesitations, so its gaps
are a poor clock. The Silero detector in ``models.speech_activity`` is used; if it cannot
run (its model file missing from a broken install, say) a frame-energy detector with an
adaptive noise floor stands in, and the result says which one measured. With no audio
at all, word timings are the only clock left and the result says that too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from models.transcript import Transcript

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
# Shorter gaps are part of fluent speech (between phrases, breaths) and are not reported.
SPLIT_PAUSE_S = 0.3

# Energy detector: 20 ms frames, speech when the frame is well above the noise floor.
FRAME_S = 0.02
ENERGY_MARGIN_DB = 15.0
ENERGY_ABS_FLOOR_DB = -55.0
HANGOVER_S = 0.15  # keeps word endings and short stops inside a speech span
MIN_SPEECH_S = 0.1


@dataclass(frozen=True)
class SpeechTiming:
    """Speech spans (seconds from the start of the recording) and how they were found."""

    spans: tuple[tuple[float, float], ...]
    source: str  # "audio_vad" | "audio_energy" | "word_timings" | "none"
    duration_s: float

    @property
    def first_s(self) -> float | None:
        return self.spans[0][0] if self.spans else None

    @property
    def last_s(self) -> float | None:
        return self.spans[-1][1] if self.spans else None

    @property
    def speaking_s(self) -> float:
        """From the first sound of speech to the last: the answer as the listener hears it."""
        if not self.spans:
            return 0.0
        return self.spans[-1][1] - self.spans[0][0]

    @property
    def voiced_s(self) -> float:
        return float(sum(e - s for s, e in self.spans))

    def gaps(self, min_s: float) -> list[tuple[float, float]]:
        """Silences of at least ``min_s`` between two speech spans."""
        out = []
        for (_, prev_end), (start, _) in zip(self.spans, self.spans[1:], strict=False):
            if start - prev_end >= min_s:
                out.append((prev_end, start))
        return out

    @property
    def from_audio(self) -> bool:
        return self.source.startswith("audio")


def _to_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    samples = np.asarray(audio, dtype=np.float32).reshape(-1)
    if sample_rate == SAMPLE_RATE or samples.size == 0:
        return samples
    count = max(1, int(round(samples.size * SAMPLE_RATE / sample_rate)))
    positions = np.linspace(0, samples.size - 1, count)
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)


def energy_speech_spans(audio16k: np.ndarray) -> list[tuple[float, float]]:
    """Speech spans from frame energy: above the noise floor by a margin, with hangover."""
    frame = int(FRAME_S * SAMPLE_RATE)
    count = audio16k.size // frame
    if count == 0:
        return []
    frames = audio16k[: count * frame].reshape(count, frame).astype(np.float64)
    db = 10.0 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
    # The quietest tenth of the recording is taken as the room's noise floor.
    floor = float(np.percentile(db, 10))
    threshold = max(floor + ENERGY_MARGIN_DB, ENERGY_ABS_FLOOR_DB)
    loud = db > threshold
    hang = int(round(HANGOVER_S / FRAME_S))
    if hang and loud.any():
        # Extend each loud frame forward by the hangover (a running max over a window).
        idx = np.flatnonzero(loud)
        extended = np.zeros(count + hang + 1, dtype=np.int32)
        np.add.at(extended, idx, 1)
        np.add.at(extended, idx + hang + 1, -1)
        loud = np.cumsum(extended)[:count] > 0
    spans: list[tuple[float, float]] = []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], loud.astype(np.int8), [0]))))
    for start, end in zip(edges[::2], edges[1::2], strict=False):
        s, e = start * FRAME_S, min(end * FRAME_S, audio16k.size / SAMPLE_RATE)
        if e - s >= MIN_SPEECH_S:
            spans.append((s, e))
    return _merge(spans, SPLIT_PAUSE_S)


def _merge(spans: list[tuple[float, float]], min_gap_s: float) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for s, e in spans:
        if merged and s - merged[-1][1] < min_gap_s:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def measure_from_audio(audio: np.ndarray, sample_rate: int = SAMPLE_RATE,
                       probabilities: np.ndarray | None = None) -> SpeechTiming:
    """Speech spans measured from the sound; ``probabilities`` reuse a VAD pass already run."""
    audio16k = _to_16k(audio, sample_rate)
    duration = audio16k.size / SAMPLE_RATE
    if audio16k.size == 0:
        return SpeechTiming(spans=(), source="audio_vad", duration_s=0.0)
    try:
        from models.speech_activity import speech_segments

        spans = speech_segments(audio16k, SAMPLE_RATE, min_pause_s=SPLIT_PAUSE_S,
                                probabilities=probabilities)
        source = "audio_vad"
    except Exception as exc:  # noqa: BLE001 - any VAD failure falls back to the energy detector
        log.warning("voice activity detector unavailable (%s); using frame energy", exc)
        spans = energy_speech_spans(audio16k)
        source = "audio_energy"
    return SpeechTiming(spans=tuple((round(s, 3), round(e, 3)) for s, e in spans),
                        source=source, duration_s=duration)


def measure_from_words(transcript: Transcript) -> SpeechTiming:
    """Spans from word timings, split where words are at least the split pause apart."""
    words = sorted((w for w in transcript.words if w.word.strip()), key=lambda w: w.start_s)
    spans = _merge([(float(w.start_s), float(max(w.end_s, w.start_s))) for w in words],
                   SPLIT_PAUSE_S)
    duration = max(float(transcript.duration_s), spans[-1][1] if spans else 0.0)
    return SpeechTiming(spans=tuple(spans), source="word_timings" if spans else "none",
                        duration_s=duration)


def measure_speech(transcript: Transcript, audio: np.ndarray | None,
                   sample_rate: int = SAMPLE_RATE,
                   probabilities: np.ndarray | None = None) -> SpeechTiming:
    if audio is None:
        return measure_from_words(transcript)
    return measure_from_audio(audio, sample_rate, probabilities)
