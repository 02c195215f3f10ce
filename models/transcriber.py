"""Speech to text with faster-whisper, on the CPU, from local model files only.

Files and live answers take the same path: 16 kHz audio is cut into speech segments by
``models.speech_activity`` and each segment is transcribed once by ``transcribe_array``,
with word times moved onto the answer's clock. Silence is never sent to Whisper, which
keeps long quiet recordings cheap and stops Whisper from inventing words in them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, overload

import numpy as np

from audio.audio_file import read_audio_16k
from models.errors import ModelError
from models.speech_activity import (
    SAMPLE_RATE,
    SEGMENT_POLICY,
    CutPolicy,
    cut_segments,
    speech_probabilities,
)
from models.speech_models import ResolvedModel, resolve_model
from models.transcript import Decoding, DecodingPass, Transcript, Word

# Whisper was trained on cleaned-up text and tends to drop hesitations. A prompt that
# itself hesitates makes it far more willing to write them down, which the coach needs.
# Measured on espeak speech with eight fillers: this prompt keeps all eight, none are kept
# without a prompt. A terser one ("Um, uh, I mean, like, hmm.") kept them too but sometimes
# sent tiny.en into strings of hyphenated letters on ordinary sentences. This one can still
# send it into a loop now and then (one benchmark segment came out as "Sick. Sick. Sick."
# until the length limit), so a segment whose text fails Whisper's own sanity checks is
# decoded again without the prompt: see ``Transcriber._decode``.
FILLER_PROMPT = "So, um, I was, uh, thinking about it, and, hmm, well, um, we did it."

# Whisper's own thresholds for a failed decode: text that compresses too well is a loop,
# a low average log-probability is a guess.
# Beam width of the whole-answer pass (faster-whisper's own default for transcribe).
ACCURATE_BEAM_SIZE = 5
# Silence longer than this between stretches of speech is not decoded at all.
CLIP_JOIN_S = 5.0
CLIP_PAD_S = 0.3
# The most audio one faster-whisper call decodes (more clips start a new call).
PART_S = 240.0
# A stretch of speech this long that the whole-answer pass left (nearly) without words
# is redone; people say two to three words a second.
GAP_REDO_S = 1.0
SPARSE_WORDS_PER_S = 0.5
COMPRESSION_RATIO_LIMIT = 2.4
LOG_PROB_LIMIT = -1.0
# Nobody says more than about four words a second; eight tokens a second (plus a margin)
# leaves room for punctuation and timestamps while a decode that loops stops early,
# instead of running to Whisper's 448-token limit.
TOKENS_PER_SECOND = 8
# Whisper's own sampling length: a prompt plus this stays inside its 448-token context,
# whatever length of audio a caller passes in.
MAX_NEW_TOKENS = 224

# A segment always fits in one 30-second Whisper window, but unless the window's text ends
# on a lone timestamp, faster-whisper moves on to the audio after the last word and runs a
# whole second window over it. After a VAD segment that remainder is only the padding and
# the speaker's trailing breath: over 150 benchmark segments it never held a word, yet it
# doubled the encoder work. Once the words reach this close to the end, the rest is skipped.
TAIL_S = 1.0


def default_cpu_threads() -> int:
    # Leave nothing idle on a 2-core laptop, but more than 4 threads gains little for
    # the small models and starves the recorder and the window.
    return max(1, min(4, os.cpu_count() or 2))


class Transcriber:
    """One loaded Whisper model. Safe to share between threads."""

    def __init__(self, model: str | None = None, beam_size: int = 1,
                 cpu_threads: int | None = None, models_dir: Path | None = None) -> None:
        self.resolved: ResolvedModel = resolve_model(model, models_dir)
        self.name = self.resolved.name
        self.language: str | None = "en" if self.resolved.english_only else None
        self.beam_size = beam_size
        try:
            from faster_whisper import WhisperModel

            self._model = WhisperModel(
                str(self.resolved.path), device="cpu", compute_type="int8",
                cpu_threads=cpu_threads or default_cpu_threads(), local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - a corrupt or foreign folder, out of memory
            raise ModelError(f"speech model '{self.name}' at {self.resolved.path} could not be "
                             f"loaded ({type(exc).__name__}: {exc}); download it again with "
                             f"`greenroom speech-models download {self.name}`") from None

    def whisper_options(self) -> dict[str, object]:
        """The decoding options every Greenroom transcription starts with.

        The benchmarks call faster-whisper directly with these same options.
        """
        return {
            "language": self.language,
            "beam_size": self.beam_size,
            "word_timestamps": True,
            "initial_prompt": FILLER_PROMPT,
            # Segments are transcribed independently; carrying text over would let one
            # misheard segment derail the next.
            "condition_on_previous_text": False,
            # Greedy only: a failed decode is retried without the prompt (see _decode),
            # which cures the loops the prompt causes at a fraction of the cost of
            # faster-whisper's sampling fallback, and keeps results repeatable.
            "temperature": 0.0,
        }

    def decoding(self, pass_: DecodingPass, *, accurate: bool = False,
                 policy: CutPolicy = SEGMENT_POLICY) -> Decoding:
        """The record of how a transcript is made: segment by segment with
        ``whisper_options`` (the live pass, ``transcribe_audio``), or the whole answer with
        ``accurate_options`` (``transcribe_full``)."""
        options = self.accurate_options() if accurate else self.whisper_options()
        beam = options["beam_size"]
        return Decoding(pass_=pass_, beam_size=beam if isinstance(beam, int) else 1,
                        segment_policy=policy.name,
                        word_timestamps=options["word_timestamps"] is True,
                        initial_prompt=bool(options["initial_prompt"]))

    def transcribe_array(self, audio16k: np.ndarray, offset_s: float = 0.0) -> list[Word]:
        """Words in one stretch of 16 kHz mono audio; times are ``offset_s`` + seconds in it."""
        audio = np.asarray(audio16k, dtype=np.float32).ravel()
        if audio.size < SAMPLE_RATE // 10:
            return []
        duration_s = audio.size / SAMPLE_RATE
        try:
            found, failed = self._decode(audio, self.whisper_options())
            if failed:
                # Without the prompt, and with Whisper's sampling ladder as a last resort.
                retry = dict(self.whisper_options(), initial_prompt=None,
                             temperature=(0.0, 0.4, 0.8))
                found, _ = self._decode(audio, retry)
        except Exception as exc:  # noqa: BLE001 - CTranslate2 raises plain RuntimeErrors
            raise ModelError(f"speech model '{self.name}' failed on a segment at "
                             f"{offset_s:.1f} s ({type(exc).__name__}: {exc})") from None
        end_limit = offset_s + duration_s
        words: list[Word] = []
        last = offset_s
        for w in found:
            text = w.word.strip()
            if not text:
                continue
            # Keep times inside the segment and never running backwards.
            start = min(max(offset_s + float(w.start), last), end_limit)
            end = min(max(offset_s + float(w.end), start), end_limit)
            words.append(Word(text, start, end, float(w.probability)))
            last = start
        return words

    def _decode(self, audio: np.ndarray, options: dict[str, object]) -> tuple[list[Any], bool]:
        """faster-whisper's words for ``audio``, and whether a window failed its checks."""
        duration_s = audio.size / SAMPLE_RATE
        segments, _info = self._model.transcribe(
            audio, vad_filter=False,
            max_new_tokens=min(int(duration_s * TOKENS_PER_SECOND) + 16, MAX_NEW_TOKENS),
            **options)
        found: list[Any] = []  # faster-whisper Word records
        failed = False
        # The generator decodes a window only when asked for its first segment, so
        # stopping early really saves the tail window.
        for seg in segments:
            found += seg.words or []
            failed = failed or (seg.compression_ratio > COMPRESSION_RATIO_LIMIT
                                or seg.avg_logprob < LOG_PROB_LIMIT)
            if found and duration_s - float(found[-1].end) < TAIL_S:
                break
        return found, failed

    def transcribe_audio(self, audio16k: np.ndarray, policy: CutPolicy = SEGMENT_POLICY,
                         probabilities: np.ndarray | None = None) -> Transcript:
        """``probabilities``: the audio's speech probabilities, when already computed."""
        audio = np.asarray(audio16k, dtype=np.float32).ravel()
        words: list[Word] = []
        for start, end in cut_segments(audio, policy, probabilities):
            words += self.transcribe_array(audio[start:end], offset_s=start / SAMPLE_RATE)
        return Transcript(words=words, language=self.language or "en", model=self.name,
                          duration_s=audio.size / SAMPLE_RATE,
                          decoding=self.decoding("file", policy=policy))

    def accurate_options(self) -> dict[str, object]:
        """The whole-answer pass: faster-whisper's own 30 s windows with beam search.

        Measured on the benchmark answers, the filler prompt on the first window with no
        text carried between windows kept the hesitations and had the lowest word error
        rate of the variants tried (benchmarks/README.md); faster-whisper's default
        temperature ladder catches a window that loops.
        """
        return {
            "language": self.language,
            "beam_size": ACCURATE_BEAM_SIZE,
            "word_timestamps": True,
            "initial_prompt": FILLER_PROMPT,
            "condition_on_previous_text": False,
        }

    @overload
    def transcribe_full(self, audio16k: np.ndarray, *,
                        probabilities: np.ndarray | None = None,
                        pass_: DecodingPass = "file") -> Transcript: ...

    @overload
    def transcribe_full(self, audio16k: np.ndarray, *,
                        should_stop: Callable[[], bool] | None,
                        probabilities: np.ndarray | None = None,
                        pass_: DecodingPass = "file") -> Transcript | None: ...

    def transcribe_full(self, audio16k: np.ndarray, *,
                        should_stop: Callable[[], bool] | None = None,
                        probabilities: np.ndarray | None = None,
                        pass_: DecodingPass = "file") -> Transcript | None:
        """The accurate transcript of a whole answer, in one faster-whisper call.

        Slower than the live segments (beam search, no answer cut short at Stop), so the
        practice flow runs it after the instant feedback; files go straight through it.

        - Only the stretches with speech are decoded (long silences are left out, which
          also keeps the first word's time honest); ``probabilities`` are the audio's
          voice-activity scores when already computed.
        - Whisper's windowed pass can give up on a stretch (text that repeats trips its
          loop check, and then it may drop a whole window). A live-sized segment of
          speech that came back with almost no words (under one every two seconds) is
          decoded again on its own, as the live path does, and the fuller result kept.
        - ``should_stop`` is asked between Whisper's windows; when it says yes the pass
          is abandoned and None returned.
        - ``pass_`` is recorded in the transcript's ``decoding``: "refined" for the pass
          after a live answer, "file" for a recording.
        """
        audio = np.asarray(audio16k, dtype=np.float32).ravel()
        duration_s = audio.size / SAMPLE_RATE
        if probabilities is None:
            probabilities = speech_probabilities(audio)
        segments_with_speech = cut_segments(audio, SEGMENT_POLICY, probabilities)
        found: list[Word] = []
        # Decoded four minutes at a time: one call over a whole long answer holds all its
        # features and word alignments at once (measured: 729 MB peak for 10 minutes).
        for part_start, part_clips in _parts(segments_with_speech, duration_s):
            part = audio[int(part_start * SAMPLE_RATE):int(part_clips[-1] * SAMPLE_RATE)]
            local = [round(t - part_start, 3) for t in part_clips]
            options = dict(self.accurate_options(), clip_timestamps=local)
            try:
                segments, _info = self._model.transcribe(part, **options)
                # The generator decodes one window per step, so stopping between them
                # really ends the work.
                for segment in segments:
                    if should_stop is not None and should_stop():
                        return None
                    found += [Word(w.word.strip(), part_start + float(w.start),
                                   part_start + float(w.end), float(w.probability))
                              for w in segment.words or [] if w.word.strip()]
            except Exception as exc:  # noqa: BLE001 - CTranslate2 raises plain RuntimeErrors
                raise ModelError(f"speech model '{self.name}' failed on the answer "
                                 f"({type(exc).__name__}: {exc})") from None
        for start, end in segments_with_speech:
            if should_stop is not None and should_stop():
                return None
            lo, hi = start / SAMPLE_RATE, end / SAMPLE_RATE
            inside = [w for w in found if lo <= w.start_s < hi]
            if hi - lo >= GAP_REDO_S and len(inside) < SPARSE_WORDS_PER_S * (hi - lo):
                redone = self.transcribe_array(audio[start:end], offset_s=lo)
                if len(redone) > len(inside):
                    found = [w for w in found if not lo <= w.start_s < hi] + redone
        found.sort(key=lambda w: w.start_s)
        # Whisper stretches a first word back over the silence before it; a word starts no
        # earlier than the stretch of speech it ends in.
        starts = [(s / SAMPLE_RATE, e / SAMPLE_RATE) for s, e in segments_with_speech]
        words: list[Word] = []
        last = 0.0
        for w in found:
            floor = next((lo for lo, hi in starts if lo <= w.end_s <= hi), 0.0)
            start_s = min(max(w.start_s, last, min(floor, w.end_s)), duration_s)
            end_s = min(max(w.end_s, start_s), duration_s)
            words.append(Word(w.word, start_s, end_s, w.probability))
            last = start_s
        return Transcript(words=words, language=self.language or "en", model=self.name,
                          duration_s=duration_s, decoding=self.decoding(pass_, accurate=True))

    def transcribe_file(self, path: Path) -> Transcript:
        """Any audio file PyAV reads, transcribed accurately; ``AudioError`` for files that
        are not audio."""
        return self.transcribe_full(read_audio_16k(Path(path)))


