"""`greenroom sessions export`: Markdown, HTML and PDF of the fixture session."""

from __future__ import annotations

import base64
import dataclasses
import html
import re
import zlib
from pathlib import Path

import pytest

from app import export, paths
from app.cli import main
from app.store import Store
from models.coach.feedback_model import LLMReview
from models.coach.length import feedback_length_line

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "store-v1.sqlite3"


@pytest.fixture
def saved() -> Store:
    db = paths.database_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(FIXTURE_V1.read_bytes())
    opened = Store()
    # The second answer carries a review from the local LLM, as a reviewed answer would.
    second = opened.get_attempt(2)
    assert second.feedback is not None
    opened.update_feedback(2, second.feedback.model_copy(update={"llm": LLMReview(
        verdict="Clear outcome; name the post-mortem.", model="llama3.2",
        improvements=[{"at_s": 17.0, "message": "Say what the canary checks."}])}))
    return opened


def expected_facts(store: Store) -> list[str]:
    """What every format must carry: verdicts, key points with evidence, timed notes."""
    facts = []
    for attempt_id in (1, 2):
        fb = store.get_attempt(attempt_id).feedback
        assert fb is not None
        facts.append(feedback_length_line(fb))
        facts += [p.text for p in fb.key_points]
        facts += [p.evidence for p in fb.key_points if p.evidence]
        facts += [n.message for n in fb.notes]
    return facts


