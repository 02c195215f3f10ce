"""The application's own errors, and the set every boundary catches.

Each library owns its errors (``audio.errors``, ``models.errors``,
``interview_scripts.errors``); they carry one line naming the file, field or device and
the fix. The CLI, the workers and the practice flow catch ``USER_ERRORS``: the CLI
prints the line and exits non-zero, the GUI shows it in the window.
"""

from pathlib import Path

from audio.errors import AudioError
from interview_scripts.errors import ScriptError
from models.errors import ModelError


class GreenroomError(Exception):
    """An expected, user-facing failure of the application itself (not of a library)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        # Keep messages to one line whatever was interpolated into them.
        super().__init__(" ".join(str(message).split()))


class StoreError(GreenroomError):
    """The session store could not be opened, migrated or written."""


class DiskError(StoreError):
    """A write failed because of the disk under it: ``kind`` is ``full``, ``read_only``,
    ``gone`` (an unplugged disk, a dropped network share) or ``failed`` (an error the
    disk reported on an intact database); ``folder`` is where. What was saved before is
    unchanged, so the fix is the disk's, never moving the database aside."""

    def __init__(self, message: str, kind: str = "failed", folder: Path | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.folder = folder


# What a boundary reports as one line instead of a traceback. LLMError is a ModelError.
USER_ERRORS: tuple[type[Exception], ...] = (GreenroomError, AudioError, ModelError, ScriptError)
