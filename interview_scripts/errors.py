"""The script format's one error type.

Every problem with a script or an imported page is a ``ScriptError`` of one line naming
the file, the field path and what is wrong, e.g.
``senior-ops.yaml: questions[3].time_guide: '7-5 min' has min > max``.
"""


class ScriptError(Exception):
    """An interview script or prep page could not be read or failed validation."""

    def __init__(self, message: str) -> None:
        # One line, whatever a YAML message or file name brought in.
        super().__init__(" ".join(str(message).split()))
