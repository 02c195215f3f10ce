"""A plain-text report of one answer's feedback, for the terminal and exports.

Where the candidate marked a key point covered or a span as a stage, the report counts
their word and says so, with the coach's own verdict beside it in a few words.
"""

from __future__ import annotations

from typing import Any

from interview_scripts.time_guide import format_clock
from models.coach.feedback_model import Feedback, LLMStatus
from models.coach.length import length_judgement

_STATUS_MARK = {"covered": "[x]", "partial": "[~]", "not_heard": "[?]", "missing": "[ ]"}
# Said after the point, so a reader does not take "[?]" or "[ ]" for a verdict it is not.
_STATUS_WORDS = {"not_heard": "not heard in these words", "missing": "missing"}
_STAGE_WORDS = {"likely": "likely", "not_clearly_heard": "not clearly heard"}
# The coach's verdict, shortly, beside a candidate's mark.
_COACH_WORDS = {"covered": "covered", "partial": "partly covered",
                "not_heard": "not heard in these words", "missing": "missing",
                "clear": "a cue heard", "likely": "likely",
                "not_clearly_heard": "not clearly heard", "absent": "none found"}
_SEVERITY_MARK = {"info": "   ", "warning": " ! ", "problem": "!! "}


def _clock(value: Any) -> str:
    return format_clock(float(value)) if isinstance(value, int | float) else "  -  "


def _num(value: Any, fmt: str = "{:.0f}", none: str = "-") -> str:
    return fmt.format(value) if isinstance(value, int | float) else none


def _section(title: str) -> list[str]:
    return ["", title, "-" * len(title)]


def _length_lines(fb: dict[str, Any]) -> list[str]:
    lines = _section("Length")
    guide = fb.get("time_guide") or None
    length = fb.get("length") or {}
    speaking = fb.get("speaking_s") or 0.0
    verdict = length.get("verdict", "no_guide")
    lines.append(f"Speaking time  {_clock(speaking)}   (recording {_clock(fb.get('duration_s'))})")
    if guide:
        words = length_judgement(verdict, length.get("delta_s"))
        lines.append(f"Time guide     {guide.get('text')} "
                     f"({_clock(guide.get('min_s'))}–{_clock(guide.get('max_s'))}): {words}")
    else:
        lines.append("Time guide     none for this question")
    speech = fb.get("speech") or {}
    if speech.get("source") == "word_timings":
        lines.append("(no audio: times come from word timings)")
    return lines


def _pace_lines(fb: dict[str, Any]) -> list[str]:
    lines = _section("Pace and pauses")
    pace = fb.get("pace") or {}
    band = pace.get("band") or [120, 160]
    lines.append(f"Words {fb.get('words', 0)}, pace {_num(fb.get('wpm'))} wpm "
                 f"(rule-of-thumb band {band[0]}–{band[1]})")
    minutes = pace.get("per_minute") or []
    if len(minutes) > 1:
        row = "  ".join(f"{m['minute']}:{m['wpm']:.0f}{'↑' if m.get('flag') == 'fast' else ''}"
                        f"{'↓' if m.get('flag') == 'slow' else ''}" for m in minutes)
        lines.append(f"Per minute     {row}")
    pauses = fb.get("pauses") or []
    if pauses:
        listed = ", ".join(f"{_clock(p['start_s'])} ({p['duration_s']:.1f} s)" for p in pauses[:12])
        more = f", and {len(pauses) - 12} more" if len(pauses) > 12 else ""
        lines.append(f"Pauses ≥ 2 s   {listed}{more}")
    else:
        lines.append("Pauses ≥ 2 s   none")
    return lines


