"""Choose an interview: bundled and user scripts, their questions, and which to practise."""

from __future__ import annotations

import random
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
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
from app.ui.import_dialog import ImportDialog
from app.ui.script_editor import ScriptEditor, document_of
from app.ui.widgets.text import heading
from interview_scripts.catalogue import discover_scripts
from interview_scripts.errors import ScriptError
from interview_scripts.loader import load_script
from interview_scripts.page_importer import ImportResult
from interview_scripts.script import InterviewScript, Question
from interview_scripts.time_guide import parse_time_guide

SCRIPT_ROLE = Qt.ItemDataRole.UserRole + 1
# A mock interview gives every question the same think time, as a panel would.
MOCK_THINK_TIME_S = 10.0
QUESTION_ROLE = Qt.ItemDataRole.UserRole + 2


def _script_summary(script: InterviewScript) -> str:
    guides = sorted({q.time_guide.text for q in script.questions if q.time_guide})
    count = len(script.questions)
    where = "bundled" if script.bundled else "yours"
    guide_text = f" · {', '.join(guides)}" if guides else ""
    return f"{script.title}\n{script.role} · {count} question{'s' if count != 1 else ''}{guide_text} · {where}"


QUICK_GUIDES = ("1 min", "90s", "1-2 min", "2-3 min", "3-5 min", "5-7 minutes")


