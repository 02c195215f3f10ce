"""The feedback on one answer, typed: what the coach produces, the store saves, the UI,
the report and the export read (docs/feedback-json.md explains every field).

One pydantic model instead of a dict that every reader picks apart defensively. Each part
keeps keys it does not know (``extra="allow"``) so a row written by a newer or older
Greenroom loads and saves again without losing anything; parts an older row lacks get
empty defaults. ``FEEDBACK_VERSION`` is stored in every row as ``version``; it stays 1
while changes only add fields with defaults, so every older row still reads.

The candidate's own marks (``models.coach.overrides``) live here too: a key point's
``candidate_says`` and a stage with confidence ``candidate``. Readers count a key point by
``effective_status`` (the candidate's word wins) and keep the coach's ``status`` in view.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from models.coach.llm_fold import fold_llm_review

FEEDBACK_VERSION = 1

Severity = Literal["info", "warning", "problem"]
Verdict = Literal["short", "within", "long", "no_guide"]
# "not_heard": the word matcher found no evidence, which is not proof of absence.
# "missing" is what versions before it wrote, and what a confirmed absence may use.
KeyPointStatus = Literal["covered", "partial", "not_heard", "missing"]
# How sure the coach is of a stage: a cue heard, its shape heard, something stands where
# it belongs but does not show it, or nothing there at all; "candidate" is a span the
# candidate marked as the stage themselves (the coach's own judgement is kept in ``coach``).
StageConfidence = Literal["clear", "likely", "not_clearly_heard", "absent", "candidate"]
# What the candidate may say of a key point: that they did cover it.
CandidateSays = Literal["covered"]
# Every time is seconds from the start of the recording: never negative.
Time = Annotated[float, Field(ge=0)]


class Part(BaseModel):
    # Keys this version does not know are kept, not dropped (see the module note).
    model_config = ConfigDict(extra="allow")


class Speech(Part):
    source: str = "none"  # audio_vad | audio_energy | word_timings | none
    first_s: Time | None = None
    last_s: Time | None = None
    voiced_s: Time = 0.0


class TimeGuideData(Part):
    min_s: Time
    max_s: Time
    text: str


class Length(Part):
    verdict: Verdict = "no_guide"
    delta_s: float | None = None


class PaceMinute(Part):
    minute: int
    start_s: Time
    end_s: Time
    words: int = 0
    wpm: float = 0.0
    flag: str | None = None


class Pace(Part):
    band: tuple[float, float] | None = None
    source: str = ""
    per_minute: list[PaceMinute] = []
    flags: list[dict[str, Any]] = []
    overall_flag: str | None = None


class Pause(Part):
    start_s: Time
    end_s: Time
    duration_s: Time


class TimedWord(Part):
    word: str
    start_s: Time


class Counted(Part):
    """Fillers or hedges: how many, how often, and where."""

    count: int = 0
    per_minute: float | None = None
    items: list[TimedWord] = []
    by_word: dict[str, int] = {}
    lower_bound: bool = True
    note: str = ""


class WordUse(Part):
    top_words: list[dict[str, Any]] = []
    repeated_phrases: list[dict[str, Any]] = []
    i_count: int = 0
    we_count: int = 0
    i_we_note: str | None = None
    numbers: list[dict[str, Any]] = []
    measurable_results: list[dict[str, Any]] = []


class Cue(Part):
    text: str
    at_s: Time


class Stage(Part):
    name: str
    present: bool = False
    inferred: bool = False
    start_s: Time | None = None
    end_s: Time | None = None
    share: float = 0.0
    cue: Cue | None = None
    # Null in rows written before stages had a confidence: read present and inferred.
    confidence: StageConfidence | None = None
    basis: str | None = None
    # The local LLM's one-line view of a stage the coach did not clearly hear.
    llm_assessment: str | None = None
    # Where the local LLM hears the stage ({evidence, at_s}: its quote as found in the
    # transcript); ``words`` keeps the coach's own judgement of a stage the LLM settled,
    # ``disagreement`` says briefly where the two differ.
    llm: dict[str, Any] | None = None
    words: dict[str, Any] | None = None
    disagreement: str | None = None
    # Set when the candidate marked this stage's span themselves (UTC, ISO 8601); the
    # coach's own fields for the stage, as they stood before the mark, are kept in
    # ``coach`` so the mark can be undone and both views shown.
    candidate_marked_at: str | None = None
    coach: dict[str, Any] | None = None

    @property
    def by_candidate(self) -> bool:
        return self.confidence == "candidate"


class Structure(Part):
    framework: str = "none"
    stages: list[Stage] = []
    order: list[dict[str, Any]] = []
    order_ok: bool | None = None
    budget: list[dict[str, Any]] = []


class KeyPointResult(Part):
    text: str
    status: KeyPointStatus
    evidence: str | None = None
    start_s: Time | None = None
    score: float = 0.0
    matched_by: str | None = None
    # The local LLM's judgement with its quote checked in the transcript ({status,
    # evidence, at_s}); where it settled a not-heard point, the words' own judgement is
    # kept under ``words``; ``disagreement`` says briefly how the two differ.
    llm: dict[str, Any] | None = None
    words: dict[str, Any] | None = None
    disagreement: str | None = None
    # The candidate's own word on the point ("I did cover this") and when they said it
    # (UTC, ISO 8601). ``status`` and ``evidence`` stay what the coach heard.
    candidate_says: CandidateSays | None = None
    candidate_marked_at: str | None = None
    # Set when the point was not heard in this answer but was in the reply to its
    # follow-up ({attempt_id, status, evidence, at_s}; models/coach/follow_up_fold.py);
    # ``status`` stays what this answer showed.
    follow_up: dict[str, Any] | None = None

    @property
    def effective_status(self) -> str:
        """The status every figure counts: the candidate's word wins over the coach's, and
        a point covered in the follow-up's reply counts as covered."""
        if self.candidate_says:
            return self.candidate_says
        return "covered" if self.in_follow_up else self.status

    @property
    def in_follow_up(self) -> bool:
        """True when the point counts as covered only because the follow-up's reply made it."""
        return (self.follow_up is not None and self.follow_up.get("status") == "covered"
                and self.status != "covered")

    @property
    def by_candidate(self) -> bool:
        """True when the point counts as covered only because the candidate said so."""
        return self.candidate_says is not None and self.status != self.candidate_says


