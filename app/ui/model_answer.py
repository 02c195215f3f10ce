"""The sample answer, offered only after the candidate has answered: its text, and for
each key point whether the sample makes it and whether the candidate's answer did."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.text import table_tree
from interview_scripts.script import Question
from models.coach.feedback_model import Feedback
from models.coach.model_answer import compare_with_sample

ANSWER_WORDS = {"covered": "✔ yes", "partial": "◐ in passing", "missing": "✘ no",
                "not_heard": "? not heard in these words"}


class ModelAnswerDialog(QDialog):
    def __init__(self, question: Question, feedback: Feedback,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model answer — Greenroom")
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The sample answer from the interview script:"))
        self.sample = QPlainTextEdit(question.sample_answer.strip())
        self.sample.setReadOnly(True)
        layout.addWidget(self.sample, 1)
        self.points = table_tree("modelAnswerPoints", ["Key point", "In the sample", "In your answer"],
                                 {0})
        self.rows = compare_with_sample(question, feedback)
        for row in self.rows:
            item = QTreeWidgetItem([row.text, "✔ yes" if row.in_sample else "— not in these words",
                                    ANSWER_WORDS.get(row.answer_status, row.answer_status)])
            if row.sample_evidence:
                item.setToolTip(1, row.sample_evidence)
            self.points.addTopLevelItem(item)
        both = sum(r.in_sample and r.in_answer for r in self.rows)
        only_sample = [r.text for r in self.rows if r.in_sample and not r.in_answer]
        summary = f"You and the sample both make {both} of {len(self.rows)} key points."
        if only_sample:
            summary += " The sample makes, and your answer was not heard making: " + \
                "; ".join(only_sample) + "."
        self.summary = QLabel(summary if self.rows else "This question lists no key points.")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        layout.addWidget(self.points, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def rows_shown(self) -> list[tuple[str, str, str]]:
        return [tuple(self.points.topLevelItem(i).text(c) for c in range(3))  # type: ignore[misc]
                for i in range(self.points.topLevelItemCount())]
