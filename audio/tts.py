"""Text-to-speech: pyttsx3 with espeak-ng on Linux and SAPI5 on Windows; macOS's own
``say`` command on macOS (see ``speech_driver``).

pyttsx3's ``runAndWait`` blocks and its drivers must stay on the thread that created
them, so one dedicated thread owns the engine and runs every request in turn; callers get
a ``Future`` and nothing else ever waits on the engine. Speech is always rendered to a
WAV file first; playing it aloud (and stopping mid-sentence) is done by
``audio.playback``, which pyttsx3's own ``say`` cannot do portably.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio.errors import AudioError

if TYPE_CHECKING:
    from audio.playback import Player

log = logging.getLogger(__name__)

DEFAULT_RATE_WPM = 170
SAY_TIMEOUT_S = 120.0


def speech_driver(platform: str | None = None) -> str:
    """The engine that renders speech on ``platform``: pyttsx3's ``espeak`` driver on Linux,
    its ``sapi5`` driver on Windows, and ``say`` on macOS. pyttsx3's macOS driver is not used
    because NSSpeechSynthesizer writes AIFF whatever the file is called, and everything here
    reads WAV; ``say`` drives the same voices and writes the WAV asked for."""
    platform = platform or sys.platform
    if platform == "win32":
        return "sapi5"
    if platform == "darwin":
        return "say"
    return "espeak"


def engine_fix(platform: str | None = None) -> str:
    """What to do when the speech engine cannot start, in the words of that system."""
    platform = platform or sys.platform
    if platform == "win32":
        return "check that a voice is installed (Settings > Time & language > Speech)"
    if platform == "darwin":
        return "check that a voice is installed (System Settings > Accessibility > Spoken Content)"
    return "on Linux install espeak-ng (e.g. sudo apt install espeak-ng)"


ENGINE_FIX = engine_fix()


def _quiet_driver_print(*args: Any, **kwargs: Any) -> None:
    """Stands in for ``print`` inside pyttsx3's espeak driver, which announces every saved
    file on stdout; the CLI's output (and piped JSON) must not carry that chatter."""
    message = " ".join(str(a) for a in args)
    if not message.startswith("Audio saved to"):
        log.warning("speech engine: %s", message)


def _silence_driver_chatter() -> None:
    # Binding the name ``print`` in the driver module's own globals shadows the builtin
    # for that module only. Unlike swapping sys.stdout or dup2-ing file descriptor 1,
    # both of which are process-wide and would swallow other threads' output while a
    # render runs, this touches nothing any other code sees, so it is thread-safe.
    driver = sys.modules.get("pyttsx3.drivers.espeak")
    if driver is not None:
        driver.print = _quiet_driver_print  # type: ignore[attr-defined]


def _resolve(future: Future[Any], value: Any = None, error: BaseException | None = None) -> None:
    """Settle ``future`` unless someone already did (cancelled it, or stop() resolved it)."""
    try:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)
    except InvalidStateError:
        pass


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...] = ()


class SayEngine:
    """The part of a pyttsx3 engine the synthesizer uses, over macOS's ``say`` command:
    requests are queued by ``save_to_file`` and rendered by ``runAndWait``."""

    # `say` speaks in the voice chosen in System Settings unless told otherwise.
    SYSTEM_VOICE = "system"
    _VOICE_LINE = re.compile(r"^(?P<name>.+?)\s+(?P<lang>[a-z]{2,3}[_-][A-Za-z0-9_]+)\s+#")

    def __init__(self, command: str = "say") -> None:
        found = shutil.which(command)
        if found is None:
            raise AudioError(f"the `{command}` command was not found")
        self._say = found
        self._voice: str | None = None
        self._rate = DEFAULT_RATE_WPM
        self._queued: list[tuple[str, str]] = []

    def getProperty(self, name: str) -> Any:  # noqa: N802 - pyttsx3's engine interface
        if name == "voice":
            return self._voice or self.SYSTEM_VOICE
        if name == "rate":
            return self._rate
        if name == "voices":
            return self._voices()
        raise KeyError(f"unknown property {name}")

    def setProperty(self, name: str, value: Any) -> None:  # noqa: N802 - pyttsx3's interface
        if name == "voice":
            self._voice = None if value == self.SYSTEM_VOICE else str(value)
        elif name == "rate":
            self._rate = int(value)
        else:
            raise KeyError(f"unknown property {name}")

    def save_to_file(self, text: str, filename: str) -> None:
        self._queued.append((text, filename))

    def runAndWait(self) -> None:  # noqa: N802 - pyttsx3's engine interface
        queued, self._queued = self._queued, []
        for text, filename in queued:
            command = [self._say, "-o", filename, "--file-format=WAVE",
                       "--data-format=LEI16@22050", "-r", str(self._rate)]
            if self._voice:
                command += ["-v", self._voice]
            # The text goes through stdin (-f -), so none of it is read as an option.
            done = subprocess.run([*command, "-f", "-"], input=text, capture_output=True,
                                  text=True, timeout=SAY_TIMEOUT_S, check=False)
            if done.returncode != 0:
                detail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
                raise AudioError(f"`say` could not render speech ({detail})")

    def _voices(self) -> list[Voice]:
        listed = subprocess.run([self._say, "-v", "?"], capture_output=True, text=True,
                                timeout=SAY_TIMEOUT_S, check=False)
        voices = []
        for line in listed.stdout.splitlines():
            match = self._VOICE_LINE.match(line)
            if match:
                name = match["name"].strip()
                voices.append(Voice(name, name, (match["lang"],)))
        return voices


def _make_engine(platform: str | None) -> Any:
    driver = speech_driver(platform)
    if driver == "say":
        return SayEngine()
    import pyttsx3

    return pyttsx3.init(driver)