def test_markdown_holds_verdicts_key_points_notes_and_a_timeline_picture(
        saved: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "session.md"
    assert main(["sessions", "export", "1", "--format", "md", "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"Wrote {out}\n"
    text = out.read_text(encoding="utf-8")
    plain = text.replace("\\", "")  # Markdown escapes are not part of the words
    for fact in expected_facts(saved):
        assert fact in plain, fact
    # The time judged is the speaking time (0:20 of a 0:22 recording), as in the window.
    assert "**Length:** Spoke for 0:20: within the guide (guide 20-40 seconds)." in plain
    assert "- **partly covered**: Quantified the customer impact" in text
    # Saved before "not_heard" existed, so worded as then (the app and the report agree).
    assert "- **missing**: Ran a blameless post-mortem" in text
    assert export.key_point_word("not_heard") == "not heard in these words"
    assert re.search(r"^- 0:15 \*tip\*: At 0:15 you touch on", text, re.MULTILINE)
    pictures = re.findall(r"!\[Timeline of answer \d\]\(data:image/svg\+xml;base64,([^)]+)\)", text)
    assert len(pictures) == 2
    assert base64.b64decode(pictures[0]).decode().startswith("<svg ")
    assert "### Review by your local LLM (llama3.2); it can be wrong" in text
    assert "- 0:17 Say what the canary checks." in text
    assert text.count("### Transcript") == 2 and "Friday evening" in text


def test_html_escapes_what_was_said_and_can_leave_the_transcript_out(
        saved: Store, tmp_path: Path) -> None:
    out = tmp_path / "session.html"
    assert main(["sessions", "export", "1", "--format", "html", "-o", str(out),
                 "--no-transcript"]) == 0
    text = out.read_text(encoding="utf-8")
    for fact in expected_facts(saved):
        assert html.escape(fact) in text, fact
    assert text.count("<svg ") == 2 and "Transcript" not in text
    assert '<div class="llm"><h3>Review by your local LLM (llama3.2); it can be wrong</h3>' in text
    session = saved.get_session(1)
    attempt = saved.get_attempt(1)
    assert attempt.question_text in text
    sneaky = dataclasses.replace(session, script_title="<script>alert(1)</script>")
    assert "<script>" not in export.session_html(sneaky, [attempt])


def _pdf_pages(data: bytes) -> list[bytes]:
    """Each page's drawing operators, from the page objects' compressed content streams."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    return [s for s in streams if b" Tf" in s or b" Do" in s]


def test_pdf_has_the_session_on_page_one_and_page_one_is_not_blank(saved: Store, tmp_path: Path,
                                                                   qapp: object) -> None:
    out = tmp_path / "session.pdf"
    assert main(["sessions", "export", "1", "--format", "pdf", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = _pdf_pages(data)
    assert pages, "no page draws anything"
    first = pages[0]
    assert b" Do" in first, "the timeline picture is not drawn on page 1"
    assert first.count(b"Tj") + first.count(b"TJ") > 20, "page 1 holds almost no text"

    # Page 1 of the written file, rasterised by PDFium (the PDF engine of Chromium, a test
    # dependency only): what a reader's PDF viewer would show.
    import pypdfium2

    document = pypdfium2.PdfDocument(str(out))
    try:
        assert len(document) == len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
        pixels = document[0].render(scale=1.0).to_numpy()[:, :, :3].astype(int)  # height x width x BGR
    finally:
        document.close()
    height, width = pixels.shape[:2]
    assert width > 500 and height > 700  # A4 at 72 dpi is 595 x 842
    ink = pixels.sum(axis=2) < 3 * 128
    assert ink.mean() > 0.005, "page 1 is blank"
    assert ink[: height // 3].sum() > 500, "no text at the top of page 1"
    # The timeline picture: saturated stage colours, which black text never has.
    saturated = pixels.max(axis=2) - pixels.min(axis=2) > 60
    assert saturated.sum() > 500, "no timeline colours on page 1"


def test_a_pdf_cannot_go_to_the_terminal(saved: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "export", "1", "--format", "pdf", "-o", "-"]) == 2
    assert "give a file with -o" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "asked", "fallback", "chosen"), [
    ("notes.html", None, "md", "html"),  # the name says it
    ("notes.PDF", None, "md", "pdf"),
    ("notes.md", "md", "pdf", "md"),  # the name and the ask agree
    ("notes", "html", "md", "html"),  # no suffix: what was asked for
    ("notes.txt", None, "pdf", "pdf"),  # an unknown suffix: the dialog's filter
    ("notes.txt", None, "md", "md"),
])
def test_the_format_comes_from_the_name_then_the_ask_then_the_fallback(
        name: str, asked: str | None, fallback: str, chosen: str) -> None:
    assert export.export_format(Path(name), asked, fallback) == chosen


def test_a_format_the_name_contradicts_or_nobody_knows_is_refused_in_one_line() -> None:
    with pytest.raises(export.ExportError, match=r"notes\.md: the name says md but pdf"):
        export.export_format(Path("notes.md"), "pdf")
    with pytest.raises(export.ExportError, match="no export format 'docx'"):
        export.export_format(Path("notes"), "docx")
    assert export.ExportError("x").exit_code == 2


def test_the_cli_takes_the_format_from_the_file_name(saved: Store, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "session.html"
    assert main(["sessions", "export", "1", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    clash = tmp_path / "session.md"
    assert main(["sessions", "export", "1", "--format", "html", "-o", str(clash)]) == 2
    assert "the name says md but html was asked for" in capsys.readouterr().err
    assert not clash.exists()  # refused before anything is written


def test_one_entry_point_writes_every_format(saved: Store, tmp_path: Path, qapp: object) -> None:
    for fmt, start in (("md", b"# "), ("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF-")):
        written = export.export_session(saved, 1, tmp_path / f"s.{fmt}")
        assert written == tmp_path / f"s.{fmt}" and written.read_bytes().startswith(start)
    assert export.session_text(saved, 1, "md") == (tmp_path / "s.md").read_text(encoding="utf-8")


def test_each_key_point_and_note_is_worded_once_for_every_format(saved: Store) -> None:
    feedback = saved.get_attempt(2).feedback
    assert feedback is not None
    points, notes = export.answer_rows(feedback)
    assert [p.text for p in points] == [p.text for p in feedback.key_points]
    for row, point in zip(points, feedback.key_points, strict=True):
        assert row.word == export.key_point_word(point.status)
        assert row.status in ("covered", "partial", "missed")
        assert (row.at != "") == (point.start_s is not None)
    assert [n.message for n in notes] == [n.message for n in feedback.notes]
    llm_note = feedback.notes[0].model_copy(update={"source": "llm", "at_s": 75.0})
    (row,) = export.answer_rows(feedback.model_copy(update={"notes": [llm_note]}))[1]
    assert (row.at, row.source) == ("1:15", " (local LLM)")
    # Both formats say the same words for it.
    session = saved.get_session(1)
    attempt = dataclasses.replace(saved.get_attempt(2),
                                  feedback=feedback.model_copy(update={"notes": [llm_note]}))
    assert f"- 1:15 *{row.label}* (local LLM)" in export.session_markdown(session, [attempt])
    assert f"<td>1:15</td><td><i>{row.label}</i> (local LLM)</td>" in export.session_html(
        session, [attempt])


def test_a_named_session_is_exported_under_its_name(saved: Store) -> None:
    saved.rename_session(1, "Dress rehearsal, Friday")
    session, attempts = export.load_session(saved, 1)
    assert export.session_markdown(session, attempts).startswith("# Dress rehearsal, Friday\n")
    assert "<h1>Dress rehearsal, Friday</h1>" in export.session_html(session, attempts)
    saved.rename_session(1, "")
    session, attempts = export.load_session(saved, 1)
    assert export.session_markdown(session, attempts).startswith(f"# {session.script_title}\n")


def test_the_candidates_marks_are_exported_as_theirs_beside_the_coachs_word(saved: Store) -> None:
    from models.coach.overrides import mark_key_point, mark_stage

    attempt = saved.get_attempt(1)
    feedback = attempt.feedback
    assert feedback is not None
    index = next(i for i, p in enumerate(feedback.key_points) if p.status in ("not_heard", "missing"))
    coach_word = export.key_point_word(feedback.key_points[index].status)
    stage = feedback.structure.stages[-1].name
    marked = mark_stage(mark_key_point(feedback, index), stage, 1.0, 3.0)
    saved.update_feedback(1, marked)
    session, attempts = export.load_session(saved, 1)
    text = export.session_markdown(session, attempts)
    point = feedback.key_points[index].text
    assert f"- **covered — you said so (the coach: {coach_word})**: {point}" in text
    assert f"{stage} (yours)" in export.timeline_svg(marked)  # the picture labels their span
    rows, _ = export.answer_rows(marked)
    assert rows[index].status == "covered"
