"""The shape of the LLM's feedback on one answer.

These pydantic models are sent to Ollama as the ``format`` JSON schema (so the model's
sampler is held to it) and then used again to validate what comes back: a small model
can still produce values the grammar let through, and those must never reach the report.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

KeyPointStatus = Literal["covered", "partial", "missing"]

MAX_IMPROVEMENTS = 5


class _Strict(BaseModel):
    # Unknown keys mean the model wandered off the schema; reject rather than ignore them.
    model_config = ConfigDict(extra="forbid")


class KeyPointReview(_Strict):
    text: str = Field(min_length=1, description="The key point, as listed in the prompt.")
    status: KeyPointStatus
    evidence: str = Field(
        description="A short exact quote from the transcript that shows it; empty when missing."
    )
    at_s: float | None = Field(
        ge=0, description="Seconds into the answer where the evidence starts; null when missing."
    )


class StageReview(_Strict):
    stage: str = Field(min_length=1, description="A stage of the answer framework.")
    assessment: str = Field(min_length=1, description="One sentence on how that stage went.")


class Improvement(_Strict):
    at_s: float | None = Field(
        ge=0, description="Seconds into the answer this refers to; null for the whole answer."
    )
    message: str = Field(min_length=1, description="One concrete thing to do differently.")


class Rephrasing(_Strict):
    at_s: float | None = Field(ge=0, description="Seconds into the answer of the original.")
    original: str = Field(min_length=1, description="A weak sentence quoted from the transcript.")
    better: str = Field(min_length=1, description="The same point said more strongly.")


class LLMFeedback(_Strict):
    verdict: str = Field(
        min_length=1, max_length=400, description="Overall verdict in one or two sentences."
    )
    key_points: list[KeyPointReview]
    structure: list[StageReview]
    improvements: list[Improvement] = Field(max_length=MAX_IMPROVEMENTS)
    rephrasing: Rephrasing
    follow_up_question: str = Field(
        min_length=1, description="A follow-up an interviewer would likely ask next."
    )


def feedback_schema() -> dict[str, Any]:
    """The JSON schema sent as Ollama's ``format`` and written into the prompt."""
    return LLMFeedback.model_json_schema()
