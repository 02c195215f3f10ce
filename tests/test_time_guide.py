"""Time guides: the forms a script may write, the errors for the rest, and verdicts."""

from __future__ import annotations

import pytest

from interview_scripts.time_guide import TimeGuide, format_clock, parse_time_guide


@pytest.mark.parametrize(
    ("text", "min_s", "max_s"),
    [
        ("5-7 minutes", 300, 420),
        ("5-7", 300, 420),  # a bare range reads as minutes
        ("5 – 7 mins", 300, 420),  # en dash
        ("2—3 minutes", 120, 180),  # em dash
        ("10 to 12 min", 600, 720),
        ("2 min - 3", 120, 180),  # the first figure's unit carries over
        ("30-45 sec", 30, 45),  # the last figure's unit applies to the first
        ("1 minute to 90 seconds", 60, 90),
        ("1:30-2:30", 90, 150),
        ("1:30-3 min", 90, 180),
        ("1-1:30", 60, 90),
        ("0.5-1 s", 0.5, 1),
        ("  3-4 MIN ", 180, 240),
        # A single figure means "about that, not more": the window opens at 3/4 of it.
        ("2 min", 90, 120),
        ("2", 90, 120),
        ("90s", 68, 90),
        ("45 seconds", 34, 45),
        ("3 m", 135, 180),
        ("3:00", 135, 180),
    ],
)
def test_forms(text: str, min_s: float, max_s: float) -> None:
    guide = parse_time_guide(text)
    assert (guide.min_s, guide.max_s) == (min_s, max_s)
    assert guide.text == text.strip()
    assert str(guide) == text.strip()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("7-5 min", "'7-5 min' has min > max"),
        ("90s-2", "'90s-2' has min > max"),  # 2 inherits seconds from 90s
        ("0 min", "'0 min' must be longer than zero"),
        ("0-0", "'0-0' must be longer than zero"),
        ("200 min", "'200 min' is longer than three hours"),
        ("3:00-181", "'3:00-181' is longer than three hours"),
        ("soon", "'soon' is not a time guide (try '90s', '2 min', '5-7 minutes', '1:30-2:30')"),
        ("", "'' is not a time guide (try '90s', '2 min', '5-7 minutes', '1:30-2:30')"),
        ("4 hours", "'4 hours' is not a time guide (try '90s', '2 min', '5-7 minutes', '1:30-2:30')"),
        ("1:75", "'1:75' is not a time guide (try '90s', '2 min', '5-7 minutes', '1:30-2:30')"),
        ("-3 min", "'-3 min' is not a time guide (try '90s', '2 min', '5-7 minutes', '1:30-2:30')"),
        ("2-3-4 min", "'2-3-4 min' is not a time guide (try '90s', '2 min', '5-7 minutes', '1:30-2:30')"),
        (5, "expected text like '2-3 min', got int"),
        (None, "expected text like '2-3 min', got NoneType"),
        (["5-7 min"], "expected text like '2-3 min', got list"),
    ],
)
def test_errors(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_time_guide(value)  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("seconds", "verdict"),
    [
        (0, ("short", -300.0)),
        (212.46, ("short", -87.5)),
        (300, ("within", 0.0)),
        (360, ("within", 0.0)),
        (420, ("within", 0.0)),
        (450.04, ("long", 30.0)),
    ],
)
def test_verdict_against_five_to_seven_minutes(seconds: float, verdict: tuple[str, float]) -> None:
    assert parse_time_guide("5-7 minutes").verdict(seconds) == verdict


def test_a_guide_is_a_plain_value() -> None:
    assert parse_time_guide("2-3 min") == TimeGuide(min_s=120.0, max_s=180.0, text="2-3 min")
    assert parse_time_guide("2-3 min") != parse_time_guide("2-3 minutes")  # the text is kept


@pytest.mark.parametrize(
    ("seconds", "clock"),
    [(0, "0:00"), (9.4, "0:09"), (59.6, "1:00"), (272, "4:32"), (3600, "60:00"), (-5, "0:00")],
)
def test_format_clock(seconds: float, clock: str) -> None:
    assert format_clock(seconds) == clock
