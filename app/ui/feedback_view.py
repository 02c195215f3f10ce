"""Feedback on one answer: length, a timeline, key points, pace, notes, the transcript,
and — streamed in afterwards — the local LLM's review.

The deterministic coach's typed ``Feedback`` arrives at once (``show_feedback``); the
LLM's text streams (``append_llm_text``) and its merged result follows
(``show_llm_result``). Parts an older attempt lacks have empty defaults in the model, so
the view shows what there is.

The candidate has the last word: where the owner turns marks on (``set_marks_enabled``),
a key point the coach did not hear can be marked "I did cover this", and a span of the
timeline "This was my <Stage>"; both can be undone. The view shows the changed feedback
at once and emits it as ``feedbackEdited`` for its owner to save. A mark is shown as the
candidate's, with the coach's own verdict kept beside it.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.answer_timeline import AnswerTimeline, Marker, StageSpan
from app.ui.widgets.pace_chart import PaceBar, PaceChart
from app.ui.widgets.text import enlarge, table_tree
from app.ui.widgets.wrap_delegate import WrapDelegate
from interview_scripts.time_guide import format_clock

if TYPE_CHECKING:
    # The coach (and pydantic under it) is imported when feedback is first shown, not with
    # the window: its first paint draws no feedback.
    from models.coach.feedback_model import Feedback, KeyPointResult, NoteData

KEY_POINT_MARKS = {
    "covered": "✔ covered",
    "partial": "◐ partly",
    "partly": "◐ partly",
    "not_heard": "? not heard in these words",
    "missing": "✘ missing",
}
# How the structure line marks each stage: a cue heard, its shape heard, unsure, nothing.
STAGE_MARKS = {"clear": "✔", "likely": "✔ likely", "not_clearly_heard": "? not clearly heard",
               "absent": "✘", "candidate": "✔ yours"}
# A point counted covered on the candidate's word: theirs, and what the coach heard.
BY_YOU_MARK = "✔ covered — you said so"
# A point not heard in the answer but made in the reply to its follow-up.
IN_FOLLOW_UP_MARK = "✔ covered in the follow-up"
COACH_WORDS = {"partial": "partly", "not_heard": "not heard in these words", "missing": "missing",
               "covered": "covered"}
AT_ROLE = Qt.ItemDataRole.UserRole + 1
POINT_ROLE = Qt.ItemDataRole.UserRole + 2  # the key point's index in the feedback


def key_point_mark(point: KeyPointResult) -> str:
    """The status column: the candidate's word where it counts, else the coach's."""
    if point.by_candidate:
        return BY_YOU_MARK
    if point.in_follow_up:
        return IN_FOLLOW_UP_MARK
    return KEY_POINT_MARKS.get(point.status, point.status)


def key_point_evidence(point: KeyPointResult) -> str:
    """What was heard; beside a candidate's mark, the coach's own verdict briefly; for a
    point made in the follow-up, the reply's words."""
    if point.in_follow_up and not point.by_candidate and point.follow_up is not None:
        said = point.follow_up.get("evidence")
        return f"In the follow-up: “{said}”" if said else "In the follow-up"
    if not point.by_candidate:
        return point.evidence or ""
    coach = f"The coach: {COACH_WORDS.get(point.status, point.status)}"
    return f"{coach} — “{point.evidence}”" if point.evidence else coach


def _fit_height(tree: QTreeWidget, max_rows: int = 10) -> None:
    """Size a list to its rows (up to ``max_rows``) so short lists leave no empty box.

    Rows wrap, so each is measured at its own height (for the columns' current widths);
    a list never cuts a note or a quote short with "…"."""
    tree.setTextElideMode(Qt.TextElideMode.ElideNone)
    count = tree.topLevelItemCount()
    if count:
        tree.doItemsLayout()
        heights = [tree.visualItemRect(tree.topLevelItem(i)).height() for i in range(min(count, max_rows))]
        if not any(heights):  # not laid out yet (hidden): estimate from the first row
            heights = [max(tree.sizeHintForRow(0), 1)] * min(count, max_rows)
        body = sum(heights)
    else:
        body = tree.fontMetrics().height() + 4
    tree.setFixedHeight(tree.header().sizeHint().height() + body + 2 * tree.frameWidth() + 4)


