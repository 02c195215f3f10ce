"""Speech-to-text: speed against plain faster-whisper, live latency, accuracy and memory.

All figures come from one run on the same synthesized answers (espeak-ng through the
project's TTS), so they can be compared side by side.
"""

from __future__ import annotations

import platform
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from audio.audio_file import SAMPLE_RATE, read_audio_16k, write_wav_16k
from audio.tts import synthesize_to_wav
from benchmarks.word_error_rate import word_error_rate
from models.live_transcription import LiveTranscriber
from models.speech_activity import SEGMENT_POLICY
from models.transcriber import Transcriber

SENTENCES = (
    "I joined the support tools team when it had no clear owner.",
    "Tickets took a long time to close, and customers often waited days for an answer.",
    "I started by sitting with the support staff for a week to watch how they worked.",
    "Most of their time went into copying details between two different systems.",
    "So I proposed a small tool that pulled those details into one page.",
    "My manager worried that it would distract us from the main roadmap.",
    "I agreed to build a first version in my own time over two weeks.",
    "The first version was rough, but the support staff used it every day.",
    "After a month the average time to close a ticket had fallen by almost half.",
    "The company then made the tool an official project and gave it a budget.",
    "Looking back, I should have shared early results with my manager sooner.",
    "What I learned is that watching people work shows problems no report will.",
)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    import psutil

    ram = psutil.virtual_memory().total / 2**30
    return f"{model}, {os.cpu_count()} cores, {ram:.0f} GiB RAM, {platform.system()}"


