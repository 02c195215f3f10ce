"""Speech to text with faster-whisper, on the CPU, from local model files only.

Two passes, one way for files and live answers. 16 kHz audio is scored for voice activity
once and cut by ``models.speech_activity``:

- the live pass decodes each segment (``SEGMENT_POLICY``) once, greedily, with the filler
  prompt (``transcribe_array``): quick, and it keeps the hesitations the coach counts;
- the accurate pass decodes each stretch (``STRETCH_POLICY``, up to one 30 s window) with
  beam search, no filler prompt and the stretch before as context (``transcribe_stretch``),
  as faster-whisper does at its best;
- ``refined_transcript`` puts the two together: the accurate words, with the hesitations
  only the live pass heard put back in.

A live answer runs both passes while the candidate speaks (``models.live_transcription``);
``transcribe_full`` runs them over a recording. Silence is never sent to Whisper, which
keeps long quiet recordings cheap and stops Whisper from inventing words in them.
"""

from __future__ import annotations

import bisect
import ctypes
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, overload

import numpy as np

from audio.audio_file import read_audio_16k
from models.errors import ModelError
from models.speech_activity import (
    SAMPLE_RATE,
    SEGMENT_POLICY,
    STRETCH_POLICY,
    CutPolicy,
    cut_segments,
    speech_probabilities,
)
from models.speech_models import ResolvedModel, resolve_model
from models.transcript import (
    Decoding,
    DecodingPass,
    Transcript,
    Word,
    bare,
    is_hesitation,
    join_word_pieces,
)

# Whisper was trained on cleaned-up text and tends to drop hesitations. A prompt that
# itself hesitates makes it far more willing to write them down, which the coach needs.
# Measured on espeak speech with eight fillers: this prompt keeps all eight, none are kept
# without a prompt. A terser one ("Um, uh, I mean, like, hmm.") kept them too but sometimes
# sent tiny.en into strings of hyphenated letters on ordinary sentences. This one can still
# send it into a loop now and then (one benchmark segment came out as "Sick. Sick. Sick."
# until the length limit), so a segment whose text fails Whisper's own sanity checks is
# decoded again without the prompt: see ``Transcriber._decode``. Only the live pass is
# given it: on recordings of real people it also made Whisper write numbers in words where
# it otherwise writes digits, and invent text after the last word ("So, so, so.").
FILLER_PROMPT = "So, um, I was, uh, thinking about it, and, hmm, well, um, we did it."

# Beam width of the accurate pass (faster-whisper's own default for transcribe).
ACCURATE_BEAM_SIZE = 5
# A stretch this long that the accurate pass left (nearly) without words takes the live
# segments' words instead; people say two to three words a second.
GAP_REDO_S = 1.0
SPARSE_WORDS_PER_S = 0.5
# Whisper's own thresholds for a failed decode: text that compresses too well is a loop,
# a low average log-probability is a guess.
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


@dataclass(frozen=True)
class StretchWords:
    """One stretch of an answer (seconds) and the words the accurate pass heard in it."""

    start_s: float
    end_s: float
    words: tuple[Word, ...]


# The two passes run side by side, each in its own CTranslate2 worker (the model's weights
# are shared), so the live pass never waits behind a beam search: on a 2-core laptop, one
# core each. Measured on 2 cores with tiny.en: a 20 s segment took 0.58 s while a 28 s
# stretch was decoded beside it, against 1.28 s with one worker of two threads (calls
# queue behind each other there); alone, one thread was as quick as two (0.49 / 0.47 s).
PASS_WORKERS = 2


