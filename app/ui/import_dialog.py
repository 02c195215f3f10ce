"""Import a prep page: paste it or open a saved file, see what was found, then edit.

Reading the page (and a big file) runs off the GUI thread. The preview lists each
question with its guide, framework and how many key points, mistakes and sample answers
it got, and every line that could not be placed, so the user sees at once whether the
page was read well; "Edit and save" opens the interview editor on the result.

The rules say when they are unsure of a page. Then, if the answer review's local model is
there (same settings, same refusals: the page is private too), "Read it with the local
model" structures the page with it, off the GUI thread, with progress and a Stop; its
reading replaces the preview and goes to the same editor, and a failure leaves the rules'
reading in place with one line. Without Ollama the button is disabled and says why.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.commands.scripts import read_page
from app.practice import PracticeSettings
from app.ui.settings_store import SettingsStore
from app.ui.widgets.text import table_tree
from app.ui.workers import run_in_background
from interview_scripts.page_importer import ImportResult, import_page
from models.llm_page_reader import PageReader, PageReading

LLM_BUTTON = "Read it with the &local model"


def _count(n: int, thing: str) -> str:
    """ "1 key point", "2 key points"; nothing for none."""
    return "" if n == 0 else f"{n} {thing}{'' if n == 1 else 's'}"


class _Progress(QObject):
    """Carries the model's progress from its worker thread to the GUI thread (queued)."""

    chars = Signal(int)


