"""Noticing that the system will not let Greenroom hear the microphone.

macOS and Windows do not refuse a recording when the user has not allowed the app to use
the microphone: the stream opens and delivers exact digital zeros. A working microphone
never does that for long, even in a quiet room: its own noise moves the lowest bits. So
when the first ``CHECK_S`` seconds of an answer are all exact zeros on those systems, the
candidate is told where to grant access. It is a message, not a stop: the recording goes
on, since the candidate may fix it and record again, or the device may really be silent.

Linux has no such permission, and its virtual and null-sink microphones give exact zeros
in silence, so nothing is checked there. The platform is passed in, or read from
``sys.platform`` when the check is made.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

CHECK_S = 3.0
SAMPLE_RATE = 16_000

# Plain ASCII: the message may be printed to a Windows console in its legacy code page.
HOW_TO_ALLOW = {
    "darwin": (
        "Greenroom hears only exact silence: macOS may not be letting it use the microphone. "
        "Open System Settings > Privacy & Security > Microphone and turn on Greenroom (or the "
        "terminal you started it from), then record the answer again; this one keeps recording."
    ),
    "win32": (
        "Greenroom hears only exact silence: Windows may not be letting it use the microphone. "
        "Open Settings > Privacy & security > Microphone, turn on microphone access and "
        "'Let desktop apps access your microphone', then record the answer again; this one "
        "keeps recording."
    ),
}


def how_to_allow(platform: str | None = None) -> str | None:
    """What to tell the candidate on ``platform``; None where the system never mutes."""
    return HOW_TO_ALLOW.get(platform or sys.platform)


class SilentStartCheck:
    """Watches the first ``check_s`` seconds of an answer for nothing but exact zeros.

    ``feed`` takes each block as it is recorded (16 kHz, any dtype), from one thread;
    ``take_notice`` may be called from another and returns the message once, when the
    check has found only zeros.
    """

    def __init__(self, platform: str | None = None, sample_rate: int = SAMPLE_RATE,
                 check_s: float = CHECK_S) -> None:
        self.message = how_to_allow(platform)
        self._needed = max(1, round(check_s * sample_rate))
        self._zeros = 0
        self._decided = self.message is None
        self._silent = False
        self._told = False
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        """Whether there is anything to check on this platform."""
        return self.message is not None

    @property
    def silent(self) -> bool:
        """True once the first ``check_s`` seconds were all exact zeros."""
        return self._silent

    def feed(self, block: np.ndarray) -> None:
        if self._decided:
            return
        # NumPy is imported with the first block, not with the module: the practice flow
        # (and the window importing it) would otherwise load it before anything is recorded.
        import numpy as np

        head = np.asarray(block).reshape(-1)[: self._needed - self._zeros]
        with self._lock:
            if np.any(head != 0):
                self._decided = True  # a real signal: the system lets us hear it
                return
            self._zeros += head.size
            if self._zeros >= self._needed:
                self._decided = self._silent = True

    def take_notice(self) -> str | None:
        with self._lock:
            if not self._silent or self._told:
                return None
            self._told = True
            return self.message
