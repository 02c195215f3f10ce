"""Every attempt at one question side by side, and two of them compared closely.

The table lists each attempt's figures (from summaries: nothing heavy is read). Picking
two shows their timelines one above the other on the same time scale, the key-point
checklist diff (newly covered, newly missed), one line for what improved and one for
what got worse, and plays the same key point from both recordings back to back.

An attempt is an answer with its follow-up, one thread: its row says whether a
follow-up was asked, what, and whether it was answered, and a key point the reply made
shows in the diff as covered in the follow-up, never as covered in the answer. A reply
is no attempt of its own, so it is never offered for comparing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.progress import FollowUpBrief, answer_threads, follow_up_brief, key_point_diff
from app.progress import changes as change_lines
from app.store import AttemptBrief, Store
from app.summary import AttemptSummary
from app.ui.replay_view import _AudioThread, _default_player, _load_audio
from app.ui.widgets.answer_timeline import AnswerTimeline, Marker, StageSpan
from app.ui.widgets.text import table_tree
from app.ui.workers import run_in_background
from interview_scripts.time_guide import format_clock
from models.coach.length import verdict_words

# How much of each recording "play the key point" plays, from where the point was said.
CLIP_S = 8.0
COLUMNS = ["Date", "Length", "Speaking", "WPM", "Fillers/min", "Pauses", "Key points", "Stages",
           "Follow-up"]
FOLLOW_UP_COLUMN = 8


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def figure_cells(brief: AttemptBrief, follow_up: FollowUpBrief | None = None) -> list[str]:
    asked = follow_up.describe() if follow_up is not None else "none asked"
    s = brief.summary
    if s is None:
        return [_when(brief.started_at), f"not coached ({brief.status})", "", "", "", "", "", "", asked]
    stages = " · ".join(f"{t.name} {format_clock(t.start_s)}–{format_clock(t.end_s)}" for t in s.stages)
    added = sum(1 for p in s.key_points if p.in_follow_up)
    points = s.key_points_text() + (f" ({added} in the follow-up)" if added else "")
    return [_when(brief.started_at), f"{format_clock(s.duration_s)} {verdict_words(s.verdict)}",
            format_clock(s.speaking_s), f"{s.wpm:.0f}" if s.wpm is not None else "—",
            f"{s.fillers_per_min:.1f}" if s.fillers_per_min is not None else "—",
            str(s.pauses), points, stages or "—", asked]


def timeline_data(summary: AttemptSummary) -> tuple[list[StageSpan], list[Marker]]:
    spans = [StageSpan(t.name, t.start_s, t.end_s, i) for i, t in enumerate(summary.stages)]
    markers = [Marker(p.start_s, "improvement", f"key point: {p.text}")
               for p in summary.key_points if p.start_s is not None]
    return spans, markers


class CompareView(QWidget):
    loaded = Signal()
    problem = Signal(str)
    clipsPlayed = Signal()  # noqa: N815 - Qt signal naming

    def __init__(self, store_factory: Callable[[], Store] | None = None,
                 player_factory: Callable[[], Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store_factory = store_factory or Store
        self._audio_thread = _AudioThread(player_factory or _default_player)
        self.attempts: list[AttemptBrief] = []
        self.follow_ups: dict[int, FollowUpBrief] = {}  # by the answer's id
        layout = QVBoxLayout(self)
        self.title = QLabel("Choose a question to compare its attempts.")
        self.title.setWordWrap(True)
        self.title.setObjectName("compareTitle")
        layout.addWidget(self.title)
        self.table = table_tree("compareTable", COLUMNS, stretch={7, FOLLOW_UP_COLUMN})
        layout.addWidget(self.table, 1)

        pick = QHBoxLayout()
        pick.addWidget(QLabel("Compare"))
        self.first_box = QComboBox()
        self.second_box = QComboBox()
        pick.addWidget(self.first_box, 1)
        pick.addWidget(QLabel("with"))
        pick.addWidget(self.second_box, 1)
        layout.addLayout(pick)
        self.first_box.currentIndexChanged.connect(self._compare)
        self.second_box.currentIndexChanged.connect(self._compare)

        box = QGroupBox("Timelines on one time scale")
        grid = QGridLayout(box)
        self.first_label, self.second_label = QLabel(), QLabel()
        self.first_timeline, self.second_timeline = AnswerTimeline(), AnswerTimeline()
        grid.addWidget(self.first_label, 0, 0)
        grid.addWidget(self.first_timeline, 0, 1)
        grid.addWidget(self.second_label, 1, 0)
        grid.addWidget(self.second_timeline, 1, 1)
        grid.setColumnStretch(1, 1)
        layout.addWidget(box)

        self.diff_label = QLabel()
        self.diff_label.setObjectName("keyPointDiff")
        self.diff_label.setWordWrap(True)
        self.diff_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.diff_label)
        self.improved_label = QLabel()
        self.improved_label.setObjectName("improved")
        self.improved_label.setWordWrap(True)
        self.worse_label = QLabel()
        self.worse_label.setObjectName("worse")
        self.worse_label.setWordWrap(True)
        layout.addWidget(self.improved_label)
        layout.addWidget(self.worse_label)

        play = QHBoxLayout()
        play.addWidget(QLabel("Key point"))
        self.point_box = QComboBox()
        play.addWidget(self.point_box, 1)
        self.play_button = QPushButton("&Play it from both")
        self.play_button.setToolTip(f"The first attempt's {CLIP_S:.0f} s from where the point was "
                                    "said, then the second's")
        self.play_button.clicked.connect(self.play_key_point)
        play.addWidget(self.play_button)
        self.stop_button = QPushButton("&Stop")
        self.stop_button.clicked.connect(self.stop)
        play.addWidget(self.stop_button)
        layout.addLayout(play)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    # ------------------------------------------------------------------ loading
    def load_question(self, script_id: str, question_id: str) -> None:
        factory = self._store_factory
        run_in_background(lambda: factory().list_briefs(script_id=script_id, question_id=question_id,
                                                        oldest_first=True),
                          self._show, self.problem.emit, owner=self)

    def _show(self, briefs: list[AttemptBrief]) -> None:
        # Answers to the question only, each with its follow-up: a reply answered another
        # question, and the answer's own figures already count what it covered.
        attempts, replies = answer_threads(briefs)
        self.attempts = attempts
        self.follow_ups = {a.id: f for a in attempts
                           if (f := follow_up_brief(a, replies.get(a.id, ()))) is not None}
        self.table.clear()
        for brief in attempts:
            follow_up = self.follow_ups.get(brief.id)
            item = QTreeWidgetItem(figure_cells(brief, follow_up))
            item.setToolTip(7, item.text(7))
            if follow_up is not None:
                tip = follow_up.describe()
                if follow_up.points_added:
                    tip += "\nCovered in the follow-up: " + "; ".join(follow_up.points_added)
                item.setToolTip(FOLLOW_UP_COLUMN, tip)
            self.table.addTopLevelItem(item)
        self.title.setText(f"{attempts[-1].question_text} — {len(attempts)} attempt"
                           f"{'s' if len(attempts) != 1 else ''}" if attempts
                           else "No attempts at this question yet.")
        for box in (self.first_box, self.second_box):
            box.blockSignals(True)
            box.clear()
            for number, brief in enumerate(attempts, start=1):
                thread = " + follow-up" if brief.id in self.follow_ups else ""
                box.addItem(f"#{number} · {_when(brief.started_at)}{thread}", brief.id)
            box.blockSignals(False)
        if len(attempts) >= 2:
            self.choose(attempts[-2].id, attempts[-1].id)
        else:
            self._compare()
        self.loaded.emit()

    def choose(self, first_id: int, second_id: int) -> None:
        """Compare two attempts by id (earlier one first is the natural reading)."""
        for box, wanted in ((self.first_box, first_id), (self.second_box, second_id)):
            box.blockSignals(True)
            box.setCurrentIndex(box.findData(wanted))
            box.blockSignals(False)
        self._compare()

    def chosen(self) -> tuple[AttemptBrief | None, AttemptBrief | None]:
        by_id = {a.id: a for a in self.attempts}
        return by_id.get(self.first_box.currentData()), by_id.get(self.second_box.currentData())

    # ------------------------------------------------------------------ comparing
    def _compare(self) -> None:
        first, second = self.chosen()
        a = first.summary if first is not None else None
        b = second.summary if second is not None else None
        self.point_box.clear()
        if a is None or b is None or first is second:
            for widget in (self.diff_label, self.improved_label, self.worse_label):
                widget.setText("")
            self.diff_label.setText("Pick two coached attempts to compare them.")
            self.play_button.setEnabled(False)
            return
        scale = max(a.duration_s, b.duration_s, 1.0)  # one time scale for both
        for label, timeline, brief, summary in ((self.first_label, self.first_timeline, first, a),
                                                (self.second_label, self.second_timeline, second, b)):
            spans, markers = timeline_data(summary)
            timeline.set_data(scale, spans, [], markers)
            label.setText(f"#{self.attempts.index(brief) + 1}")
        diff = key_point_diff(a, b)
        parts = []
        if diff.newly_covered:
            parts.append("<b>Newly covered:</b> " + "; ".join(diff.newly_covered))
        if diff.covered_in_follow_up:
            parts.append("<b>Covered in the follow-up:</b> " + "; ".join(diff.covered_in_follow_up))
        if diff.newly_missed:
            parts.append("<b>Not heard this time:</b> " + "; ".join(diff.newly_missed))
        if diff.still_missed:
            parts.append("<b>Still not heard:</b> " + "; ".join(diff.still_missed))
        self.diff_label.setText("<br>".join(parts) or "The same key points in both.")
        improved, worse = change_lines(a, b)
        self.improved_label.setText(improved)
        self.worse_label.setText(worse)
        times_a = {p.text: p.start_s for p in a.key_points if p.start_s is not None}
        for point in b.key_points:
            if point.start_s is not None and point.text in times_a:
                self.point_box.addItem(point.text, (times_a[point.text], point.start_s))
        self.play_button.setEnabled(self.point_box.count() > 0 and first.audio_path is not None
                                    and second.audio_path is not None)
        if self.point_box.count() == 0:
            self.status.setText("No key point was heard in both attempts, so there is nothing "
                                "to play side by side.")
        else:
            self.status.setText("")

    def diff(self) -> Any:
        first, second = self.chosen()
        assert first is not None and second is not None
        assert first.summary is not None and second.summary is not None
        return key_point_diff(first.summary, second.summary)

    # ------------------------------------------------------------------ playing
    def play_key_point(self) -> None:
        first, second = self.chosen()
        times = self.point_box.currentData()
        if first is None or second is None or times is None:
            return
        if first.audio_path is None or second.audio_path is None:
            return
        clips = [(Path(first.audio_path), float(times[0])), (Path(second.audio_path), float(times[1]))]
        thread = self._audio_thread
        done = self.clipsPlayed

        def play_both() -> None:
            # On the audio thread: one clip, wait for it, then the other.
            for path, start in clips:
                audio, rate = _load_audio(path)
                begin = int(max(0.0, start - 0.3) * rate)
                clip = np.ascontiguousarray(audio[begin:begin + int(CLIP_S * rate)])
                thread.player.play_array(clip, rate)
                thread.player.wait(CLIP_S + 5.0)
                if self._stopped:
                    return
            done.emit()

        self._stopped = False
        self.status.setText(f"Playing “{self.point_box.currentText()}” from "
                            f"#{self.attempts.index(first) + 1}, then #{self.attempts.index(second) + 1}…")
        thread.submit(play_both)

    _stopped = False

    def stop(self) -> None:
        self._stopped = True
        player = self._audio_thread.player
        if player is not None:
            player.stop()  # Player.stop is safe from any thread and returns at once

    def shutdown(self) -> None:
        self.stop()
        self._audio_thread.close()


class CompareDialog(QDialog):
    def __init__(self, script_id: str, question_id: str, store_factory: Callable[[], Store],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare attempts — Greenroom")
        self.resize(1100, 720)
        layout = QVBoxLayout(self)
        self.view = CompareView(store_factory)
        layout.addWidget(self.view)
        self.view.load_question(script_id, question_id)

    def done(self, result: int) -> None:
        self.view.shutdown()
        super().done(result)


__all__ = ["CompareDialog", "CompareView", "figure_cells", "timeline_data"]