class QuickQuestionDialog(QDialog):
    """Practise one question: type it, pick a time guide, start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Practise one question")
        form = QFormLayout(self)
        self.question_edit = QLineEdit()
        self.question_edit.setObjectName("quickQuestion")
        self.question_edit.setPlaceholderText("e.g. Tell me about a time you disagreed with your manager.")
        self.question_edit.setMinimumWidth(520)
        self.guide_combo = QComboBox()
        self.guide_combo.addItems(QUICK_GUIDES)
        self.guide_combo.setCurrentText("2-3 min")
        self.framework_combo = QComboBox()
        self.framework_combo.addItems(["none", "STAR", "CAR", "CIRCLES"])
        form.addRow("&Question:", self.question_edit)
        form.addRow("&Time guide:", self.guide_combo)
        form.addRow("&Framework:", self.framework_combo)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Start")
        self.buttons.accepted.connect(self._accept_if_asked)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def _accept_if_asked(self) -> None:
        if self.question_edit.text().strip():
            self.accept()

    def script(self) -> InterviewScript:
        from interview_scripts.frameworks import NONE, framework_by_name

        name = self.framework_combo.currentText()
        question = Question(id="one-question", text=self.question_edit.text().strip(),
                            time_guide=parse_time_guide(self.guide_combo.currentText()),
                            framework=NONE if name == "none" else framework_by_name(name))
        return InterviewScript(id="one-question", title="One question", role="Your own question",
                               questions=(question,))


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
        own_row = QHBoxLayout()
        self.new_button = QPushButton("Ne&w interview…")
        self.new_button.setObjectName("newInterviewButton")
        self.new_button.clicked.connect(self.new_interview)
        self.import_button = QPushButton("Im&port a page…")
        self.import_button.setObjectName("importPageButton")
        self.import_button.clicked.connect(self.import_page)
        own_row.addWidget(self.new_button)
        own_row.addWidget(self.import_button)
        left_layout.addLayout(own_row)
        edit_row = QHBoxLayout()
        self.edit_button = QPushButton("&Edit")
        self.edit_button.clicked.connect(self.edit_current)
        self.duplicate_button = QPushButton("Dupli&cate")
        self.duplicate_button.setToolTip("Copy this interview into your folder to make it your own")
        self.duplicate_button.clicked.connect(self.duplicate_current)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.clicked.connect(self.delete_current)
        for button in (self.edit_button, self.duplicate_button, self.delete_button):
            edit_row.addWidget(button)
        left_layout.addLayout(edit_row)
        self.undo_row = QWidget()
        undo_layout = QHBoxLayout(self.undo_row)
        undo_layout.setContentsMargins(0, 0, 0, 0)
        self.undo_label = QLabel()
        self.undo_label.setWordWrap(True)
        self.undo_button = QPushButton("&Undo delete")
        self.undo_button.clicked.connect(self.undo_delete)
        undo_layout.addWidget(self.undo_label, 1)
        undo_layout.addWidget(self.undo_button)
        self.undo_row.hide()
        left_layout.addWidget(self.undo_row)
        self._deleted: tuple[Path, bytes] | None = None
        self.last_editor: ScriptEditor | None = None
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo_delete)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.script_list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_current)
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
        self.mock_box = QCheckBox("&Mock interview")
        self.mock_box.setObjectName("mockBox")
        self.mock_box.setToolTip("Like the real thing: no hints and no redo, the questions shuffled, a "
                                 f"fixed {MOCK_THINK_TIME_S:.0f} s to think, and the report only at the end")
        self.mock_box.toggled.connect(self._mock_toggled)
        choose_row.addWidget(self.all_button)
        choose_row.addWidget(self.none_button)
        choose_row.addStretch(1)
        choose_row.addWidget(self.shuffle_box)
        choose_row.addWidget(self.mock_box)
        right_layout.addLayout(choose_row)
        self.one_question_button = QPushButton("Practise &one question of your own…")
        self.one_question_button.clicked.connect(self.practise_one_question)
        right_layout.addWidget(self.one_question_button)
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
        own = script is not None and not script.bundled and script.path is not None
        self.edit_button.setEnabled(own)
        self.delete_button.setEnabled(own)
        self.duplicate_button.setEnabled(script is not None)
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
        if self.shuffle_box.isChecked() or self.mock_box.isChecked():
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

    # ------------------------------------------------------------ own interviews
    def _mock_toggled(self, checked: bool) -> None:
        self.shuffle_box.setEnabled(not checked)  # a mock interview always shuffles

    def open_editor(self, document: dict | None = None, path: Path | None = None) -> ScriptEditor:
        editor = ScriptEditor(document, path=path, parent=self)
        editor.saved.connect(self._editor_saved)
        editor.open()
        self.last_editor = editor
        return editor

    def new_interview(self) -> ScriptEditor:
        return self.open_editor()

    def import_page(self) -> ImportDialog:
        dialog = ImportDialog(self)
        dialog.editRequested.connect(self._edit_import)
        dialog.open()
        return dialog

    def _edit_import(self, result: ImportResult) -> None:
        self.open_editor(dict(result.document))

    def edit_current(self) -> ScriptEditor | None:
        script = self.current_script()
        if script is None or script.bundled or script.path is None:
            return None
        return self.open_editor(document_of(script), path=script.path)

    def duplicate_current(self) -> ScriptEditor | None:
        script = self.current_script()
        if script is None:
            return None
        document = document_of(script)
        document["title"] = f"{script.title} (my copy)"
        return self.open_editor(document)

    def _editor_saved(self, path: str) -> None:
        self.reload()
        for row in range(self.script_list.count()):
            script = self.script_list.item(row).data(SCRIPT_ROLE)
            if script.path is not None and str(script.path) == path:
                self.script_list.setCurrentRow(row)

    def delete_current(self) -> bool:
        """Delete the selected script of the user's own; Undo brings it back."""
        script = self.current_script()
        if script is None or script.bundled or script.path is None:
            return False
        try:
            data = script.path.read_bytes()
            script.path.unlink()
        except OSError as exc:
            self.problem.emit(f"{script.path}: cannot delete ({exc.strerror})")
            return False
        self._deleted = (script.path, data)
        self.undo_label.setText(f"Deleted “{script.title}”.")
        self.undo_row.show()
        self.reload()
        return True

    def undo_delete(self) -> bool:
        if self._deleted is None:
            return False
        path, data = self._deleted
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            paths.make_private_file(path)
        except OSError as exc:
            self.problem.emit(f"{path}: cannot restore ({exc.strerror})")
            return False
        self._deleted = None
        self.undo_row.hide()
        self._editor_saved(str(path))
        return True

    def practise_one_question(self) -> QuickQuestionDialog:
        dialog = QuickQuestionDialog(self)
        dialog.accepted.connect(lambda: self._start_one(dialog.script()))
        dialog.open()
        return dialog

    def _start_one(self, script: InterviewScript) -> None:
        self.startRequested.emit(script, list(script.questions))
