"""A saved session as a document: Markdown or HTML, from the typed feedback.

For each answer: the question, the verdicts (length against the guide, pace, fillers,
pauses, structure), the timeline as a picture, the key points with the words that covered
them, the coach's notes with their times, the local LLM's review when there is one
(labelled as such), and the transcript. The timeline is an SVG drawn here, so the
document needs nothing beside it; the PDF writer (``app.ui.pdf_export``) renders the
same HTML and the same pictures with Qt.

``export_session`` is the one way in, for History and ``greenroom sessions export`` alike:
it decides the format (``export_format``) and writes the file.
"""

from __future__ import annotations

import base64
import contextlib
import html
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.conversation import in_threads
from app.errors import GreenroomError, StoreError
from app.store import AttemptBrief, AttemptRow, SessionRow, Store
from interview_scripts.time_guide import format_clock
from models.coach.feedback_model import Feedback
from models.coach.length import feedback_length_line

FORMATS = ("md", "html", "pdf")
FORMAT_NAMES = {"md": "Markdown", "html": "Web page", "pdf": "PDF"}
KEY_POINT_WORDS = {"covered": "covered", "partial": "partly covered",
                   "missing": "missing"}  # "missing": attempts saved before "not_heard"
# Any other status: the words matcher found nothing for the point, which is not knowing it
# is missing (the app and the report word it the same way).
NOT_HEARD = "not heard in these words"
SEVERITY_WORDS = {"info": "tip", "warning": "worth fixing", "problem": "fix this"}
STAGE_COLOURS = ("#5b8fd6", "#d6a35b", "#5bb08a", "#b05bb0", "#c7645b", "#7a8a99")
MARKER_COLOURS = {"filler": "#d98c1f", "note": "#9b59b6", "improvement": "#16a085"}
TIMELINE_WIDTH, TIMELINE_HEIGHT = 720, 84


@dataclass(frozen=True)
class ExportedAnswer:
    number: int  # its place in the export (timelines are named by it)
    attempt: AttemptRow
    feedback: Feedback | None
    heading: str = ""  # "2. Question", "2. Follow-up: …", "3. Closing question: …"
    asked: str = ""  # when it was answered, and for a follow-up why it was asked


