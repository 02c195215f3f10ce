"""Speaking pace in words per minute, overall and minute by minute.

The band is a rule of thumb: speaking coaches commonly aim conversational presentation
at roughly 120-160 words per minute. It is not a research norm; an answer a little
outside it is not wrong, but whole minutes far outside it are worth hearing back.
"""

from __future__ import annotations

from typing import Any

from models.coach.notes import Note, clock
from models.coach.speech_time import SpeechTiming

PACE_BAND = (120, 160)
PACE_SOURCE = ("rule of thumb: speaking coaches commonly aim conversational presentation at "
               "about 120-160 words per minute; not a research norm")
# Below this much speech a rate is too noisy to judge.
MIN_JUDGE_S = 20.0


def _flag(wpm: float) -> str | None:
    if wpm < PACE_BAND[0]:
        return "slow"
    if wpm > PACE_BAND[1]:
        return "fast"
    return None


def assess_pace(word_starts: list[float], timing: SpeechTiming
                ) -> tuple[float | None, dict[str, Any], list[Note]]:
    """(overall wpm or None, pace dict, notes). Minutes count from the first speech."""
    band = list(PACE_BAND)
    pace: dict[str, Any] = {"band": band, "source": PACE_SOURCE, "per_minute": [], "flags": []}
    speaking = timing.speaking_s
    if not word_starts or speaking <= 0:
        return None, pace, []
    wpm = len(word_starts) / (speaking / 60.0)
    notes: list[Note] = []
    first = timing.first_s or 0.0
    last = timing.last_s or first
    minute = 0
    while first + 60 * minute < last:
        lo = first + 60 * minute
        hi = min(lo + 60, last)
        count = sum(1 for t in word_starts if lo <= t < hi or (hi == last and t == hi))
        length = hi - lo
        rate = count / (length / 60.0) if length > 0 else 0.0
        judged = length >= MIN_JUDGE_S
        flag = _flag(rate) if judged else None
        pace["per_minute"].append({"minute": minute + 1, "start_s": round(lo, 1),
                                   "end_s": round(hi, 1), "words": count,
                                   "wpm": round(rate, 1), "flag": flag})
        if flag:
            pace["flags"].append({"minute": minute + 1, "start_s": round(lo, 1), "flag": flag,
                                  "wpm": round(rate, 1)})
        minute += 1
    overall = _flag(wpm) if speaking >= MIN_JUDGE_S else None
    pace["overall_flag"] = overall
    band_text = f"{band[0]}–{band[1]} wpm"
    if overall == "fast":
        notes.append(Note(None, "warning", f"Overall pace was {wpm:.0f} wpm, faster than the "
                                           f"{band_text} rule of thumb; slow down and let points land."))
    elif overall == "slow":
        notes.append(Note(None, "warning", f"Overall pace was {wpm:.0f} wpm, slower than the "
                                           f"{band_text} rule of thumb, pauses included."))
    if len(pace["per_minute"]) >= 2:
        for item in pace["flags"]:
            word = "fast" if item["flag"] == "fast" else "slow"
            notes.append(Note(item["start_s"], "info",
                              f"From {clock(item['start_s'])} the pace was {word} for a minute "
                              f"at {item['wpm']:.0f} wpm (band {band_text})."))
    return round(wpm, 1), pace, notes
