"""The shape of the coach's feedback JSON, checked in code (docs/feedback-json.md explains it).

Stored attempts keep this dict as it was written, so readers (the GUI, the LLM coach, the
report) must tolerate a missing optional part; ``validate_feedback`` is what tests and
the store use to make sure a new coach run writes the full shape.
"""

from __future__ import annotations

from typing import Any

SEVERITIES = ("info", "warning", "problem")
VERDICTS = ("short", "within", "long", "no_guide")
KEY_POINT_STATUSES = ("covered", "partial", "missing")

# key -> the types its value may have (None = JSON null)
TOP_LEVEL: dict[str, tuple[type | None, ...]] = {
    "question_id": (str,),
    "duration_s": (int, float),
    "speaking_s": (int, float),
    "speech": (dict,),
    "time_guide": (dict, None),
    "length": (dict,),
    "words": (int,),
    "wpm": (int, float, None),
    "pace": (dict,),
    "pauses": (list,),
    "fillers": (dict,),
    "hedges": (dict,),
    "word_use": (dict,),
    "structure": (dict,),
    "key_points": (list,),
    "mistakes": (list,),
    "notes": (list,),
    "confidence": (dict,),
    "transcript": (dict,),
    "llm": (dict, None),
    "llm_status": (dict, None),
}
COUNT_KEYS = ("count", "per_minute", "items", "lower_bound", "note")
WORD_USE_KEYS = ("top_words", "repeated_phrases", "i_count", "we_count", "i_we_note", "numbers",
                 "measurable_results")
STAGE_KEYS = ("name", "present", "start_s", "end_s", "share")


def _is(value: Any, types: tuple[type | None, ...]) -> bool:
    if value is None:
        return None in types
    if isinstance(value, bool):  # a bool is an int in Python, never in this schema
        return bool in types
    return isinstance(value, tuple(t for t in types if t is not None))


def _time(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool)
                             and value >= 0)


def validate_feedback(fb: Any) -> list[str]:
    """Every way ``fb`` departs from the feedback shape, as short messages; [] when valid."""
    if not isinstance(fb, dict):
        return [f"feedback must be an object, not {type(fb).__name__}"]
    problems: list[str] = []
    for key, types in TOP_LEVEL.items():
        if key not in fb:
            problems.append(f"missing key '{key}'")
        elif not _is(fb[key], types):
            problems.append(f"'{key}' has type {type(fb[key]).__name__}")
    if problems:
        return problems
    if fb["length"].get("verdict") not in VERDICTS:
        problems.append(f"length.verdict '{fb['length'].get('verdict')}' not in {VERDICTS}")
    guide = fb["time_guide"]
    if guide is not None and not {"min_s", "max_s", "text"} <= guide.keys():
        problems.append("time_guide needs min_s, max_s and text")
    for key in ("band", "source", "per_minute", "flags"):
        if key not in fb["pace"]:
            problems.append(f"pace.{key} missing")
    for i, p in enumerate(fb["pauses"]):
        if not all(_time(p.get(k)) for k in ("start_s", "end_s", "duration_s")):
            problems.append(f"pauses[{i}] needs start_s, end_s, duration_s ≥ 0")
    for name in ("fillers", "hedges"):
        for key in COUNT_KEYS:
            if key not in fb[name]:
                problems.append(f"{name}.{key} missing")
        for i, item in enumerate(fb[name].get("items") or []):
            if not isinstance(item.get("word"), str) or not _time(item.get("start_s")):
                problems.append(f"{name}.items[{i}] needs word and start_s")
    for key in WORD_USE_KEYS:
        if key not in fb["word_use"]:
            problems.append(f"word_use.{key} missing")
    structure = fb["structure"]
    for key in ("framework", "stages", "order_ok"):
        if key not in structure:
            problems.append(f"structure.{key} missing")
    for i, stage in enumerate(structure.get("stages") or []):
        missing = [k for k in STAGE_KEYS if k not in stage]
        if missing:
            problems.append(f"structure.stages[{i}] missing {', '.join(missing)}")
    for i, kp in enumerate(fb["key_points"]):
        if kp.get("status") not in KEY_POINT_STATUSES:
            problems.append(f"key_points[{i}].status '{kp.get('status')}' invalid")
        if not _time(kp.get("start_s")):
            problems.append(f"key_points[{i}].start_s invalid")
    for i, m in enumerate(fb["mistakes"]):
        if not isinstance(m.get("flagged"), bool) or "text" not in m:
            problems.append(f"mistakes[{i}] needs text and flagged")
    last = -1.0
    for i, n in enumerate(fb["notes"]):
        if n.get("severity") not in SEVERITIES:
            problems.append(f"notes[{i}].severity '{n.get('severity')}' invalid")
        if not isinstance(n.get("message"), str) or not n["message"]:
            problems.append(f"notes[{i}].message empty")
        if not _time(n.get("at_s")):
            problems.append(f"notes[{i}].at_s invalid")
        elif n.get("at_s") is not None:
            if n["at_s"] < last:
                problems.append(f"notes[{i}] out of time order")
            last = n["at_s"]
    return problems