def most_useful_note(feedback: Feedback) -> NoteData | None:
    """The note to lead with: the most severe, a timed one before an untimed one (it can be
    heard), and among equals the earliest. Notes that only repeat a missed key point or the
    length are left to the lines that already say so."""
    from models.coach.notes import severity_rank

    repeats = ("Key point not heard", "The answer ran")
    notes = [n for n in feedback.notes if not n.message.startswith(repeats)] or list(feedback.notes)
    if not notes:
        return None
    return min(notes, key=lambda n: (severity_rank(n.severity), n.at_s is None,
                                     n.at_s or 0.0))


def lead_lines(feedback: Feedback) -> tuple[str, str]:
    """The two sentences after the length verdict: key points not heard, and the one note.

    Only a point judged absent (``missing``) is called missed; one the word matcher did not
    hear may have been made in other words, and is said so."""
    points = feedback.key_points
    # The candidate's word counts: a point they say they covered is covered.
    missed = [p.text for p in points if p.effective_status == "missing"]
    unheard = [p.text for p in points
               if p.effective_status not in ("covered", "partial", "missing")]
    partly = [p.text for p in points if p.effective_status == "partial"]
    yours = sum(1 for p in points if p.by_candidate)
    later = sum(1 for p in points if p.in_follow_up and not p.by_candidate)
    how = "; ".join(part for part in (f"{yours} by your own word" if yours else "",
                                      f"{later} in the follow-up" if later else "") if part)
    if not points:
        key_text = "This question lists no key points."
    elif not missed and not unheard and not partly:
        key_text = f"You covered all {len(points)} key points" + (f" ({how})." if how else ".")
    else:
        parts = []
        if missed:
            parts.append(f"You missed {len(missed)} of {len(points)} key points: {'; '.join(missed)}.")
        if unheard:
            parts.append(f"Not heard in these words ({len(unheard)} of {len(points)}): "
                         f"{'; '.join(unheard)}.")
        if partly:
            parts.append(f"Only touched on: {'; '.join(partly)}.")
        if yours:
            parts.append(f"{yours} counted covered on your own word.")
        key_text = " ".join(parts)
    note = most_useful_note(feedback)
    if note is None:
        note_text = "No coaching notes for this answer."
    else:
        when = f" (at {format_clock(note.at_s)})" if note.at_s is not None else ""
        note_text = f"Most useful note{when}: {note.message}"
    return key_text, note_text


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
    # The feedback with a mark the candidate just made or undid; the owner saves it.
    feedbackEdited = Signal(object)  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._feedback: Feedback | None = None
        self._marks_enabled = False
        self.key_point_menu: QMenu | None = None
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
        # The three things that matter lead, in full sentences: the length (above), the key
        # points missed, and the one most useful note; the rest follows for whoever wants it.
        self.key_points_lead = enlarge(_wrapping_label(object_name="keyPointsLead"), 1.1)
        layout.addWidget(self.key_points_lead)
        self.note_lead = enlarge(_wrapping_label(object_name="noteLead"), 1.1)
        layout.addWidget(self.note_lead)
        layout.addWidget(self.numbers_label)

        box, box_layout = _section("Timeline (click a marker, or select it with ←/→ and Enter, to hear it)")
        self.timeline = AnswerTimeline()
        self.timeline.momentRequested.connect(self.momentRequested)
        self.timeline.stageMarkRequested.connect(self._stage_mark_requested)
        self.timeline.stageUnmarkRequested.connect(self.unmark_stage)
        box_layout.addWidget(self.timeline)
        self.structure_label = _wrapping_label(object_name="structureLabel")
        box_layout.addWidget(self.structure_label)
        # From the keyboard too: pick a stage, then say it was yours (its gap between the
        # stages around it), or drag across the timeline / right-click a moment.
        self.stage_marks = QWidget()
        row = QHBoxLayout(self.stage_marks)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Mark a stage yourself (or drag across the timeline):"))
        self.stage_choice = QComboBox()
        self.stage_choice.setObjectName("stageChoice")
        self.stage_choice.setAccessibleName("Stage to mark")
        self.stage_choice.currentTextChanged.connect(self._update_mark_buttons)
        row.addWidget(self.stage_choice)
        self.mark_stage_button = QPushButton()
        self.mark_stage_button.setObjectName("markStageButton")
        self.mark_stage_button.clicked.connect(
            lambda: self.mark_stage_at(self.stage_choice.currentText()))
        row.addWidget(self.mark_stage_button)
        self.unmark_stage_button = QPushButton()
        self.unmark_stage_button.setObjectName("unmarkStageButton")
        self.unmark_stage_button.clicked.connect(
            lambda: self.unmark_stage(self.stage_choice.currentText()))
        row.addWidget(self.unmark_stage_button)
        row.addStretch(1)
        box_layout.addWidget(self.stage_marks)
        self.marks_note = _wrapping_label(object_name="marksNote")
        box_layout.addWidget(self.marks_note)
        layout.addWidget(box)

        box, box_layout = _section("Key points")
        self.key_points = table_tree("keyPoints", ["", "Key point", "What you said", "At"],
                                     stretch={1, 2})
        self.key_points.setUniformRowHeights(False)
        self.key_points.itemActivated.connect(self._item_chosen)
        self.key_points.currentItemChanged.connect(self._update_mark_buttons)
        self.key_points.customContextMenuRequested.connect(self._key_point_menu)
        box_layout.addWidget(self.key_points)
        self.point_marks = QWidget()
        row = QHBoxLayout(self.point_marks)
        row.setContentsMargins(0, 0, 0, 0)
        self.mark_point_button = QPushButton("I did co&ver this")
        self.mark_point_button.setObjectName("markPointButton")
        self.mark_point_button.setToolTip("The coach matches words, not meaning: if you made "
                                          "the chosen point in your own words, say so")
        self.mark_point_button.clicked.connect(lambda: self._mark_current_point(True))
        self.unmark_point_button = QPushButton("&Undo my mark")
        self.unmark_point_button.setObjectName("unmarkPointButton")
        self.unmark_point_button.clicked.connect(lambda: self._mark_current_point(False))
        row.addWidget(self.mark_point_button)
        row.addWidget(self.unmark_point_button)
        row.addStretch(1)
        box_layout.addWidget(self.point_marks)
        layout.addWidget(box)

        # Notes take the full width: squeezed beside the pace chart they were cut to a few words.
        box, box_layout = _section("Notes (click one with a time to hear that moment)")
        self.notes = table_tree("notes", ["At", "Note", "From"], stretch={1})
        self.notes.itemActivated.connect(self._item_chosen)
        box_layout.addWidget(self.notes)
        layout.addWidget(box)
        box, box_layout = _section("Pace (words per minute, each minute)")
        self.pace_chart = PaceChart()
        box_layout.addWidget(self.pace_chart)
        layout.addWidget(box)
        for tree in (self.key_points, self.notes):
            # Wrapped rows are measured for the column widths they end up with.
            tree.setItemDelegate(WrapDelegate(tree))
            tree.header().sectionResized.connect(
                lambda *_, t=tree: QTimer.singleShot(0, t, lambda: _fit_height(t)))

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
    def set_marks_enabled(self, enabled: bool) -> None:
        """Offer the candidate's marks; only where the owner saves ``feedbackEdited``."""
        self._marks_enabled = enabled
        self.key_points.setContextMenuPolicy(
            Qt.ContextMenuPolicy.CustomContextMenu if enabled else Qt.ContextMenuPolicy.DefaultContextMenu)
        if self._feedback is not None:
            self._show_marks(self._feedback)
        else:
            self._update_mark_controls(None)

    @property
    def marks_enabled(self) -> bool:
        return self._marks_enabled

    def mark_key_point(self, index: int, covered: bool = True) -> None:
        """The candidate says key point ``index`` was covered (or takes that back)."""
        feedback = self._feedback
        if feedback is None or not self._marks_enabled or not 0 <= index < len(feedback.key_points):
            return
        point = feedback.key_points[index]
        if covered == (point.candidate_says is not None):
            return
        from models.coach import overrides

        edited = (overrides.mark_key_point(feedback, index) if covered
                  else overrides.unmark_key_point(feedback, index))
        self.marks_note.setText(f"“{point.text}” counts as covered: you said so."
                                if covered else f"Your mark on “{point.text}” is undone.")
        self._edited(edited)

    def mark_stage_at(self, name: str, start_s: float | None = None,
                      end_s: float | None = None) -> None:
        """The candidate says a span was their stage ``name``: ``start_s``–``end_s``, the
        span around the moment ``start_s`` (``end_s`` None), or the stage's own gap."""
        feedback = self._feedback
        if feedback is None or not self._marks_enabled or not name:
            return
        from models.coach import overrides

        if start_s is not None and end_s is not None:
            span = overrides.snap_span(feedback, start_s, end_s)
        else:
            span = overrides.default_stage_span(feedback, name, start_s)
        if span is None:
            self.marks_note.setText(f"Nothing in this answer to mark as the {name}.")
            return
        try:
            edited = overrides.mark_stage(feedback, name, *span)
        except ValueError as exc:
            self.marks_note.setText(f"Not marked: {exc}.")
            return
        self.marks_note.setText(f"{format_clock(span[0])}–{format_clock(span[1])} is your {name}. "
                                f"“Undo my {name}” gives the coach's view back.")
        self._edited(edited)

    def unmark_stage(self, name: str) -> None:
        feedback = self._feedback
        if feedback is None or not self._marks_enabled:
            return
        from models.coach.overrides import unmark_stage

        edited = unmark_stage(feedback, name)
        if edited is feedback:
            return
        self.marks_note.setText(f"Your {name} is undone: the coach's view is back.")
        self._edited(edited)

    def clear(self) -> None:
        self._feedback = None
        self.edited_from: Feedback | None = None
        self.marks_note.clear()
        self._update_mark_controls(None)
        self.verdict_label.setText("Working on your feedback…")
        self.key_points_lead.clear()
        self.note_lead.clear()
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

    def show_feedback(self, feedback: Feedback, llm_pending: bool = False) -> None:
        """The deterministic coach's result; ``llm_pending`` when a review will follow."""
        from models.coach.length import feedback_length_line

        self._feedback = feedback
        self.verdict_label.setText(feedback_length_line(feedback))
        key_text, note_text = lead_lines(feedback)
        self.key_points_lead.setText(key_text)
        self.note_lead.setText(note_text)
        self.numbers_label.setText(self._numbers_text(feedback))
        self.marks_note.clear()
        self._show_marks(feedback)
        self._fill_notes(feedback)
        self._fill_pace(feedback)
        self.transcript.setPlainText(feedback.transcript.text or "(nothing was transcribed)")
        if llm_pending:
            self._reset_llm("Your local LLM is reviewing the answer…")
        elif feedback.llm is not None or feedback.llm_status is not None:
            self.show_llm_result(feedback)
        else:
            self._reset_llm("No review from the local LLM for this answer (it is turned off in Settings).")

    def append_llm_text(self, chunk: str) -> None:
        if not self.llm_stream.isVisible() and not self.llm_stream.toPlainText():
            self.llm_stream.show()
        self.llm_stream.moveCursor(self.llm_stream.textCursor().MoveOperation.End)
        self.llm_stream.insertPlainText(chunk)

    def show_llm_result(self, feedback: Feedback) -> None:
        # The review may settle key points and stages: redraw them, with any marks.
        self._show_marks(feedback)
        llm = feedback.llm
        self.improvements.clear()
        if llm is None:
            status = feedback.llm_status
            reason = (status.reason if status else None) or "the local LLM gave no review"
            fix = status.fix if status else None
            cost = status.cost_line() if status else ""
            self.llm_status.setText(f"No review from the local LLM: {reason}" + (f" — fix: {fix}" if fix else "")
                                    + (f" ({cost})" if cost else "")
                                    + "\nThe feedback above comes from Greenroom's own checks.")
            self.llm_stream.hide()
            self.llm_result.hide()
            self.improvements.hide()
            return
        model = llm.model or "local model"
        cost = feedback.llm_status.cost_line() if feedback.llm_status else ""
        self.llm_status.setText(f"From your local LLM ({model}{', ' + cost if cost else ''}); it can be wrong, "
                                "weigh it against the checks above.")
        self.llm_stream.hide()
        parts = []
        points = "; ".join(f"{p.get('text', '')} ({p.get('status', '?')})" for p in llm.key_points)
        stages = "; ".join(f"{s.get('stage', '')}: {s.get('assessment', '')}" for s in llm.structure
                           if s.get("assessment"))
        for title, value in (("Verdict", llm.verdict), ("Key points", points), ("Structure", stages)):
            if value:
                parts.append(f"<p><b>{title}:</b> {html.escape(value)}</p>")
        rephrasing = llm.rephrasing or {}
        if rephrasing.get("better"):
            at = _seconds(rephrasing.get("at_s"))
            where = f" at {format_clock(at)}" if at is not None else ""
            parts.append(f"<p><b>Say it better{where}:</b> instead of “{html.escape(str(rephrasing.get('original', '')))}”"
                         f" try “{html.escape(str(rephrasing['better']))}”</p>")
        if llm.follow_up_question:
            parts.append(f"<p><b>Follow-up question to expect:</b> {html.escape(llm.follow_up_question)}</p>")
        self.llm_result.setText("".join(parts) or "The local LLM returned no comments.")
        self.llm_result.show()
        for item in llm.improvements:
            at = _seconds(item.get("at_s"))
            row = QTreeWidgetItem([format_clock(at) if at is not None else "", str(item.get("message", ""))])
            row.setData(0, AT_ROLE, at)
            self.improvements.addTopLevelItem(row)
        self.improvements.setVisible(self.improvements.topLevelItemCount() > 0)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        # Wrapped rows change height with the width: measure the lists again.
        _fit_height(self.key_points)
        _fit_height(self.notes)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        _fit_height(self.key_points)
        _fit_height(self.notes)

    # ------------------------------------------------------------------ helpers
    @property
    def feedback(self) -> Feedback | None:
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

    def _edited(self, feedback: Feedback) -> None:
        # What it was before this edit, so an owner can save just the mark that changed.
        self.edited_from = self._feedback
        self._show_marks(feedback)
        self.feedbackEdited.emit(feedback)

    def _show_marks(self, feedback: Feedback) -> None:
        """Redraw what the candidate's marks change, keeping the chosen key point."""
        self._feedback = feedback
        row = self.key_points.indexOfTopLevelItem(self.key_points.currentItem())
        key_text, _ = lead_lines(feedback)
        self.key_points_lead.setText(key_text)
        self.structure_label.setText(self._structure_text(feedback))
        self._fill_timeline(feedback)
        self._fill_key_points(feedback)
        if row >= 0 and row < self.key_points.topLevelItemCount():
            self.key_points.setCurrentItem(self.key_points.topLevelItem(row))
        self._update_mark_controls(feedback)

    def _update_mark_controls(self, feedback: Feedback | None) -> None:
        names = [s.name for s in feedback.structure.stages] if feedback is not None else []
        on = self._marks_enabled and feedback is not None
        self.timeline.set_stage_choices(names if on else [])
        current = self.stage_choice.currentText()
        self.stage_choice.blockSignals(True)
        self.stage_choice.clear()
        self.stage_choice.addItems(names)
        if current in names:
            self.stage_choice.setCurrentText(current)
        self.stage_choice.blockSignals(False)
        self.stage_marks.setVisible(on and bool(names))
        self.point_marks.setVisible(on and feedback is not None and bool(feedback.key_points))
        self._update_mark_buttons()

    def _current_point(self) -> int | None:
        item = self.key_points.currentItem()
        index = item.data(0, POINT_ROLE) if item is not None else None
        return index if isinstance(index, int) else None

    def _update_mark_buttons(self, *_: Any) -> None:
        feedback = self._feedback
        index = self._current_point()
        point = feedback.key_points[index] if feedback is not None and index is not None else None
        self.mark_point_button.setEnabled(point is not None and point.effective_status != "covered")
        self.unmark_point_button.setEnabled(point is not None and point.candidate_says is not None)
        name = self.stage_choice.currentText()
        self.mark_stage_button.setText(f"&This was my {name}" if name else "&This was my stage")
        self.unmark_stage_button.setText(f"Undo m&y {name}" if name else "Undo m&y stage")
        stage = next((s for s in feedback.structure.stages if s.name == name), None) \
            if feedback is not None else None
        self.mark_stage_button.setEnabled(stage is not None)
        self.unmark_stage_button.setEnabled(stage is not None and stage.by_candidate)

    def _mark_current_point(self, covered: bool) -> None:
        index = self._current_point()
        if index is not None:
            self.mark_key_point(index, covered)

    def _key_point_menu(self, pos: Any) -> None:
        item = self.key_points.itemAt(pos)
        index = item.data(0, POINT_ROLE) if item is not None else None
        if self._feedback is None or not self._marks_enabled or not isinstance(index, int):
            return
        self.key_points.setCurrentItem(item)
        point = self._feedback.key_points[index]
        menu = QMenu(self)
        if point.effective_status != "covered":
            menu.addAction("I did cover this", lambda: self.mark_key_point(index, True))
        if point.candidate_says is not None:
            menu.addAction("Undo my mark", lambda: self.mark_key_point(index, False))
        self.key_point_menu = menu
        if menu.actions():
            menu.popup(self.key_points.viewport().mapToGlobal(pos))

    def _stage_mark_requested(self, name: str, start_s: Any, end_s: Any) -> None:
        self.mark_stage_at(name, start_s, end_s)

    def _item_chosen(self, item: QTreeWidgetItem, column: int) -> None:
        at = item.data(0, AT_ROLE)
        if isinstance(at, (int, float)):
            self.momentRequested.emit(float(at))

    @staticmethod
    def _numbers_text(feedback: Feedback) -> str:
        parts = [f"{feedback.words} words"]
        if feedback.wpm is not None:
            parts.append(f"{feedback.wpm:.0f} words/min")
        parts.append(f"speaking {format_clock(feedback.speaking_s)}")
        pauses = len(feedback.pauses)
        parts.append(f"{pauses} long pause{'s' if pauses != 1 else ''}")
        fillers = feedback.fillers
        if fillers.count == 0:
            text = "no filler words heard"
        else:
            plural = "s" if fillers.count != 1 else ""
            text = f"{'at least ' if fillers.lower_bound else ''}{fillers.count} filler word{plural}"
        if fillers.per_minute is not None and fillers.count:
            text += f" ({fillers.per_minute:.1f}/min)"
        if fillers.lower_bound:
            text += " — a lower bound: speech recognition drops some “um”s and “uh”s"
        parts.append(text)
        return " · ".join(parts)

    @staticmethod
    def _structure_text(feedback: Feedback) -> str:
        stages = feedback.structure.stages
        if not stages:
            return "No answer structure is set for this question."
        def mark(confidence: str | None, present: bool) -> str:
            # Rows saved before stages had a confidence carry only ``present``.
            return STAGE_MARKS.get(confidence or "", "✔" if present else "✘")

        parts = []
        for s in stages:
            text = f"{s.name} {mark(s.confidence, s.present)}"
            if s.by_candidate:
                coach = s.coach or {}
                text += f" (the coach: {mark(coach.get('confidence'), bool(coach.get('present')))})"
            parts.append(text)
        return f"Structure ({feedback.structure.framework}): {', '.join(parts)}"

    def _fill_timeline(self, feedback: Feedback) -> None:
        spans = [StageSpan(stage.name, stage.start_s, stage.end_s, i, stage.by_candidate)
                 for i, stage in enumerate(feedback.structure.stages)
                 if stage.present and stage.start_s is not None and stage.end_s is not None]
        pauses = [(p.start_s, p.end_s) for p in feedback.pauses]
        markers = [Marker(item.start_s, "filler", f"“{item.word}”") for item in feedback.fillers.items]
        markers += [Marker(note.at_s, "note", note.message) for note in feedback.notes
                    if note.at_s is not None]
        for item in feedback.llm.improvements if feedback.llm is not None else []:
            at = _seconds(item.get("at_s"))
            if at is not None:
                markers.append(Marker(at, "improvement", str(item.get("message", ""))))
        ends = [e for _, e in pauses] + [m.at_s for m in markers] + [s.end_s for s in spans]
        duration = feedback.duration_s
        self.timeline.set_data(max([duration, *ends]) if ends else duration, spans, pauses, markers)

    def _fill_key_points(self, feedback: Feedback) -> None:
        self.key_points.clear()
        for index, point in enumerate(feedback.key_points):
            at = point.start_s
            row = QTreeWidgetItem([key_point_mark(point), point.text, key_point_evidence(point),
                                   format_clock(at) if at is not None else ""])
            row.setData(0, AT_ROLE, at)
            row.setData(0, POINT_ROLE, index)
            for column in (1, 2):
                row.setToolTip(column, row.text(column))
            self.key_points.addTopLevelItem(row)
        if not self.key_points.topLevelItemCount():
            self.key_points.addTopLevelItem(QTreeWidgetItem(["", "This question lists no key points.", "", ""]))
        _fit_height(self.key_points)

    def _fill_notes(self, feedback: Feedback) -> None:
        self.notes.clear()
        for note in feedback.notes:
            at = note.at_s
            row = QTreeWidgetItem([format_clock(at) if at is not None else "",
                                   f"{note.severity}: {note.message}", note.source])
            row.setData(0, AT_ROLE, at)
            row.setToolTip(1, row.text(1))
            self.notes.addTopLevelItem(row)
        _fit_height(self.notes)

    def _fill_pace(self, feedback: Feedback) -> None:
        self.pace_chart.set_bars([PaceBar(row.minute, row.wpm, row.flag or "")
                                  for row in feedback.pace.per_minute])


def _seconds(value: Any) -> float | None:
    """A time from the LLM's part (checked by its own schema, but kept loose in storage)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None
