"""The Greenroom window: pick an interview, practise it, look back at past answers."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.practice import Phase, SourceFactory
from app.store import AttemptRow, Store, utc_now
from app.ui import gui_collector
from app.ui.first_run_check import FirstRunDialog, run_checks
from app.ui.history_view import HistoryView
from app.ui.pick_screen import MOCK_THINK_TIME_S, PickScreen
from app.ui.practice_screen import PracticeScreen
from app.ui.progress_view import ProgressView
from app.ui.settings_dialog import SettingsDialog
from app.ui.settings_store import SettingsStore
from app.ui.widgets.colors import BAND_COLORS, tinted_base
from app.ui.workers import run_in_background
from interview_scripts.script import InterviewScript, Question

log = logging.getLogger(__name__)

# If saving on close never reports back (a wedged device), close anyway after this long.
CLOSE_SAVE_TIMEOUT_MS = 60_000
# The start-up work waits for the first paint, or this long for a window that is never shown.
START_UP_AT_LATEST_MS = 1_000
SHORTCUTS_HELP = (
    "Interviews: Ctrl+F — search the questions of every interview (Esc clears); "
    "Enter — start the round; Delete — delete your own interview; Ctrl+Z — undo it\n"
    "Ctrl+N — new interview; Ctrl+J — new interview from a job ad; Ctrl+I — import a page\n"
    "Practice: Space — start or stop the answer; R — redo the question; N — next question; "
    "Esc — cancel (what was recorded is kept)\n"
    "On the timeline: ←/→ to pick a marker, Enter to hear it; Menu or Shift+F10 — say where "
    "a stage was\n"
    "Replay: Space — play or pause; ←/→ — back or on 5 seconds\n"
    "History: Delete — delete the chosen answer or session (asks first); Ctrl+Z — undo it; "
    "F2 — rename the session\n"
    "Progress: Enter — practise the chosen questions\n"
    "Interview editor: Ctrl+Up/Ctrl+Down — move the question; Ctrl+S — save\n"
    "Ctrl+, — settings; Ctrl+Tab — switch tabs; Ctrl+Q — quit"
)


class StatusBanner(QFrame):
    """A one-line message above the screens: errors with their fix, or good news."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setObjectName("bannerLabel")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        close = QPushButton("&Dismiss")
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        color = BAND_COLORS["wrap_up"] if kind == "error" else BAND_COLORS["in_zone"]
        palette = self.palette()
        palette.setColor(self.backgroundRole(), tinted_base(palette, color, 0.3))
        self.setPalette(palette)
        self.label.setText(text)
        self.label.setAccessibleDescription(text)
        self.show()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


def _warm_up() -> None:
    """Run on a worker once the window has painted: what the first look at History or at
    feedback needs (the coach, the exporter) is loaded here, not on the GUI thread as it
    is first shown. The window itself paints without them."""
    importlib.import_module("models.coach.feedback_model")
    importlib.import_module("models.coach.overrides")
    importlib.import_module("app.export")


