"""Choose an interview and its questions: browse every interview by role, level and kind,
search the questions of all of them, and start a round.

The scripts are read and indexed on a worker (``app.question_finder.index_folders``);
until they arrive the lists are empty and Start is off. Browsing and searching then run on
the index in memory (the whole bundled bank in about a millisecond), so the lists follow
each key typed. What is found, and in which order, is ``app.question_finder``'s.

A round practises the questions of one interview (``app.question_finder.plan_round``):
when the checked search results span interviews, Start takes those of the highlighted
result's interview, and the line above Start says which wait for the next round.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent, QKeySequence, QShortcut
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
from app.progress import plural
from app.question_finder import (
    KIND_LABELS,
    LEVEL_LABELS,
    Catalogue,
    Found,
    QuestionFilter,
    QuestionIndex,
    Round,
    index_folders,
    plan_round,
    search_words,
)
from app.ui.friendly import friendly_path
from app.ui.widgets.text import heading
from app.ui.workers import run_in_background
from interview_scripts.errors import ScriptError
from interview_scripts.loader import load_script
from interview_scripts.script import KINDS, InterviewScript, Question
from interview_scripts.time_guide import parse_time_guide

if TYPE_CHECKING:
    # The dialogs are imported when opened: the import dialog brings the local model's
    # client (Ollama, httpx), which the window's first paint has no use for.
    from app.ui.import_dialog import ImportDialog
    from app.ui.script_editor import ScriptEditor
    from interview_scripts.page_importer import ImportResult

SCRIPT_ROLE = Qt.ItemDataRole.UserRole + 1
# A mock interview gives every question the same think time, as a panel would.
MOCK_THINK_TIME_S = 10.0
FOUND_ROLE = Qt.ItemDataRole.UserRole + 2  # a question row's Found: its question and interview


def _script_key(script: InterviewScript) -> str:
    """Which file a script is: two scripts may share an id (a bundled one and a copy)."""
    return str(script.path) if script.path is not None else f"id:{script.id}"


def _script_summary(script: InterviewScript, fitting: int | None = None) -> str:
    """The interview's list entry; ``fitting``: how many of its questions the filters show."""
    guides = sorted({q.time_guide.text for q in script.questions if q.time_guide})
    count = len(script.questions)
    where = "bundled" if script.bundled else "yours"
    guide_text = f" · {', '.join(guides)}" if guides else ""
    counted = f"{count} question{'s' if count != 1 else ''}"
    if fitting is not None:
        counted = f"{fitting} of {counted} fit{'s' if fitting == 1 else ''}"
    return f"{script.title}\n{script.role} · {counted}{guide_text} · {where}"