def build_answer(minutes: float, folder: Path, seed: int = 1, gaps_s: tuple[float, float] = (0.3, 1.2),
                 noise: float = 3e-4) -> tuple[np.ndarray, str]:
    """Sentences in shuffled rounds with thinking pauses, until ``minutes`` of audio."""
    rng = random.Random(seed)
    clips: dict[str, np.ndarray] = {}
    for i, sentence in enumerate(SENTENCES):
        path = folder / f"s{i}.wav"
        if not path.exists():
            try:
                synthesize_to_wav(sentence, path, rate_wpm=160)
            except Exception:  # noqa: BLE001 - first request of the espeak driver can misfire
                synthesize_to_wav(sentence, path, rate_wpm=160)
        clips[sentence] = read_audio_16k(path)
    parts, words, total = [np.zeros(SAMPLE_RATE // 2, dtype=np.float32)], [], 0.0
    while total < minutes * 60:
        order = list(SENTENCES)
        rng.shuffle(order)
        for sentence in order:
            gap = np.zeros(int(rng.uniform(*gaps_s) * SAMPLE_RATE), dtype=np.float32)
            parts += [clips[sentence], gap]
            words.append(sentence)
            total += (clips[sentence].size + gap.size) / SAMPLE_RATE
            if total >= minutes * 60:
                break
    audio = np.concatenate(parts)
    # A faint noise floor, as any microphone has (or a noisy room, with a larger level).
    audio += np.random.default_rng(seed).normal(0, noise, audio.size).astype(np.float32)
    return audio, " ".join(words)


def time_direct(transcriber: Transcriber, audio: np.ndarray) -> tuple[float, str]:
    """faster-whisper called directly with the whole-answer pass's settings."""
    started = time.perf_counter()
    segments, _ = transcriber._model.transcribe(audio, **transcriber.accurate_options())
    text = " ".join(w.word.strip() for s in segments for w in (s.words or []))
    return time.perf_counter() - started, text


def time_file_path(transcriber: Transcriber, audio: np.ndarray) -> tuple[float, str]:
    """What `greenroom transcribe` does with a file's audio: VAD, then the whole-answer pass."""
    started = time.perf_counter()
    transcript = transcriber.transcribe_full(audio)
    return time.perf_counter() - started, transcript.text


def direct_best(transcriber: Transcriber, audio: np.ndarray) -> str:
    """faster-whisper's own best with its defaults: beam 5, word timestamps."""
    segments, _ = transcriber._model.transcribe(audio, beam_size=5, word_timestamps=True,
                                                language=transcriber.language)
    return " ".join(w.word.strip() for s in segments for w in (s.words or []))


def saved_transcript(transcriber: Transcriber, audio: np.ndarray) -> str:
    """The transcript Greenroom saves for a live answer: the refine pass over the audio as
    it reads back from the WAV, with the live pass's voice-activity scores."""
    from audio.wav_writer import as_saved
    from models.speech_activity import speech_probabilities

    return transcriber.transcribe_full(as_saved(audio),
                                       probabilities=speech_probabilities(audio)).text


def live_at_real_time(transcriber: Transcriber, audio: np.ndarray) -> tuple[float, str]:
    """Feed like a microphone (100 ms blocks at wall-clock pace); seconds from Stop to text."""
    live = LiveTranscriber(transcriber)
    block = SAMPLE_RATE // 10

    def speak() -> None:
        start = time.perf_counter()
        for n, i in enumerate(range(0, audio.size, block)):
            delay = start + n * 0.1 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            live.feed(audio[i:i + block])

    speaker = threading.Thread(target=speak)
    speaker.start()
    speaker.join()
    stopped = time.perf_counter()
    transcript = live.finish()
    # The first feedback: the live transcript coached with the live pass's own VAD scores.
    from interview_scripts.frameworks import STAR
    from interview_scripts.script import Question
    from interview_scripts.time_guide import parse_time_guide
    from models.answer_pipeline import LiveResult, coach_recording

    recorded, probabilities = live.audio_and_probabilities()
    question = Question(id="bench", text="Tell me about a tool you built.", framework=STAR,
                        time_guide=parse_time_guide("2-3 minutes"))
    coach_recording(question, transcriber, live=LiveResult(transcript, recorded, probabilities))
    return time.perf_counter() - stopped, transcript.text


def peak_rss_mb() -> float:
    """Peak resident memory of this process image, in MB.

    Linux's ``ru_maxrss`` survives ``exec``: a child started by a big benchmark process
    reports the parent's size at the fork. ``VmHWM`` belongs to the new image only.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run(quick: bool = False) -> None:
    print(f"machine: {machine()}")
    transcriber = Transcriber()
    print(f"model: {transcriber.name}, beam {transcriber.beam_size}, int8 on CPU")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        file_minutes = 2 if quick else 6
        audio, text = build_answer(file_minutes, folder)
        seconds = audio.size / SAMPLE_RATE
        transcriber.transcribe_array(audio[: 5 * SAMPLE_RATE])  # warm-up, not measured
        # Alternate the two and keep each one's best of three: a shared 2-core machine
        # jitters by more than the difference being measured.
        runs = [(time_direct(transcriber, audio), time_file_path(transcriber, audio))
                for _ in range(3)]
        direct_s, direct_text = min((r[0] for r in runs), key=lambda r: r[0])
        file_s, file_text = min((r[1] for r in runs), key=lambda r: r[0])
        print(f"file, {seconds / 60:.1f} min answer:")
        print(f"  faster-whisper direct, same settings RTF {direct_s / seconds:.3f}  "
              f"WER {word_error_rate(text, direct_text):.3f}")
        print(f"  Greenroom file path             RTF {file_s / seconds:.3f}  "
              f"WER {word_error_rate(text, file_text):.3f}")
        print(f"  overhead ratio (Greenroom / direct) {file_s / direct_s:.2f}")
        answers = {"2 min": build_answer(2, folder, seed=2),
                   "long pauses": build_answer(2, folder, seed=5, gaps_s=(2.5, 6.0)),
                   "background noise": build_answer(2, folder, seed=7, noise=0.02)}
        if not quick:
            answers["6 min"] = build_answer(6, folder, seed=6)
        print("accuracy, saved transcript against faster-whisper direct (beam 5, word "
              "timestamps, its defaults):")
        saved_wers, direct_wers = [], []
        for name, (audio, text) in answers.items():
            saved = word_error_rate(text, saved_transcript(transcriber, audio))
            direct = word_error_rate(text, direct_best(transcriber, audio))
            saved_wers.append(saved)
            direct_wers.append(direct)
            print(f"  {name:<17} saved WER {saved:.3f}   direct WER {direct:.3f}")
        print(f"  mean              saved WER {np.mean(saved_wers):.3f}   direct WER "
              f"{np.mean(direct_wers):.3f}   difference {np.mean(saved_wers) - np.mean(direct_wers):+.3f}")
        for minutes in ((2,) if quick else (2, 6)):
            audio, text = build_answer(minutes, folder, seed=minutes)
            latency, live_text = live_at_real_time(transcriber, audio)
            print(f"live, {minutes} min answer fed at real time: Stop to first feedback "
                  f"{latency:.2f} s  (live WER {word_error_rate(text, live_text):.3f})")
        # The most that can be left at Stop is one segment at the length cap.
        cap_s = SEGMENT_POLICY.max_segment_s
        audio, _ = build_answer(cap_s / 60, folder, seed=3)
        started = time.perf_counter()
        transcriber.transcribe_array(audio[: int(cap_s * SAMPLE_RATE)])
        print(f"live, worst case: a {cap_s:.0f} s segment still open at Stop takes "
              f"{time.perf_counter() - started:.2f} s")
        # Memory in a fresh process: this one has loaded the TTS engine and many minutes
        # of audio by now, which a real transcription never has.
        memory_minutes = 3 if quick else 10
        audio, _ = build_answer(memory_minutes, folder, seed=10)
        write_wav_16k(folder / "answer.wav", audio)
        code = f"from benchmarks.speech_bench import file_memory; file_memory({str(folder)!r})"
        subprocess.run([sys.executable, "-c", code], check=True)


def file_memory(folder: str) -> None:
    """Peak RSS of a fresh process that transcribes ``answer.wav`` in ``folder``."""
    from models.transcriber import load_transcriber

    path = Path(folder) / "answer.wav"
    transcript = load_transcriber().transcribe_file(path)
    print(f"peak RSS transcribing a {transcript.duration_s / 60:.0f} min answer from a file "
          f"in a fresh process: {peak_rss_mb():.0f} MB ({len(transcript.words)} words)",
          flush=True)
