"""A transcript with word timings: what the transcriber produces and the coach reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

# "live": segments decoded while the candidate spoke; "refined": the whole answer decoded
# again after Stop (the transcript then saved); "file": a recording decoded afterwards.
DecodingPass = Literal["live", "refined", "file"]


@dataclass(frozen=True)
class Word:
    """One recognised word; times are seconds from the start of the answer."""

    word: str
    start_s: float
    end_s: float
    probability: float = 1.0


@dataclass(frozen=True)
class Decoding:
    """How a transcript was decoded, saved beside it so two transcripts of one answer can
    be told apart and compared fairly."""

    pass_: DecodingPass
    beam_size: int
    segment_policy: str  # the name of the speech-segment policy that cut the audio
    word_timestamps: bool
    initial_prompt: bool  # whether Whisper was given the filler prompt

    def to_dict(self) -> dict[str, Any]:
        return {"pass": self.pass_, "beam_size": self.beam_size,
                "segment_policy": self.segment_policy, "word_timestamps": self.word_timestamps,
                "initial_prompt": self.initial_prompt}

    @classmethod
    def from_dict(cls, data: Any) -> Decoding | None:
        """The record as saved; None (unknown) for a transcript saved before it was kept,
        or one whose record is not this shape."""
        if not isinstance(data, dict) or data.get("pass") not in get_args(DecodingPass):
            return None
        try:
            return cls(data["pass"], int(data["beam_size"]), str(data["segment_policy"]),
                       bool(data["word_timestamps"]), bool(data["initial_prompt"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass
class Transcript:
    words: list[Word] = field(default_factory=list)
    language: str = "en"
    model: str = ""
    duration_s: float = 0.0
    # None: not known (saved before it was recorded, or not decoded from speech).
    decoding: Decoding | None = None

    @property
    def text(self) -> str:
        return " ".join(w.word.strip() for w in self.words if w.word.strip())

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "language": self.language,
            "model": self.model,
            "duration_s": round(self.duration_s, 3),
            "words": [
                {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(w).items()}
                for w in self.words
            ],
            "decoding": self.decoding.to_dict() if self.decoding is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            words=[Word(w["word"], float(w["start_s"]), float(w["end_s"]), float(w.get("probability", 1.0)))
                   for w in data.get("words", [])],
            language=data.get("language", "en"),
            model=data.get("model", ""),
            duration_s=float(data.get("duration_s", 0.0)),
            decoding=Decoding.from_dict(data.get("decoding")),
        )
