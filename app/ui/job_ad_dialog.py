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

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.practice import PracticeSettings
from app.ui.settings_store import SettingsStore
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


class _Progress(QObject):
    """Carries the model's progress from its worker thread to the GUI thread (queued)."""

    chars = Signal(int)


class JobAdDialog(QDialog):
    """Emits ``editRequested(document)`` (the round as a script document) when the
    candidate takes the round to the editor."""

    editRequested = Signal(object)  # noqa: N815 - Qt signal naming
    previewReady = Signal()  # noqa: N815 - emitted once a round was built (or failed)

    def __init__(self, parent: QWidget | None = None,
                 llm_settings: PracticeSettings | None = None,
                 bank: Callable[[], list[InterviewScript]] = load_bank) -> None:
        super().__init__(parent)
        self.setWindowTitle("New interview from a job ad")
        self.setObjectName("jobAdDialog")
        self.resize(1180, 720)
        self.round: AdRound | None = None
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

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.summary_label = QLabel("Nothing built yet.")
        self.summary_label.setObjectName("adSummary")
        self.summary_label.setWordWrap(True)
        right_layout.addWidget(self.summary_label)
        llm_row = QHBoxLayout()
        self.llm_button = QPushButton(LLM_BUTTON)
        self.llm_button.setObjectName("llmButton")
        self.llm_button.setEnabled(False)
        self.llm_button.clicked.connect(self.tailor_with_model)
        self.llm_progress = QProgressBar()
        self.llm_progress.setRange(0, 0)  # busy: the reply's length is not known beforehand
        self.llm_progress.setTextVisible(False)
        self.llm_progress.setVisible(False)
        self.llm_stop = QPushButton("&Stop")
        self.llm_stop.setVisible(False)
        self.llm_stop.clicked.connect(self.stop_model)
        self.back_button = QPushButton("Back to the &bank's round")
        self.back_button.setVisible(False)
        self.back_button.clicked.connect(self._back_to_bank)
        llm_row.addWidget(self.llm_button)
        llm_row.addWidget(self.llm_progress, 1)
        llm_row.addWidget(self.llm_stop)
        llm_row.addWidget(self.back_button)
        llm_row.addStretch(1)
        right_layout.addLayout(llm_row)
        self.preview = table_tree("adPreview", COLUMNS, stretch={0, 4})
        right_layout.addWidget(self.preview, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("&Open an ad file…")
        self.open_button.clicked.connect(self.choose_file)
        self.build_button = QPushButton("&Build the round")
        self.build_button.setObjectName("buildButton")
        self.build_button.clicked.connect(self.build)
        self.edit_button = QPushButton("&Edit and save…")
        self.edit_button.setObjectName("editButton")
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self._edit)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.build_button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.edit_button)
        layout.addLayout(buttons)

        settings = llm_settings if llm_settings is not None else SettingsStore().practice_settings()
        self.tailor = AdTailor(settings.ollama_host, settings.llm_model,
                               allow_remote=settings.llm_allow_remote or None)
        self.llm_model: str | None = None
        self.bank_round: AdRound | None = None  # the round before the model added to it
        self._cancel: threading.Event | None = None
        self._progress = _Progress(self)
        self._progress.chars.connect(self._model_progress)
        if not settings.llm_enabled:
            self._model_missing("the local model is turned off in Settings")
        else:
            self.llm_button.setToolTip("Looking for a local model…")
            run_in_background(lambda: self.tailor.choose().name, self._model_found,
                              self._model_missing, owner=self)

    # ------------------------------------------------------------------ actions
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open a saved job ad", str(Path.home()),
                                              "Text (*.txt *.md);;All files (*)")
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        """Read a saved ad off the GUI thread, show it, then build the round."""
        self.ad_name = path.name
        self.summary_label.setText(f"Opening {path.name}…")
        run_in_background(lambda: read_ad_file(path), self._file_read, self._failed, owner=self)

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
        self.build_button.setEnabled(True)
        self.round = self.bank_round = None
        self.back_button.setVisible(False)
        self.edit_button.setEnabled(False)
        self.preview.clear()
        self.summary_label.setText(message)
        self._update_llm_button()
        self.previewReady.emit()

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
        self.summary_label.setText(
            f"Role: {role.role}, from the {role.script_id} interview. Level: {level.level}{said}. "
            f"{count} question{'s' if count != 1 else ''}, about {round_.minutes:.0f} minutes with one "
            f"follow-up each. Check them, then edit and save.{note}")
        self.edit_button.setEnabled(True)
        self.edit_button.setFocus()
        self._update_llm_button()
        self.previewReady.emit()

    # ------------------------------------------------------------ the local model
    def _model_found(self, name: str) -> None:
        self.llm_model = name
        self.llm_button.setToolTip(f"Let {name} (through Ollama, on this machine unless your settings "
                                   "allow otherwise) write 2–4 questions on the ad's own requirements; "
                                   "you check them before anything is saved")
        self._update_llm_button()

    def _model_missing(self, message: str) -> None:
        self.llm_model = None
        self.llm_button.setToolTip(f"Unavailable: {message}")
        self._update_llm_button()

    def _update_llm_button(self) -> None:
        # Once per built round: the model adds to the bank's round, not to its own questions.
        ready = self.bank_round is not None and self.round is self.bank_round
        self.llm_button.setEnabled(bool(self.llm_model) and ready and self._cancel is None)

    def tailor_with_model(self) -> None:
        """Ask the local model for questions on the ad's requirements, off the GUI thread."""
        round_ = self.bank_round
        if not self.llm_model or round_ is None or self._cancel is not None:
            return
        cancel = self._cancel = threading.Event()
        self._update_llm_button()
        self.build_button.setEnabled(False)
        self.llm_progress.setVisible(True)
        self.llm_stop.setVisible(True)
        self.summary_label.setText(f"Asking {self.llm_model} for questions on the ad's requirements… "
                                   "(the first run loads the model, which can take a minute)")
        tailor, progress = self.tailor, self._progress
        ad, cv = self.ad_edit.toPlainText(), self.cv_edit.toPlainText()
        run_in_background(lambda: tailor.tailor(ad, round_, cv, progress.chars.emit, cancel),
                          self._model_done_ok, self._model_failed, owner=self)

    def stop_model(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _model_progress(self, chars: int) -> None:
        if self._cancel is not None:
            self.summary_label.setText(f"Asking {self.llm_model} for questions… {chars:,} characters "
                                       "of its reply so far")

    def _model_finished(self) -> None:
        self._cancel = None
        self.llm_progress.setVisible(False)
        self.llm_stop.setVisible(False)
        self.build_button.setEnabled(True)

    def _model_done_ok(self, tailoring: Tailoring) -> None:
        self._model_finished()
        self.back_button.setVisible(True)
        notes = [n for n in tailoring.round.notes if n.startswith("left out")]
        self._show(tailoring.round, " " + tailoring.line + "".join(f" ({n}.)" for n in notes))

    def _model_failed(self, message: str) -> None:
        self._model_finished()
        self._update_llm_button()
        self.summary_label.setText(f"The local model could not add questions: {message}. "
                                   "The bank's round stays.")
        self.previewReady.emit()

    def _back_to_bank(self) -> None:
        if self.bank_round is not None:
            self.back_button.setVisible(False)
            self._show(self.bank_round)

    def done(self, code: int) -> None:  # noqa: D102 - closing stops a model still writing
        self.stop_model()
        super().done(code)

    def found_rows(self) -> list[tuple[str, ...]]:
        """The preview as text, row by row (the columns of ``COLUMNS``)."""
        return [tuple(self.preview.topLevelItem(i).text(c) for c in range(len(COLUMNS)))
                for i in range(self.preview.topLevelItemCount())]

    def _edit(self) -> None:
        if self.round is not None:
            self.editRequested.emit(dict(self.round.document))
            self.accept()


def open_job_ad(parent: QWidget, open_editor: Callable[[dict[str, Any]], Any],
                llm_settings: PracticeSettings | None = None) -> JobAdDialog:
    """Open the dialog over ``parent``; the round goes to ``open_editor`` (the pick
    screen's editor, which saves into the user's scripts folder)."""
    dialog = JobAdDialog(parent, llm_settings)
    dialog.editRequested.connect(lambda document: open_editor(dict(document)))
    dialog.open()
    return dialog
