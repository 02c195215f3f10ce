"""kill -9 at any moment of an answer's life, then the next start.

One answer's whole life runs in a process of its own, as `greenroom practice` runs it: the
question read aloud, the answer recorded (a spoken WAV played as the microphone), the
instant feedback saved at Stop, the refined pass, the local LLM's review, the interview
ended and exported to Markdown. The sweep first runs that life once to time its phases,
then again and again, each time in a fresh data folder and each time killed with SIGKILL
at one moment, spread over the phases (every phase gets its share; the longer ones more).
After each kill it does what the next start does (``app.recovery.finish_unfinished``) and
checks:

- ``PRAGMA integrity_check`` passes;
- no answer is lost: every recording with sound in it belongs to an answer, and every such
  answer is finished (feedback saved, stage ``reviewed``); no recording is left unfinished;
- no answer is saved twice: one answer per question asked, one per recording, and a
  second start finds nothing left to do;
- an export on disk is whole (the same text the session exports as now).

A kill before the recording began leaves nothing to keep; such moments are counted apart.

    python -m benchmarks kill_sweep            # 40 moments (make kill-sweep); --quick: 8
    python -m benchmarks.kill_sweep --moments 40 [--keep DIR]

The LLM is the project's offline stand-in for Ollama (tests/ollama_loopback.py), streaming
slowly enough that the review is a phase of its own: the sweep is about what survives a
kill, not about a model, and it runs the same on any machine. Whisper is the real one.
Linux only (signals; PulseAudio, when it runs, plays the question aloud).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT_ID = "kill-sweep"
SCRIPT = """\
title: Kill sweep
role: Platform engineer
questions:
  - id: deploys
    text: Tell me about a time you made failing deploys reliable.
    time_guide: 1-2 minutes
    framework: STAR
    key_points:
      - text: Found the causes
        cues: [grouped them by cause]
      - text: A measurable result
        cues: [one a month]
"""
ANSWER = ("The deploys were failing twice a week. I wrote down every failure for a month, "
          "grouped them by cause, and fixed the three biggest. After that, failed deploys "
          "dropped to one a month.")
MOMENTS = 40
QUICK_MOMENTS = 8
# (phase, the event it starts at, the event it ends at), in the order they happen.
PHASES = (
    ("reading the question", "question", "recording"),
    ("recording", "recording", "stopped"),
    ("Stop to the instant save", "stopped", "instant"),
    ("the refine", "instant", "refined"),
    ("the LLM review", "refined", "reviewed"),
    ("the export", "reviewed", "exported"),
)
LIFE_TIMEOUT_S = 240.0


# ----------------------------------------------------------------------- the child
def child(answer: Path, ollama_host: str, export_to: Path, speak: bool) -> int:
    """One answer's life, printing ``event NAME`` at each step (the parent times them)."""
    from app import paths
    from app.export import export_session
    from app.practice import PracticeListener, PracticeSession, PracticeSettings
    from app.store import Store
    from audio.sources import WavFileSource
    from interview_scripts.catalogue import find_script

    def event(name: str) -> None:
        print(f"event {name}", flush=True)

    class Events(PracticeListener):
        def __init__(self) -> None:
            self.reviewed = threading.Event()

        def question_shown(self, index: int, total: int, question: Any) -> None:
            event("question")

        def recording_started(self, attempt_id: int) -> None:
            event("recording")

        def recording_stopped(self, duration_s: float, reason: str) -> None:
            event("stopped")

        def feedback_ready(self, attempt_id: int, feedback: Any) -> None:
            event("instant")

        def transcript_refined(self, attempt_id: int, feedback: Any) -> None:
            event("refined")

        def llm_done(self, attempt_id: int, feedback: Any) -> None:
            event("reviewed")
            self.reviewed.set()

        def error(self, message: str) -> None:
            print(f"error {message}", flush=True)

    script = find_script(SCRIPT_ID, paths.script_folders())
    listener = Events()
    settings = PracticeSettings(speak_questions=speak, llm_enabled=True, ollama_host=ollama_host,
                                follow_ups=False)
    session = PracticeSession(script, script.questions, settings, listener,
                              source_factory=lambda _q: WavFileSource(answer, realtime=True))
    try:
        session.begin()
        if not listener.reviewed.wait(LIFE_TIMEOUT_S):
            print("error the review never came", flush=True)
            return 1
        session.end()
        session.wait_finished()
        assert session.session_id is not None
        export_session(Store(), session.session_id, export_to, "md")
        event("exported")
    finally:
        session.close()
    return 0