_loaded: dict[str, Transcriber] = {}
_loaded_lock = threading.Lock()


def _parts(segments: list[tuple[int, int]], duration_s: float
           ) -> list[tuple[float, list[float]]]:
    """The stretches to decode, in runs of at most about ``PART_S`` seconds: (run start,
    the run's clip start and end times). Within a run, speech segments are joined across
    pauses shorter than ``CLIP_JOIN_S`` so Whisper keeps its context through ordinary
    pauses; longer silences are left out. Each segment is padded a little."""
    parts: list[tuple[float, list[float]]] = []
    for start, end in segments:
        lo = max(0.0, start / SAMPLE_RATE - CLIP_PAD_S)
        hi = min(duration_s, end / SAMPLE_RATE + CLIP_PAD_S)
        if parts and hi - parts[-1][0] <= PART_S:
            clips = parts[-1][1]
            if lo - clips[-1] < CLIP_JOIN_S:
                clips[-1] = max(clips[-1], hi)
            else:
                clips.extend((lo, hi))
        else:
            parts.append((lo, [lo, hi]))
    return parts


def load_transcriber(model: str | None = None, models_dir: Path | None = None) -> Transcriber:
    """A shared ``Transcriber`` per model, loaded on first use."""
    key = (model or "").strip() or "default"
    with _loaded_lock:
        if key not in _loaded:
            _loaded[key] = Transcriber(model, models_dir=models_dir)
        return _loaded[key]