def _words_lines(fb: dict[str, Any]) -> list[str]:
    lines = _section("Words")
    fillers = fb.get("fillers") or {}
    count = fillers.get("count", 0)
    at = ", ".join(f"'{i['word']}' {_clock(i['start_s'])}" for i in (fillers.get("items") or [])[:8])
    if count:
        lines.append(f"Fillers        at least {count} ({_num(fillers.get('per_minute'), '{:.1f}')}"
                     f"/min; a lower bound): {at}")
    else:
        lines.append("Fillers        none heard (a lower bound: recognition drops many)")
    hedges = fb.get("hedges") or {}
    at = ", ".join(f"'{i['word']}' {_clock(i['start_s'])}" for i in (hedges.get("items") or [])[:8])
    lines.append(f"Hedges         {hedges.get('count', 0)}{': ' + at if at else ''}")
    use = fb.get("word_use") or {}
    if use.get("i_we_note"):
        lines.append(f"I / we         {use['i_we_note']}")
    results = use.get("measurable_results") or []
    if results:
        shown = ", ".join(f"'{r['text']}' {_clock(r['start_s'])}" for r in results[:6])
        lines.append(f"Results        {shown}")
    else:
        lines.append("Results        no measurable result heard")
    top = use.get("top_words") or []
    if top:
        lines.append("Most used      " + ", ".join(f"{t['word']} ×{t['count']}" for t in top[:8]))
    for phrase in (use.get("repeated_phrases") or [])[:3]:
        lines.append(f"Repeated       '{phrase['text']}' ×{phrase['count']}")
    return lines


def _structure_lines(fb: dict[str, Any]) -> list[str]:
    structure = fb.get("structure") or {}
    stages = structure.get("stages") or []
    if not stages:
        return []
    lines = _section(f"Structure ({structure.get('framework')})")
    for s in stages:
        if s.get("present"):
            lines.append(f"  {_clock(s.get('start_s'))}–{_clock(s.get('end_s'))}  "
                         f"{s['name']:<12} {s.get('share', 0):>4.0%}  {_stage_how(s)}")
            if s.get("confidence") == "candidate":
                lines.append(f"                 the coach: {_coach_stage(s.get('coach') or {})}")
        else:
            lines.append(f"     missing     {s['name']}")
        if s.get("llm_assessment"):
            lines.append(f"                 local LLM: {s['llm_assessment']}")
        if s.get("disagreement"):
            lines.append(f"                 the two disagree: {s['disagreement']}")
    if structure.get("order_ok") is False:
        order = " → ".join(o["name"] for o in structure.get("order") or [])
        lines.append(f"Order: {order} (out of order)")
    for rule in structure.get("budget") or []:
        lines.append(f"  {'ok ' if rule.get('ok') else 'NO '} {rule.get('rule')}")
    return lines


def _coach_stage(coach: dict[str, Any]) -> str:
    """The coach's own view of a stage the candidate marked, in a few words."""
    confidence = coach.get("confidence")
    if not coach.get("present"):
        return "none found"
    where = f" at {_clock(coach.get('start_s'))}–{_clock(coach.get('end_s'))}"
    return f"{_COACH_WORDS.get(confidence or '', 'found')}{where}"


def _stage_how(stage: dict[str, Any]) -> str:
    """How a present stage was found, and how sure that is."""
    confidence = stage.get("confidence")
    if confidence == "candidate":
        return "yours: you marked this span"
    if confidence is None:  # written before stages had a confidence
        if stage.get("inferred"):
            return "opening, no cue heard"
        return f"cue '{stage['cue']['text']}'" if stage.get("cue") else ""
    if confidence == "clear":
        return f"cue '{stage['cue']['text']}'" if stage.get("cue") else "clear"
    basis = stage.get("basis")
    words = _STAGE_WORDS.get(confidence, confidence)
    if confidence == "not_clearly_heard":
        return f"{words}: it stands where the {stage['name']} belongs, but nothing in it shows one"
    return f"{words}: {basis}" if basis else words