class MistakeResult(Part):
    text: str
    flagged: bool
    evidence: str | None = None
    start_s: Time | None = None
    checked: bool = True
    source: str = "script"


class NoteData(Part):
    at_s: Time | None = None
    severity: Severity
    message: Annotated[str, Field(min_length=1)]
    source: str = "coach"


class TranscriptWord(Part):
    word: str
    start_s: float
    end_s: float
    probability: float = 0.0


class TranscriptData(Part):
    text: str = ""
    language: str | None = None
    model: str | None = None
    duration_s: float = 0.0
    words: list[TranscriptWord] = []


class LLMReview(Part):
    """The local LLM's review, as the LLM coach merged it in (its own schema checked it)."""

    verdict: str = ""
    key_points: list[dict[str, Any]] = []
    structure: list[dict[str, Any]] = []
    improvements: list[dict[str, Any]] = []
    rephrasing: dict[str, Any] | None = None
    follow_up_question: str = ""
    model: str | None = None
    prompt_version: str | int | None = None


class LLMStatus(Part):
    ok: bool = False
    code: str | None = None
    reason: str | None = None
    fix: str | None = None
    model: str | None = None
    attempts: int = 0
    # What the review cost: tokens the model wrote (every attempt) and seconds from asking
    # to the answer; None when not known (a failure, or a row saved before they were kept).
    tokens: int | None = None
    seconds: float | None = None
    # What the reply checks took out of the model's review, one line each.
    removed: list[str] = []

    def cost_line(self) -> str:
        """What the review cost and what the checks took out, in one line ("" if unknown)."""
        parts = []
        if self.seconds is not None:
            tokens = f"{self.tokens:,} tokens in " if self.tokens else ""
            parts.append(f"{tokens}{self.seconds:.0f} s")
        if self.attempts > 1:
            parts.append(f"{self.attempts} attempts")
        if self.removed:
            n = len(self.removed)
            parts.append(f"the checks removed {n} item{'s' if n != 1 else ''} of the reply")
        return ", ".join(parts)


