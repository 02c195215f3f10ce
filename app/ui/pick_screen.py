"""Choose an interview: bundled and user scripts, their questions, and which to practise."""

from __future__ import annotations

import random
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import paths
from app.ui.friendly import friendly_path
from app.ui.widgets.text import heading
from interview_scripts.catalogue import discover_scripts
from interview_scripts.errors import ScriptError
from interview_scripts.loader import load_script
from interview_scripts.script import InterviewScript, Question

SCRIPT_ROLE = Qt.ItemDataRole.UserRole + 1
QUESTION_ROLE = Qt.ItemDataRole.UserRole + 2


def _script_summary(script: InterviewScript) -> str:
    guides = sorted({q.time_guide.text for q in script.questions if q.time_guide})
    count = len(script.questions)
    where = "bundled" if script.bundled else "yours"
    guide_text = f" · {', '.join(guides)}" if guides else ""
    return f"{script.title}\n{script.role} · {count} question{'s' if count != 1 else ''}{guide_text} · {where}"


class PickScreen(QWidget):
    """Emits ``startRequested(script, questions)`` with the chosen questions in order."""

    startRequested = Signal(object, object)  # noqa: N815 - Qt signal naming
    problem = Signal(str)  # a one-line message for the window's banner

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scripts: list[InterviewScript] = []
        layout = QVBoxLayout(self)

        layout.addWidget(heading("Pick an interview"))

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        scripts_label = QLabel("&Interviews")
        self.script_list = QListWidget()
        self.script_list.setObjectName("scriptList")
        self.script_list.setWordWrap(True)
        self.script_list.setSpacing(2)
        scripts_label.setBuddy(self.script_list)
        self.script_list.currentItemChanged.connect(self._script_changed)
        left_layout.addWidget(scripts_label)
        left_layout.addWidget(self.script_list, 1)
        self.open_file_button = QPushButton("&Open a script file…")
        self.open_file_button.clicked.connect(self.choose_script_file)
        left_layout.addWidget(self.open_file_button)
        self.user_folder_label = QLabel()
        self.user_folder_label.setWordWrap(True)
        self.user_folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left_layout.addWidget(self.user_folder_label)
        folder_row = QHBoxLayout()
        self.open_folder_button = QPushButton("Show my scripts &folder")
        self.open_folder_button.clicked.connect(self.open_user_folder)
        self.reload_button = QPushButton("Re&load")
        self.reload_button.clicked.connect(self.reload)
        folder_row.addWidget(self.open_folder_button)
        folder_row.addWidget(self.reload_button)
        left_layout.addLayout(folder_row)
        self.problems_label = QLabel()
        self.problems_label.setObjectName("problemsLabel")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left_layout.addWidget(self.problems_label)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.description = QLabel()
        self.description.setWordWrap(True)
        right_layout.addWidget(self.description)
        search_row = QHBoxLayout()
        search_label = QLabel("&Search questions:")
        self.search = QLineEdit()
        self.search.setObjectName("questionSearch")
        self.search.setPlaceholderText("words in a question, its guidance or key points")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        search_label.setBuddy(self.search)
        search_row.addWidget(search_label)
        search_row.addWidget(self.search, 1)
        right_layout.addLayout(search_row)
        self.question_list = QListWidget()
        self.question_list.setObjectName("questionList")
        self.question_list.setWordWrap(True)
        self.question_list.itemChanged.connect(self._update_start)
        right_layout.addWidget(self.question_list, 1)
        choose_row = QHBoxLayout()
        self.all_button = QPushButton("Check &all")
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button = QPushButton("Check &none")
        self.none_button.clicked.connect(lambda: self._check_all(False))
        self.shuffle_box = QCheckBox("S&huffle the order")
        choose_row.addWidget(self.all_button)
        choose_row.addWidget(self.none_button)
        choose_row.addStretch(1)
        choose_row.addWidget(self.shuffle_box)
        right_layout.addLayout(choose_row)
        self.start_button = QPushButton("Start &interview")
        self.start_button.setObjectName("startButton")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._start)
        right_layout.addWidget(self.start_button)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)
        self.reload()

    # ----------------------------------------------------------------- scripts
    def reload(self) -> None:
        scripts, problems = discover_scripts(paths.script_folders())
        self.set_scripts(scripts, [str(p) for p in problems])

    def set_scripts(self, scripts: list[InterviewScript], problems: list[str] | None = None) -> None:
        current = self.current_script()
        self._scripts = list(scripts)
        self.script_list.clear()
        for script in self._scripts:
            item = QListWidgetItem(_script_summary(script))
            item.setData(SCRIPT_ROLE, script)
            item.setToolTip(script.description or script.title)
            self.script_list.addItem(item)
        folder = paths.user_scripts_dir()
        self.user_folder_label.setText(f"Your scripts folder: {friendly_path(folder)}\n"
                                       "Put .yaml files there and press Reload.")
        self.problems_label.setText(
            "Could not load:\n" + "\n".join(problems) if problems else "")
        if self._scripts:
            keep = next((i for i, s in enumerate(self._scripts) if current and s.id == current.id), 0)
            self.script_list.setCurrentRow(keep)
        else:
            self._script_changed(None, None)

    def add_script(self, script: InterviewScript) -> None:
        """Add (or replace, by id and path) a script and select it."""
        kept = [s for s in self._scripts if not (s.id == script.id and s.path == script.path)]
        self.set_scripts([*kept, script])
        self.script_list.setCurrentRow(self.script_list.count() - 1)

    def current_script(self) -> InterviewScript | None:
        item = self.script_list.currentItem()
        return item.data(SCRIPT_ROLE) if item is not None else None

    def open_script_file(self, path: Path) -> bool:
        """Load a YAML file; its validation error is shown exactly as the loader words it."""
        try:
            script = load_script(Path(path))
        except ScriptError as exc:
            self.problems_label.setText(str(exc))
            self.problem.emit(str(exc))
            return False
        self.problems_label.clear()
        self.add_script(script)
        return True

    def choose_script_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open an interview script", str(paths.user_scripts_dir()),
                                              "Interview scripts (*.yaml *.yml);;All files (*)")
        if name:
            self.open_script_file(Path(name))

    def open_user_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.user_scripts_dir())))

    # --------------------------------------------------------------- questions
    def _script_changed(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        self.question_list.clear()
        script = current.data(SCRIPT_ROLE) if current is not None else None
        if script is None:
            self.description.setText("No interview scripts found. Open a script file or add one to your folder.")
            self._update_start()
            return
        self.description.setText(f"<b>{script.title}</b> — {script.role}<br>{script.description}")
        self.question_list.blockSignals(True)
        for n, question in enumerate(script.questions, start=1):
            guide = f" ({question.time_guide.text})" if question.time_guide else ""
            item = QListWidgetItem(f"{n}. {question.text}{guide}")
            item.setData(QUESTION_ROLE, question)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip(question.guidance or question.text)
            self.question_list.addItem(item)
        self.question_list.blockSignals(False)
        self._apply_filter(self.search.text())

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.question_list.count()):
            item = self.question_list.item(i)
            q: Question = item.data(QUESTION_ROLE)
            haystack = " ".join([q.text, q.guidance, *(k.text for k in q.key_points)]).lower()
            item.setHidden(bool(needle) and needle not in haystack)
        self._update_start()

    def visible_questions(self) -> list[Question]:
        return [self.question_list.item(i).data(QUESTION_ROLE) for i in range(self.question_list.count())
                if not self.question_list.item(i).isHidden()]

    def _check_all(self, checked: bool) -> None:
        """Acts on the questions the search shows, so "search, then check all" works."""
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for i in range(self.question_list.count()):
            item = self.question_list.item(i)
            if not item.isHidden():
                item.setCheckState(state)
        self._update_start()

    def set_question_checked(self, question_id: str, checked: bool) -> None:
        for i in range(self.question_list.count()):
            item = self.question_list.item(i)
            if item.data(QUESTION_ROLE).id == question_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def chosen_questions(self) -> list[Question]:
        """Checked questions that the search shows, in script order (or shuffled)."""
        chosen = [self.question_list.item(i).data(QUESTION_ROLE) for i in range(self.question_list.count())
                  if not self.question_list.item(i).isHidden()
                  and self.question_list.item(i).checkState() == Qt.CheckState.Checked]
        if self.shuffle_box.isChecked():
            random.shuffle(chosen)
        return chosen

    def _update_start(self, *_: object) -> None:
        count = sum(1 for i in range(self.question_list.count())
                    if not self.question_list.item(i).isHidden()
                    and self.question_list.item(i).checkState() == Qt.CheckState.Checked)
        self.start_button.setEnabled(count > 0)
        self.start_button.setText(f"Start interview ({count} question{'s' if count != 1 else ''})"
                                  if count else "Check at least one question")

    def _start(self) -> None:
        script = self.current_script()
        questions = self.chosen_questions()
        if script is not None and questions:
            self.startRequested.emit(script, questions)
