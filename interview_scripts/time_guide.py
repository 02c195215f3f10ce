"""Parse a question's time guide ("5-7 minutes", "90s", "1:30-2:30") into seconds."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A single figure ("2 min") means "about that long, not more": the window opens at
# three quarters of it. Ranges are taken as written.
SINGLE_VALUE_MIN_FRACTION = 0.75

_UNIT_SECONDS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
}
_NUMBER = r"(?:\d+(?:\.\d+)?|\d+:[0-5]\d)"
_UNIT = r"(?:seconds?|secs?|s|minutes?|mins?|m)"
_PATTERN = re.compile(
    rf"^\s*(?P<a>{_NUMBER})\s*(?P<ua>{_UNIT})?\s*"
    rf"(?:(?:-|–|—|to)\s*(?P<b>{_NUMBER})\s*(?P<ub>{_UNIT})?)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimeGuide:
    """How long an answer should take, in seconds."""

    min_s: float
    max_s: float
    text: str

    def __str__(self) -> str:
        return self.text

    def verdict(self, seconds: float) -> tuple[str, float]:
        """('short'|'within'|'long', gap in seconds to the nearest edge; 0 when within)."""
        if seconds < self.min_s:
            return "short", round(seconds - self.min_s, 1)
        if seconds > self.max_s:
            return "long", round(seconds - self.max_s, 1)
        return "within", 0.0


def _to_seconds(number: str, unit: str | None) -> float:
    if ":" in number:
        minutes, seconds = number.split(":")
        return int(minutes) * 60 + int(seconds)
    value = float(number)
    # A bare number without any unit reads as minutes: "5-7" in an interview guide.
    return value * _UNIT_SECONDS[unit.lower()] if unit else value * 60


def parse_time_guide(text: str) -> TimeGuide:
    """Parse a guide string; raises ValueError with a short reason when it is not one."""
    if not isinstance(text, str):
        raise ValueError(f"expected text like '2-3 min', got {type(text).__name__}")
    match = _PATTERN.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a time guide (try '90s', '2 min', '5-7 minutes', '1:30-2:30')")
    a, ua, b, ub = match.group("a", "ua", "b", "ub")
    if b is None:
        high = _to_seconds(a, ua)
        low = round(high * SINGLE_VALUE_MIN_FRACTION)
    else:
        # "2-3 min": the unit after the second figure applies to the first as well.
        low = _to_seconds(a, ua or (ub if ":" not in a else None))
        high = _to_seconds(b, ub or ua)
    if high <= 0:
        raise ValueError(f"'{text}' must be longer than zero")
    if low > high:
        raise ValueError(f"'{text}' has min > max")
    if high > 3 * 3600:
        raise ValueError(f"'{text}' is longer than three hours")
    return TimeGuide(min_s=float(low), max_s=float(high), text=text.strip())


def format_clock(seconds: float) -> str:
    """m:ss, the way times in an answer are shown everywhere."""
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def clock_band(elapsed_s: float, guide: TimeGuide | None) -> str:
    """Where a running answer stands against its guide: what the recording clock shows.

    'keep_going' before the guide's minimum, 'in_zone' inside it, 'wrap_up' past the
    maximum; 'no_guide' when the question has none."""
    if guide is None:
        return "no_guide"
    if elapsed_s < guide.min_s:
        return "keep_going"
    if elapsed_s <= guide.max_s:
        return "in_zone"
    return "wrap_up"