class Feedback(Part):
    version: int = FEEDBACK_VERSION
    question_id: str
    duration_s: Time = 0.0
    speaking_s: Time = 0.0
    speech: Speech = Speech()
    time_guide: TimeGuideData | None = None
    length: Length = Length()
    words: int = 0
    wpm: float | None = None
    pace: Pace = Pace()
    pauses: list[Pause] = []
    fillers: Counted = Counted()
    hedges: Counted = Counted(lower_bound=False)
    word_use: WordUse = WordUse()
    structure: Structure = Structure()
    key_points: list[KeyPointResult] = []
    mistakes: list[MistakeResult] = []
    notes: list[NoteData] = []
    confidence: dict[str, str] = {}
    transcript: TranscriptData = TranscriptData()
    llm: LLMReview | None = None
    llm_status: LLMStatus | None = None

    @model_validator(mode="after")
    def _timed_notes_in_order(self) -> Feedback:
        times = [n.at_s for n in self.notes if n.at_s is not None]
        if times != sorted(times):
            raise ValueError("notes: timed notes are out of time order")
        return self

    # ------------------------------------------------------------------ conversions
    def to_dict(self) -> dict[str, Any]:
        """The JSON object of docs/feedback-json.md (what is stored and exported)."""
        return self.model_dump(mode="json", fallback=_plain)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Any) -> Feedback:
        """Read stored or exported feedback; ``ValidationError`` when it is not feedback."""
        return cls.model_validate(data)

    def without_llm(self) -> Feedback:
        """The deterministic feedback alone, ready for the LLM to review again: the LLM's
        notes left out, and what it settled in the key points and stages undone."""
        data = self.to_dict()
        data.update(llm=None, llm_status=None,
                    notes=[n for n in data["notes"] if n.get("source") != "llm"])
        return Feedback.from_dict(fold_llm_review(data))

    def with_llm_folded(self) -> Feedback:
        """A copy with ``llm``'s key-point and stage judgements folded into the checklist
        and timeline (models/coach/llm_fold.py), any earlier fold undone first."""
        return Feedback.from_dict(fold_llm_review(self.to_dict()))


def _plain(value: Any) -> Any:
    """NumPy numbers reach the loosely typed parts (budget rules, word lists) from the
    measures; they are written as the plain numbers they are. Anything else is an error."""
    if hasattr(value, "item") and hasattr(value, "dtype"):
        return value.item() if getattr(value, "ndim", 0) == 0 else value.tolist()
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def validate_feedback(data: Any) -> list[str]:
    """Every way ``data`` departs from the feedback shape, one short line each; [] when valid.

    The check is the model itself, so what passes here is what the store and UI accept.
    """
    if not isinstance(data, dict):
        return [f"feedback must be an object, not {type(data).__name__}"]
    missing = [f"missing key '{key}'" for key in REQUIRED_KEYS if key not in data]
    try:
        Feedback.model_validate(data)
    except ValidationError as exc:
        return missing + [f"{'.'.join(str(p) for p in e['loc']) or 'feedback'}: {e['msg']}"
                          for e in exc.errors()]
    return missing


# What a fresh coach run always writes; an older stored row may lack some of them and
# still loads, but ``validate_feedback`` holds new output to the full shape.
REQUIRED_KEYS = tuple(name for name in Feedback.model_fields)