def _local(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return stamp


def figures_sentence(feedback: Feedback) -> str:
    parts = [f"speaking {format_clock(feedback.speaking_s)}", f"{feedback.words} words"]
    if feedback.wpm is not None:
        band = feedback.pace.band
        parts.append(f"{feedback.wpm:.0f} words a minute"
                     + (f" (comfortable: {band[0]:.0f}–{band[1]:.0f})" if band else ""))
    fillers = feedback.fillers
    rate = f", {fillers.per_minute:.1f} a minute" if fillers.per_minute is not None and fillers.count else ""
    parts.append(f"{'at least ' if fillers.lower_bound and fillers.count else ''}"
                 f"{fillers.count} filler word{'s' if fillers.count != 1 else ''}{rate}")
    pauses = len(feedback.pauses)
    parts.append(f"{pauses} pause{'s' if pauses != 1 else ''} of 2 s or more")
    return "; ".join(parts) + "."


def structure_sentence(feedback: Feedback) -> str | None:
    structure = feedback.structure
    if not structure.stages:
        return None
    heard = [s.name for s in structure.stages if s.present]
    missing = [s.name for s in structure.stages if not s.present]
    text = f"Structure ({structure.framework}): heard {', '.join(heard) or 'no stage'}"
    if missing:
        text += f"; not heard: {', '.join(missing)}"
    if structure.order_ok is False:
        text += "; the answer went back to an earlier stage"
    return text + "."


def key_point_word(status: str) -> str:
    return KEY_POINT_WORDS.get(status, NOT_HEARD)


def timeline_svg(feedback: Feedback) -> str:
    """The answer on one line: stages as coloured spans, pauses as gaps, fillers and notes
    as ticks, with a time axis. Plain SVG 1.1, readable by browsers and Qt alike."""
    w, h = TIMELINE_WIDTH, TIMELINE_HEIGHT
    left, right, top, bar = 8.0, w - 8.0, 22.0, 26.0
    duration = max([feedback.duration_s, *(p.end_s for p in feedback.pauses),
                    *(n.at_s for n in feedback.notes if n.at_s is not None), 1.0])

    def x(t: float) -> float:
        return left + (right - left) * max(0.0, min(t, duration)) / duration

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">',
           f'<rect x="{left}" y="{top}" width="{right - left}" height="{bar}" fill="#e8e8e8"/>']
    for i, stage in enumerate(feedback.structure.stages):
        if stage.present and stage.start_s is not None and stage.end_s is not None:
            x0, x1 = x(stage.start_s), x(stage.end_s)
            colour = STAGE_COLOURS[i % len(STAGE_COLOURS)]
            out.append(f'<rect x="{x0:.1f}" y="{top}" width="{max(1.0, x1 - x0):.1f}" '
                       f'height="{bar}" fill="{colour}"/>')
            out.append(f'<text x="{x0 + 3:.1f}" y="{top + 17}" fill="#ffffff">'
                       f'{html.escape(stage.name)}{" (yours)" if stage.by_candidate else ""}</text>')
    for pause in feedback.pauses:
        x0, x1 = x(pause.start_s), x(pause.end_s)
        out.append(f'<rect x="{x0:.1f}" y="{top}" width="{max(1.0, x1 - x0):.1f}" height="{bar}" '
                   'fill="#ffffff" fill-opacity="0.75"/>')
    ticks = [(f.start_s, "filler") for f in feedback.fillers.items]
    ticks += [(n.at_s, "note") for n in feedback.notes if n.at_s is not None]
    for at, kind in ticks:
        out.append(f'<line x1="{x(at):.1f}" y1="{top - 8}" x2="{x(at):.1f}" y2="{top + bar}" '
                   f'stroke="{MARKER_COLOURS[kind]}" stroke-width="2"/>')
    step = _axis_step(duration)
    t = 0.0
    while t <= duration + 1e-6:
        out.append(f'<text x="{x(t):.1f}" y="{top + bar + 16}" fill="#555555" '
                   f'text-anchor="middle">{format_clock(t)}</text>')
        t += step
    out.append(f'<text x="{left}" y="12" fill="#555555">stages in colour, pauses pale; '
               'ticks: orange filler, purple note</text>')
    out.append("</svg>")
    return "".join(out)


def _axis_step(duration: float) -> float:
    for step in (5, 10, 15, 30, 60, 120, 300):
        if duration / step <= 8:
            return float(step)
    return 600.0


@dataclass(frozen=True)
class KeyPointRow:
    status: str  # "covered", "partial" or "missed" (a CSS class)
    word: str  # how the status reads: "covered", "partly covered", "not heard in these words",
    # or the candidate's own "covered — you said so (the coach: …)"
    text: str
    evidence: str  # what the candidate said for it ("" when nothing)
    at: str  # "m:ss" where it was said, or ""


@dataclass(frozen=True)
class NoteRow:
    at: str  # "m:ss", or "" for a note about the whole answer
    label: str  # the severity in words
    source: str  # " (local LLM)" or ""
    message: str


def answer_rows(feedback: Feedback) -> tuple[list[KeyPointRow], list[NoteRow]]:
    """The key points and the notes of one answer, worded once for every format."""
    points = [KeyPointRow(
        status=p.effective_status if p.effective_status in ("covered", "partial") else "missed",
        word=(f"{key_point_word(p.effective_status)} — you said so (the coach: "
              f"{key_point_word(p.status)})" if p.by_candidate else
              "covered in the follow-up" if p.in_follow_up else key_point_word(p.status)),
        text=p.text, evidence=_evidence(p),
        at=_evidence_at(p))
        for p in feedback.key_points]
    notes = [NoteRow(
        at=format_clock(n.at_s) if n.at_s is not None else "",
        label=SEVERITY_WORDS.get(n.severity, n.severity),
        source=" (local LLM)" if n.source == "llm" else "", message=n.message)
        for n in feedback.notes]
    return points, notes


def answers_count(attempts: Sequence[AttemptBrief]) -> str:
    """'3 answers', or '2 answers and 2 follow-ups'."""
    replies = sum(1 for a in attempts if a.follow_up_to is not None)
    main = len(attempts) - replies
    text = f"{main} answer{'s' if main != 1 else ''}"
    return f"{text} and {replies} follow-up{'s' if replies != 1 else ''}" if replies else text


