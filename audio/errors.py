"""The audio library's one error type.

Anything the user can fix (no microphone, a file that is not audio, a missing speech
engine) is an ``AudioError`` whose text is a single line naming the device or file and
what to do about it.
"""


class AudioError(Exception):
    """A microphone, speaker, text-to-speech engine or audio file problem."""

    def __init__(self, message: str) -> None:
        # One line, whatever a device name or OS message brought in.
        super().__init__(" ".join(str(message).split()))
