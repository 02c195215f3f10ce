"""Which microphones and speakers PortAudio can see; used by the doctor and Settings.

sounddevice is imported lazily through :func:`load_sounddevice` so that a machine without
the PortAudio library gets one clear message instead of an ImportError traceback, and so
that modules which merely mention devices stay cheap to import.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from audio.errors import AudioError

PORTAUDIO_FIX = "install PortAudio (libportaudio2 on Debian/Ubuntu, portaudio on Fedora)"


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    default_rate: int
    is_default: bool
    channels: int
    host_api: str


def load_sounddevice() -> ModuleType:
    """The sounddevice module, or AudioError when the PortAudio library is missing."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio can't be loaded
        raise AudioError(f"audio system unavailable ({exc}); {PORTAUDIO_FIX}") from None
    return sounddevice


def _default_index(sd: ModuleType, kind: str) -> int | None:
    try:
        info = sd.query_devices(kind=kind)
    except (sd.PortAudioError, ValueError):
        return None  # PortAudio reports "no default device" this way
    index = info.get("index") if isinstance(info, dict) else None
    return int(index) if index is not None else None


def list_input_devices() -> list[InputDevice]:
    """Every device with at least one input channel, in PortAudio's order."""
    sd = load_sounddevice()
    default = _default_index(sd, "input")
    host_apis = sd.query_hostapis()
    devices: list[InputDevice] = []
    for info in sd.query_devices():
        if int(info["max_input_channels"]) < 1:
            continue
        index = int(info["index"])
        devices.append(InputDevice(
            index=index,
            name=str(info["name"]),
            default_rate=int(info["default_samplerate"]),
            is_default=index == default,
            channels=int(info["max_input_channels"]),
            host_api=str(host_apis[int(info["hostapi"])]["name"]),
        ))
    return devices


def default_input() -> InputDevice | None:
    """The system's default microphone, or None when there is none."""
    for device in list_input_devices():
        if device.is_default:
            return device
    return None


def has_output_device() -> bool:
    """Whether PortAudio has a default output (speaker or headphones)."""
    return _default_index(load_sounddevice(), "output") is not None