# ----------------------------------------------------------------------- the parent
@dataclass
class Life:
    """A child's run: when each event came (seconds after launch) and how it ended."""

    events: dict[str, float] = field(default_factory=dict)
    returncode: int | None = None
    output: list[str] = field(default_factory=list)


@dataclass
class Moment:
    phase: str  # where it was meant to land
    fraction: float  # how far into that phase
    landed: str = ""  # where it did land (the last event seen before the kill)
    nothing_yet: bool = False  # killed before any sound was recorded
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    integrity: str | None = None
    bad_export: str | None = None
    finished: int = 0  # answers the next start took on (repaired, coached or a stage on)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.integrity or self.bad_export)


@dataclass
class SweepResult:
    timeline: dict[str, float]
    moments: list[Moment]

    @property
    def lost(self) -> int:
        return sum(len(m.lost) for m in self.moments)

    @property
    def duplicated(self) -> int:
        return sum(len(m.duplicated) for m in self.moments)

    @property
    def integrity_failures(self) -> int:
        return sum(1 for m in self.moments if m.integrity)

    @property
    def bad_exports(self) -> int:
        return sum(1 for m in self.moments if m.bad_export)

    def report(self) -> str:
        lines = [f"{len(self.moments)} moments: {self.lost} lost, {self.duplicated} duplicated, "
                 f"{self.integrity_failures} integrity failures, {self.bad_exports} half exports; "
                 f"{sum(m.nothing_yet for m in self.moments)} before any sound was recorded, "
                 f"{sum(m.finished for m in self.moments)} answers finished by the next start"]
        lines.append("phase                        length  moments  finished  problems")
        for phase, start, end in PHASES:
            ours = [m for m in self.moments if m.landed == phase]
            length = self.timeline.get(end, 0.0) - self.timeline.get(start, 0.0)
            problems = sum(not m.ok for m in ours)
            lines.append(f"{phase:<28} {length:5.1f} s  {len(ours):>7}  "
                         f"{sum(m.finished for m in ours):>8}  {problems:>8}")
        for m in self.moments:
            for problem in [*m.lost, *m.duplicated, m.integrity, m.bad_export]:
                if problem:
                    lines.append(f"  {m.landed} ({m.fraction:.2f}): {problem}")
        return "\n".join(lines)


def _environment(home: Path) -> dict[str, str]:
    return {**os.environ, "GREENROOM_HOME": str(home), "PYTHONPATH": str(REPO_ROOT),
            "PYTHONUNBUFFERED": "1", "QT_QPA_PLATFORM": "offscreen"}


def _prepare_home(home: Path) -> None:
    scripts = home / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    (scripts / f"{SCRIPT_ID}.yaml").write_text(SCRIPT, encoding="utf-8")


def _launch(home: Path, answer: Path, host: str, speak: bool,
            setup: str | None) -> tuple[subprocess.Popen[str], queue.Queue[tuple[str, float]],
                                        float]:
    command = [sys.executable, "-m", "benchmarks.kill_sweep", "--child", "--answer", str(answer),
               "--ollama-host", host, "--export-to", str(home / "export.md")]
    if speak:
        command.append("--speak")
    if setup:
        command += ["--setup", setup]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=_environment(home), text=True,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    started = time.monotonic()
    events: queue.Queue[tuple[str, float]] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            words = line.split(maxsplit=1)
            if len(words) == 2 and words[0] == "event":
                events.put((words[1].strip(), time.monotonic() - started))
            else:
                events.put(("#" + line.rstrip(), time.monotonic() - started))
        events.put(("", time.monotonic() - started))

    threading.Thread(target=read, daemon=True).start()
    return process, events, started


