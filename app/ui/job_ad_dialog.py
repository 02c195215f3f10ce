"""A new interview from a job ad: paste the ad (and, if wished, a CV or notes), see the
round chosen from the bank, then edit and save it.

Reading a saved ad and building the round (the bank read, then ranked against the ad by
``interview_scripts.job_ad``) run off the GUI thread. The preview lists each question
with its kind, the interview it comes from, the minutes it is planned for and the ad's
words that chose it, so the candidate sees why it is there; "Edit and save" opens the
interview editor on the round. Nothing is written until the candidate saves there.

When the answer review's local model is there (same settings, same refusals: an ad and a
CV are private too), "Add questions tailored to the ad" asks it for a few questions on
the ad's stated requirements, off the GUI thread, with progress and a Stop; key points
not in the ad's words are dropped and counted, the questions join the round before its
closer, and "Back to the bank's round" undoes it. A failure leaves the bank's round in
place with one line. Without Ollama the button is disabled and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.practice import PracticeSettings
from app.ui.draft_preview import DraftPreviewDialog
from app.ui.widgets.text import table_tree
from app.ui.workers import run_in_background
from interview_scripts.job_ad import (
    DEFAULT_MINUTES,
    MAX_MINUTES,
    MIN_MINUTES,
    TAILORED,
    AdRound,
    build_round,
    load_bank,
    read_ad_file,
)
from interview_scripts.script import InterviewScript
from models.llm_job_ad import AdTailor, Tailoring

COLUMNS = ["Question", "Kind", "From", "Minutes", "The ad's words that chose it"]
LLM_BUTTON = "Add questions &tailored to the ad"


class JobAdDialog(DraftPreviewDialog):
    """Emits ``editRequested(document)`` (the round as a script document) when the
    candidate takes the round to the editor."""

    OPEN_TITLE = "Open a saved job ad"
    OPEN_FILTER = "Text (*.txt *.md);;All files (*)"
    MODEL_OFFER = "write 2–4 questions on the ad's own requirements; you check them"
    MODEL_PROGRESS = "Asking {model} for questions… {chars:,} characters of its reply so far"

    def __init__(self, parent: QWidget | None = None,
                 llm_settings: PracticeSettings | None = None,
                 bank: Callable[[], list[InterviewScript]] = load_bank) -> None:
        super().__init__(parent, "New interview from a job ad", "jobAdDialog")
        self.round: AdRound | None = None
        self.bank_round: AdRound | None = None  # the round before the model added to it
        self.ad_name = "job ad"
        self._load_bank = bank
        self._bank: list[InterviewScript] | None = None  # read once, on the first build
        layout = QVBoxLayout(self)
        intro = QLabel("&Paste the job ad below: its duties and requirements choose the questions. "
                       "Nothing is saved until you save the interview in the editor.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.ad_edit = QPlainTextEdit()
        self.ad_edit.setObjectName("adEdit")
        self.ad_edit.setPlaceholderText("Staff Nurse, acute medical unit\nWhat you will do:\n- …")
        intro.setBuddy(self.ad_edit)
        left_layout.addWidget(self.ad_edit, 3)
        cv_label = QLabel("Your &CV or notes (optional: their words help choose the stories):")
        cv_label.setWordWrap(True)
        left_layout.addWidget(cv_label)
        self.cv_edit = QPlainTextEdit()
        self.cv_edit.setObjectName("cvEdit")
        cv_label.setBuddy(self.cv_edit)
        left_layout.addWidget(self.cv_edit, 1)
        minutes_row = QHBoxLayout()
        minutes_label = QLabel("Round &length:")
        self.minutes_box = QSpinBox()
        self.minutes_box.setObjectName("minutesBox")
        self.minutes_box.setRange(MIN_MINUTES, MAX_MINUTES)
        self.minutes_box.setValue(DEFAULT_MINUTES)
        self.minutes_box.setSuffix(" minutes")
        self.minutes_box.setToolTip("Each question is planned with one follow-up reply")
        minutes_label.setBuddy(self.minutes_box)
        minutes_row.addWidget(minutes_label)
        minutes_row.addWidget(self.minutes_box)
        minutes_row.addStretch(1)
        left_layout.addLayout(minutes_row)
        splitter.addWidget(left)

        preview = table_tree("adPreview", COLUMNS, stretch={0, 4})
        right, right_layout = self._preview_pane(
            "Nothing built yet.", "adSummary", preview, model_button=LLM_BUTTON,
            on_model=self.tailor_with_model, stop="&Stop", back="Back to the &bank's round",
            on_back=self._back_to_bank)
        right_layout.addWidget(preview, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)

        self.build_button = QPushButton("&Build the round")
        self.build_button.setObjectName("buildButton")
        self.build_button.clicked.connect(self.build)
        layout.addLayout(self._button_row("&Open an ad file…", self.build_button))

        settings = self._model_settings(llm_settings)
        self.tailor = AdTailor(settings.ollama_host, settings.llm_model,
                               allow_remote=settings.llm_allow_remote or None)
        self._find_model(settings, lambda: self.tailor.choose().name)

    # ------------------------------------------------------------------ actions
    def open_file(self, path: Path) -> None:
        """Read a saved ad off the GUI thread, show it, then build the round."""
        self.ad_name = path.name
        self._open_in_background(path, read_ad_file, self._file_read)

    def _file_read(self, text: str) -> None:
        self.ad_edit.setPlainText(text)
        self.build()

    def build(self) -> None:
        """Rank the bank against the pasted ad and build a round, off the GUI thread."""
        ad, cv, minutes, name = (self.ad_edit.toPlainText(), self.cv_edit.toPlainText(),
                                 self.minutes_box.value(), self.ad_name)
        self.build_button.setEnabled(False)
        self.summary_label.setText("Choosing the questions…")
        bank, load = self._bank, self._load_bank

        def work() -> tuple[list[InterviewScript], AdRound]:
            scripts = bank if bank is not None else load()
            return scripts, build_round(ad, scripts, minutes, cv=cv, name=name)

        run_in_background(work, self._built, self._failed, owner=self)

    def _built(self, outcome: tuple[list[InterviewScript], AdRound]) -> None:
        self._bank, round_ = outcome
        self.bank_round = round_
        self.back_button.setVisible(False)
        self._show(round_)

    def _failed(self, message: str) -> None:
        self.round = self.bank_round = None
        self._no_draft(message)

    def _show(self, round_: AdRound, note: str = "") -> None:
        self.build_button.setEnabled(True)
        self.round = round_
        self.preview.clear()
        for pick in round_.picks:
            words = ", ".join(pick.matched_terms)
            source = "written for the ad" if pick.script_id == TAILORED else pick.script_id
            item = QTreeWidgetItem([pick.question.text, pick.question.kind, source,
                                    f"{pick.seconds / 60:.1f}", words])
            item.setToolTip(0, pick.question.text)
            tip = f"The ad's words: {words}" + (f"\nFrom your CV or notes: {', '.join(pick.cv_terms)}"
                                                if pick.cv_terms else "")
            item.setToolTip(4, tip)
            self.preview.addTopLevelItem(item)
        role, level = round_.role, round_.level
        said = f" (the ad says “{level.because}”)" if level.because else " (the ad names none)"
        count = len(round_.picks)
        self._draft_shown(
            f"Role: {role.role}, from the {role.script_id} interview. Level: {level.level}{said}. "
            f"{count} question{'s' if count != 1 else ''}, about {round_.minutes:.0f} minutes with one "
            f"follow-up each. Check them, then edit and save.{note}")

    def _draft(self) -> dict[str, Any] | None:
        return dict(self.round.document) if self.round is not None else None

    # ------------------------------------------------------------ the local model
    def _model_may_run(self) -> bool:
        # Once per built round: the model adds to the bank's round, not to its own questions.
        return self.bank_round is not None and self.round is self.bank_round

    def tailor_with_model(self) -> None:
        """Ask the local model for questions on the ad's requirements, off the GUI thread."""
        round_ = self.bank_round
        if not self.llm_model or round_ is None or self._cancel is not None:
            return
        tailor = self.tailor
        ad, cv = self.ad_edit.toPlainText(), self.cv_edit.toPlainText()
        self._run_model(f"Asking {self.llm_model} for questions on the ad's requirements… "
                        "(the first run loads the model, which can take a minute)",
                        lambda progress, cancel: tailor.tailor(ad, round_, cv, progress, cancel),
                        self._model_done_ok)

    def _model_done_ok(self, tailoring: Tailoring) -> None:
        self.back_button.setVisible(True)
        notes = [n for n in tailoring.round.notes if n.startswith("left out")]
        self._show(tailoring.round, " " + tailoring.line + "".join(f" ({n}.)" for n in notes))

    def _model_failure(self, message: str) -> str:
        return f"The local model could not add questions: {message}. The bank's round stays."

    def _back_to_bank(self) -> None:
        if self.bank_round is not None:
            self.back_button.setVisible(False)
            self._show(self.bank_round)


def open_job_ad(parent: QWidget, open_editor: Callable[[dict[str, Any]], Any],
                llm_settings: PracticeSettings | None = None) -> JobAdDialog:
    """Open the dialog over ``parent``; the round goes to ``open_editor`` (the pick
    screen's editor, which saves into the user's scripts folder)."""
    dialog = JobAdDialog(parent, llm_settings)
    dialog.editRequested.connect(lambda document: open_editor(dict(document)))
    dialog.open()
    return dialog
