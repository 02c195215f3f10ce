"""Past sessions and their attempts; open an attempt to see its feedback again.

Rows are read from the store off the GUI thread, and only their summaries: a year of
practice is thousands of attempts, and each one's full feedback and transcript is read
(again off the GUI thread) when it is chosen. The right-hand side is the same
``FeedbackView`` the practice room uses (``attemptOpened`` carries the full row).

Deleting here is undoable while the app is open: a confirmed delete only hides the row in
the store (``Store.hide_*``) and the bar under the list offers Undo (Ctrl+Z); the rows
this view hid are purged with their recordings when the application quits. What a run that
crashed left hidden is the store's to purge when the next run starts
(``Store.purge_left_by_earlier_runs``, called as the window is made).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.conversation import attempt_label, in_threads
from app.errors import StoreError
from app.store import AttemptBrief, AttemptRow, RecordingsUsage, SessionRow, Store
from app.ui.feedback_marks import MarkSaver
from app.ui.feedback_view import FeedbackView
from app.ui.widgets.colors import BAND_COLORS, tinted_base
from app.ui.widgets.text import heading
from app.ui.widgets.wrap_delegate import WrapDelegate
from app.ui.workers import run_in_background
from interview_scripts.time_guide import format_clock

log = logging.getLogger(__name__)

ATTEMPT_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Deletion:
    """One confirmed delete that Undo can take back: what was hidden, and how to say it."""

    kind: str  # "session" or "attempt"
    row_id: int
    description: str


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return stamp or ""


def attempt_summary(attempt: AttemptBrief) -> tuple[str, str]:
    """(length verdict, key points covered) for the history list. The time is the one the
    verdict judged (speaking time); an answer not coached shows its recording's length."""
    # The coach is imported when History is first filled, not with the window.
    from models.coach.length import verdict_words

    summary = attempt.summary
    if summary is not None:
        verdict = f"{format_clock(summary.speaking_s)} {verdict_words(summary.verdict)}"
    else:
        verdict = format_clock(attempt.duration_s) if attempt.duration_s is not None else ""
    if attempt.status != "complete":
        verdict = f"{verdict} ({attempt.status})".strip()
    return verdict, summary.key_points_text() if summary is not None else "—"


def usage_text(usage: RecordingsUsage) -> str:
    return f"Recordings use {usage.total.describe()}."


def load_history(store: Store) -> list[tuple[SessionRow, list[AttemptBrief]]]:
    """Every session with its attempts' summaries, oldest attempt first within a session."""
    sessions = store.list_sessions()
    attempts = store.list_briefs()
    by_session: dict[int, list[AttemptBrief]] = {}
    for attempt in attempts:
        by_session.setdefault(attempt.session_id, []).append(attempt)
    # A follow-up's reply right under the answer it follows up: one thread.
    return [(s, in_threads(sorted(by_session.get(s.id, []), key=lambda a: a.started_at)))
            for s in sessions]



SESSION_ROLE = Qt.ItemDataRole.UserRole + 2


def export_filters() -> dict[str, str]:
    """The file dialog's filters, one per export format; the chosen one is the format
    unless the file name's suffix says another (``app.export.export_format``). The
    exporter (and the coach it writes with) is imported when asked for, not with the
    window."""
    from app import export

    return {fmt: f"{export.FORMAT_NAMES[fmt]} (*.{fmt})" for fmt in export.FORMATS}


