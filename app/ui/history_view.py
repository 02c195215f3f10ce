"""Past sessions and their attempts; open an attempt to see its feedback again.

Rows are read from the store off the GUI thread, and only their summaries: a year of
practice is thousands of attempts, and each one's full feedback and transcript is read
(again off the GUI thread) when it is chosen. The right-hand side is the same
``FeedbackView`` the practice room uses (``attemptOpened`` carries the full row).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.store import AttemptBrief, AttemptRow, SessionRow, Store
from app.ui.feedback_view import FeedbackView
from app.ui.widgets.text import heading
from app.ui.widgets.wrap_delegate import WrapDelegate
from app.ui.workers import run_in_background
from interview_scripts.time_guide import format_clock
from models.coach.feedback_model import Feedback, TranscriptData

ATTEMPT_ROLE = Qt.ItemDataRole.UserRole + 1
VERDICT_WORDS = {"short": "short", "within": "within guide", "long": "long"}


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return stamp or ""


def attempt_summary(attempt: AttemptBrief | AttemptRow) -> tuple[str, str]:
    """(length verdict, key points covered) for the history list."""
    summary = attempt.summary
    verdict = VERDICT_WORDS.get(summary.verdict, "") if summary is not None else ""
    if attempt.duration_s is not None:
        verdict = f"{format_clock(attempt.duration_s)} {verdict}".strip()
    if attempt.status != "complete":
        verdict = f"{verdict} ({attempt.status})".strip()
    return verdict, summary.key_points_text() if summary is not None else "—"


def load_history(store: Store) -> list[tuple[SessionRow, list[AttemptBrief]]]:
    """Every session with its attempts' summaries, oldest attempt first within a session."""
    sessions = store.list_sessions()
    attempts = store.list_briefs()
    by_session: dict[int, list[AttemptBrief]] = {}
    for attempt in attempts:
        by_session.setdefault(attempt.session_id, []).append(attempt)
    return [(s, sorted(by_session.get(s.id, []), key=lambda a: a.started_at)) for s in sessions]


SESSION_ROLE = Qt.ItemDataRole.UserRole + 2
EXPORT_FILTERS = {"md": "Markdown (*.md)", "html": "Web page (*.html)", "pdf": "PDF (*.pdf)"}


def export_to(store: Store, session_id: int, path: Path, fmt: str, transcript: bool = True) -> Path:
    """Write one session as ``fmt``; runs on a worker (PDF layout included)."""
    from app import export

    session, attempts = export.load_session(store, session_id)
    if fmt == "pdf":
        from app.ui.pdf_export import write_pdf

        return write_pdf(session, attempts, path, transcript=transcript)
    return export.write_text(export.render_text(session, attempts, fmt, transcript), path)


class HistoryView(QWidget):
    problem = Signal(str)
    loaded = Signal()
    exported = Signal(object)  # the Path written
    attemptOpened = Signal(object)  # noqa: N815 - Qt signal naming

    def __init__(self, store_factory: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store_factory = store_factory or Store
        self._loading = False
        self.history: list[tuple[SessionRow, list[AttemptBrief]]] = []
        self.current_attempt: AttemptRow | None = None
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
        splitter.addWidget(self.tree)
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
        right_layout.addWidget(self.feedback_view, 1)
        right_layout.addStretch(0)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        self.refresh_button.setEnabled(False)
        factory = self._store_factory
        run_in_background(lambda: load_history(factory()), self._show, self._failed, owner=self)

    def _failed(self, message: str) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        self.problem.emit(message)

    def _show(self, history: list[tuple[SessionRow, list[AttemptBrief]]]) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        self.history = history
        self.tree.clear()
        for session, attempts in history:
            top = QTreeWidgetItem([f"{_local_time(session.started_at)} · {session.script_title}",
                                   "", f"{len(attempts)} answer{'s' if len(attempts) != 1 else ''}"])
            top.setData(0, SESSION_ROLE, session.id)
            for attempt in attempts:
                verdict, points = attempt_summary(attempt)
                child = QTreeWidgetItem([attempt.question_text, verdict, points])
                child.setToolTip(0, attempt.question_text)
                child.setData(0, ATTEMPT_ROLE, attempt)
                child.setData(0, SESSION_ROLE, session.id)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        if not history:
            self.tree.addTopLevelItem(QTreeWidgetItem(["No practice sessions yet.", "", ""]))
        self.loaded.emit()

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
        dialog = ReplayDialog(self.current_attempt, parent=self)
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
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export session", str(Path.home() / f"greenroom-session-{session_id}.pdf"),
            ";;".join(EXPORT_FILTERS.values()), EXPORT_FILTERS["pdf"])
        if not path:
            return
        fmt = next((f for f, label in EXPORT_FILTERS.items() if label == chosen), "pdf")
        suffix = Path(path).suffix.lstrip(".").lower()
        self.export_session(session_id, Path(path), suffix if suffix in EXPORT_FILTERS else fmt)

    def export_session(self, session_id: int, path: Path, fmt: str) -> None:
        """Write the session off the GUI thread; ``exported`` or ``problem`` follows."""
        self.export_button.setEnabled(False)
        factory = self._store_factory

        def done(written: Path) -> None:
            self.export_button.setEnabled(self.selected_session_id() is not None)
            self.exported.emit(written)

        def failed(message: str) -> None:
            self.export_button.setEnabled(self.selected_session_id() is not None)
            self.problem.emit(message)

        run_in_background(lambda: export_to(factory(), session_id, path, fmt), done, failed,
                          owner=self)

    def _selected(self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None) -> None:
        self.export_button.setEnabled(self.selected_session_id() is not None)
        brief = current.data(0, ATTEMPT_ROLE) if current is not None else None
        if not isinstance(brief, AttemptBrief):
            return
        self._opening = brief.id
        self.attempt_title.setText(f"{_local_time(brief.started_at)} — {brief.question_text}")
        factory = self._store_factory
        run_in_background(lambda: factory().get_attempt(brief.id), self._opened, self.problem.emit,
                          owner=self)

    def _opened(self, attempt: AttemptRow) -> None:
        # A later choice wins over a read that finished after it.
        if attempt.id == self._opening:
            self.open_attempt(attempt)
