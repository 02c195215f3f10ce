"""A transcript with word timings: what the transcriber produces and the coach reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Word:
    """One recognised word; times are seconds from the start of the answer."""

    word: str
    start_s: float
    end_s: float
    probability: float = 1.0


@dataclass
class Transcript:
    words: list[Word] = field(default_factory=list)
    language: str = "en"
    model: str = ""
    duration_s: float = 0.0

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
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            words=[Word(w["word"], float(w["start_s"]), float(w["end_s"]), float(w.get("probability", 1.0)))
                   for w in data.get("words", [])],
            language=data.get("language", "en"),
            model=data.get("model", ""),
            duration_s=float(data.get("duration_s", 0.0)),
        )