def _live_through(process: subprocess.Popen[str], events: queue.Queue[tuple[str, float]],
                  started: float, kill_after: tuple[str, float] | None = None) -> Life:
    """Follow a child to its end, or kill it ``kill_after[1]`` s after event ``kill_after[0]``."""
    life = Life()
    deadline = time.monotonic() + LIFE_TIMEOUT_S
    kill_at: float | None = None
    while True:
        timeout = max(0.0, deadline - time.monotonic())
        if kill_at is not None:
            timeout = max(0.0, min(timeout, kill_at - time.monotonic()))
        try:
            name, at = events.get(timeout=timeout)
        except queue.Empty:
            if kill_at is not None and time.monotonic() >= kill_at:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                life.returncode = process.returncode
                return life
            process.kill()
            process.wait(timeout=30)
            raise RuntimeError("the answer's life took too long:\n" + "\n".join(life.output)) from None
        if name == "":
            life.returncode = process.wait(timeout=30)
            return life
        if name.startswith("#"):
            life.output.append(name[1:])
            continue
        life.events[name] = at
        if kill_after is not None and name == kill_after[0] and kill_at is None:
            kill_at = started + at + kill_after[1]  # from when the child said it


def _plan(timeline: dict[str, float], moments: int) -> list[Moment]:
    """``moments`` spread over the phases: each at least its share of an even split (one
    at the least), the rest by length; evenly inside each phase."""
    lengths = [max(0.0, timeline[end] - timeline[start]) for _, start, end in PHASES]
    floor = max(1, moments * 3 // (5 * len(PHASES)))
    counts = [floor] * len(PHASES)
    spare = moments - sum(counts)
    total = sum(lengths) or 1.0
    shares = [spare * length / total for length in lengths]
    for i, share in enumerate(shares):
        counts[i] += int(share)
    by_remainder = sorted(range(len(PHASES)), key=lambda i: shares[i] - int(shares[i]),
                          reverse=True)
    for i in by_remainder[:moments - sum(counts)]:
        counts[i] += 1
    return [Moment(phase, (k + 0.5) / count)
            for (phase, _, _), count in zip(PHASES, counts, strict=True) for k in range(count)]


def _landed(life: Life) -> str:
    seen = [phase for phase, start, _ in PHASES if start in life.events]
    return seen[-1] if seen else PHASES[0][0]


def _check(moment: Moment, home: Path, review: Any) -> None:
    """The next start, then what it left."""
    from app.disk_faults import integrity_problem
    from app.export import session_text
    from app.recovery import finish_unfinished
    from app.store import Store
    from audio.recovery import find_unfinished, read_layout

    os.environ["GREENROOM_HOME"] = str(home)
    database = home / "greenroom.sqlite3"
    if not database.exists():
        moment.nothing_yet = True
        return
    store = Store()
    first = finish_unfinished(store, review=review)
    moment.finished = len({a.attempt_id for a in first.attempts if not a.problem}
                          | {r.attempt_id for r in first.recovered if r.coached})
    # A second start has nothing left to finish (what it could not finish is lost below).
    again = finish_unfinished(store, review=review)
    redone = [f"attempt {r.attempt_id}" for r in again.recovered if r.coached] + [
        f"attempt {a.attempt_id}" for a in again.attempts if not a.problem]
    if redone:
        moment.duplicated.append(f"a second start finished {', '.join(redone)} again")
    moment.integrity = integrity_problem(database)

    attempts = store.list_attempts()
    wavs = {p.resolve() for p in (home / "recordings").rglob("*.wav")}
    named: dict[Path, int] = {}
    for attempt in attempts:
        path = Path(attempt.audio_path) if attempt.audio_path else None
        layout = read_layout(path) if path is not None and path.is_file() else None
        if layout is None or layout.data_size == 0:
            continue  # never began: nothing was said
        if path is not None and path.resolve() in named:
            moment.duplicated.append(f"attempts {named[path.resolve()]} and {attempt.id} share "
                                     f"{path.name}")
        named[path.resolve()] = attempt.id  # type: ignore[union-attr]
        if attempt.feedback is None or attempt.stage != "reviewed":
            moment.lost.append(f"attempt {attempt.id} left at {attempt.stage} "
                               f"({attempt.status}, feedback {'saved' if attempt.feedback else 'none'})")
    for wav in sorted(wavs - set(named)):
        layout = read_layout(wav)
        if layout is not None and layout.data_size > 0:
            moment.lost.append(f"{wav.name} holds sound but no answer names it")
    for folder in {w.parent for w in wavs}:
        for left in find_unfinished(folder):
            moment.lost.append(f"{left.name} is still unfinished")
    asked: dict[tuple[int, str], int] = {}
    for attempt in attempts:
        key = (attempt.session_id, attempt.question_id)
        asked[key] = asked.get(key, 0) + 1
    moment.duplicated += [f"{count} answers to {question} in session {session}"
                          for (session, question), count in asked.items() if count > 1]
    export = home / "export.md"
    if export.exists():
        (session,) = store.list_sessions()
        if export.read_text(encoding="utf-8") != session_text(store, session.id, "md"):
            moment.bad_export = "the export on disk is not the session's whole export"
    moment.nothing_yet = not named and not moment.lost


def sweep(moments: int, answer: Path, ollama_host: str, *, workdir: Path,
          speak: bool = True, setup: str | None = None, review: Any = None) -> SweepResult:
    """Time one whole life, then kill ``moments`` lives at moments spread over it. ``setup``
    names a module each child imports first (a test's stand-in for the speech model);
    ``review`` is the LLM coach the next start reviews with."""
    home = workdir / "timing"
    _prepare_home(home)
    process, events, launched = _launch(home, answer, ollama_host, speak, setup)
    life = _live_through(process, events, launched)
    missing = [end for _, _, end in PHASES if end not in life.events]
    if life.returncode != 0 or missing:
        raise RuntimeError(f"the answer's life did not run through (exit {life.returncode}, "
                           f"no {missing}):\n" + "\n".join(life.output))
    timeline = dict(life.events)
    planned = _plan(timeline, moments)
    starts = {phase: (start, timeline[end] - timeline[start]) for phase, start, end in PHASES}
    with _restored_home():
        for n, moment in enumerate(planned, start=1):
            home = workdir / f"moment-{n:02d}"
            _prepare_home(home)
            start, length = starts[moment.phase]
            process, events, launched = _launch(home, answer, ollama_host, speak, setup)
            killed = _live_through(process, events, launched, (start, moment.fraction * length))
            moment.landed = _landed(killed)
            _check(moment, home, review)
    return SweepResult(timeline, planned)


@contextlib.contextmanager
def _restored_home() -> Iterator[None]:
    before = os.environ.get("GREENROOM_HOME")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("GREENROOM_HOME", None)
        else:
            os.environ["GREENROOM_HOME"] = before


# ----------------------------------------------------------------------- entry points
def _ollama() -> Any:
    """The offline stand-in for Ollama, started; a review on it takes a moment, as a real
    one does."""
    from tests.ollama_loopback import OllamaLoopback

    server = OllamaLoopback().start()
    server.piece_delay_s = 0.05
    return server


def _pulse_running() -> bool:
    try:
        return subprocess.run(["pactl", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def run(quick: bool = False, moments: int | None = None, keep: Path | None = None) -> SweepResult:
    from audio.tts import synthesize_to_wav
    from models.llm_coach import LLMCoach

    moments = moments or (QUICK_MOMENTS if quick else MOMENTS)
    workdir = keep or Path(tempfile.mkdtemp(prefix="greenroom-kill-sweep-"))
    workdir.mkdir(parents=True, exist_ok=True)
    server = _ollama()
    host = server.host
    try:
        answer = synthesize_to_wav(ANSWER, workdir / "answer.wav", rate_wpm=160)
        speak = _pulse_running()
        if not speak:
            print("no PulseAudio server: the question is rendered but not played", flush=True)
        started = time.monotonic()
        result = sweep(moments, answer, host, workdir=workdir, speak=speak,
                       review=LLMCoach(host=host))
        print("one answer's life: " + ", ".join(
            f"{name} at {at:.1f} s" for name, at in result.timeline.items()), flush=True)
        print(result.report(), flush=True)
        print(f"({time.monotonic() - started:.0f} s in all)", flush=True)
        return result
    finally:
        server.stop()
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kill_sweep",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--moments", type=int, default=MOMENTS)
    parser.add_argument("--keep", type=Path, help="keep each moment's data folder here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--answer", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ollama-host", help=argparse.SUPPRESS)
    parser.add_argument("--export-to", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--speak", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.setup:
            importlib.import_module(args.setup)
        return child(args.answer, args.ollama_host, args.export_to, args.speak)
    result = run(moments=args.moments, keep=args.keep)
    return 0 if result.lost == result.duplicated == result.integrity_failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