class HistoryView(QWidget):
    problem = Signal(str)
    loaded = Signal()
    exported = Signal(object)  # the Path written
    attemptOpened = Signal(object)  # noqa: N815 - Qt signal naming
    usageShown = Signal(object)  # noqa: N815 - the RecordingsUsage now on screen
    undoChanged = Signal()  # noqa: N815 - a delete was done or undone

    def __init__(self, store_factory: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store_factory = store_factory or Store
        self._reload = False  # a refresh asked for while one was loading
        self._usage_request = 0  # the latest usage read wins over slower earlier ones
        self._deletions: list[Deletion] = []  # newest last; Undo takes the newest back
        self._loading = False
        self.history: list[tuple[SessionRow, list[AttemptBrief]]] = []
        self.current_attempt: AttemptRow | None = None
        # Which session the practice room is recording into (set by the window).
        self.running_session: Callable[[], int | None] = lambda: None
        self._opening: int | None = None  # the attempt whose full row is being read
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("History"))
        top.addStretch(1)
        self.replay_button = QPushButton("&Replay answer…")
        self.replay_button.setToolTip("Play the chosen answer with its transcript following along")
        self.replay_button.setEnabled(False)
        self.replay_button.clicked.connect(self.open_replay)
        top.addWidget(self.replay_button)
        self.compare_button = QPushButton("&Compare attempts…")
        self.compare_button.setToolTip("Every attempt at the chosen answer's question, side by side")
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self.open_compare)
        top.addWidget(self.compare_button)
        self.export_button = QPushButton("&Export session…")
        self.export_button.setToolTip("Save the chosen session as Markdown, a web page or PDF")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._ask_export)
        top.addWidget(self.export_button)
        self.rename_button = QPushButton("Rena&me session…")
        self.rename_button.setToolTip("Give the chosen session a name of your own (F2)")
        self.rename_button.setEnabled(False)
        self.rename_button.clicked.connect(self.rename_selected)
        top.addWidget(self.rename_button)
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setToolTip("Delete the chosen answer or session and its recordings "
                                      "(Delete); you can undo it until Greenroom closes")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.delete_selected)
        top.addWidget(self.delete_button)
        self.refresh_button = QPushButton("Re&fresh")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget()
        self.tree.setObjectName("historyTree")
        self.tree.setHeaderLabels(["Date / question", "Length", "Key points"])
        # Questions are read whole: they wrap instead of being cut after a few words.
        self.tree.setItemDelegate(WrapDelegate(self.tree))
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(self._selected)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        for key, action in ((QKeySequence.StandardKey.Delete, self.delete_selected),
                            (QKeySequence(Qt.Key.Key_F2), self.rename_selected)):
            shortcut = QShortcut(key, self.tree)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(action)
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo_delete)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("undoBar")
        self.undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.undo_bar.setAutoFillBackground(True)
        undo_layout = QHBoxLayout(self.undo_bar)
        undo_layout.setContentsMargins(8, 4, 4, 4)
        self.undo_label = QLabel()
        self.undo_label.setWordWrap(True)
        undo_layout.addWidget(self.undo_label, 1)
        # Alt+U belongs to the feedback view's "Undo my mark", shown beside this bar.
        self.undo_button = QPushButton("Und&o")
        self.undo_button.setToolTip("Bring it back (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_delete)
        undo_layout.addWidget(self.undo_button)
        self.undo_bar.hide()
        left_layout.addWidget(self.undo_bar)
        self.usage_label = QLabel("Recordings use …")
        self.usage_label.setObjectName("recordingsUsage")
        self.usage_label.setToolTip("The disk used by the recordings of the answers listed here")
        left_layout.addWidget(self.usage_label)
        splitter.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.attempt_title = QLabel("Choose an answer on the left to see its feedback.")
        self.attempt_title.setObjectName("attemptTitle")
        self.attempt_title.setWordWrap(True)
        right_layout.addWidget(self.attempt_title)
        self.feedback_view = FeedbackView()
        # Nothing chosen: say so, rather than a "working on it" message over empty tables.
        self.feedback_view.hide()
        # The candidate's marks on the shown attempt are saved with it, off the GUI thread.
        self.mark_saver = MarkSaver(self._store_factory, self)
        self.mark_saver.attach(self.feedback_view,
                               lambda: self.current_attempt.id if self.current_attempt else None)
        self.mark_saver.problem.connect(self.problem)
        self.mark_saver.saved.connect(self._marks_saved)
        self.feedback_view.feedbackEdited.connect(self._marked)
        right_layout.addWidget(self.feedback_view, 1)
        right_layout.addStretch(0)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)
        app = QCoreApplication.instance()
        if app is not None:
            # Bound to this view: the connection goes with it if the view is destroyed first.
            app.aboutToQuit.connect(self.purge_at_quit)

    def refresh(self) -> None:
        """Reload the list and the disk used, both off the GUI thread."""
        self.refresh_usage()
        if self._loading:
            self._reload = True  # the list being read may predate a change; read it again
            return
        self._loading = True
        self.refresh_button.setEnabled(False)
        factory = self._store_factory
        run_in_background(lambda: load_history(factory()), self._show, self._failed, owner=self)

    def refresh_usage(self) -> None:
        """Measure the recordings on disk off the GUI thread (one stat per file)."""
        self._usage_request += 1
        request = self._usage_request
        factory = self._store_factory

        def shown(usage: RecordingsUsage) -> None:
            if request == self._usage_request:
                self.usage_label.setText(usage_text(usage))
                self.usageShown.emit(usage)

        run_in_background(lambda: factory().recordings_usage(), shown, self.problem.emit, owner=self)

    def _failed(self, message: str) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        self.problem.emit(message)
        if self._reload:
            self._reload = False
            self.refresh()

    def _show(self, history: list[tuple[SessionRow, list[AttemptBrief]]]) -> None:
        self._loading = False
        if self._reload:
            self._reload = False
            self.refresh()
            return
        self.refresh_button.setEnabled(True)
        self._fill(history)

    def _fill(self, history: list[tuple[SessionRow, list[AttemptBrief]]]) -> None:
        from app.export import answers_count

        self.history = history
        current = self._current_key()
        self.tree.clear()
        for session, attempts in history:
            top = QTreeWidgetItem([f"{_local_time(session.started_at)} · {session.title}",
                                   "", answers_count(attempts)])
            top.setData(0, SESSION_ROLE, session.id)
            for attempt in attempts:
                verdict, points = attempt_summary(attempt)
                child = QTreeWidgetItem([attempt_label(attempt), verdict, points])
                child.setToolTip(0, attempt.question_text + (f"\n({attempt.ask_reason})"
                                                             if attempt.ask_reason else ""))
                child.setData(0, ATTEMPT_ROLE, attempt)
                child.setData(0, SESSION_ROLE, session.id)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        if not history:
            self.tree.addTopLevelItem(QTreeWidgetItem(["No practice sessions yet.", "", ""]))
        self._reselect(current)
        self._update_buttons()
        self.loaded.emit()

    def _current_key(self) -> tuple[str, int] | None:
        """What is chosen, so a reload can choose it again."""
        item = self.tree.currentItem()
        if item is None:
            return None
        brief = item.data(0, ATTEMPT_ROLE)
        if isinstance(brief, AttemptBrief):
            return ("attempt", brief.id)
        session_id = item.data(0, SESSION_ROLE)
        return ("session", session_id) if isinstance(session_id, int) else None

    def _reselect(self, key: tuple[str, int] | None) -> None:
        if key is None:
            return
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if key == ("session", top.data(0, SESSION_ROLE)):
                self.tree.setCurrentItem(top)
                return
            for j in range(top.childCount()):
                brief = top.child(j).data(0, ATTEMPT_ROLE)
                if key[0] == "attempt" and isinstance(brief, AttemptBrief) and brief.id == key[1]:
                    # Choosing it again would read its full row again; keep what is shown.
                    self.tree.blockSignals(True)
                    self.tree.setCurrentItem(top.child(j))
                    self.tree.blockSignals(False)
                    return

    def _update_buttons(self) -> None:
        chosen = self.selected_session_id() is not None
        self.export_button.setEnabled(chosen)
        self.rename_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def session_row(self, session_id: int) -> SessionRow | None:
        return next((s for s, _ in self.history if s.id == session_id), None)

    def attempt_items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i).child(j) for i in range(self.tree.topLevelItemCount())
                for j in range(self.tree.topLevelItem(i).childCount())]

    def open_attempt(self, attempt: AttemptRow) -> None:
        """Show one attempt's full feedback (``attemptOpened`` follows)."""
        self.current_attempt = attempt
        when = _local_time(attempt.started_at)
        self.attempt_title.setText(f"{when} — {attempt.question_text}")
        feedback = attempt.feedback
        if feedback is None:
            # Not coached (yet): show what was transcribed, with nothing measured.
            from models.coach.feedback_model import Feedback, TranscriptData

            transcript = TranscriptData.model_validate(attempt.transcript or {})
            feedback = Feedback(question_id=attempt.question_id, transcript=transcript)
        self.feedback_view.show_feedback(feedback)
        self.feedback_view.show()
        self.replay_button.setEnabled(attempt.audio_path is not None)
        self.compare_button.setEnabled(True)
        self.attemptOpened.emit(attempt)

    def open_compare(self) -> Any:
        """Open every attempt at the chosen answer's question side by side."""
        from app.ui.compare_view import CompareDialog

        if self.current_attempt is None:
            return None
        attempt = self.current_attempt
        dialog = CompareDialog(attempt.script_id, attempt.question_id, self._store_factory,
                               parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_replay(self) -> Any:
        """Open the chosen answer in a replay window; returns the window."""
        from app.ui.replay_view import ReplayDialog

        if self.current_attempt is None:
            return None
        dialog = ReplayDialog(self.current_attempt, parent=self, store_factory=self._store_factory)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def selected_session_id(self) -> int | None:
        item = self.tree.currentItem()
        value = item.data(0, SESSION_ROLE) if item is not None else None
        return value if isinstance(value, int) else None

    def _ask_export(self) -> None:
        session_id = self.selected_session_id()
        if session_id is None:
            return
        filters = export_filters()
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export session", str(Path.home() / f"greenroom-session-{session_id}.pdf"),
            ";;".join(filters.values()), filters["pdf"])
        if not path:
            return
        fmt = next((f for f, label in filters.items() if label == chosen), "pdf")
        self.export_session(session_id, Path(path), fmt)

    def export_session(self, session_id: int, path: Path, fmt: str = "pdf") -> None:
        """Write the session off the GUI thread (PDF layout included); ``exported`` or
        ``problem`` follows. ``fmt`` is the filter chosen: the file name's suffix wins."""
        from app import export

        self.export_button.setEnabled(False)
        factory = self._store_factory

        def done(written: Path) -> None:
            self.export_button.setEnabled(self.selected_session_id() is not None)
            self.exported.emit(written)

        def failed(message: str) -> None:
            self.export_button.setEnabled(self.selected_session_id() is not None)
            self.problem.emit(message)

        run_in_background(lambda: export.export_session(factory(), session_id, path, fallback=fmt),
                          done, failed, owner=self)

    def _selected(self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None) -> None:
        self._update_buttons()
        brief = current.data(0, ATTEMPT_ROLE) if current is not None else None
        if not isinstance(brief, AttemptBrief):
            return
        self._opening = brief.id
        self.attempt_title.setText(f"{_local_time(brief.started_at)} — {brief.question_text}")
        factory = self._store_factory

        def failed(message: str) -> None:
            if brief.id == self._opening:  # not an answer deleted while it was being read
                self.problem.emit(message)

        run_in_background(lambda: factory().get_attempt(brief.id), self._opened, failed, owner=self)

    def _marked(self, feedback: Any) -> None:
        """The open attempt carries the candidate's marks at once, so a replay opened from
        here shows them without reading the attempt again."""
        if self.current_attempt is not None:
            self.current_attempt = replace(self.current_attempt, feedback=feedback)

    def _marks_saved(self, attempt_id: int, summary: Any) -> None:
        """The list's key-point figure follows the candidate's mark."""
        for item in self.attempt_items():
            brief = item.data(0, ATTEMPT_ROLE)
            if isinstance(brief, AttemptBrief) and brief.id == attempt_id:
                item.setText(2, summary.key_points_text())

    def _opened(self, attempt: AttemptRow) -> None:
        # A later choice wins over a read that finished after it.
        if attempt.id == self._opening:
            self.open_attempt(attempt)

    # -- housekeeping: rename, delete with undo, purge --------------------------

    def _context_menu(self, at: QPoint) -> None:
        item = self.tree.itemAt(at)
        menu = self.context_menu_for(item) if item is not None else None
        if menu is not None:
            menu.exec(self.tree.viewport().mapToGlobal(at))

    def context_menu_for(self, item: QTreeWidgetItem) -> QMenu | None:
        """Choose ``item`` and build its menu: delete it, rename its session."""
        if not isinstance(item.data(0, SESSION_ROLE), int):
            return None  # the "no sessions yet" line
        self.tree.setCurrentItem(item)
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        is_attempt = isinstance(item.data(0, ATTEMPT_ROLE), AttemptBrief)
        menu.addAction("&Delete answer…" if is_attempt else "&Delete session…", self.delete_selected)
        menu.addAction("Rena&me session…", self.rename_selected)
        return menu

    def chosen_deletion(self) -> Deletion | None:
        """The answer or session chosen in the list, as a delete would describe it."""
        item = self.tree.currentItem()
        if item is None:
            return None
        brief = item.data(0, ATTEMPT_ROLE)
        if isinstance(brief, AttemptBrief):
            return Deletion("attempt", brief.id, f"the answer to “{brief.question_text}” "
                                                 f"({_local_time(brief.started_at)})")
        session_id = item.data(0, SESSION_ROLE)
        session = self.session_row(session_id) if isinstance(session_id, int) else None
        if session is None:
            return None
        return Deletion("session", session.id,
                        f"the session “{session.title}” ({_local_time(session.started_at)})")

    def delete_selected(self) -> None:
        """Ask, then hide the chosen answer or session off the GUI thread; Undo follows."""
        deletion = self.chosen_deletion()
        if deletion is None:
            return
        if deletion.kind == "session" and deletion.row_id == self.running_session():
            # Its next answers would be saved into a deleted session and lost at quit.
            QMessageBox.information(self, "Delete from History",
                                    "This interview is still under way: end it first, then "
                                    "delete it here.")
            return
        if deletion.kind == "session":
            session = self.session_row(deletion.row_id)
            count = session.attempt_count if session is not None else 0
            what = (f"Delete {deletion.description} with its {count} answer"
                    f"{'' if count == 1 else 's'} and their recordings?")
        else:
            what = f"Delete {deletion.description} and its recording?"
        answer = QMessageBox.question(
            self, "Delete from History", f"{what}\n\nYou can undo this until Greenroom closes.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        factory = self._store_factory

        def hide() -> None:
            store = factory()
            if deletion.kind == "session":
                store.hide_session(deletion.row_id)
            else:
                store.hide_attempt(deletion.row_id)

        self.delete_button.setEnabled(False)
        run_in_background(hide, lambda _: self._hidden(deletion), self._housekeeping_failed,
                          owner=self)

    def _hidden(self, deletion: Deletion) -> None:
        self._deletions.append(deletion)
        self._forget_shown(deletion)
        self._drop_item(deletion)
        self._show_undo()
        self.undoChanged.emit()
        self.refresh()

    def _drop_item(self, deletion: Deletion) -> None:
        """Take the row out at once; the reload that follows brings the counts up to date."""
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if deletion.kind == "session" and top.data(0, SESSION_ROLE) == deletion.row_id:
                self.tree.takeTopLevelItem(i)
                return
            for j in range(top.childCount()):
                brief = top.child(j).data(0, ATTEMPT_ROLE)
                if deletion.kind == "attempt" and isinstance(brief, AttemptBrief) \
                        and brief.id == deletion.row_id:
                    top.takeChild(j)
                    return

    def _forget_shown(self, deletion: Deletion) -> None:
        """Clear the feedback on the right when it belongs to what was just deleted."""
        if deletion.kind == "attempt":
            gone = {deletion.row_id}
        else:
            gone = {a.id for s, attempts in self.history if s.id == deletion.row_id for a in attempts}
        if self._opening in gone:
            self._opening = None  # a read still under way is dropped when it reports
        shown = self.current_attempt
        if shown is not None and shown.id in gone:
            self.current_attempt = None
            self.feedback_view.hide()
            self.attempt_title.setText("Choose an answer on the left to see its feedback.")
            self.replay_button.setEnabled(False)
            self.compare_button.setEnabled(False)

    def _show_undo(self) -> None:
        if not self._deletions:
            self.undo_bar.hide()
            return
        latest = self._deletions[-1]
        self.undo_label.setText(f"Deleted {latest.description}.")
        self._tint_undo_bar()
        self.undo_bar.show()

    def _tint_undo_bar(self) -> None:
        # The tint is worked out from the view's own palette, so it follows light and dark.
        palette = self.undo_bar.palette()
        palette.setColor(self.undo_bar.backgroundRole(),
                         tinted_base(self.palette(), BAND_COLORS["keep_going"], 0.2))
        self.undo_bar.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:
            self._tint_undo_bar()
        super().changeEvent(event)

    def undo_delete(self) -> None:
        """Bring back the latest delete (Ctrl+Z), off the GUI thread."""
        if not self._deletions:
            return
        deletion = self._deletions.pop()
        factory = self._store_factory

        def restore() -> None:
            store = factory()
            if deletion.kind == "session":
                store.restore_session(deletion.row_id)
            else:
                store.restore_attempt(deletion.row_id)

        def done(_: Any) -> None:
            self.undo_button.setEnabled(True)
            self._show_undo()  # the delete before it, if any, can be undone next
            self.undoChanged.emit()
            self.refresh()

        def failed(message: str) -> None:
            self.undo_button.setEnabled(True)
            self._show_undo()
            self._housekeeping_failed(message)

        self.undo_button.setEnabled(False)
        run_in_background(restore, done, failed, owner=self)

    def rename_selected(self) -> None:
        """Ask for the chosen session's name (empty: the interview's title) and save it."""
        session_id = self.selected_session_id()
        session = self.session_row(session_id) if session_id is not None else None
        if session is None:
            return
        name, accepted = QInputDialog.getText(
            self, "Rename session",
            f"A name for this session of “{session.script_title}” (leave it empty to show "
            "the interview's title):", text=session.name or "")
        if not accepted:
            return
        factory = self._store_factory
        run_in_background(lambda: factory().rename_session(session.id, name),
                          lambda _: self.refresh(), self._housekeeping_failed, owner=self)

    def _housekeeping_failed(self, message: str) -> None:
        self._update_buttons()
        self.problem.emit(message)
        self.refresh()

    def purge_at_quit(self) -> None:
        """Delete what was hidden, with its recordings, as the application quits.

        Synchronous on purpose: the event loop has stopped and no window is left to keep
        responsive, while a pool thread could be cut off at exit half way. A failure only
        logs; the next run's first load purges the rows instead."""
        if not self._deletions:
            return
        try:
            # Only what this window deleted: another window open on the same data keeps
            # its own undo.
            removed = self._store_factory().purge_these(
                sessions=[d.row_id for d in self._deletions if d.kind == "session"],
                attempts=[d.row_id for d in self._deletions if d.kind == "attempt"])
        except StoreError as exc:
            log.warning("deleted rows stay hidden until the next start: %s", exc)
            return
        self._deletions.clear()
        log.info("removed %d deleted recording(s)", len(removed))