def _key_point_lines(fb: dict[str, Any]) -> list[str]:
    points = fb.get("key_points") or []
    mistakes = [m for m in fb.get("mistakes") or [] if m.get("flagged")]
    lines: list[str] = []
    if points:
        lines += _section("Key points")
        for p in points:
            coach = p.get("status")
            status = p.get("candidate_says") or coach
            if status != coach:
                # The candidate's word counts; the coach's verdict stays beside it.
                words = (f"you said you {status} it (the coach: "
                         f"{_COACH_WORDS.get(str(coach), coach)})")
            else:
                words = _STATUS_WORDS.get(status)
            lines.append(f"{_STATUS_MARK.get(status, '[?]')} {p.get('text')}"
                         + (f" — {words}" if words else ""))
            if p.get("evidence"):
                lines.append(f"      {_clock(p.get('start_s'))}  \"{p['evidence']}\"")
            if p.get("words"):
                lines.append("      heard by the local LLM (its quote is in the transcript); "
                             "not heard in these words by the coach")
            if p.get("disagreement"):
                lines.append(f"      the two disagree: {p['disagreement']}")
    if mistakes:
        lines += _section("Common mistakes heard")
        for m in mistakes:
            where = f" at {_clock(m['start_s'])}" if m.get("start_s") is not None else ""
            lines.append(f"  {m.get('text')}{where}")
            if m.get("evidence") and m.get("source") == "script":
                lines.append(f"      \"{m['evidence']}\"")
    return lines


def _note_lines(fb: dict[str, Any]) -> list[str]:
    notes = fb.get("notes") or []
    if not notes:
        return []
    lines = _section("Notes")
    for n in notes:
        at = _clock(n["at_s"]) if n.get("at_s") is not None else "  -  "
        origin = " (local LLM)" if n.get("source") == "llm" else ""
        lines.append(f"{_SEVERITY_MARK.get(n.get('severity'), '   ')}{at:>5}  "
                     f"{n.get('message')}{origin}")
    return lines


def _llm_lines(fb: dict[str, Any]) -> list[str]:
    llm = fb.get("llm")
    status = fb.get("llm_status") or {}
    cost = LLMStatus.model_validate(status).cost_line() if status else ""
    if not llm:
        if status and not status.get("ok", False) and status.get("reason"):
            lines = _section("Local LLM review")
            lines.append(f"Not available: {status['reason']}")
            if status.get("fix"):
                lines.append(f"To get it: {status['fix']}")
            if cost:
                lines.append(f"Review: {cost}")
            return lines
        return []
    model = llm.get("model") or status.get("model") or "local model"
    lines = _section(f"From the local LLM ({model})")
    if cost:
        lines.append(f"Review: {cost}")
    if llm.get("verdict"):
        lines.append(f"Verdict: {llm['verdict']}")
    improvements = llm.get("improvements") or []
    if improvements:
        lines.append("Improvements:")
        for item in improvements:
            lines.append(f"  {_clock(item.get('at_s'))}  {item.get('message')}")
    rephrasing = llm.get("rephrasing") or {}
    if isinstance(rephrasing, dict) and rephrasing.get("better"):
        lines.append(f"Rephrasing ({_clock(rephrasing.get('at_s'))}):")
        if rephrasing.get("original"):
            lines.append(f"  said:  \"{rephrasing['original']}\"")
        lines.append(f"  try:   \"{rephrasing['better']}\"")
    elif isinstance(rephrasing, str) and rephrasing:
        lines.append(f"Rephrasing: {rephrasing}")
    if llm.get("follow_up_question"):
        lines.append(f"Likely follow-up: {llm['follow_up_question']}")
    return lines


def render_report(feedback: Feedback) -> str:
    """Human-readable text of one answer's feedback.

    It reads the feedback's JSON form, which the model guarantees to be complete, so the
    same code also renders exported feedback.
    """
    fb = feedback.to_dict()
    title = f"Feedback on question {fb.get('question_id', '?')}"
    lines = [title, "=" * len(title)]
    for part in (_length_lines, _pace_lines, _words_lines, _structure_lines, _key_point_lines,
                 _note_lines, _llm_lines):
        lines += part(fb)
    transcript = fb.get("transcript") or {}
    if not (transcript.get("text") or "").strip():
        lines += ["", "(nothing was transcribed)"]
    return "\n".join(lines) + "\n"