def _evidence(point: Any) -> str:
    """What was said for the point: in the reply, for one made in the follow-up."""
    if point.in_follow_up and not point.by_candidate and point.follow_up:
        return str(point.follow_up.get("evidence") or "")
    return point.evidence or ""


def _evidence_at(point: Any) -> str:
    if point.in_follow_up and not point.by_candidate and point.follow_up:
        at = point.follow_up.get("at_s")
        return f"{format_clock(at)} of the follow-up" if at is not None else ""
    return format_clock(point.start_s) if point.start_s is not None else ""


def answers_of(attempts: list[AttemptRow]) -> list[ExportedAnswer]:
    """The answers in the order asked, each follow-up's reply right after the answer it
    follows up and headed under that answer's number."""
    answers: list[ExportedAnswer] = []
    number = 0
    for place, attempt in enumerate(in_threads(attempts), start=1):
        when = f"Answered {_local(attempt.started_at)}."
        if attempt.follow_up_to is not None:
            who = " (from the local LLM)" if attempt.asked_by == "llm" else ""
            heading = f"{number}. Follow-up{who}: {attempt.question_text}"
            reason = attempt.ask_reason or ""
            asked = f"{reason[:1].upper()}{reason[1:]}. {when}" if reason else when
        else:
            number += 1
            closing = "Closing question: " if attempt.asked_by == "interviewer" else ""
            heading, asked = f"{number}. {closing}{attempt.question_text}", when
        if attempt.stop_reason == "interrupted":
            asked += " The interviewer cut in: the answer ran well past its guide."
        answers.append(ExportedAnswer(place, attempt, attempt.feedback, heading, asked))
    return answers


def load_session(store: Store, session_id: int) -> tuple[SessionRow, list[AttemptRow]]:
    """A session and its attempts in full, in the order they were answered."""
    session = store.get_session(session_id)
    return session, [store.get_attempt(b.id)
                      for b in store.list_briefs(session_id=session_id, oldest_first=True)]


def render_text(session: SessionRow, attempts: list[AttemptRow], fmt: str,
                transcript: bool = True) -> str:
    """Markdown (``md``) or HTML (``html``)."""
    if fmt == "html":
        return session_html(session, attempts, transcript=transcript)
    if fmt == "md":
        return session_markdown(session, attempts, transcript=transcript)
    raise ValueError(f"no text export format {fmt!r}")


class ExportError(GreenroomError):
    """An export asked for in a way it cannot be written; a usage error (exit code 2)."""

    exit_code = 2


def _known(fmt: str | None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise ExportError(f"no export format {fmt!r}; use one of {', '.join(FORMATS)}")


def export_format(output: Path | None, asked: str | None = None, fallback: str = "md") -> str:
    """The format to write, decided once for the window and the command line: the file
    name's own suffix when it is one of ``FORMATS``, else the format ``asked`` for (a
    ``--format``), else ``fallback`` (the filter chosen in a file dialog). A name and an
    ask that disagree (``--format pdf -o notes.md``) are refused rather than guessed."""
    for fmt in (asked, fallback):
        _known(fmt)
    suffix = output.suffix.lstrip(".").lower() if output is not None else ""
    if suffix in FORMATS:
        if asked is not None and asked != suffix:
            raise ExportError(f"{output}: the name says {suffix} but {asked} was asked for; "
                              f"name the file .{asked} or leave the format out")
        return suffix
    return asked or fallback


def export_session(store: Store, session_id: int, output: Path, fmt: str | None = None,
                   transcript: bool = True, fallback: str = "md") -> Path:
    """Write one saved session to ``output`` in the format ``export_format`` decides;
    returns the file written. PDF layout is Qt's, so the window runs this on a worker."""
    fmt = export_format(output, fmt, fallback)
    session, attempts = load_session(store, session_id)
    if fmt == "pdf":
        # The one arrow from app into app.ui outside the window's own start: PDF needs Qt's
        # text layout, imported only when a PDF is asked for, so Markdown and HTML (and the
        # command line) never load Qt. tests/test_layering.py names this entry point.
        from app.ui.pdf_export import write_pdf

        try:
            return write_pdf(session, attempts, output, transcript=transcript)
        except StoreError:
            # Qt says only that the file did not come out: name the disk when it is why.
            from app.disk_faults import folder_fault

            fault = folder_fault(output.parent)
            if fault is None:
                raise
            with contextlib.suppress(OSError):
                output.unlink(missing_ok=True)
            raise export_write_error(output, OSError(0, fault.detail or fault.kind)) from None
    return write_text(render_text(session, attempts, fmt, transcript), output)


def session_text(store: Store, session_id: int, fmt: str | None = None,
                 transcript: bool = True) -> str:
    """One saved session as Markdown or HTML text (for printing rather than a file)."""
    fmt = fmt or "md"
    _known(fmt)
    if fmt == "pdf":
        raise ExportError("a PDF cannot go to the terminal; give a file with -o")
    session, attempts = load_session(store, session_id)
    return render_text(session, attempts, fmt, transcript)


def write_text(text: str, output: Path) -> Path:
    """Write ``text`` to ``output`` whole or not at all: it goes to a hidden file beside it
    first and takes the name only once complete, so a full disk, or the app killed half
    way, never leaves half an export (nor spoils an earlier one of the same name)."""
    partial = output.with_name(f".{output.name}.partial")
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, output)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise export_write_error(output, exc) from None
    return output


