"""Feedback on one answer: length, a timeline, key points, pace, notes, the transcript,
and — streamed in afterwards — the local LLM's review.

The deterministic coach's dict arrives at once (``show_feedback``); the LLM's text
streams (``append_llm_text``) and its merged result follows (``show_llm_result``). Any key
may be missing or malformed: the view shows what it can and never raises.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.answer_timeline import AnswerTimeline, Marker, StageSpan
from app.ui.widgets.pace_chart import PaceBar, PaceChart
from app.ui.widgets.text import enlarge, table_tree
from interview_scripts.time_guide import format_clock

KEY_POINT_MARKS = {
    "covered": "✔ covered",
    "partial": "◐ partly",
    "partly": "◐ partly",
    "missing": "✘ missing",
}
AT_ROLE = Qt.ItemDataRole.UserRole + 1


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _num(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def length_verdict_text(feedback: dict[str, Any]) -> str:
    """One line: how long the answer was against the question's guide."""
    duration = _num(feedback.get("duration_s"))
    length = _dict(feedback.get("length"))
    guide = _dict(feedback.get("time_guide"))
    verdict = _text(length.get("verdict"))
    delta = _num(length.get("delta_s")) or 0.0
    said = f"{format_clock(duration)} long" if duration is not None else "Length unknown"
    guide_text = _text(guide.get("text"))
    if not guide or verdict in ("", "no_guide", "none"):
        return f"{said}; this question has no time guide."
    if verdict == "short":
        judgement = f"short by {format_clock(abs(delta))}"
    elif verdict == "long":
        judgement = f"over by {format_clock(abs(delta))}"
    elif verdict == "within":
        judgement = "within the guide"
    else:
        judgement = verdict
    return f"{said}: {judgement} (guide {guide_text})."


def _fit_height(tree: QTreeWidget, max_rows: int = 10) -> None:
    """Size a list to its rows (up to ``max_rows``) so short lists leave no empty box."""
    rows = max(1, min(tree.topLevelItemCount(), max_rows))
    row_height = tree.sizeHintForRow(0) if tree.topLevelItemCount() else tree.fontMetrics().height() + 4
    tree.setFixedHeight(tree.header().sizeHint().height() + rows * max(row_height, 1) + 2 * tree.frameWidth() + 4)


