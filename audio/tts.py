"""Text-to-speech through pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeechSynthesizer
on macOS).

pyttsx3's ``runAndWait`` blocks and its drivers must stay on the thread that created
them, so one dedicated thread owns the engine and runs every request in turn; callers get
a ``Future`` and nothing else ever waits on the engine. Speech is always rendered to a
WAV file first; playing it aloud (and stopping mid-sentence) is done by
``audio.playback``, which pyttsx3's own ``say`` cannot do portably.
"""

from __future__ import annotations

import queue
import threading
import wave
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import AudioError

DEFAULT_RATE_WPM = 170


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...] = ()


class SpeechSynthesizer:
    """Owns one pyttsx3 engine on one thread. Safe to call from any thread."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="greenroom-tts", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        engine = None
        init_error: Exception | None = None
        try:
            import pyttsx3

            engine = pyttsx3.init()
        except Exception as exc:  # noqa: BLE001 - any driver failure becomes one message
            init_error = exc
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue
            if engine is None:
                future.set_exception(AudioError(
                    f"text-to-speech engine unavailable ({init_error}); on Linux install espeak-ng"))
                continue
            try:
                future.set_result(fn(engine))
            except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
                future.set_exception(exc)

    def _submit(self, fn: Callable[[Any], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((fn, future))
        return future

    def voices(self) -> Future[list[Voice]]:
        def list_voices(engine: Any) -> list[Voice]:
            return [
                Voice(str(v.id), str(v.name), tuple(str(lang) for lang in (v.languages or [])))
                for v in engine.getProperty("voices")
            ]

        return self._submit(list_voices)

    def render(self, text: str, path: Path, rate_wpm: int | None = None,
               voice: str | None = None) -> Future[Path]:
        """Render ``text`` to a WAV file at ``path``; the future resolves to the path."""
        path = Path(path)

        def render_now(engine: Any) -> Path:
            engine.setProperty("rate", int(rate_wpm or DEFAULT_RATE_WPM))
            if voice:
                engine.setProperty("voice", voice)
            path.parent.mkdir(parents=True, exist_ok=True)
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            _check_wav(path, text)
            return path

        return self._submit(render_now)

    def close(self) -> None:
        self._jobs.put(None)


def _check_wav(path: Path, text: str) -> None:
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnframes() == 0 and text.strip():
                raise AudioError(f"text-to-speech produced no audio for {path.name}")
    except (wave.Error, EOFError, FileNotFoundError) as exc:
        raise AudioError(f"text-to-speech did not write a valid WAV to {path.name} ({exc})") from None


_shared: SpeechSynthesizer | None = None
_shared_lock = threading.Lock()


def shared_synthesizer() -> SpeechSynthesizer:
    """The process-wide synthesizer (pyttsx3 engines cannot be created twice safely)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SpeechSynthesizer()
        return _shared


def synthesize_to_wav(text: str, path: Path, rate_wpm: int | None = None, voice: str | None = None,
                      timeout_s: float = 120.0) -> Path:
    """Blocking convenience for worker threads, the CLI and tests."""
    return shared_synthesizer().render(text, path, rate_wpm, voice).result(timeout=timeout_s)