class MainWindow(QMainWindow):
    closeSaved = Signal()  # noqa: N815 - emitted once an interview was saved on close
    # Emitted once, just after the first paint: start-up work that must not delay the
    # first look at the window waits for it.
    firstPainted = Signal()  # noqa: N815 - Qt signal naming

    def __init__(self, settings_store: SettingsStore | None = None, store_factory: Any = None,
                 source_factory: SourceFactory | None = None) -> None:
        super().__init__()
        # While the window lives, Python collects garbage on the GUI thread only, so no
        # Qt object in a cycle is destroyed by a worker (app.ui.gui_collector).
        self._release_collection = gui_collector.hold(self)
        self._painted = False
        # Work on workers that starts with the window waits for its first paint: a worker
        # running Python (reading YAML, coaching) holds the interpreter lock in turns with
        # the GUI thread, and the first paint calls Python often enough to wait on it many
        # times over (it came 0.5 s after show instead of 0.01 s).
        self._start_up: list[Callable[[], None]] | None = []
        QTimer.singleShot(START_UP_AT_LATEST_MS, self._run_start_up)  # a window never shown
        # The window is made once per run: rows hidden before this moment were left by a
        # run that never quit, and are purged (off the GUI thread); later ones are this
        # run's own undo.
        self.run_started = utc_now()
        factory = store_factory or Store
        self._after_paint(lambda: self._purge_earlier_runs(factory))
        self._after_paint(self._check_data_disk)
        self.setWindowTitle("Greenroom — interview practice")
        self.settings_store = settings_store or SettingsStore()
        self.source_factory = source_factory
        self._closing = False
        self._close_now = False
        self._closing_sessions: list[Any] = []
        self._history_player: Any = None

        central = QWidget()
        layout = QVBoxLayout(central)
        self.banner = StatusBanner()
        layout.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.practice_stack = QStackedWidget()
        self.pick_screen = PickScreen(load=False)
        self._after_paint(self.pick_screen.reload)
        self.practice_screen = PracticeScreen(store_factory=store_factory)
        self.practice_stack.addWidget(self.pick_screen)
        self.practice_stack.addWidget(self.practice_screen)
        self.tabs.addTab(self.practice_stack, "&Practice")
        self.history_view = HistoryView(store_factory=store_factory)
        self.tabs.addTab(self.history_view, "Histor&y")
        self.progress_view = ProgressView(store_factory=store_factory)
        # Alt+G opens the Greenroom menu, so the tab takes S (free on the window itself).
        self.tabs.addTab(self.progress_view, "Progre&ss")
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.resize(1200, 760)

        prefs = self.settings_store.ui_preferences()
        self.pick_screen.shuffle_box.setChecked(prefs.shuffle_questions)
        self.pick_screen.startRequested.connect(self.start_interview)
        self.pick_screen.problem.connect(self.show_problem)
        self.practice_screen.problem.connect(self.show_problem)
        self.practice_screen.finished.connect(self._interview_finished)
        self.practice_screen.hintsToggled.connect(self._remember_hints)
        self.practice_screen.reportClosed.connect(
            lambda: self.practice_stack.setCurrentWidget(self.pick_screen))
        self.history_view.problem.connect(self.show_problem)
        self.history_view.feedback_view.momentRequested.connect(self._play_history_moment)
        self.progress_view.problem.connect(self.show_problem)
        # A deleted (or restored) answer leaves (or rejoins) the progress figures at once.
        self.history_view.undoChanged.connect(self.progress_view.refresh)
        self.history_view.running_session = self.practice_screen.running_session_id
        self.progress_view.practiseRequested.connect(self.practise_from_progress)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.firstPainted.connect(self._after_first_paint)
        self._build_menus()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.firstPainted.emit)

    def _after_paint(self, job: Callable[[], None]) -> None:
        """Run ``job`` (which starts work on a worker) once the window has painted."""
        if self._start_up is None:
            job()
        else:
            self._start_up.append(job)

    def _run_start_up(self) -> None:
        jobs, self._start_up = self._start_up, None
        for job in jobs or ():
            job()

    def _after_first_paint(self) -> None:
        self._run_start_up()
        run_in_background(_warm_up, owner=self)

    def _check_data_disk(self) -> None:
        """A full, read-only or unreachable disk under the data folder is said in the banner
        before an answer is recorded onto it; checked off the GUI thread (a share that went
        away can take long to answer)."""
        from app import paths
        from app.disk_faults import data_folder_warning

        run_in_background(lambda: data_folder_warning(paths.data_dir()),
                          lambda warning: warning and self.show_problem(warning),
                          self.show_problem, owner=self)

    def _purge_earlier_runs(self, store_factory: Any) -> None:
        started = self.run_started

        def purged(removed: list[Any]) -> None:
            if removed:
                log.info("removed %d recording(s) deleted in an earlier run", len(removed))

        run_in_background(lambda: store_factory().purge_left_by_earlier_runs(started), purged,
                          lambda message: log.warning("deleted rows of an earlier run stay "
                                                      "hidden: %s", message), owner=self)

    def finish_earlier_answers(self, store_factory: Any = None) -> None:
        """Answers an earlier run left between two stages (a crash, a quit before the
        refined pass or the review) are finished now, off the GUI thread
        (``app.recovery.finish_unfinished``); History shows each as it stands meanwhile and
        is read again once they are done. The app's start calls this once."""
        if self._start_up is not None:
            self._after_paint(lambda: self.finish_earlier_answers(store_factory))
            return
        settings = self.settings_store.practice_settings()
        factory = store_factory or Store

        def finish() -> Any:
            from app.recovery import finish_unfinished

            review = None
            if settings.llm_enabled:
                from models.llm_coach import LLMCoach

                review = LLMCoach(host=settings.ollama_host, model=settings.llm_model,
                                  allow_remote=settings.llm_allow_remote or None)
            return finish_unfinished(factory(), review=review)

        def finished(outcome: Any) -> None:
            for problem in outcome.problems:
                log.warning("an answer of an earlier run stays unfinished: %s", problem)
            if outcome.recovered or outcome.attempts:
                self.history_view.refresh()

        run_in_background(finish, finished,
                          lambda message: log.warning("answers of an earlier run stay "
                                                      "unfinished: %s", message), owner=self)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&Greenroom")
        settings = QAction("&Settings…", self)
        settings.setShortcut(QKeySequence("Ctrl+,"))
        settings.triggered.connect(self.open_settings)
        menu.addAction(settings)
        checks = QAction("&Check my setup…", self)
        checks.triggered.connect(self.open_first_run_check)
        menu.addAction(checks)
        menu.addSeparator()
        new_interview = QAction("&New interview…", self)
        new_interview.setShortcut(QKeySequence.StandardKey.New)
        new_interview.triggered.connect(self.pick_screen.new_interview)
        menu.addAction(new_interview)
        import_page = QAction("&Import a page…", self)
        import_page.setShortcut(QKeySequence("Ctrl+I"))
        import_page.triggered.connect(self.pick_screen.import_page)
        menu.addAction(import_page)
        from_ad = QAction("New interview from a job &ad…", self)
        from_ad.setShortcut(QKeySequence("Ctrl+J"))
        from_ad.triggered.connect(self.open_job_ad)
        menu.addAction(from_ad)
        one_question = QAction("Practise &one question…", self)
        one_question.triggered.connect(self.pick_screen.practise_one_question)
        menu.addAction(one_question)
        menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        keys = QAction("&Keyboard shortcuts", self)
        keys.triggered.connect(lambda: QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS_HELP))
        help_menu.addAction(keys)

    # ------------------------------------------------------------------ actions
    def show_problem(self, message: str) -> None:
        self.banner.show_message(message, "error")

    def start_interview(self, script: InterviewScript, questions: list[Question]) -> None:
        prefs = self.settings_store.ui_preferences()
        prefs.shuffle_questions = self.pick_screen.shuffle_box.isChecked()
        self.settings_store.save_ui_preferences(prefs)
        self.banner.hide()
        settings = self.settings_store.practice_settings()
        if self.pick_screen.mock_box.isChecked():
            settings = replace(settings, mock=True, think_time_s=MOCK_THINK_TIME_S)
        started = self.practice_screen.start(script, questions, settings, self.source_factory,
                                             show_hints=prefs.show_stage_hints)
        if started:
            self.practice_stack.setCurrentWidget(self.practice_screen)
            self.practice_screen.setFocus()

    def practise_from_progress(self, script: InterviewScript, questions: list[Question]) -> None:
        """"Practise these" on the Progress tab: one interview of exactly those questions."""
        if self.practice_screen.active:
            self.show_problem("An interview is already under way: end it on the Practice tab, "
                              "then start these questions.")
            return
        self.tabs.setCurrentWidget(self.practice_stack)
        self.start_interview(script, questions)

    def open_job_ad(self) -> Any:
        """New interview from a job ad (Ctrl+J). The dialog is imported when opened: it
        brings the job-ad reader and the local model's client, which the window's first
        paint has no use for."""
        from app.ui.job_ad_dialog import open_job_ad

        return open_job_ad(self.pick_screen, self.pick_screen.open_editor,
                           self.settings_store.practice_settings())

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings_store, self)
        dialog.setModal(True)
        dialog.open()
        return dialog

    def open_first_run_check(self) -> FirstRunDialog:
        dialog = FirstRunDialog(parent=self)
        run_in_background(run_checks, dialog.set_checks, dialog.show_failure, owner=dialog)
        dialog.open()
        prefs = self.settings_store.ui_preferences()
        if not prefs.first_run_done:
            prefs.first_run_done = True
            self.settings_store.save_ui_preferences(prefs)
        return dialog

    def _remember_hints(self, checked: bool) -> None:
        prefs = self.settings_store.ui_preferences()
        if prefs.show_stage_hints != checked:
            prefs.show_stage_hints = checked
            self.settings_store.save_ui_preferences(prefs)

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.history_view:
            self.history_view.refresh()
        elif self.tabs.widget(index) is self.progress_view:
            self.progress_view.refresh()

    def _interview_finished(self, session_id: int) -> None:
        session = self.practice_screen.release()
        if session is not None:
            # close() joins the flow's threads; they are idle now, but keep it off the GUI thread.
            self._closing_sessions.append(session)
            run_in_background(session.close, lambda _: self._session_closed(session),
                              lambda _msg: self._session_closed(session), owner=self)
        else:
            self._after_close_saved()

    def _session_closed(self, session: Any) -> None:
        if session in self._closing_sessions:
            self._closing_sessions.remove(session)
        self._after_close_saved()

    def _after_close_saved(self) -> None:
        if self._closing:
            self._close_now = True
            self.closeSaved.emit()
            self.close()
            return
        if self.practice_screen.holds_report:
            self.banner.show_message("Mock interview saved. Your report is below; every answer is "
                                     "in the History tab too.", "info")
            self.history_view.refresh()
            self.progress_view.refresh()
            return
        self.practice_stack.setCurrentWidget(self.pick_screen)
        self.banner.show_message("Interview saved. Open the History tab to look back at every answer.",
                                 "info")
        self.history_view.refresh()
        self.progress_view.refresh()

    def _play_history_moment(self, at_s: float) -> None:
        attempt = self.history_view.current_attempt
        if not isinstance(attempt, AttemptRow) or attempt.audio_path is None:
            return
        path = attempt.audio_path
        previous, self._history_player = self._history_player, None

        def play() -> Any:
            from audio.playback import Player

            # One clip at a time: a new marker replaces what is playing.
            if previous is not None:
                previous.stop()
            player = Player()
            player.play_file(path, start_s=max(0.0, at_s - 0.5))
            return player

        run_in_background(play, self._remember_history_player, self.show_problem, owner=self)

    def _remember_history_player(self, player: Any) -> None:
        self._history_player = player

    # ------------------------------------------------------------------ closing
    def confirm_close_during_answer(self) -> bool:
        """Asked when the window closes mid-answer; tests replace it."""
        answer = QMessageBox.question(
            self, "Stop and save?",
            "You are in the middle of an answer. Stop now and save what you have said so far?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save)
        return answer == QMessageBox.StandardButton.Save

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        screen = self.practice_screen
        if self._close_now or not screen.active:
            event.accept()
            self._release_collection()  # automatic collection comes back as it was
            return
        if self._closing:
            event.ignore()  # already saving; the window closes when that is done
            return
        if screen.phase == Phase.RECORDING and not self.confirm_close_during_answer():
            event.ignore()
            return
        # Saving runs on the flow's threads; the window closes itself once it is done.
        # The answers are saved before the LLM review, so there is no need to wait for it.
        self._closing = True
        event.ignore()
        self.banner.show_message("Saving your interview before closing…", "info")
        if screen.session is not None:
            screen.session.cancel_llm()
        screen.end_interview()
        QTimer.singleShot(CLOSE_SAVE_TIMEOUT_MS, self._force_close)

    def _force_close(self) -> None:
        if self._closing and not self._close_now:
            self._close_now = True
            self.close()