def _section(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    return box, layout


def _wrapping_label(text: str = "", object_name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    if object_name:
        label.setObjectName(object_name)
    return label


class FeedbackView(QWidget):
    """Emits ``momentRequested(at_s)`` when a marker, key point or improvement is chosen."""

    momentRequested = Signal(float)  # noqa: N815 - Qt signal naming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._feedback: dict[str, Any] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        self.verdict_label = enlarge(_wrapping_label(object_name="verdictLabel"), 1.4, bold=True)
        layout.addWidget(self.verdict_label)
        self.numbers_label = _wrapping_label(object_name="numbersLabel")
        layout.addWidget(self.numbers_label)

        box, box_layout = _section("Timeline (click a marker, or select it with ←/→ and Enter, to hear it)")
        self.timeline = AnswerTimeline()
        self.timeline.momentRequested.connect(self.momentRequested)
        box_layout.addWidget(self.timeline)
        self.structure_label = _wrapping_label(object_name="structureLabel")
        box_layout.addWidget(self.structure_label)
        layout.addWidget(box)

        box, box_layout = _section("Key points")
        self.key_points = table_tree("keyPoints", ["", "Key point", "What you said", "At"],
                                     stretch={1, 2})
        self.key_points.setUniformRowHeights(False)
        self.key_points.itemActivated.connect(self._item_chosen)
        box_layout.addWidget(self.key_points)
        layout.addWidget(box)

        row = QHBoxLayout()
        box, box_layout = _section("Pace (words per minute, each minute)")
        self.pace_chart = PaceChart()
        box_layout.addWidget(self.pace_chart)
        row.addWidget(box, 1)
        box, box_layout = _section("Notes")
        self.notes = table_tree("notes", ["At", "Note", "From"], stretch={1})
        self.notes.itemActivated.connect(self._item_chosen)
        box_layout.addWidget(self.notes)
        row.addWidget(box, 1)
        layout.addLayout(row)

        self.llm_box, box_layout = _section("Review by your local LLM (Ollama)")
        self.llm_status = _wrapping_label(object_name="llmStatus")
        box_layout.addWidget(self.llm_status)
        self.llm_stream = QPlainTextEdit()
        self.llm_stream.setReadOnly(True)
        self.llm_stream.setMaximumHeight(110)
        self.llm_stream.setPlaceholderText("The local LLM's words appear here as it writes them.")
        box_layout.addWidget(self.llm_stream)
        self.llm_result = _wrapping_label(object_name="llmResult")
        self.llm_result.setTextFormat(Qt.TextFormat.RichText)
        box_layout.addWidget(self.llm_result)
        self.improvements = table_tree("improvements", ["At", "Improvement (from the local LLM)"],
                                       stretch={1})
        self.improvements.itemActivated.connect(self._item_chosen)
        box_layout.addWidget(self.improvements)
        layout.addWidget(self.llm_box)

        box, box_layout = _section("Transcript")
        self.transcript = QPlainTextEdit()
        self.transcript.setObjectName("transcript")
        self.transcript.setReadOnly(True)
        self.transcript.setMinimumHeight(120)
        box_layout.addWidget(self.transcript)
        layout.addWidget(box)
        layout.addStretch(1)
        self.clear()

    # --------------------------------------------------------------------- public
    def clear(self) -> None:
        self._feedback = {}
        self.verdict_label.setText("Working on your feedback…")
        self.numbers_label.clear()
        self.structure_label.clear()
        self.timeline.set_data(0.0, [], [], [])
        self.key_points.clear()
        self.notes.clear()
        self.pace_chart.set_bars([])
        self.transcript.clear()
        self._reset_llm("")

    def show_processing(self) -> None:
        self.clear()
        self.verdict_label.setText("Transcribing and coaching your answer…")

    def show_feedback(self, feedback: dict[str, Any] | None, llm_pending: bool = False) -> None:
        """The deterministic coach's result; ``llm_pending`` when a review will follow."""
        feedback = _dict(feedback)
        self._feedback = feedback
        self.verdict_label.setText(length_verdict_text(feedback))
        self.numbers_label.setText(self._numbers_text(feedback))
        self.structure_label.setText(self._structure_text(feedback))
        self._fill_timeline(feedback)
        self._fill_key_points(feedback)
        self._fill_notes(feedback)
        self._fill_pace(feedback)
        transcript = _dict(feedback.get("transcript"))
        self.transcript.setPlainText(_text(transcript.get("text")) or "(nothing was transcribed)")
        if llm_pending:
            self._reset_llm("Your local LLM is reviewing the answer…")
        elif feedback.get("llm") or feedback.get("llm_status"):
            self.show_llm_result(feedback)
        else:
            self._reset_llm("No review from the local LLM for this answer (it is turned off in Settings).")

    def append_llm_text(self, chunk: str) -> None:
        if not self.llm_stream.isVisible() and not self.llm_stream.toPlainText():
            self.llm_stream.show()
        self.llm_stream.moveCursor(self.llm_stream.textCursor().MoveOperation.End)
        self.llm_stream.insertPlainText(chunk)

    def show_llm_result(self, feedback: dict[str, Any] | None) -> None:
        feedback = _dict(feedback)
        if feedback:
            self._feedback = feedback
        llm = _dict(feedback.get("llm"))
        self.improvements.clear()
        if not llm:
            status = _dict(feedback.get("llm_status"))
            reason = _text(status.get("reason")) or "the local LLM gave no review"
            fix = _text(status.get("fix"))
            self.llm_status.setText(f"No review from the local LLM: {reason}" + (f" — fix: {fix}" if fix else "")
                                    + "\nThe feedback above comes from Greenroom's own checks.")
            self.llm_stream.hide()
            self.llm_result.hide()
            self.improvements.hide()
            return
        model = _text(llm.get("model")) or "local model"
        self.llm_status.setText(f"From your local LLM ({model}); it can be wrong, weigh it against the checks above.")
        self.llm_stream.hide()
        parts = []
        for title, key in (("Verdict", "verdict"), ("Key points", "key_points"), ("Structure", "structure")):
            value = llm.get(key)
            if isinstance(value, list):
                value = "; ".join(_text(v.get("text") if isinstance(v, dict) else v) for v in value)
            elif isinstance(value, dict):
                value = "; ".join(f"{k}: {v}" for k, v in value.items())
            if value:
                parts.append(f"<p><b>{title}:</b> {html.escape(_text(value))}</p>")
        rephrasing = _dict(llm.get("rephrasing"))
        if rephrasing.get("better"):
            at = _num(rephrasing.get("at_s"))
            where = f" at {format_clock(at)}" if at is not None else ""
            parts.append(f"<p><b>Say it better{where}:</b> instead of “{html.escape(_text(rephrasing.get('original')))}”"
                         f" try “{html.escape(_text(rephrasing.get('better')))}”</p>")
        if llm.get("follow_up_question"):
            parts.append(f"<p><b>Follow-up question to expect:</b> "
                         f"{html.escape(_text(llm.get('follow_up_question')))}</p>")
        self.llm_result.setText("".join(parts) or "The local LLM returned no comments.")
        self.llm_result.show()
        for item in _list(llm.get("improvements")):
            item = _dict(item)
            at = _num(item.get("at_s"))
            row = QTreeWidgetItem([format_clock(at) if at is not None else "", _text(item.get("message"))])
            row.setData(0, AT_ROLE, at)
            self.improvements.addTopLevelItem(row)
        self.improvements.setVisible(self.improvements.topLevelItemCount() > 0)
        self._fill_timeline(feedback)

    # ------------------------------------------------------------------ helpers
    @property
    def feedback(self) -> dict[str, Any]:
        return self._feedback

    def key_point_rows(self) -> list[tuple[str, str, str, str]]:
        return [tuple(self.key_points.topLevelItem(i).text(c) for c in range(4))  # type: ignore[misc]
                for i in range(self.key_points.topLevelItemCount())]

    def _reset_llm(self, status: str) -> None:
        self.llm_status.setText(status)
        self.llm_stream.clear()
        self.llm_stream.setVisible(bool(status) and "reviewing" in status)
        self.llm_result.clear()
        self.llm_result.hide()
        self.improvements.clear()
        self.improvements.hide()

    def _item_chosen(self, item: QTreeWidgetItem, column: int) -> None:
        at = item.data(0, AT_ROLE)
        if isinstance(at, (int, float)):
            self.momentRequested.emit(float(at))

    @staticmethod
    def _numbers_text(feedback: dict[str, Any]) -> str:
        parts = []
        words = _num(feedback.get("words"))
        if words is not None:
            parts.append(f"{int(words)} words")
        wpm = _num(feedback.get("wpm"))
        if wpm is not None:
            parts.append(f"{wpm:.0f} words/min")
        speaking = _num(feedback.get("speaking_s"))
        if speaking is not None:
            parts.append(f"speaking {format_clock(speaking)}")
        pauses = _list(feedback.get("pauses"))
        parts.append(f"{len(pauses)} long pause{'s' if len(pauses) != 1 else ''}")
        fillers = _dict(feedback.get("fillers"))
        if fillers:
            count = int(_num(fillers.get("count")) or 0)
            rate = _num(fillers.get("per_minute"))
            if count == 0:
                text = "no filler words heard"
            else:
                text = f"{'at least ' if fillers.get('lower_bound', True) else ''}{count} filler words"
            if rate is not None and count:
                text += f" ({rate:.1f}/min)"
            if fillers.get("lower_bound", True):
                text += " — a lower bound: speech recognition drops some “um”s and “uh”s"
            parts.append(text)
        return " · ".join(parts)

    @staticmethod
    def _structure_text(feedback: dict[str, Any]) -> str:
        structure = _dict(feedback.get("structure"))
        stages = [_dict(s) for s in _list(structure.get("stages"))]
        if not stages:
            return "No answer structure is set for this question."
        marks = ", ".join(f"{_text(s.get('name'))} {'✔' if s.get('present') else '✘'}" for s in stages)
        return f"Structure ({_text(structure.get('framework')) or 'framework'}): {marks}"

    def _fill_timeline(self, feedback: dict[str, Any]) -> None:
        duration = _num(feedback.get("duration_s")) or 0.0
        spans = []
        stages = _list(_dict(feedback.get("structure")).get("stages"))
        for i, stage in enumerate(_dict(s) for s in stages):
            start, end = _num(stage.get("start_s")), _num(stage.get("end_s"))
            if stage.get("present") and start is not None and end is not None:
                spans.append(StageSpan(_text(stage.get("name")), start, end, i))
        pauses = []
        for p in _list(feedback.get("pauses")):
            start, end = _num(_dict(p).get("start_s")), _num(_dict(p).get("end_s"))
            if start is not None and end is not None:
                pauses.append((start, end))
        markers = []
        for item in _list(_dict(feedback.get("fillers")).get("items")):
            at = _num(_dict(item).get("start_s"))
            if at is not None:
                markers.append(Marker(at, "filler", f"“{_text(_dict(item).get('word'))}”"))
        for note in _list(feedback.get("notes")):
            at = _num(_dict(note).get("at_s"))
            if at is not None:
                markers.append(Marker(at, "note", _text(_dict(note).get("message"))))
        for item in _list(_dict(feedback.get("llm")).get("improvements")):
            at = _num(_dict(item).get("at_s"))
            if at is not None:
                markers.append(Marker(at, "improvement", _text(_dict(item).get("message"))))
        ends = [e for _, e in pauses] + [m.at_s for m in markers] + [s.end_s for s in spans]
        self.timeline.set_data(max([duration, *ends]) if ends else duration, spans, pauses, markers)

    def _fill_key_points(self, feedback: dict[str, Any]) -> None:
        self.key_points.clear()
        for point in (_dict(p) for p in _list(feedback.get("key_points"))):
            status = _text(point.get("status"))
            at = _num(point.get("start_s"))
            row = QTreeWidgetItem([KEY_POINT_MARKS.get(status, status), _text(point.get("text")),
                                   _text(point.get("evidence")), format_clock(at) if at is not None else ""])
            row.setData(0, AT_ROLE, at)
            for column in (1, 2):
                row.setToolTip(column, row.text(column))
            self.key_points.addTopLevelItem(row)
        if not self.key_points.topLevelItemCount():
            self.key_points.addTopLevelItem(QTreeWidgetItem(["", "This question lists no key points.", "", ""]))
        _fit_height(self.key_points)

    def _fill_notes(self, feedback: dict[str, Any]) -> None:
        self.notes.clear()
        for note in (_dict(n) for n in _list(feedback.get("notes"))):
            at = _num(note.get("at_s"))
            severity = _text(note.get("severity"))
            message = _text(note.get("message"))
            row = QTreeWidgetItem([format_clock(at) if at is not None else "",
                                   f"{severity}: {message}" if severity else message,
                                   _text(note.get("source"))])
            row.setData(0, AT_ROLE, at)
            row.setToolTip(1, row.text(1))
            self.notes.addTopLevelItem(row)
        _fit_height(self.notes)

    def _fill_pace(self, feedback: dict[str, Any]) -> None:
        rows = [_dict(r) for r in _list(_dict(feedback.get("pace")).get("per_minute"))]
        minutes = [int(_num(r.get("minute")) or 0) for r in rows]
        # Show minutes 1-based whether the coach counts from 0 or from 1.
        shift = 1 if 0 in minutes else 0
        self.pace_chart.set_bars([PaceBar(m + shift, _num(r.get("wpm")) or 0.0, _text(r.get("flag")))
                                  for m, r in zip(minutes, rows, strict=True)])
