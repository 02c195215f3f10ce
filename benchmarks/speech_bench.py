"""Speech-to-text: speed against plain faster-whisper, live latency, accuracy and memory.

All figures come from one run on the same synthesized answers (espeak-ng through the
project's TTS), so they can be compared side by side, and on recordings of real people
(benchmarks/real_voices.py).
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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.audio_file import SAMPLE_RATE, read_audio_16k, write_wav_16k
from audio.tts import synthesize_to_wav
from benchmarks.word_error_rate import word_error_rate
from models.live_transcription import LiveTranscriber
from models.speech_activity import SEGMENT_POLICY, STRETCH_POLICY
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
    """The transcript Greenroom saves for a live answer: both passes over the samples as the
    recording keeps them (what the live answer's accurate pass gives, word for word)."""
    from audio.wav_writer import as_saved

    return transcriber.transcribe_full(as_saved(audio)).text


@dataclass(frozen=True)
class LiveRun:
    """One answer spoken into the live passes at real time, then stopped."""

    seconds: float
    to_instant_s: float  # Stop → the instant feedback (live transcript, coached)
    to_refined_s: float | None  # Stop → the refined feedback (accurate transcript, coached)
    live_lag_s: list[float]  # per segment: words ready, after the audio that closed it
    accurate_lag_s: list[float]  # per stretch, the same for the accurate pass
    accurate_left_s: float  # audio the accurate pass still had to decode at Stop
    live_text: str
    refined_text: str | None


def live_at_real_time(transcriber: Transcriber, audio: np.ndarray,
                      refine: bool = True) -> LiveRun:
    """Feed like a microphone (100 ms blocks at wall-clock pace) into the live passes,
    stop, and coach twice as the practice flow does: the instant feedback, then the refined.
    A pass's lag is the time from hearing the audio that closed a segment (or stretch),
    as the microphone delivered it, to that segment's words being ready."""
    from interview_scripts.frameworks import STAR
    from interview_scripts.script import Question
    from interview_scripts.time_guide import parse_time_guide
    from models.answer_pipeline import LiveResult, coach_recording
    from models.answer_pipeline import refine as refine_answer
    from models.coach import coach_answer  # loaded with the app, long before any Stop

    assert coach_answer is not None
    live = LiveTranscriber(transcriber, refine=refine)
    block = SAMPLE_RATE // 10
    started = time.monotonic()

    def speak() -> None:
        for n, i in enumerate(range(0, audio.size, block)):
            delay = started + n * 0.1 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            live.feed(audio[i:i + block])

    speaker = threading.Thread(target=speak)
    speaker.start()
    speaker.join()
    stopped = time.monotonic()
    transcript = live.finish()
    recorded, probabilities = live.audio_and_probabilities()
    source = LiveResult(transcript, recorded, probabilities,
                        refined=live.refined if refine else None)
    question = Question(id="bench", text="Tell me about a tool you built.", framework=STAR,
                        time_guide=parse_time_guide("2-3 minutes"))
    instant = coach_recording(question, transcriber, live=source)
    to_instant = time.monotonic() - stopped
    done_before_stop = sum(end - start for (start, end), (_, _, at) in
                           zip(_stretch_spans(live), live.stretch_times, strict=False)
                           if at <= stopped)
    refined = refine_answer(question, transcriber, instant, source) if refine else None
    to_refined = time.monotonic() - stopped if refine else None

    def lags(times: list[tuple[float, float, float]]) -> list[float]:
        return [max(0.0, done - (started + heard)) for _, heard, done in times]

    spoken = audio.size / SAMPLE_RATE
    speech_in_stretches = sum(end - start for start, end in _stretch_spans(live))
    return LiveRun(spoken, to_instant, to_refined, lags(live.segment_times),
                   lags(live.stretch_times), max(0.0, speech_in_stretches - done_before_stop),
                   transcript.text, refined.transcript.text if refined else None)


def _stretch_spans(live: LiveTranscriber) -> list[tuple[float, float]]:
    """The stretches the accurate pass decoded, in answer seconds (after ``finish``)."""
    from models.speech_activity import STRETCH_POLICY, cut_segments

    recorded, probabilities = live.audio_and_probabilities()
    return [(s / SAMPLE_RATE, e / SAMPLE_RATE)
            for s, e in cut_segments(recorded, STRETCH_POLICY, probabilities)]


def real_voices(transcriber: Transcriber) -> None:
    """The saved transcript against faster-whisper direct on recordings of real people:
    WER both ways, words invented in a silent tail, numbers written in another style."""
    from audio.wav_writer import as_saved
    from benchmarks.real_voices import joined_answer, load_clips, with_silent_tail

    try:
        clips = load_clips()
    except FileNotFoundError as exc:
        print(f"real voices: not measured ({exc})")
        return
    answer, said = joined_answer(clips)
    cases = [(c.text, c.audio16k) for c in clips] + [(said, answer)]
    saved = [word_error_rate(t, transcriber.transcribe_full(as_saved(a)).text) for t, a in cases]
    direct = [word_error_rate(t, direct_best(transcriber, as_saved(a))) for t, a in cases]
    invented = 0
    for clip in clips:
        tail = transcriber.transcribe_full(as_saved(with_silent_tail(clip)))
        invented += sum(1 for w in tail.words if w.end_s > clip.duration_s + 0.3)
    print(f"real voices ({len(clips)} clips of the pocketsphinx test data and all of them "
          f"joined, {answer.size / SAMPLE_RATE:.0f} s):")
    print(f"  saved WER {np.mean(saved):.3f}   direct WER {np.mean(direct):.3f}   "
          f"difference {np.mean(saved) - np.mean(direct):+.3f}")
    print(f"  words after the last one in an 8 s silent tail, all clips: {invented}")


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


TERMINAL_SCRIPT = """\
title: Terminal timing
role: Engineer
questions:
  - id: tool
    text: Tell me about a tool you built.
    time_guide: 1-2 minutes
    framework: STAR
"""


def terminal_report(folder: Path, audio: np.ndarray) -> str:
    """`greenroom practice --no-gui` timed from outside, as a candidate sees it: ``audio``
    played into the virtual microphone, Enter pressed after it, then the seconds from Enter
    to the report's first line and to the line saying what the refined pass changed. Needs
    the PulseAudio virtual microphone `make bench` starts."""
    import os
    import shutil

    if not shutil.which("paplay") or subprocess.run(["pactl", "info"],
                                                    capture_output=True).returncode != 0:
        return "not measured: no PulseAudio virtual microphone (`make bench` starts one)"
    home = folder / "terminal-home"
    (home / "scripts").mkdir(parents=True, exist_ok=True)
    (home / "scripts" / "terminal.yaml").write_text(TERMINAL_SCRIPT, encoding="utf-8")
    wav = write_wav_16k(folder / "terminal-answer.wav", audio)
    env = {**os.environ, "GREENROOM_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen([sys.executable, "-m", "app", "practice", "--script", "terminal",
                              "--no-gui", "--no-speak", "--no-llm", "--device", "pulse",
                              "--silence", "0"], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    seen: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: seen.extend(
        (time.monotonic(), line) for line in child.stdout), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        while not any(line.startswith("Recording") for _, line in seen):
            if child.poll() is not None:
                return f"not measured: the command ended ({child.returncode})"
            time.sleep(0.05)
        subprocess.run(["paplay", "--device=greenroom_mic", str(wav)], check=True)
        time.sleep(0.3)
        enter = time.monotonic()
        child.stdin.write("\n")
        child.stdin.flush()
        child.wait(timeout=600)
    finally:
        if child.poll() is None:
            child.kill()
    reader.join(5)

    def first(prefix: str) -> float | None:
        return next((at - enter for at, line in seen if line.startswith(prefix)), None)

    report, refined = first("Feedback on question"), first("Refined")
    if report is None or refined is None:
        return "not measured: the report or the refined line never came"
    return (f"Enter → report {report:.2f} s, Enter → what the refined pass changed "
            f"{refined:.2f} s")


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
        real_voices(transcriber)
        print("live, answers fed at real time (100 ms blocks), then Stop:")
        for minutes in ((2,) if quick else (2, 6, 15)):
            audio, text = build_answer(minutes, folder, seed=minutes)
            run = live_at_real_time(transcriber, audio)
            assert run.refined_text is not None and run.to_refined_s is not None
            print(f"  {minutes:>2} min: Stop → instant feedback {run.to_instant_s:.2f} s, "
                  f"Stop → refined feedback {run.to_refined_s:.2f} s "
                  f"({run.accurate_left_s:.0f} s of speech left to the accurate pass at Stop)")
            print(f"          live pass lag: mean {np.mean(run.live_lag_s):.2f} s, max "
                  f"{max(run.live_lag_s):.2f} s over {len(run.live_lag_s)} segments; accurate "
                  f"pass lag: mean {np.mean(run.accurate_lag_s or [0]):.1f} s, max "
                  f"{max(run.accurate_lag_s or [0]):.1f} s")
            print(f"          WER live {word_error_rate(text, run.live_text):.3f}, refined "
                  f"{word_error_rate(text, run.refined_text):.3f}")
            if minutes == 2:
                alone = live_at_real_time(transcriber, audio, refine=False)
                print(f"   2 min, live pass alone (no accurate pass beside it): lag mean "
                      f"{np.mean(alone.live_lag_s):.2f} s, max {max(alone.live_lag_s):.2f} s; "
                      f"Stop → instant feedback {alone.to_instant_s:.2f} s")
        audio, _ = build_answer(51 / 60, folder, seed=51)
        print(f"terminal, a {audio.size / SAMPLE_RATE:.0f} s answer through the virtual "
              f"microphone: {terminal_report(folder, audio)}")
        # The most that can be left at Stop: one segment and one stretch at their caps.
        cap_s, stretch_s = SEGMENT_POLICY.max_segment_s, STRETCH_POLICY.max_segment_s
        audio, _ = build_answer(stretch_s / 60, folder, seed=3)
        started = time.perf_counter()
        transcriber.transcribe_array(audio[: int(cap_s * SAMPLE_RATE)])
        segment_s = time.perf_counter() - started
        started = time.perf_counter()
        transcriber.transcribe_stretch(audio[: int(stretch_s * SAMPLE_RATE)])
        print(f"worst case at Stop: a {cap_s:.0f} s segment still open takes {segment_s:.2f} s "
              f"(live), a {stretch_s:.0f} s stretch {time.perf_counter() - started:.2f} s "
              f"(accurate)")
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