class ImportDialog(QDialog):
    """Emits ``editRequested(result)`` when the user takes the import to the editor."""

    editRequested = Signal(object)  # noqa: N815 - Qt signal naming
    previewReady = Signal()  # noqa: N815 - emitted once a page was read (or failed)

    def __init__(self, parent: QWidget | None = None,
                 llm_settings: PracticeSettings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a prep page")
        self.setObjectName("importDialog")
        self.resize(1180, 720)
        self.result: ImportResult | None = None
        self.page_name = "pasted-page.txt"
        layout = QVBoxLayout(self)
        intro = QLabel("&Paste a page of interview questions below (a job site's list, a recruiter's "
                       "sheet, your own notes), or open a saved text or Markdown file.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.page_edit = QPlainTextEdit()
        self.page_edit.setObjectName("pageEdit")
        self.page_edit.setPlaceholderText("1. Tell me about yourself (2 min)\nKey points:\n- …")
        intro.setBuddy(self.page_edit)
        splitter.addWidget(self.page_edit)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.summary_label = QLabel("Nothing read yet.")
        self.summary_label.setObjectName("importSummary")
        self.summary_label.setWordWrap(True)
        right_layout.addWidget(self.summary_label)
        llm_row = QHBoxLayout()
        self.llm_button = QPushButton(LLM_BUTTON)
        self.llm_button.setObjectName("llmButton")
        self.llm_button.setEnabled(False)
        self.llm_button.clicked.connect(self.read_with_model)
        self.llm_progress = QProgressBar()
        self.llm_progress.setRange(0, 0)  # busy: the reply's length is not known beforehand
        self.llm_progress.setTextVisible(False)
        self.llm_progress.setVisible(False)
        self.llm_stop = QPushButton("&Stop reading")
        self.llm_stop.setVisible(False)
        self.llm_stop.clicked.connect(self.stop_model)
        self.back_button = QPushButton("Back to the &rules' reading")
        self.back_button.setVisible(False)
        self.back_button.clicked.connect(self._back_to_rules)
        llm_row.addWidget(self.llm_button)
        llm_row.addWidget(self.llm_progress, 1)
        llm_row.addWidget(self.llm_stop)
        llm_row.addWidget(self.back_button)
        llm_row.addStretch(1)
        right_layout.addLayout(llm_row)
        self.preview = table_tree("importPreview", ["Question", "Guide", "Framework", "Found"], stretch={0})
        right_layout.addWidget(self.preview, 3)
        right_layout.addWidget(QLabel("Lines it could not place (menus, adverts, tips):"))
        self.unplaced_list = QListWidget()
        self.unplaced_list.setObjectName("unplacedList")
        right_layout.addWidget(self.unplaced_list, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("&Open a file…")
        self.open_button.clicked.connect(self.choose_file)
        self.read_button = QPushButton("&Read the page")
        self.read_button.setObjectName("readButton")
        self.read_button.clicked.connect(self.read_pasted)
        self.edit_button = QPushButton("&Edit and save…")
        self.edit_button.setObjectName("editButton")
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self._edit)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.read_button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.edit_button)
        layout.addLayout(buttons)

        settings = llm_settings if llm_settings is not None else SettingsStore().practice_settings()
        self.page_reader = PageReader(settings.ollama_host, settings.llm_model,
                                      allow_remote=settings.llm_allow_remote or None)
        self.llm_model: str | None = None
        self.llm_unavailable = "Looking for a local model…"
        self.rules_result: ImportResult | None = None
        self._page_read = False
        self._cancel: threading.Event | None = None
        self._progress = _Progress(self)
        self._progress.chars.connect(self._model_progress)
        if not settings.llm_enabled:
            self._model_missing("the local model is turned off in Settings")
        else:
            self.llm_button.setToolTip(self.llm_unavailable)
            run_in_background(lambda: self.page_reader.choose().name, self._model_found,
                              self._model_missing, owner=self)

    # ------------------------------------------------------------------ actions
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open a saved prep page", str(Path.home()),
                                              "Text pages (*.txt *.md *.markdown);;All files (*)")
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        """Read a saved page off the GUI thread, show it, then read its questions."""
        self.page_name = path.name
        self.summary_label.setText(f"Opening {path.name}…")
        run_in_background(lambda: read_page(path), self._file_read, self._failed, owner=self)

    def _file_read(self, text: str) -> None:
        self.page_edit.setPlainText(text)
        self._read(text)

    def read_pasted(self) -> None:
        self._read(self.page_edit.toPlainText())

    def _read(self, text: str) -> None:
        self.read_button.setEnabled(False)
        self.summary_label.setText("Reading the page…")
        name = self.page_name
        run_in_background(lambda: import_page(text, name), self._show, self._failed, owner=self)

    def _failed(self, message: str) -> None:
        self.read_button.setEnabled(True)
        self.result = self.rules_result = None
        self._page_read = True
        self.back_button.setVisible(False)
        self.edit_button.setEnabled(False)
        self.preview.clear()
        self.unplaced_list.clear()
        hint = " The local model may still read it." if self.llm_model else ""
        self.summary_label.setText(message + hint)
        self._update_llm_button()
        self.previewReady.emit()

    def _show(self, result: ImportResult) -> None:
        self.rules_result = result
        self._page_read = True
        self.back_button.setVisible(False)
        line = "" if result.confident else " " + result.confidence.line
        if not result.confident and self.llm_model:
            line += " “Read it with the local model” may do better."
        self._show_result(result, line)

    def _show_result(self, result: ImportResult, note: str = "") -> None:
        self.read_button.setEnabled(True)
        self.result = result
        self.preview.clear()
        for q in result.script.questions:
            found = [_count(len(q.key_points), "key point"), _count(len(q.mistakes), "mistake"),
                     "sample answer" if q.sample_answer else ""]
            item = QTreeWidgetItem([q.text, q.time_guide.text if q.time_guide else "—",
                                    q.framework.name if not q.framework.is_none else "—",
                                    ", ".join(f for f in found if f) or "question only"])
            item.setToolTip(0, q.text)
            self.preview.addTopLevelItem(item)
        self.unplaced_list.clear()
        self.unplaced_list.addItems(result.unplaced)
        count = len(result.script.questions)
        self.summary_label.setText(f"Found {count} question{'s' if count != 1 else ''} for "
                                   f"“{result.script.title}”. Check them, then edit and save.{note}")
        self.edit_button.setEnabled(True)
        self.edit_button.setFocus()
        self._update_llm_button()
        self.previewReady.emit()

    # ------------------------------------------------------------ the local model
    def _model_found(self, name: str) -> None:
        self.llm_model = name
        self.llm_button.setToolTip(f"Let {name} (through Ollama, on this machine unless your settings "
                                   "allow otherwise) split the page into questions; you check the "
                                   "result before anything is saved")
        self._update_llm_button()

    def _model_missing(self, message: str) -> None:
        self.llm_model = None
        self.llm_unavailable = message
        self.llm_button.setToolTip(f"Unavailable: {message}")
        self._update_llm_button()

    def _update_llm_button(self) -> None:
        running = self._cancel is not None
        self.llm_button.setEnabled(bool(self.llm_model) and self._page_read and not running)

    def read_with_model(self) -> None:
        """Structure the pasted page with the local model, off the GUI thread."""
        text = self.page_edit.toPlainText()
        if not self.llm_model or not text.strip() or self._cancel is not None:
            return
        cancel = self._cancel = threading.Event()
        self._update_llm_button()
        self.read_button.setEnabled(False)
        self.llm_progress.setVisible(True)
        self.llm_stop.setVisible(True)
        self.summary_label.setText(f"Reading the page with {self.llm_model}… (the first run loads "
                                   "the model, which can take a minute)")
        reader, name, progress = self.page_reader, self.page_name, self._progress
        run_in_background(lambda: reader.read(text, name, progress.chars.emit, cancel),
                          self._model_read, self._model_failed, owner=self)

    def stop_model(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _model_progress(self, chars: int) -> None:
        if self._cancel is not None:
            self.summary_label.setText(f"Reading the page with {self.llm_model}… {chars:,} characters "
                                       "of its reading so far")

    def _model_done(self) -> None:
        self._cancel = None
        self.llm_progress.setVisible(False)
        self.llm_stop.setVisible(False)
        self.read_button.setEnabled(True)
        self._update_llm_button()

    def _model_read(self, reading: PageReading) -> None:
        self._model_done()
        self._show_result(reading.result, " " + reading.line)
        self.back_button.setVisible(self.rules_result is not None)

    def _model_failed(self, message: str) -> None:
        self._model_done()
        kept = "the rules' reading stays" if self.result is not None else "nothing was read"
        self.summary_label.setText(f"The local model could not read the page: {message}. "
                                   f"{kept[0].upper()}{kept[1:]}.")
        self.previewReady.emit()

    def _back_to_rules(self) -> None:
        if self.rules_result is not None:
            self._show(self.rules_result)

    def done(self, code: int) -> None:  # noqa: D102 - closing stops a model still reading
        self.stop_model()
        super().done(code)

    def found_rows(self) -> list[tuple[str, str, str, str]]:
        """The preview as text, row by row (question, guide, framework, found)."""
        return [tuple(self.preview.topLevelItem(i).text(c) for c in range(4))  # type: ignore[misc]
                for i in range(self.preview.topLevelItemCount())]

    def _edit(self) -> None:
        if self.result is not None:
            self.editRequested.emit(self.result)
            self.accept()