def export_write_error(output: Path, exc: OSError) -> StoreError:
    """The one line for an export that could not be written: a full, read-only or
    vanished disk named as such (app/disk_faults.py)."""
    from app.disk_faults import os_error_fault
    from app.errors import DiskError

    fault = os_error_fault(exc, output)
    if fault.kind in ("full", "read_only", "gone"):
        return DiskError(fault.describe(f"the export {output.name} was not written",
                                        "free some space there, or choose another folder"
                                        if fault.kind == "full" else "choose another folder"),
                         fault.kind, fault.folder)
    return StoreError(f"{output}: cannot write the export ({exc.strerror}); choose another file")


# ------------------------------------------------------------------ Markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def session_markdown(session: SessionRow, attempts: list[AttemptRow], transcript: bool = True) -> str:
    lines = [f"# {_md(session.title)}", "",
             f"Practice session {session.id}, {_local(session.started_at)}, "
             f"{answers_count(attempts)}.", ""]
    for answer in answers_of(attempts):
        fb = answer.feedback
        lines += [f"## {_md(answer.heading)}", "", _md(answer.asked), ""]
        if fb is None:
            lines += ["This answer was not coached.", ""]
            continue
        lines += [f"**Length:** {_md(feedback_length_line(fb))}", "",
                  f"**Figures:** {_md(figures_sentence(fb))}", ""]
        structure = structure_sentence(fb)
        if structure:
            lines += [f"**{_md(structure.split(':', 1)[0])}:**{_md(structure.split(':', 1)[1])}", ""]
        svg = base64.b64encode(timeline_svg(fb).encode()).decode("ascii")
        lines += [f"![Timeline of answer {answer.number}](data:image/svg+xml;base64,{svg})", ""]
        points, notes = answer_rows(fb)
        lines += ["### Key points", ""]
        if not points:
            lines += ["This question lists no key points.", ""]
        for point in points:
            line = f"- **{point.word}**: {_md(point.text)}"
            if point.evidence:
                where = f" at {point.at}" if point.at else ""
                line += f" — you said{where}: “{_md(point.evidence)}”"
            lines.append(line)
        lines += ["", "### Notes", ""]
        if not notes:
            lines.append("No notes for this answer.")
        for note in notes:
            at = f"{note.at} " if note.at else ""
            lines.append(f"- {at}*{note.label}*{note.source}: {_md(note.message)}")
        lines.append("")
        review = llm_review_lines(fb)
        if review:
            lines += [f"### {_md(review[0])}", ""] + [f"- {_md(r)}" for r in review[1:]] + [""]
        if transcript:
            lines += ["### Transcript", "", _md(fb.transcript.text or "(nothing was transcribed)"), ""]
    return "\n".join(lines).rstrip() + "\n"


