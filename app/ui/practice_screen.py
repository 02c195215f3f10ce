"""The practice room: the question, the clock while answering, then the feedback.

This screen owns one ``PracticeSession`` at a time and only ever calls its non-blocking
methods; the flow's callbacks come back through ``PracticeBridge`` signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app.conversation import Turn
from app.errors import USER_ERRORS
from app.practice import Phase, PracticeSession, PracticeSettings, SourceFactory
from app.store import Store
from app.ui import gui_collector
from app.ui.feedback_marks import MarkSaver
from app.ui.feedback_view import FeedbackView
from app.ui.mock_report import MockReport
from app.ui.practice_bridge import PracticeBridge
from app.ui.widgets.clock_band import ClockBand
from app.ui.widgets.level_meter import LevelMeter
from app.ui.widgets.text import enlarge
from app.ui.workers import run_in_background
from interview_scripts.script import InterviewScript, Question
from interview_scripts.time_guide import format_clock

if TYPE_CHECKING:
    # The coach is loaded by the practice flow as it coaches, not with the window.
    from models.coach.feedback_model import Feedback

STOP_REASONS = {
    "candidate": "You stopped the answer.",
    "silence": "Stopped after a long silence.",
    "interrupted": "The interviewer cut in: the answer ran well past its guide; all of it is kept.",
    "max_length": "Stopped at the longest answer allowed in Settings.",
    "device": "The microphone went away; what was recorded is kept.",
    "cancelled": "Answer cancelled; what was recorded is kept.",
    "end_of_input": "The audio input ended.",
    "disk": "The disk stopped taking the recording (see above); what was recorded is kept.",
}


class PracticeScreen(QWidget):
    problem = Signal(str)  # a one-line message for the window's banner
    finished = Signal(int)  # session id, once the interview is saved and over
    hintsToggled = Signal(bool)  # noqa: N815 - Qt signal naming
    reportClosed = Signal()  # noqa: N815 - the user left a mock interview's report

    def __init__(self, store_factory: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store_factory = store_factory or Store
        self.session: PracticeSession | None = None
        self._release_collection: Callable[[], None] = lambda: None
        self.settings = PracticeSettings()
        self.phase = Phase.IDLE
        self.question: Question | None = None
        self.last_stop_reason = ""
        self.bands_seen: list[str] = []  # bands the clock showed during the current answer
        # A mock interview's answers, held back until it ends: attempt id -> (question as
        # asked, feedback); a follow-up's reply comes right after the answer it follows up.
        self.mock_answers: dict[int, tuple[Turn, Feedback]] = {}
        self.turn: Turn | None = None  # the question as asked now (a follow-up included)
        # The answer to the current question and its follow-up's reply: attempt id, the
        # question as asked, the latest feedback. Shown together once the reply is coached.
        self.thread: list[tuple[int, Turn, Feedback]] = []
        self.holds_report = False  # the mock report is on screen after the interview ended
        self.shown_attempt_id: int | None = None  # the saved answer whose feedback is shown
        self.bridge = PracticeBridge(self)
        self._build()
        self._connect_bridge()
        self._build_shortcuts()
        self._update_controls()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progressLabel")
        layout.addWidget(self.progress_label)
        # The interviewer's own lines (opening, transitions, interjections) and notices.
        self.interviewer_label = QLabel()
        self.interviewer_label.setObjectName("interviewerLabel")
        self.interviewer_label.setWordWrap(True)
        self.interviewer_label.setVisible(False)
        layout.addWidget(self.interviewer_label)
        self.question_label = enlarge(QLabel(), 1.55)
        self.question_label.setObjectName("questionLabel")
        self.question_label.setWordWrap(True)
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.question_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout.addWidget(self.question_label)

        row = QHBoxLayout()
        self.replay_button = QPushButton("Read it &again")
        self.replay_button.clicked.connect(self.replay)
        self.skip_button = QPushButton("S&kip reading")
        self.skip_button.clicked.connect(self.skip_speech)
        self.hints_box = QCheckBox("Show structure &hints while answering")
        self.hints_box.toggled.connect(self._hints_toggled)
        row.addWidget(self.replay_button)
        row.addWidget(self.skip_button)
        row.addStretch(1)
        row.addWidget(self.hints_box)
        layout.addLayout(row)

        self.status_label = QLabel()
        self.status_label.setObjectName("phaseLabel")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

        self.pages = QStackedWidget()
        answer_page = QWidget()
        answer_layout = QVBoxLayout(answer_page)
        answer_layout.setContentsMargins(0, 0, 0, 0)
        self.clock = ClockBand()
        answer_layout.addWidget(self.clock, 3)
        meter_row = QHBoxLayout()
        meter_row.addWidget(QLabel("Mic"))
        self.meter = LevelMeter()
        meter_row.addWidget(self.meter, 1)
        answer_layout.addLayout(meter_row)
        self.stage_hints = QLabel()
        self.stage_hints.setObjectName("stageHints")
        self.stage_hints.setWordWrap(True)
        self.stage_hints.setTextFormat(Qt.TextFormat.RichText)
        answer_layout.addWidget(self.stage_hints, 1)
        self.answer_button = QPushButton()
        self.answer_button.setObjectName("answerButton")
        self.answer_button.setMinimumHeight(44)
        self.answer_button.clicked.connect(self.toggle_answer)
        answer_layout.addWidget(self.answer_button)
        self.pages.addWidget(answer_page)
        feedback_page = QWidget()
        feedback_layout = QVBoxLayout(feedback_page)
        feedback_layout.setContentsMargins(0, 0, 0, 0)
        # An answer and its follow-up's reply are one thread: a tab each.
        self.thread_tabs = QTabBar()
        self.thread_tabs.setObjectName("threadTabs")
        self.thread_tabs.setVisible(False)
        self.thread_tabs.currentChanged.connect(self._show_thread_item)
        feedback_layout.addWidget(self.thread_tabs)
        self.follow_up_label = QLabel()
        self.follow_up_label.setObjectName("followUpLabel")
        self.follow_up_label.setWordWrap(True)
        self.follow_up_label.setVisible(False)
        feedback_layout.addWidget(self.follow_up_label)
        self.feedback_view = FeedbackView()
        feedback_layout.addWidget(self.feedback_view, 1)
        self.feedback_view.momentRequested.connect(self.play_moment)
        # The candidate's marks are saved with the answer shown, and kept when it is coached again.
        self.mark_saver = MarkSaver(self._store_factory, self)
        self.mark_saver.attach(self.feedback_view, lambda: self.shown_attempt_id)
        self.mark_saver.problem.connect(self.problem)
        self.pages.addWidget(feedback_page)
        self.mock_report = MockReport()
        self.mock_report.closed.connect(self._report_closed)
        self.pages.addWidget(self.mock_report)
        layout.addWidget(self.pages, 1)

        actions = QHBoxLayout()
        self.redo_button = QPushButton("&Redo (R)")
        self.redo_button.clicked.connect(self.redo)
        self.next_button = QPushButton("&Next question (N)")
        self.next_button.setObjectName("nextButton")
        self.next_button.clicked.connect(self.next_question)
        self.end_button = QPushButton("&End interview")
        self.end_button.clicked.connect(self.end_interview)
        # Offered only once there is feedback on an answer: never before answering.
        self.model_button = QPushButton("&Model answer")
        self.model_button.clicked.connect(self.show_model_answer)
        # The answer just given, replayed with its transcript, as History replays it.
        self.replay_answer_button = QPushButton("Replay ans&wer")
        self.replay_answer_button.setObjectName("replayAnswerButton")
        self.replay_answer_button.clicked.connect(self.replay_answer)
        actions.addWidget(self.redo_button)
        actions.addWidget(self.next_button)
        actions.addWidget(self.model_button)
        actions.addWidget(self.replay_answer_button)
        actions.addStretch(1)
        actions.addWidget(self.end_button)
        layout.addLayout(actions)

    def _build_shortcuts(self) -> None:
        # Window-wide keys; Qt only fires them while this screen is visible.
        for key, slot in ((Qt.Key.Key_Space, self.toggle_answer), (Qt.Key.Key_R, self.redo),
                          (Qt.Key.Key_N, self.next_question), (Qt.Key.Key_Escape, self.cancel)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    def _connect_bridge(self) -> None:
        b = self.bridge
        b.phaseChanged.connect(self._on_phase)
        b.questionShown.connect(self._on_question)
        b.thinkTick.connect(self._on_think_tick)
        b.recordingStarted.connect(self._on_recording_started)
        b.recordingTick.connect(self._on_recording_tick)
        b.recordingStopped.connect(self._on_recording_stopped)
        b.feedbackReady.connect(self._on_feedback)
        b.llmText.connect(self.feedback_view.append_llm_text)
        b.llmDone.connect(self._on_llm_done)
        b.transcriptRefined.connect(self._on_refined)
        b.errorRaised.connect(self.problem)
        b.interviewFinished.connect(self._on_finished)
        b.turnShown.connect(self._on_turn)
        b.interviewerSaid.connect(self._on_interviewer_said)
        b.noticeRaised.connect(self._on_interviewer_said)
        b.followUpFolded.connect(self._on_folded)

    # ------------------------------------------------------------------ session
    @property
    def active(self) -> bool:
        return self.session is not None and self.phase != Phase.FINISHED

    def running_session_id(self) -> int | None:
        """The saved session of the interview under way, if one is."""
        return self.session.session_id if self.active and self.session is not None else None

    def start(self, script: InterviewScript, questions: list[Question], settings: PracticeSettings,
              source_factory: SourceFactory | None = None, show_hints: bool = False) -> bool:
        """Start an interview; False (with a banner message) when it cannot."""
        self.settings = settings
        self.mock_answers = {}
        self.holds_report = False
        self.turn = None
        self.thread = []
        self.interviewer_label.setVisible(False)
        # A mock interview has no hints and no redo; the saved preference is left alone.
        self.hints_box.blockSignals(True)
        self.hints_box.setChecked(show_hints and not settings.mock)
        self.hints_box.blockSignals(False)
        self.hints_box.setVisible(not settings.mock)
        self.redo_button.setVisible(not settings.mock)
        self.phase = Phase.IDLE
        try:
            self.session = PracticeSession(script, questions, settings, self.bridge,
                                           store=self._store_factory(), source_factory=source_factory)
            self.session.begin()
        except USER_ERRORS as exc:
            self.session = None
            self.problem.emit(str(exc))
            return False
        # The flow's threads allocate a great deal (transcription, coaching): while it runs,
        # garbage is collected on the GUI thread only (app.ui.gui_collector).
        self._release_collection()
        self._release_collection = gui_collector.hold(self)
        self._update_controls()
        return True

    def toggle_answer(self) -> None:
        if self.session is None:
            return
        if self.phase == Phase.RECORDING:
            self.session.stop_answer()
        elif self.phase in (Phase.IDLE, Phase.SPEAKING, Phase.THINKING):
            self.session.start_answer()

    def replay(self) -> None:
        if self.session is not None:
            self.session.replay_question()

    def skip_speech(self) -> None:
        if self.session is not None:
            self.session.skip_speech()

    def redo(self) -> None:
        if self.settings.mock:
            return
        if self.session is not None and self.phase not in (Phase.RECORDING, Phase.PROCESSING):
            self.session.redo()

    def next_question(self) -> None:
        if self.session is None or self.phase in (Phase.RECORDING, Phase.PROCESSING):
            return
        if not self.session.next_question():
            self.end_interview()

    def cancel(self) -> None:
        if self.session is not None:
            self.session.cancel()

    def end_interview(self) -> None:
        if self.session is not None and self.phase != Phase.FINISHED:
            self.status_label.setText("Saving the interview…")
            self.session.end()

    def show_model_answer(self) -> None:
        feedback = self.feedback_view.feedback
        if self.question is None or feedback is None or self.phase != Phase.FEEDBACK:
            return
        from app.ui.model_answer import ModelAnswerDialog

        self.model_answer = ModelAnswerDialog(self.question, feedback, self)
        self.model_answer.open()

    def replay_answer(self) -> None:
        """Open the shown answer in a replay window; the saved attempt is read off the GUI
        thread, so the feedback on screen and the one replayed are the store's."""
        attempt_id = self.shown_attempt_id
        if self.session is None or attempt_id is None or self.phase != Phase.FEEDBACK:
            return
        store = self.session.store
        self.replay_answer_button.setEnabled(False)  # one window per click

        def opened(attempt: Any) -> None:
            from app.ui.replay_view import ReplayDialog

            self._update_controls()
            self.replay_dialog = ReplayDialog(attempt, parent=self, store_factory=lambda: store)
            self.replay_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.replay_dialog.show()

        def failed(message: str) -> None:
            self._update_controls()
            self.problem.emit(message)

        run_in_background(lambda: store.get_attempt(attempt_id), opened, failed, owner=self)

    def play_moment(self, at_s: float) -> None:
        if self.session is not None:
            self.session.play_moment(at_s)

    def release(self) -> PracticeSession | None:
        """Detach the session (the caller closes it off the GUI thread)."""
        session, self.session = self.session, None
        self._release_collection()
        return session

    # ---------------------------------------------------------------- callbacks
    def _on_phase(self, phase: Phase) -> None:
        self.phase = phase
        if phase == Phase.PROCESSING and not self.settings.mock:
            self.feedback_view.show_processing()
            self.pages.setCurrentIndex(1)
        self._update_controls()

    def _on_question(self, index: int, total: int, question: Question) -> None:
        self.question = question
        self.turn = Turn(question)
        self.thread = []
        title = self.session.script.title if self.session is not None else ""
        mode = " · mock interview" if self.settings.mock else ""
        self.progress_label.setText(f"Question {index + 1} of {total} · {title}{mode}")
        self._show_asked(question)
        self._fill_stage_hints(question)

    def _on_turn(self, turn: Turn) -> None:
        """A follow-up (or the closing question) is asked: back to the clock, with its words."""
        self.turn = turn
        if turn.is_closing:
            self.thread = []
        base = self.progress_label.text().split(" · ")
        tail = " · ".join(base[1:]) if len(base) > 1 else ""
        heading = f"{turn.label} · {tail}" if tail else turn.label
        if turn.is_follow_up and base and base[0].startswith("Question"):
            heading = f"{base[0]} · {heading}"
        self.progress_label.setText(heading)
        self._show_asked(turn.question)
        if turn.reason:
            self.interviewer_label.setText(f"Follow-up, {turn.reason}.")
            self.interviewer_label.setVisible(True)
        self.stage_hints.setText("A follow-up: answer what was asked, briefly." if turn.is_follow_up
                                 else "Ask what you would like to know about the role or the team.")

    def _show_asked(self, question: Question) -> None:
        self.question_label.setText(question.text)
        self.clock.set_guide(question.time_guide)
        self.meter.set_level(0.0)
        self.bands_seen = []
        self.shown_attempt_id = None
        self.feedback_view.clear()
        self.thread_tabs.setVisible(False)
        self.follow_up_label.setVisible(False)
        self.pages.setCurrentIndex(0)
        self._update_controls()

    def _on_interviewer_said(self, text: str) -> None:
        self.interviewer_label.setText(text)
        self.interviewer_label.setVisible(bool(text))

    def _on_think_tick(self, remaining_s: float) -> None:
        if self.phase == Phase.THINKING:
            self.clock.set_think_time(remaining_s)
            self.status_label.setText(f"Think time: {format_clock(remaining_s)} left. Recording starts "
                                      "by itself; press Space to start now.")

    def _on_recording_started(self, attempt_id: int) -> None:
        self.clock.set_elapsed(0.0)
        self.bands_seen = [self.clock.band]
        self.pages.setCurrentIndex(0)

    def _on_recording_tick(self, elapsed_s: float, level: float, band: str) -> None:
        self.clock.set_elapsed(elapsed_s, band)
        self.meter.set_level(level)
        if not self.bands_seen or self.bands_seen[-1] != self.clock.band:
            self.bands_seen.append(self.clock.band)

    def _on_recording_stopped(self, duration_s: float, reason: str) -> None:
        self.last_stop_reason = reason
        self.meter.set_level(0.0)
        self.status_label.setText(f"{STOP_REASONS.get(reason, 'Stopped.')} "
                                  f"Answer length {format_clock(duration_s)}. Transcribing and coaching…")

    def _on_feedback(self, attempt_id: int, feedback: Feedback) -> None:
        turn = self.turn or (Turn(self.question) if self.question is not None else None)
        if turn is None:
            return
        if attempt_id:
            self.thread = [*[t for t in self.thread if t[0] != attempt_id], (attempt_id, turn, feedback)]
        if self.settings.mock:
            # Saved and coached like any answer; shown only in the report at the end.
            self.mock_answers[attempt_id] = (turn, feedback)
            return
        if self.phase != Phase.FEEDBACK:
            return  # a follow-up comes first; the answer is shown with its reply after it
        self._show_thread(attempt_id, feedback)

    def _show_thread(self, attempt_id: int, feedback: Feedback) -> None:
        """Show the answer just coached; with a follow-up, the answer and the reply as tabs,
        the reply's open."""
        if len(self.thread) > 1:
            self.thread_tabs.blockSignals(True)
            while self.thread_tabs.count():
                self.thread_tabs.removeTab(0)
            for _, turn, _ in self.thread:
                self.thread_tabs.addTab(turn.label if turn.is_follow_up else "Your answer")
            self.thread_tabs.blockSignals(False)
            self.thread_tabs.setVisible(True)
            self.thread_tabs.setCurrentIndex(len(self.thread) - 1)
            self._show_thread_item(len(self.thread) - 1)
        else:
            self.thread_tabs.setVisible(False)
            self.follow_up_label.setVisible(False)
            self.feedback_view.show_feedback(feedback, llm_pending=self.settings.llm_enabled)
            self.shown_attempt_id = attempt_id or None  # 0: the answer could not be saved
        self.pages.setCurrentIndex(1)
        self._update_controls()

    def _show_thread_item(self, index: int) -> None:
        if not 0 <= index < len(self.thread):
            return
        attempt_id, turn, feedback = self.thread[index]
        if turn.is_follow_up:
            self.follow_up_label.setText(f"<b>{turn.label}:</b> {turn.question.text}"
                                         + (f" <i>({turn.reason})</i>" if turn.reason else ""))
        else:
            covered = sum(1 for k in feedback.key_points if k.in_follow_up)
            self.follow_up_label.setText(
                f"<b>Your answer:</b> {turn.question.text}"
                + (f" <i>({covered} key point{'s' if covered != 1 else ''} covered in the "
                   "follow-up)</i>" if covered else ""))
        self.follow_up_label.setVisible(True)
        self.feedback_view.show_feedback(feedback, llm_pending=self.settings.llm_enabled
                                         and feedback.llm_status is None)
        self.shown_attempt_id = attempt_id

    def _update_thread(self, attempt_id: int, feedback: Feedback) -> bool:
        """Keep the thread's latest feedback; True when it is the one on screen."""
        for i, (aid, turn, _) in enumerate(self.thread):
            if aid == attempt_id:
                self.thread[i] = (aid, turn, feedback)
        return bool(attempt_id) and attempt_id == self.shown_attempt_id

    def _on_folded(self, attempt_id: int, feedback: Feedback) -> None:
        """The answer saved again with what its follow-up's reply covered."""
        if self.settings.mock:
            if attempt_id in self.mock_answers:
                self.mock_answers[attempt_id] = (self.mock_answers[attempt_id][0], feedback)
            return
        if self._update_thread(attempt_id, feedback):
            self.feedback_view.show_feedback(self.mark_saver.carry(attempt_id, feedback),
                                             llm_pending=False)

    def _on_refined(self, attempt_id: int, feedback: Feedback) -> None:
        """The whole-answer transcript arrived: the same view, coached on better words."""
        if self.settings.mock:
            if attempt_id in self.mock_answers:
                self.mock_answers[attempt_id] = (self.mock_answers[attempt_id][0], feedback)
            return
        if not self._update_thread(attempt_id, feedback):
            return  # an earlier answer's: saved by the flow; the view shows a newer one
        feedback = self.mark_saver.carry(attempt_id, feedback)
        self.feedback_view.show_feedback(feedback, llm_pending=self.settings.llm_enabled)
        self.status_label.setText("Transcript refined: the feedback now uses the whole-answer "
                                  "transcription.")

    def _on_llm_done(self, attempt_id: int, feedback: Feedback) -> None:
        if self.settings.mock:
            if attempt_id in self.mock_answers:
                self.mock_answers[attempt_id] = (self.mock_answers[attempt_id][0], feedback)
            return
        if not self._update_thread(attempt_id, feedback):
            return  # an earlier answer's review: saved by the flow, never drawn over this one
        feedback = self.mark_saver.carry(attempt_id, feedback)
        self.feedback_view.show_llm_result(feedback)

    def _on_finished(self, session_id: int) -> None:
        self.phase = Phase.FINISHED
        if self.settings.mock:
            self.holds_report = True
            self.mock_report.show_answers([(attempt_id, turn, feedback) for attempt_id, (turn, feedback)
                                           in self.mock_answers.items()])
            self.pages.setCurrentWidget(self.mock_report)
        self._update_controls()
        self.finished.emit(session_id)

    def _report_closed(self) -> None:
        self.holds_report = False
        self.pages.setCurrentIndex(0)
        self.reportClosed.emit()

    # ------------------------------------------------------------------ helpers
    def _hints_toggled(self, checked: bool) -> None:
        self.stage_hints.setVisible(checked)
        self.hintsToggled.emit(checked)

    def _fill_stage_hints(self, question: Question) -> None:
        stages = question.framework.stages
        if not stages:
            self.stage_hints.setText("This question has no answer structure to follow.")
            return
        items = "".join(f"<li><b>{s.name}</b> — {s.hint}</li>" for s in stages)
        self.stage_hints.setText(f"<b>{question.framework.name}</b><ol>{items}</ol>")

    def _update_controls(self) -> None:
        phase = self.phase
        has = self.session is not None and phase != Phase.FINISHED
        idle_like = phase in (Phase.IDLE, Phase.SPEAKING, Phase.THINKING)
        self.answer_button.setEnabled(has and (idle_like or phase == Phase.RECORDING))
        self.answer_button.setText("■ Stop answer (Space)" if phase == Phase.RECORDING
                                   else "● Start answering now (Space)")
        self.replay_button.setEnabled(has and phase not in (Phase.RECORDING, Phase.PROCESSING))
        self.skip_button.setEnabled(has and phase == Phase.SPEAKING)
        busy = phase in (Phase.RECORDING, Phase.PROCESSING)
        self.redo_button.setEnabled(has and not busy)
        self.next_button.setEnabled(has and not busy)
        self.end_button.setEnabled(has)
        has_sample = self.question is not None and bool(self.question.sample_answer.strip())
        self.model_button.setVisible(has_sample and not self.settings.mock)
        self.model_button.setEnabled(has and phase == Phase.FEEDBACK
                                     and self.feedback_view.feedback is not None)
        # Like the model answer: after feedback only, and in a mock interview only through
        # History once the report is out.
        self.replay_answer_button.setVisible(not self.settings.mock)
        self.replay_answer_button.setEnabled(has and phase == Phase.FEEDBACK
                                             and self.shown_attempt_id is not None)
        if self.session is not None and not busy and has:
            last = self.session.index + 1 >= len(self.session.questions)
            self.next_button.setText("Finish interview (N)" if last else "&Next question (N)")
        self.stage_hints.setVisible(self.hints_box.isChecked())
        text = {
            Phase.SPEAKING: "Reading the question aloud… press Space to start answering now.",
            Phase.RECORDING: "Recording. Press Space to stop, Esc to cancel (what you said is kept).",
            Phase.PROCESSING: "Transcribing and coaching your answer…",
            Phase.FEEDBACK: ("Answer saved. N for the next question; the report comes at the end."
                             if self.settings.mock else
                             "Here is your feedback. R to redo this question, N for the next one."),
            Phase.FINISHED: "Interview finished and saved.",
            Phase.IDLE: "Press Space (or the button) to start answering.",
        }.get(phase)
        if text:
            self.status_label.setText(text)
