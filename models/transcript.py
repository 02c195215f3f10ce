"""A transcript with word timings: what the transcriber produces and the coach reads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

# "live": segments decoded while the candidate spoke; "refined": the answer decoded again,
# accurately, stretch by stretch while the candidate spoke and at Stop (the transcript then
# saved); "file": a recording decoded afterwards.
DecodingPass = Literal["live", "refined", "file"]

# The hesitation sounds Whisper leaves out unless its prompt hesitates too; the same set
# the coach counts as vocal fillers (models/coach/fillers.py, held equal by a test).
HESITATIONS = frozenset({"um", "umm", "uhm", "uh", "uhh", "er", "erm", "ah", "ahh", "hmm",
                         "hm", "mm", "mmm", "eh"})


@dataclass(frozen=True)
class Word:
    """One recognised word; times are seconds from the start of the answer."""

    word: str
    start_s: float
    end_s: float
    probability: float = 1.0


def bare(word: str) -> str:
    """A word as compared: lower case, letters, digits and apostrophes only."""
    return re.sub(r"[^a-z0-9']", "", word.lower())


def is_hesitation(word: str) -> bool:
    return bare(word) in HESITATIONS


# Whisper writes a word's pieces as separate words when a hyphen or an apostrophe starts a
# token ("cold" "-hearted", "it" "'s"); a piece like that belongs to the word before it.
_HYPHEN_PIECE = re.compile(r"^-+[A-Za-z0-9]")
_CONTRACTION_PIECE = re.compile(r"^['’](s|t|re|ve|ll|d|m)\b", re.IGNORECASE)
_ENDS_IN_WORD = re.compile(r"[A-Za-z0-9]$")


def join_word_pieces(words: Sequence[Word]) -> list[Word]:
    """``words`` with each hyphenated or contracted word made one word again: "cold"
    "-hearted" is "cold-hearted", "it" "'s" is "it's", timed from the first piece's start
    to the last one's end, as sure as its least sure piece. A dash between two words that
    have a pause or punctuation between them stays apart."""
    joined: list[Word] = []
    for word in words:
        text = word.word.strip()
        if (joined and _ENDS_IN_WORD.search(joined[-1].word)
                and (_HYPHEN_PIECE.match(text) or _CONTRACTION_PIECE.match(text))):
            before = joined[-1]
            joined[-1] = Word(before.word + text, before.start_s, max(before.end_s, word.end_s),
                              min(before.probability, word.probability))
        else:
            joined.append(word)
    return joined


@dataclass(frozen=True)
class Decoding:
    """How a transcript was decoded, saved beside it so two transcripts of one answer can
    be told apart and compared fairly."""

    pass_: DecodingPass
    beam_size: int
    segment_policy: str  # the name of the speech-segment policy that cut the audio
    word_timestamps: bool
    initial_prompt: bool  # whether Whisper was given the filler prompt
    # Whether the hesitations the filler-prompted live segments heard were put in: the
    # accurate pass decodes without the prompt, which would leave them out.
    hesitations_merged: bool = False
    # Whether each stretch was decoded with the words of the stretch before it as context,
    # as faster-whisper gives each 30 s window the text of the one before.
    previous_stretch: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"pass": self.pass_, "beam_size": self.beam_size,
                "segment_policy": self.segment_policy, "word_timestamps": self.word_timestamps,
                "initial_prompt": self.initial_prompt,
                "hesitations_merged": self.hesitations_merged,
                "previous_stretch": self.previous_stretch}

    @classmethod
    def from_dict(cls, data: Any) -> Decoding | None:
        """The record as saved; None (unknown) for a transcript saved before it was kept,
        or one whose record is not this shape."""
        if not isinstance(data, dict) or data.get("pass") not in get_args(DecodingPass):
            return None
        try:
            return cls(data["pass"], int(data["beam_size"]), str(data["segment_policy"]),
                       bool(data["word_timestamps"]), bool(data["initial_prompt"]),
                       bool(data.get("hesitations_merged", False)),
                       bool(data.get("previous_stretch", False)))
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
