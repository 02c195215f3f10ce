"""The model library's error types, each a single line naming the model and the fix."""


class ModelError(Exception):
    """A speech model is missing, could not load or failed."""

    def __init__(self, message: str) -> None:
        # One line, whatever a model path or library message brought in.
        super().__init__(" ".join(str(message).split()))


class LLMError(ModelError):
    """The Ollama server or its model failed; the deterministic coach still answers."""