def _kind_level(question: Question) -> str:
    """"behavioural", or "behavioural, senior" for a question written for one level."""
    return question.kind if question.level == "any" else f"{question.kind}, {question.level}"


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
    """Emits ``startRequested(script, questions)`` with the chosen questions in order;
    ``scriptsLoaded`` once the scripts a reload read are listed (or could not be read)."""

    startRequested = Signal(object, object)  # noqa: N815 - Qt signal naming
    problem = Signal(str)  # a one-line message for the window's banner
    scriptsLoaded = Signal()  # noqa: N815 - Qt signal naming

    def __init__(self, parent: QWidget | None = None, load: bool = True) -> None:
        """``load``: read the scripts now; the window passes False and calls ``reload``
        once it has painted (a worker parsing YAML meanwhile would hold the interpreter
        lock the first paint needs)."""
        super().__init__(parent)
        self._scripts: list[InterviewScript] = []
        self._index = QuestionIndex(())
        # Questions the candidate unchecked, by (script key, question id); the rest are
        # checked, so a question keeps its mark between the interview and the search.
        self._unchecked: set[tuple[str, str]] = set()
        # Files changed here (saved, deleted, opened) since the latest reload began: a
        # reload still on its way may have read them before the change.
        self._local: dict[str, InterviewScript | None] = {}
        self._generation = 0
        self.loading = False
        layout = QVBoxLayout(self)

        layout.addWidget(heading("Pick an interview"))

        filter_row = QHBoxLayout()
        self.role_combo = self._filter_combo(filter_row, "&Role:", "roleFilter", "Role", "All roles")
        self.level_combo = self._filter_combo(filter_row, "Le&vel:", "levelFilter", "Level", "All levels")
        for level, label in LEVEL_LABELS.items():
            self.level_combo.addItem(label, level)
        self.level_combo.setToolTip("A level shows the questions written for it and those that "
                                    "suit every level")
        self.kind_combo = self._filter_combo(filter_row, "&Kind:", "kindFilter", "Kind", "All kinds")
        for kind in KINDS:
            self.kind_combo.addItem(KIND_LABELS[kind], kind)
        filter_row.addStretch(1)
        layout.addLayout(filter_row)
        search_row = QHBoxLayout()
        search_label = QLabel("Search every interview:")
        self.search = QLineEdit()
        self.search.setObjectName("questionSearch")
        self.search.setAccessibleName("Search every interview")
        self.search.setAccessibleDescription(
            "Finds questions of all interviews by their words, key points, guidance, role and "
            "tags. Ctrl+F comes here, Enter starts the checked results, Esc clears the search.")
        self.search.setPlaceholderText("words of a question, its key points or guidance, a role or "
                                       "a tag (Ctrl+F; Esc clears)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        self.search.installEventFilter(self)
        search_label.setBuddy(self.search)
        search_row.addWidget(search_label)
        search_row.addWidget(self.search, 1)
        layout.addLayout(search_row)
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        # Window-wide while this screen shows, so it works from the tab bar too.
        find.setContext(Qt.ShortcutContext.WindowShortcut)
        find.activated.connect(self.focus_search)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        scripts_label = QLabel("&Interviews")
        self.script_list = QListWidget()
        self.script_list.setObjectName("scriptList")
        self.script_list.setAccessibleName("Interviews")
        self.script_list.setWordWrap(True)
        self.script_list.setSpacing(2)
        self.script_list.installEventFilter(self)
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
        self.description.setObjectName("pickDescription")
        self.description.setWordWrap(True)
        right_layout.addWidget(self.description)
        questions_label = QLabel("&Questions")
        self.question_list = QListWidget()
        self.question_list.setObjectName("questionList")
        self.question_list.setAccessibleName("Questions")
        self.question_list.setAccessibleDescription(
            "Space checks or unchecks a question; Enter starts the checked ones.")
        self.question_list.setWordWrap(True)
        self.question_list.itemChanged.connect(self._question_checked)
        self.question_list.currentItemChanged.connect(self._update_start)
        self.question_list.installEventFilter(self)
        questions_label.setBuddy(self.question_list)
        right_layout.addWidget(questions_label)
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
        self.round_note = QLabel()
        self.round_note.setObjectName("roundNote")
        self.round_note.setWordWrap(True)
        right_layout.addWidget(self.round_note)
        self.start_button = QPushButton("Start &interview")
        self.start_button.setObjectName("startButton")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        right_layout.addWidget(self.start_button)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)
        order = [self.role_combo, self.level_combo, self.kind_combo, self.search, self.script_list,
                 self.new_button, self.import_button, self.edit_button, self.duplicate_button,
                 self.delete_button, self.undo_button, self.open_file_button, self.open_folder_button,
                 self.reload_button, self.question_list, self.all_button, self.none_button,
                 self.shuffle_box, self.mock_box, self.one_question_button, self.start_button]
        for before, after in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(before, after)
        for combo in (self.role_combo, self.level_combo, self.kind_combo):
            combo.currentIndexChanged.connect(self._filters_changed)
        if load:
            self.reload()
        else:
            self._show_loading()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Enter on a list or the search starts the round; Esc in the search clears it."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.start()
            return True
        if event.key() == Qt.Key.Key_Escape and watched is self.search and self.search.text():
            self.search.clear()
            return True
        return False

    def _filter_combo(self, row: QHBoxLayout, label_text: str, name: str, what: str,
                      everything: str) -> QComboBox:
        label = QLabel(label_text)
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(f"{what} filter")
        combo.addItem(everything, "")
        # The roles arrive after the first show: the combo widens to fit them then.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label.setBuddy(combo)
        row.addWidget(label)
        row.addWidget(combo)
        return combo

    # ----------------------------------------------------------------- scripts
    def reload(self) -> None:
        """Read every script folder again, on a worker; the lists change when it is done."""
        folders = paths.script_folders()
        self._generation += 1
        generation = self._generation
        self._local.clear()
        self._show_loading()
        # Reading the scripts allocates a great deal; while it runs, garbage is collected on
        # the GUI thread only (app.ui.workers, app.ui.gui_collector), so no window or dialog
        # dropped earlier is finalised on the worker.
        run_in_background(lambda: index_folders(folders),
                          lambda catalogue: self._loaded(generation, catalogue),
                          lambda message: self._load_failed(generation, message), owner=self)

    def _show_loading(self) -> None:
        self.loading = True
        self._show_folder()
        if not self._scripts:
            self._fill_questions(None)

    def _loaded(self, generation: int, catalogue: Catalogue) -> None:
        if generation != self._generation:
            return  # a newer reload is on its way
        scripts = list(catalogue.index.scripts)
        for key, script in self._local.items():
            scripts = _with_file(scripts, key, script)
        self.loading = False
        self.set_scripts(scripts, list(catalogue.problems),
                         index=None if self._local else catalogue.index)
        self.scriptsLoaded.emit()

    def _load_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.problems_label.setText(f"Could not read the interviews: {message}")
        self.problem.emit(message)
        self._script_changed(self.script_list.currentItem(), None)
        self.scriptsLoaded.emit()

    def set_scripts(self, scripts: list[InterviewScript], problems: list[str] | None = None,
                    index: QuestionIndex | None = None) -> None:
        """List ``scripts`` (``index``: theirs, if already built) and the files that failed."""
        current = self.current_script()
        self._scripts = list(scripts)
        self._index = index if index is not None else QuestionIndex(self._scripts)
        self._fill_roles()
        self._show_folder()
        self.problems_label.setText(
            "Could not load:\n" + "\n".join(problems) if problems else "")
        self._list_scripts(current)
        if self._searching():
            self._list_found()

    def _show_folder(self) -> None:
        folder = paths.user_scripts_dir()
        self.user_folder_label.setText(f"Your scripts folder: {friendly_path(folder)}\n"
                                       "Put .yaml files there and press Reload.")

    def _change_file(self, key: str, script: InterviewScript | None) -> None:
        """A file saved, deleted or opened here: listed at once, and kept over a reload
        that was already on its way."""
        self._local[key] = script
        self.set_scripts(_with_file(self._scripts, key, script), None)

    def add_script(self, script: InterviewScript) -> None:
        """Add (or replace, by id and path) a script and select it."""
        self._change_file(_script_key(script), script)
        self.select_script(script)

    def select_script(self, script: InterviewScript) -> bool:
        """Make ``script`` the chosen interview, opening the filters if they hide it."""
        if self._row_of(script) is None and not self.current_filter().is_open:
            for combo in (self.role_combo, self.level_combo, self.kind_combo):
                combo.setCurrentIndex(0)
        row = self._row_of(script)
        if row is None:
            return False
        self.script_list.setCurrentRow(row)
        return True

    def _row_of(self, script: InterviewScript) -> int | None:
        key = _script_key(script)
        return next((row for row in range(self.script_list.count())
                     if _script_key(self.script_list.item(row).data(SCRIPT_ROLE)) == key), None)

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

    # ----------------------------------------------------------------- filters
    def current_filter(self) -> QuestionFilter:
        return QuestionFilter(role=self.role_combo.currentData() or "",
                              level=self.level_combo.currentData() or "",
                              kind=self.kind_combo.currentData() or "")

    def set_filter(self, role: str = "", level: str = "", kind: str = "") -> None:
        """Choose each filter by its value ("" for all)."""
        for combo, value in ((self.role_combo, role), (self.level_combo, level), (self.kind_combo, kind)):
            row = combo.findData(value)
            if row < 0:
                raise ValueError(f"no {combo.accessibleName().lower()} choice {value!r}")
            combo.setCurrentIndex(row)

    def _fill_roles(self) -> None:
        chosen = self.role_combo.currentData() or ""
        self.role_combo.blockSignals(True)
        while self.role_combo.count() > 1:
            self.role_combo.removeItem(1)
        for role in self._index.roles():
            self.role_combo.addItem(role, role)
        self.role_combo.setCurrentIndex(max(self.role_combo.findData(chosen), 0))
        self.role_combo.blockSignals(False)

    def _filters_changed(self, _index: int = -1) -> None:
        self._list_scripts(self.current_script())
        if self._searching():
            self._list_found()

    def _list_scripts(self, keep: InterviewScript | None) -> None:
        """The interviews the filters show, keeping ``keep`` chosen if it is among them."""
        flt = self.current_filter()
        self.script_list.blockSignals(True)
        self.script_list.clear()
        for script, questions in self._index.browse(flt):
            item = QListWidgetItem(_script_summary(script, None if flt.is_open else len(questions)))
            item.setData(SCRIPT_ROLE, script)
            item.setToolTip(script.description or script.title)
            self.script_list.addItem(item)
        row = self._row_of(keep) if keep is not None else None
        self.script_list.setCurrentRow(row if row is not None else (0 if self.script_list.count() else -1))
        self.script_list.blockSignals(False)
        self._script_changed(self.script_list.currentItem(), None)

    # --------------------------------------------------------------- questions
    def _script_changed(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        script = current.data(SCRIPT_ROLE) if current is not None else None
        own = script is not None and not script.bundled and script.path is not None
        self.edit_button.setEnabled(own)
        self.delete_button.setEnabled(own)
        self.duplicate_button.setEnabled(script is not None)
        if not self._searching():
            self._fill_questions(script)
        self._update_start()

    def _question_item(self, found: Found, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(FOUND_ROLE, found)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        unchecked = (_script_key(found.script), found.question.id) in self._unchecked
        item.setCheckState(Qt.CheckState.Unchecked if unchecked else Qt.CheckState.Checked)
        item.setToolTip(found.question.guidance or found.question.text)
        return item

    def _fill_questions(self, script: InterviewScript | None) -> None:
        """The chosen interview's questions that the filters show."""
        self.question_list.blockSignals(True)
        self.question_list.clear()
        if script is None:
            if self.loading:
                self.description.setText("Loading the interviews…")
            elif self._scripts:
                self.description.setText("No interview has questions that fit these filters; "
                                         "choose “All” in a filter to see more.")
            else:
                self.description.setText("No interview scripts found. Open a script file or add "
                                         "one to your folder.")
        else:
            self.description.setText(f"<b>{script.title}</b> — {script.role}<br>{script.description}")
            flt = self.current_filter()
            for number, question in enumerate(script.questions, start=1):
                if flt.fits_question(question):
                    guide = f" ({question.time_guide.text})" if question.time_guide else ""
                    found = Found(script, question, number, 0, ())
                    self.question_list.addItem(self._question_item(
                        found, f"{number}. {question.text}{guide} — {_kind_level(question)}"))
        self.question_list.blockSignals(False)
        self._update_start()

    def _searching(self) -> bool:
        return bool(search_words(self.search.text()))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _search_changed(self, _text: str) -> None:
        if self._searching():
            self._list_found()
        else:
            self._fill_questions(self.current_script())

    def _list_found(self) -> None:
        """The questions of every interview that the search finds and the filters show."""
        text = self.search.text().strip()
        flt = self.current_filter()
        found = self._index.search(text, flt)
        self.question_list.blockSignals(True)
        self.question_list.clear()
        for item in found:
            question = item.question
            guide = f" ({question.time_guide.text})" if question.time_guide else ""
            self.question_list.addItem(self._question_item(
                item, f"{question.text}{guide}\n{item.script.title} · question {item.number} · "
                      f"{_kind_level(question)} · found in {', '.join(item.found_in)}"))
        if found:
            self.question_list.setCurrentRow(0)
        self.question_list.blockSignals(False)
        interviews = len({_script_key(f.script) for f in found})
        where = "that these filters show" if not flt.is_open else "in any interview"
        if found:
            self.description.setText(f"{plural(len(found), 'question')} in "
                                     f"{plural(interviews, 'interview')} match “{text}”. "
                                     "Esc clears the search.")
        elif self.loading:
            self.description.setText("Loading the interviews…")
        else:
            self.description.setText(f"No question {where} has all of these words. "
                                     "Fewer words, or “All” in a filter, find more.")
        self._update_start()

    def _rows(self) -> list[QListWidgetItem]:
        return [self.question_list.item(i) for i in range(self.question_list.count())]

    def visible_questions(self) -> list[Question]:
        """The questions listed now: the interview's, or what the search found."""
        return [row.data(FOUND_ROLE).question for row in self._rows()]

    def _question_checked(self, item: QListWidgetItem) -> None:
        found: Found = item.data(FOUND_ROLE)
        mark = (_script_key(found.script), found.question.id)
        if item.checkState() == Qt.CheckState.Checked:
            self._unchecked.discard(mark)
        else:
            self._unchecked.add(mark)
        self._update_start()

    def _check_all(self, checked: bool) -> None:
        """Acts on the questions listed, so "search, then check all" works."""
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for item in self._rows():
            item.setCheckState(state)
        self._update_start()

    def set_question_checked(self, question_id: str, checked: bool) -> None:
        for item in self._rows():
            if item.data(FOUND_ROLE).question.id == question_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def current_round(self) -> Round:
        """What Start begins: the checked questions listed, of one interview."""
        chosen = [row.data(FOUND_ROLE) for row in self._rows() if row.checkState() == Qt.CheckState.Checked]
        current = self.question_list.currentItem()
        return plan_round(chosen, current.data(FOUND_ROLE) if current is not None else None)

    def chosen_questions(self) -> list[Question]:
        """The round's questions, in script order (or shuffled)."""
        return self._ordered(self.current_round())

    def _ordered(self, chosen: Round) -> list[Question]:
        questions = list(chosen.questions)
        if self.shuffle_box.isChecked() or self.mock_box.isChecked():
            random.shuffle(questions)
        return questions

    def _update_start(self, *_: object) -> None:
        chosen = self.current_round()
        count = len(chosen.questions)
        self.start_button.setEnabled(count > 0)
        if count:
            self.start_button.setText(f"Start interview ({plural(count, 'question')})")
        else:
            self.start_button.setText("Loading the interviews…" if self.loading and not self._scripts
                                      else "Check at least one question")
        note = ""
        if chosen.script is not None and self._searching():
            note = f"Starts {plural(count, 'question')} of {chosen.script.title}."
            if chosen.waiting:
                waiting = sum(len(questions) for _script, questions in chosen.waiting)
                titles = ", ".join(script.title for script, _questions in chosen.waiting)
                note += (f" An interview runs one script at a time, so {plural(waiting, 'question')} "
                         f"of {titles} wait{'s' if waiting == 1 else ''}: move to one of them to "
                         "start that interview instead.")
        self.round_note.setText(note)
        self.round_note.setVisible(bool(note))

    def start(self) -> None:
        """Start the round (Enter on the lists or the search, or the Start button)."""
        chosen = self.current_round()
        if chosen.script is not None and chosen.questions:
            self.startRequested.emit(chosen.script, self._ordered(chosen))

    # ------------------------------------------------------------ own interviews
    def _mock_toggled(self, checked: bool) -> None:
        self.shuffle_box.setEnabled(not checked)  # a mock interview always shuffles

    def open_editor(self, document: dict | None = None, path: Path | None = None) -> ScriptEditor:
        from app.ui.script_editor import ScriptEditor

        editor = ScriptEditor(document, path=path, parent=self)
        editor.saved.connect(self._editor_saved)
        editor.open()
        self.last_editor = editor
        return editor

    def new_interview(self) -> ScriptEditor:
        return self.open_editor()

    def import_page(self) -> ImportDialog:
        from app.ui.import_dialog import ImportDialog

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
        from app.ui.script_editor import document_of

        return self.open_editor(document_of(script), path=script.path)

    def duplicate_current(self) -> ScriptEditor | None:
        script = self.current_script()
        if script is None:
            return None
        from app.ui.script_editor import document_of

        document = document_of(script)
        document["title"] = f"{script.title} (my copy)"
        return self.open_editor(document)

    def _editor_saved(self, path: str) -> None:
        """The editor wrote ``path``: that one file is read again and chosen, not every folder."""
        try:
            script = load_script(Path(path))
        except ScriptError as exc:
            self.problems_label.setText(str(exc))
            self.problem.emit(str(exc))
            return
        self.add_script(script)

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
        self._change_file(_script_key(script), None)
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


def _with_file(scripts: list[InterviewScript], key: str, script: InterviewScript | None) -> list[InterviewScript]:
    """``scripts`` with the one from file ``key`` replaced by ``script`` (dropped for None;
    added at the end when it was not there)."""
    kept = [s if _script_key(s) != key else script for s in scripts]
    if script is not None and all(_script_key(s) != key for s in scripts):
        kept.append(script)
    return [s for s in kept if s is not None]
