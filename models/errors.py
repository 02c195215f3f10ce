"""The model library's error types, each a single line naming the model and the fix."""


class ModelError(Exception):
    """A speech model is missing, could not load or failed."""

    def __init__(self, message: str) -> None:
        # One line, whatever a model path or library message brought in.
        super().__init__(" ".join(str(message).split()))


class LLMError(ModelError):
    """The Ollama server or its model failed; the deterministic coach still answers."""


class OllamaFailure(LLMError):
    """Why a request to Ollama gave up or was refused: ``code`` (docs/ollama.md lists
    them), a one-line ``reason`` and the ``fix``. ``model`` and ``attempts`` say which
    model it was for and how many chat requests were made, when that is known.

    Every Ollama request raises this one type, whatever it asked (see
    ``models.ollama_call``); the server module raises it for its refusals too."""

    def __init__(self, code: str, reason: str, fix: str, *, model: str | None = None,
                 attempts: int = 0) -> None:
        self.code = code
        self.reason = " ".join(reason.split())
        self.fix = fix
        self.model = model
        self.attempts = attempts
        super().__init__(f"{self.reason}; {fix}")
