"""The report at the end of a mock interview: every answer, then the feedback on each.

A mock interview holds all feedback back while it runs, as a real panel would; this page
is where it arrives, once, for all answers together.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QTreeWidgetItem, QVBoxLayout, QWidget

from app.ui.feedback_view import FeedbackView
from app.ui.widgets.text import enlarge, table_tree
from interview_scripts.script import Question
from models.coach.feedback_model import Feedback
from models.coach.length import feedback_length_line

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

    def show_answers(self, answers: list[tuple[Question, Feedback]]) -> None:
        self.answers.clear()
        count = len(answers)
        self.heading.setText(f"Your mock interview: {count} answer{'s' if count != 1 else ''}")
        for number, (question, feedback) in enumerate(answers, start=1):
            covered = sum(1 for k in feedback.key_points if k.effective_status == "covered")
            points = f"{covered}/{len(feedback.key_points)}" if feedback.key_points else "—"
            item = QTreeWidgetItem([str(number), question.text, feedback_length_line(feedback), points])
            item.setData(0, ANSWER_ROLE, feedback)
            item.setToolTip(1, question.text)
            self.answers.addTopLevelItem(item)
        if count:
            self.answers.setCurrentItem(self.answers.topLevelItem(0))
        else:
            self.feedback_view.clear()
            self.feedback_view.verdict_label.setText("No answers were recorded in this interview.")

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [tuple(self.answers.topLevelItem(i).text(c) for c in range(4))  # type: ignore[misc]
                for i in range(self.answers.topLevelItemCount())]

    def _chosen(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        feedback = current.data(0, ANSWER_ROLE) if current is not None else None
        if isinstance(feedback, Feedback):
            self.feedback_view.show_feedback(feedback)
