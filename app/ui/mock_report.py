"""The report at the end of a mock interview: every answer, then the feedback on each.

A mock interview holds all feedback back while it runs, as a real panel would; this page
is where it arrives, once, for all answers together. A follow-up's reply is listed under
the answer it followed up (one thread); the closing question's reply is listed and
counted, never scored against key points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QTreeWidgetItem, QVBoxLayout, QWidget

from app.conversation import Turn
from app.ui.feedback_view import FeedbackView
from app.ui.widgets.text import enlarge, table_tree

if TYPE_CHECKING:
    # The coach is loaded by the practice flow as it coaches, not with the window.
    from models.coach.feedback_model import Feedback

ANSWER_ROLE = Qt.ItemDataRole.UserRole + 1


class MockReport(QWidget):
    """Emits ``closed`` when the user leaves the report."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = enlarge(QLabel("Your mock interview"), 1.4, bold=True)
        self.heading.setObjectName("mockHeading")
        layout.addWidget(self.heading)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.answers = table_tree("mockAnswers", ["#", "Question", "Length", "Key points"], stretch={1})
        self.answers.currentItemChanged.connect(self._chosen)
        splitter.addWidget(self.answers)
        self.feedback_view = FeedbackView()
        splitter.addWidget(self.feedback_view)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        layout.addWidget(splitter, 1)
        self.back_button = QPushButton("&Back to interviews")
        self.back_button.setObjectName("mockBackButton")
        self.back_button.clicked.connect(self.closed)
        layout.addWidget(self.back_button)

    def show_answers(self, answers: list[tuple[int, Turn, Feedback]]) -> None:
        """``answers``: (attempt id, the question as asked, its feedback), in the order given."""
        from models.coach.length import feedback_length_line

        self.answers.clear()
        self.answers.setRootIsDecorated(any(turn.is_follow_up for _, turn, _ in answers))
        items: dict[int, QTreeWidgetItem] = {}
        number = 0
        for attempt_id, turn, feedback in answers:
            parent = items.get(turn.follow_up_to) if turn.follow_up_to is not None else None
            if turn.is_closing:
                label, points = "Closing", "not scored"
            elif turn.is_follow_up:
                label, points = "↳ follow-up", _points(feedback)
            else:
                number += 1
                label, points = str(number), _points(feedback)
            item = QTreeWidgetItem([label, turn.question.text, feedback_length_line(feedback), points])
            item.setData(0, ANSWER_ROLE, feedback)
            tip = turn.question.text + (f"\n({turn.reason})" if turn.reason else "")
            item.setToolTip(1, tip)
            if parent is not None:
                parent.addChild(item)
                parent.setExpanded(True)
            else:
                self.answers.addTopLevelItem(item)
            items[attempt_id] = item
        self.heading.setText(f"Your mock interview: {_counted(answers)}")
        if answers:
            self.answers.setCurrentItem(self.answers.topLevelItem(0))
        else:
            self.feedback_view.clear()
            self.feedback_view.verdict_label.setText("No answers were recorded in this interview.")

    def rows(self) -> list[tuple[str, str, str, str]]:
        """Every row as shown, a follow-up's right after the answer it followed up."""
        found: list[tuple[str, str, str, str]] = []
        for i in range(self.answers.topLevelItemCount()):
            top = self.answers.topLevelItem(i)
            for item in (top, *(top.child(c) for c in range(top.childCount()))):
                found.append(tuple(item.text(c) for c in range(4)))  # type: ignore[arg-type]
        return found

    def items(self) -> list[QTreeWidgetItem]:
        return [item for i in range(self.answers.topLevelItemCount())
                for item in (self.answers.topLevelItem(i),
                             *(self.answers.topLevelItem(i).child(c)
                               for c in range(self.answers.topLevelItem(i).childCount())))]

    def _chosen(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        from models.coach.feedback_model import Feedback

        feedback = current.data(0, ANSWER_ROLE) if current is not None else None
        if isinstance(feedback, Feedback):
            self.feedback_view.show_feedback(feedback)


def _points(feedback: Feedback) -> str:
    """Key points counted, with those made only in the follow-up's reply said apart."""
    if not feedback.key_points:
        return "—"
    covered = sum(1 for k in feedback.key_points if k.effective_status == "covered")
    later = sum(1 for k in feedback.key_points if k.in_follow_up)
    text = f"{covered}/{len(feedback.key_points)}"
    return f"{text} ({later} in the follow-up)" if later else text


def _counted(answers: list[tuple[int, Turn, Feedback]]) -> str:
    """'2 answers, 2 follow-ups and your questions for us'."""
    main = sum(1 for _, t, _ in answers if not t.is_follow_up and not t.is_closing)
    follow = sum(1 for _, t, _ in answers if t.is_follow_up)
    closing = any(t.is_closing for _, t, _ in answers)
    parts = [f"{main} answer{'s' if main != 1 else ''}"]
    if follow:
        parts.append(f"{follow} follow-up{'s' if follow != 1 else ''}")
    if closing:
        parts.append("your questions for us")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