# glibc serves a freed buffer's size from the heap from then on (its mmap threshold rises
# with every large free, up to 32 MB), and keeps heap memory after it is freed: each pass's
# per-window buffers then stay with the process. With the threshold held at 4 MB, buffers
# that large are mapped and handed back when freed. Measured through a 10-minute answer
# (live and accurate passes, no window): peak 541 MB, 491 MB kept after; with 4 MB: 430 and
# 351 MB at the same speed (1 MB: 384 MB but 30 % slower decoding; 128 kB: 352 MB, half
# the speed).
LARGE_BUFFER_BYTES = 4 * 1024 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def _hand_back_large_buffers() -> None:
    """Hold glibc's mmap threshold at ``LARGE_BUFFER_BYTES`` (Linux; elsewhere nothing to
    do, and a C library without ``mallopt`` is left as it is)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt(_M_MMAP_THRESHOLD, LARGE_BUFFER_BYTES)


def default_cpu_threads() -> int:
    """Threads for each pass's worker: the cores shared between the two passes, at most 4
    in all (more gains little for the small models and starves the recorder and window)."""
    return max(1, min(4, os.cpu_count() or 2) // PASS_WORKERS)


class Transcriber:
    """One loaded Whisper model. Safe to share between threads."""

    def __init__(self, model: str | None = None, beam_size: int = 1,
                 cpu_threads: int | None = None, models_dir: Path | None = None) -> None:
        self.resolved: ResolvedModel = resolve_model(model, models_dir)
        self.name = self.resolved.name
        self.language: str | None = "en" if self.resolved.english_only else None
        self.beam_size = beam_size
        _hand_back_large_buffers()
        try:
            from faster_whisper import WhisperModel

            self._model = WhisperModel(
                str(self.resolved.path), device="cpu", compute_type="int8",
                cpu_threads=cpu_threads or default_cpu_threads(), num_workers=PASS_WORKERS,
                local_files_only=True)
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
        ``whisper_options`` (the live pass, ``transcribe_audio``), or stretch by stretch
        with ``accurate_options`` and the live pass's hesitations (``refined_transcript``:
        the refined and file passes, always cut by ``STRETCH_POLICY``)."""
        options = self.accurate_options() if accurate else self.whisper_options()
        beam = options["beam_size"]
        return Decoding(pass_=pass_, beam_size=beam if isinstance(beam, int) else 1,
                        segment_policy=STRETCH_POLICY.name if accurate else policy.name,
                        word_timestamps=options["word_timestamps"] is True,
                        initial_prompt=bool(options["initial_prompt"]),
                        hesitations_merged=accurate, previous_stretch=accurate)

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
        return _placed(found, offset_s, duration_s)

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

    def accurate_options(self, previous: str = "") -> dict[str, object]:
        """The accurate pass over one stretch: beam search with word timestamps,
        faster-whisper's own best, with its temperature ladder for a window that loops.

        - ``previous``, the words of the stretch before, is the prompt: faster-whisper
          gives each 30 s window the text of the one before, and a short stretch decoded
          without it loses the most (a 5 s closing sentence, "...worked again that
          afternoon", heard as "work to get a tough tune" alone and as "work to again that
          afternoon" after the stretch before).
        - Never the filler prompt: measured on recordings of real people it made Whisper
          invent text after the last word and write numbers in another style; the
          hesitations it is for come from the live pass (``refined_transcript``).
        """
        return {
            "language": self.language,
            "beam_size": ACCURATE_BEAM_SIZE,
            "word_timestamps": True,
            "initial_prompt": previous.strip() or None,
            "condition_on_previous_text": False,
        }

    def transcribe_stretch(self, audio16k: np.ndarray, offset_s: float = 0.0,
                           previous: Sequence[Word] = ()) -> list[Word]:
        """The accurate pass over one stretch of 16 kHz audio (``STRETCH_POLICY``: at most
        one 30 s window); times are ``offset_s`` + seconds in it. ``previous`` is the
        accurate words of the stretch before, its context."""
        audio = np.asarray(audio16k, dtype=np.float32).ravel()
        if audio.size < SAMPLE_RATE // 10:
            return []
        duration_s = audio.size / SAMPLE_RATE
        try:
            segments, _info = self._model.transcribe(
                audio, vad_filter=False,
                **self.accurate_options(" ".join(w.word for w in previous)))
            found: list[Any] = []
            # As in ``_decode``: the window after the last word is only the stretch's
            # padding, so it is not decoded.
            for segment in segments:
                found += segment.words or []
                if found and duration_s - float(found[-1].end) < TAIL_S:
                    break
        except Exception as exc:  # noqa: BLE001 - CTranslate2 raises plain RuntimeErrors
            raise ModelError(f"speech model '{self.name}' failed on the stretch at "
                             f"{offset_s:.1f} s ({type(exc).__name__}: {exc})") from None
        return _placed(found, offset_s, duration_s)

    def refined_transcript(self, stretches: Sequence[StretchWords], live_words: Sequence[Word],
                           segments: Sequence[tuple[float, float]], duration_s: float,
                           pass_: DecodingPass = "refined") -> Transcript:
        """The saved transcript of an answer: each stretch's accurate words, with the
        hesitations only the live pass heard put back in where they were said.

        - ``live_words`` are the live pass's words and ``segments`` its segments (seconds),
          cut from the same voice activity as the stretches.
        - A stretch the accurate pass left (nearly) without words, under one every two
          seconds, keeps the live words instead: Whisper's windowed decoding can give up on
          text that repeats (its loop check), where the segment pass still hears it.
        - A word starts no earlier than the segment of speech it ends in: Whisper stretches
          a first word back over the silence before it.
        """
        stretches = sorted(stretches, key=lambda stretch: stretch.start_s)
        starts = [stretch.start_s for stretch in stretches]
        heard: list[list[Word]] = [[] for _ in stretches]
        found: list[Word] = [] if stretches else list(live_words)
        for word in live_words if stretches else ():
            middle = (word.start_s + word.end_s) / 2
            heard[max(0, bisect.bisect_right(starts, middle) - 1)].append(word)
        for stretch, live in zip(stretches, heard, strict=True):
            accurate = list(stretch.words)
            span = stretch.end_s - stretch.start_s
            if (span >= GAP_REDO_S and len(accurate) < SPARSE_WORDS_PER_S * span
                    and len(live) > len(accurate)):
                found += live
            else:
                found += with_hesitations(accurate, live)
        words: list[Word] = []
        last = 0.0
        for w in found:
            floor = next((lo for lo, hi in segments if lo <= w.end_s <= hi), 0.0)
            start_s = min(max(w.start_s, last, min(floor, w.end_s)), duration_s)
            end_s = min(max(w.end_s, start_s), duration_s)
            words.append(Word(w.word, start_s, end_s, w.probability))
            last = start_s
        return Transcript(words=words, language=self.language or "en", model=self.name,
                          duration_s=duration_s, decoding=self.decoding(pass_, accurate=True))

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
        """The saved transcript of a recording: both passes over it, then
        ``refined_transcript``, exactly as a live answer is refined while it is spoken.

        ``probabilities`` are the audio's voice-activity scores when already computed;
        ``should_stop`` is asked between segments and stretches (None returned when it
        says yes); ``pass_`` is recorded in the transcript's ``decoding``.
        """
        audio = np.asarray(audio16k, dtype=np.float32).ravel()
        if probabilities is None:
            probabilities = speech_probabilities(audio)
        segments = cut_segments(audio, SEGMENT_POLICY, probabilities)
        stopped = threading.Event()

        def stop() -> bool:
            if should_stop is not None and should_stop():
                stopped.set()
            return stopped.is_set()

        # The live-style pass on one worker while the accurate pass runs on the other.
        live_words: list[Word] = []
        failure: list[BaseException] = []

        def live_pass() -> None:
            try:
                for start, end in segments:
                    if stop():
                        return
                    live_words.extend(self.transcribe_array(audio[start:end],
                                                            offset_s=start / SAMPLE_RATE))
            except BaseException as exc:  # noqa: BLE001 - raised below, on the caller's thread
                failure.append(exc)
                stopped.set()

        beside = threading.Thread(target=live_pass, name="greenroom-file-segments", daemon=True)
        beside.start()
        stretches: list[StretchWords] = []
        try:
            for start, end in cut_segments(audio, STRETCH_POLICY, probabilities):
                if stop():
                    break
                stretches.append(StretchWords(start / SAMPLE_RATE, end / SAMPLE_RATE, tuple(
                    self.transcribe_stretch(audio[start:end], offset_s=start / SAMPLE_RATE,
                                            previous=stretches[-1].words if stretches else ()))))
        except BaseException:
            stopped.set()
            raise
        finally:
            beside.join()
        if failure:
            raise failure[0]
        if stopped.is_set():
            return None
        spans = [(start / SAMPLE_RATE, end / SAMPLE_RATE) for start, end in segments]
        return self.refined_transcript(stretches, live_words, spans, audio.size / SAMPLE_RATE,
                                       pass_)

    def transcribe_file(self, path: Path) -> Transcript:
        """Any audio file PyAV reads, transcribed accurately; ``AudioError`` for files that
        are not audio."""
        return self.transcribe_full(read_audio_16k(Path(path)))


