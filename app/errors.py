"""The project's own error types.

Every failure a user can cause (a bad script, no microphone, a missing model, Ollama
down) is one of these, carrying a single line that names the file, field or device and
what to do. The CLI prints that line and exits non-zero; the GUI shows it in the window.
"""


class GreenroomError(Exception):
    """Base of every expected, user-facing failure. ``str(err)`` is the one-line message."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        # Keep messages to one line whatever was interpolated into them.
        super().__init__(" ".join(str(message).split()))


class ScriptError(GreenroomError):
    """An interview script could not be read or failed validation."""


class StoreError(GreenroomError):
    """The session store could not be opened, migrated or written."""


class AudioError(GreenroomError):
    """A microphone, speaker, TTS engine or audio file problem."""


class ModelError(GreenroomError):
    """A speech model is missing, could not load or failed."""


class LLMError(GreenroomError):
    """The Ollama server or its model failed; the deterministic coach still answers."""