class SpeechSynthesizer:
    """Owns one speech engine on one thread. Safe to call from any thread."""

    def __init__(self, platform: str | None = None) -> None:
        self._platform = platform or sys.platform
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], Future[Any]] | None] = queue.Queue()
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()
        # stop() bumps the generation; a speak() rendered under an older one never plays.
        self._generation = 0
        self._speak_lock = threading.Lock()
        self._player: Player | None = None
        self._voice_changed = False  # only touched on the engine thread
        self._thread = threading.Thread(target=self._run, name="greenroom-tts", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        engine = None
        default_voice: str | None = None
        init_error: Exception | None = None
        fix = engine_fix(self._platform)
        try:
            engine = _make_engine(self._platform)
            _silence_driver_chatter()
            default_voice = engine.getProperty("voice")
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
                    f"text-to-speech engine unavailable ({init_error}); {fix}"))
                continue
            try:
                result = fn(engine)
            except AudioError as exc:
                future.set_exception(exc)
            except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
                future.set_exception(AudioError(
                    f"text-to-speech failed ({type(exc).__name__}: {exc}); {fix}"))
            else:
                future.set_result(result)
            finally:
                if default_voice is not None and self._voice_changed:
                    self._restore_voice(engine, str(default_voice))

    def _restore_voice(self, engine: Any, voice: str) -> None:
        """Voices are engine state: put the default back so that a request naming no
        voice never inherits the one the previous request asked for."""
        self._voice_changed = False
        try:
            _apply_voice_and_rate(engine, voice, None)
        except Exception:  # noqa: BLE001 - the next render reports a broken engine itself
            log.exception("could not restore the default text-to-speech voice")

    def _submit(self, fn: Callable[[Any], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        self._jobs.put((fn, future))
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def cancel_pending(self) -> int:
        """Cancel every request that has not started yet; returns how many were cancelled.

        The one being rendered finishes (espeak renders a sentence in a few milliseconds),
        but a speak() whose render is cancelled or overtaken by stop() never plays.
        """
        with self._pending_lock:
            waiting = list(self._pending)
        return sum(1 for future in waiting if future.cancel())

    def stop(self) -> None:
        """Stop speaking now: silence what is playing and drop queued requests."""
        with self._speak_lock:
            self._generation += 1
            if self._player is not None:
                self._player.stop()
        self.cancel_pending()

    @property
    def is_speaking(self) -> bool:
        return self._player is not None and self._player.is_playing

    def _speech_player(self) -> Player:
        if self._player is None:
            from audio.playback import Player  # sounddevice only when speaking aloud

            self._player = Player()
        return self._player

    def speak(self, text: str, rate_wpm: int | None = None,
              voice: str | None = None) -> Future[bool]:
        """Say ``text`` aloud: render it, then play it. Never blocks.

        The future resolves to True when the speech played to the end, False when stop()
        cut it short (or came before it began); AudioError when it could not be rendered
        or played.
        """
        from audio.playback import read_for_playback

        spoken: Future[bool] = Future()
        with self._speak_lock:
            generation = self._generation
            player = self._speech_player()
        fd, name = tempfile.mkstemp(prefix="greenroom-speech-", suffix=".wav")
        os.close(fd)
        path = Path(name)

        def play_rendered(render: Future[Path]) -> None:
            try:
                if render.cancelled():
                    _resolve(spoken, False)
                    return
                error = render.exception()
                if error is not None:
                    _resolve(spoken, error=error)
                    return
                audio, rate = read_for_playback(path)
            except AudioError as exc:
                _resolve(spoken, error=exc)
                return
            finally:
                path.unlink(missing_ok=True)
            with self._speak_lock:
                if generation != self._generation:
                    _resolve(spoken, False)
                    return
                try:
                    player.play_array(audio, rate,
                                      on_finished=lambda completed: _resolve(spoken, completed))
                except AudioError as exc:
                    _resolve(spoken, error=exc)

        self.render(text, path, rate_wpm, voice).add_done_callback(play_rendered)
        return spoken

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
            if voice:
                self._voice_changed = True
            _apply_voice_and_rate(engine, voice, int(rate_wpm or DEFAULT_RATE_WPM))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)  # a stale file must not pass for this render
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            _wait_for_espeak(engine)
            _check_wav(path, text)
            return path

        return self._submit(render_now)

    def close(self) -> None:
        self._jobs.put(None)


def _espeak_binding(engine: Any) -> Any | None:
    """pyttsx3's ctypes binding to libespeak-ng when that is the engine's driver."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if type(driver).__module__ != "pyttsx3.drivers.espeak":
        return None
    return sys.modules.get("pyttsx3.drivers._espeak")


def _apply_voice_and_rate(engine: Any, voice: str | None, rate_wpm: int | None) -> None:
    espeak = _espeak_binding(engine)
    if espeak is None:
        if voice:
            engine.setProperty("voice", voice)
        if rate_wpm:
            engine.setProperty("rate", rate_wpm)
        return
    # pyttsx3's espeak driver loses settings: espeak applies them asynchronously, and
    # runAndWait cancels everything espeak still has queued when it starts, so a new rate
    # is dropped whenever it is still pending (renders came out at the previous rate, or
    # empty). Set them on the driver directly, in order (a voice change resets the rate),
    # and wait until espeak has applied them before rendering.
    driver = engine.proxy._driver
    if voice:
        driver.setProperty("voice", voice)
    if rate_wpm:
        driver.setProperty("rate", rate_wpm)
    espeak.Synchronize()


def _wait_for_espeak(engine: Any) -> None:
    """Let espeak finish the message, so the next request starts with it idle."""
    espeak = _espeak_binding(engine)
    if espeak is not None:
        espeak.Synchronize()


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