def _placed(found: Sequence[Any], offset_s: float, duration_s: float) -> list[Word]:
    """faster-whisper's words moved onto the answer's clock (``offset_s`` is where the
    decoded audio starts), kept inside it and never running backwards, with hyphenated and
    contracted words made whole."""
    end_limit = offset_s + duration_s
    words: list[Word] = []
    last = offset_s
    for w in found:
        text = w.word.strip()
        if not text:
            continue
        start = min(max(offset_s + float(w.start), last), end_limit)
        end = min(max(offset_s + float(w.end), start), end_limit)
        words.append(Word(text, start, end, float(w.probability)))
        last = start
    return join_word_pieces(words)


def with_hesitations(accurate: Sequence[Word], heard: Sequence[Word]) -> list[Word]:
    """``accurate`` with each hesitation of ``heard`` (the live pass's words over the same
    stretch) that the accurate pass did not write, put in where it was said. The two word
    lists are aligned by their text, so a hesitation goes between the words it was heard
    between even when Whisper's times for it are loose."""
    if not any(is_hesitation(w.word) for w in heard):
        return list(accurate)
    matcher = SequenceMatcher(a=[bare(w.word) for w in heard], b=[bare(w.word) for w in accurate],
                              autojunk=False)
    merged: list[Word] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        block = list(accurate[b0:b1])
        if op in ("delete", "replace"):
            extra = [w for w in heard[a0:a1] if is_hesitation(w.word)]
            if block and extra:
                # Placed among the block's words by time, inside the block's span.
                lo, hi = block[0].start_s, block[-1].end_s
                extra = [replace(w, start_s=min(max(w.start_s, lo), hi),
                                 end_s=min(max(w.end_s, lo), hi)) for w in extra]
            block = sorted(block + extra, key=lambda w: w.start_s)
        merged += block
    return merged


_loaded: dict[str, Transcriber] = {}
_loaded_lock = threading.Lock()


def load_transcriber(model: str | None = None, models_dir: Path | None = None) -> Transcriber:
    """A shared ``Transcriber`` per model, loaded on first use."""
    key = (model or "").strip() or "default"
    with _loaded_lock:
        if key not in _loaded:
            _loaded[key] = Transcriber(model, models_dir=models_dir)
        return _loaded[key]
