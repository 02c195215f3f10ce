"""Progress over attempts, and which questions to practise next.

Pick an interview and one of its questions: four charts show that question's attempts,
oldest to newest — speaking time against each attempt's time guide, pace against the
comfortable band, fillers a minute, key points covered out of those listed. An answer and
its follow-up are one attempt: a key point only the follow-up's reply made counts, drawn
apart (a ring at what the answer made by itself), and the reply is no point of its own.

With "all questions", each point is one practice session of the interview (its answers
taken together), not one line per question: the questions' guides differ (a 90-second
answer and a 6-minute one cannot share a band), a line per question turns into a tangle
once an interview has more than three or four, and a session is what the candidate did
and remembers. So the time chart shows the share of answers within their own guide, pace
and fillers are over the session's speaking time, and key points are the share covered.

"Practise next" lists questions ranked by ``app.progress.practise_next``, each with its
reason in a sentence. An interview practises the questions of one script, so when the
chosen rows span interviews, "Practise these" starts those of the topmost chosen row's
interview and the line under the list says, before the click, which ones wait.

Everything is read from summaries (``load_progress``) off the GUI thread; the chart series
(``question_series``, ``interview_series``) are worked out in ``app.progress``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import GreenroomError
from app.progress import (
    NextPractice,
    QuestionProgress,
    band_text,
    interview_series,
    load_progress,
    plural,
    practise_next,
    question_series,
    script_titles,
)
from app.store import Store
from app.ui.widgets.progress_chart import ProgressChart
from app.ui.widgets.text import heading, table_tree
from app.ui.widgets.wrap_delegate import WrapDelegate
from app.ui.workers import run_in_background
from interview_scripts.errors import ScriptError
from interview_scripts.script import InterviewScript, Question
from interview_scripts.time_guide import format_clock

EMPTY_TEXT = "No attempts yet — practise a question and its progress shows here."
ALL_QUESTIONS = "All questions (one point per practice session)"
NEXT_ROLE = Qt.ItemDataRole.UserRole + 1
CHART_KEYS = ("time", "pace", "fillers", "points")


# ---------------------------------------------------------------------- why a question is next
def days_ago(stamp: str, now: datetime) -> str:
    days = int(max(0.0, (now - datetime.fromisoformat(stamp)).total_seconds()) // 86_400)
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def reason_sentence(item: NextPractice, now: datetime) -> str:
    """Why this question is on the list, in one sentence, from its latest attempt."""
    latest = item.question.latest
    s = latest.summary
    parts: list[str] = []
    if s is None:
        parts.append("the last answer was not coached")
    else:
        if s.key_points and s.missed:
            parts.append(f"{plural(s.missed, 'key point')} not heard last time")
        if s.within_guide is False and s.guide_min_s is not None and s.guide_max_s is not None:
            word = "short" if s.verdict == "short" else "long"
            parts.append(f"too {word} last time ({format_clock(s.speaking_s)} against "
                         f"{band_text(s.guide_min_s, s.guide_max_s)})")
        if not parts:
            parts.append("nothing missed last time")
    parts.append(f"last practised {days_ago(latest.started_at, now)}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


# ---------------------------------------------------------------------- loading
@dataclass(frozen=True)
class ProgressData:
    progress: list[QuestionProgress]
    ranked: list[NextPractice]
    titles: dict[str, str]  # script id -> the interview's title as last practised
    now: datetime


def load_progress_data(store: Store, now: datetime | None = None) -> ProgressData:
    """Everything the tab shows, from summaries; runs on a worker."""
    now = now or datetime.now(UTC)
    progress = load_progress(store)
    return ProgressData(progress, practise_next(progress, now), script_titles(store), now)


def find_questions(script_id: str, question_ids: list[str],
                   folders: Any) -> tuple[InterviewScript, list[Question], list[str]]:
    """The script and those of ``question_ids`` it still has (in the given order), and
    the ids it no longer has; runs on a worker."""
    from interview_scripts.catalogue import find_script

    try:
        script = find_script(script_id, folders)
    except ScriptError as exc:
        raise GreenroomError(f"The interview '{script_id}' is no longer among your scripts, so "
                             f"it cannot be practised from here ({exc}).") from exc
    have = {q.id: q for q in script.questions}
    return (script, [have[q] for q in question_ids if q in have],
            [q for q in question_ids if q not in have])


class _EnterStarts(QObject):
    """Enter or Return on the list starts a practice of the chosen rows."""

    def __init__(self, action: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.action()
            return True
        return False


# ---------------------------------------------------------------------- the view
class ProgressView(QWidget):
    problem = Signal(str)
    loaded = Signal()
    practiseRequested = Signal(object, object)  # noqa: N815 - (InterviewScript, [Question])

    def __init__(self, store_factory: Any = None, script_folders: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store_factory = store_factory or Store
        self._script_folders = script_folders
        self._loading = False
        self._reload = False
        self._starting = False
        self.data: ProgressData | None = None

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("Progress"))
        top.addStretch(1)
        self.refresh_button = QPushButton("Re&fresh")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)

        self.stack = QStackedWidget()
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("progressEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty_label)
        self.content = QSplitter(Qt.Orientation.Horizontal)
        self.stack.addWidget(self.content)
        layout.addWidget(self.stack, 1)

        # Left: choose what to chart, and the charts.
        charts = QWidget()
        left = QVBoxLayout(charts)
        left.setContentsMargins(0, 0, 0, 0)
        pickers = QGridLayout()
        self.script_combo = QComboBox()
        self.script_combo.setAccessibleName("Interview")
        self.question_combo = QComboBox()
        self.question_combo.setAccessibleName("Question")
        self.question_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.question_combo.setMinimumContentsLength(30)
        for row, (text, combo) in enumerate((("&Interview:", self.script_combo),
                                             ("&Question:", self.question_combo))):
            label = QLabel(text)
            label.setBuddy(combo)
            pickers.addWidget(label, row, 0)
            pickers.addWidget(combo, row, 1)
        pickers.setColumnStretch(1, 1)
        left.addLayout(pickers)
        self.caption = QLabel()
        self.caption.setObjectName("progressCaption")
        self.caption.setWordWrap(True)
        left.addWidget(self.caption)
        self.time_chart = ProgressChart("Speaking time", format_clock, "guide")
        self.pace_chart = ProgressChart("Pace, wpm", lambda v: f"{v:.0f}", "comfortable")
        self.fillers_chart = ProgressChart("Fillers a minute", lambda v: f"{v:.1f}")
        self.points_chart = ProgressChart("Key points covered", lambda v: f"{v:g}")
        grid = QGridLayout()
        for i, chart in enumerate(self.charts.values()):
            grid.addWidget(chart, i // 2, i % 2)
        left.addLayout(grid)
        left.addStretch(1)
        self.content.addWidget(charts)

        # Right: what to practise next.
        side = QWidget()
        right = QVBoxLayout(side)
        right.setContentsMargins(0, 0, 0, 0)
        next_label = QLabel("Practise &next")
        font = next_label.font()
        font.setBold(True)
        next_label.setFont(font)
        right.addWidget(next_label)
        hint = QLabel("Weakest last answers and the longest untouched come first. Choose one or "
                      "more (Ctrl or Shift to add) and press Enter.")
        hint.setWordWrap(True)
        right.addWidget(hint)
        # Every column wraps and shares the width: a long interview title must not squeeze
        # the question into a narrow, tall column.
        self.next_tree = table_tree("practiseNext", ["Question", "Interview", "Why now"], {0, 1, 2})
        self.next_tree.setItemDelegate(WrapDelegate(self.next_tree))
        self.next_tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.next_tree.setAccessibleName("Practise next")
        self.next_tree.itemSelectionChanged.connect(self._selection_changed)
        # Kept on the view: a filter whose Python side is collected stops filtering.
        self._enter_filter = _EnterStarts(self.practise_selected, self.next_tree)
        self.next_tree.installEventFilter(self._enter_filter)
        next_label.setBuddy(self.next_tree)
        right.addWidget(self.next_tree, 1)
        self.selection_note = QLabel("")
        self.selection_note.setObjectName("practiseNote")
        self.selection_note.setWordWrap(True)
        # Room for the longest note (spanning interviews): a splitter does not grow a
        # wrapped label to its height by itself.
        self.selection_note.setMinimumHeight(self.selection_note.fontMetrics().lineSpacing() * 3 + 4)
        right.addWidget(self.selection_note)
        self.practise_button = QPushButton("Practise &these")
        self.practise_button.setToolTip("Start an interview of the chosen questions, weakest first")
        self.practise_button.setEnabled(False)
        self.practise_button.clicked.connect(self.practise_selected)
        right.addWidget(self.practise_button)
        self.content.addWidget(side)
        self.content.setStretchFactor(0, 3)
        self.content.setStretchFactor(1, 2)
        # The list's reasons are sentences: give it room from the start, not a sliver.
        side.setMinimumWidth(340)
        self.content.setSizes([720, 480])

        self.script_combo.currentIndexChanged.connect(self._script_chosen)
        self.question_combo.currentIndexChanged.connect(lambda _i: self._draw())

    @property
    def charts(self) -> dict[str, ProgressChart]:
        return {"time": self.time_chart, "pace": self.pace_chart, "fillers": self.fillers_chart,
                "points": self.points_chart}

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        if self._loading:
            self._reload = True  # something changed while reading: read again after
            return
        self._loading = True
        self.refresh_button.setEnabled(False)
        factory = self._store_factory
        run_in_background(lambda: load_progress_data(factory()), self._show, self._failed,
                          owner=self)

    def _failed(self, message: str) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        self.problem.emit(message)
        if self._reload:  # something changed while the failed read ran: try once more
            self._reload = False
            self.refresh()

    def _show(self, data: ProgressData) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        if self._reload:
            self._reload = False
            self.refresh()
            return
        self.data = data
        self.stack.setCurrentWidget(self.content if data.progress else self.empty_label)
        chosen = self.script_combo.currentData()
        self.script_combo.blockSignals(True)
        self.script_combo.clear()
        for script_id in dict.fromkeys(q.script_id for q in data.progress):
            self.script_combo.addItem(data.titles.get(script_id, script_id), script_id)
        found = self.script_combo.findData(chosen)
        self.script_combo.setCurrentIndex(max(0, found))
        self.script_combo.blockSignals(False)
        self._script_chosen()
        self._fill_next(data)
        self.loaded.emit()

    # ------------------------------------------------------------------ charts
    def _questions_of(self, script_id: str | None) -> list[QuestionProgress]:
        if self.data is None:
            return []
        return [q for q in self.data.progress if q.script_id == script_id]

    def _script_chosen(self, _index: int = -1) -> None:
        chosen = self.question_combo.currentData()
        self.question_combo.blockSignals(True)
        self.question_combo.clear()
        self.question_combo.addItem(ALL_QUESTIONS, None)
        for question in self._questions_of(self.script_combo.currentData()):
            text = question.question_text
            self.question_combo.addItem(text if len(text) <= 90 else text[:89] + "…",
                                        question.question_id)
            self.question_combo.setItemData(self.question_combo.count() - 1, text,
                                            Qt.ItemDataRole.ToolTipRole)
        self.question_combo.setCurrentIndex(max(0, self.question_combo.findData(chosen)))
        self.question_combo.blockSignals(False)
        self._draw()

    def select(self, script_id: str, question_id: str | None = None) -> None:
        """Chart one question of an interview (or, with None, the whole interview)."""
        self.script_combo.setCurrentIndex(self.script_combo.findData(script_id))
        index = self.question_combo.findData(question_id) if question_id is not None else 0
        self.question_combo.setCurrentIndex(index)

    def _draw(self) -> None:
        questions = self._questions_of(self.script_combo.currentData())
        question_id = self.question_combo.currentData()
        if question_id is None:
            series = interview_series(questions)
            self.time_chart.title = "Answers within their time guide, %"
            self.time_chart.band_name = ""
            self.time_chart.value_text = lambda v: f"{v:.0f}%"
            self.points_chart.title = "Key points covered, %"
            self.points_chart.value_text = lambda v: f"{v:.0f}%"
            caption = ("Each point is one practice session of this interview, its answers taken "
                       "together. Choose a question to see its own attempts against its guide.")
        else:
            question = next(q for q in questions if q.question_id == question_id)
            series = question_series(question)
            self.time_chart.title = "Speaking time"
            self.time_chart.band_name = "guide"
            self.time_chart.value_text = format_clock
            self.points_chart.title = "Key points covered"
            self.points_chart.value_text = lambda v: f"{v:g}"
            caption = "Each point is one attempt at this question, oldest on the left."
        added = sum(p.follow_up for p in series.points if p.value is not None)
        if added:
            caption += (" Key points count what a follow-up's reply added; a ring marks what "
                        "the answer covered by itself.")
        if series.uncoached:
            caption += (f" {plural(series.uncoached, 'answer')} without feedback "
                        f"{'is' if series.uncoached == 1 else 'are'} left out.")
        self.caption.setText(caption)
        for chart in self.charts.values():
            chart.setAccessibleName(chart.title)
        self.time_chart.set_points(series.time, ceiling=100.0 if question_id is None else None)
        self.pace_chart.set_points(series.pace)
        self.fillers_chart.set_points(series.fillers)
        self.points_chart.set_points(series.points, ceiling=series.points_ceiling)

    # ------------------------------------------------------------------ practise next
    def _fill_next(self, data: ProgressData) -> None:
        self.next_tree.clear()
        for item in data.ranked:
            question = item.question
            row = QTreeWidgetItem([question.question_text,
                                   data.titles.get(question.script_id, question.script_id),
                                   reason_sentence(item, data.now)])
            row.setData(0, NEXT_ROLE, (question.script_id, question.question_id))
            for column in range(3):
                row.setToolTip(column, row.text(column))
            self.next_tree.addTopLevelItem(row)
        self._selection_changed()

    def next_rows(self) -> list[QTreeWidgetItem]:
        return [self.next_tree.topLevelItem(i) for i in range(self.next_tree.topLevelItemCount())]

    def _chosen(self) -> tuple[str | None, list[str], list[QTreeWidgetItem]]:
        """(script id, its chosen question ids in list order, the chosen rows left waiting)."""
        chosen = [row for row in self.next_rows() if row.isSelected()]
        if not chosen:
            return None, [], []
        script_id = chosen[0].data(0, NEXT_ROLE)[0]
        ids = [row.data(0, NEXT_ROLE)[1] for row in chosen if row.data(0, NEXT_ROLE)[0] == script_id]
        waiting = [row for row in chosen if row.data(0, NEXT_ROLE)[0] != script_id]
        return script_id, ids, waiting

    def _selection_changed(self) -> None:
        script_id, ids, waiting = self._chosen()
        self.practise_button.setEnabled(bool(ids) and not self._starting)
        if script_id is None:
            self.selection_note.setText("")
            return
        titles = self.data.titles if self.data is not None else {}
        note = f"Starts {plural(len(ids), 'question')} of {titles.get(script_id, script_id)}."
        if waiting:
            others = sorted({titles.get(r.data(0, NEXT_ROLE)[0], r.data(0, NEXT_ROLE)[0])
                             for r in waiting})
            note += (f" An interview runs one script at a time, so {plural(len(waiting), 'question')}"
                     f" of {', '.join(others)} stay{'s' if len(waiting) == 1 else ''} on the list "
                     "for the next round.")
        self.selection_note.setText(note)

    def practise_selected(self) -> None:
        script_id, ids, _waiting = self._chosen()
        if script_id is None or not ids or self._starting:
            return
        self._starting = True
        self.practise_button.setEnabled(False)
        folders = self._script_folders
        if folders is None:
            from app import paths

            folders = paths.script_folders()
        run_in_background(lambda: find_questions(script_id, ids, folders), self._start,
                          self._start_failed, owner=self)

    def _start_failed(self, message: str) -> None:
        self._starting = False
        self._selection_changed()
        self.problem.emit(message)

    def _start(self, found: tuple[InterviewScript, list[Question], list[str]]) -> None:
        self._starting = False
        self._selection_changed()
        script, questions, missing = found
        if not questions:
            self.problem.emit(f"None of those questions is in '{script.title}' any more; it may "
                              "have been edited since they were practised.")
            return
        if missing:
            self.selection_note.setText(f"{plural(len(missing), 'question')} chosen "
                                        f"{'is' if len(missing) == 1 else 'are'} no longer in "
                                        f"'{script.title}' and {'was' if len(missing) == 1 else 'were'} "
                                        "left out.")
        self.practiseRequested.emit(script, questions)


__all__ = ["ALL_QUESTIONS", "EMPTY_TEXT", "ProgressData", "ProgressView", "find_questions",
           "load_progress_data", "reason_sentence"]