def llm_review_lines(feedback: Feedback) -> list[str]:
    """[title, line, …] of the local LLM's review; [] when there is none."""
    llm = feedback.llm
    if llm is None:
        return []
    lines = [f"Review by your local LLM ({llm.model or 'local model'}); it can be wrong"]
    if llm.verdict:
        lines.append(f"Verdict: {llm.verdict}")
    for item in llm.improvements:
        at = item.get("at_s")
        when = f"{format_clock(float(at))} " if isinstance(at, int | float) and at >= 0 else ""
        if item.get("message"):
            lines.append(f"{when}{item['message']}")
    rephrasing: dict[str, Any] = llm.rephrasing or {}
    if rephrasing.get("better"):
        lines.append(f"Say it better: instead of “{rephrasing.get('original', '')}” try "
                     f"“{rephrasing['better']}”")
    if llm.follow_up_question:
        lines.append(f"Follow-up question to expect: {llm.follow_up_question}")
    return lines


# ------------------------------------------------------------------ HTML
ImageSource = Callable[[int, str], str]

_CSS = """
body { font-family: sans-serif; max-width: 52em; margin: 2em auto; line-height: 1.45; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; } h3 { font-size: 1.05em; }
.meta { color: #555; } .covered { color: #1e7e46; } .partial { color: #a86a00; }
.missed { color: #b3261e; } .llm { border-left: 3px solid #16a085; padding-left: 0.8em; }
table { border-collapse: collapse; } td { padding: 2px 8px 2px 0; vertical-align: top; }
"""


def session_html(session: SessionRow, attempts: list[AttemptRow], transcript: bool = True,
                 image_source: ImageSource | None = None) -> str:
    """A whole HTML document. ``image_source(number, svg)`` gives each timeline's ``src``;
    without it the SVG is written inline."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(session.title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{e(session.title)}</h1>",
           f'<p class="meta">Practice session {session.id}, {e(_local(session.started_at))}, '
           f"{e(answers_count(attempts))}.</p>"]
    for answer in answers_of(attempts):
        fb = answer.feedback
        out.append(f"<h2>{e(answer.heading)}</h2>")
        out.append(f'<p class="meta">{e(answer.asked)}</p>')
        if fb is None:
            out.append("<p>This answer was not coached.</p>")
            continue
        out.append(f"<p><b>Length:</b> {e(feedback_length_line(fb))}</p>")
        out.append(f"<p><b>Figures:</b> {e(figures_sentence(fb))}</p>")
        structure = structure_sentence(fb)
        if structure:
            out.append(f"<p>{e(structure)}</p>")
        svg = timeline_svg(fb)
        if image_source is None:
            out.append(f"<p>{svg}</p>")
        else:
            out.append(f'<p><img src="{e(image_source(answer.number, svg))}" '
                       f'width="{TIMELINE_WIDTH}" height="{TIMELINE_HEIGHT}" '
                       f'alt="Timeline of answer {answer.number}"></p>')
        points, notes = answer_rows(fb)
        out.append("<h3>Key points</h3>")
        if not points:
            out.append("<p>This question lists no key points.</p>")
        else:
            out.append("<table>")
            for point in points:
                where = f" at {point.at}" if point.at else ""
                said = f"you said{where}: “{e(point.evidence)}”" if point.evidence else ""
                out.append(f'<tr><td class="{point.status}"><b>{e(point.word)}</b></td>'
                           f"<td>{e(point.text)}</td><td>{said}</td></tr>")
            out.append("</table>")
        out.append("<h3>Notes</h3>")
        if not notes:
            out.append("<p>No notes for this answer.</p>")
        else:
            out.append("<table>")
            for note in notes:
                out.append(f"<tr><td>{note.at}</td><td><i>{e(note.label)}</i>{note.source}</td>"
                           f"<td>{e(note.message)}</td></tr>")
            out.append("</table>")
        review = llm_review_lines(fb)
        if review:
            out.append(f'<div class="llm"><h3>{e(review[0])}</h3><ul>'
                       + "".join(f"<li>{e(line)}</li>" for line in review[1:]) + "</ul></div>")
        if transcript:
            out.append(f"<h3>Transcript</h3><p>{e(fb.transcript.text or '(nothing was transcribed)')}</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


__all__ = ["FORMATS", "FORMAT_NAMES", "ExportError", "ExportedAnswer", "KeyPointRow", "NoteRow",
           "answer_rows", "export_format", "export_session", "figures_sentence", "key_point_word",
           "llm_review_lines", "load_session", "render_text", "session_html", "session_markdown",
           "session_text", "structure_sentence", "timeline_svg", "write_text"]
