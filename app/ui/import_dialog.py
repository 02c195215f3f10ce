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

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.commands.scripts import read_page
from app.practice import PracticeSettings
from app.ui.draft_preview import DraftPreviewDialog
from app.ui.widgets.text import table_tree
from app.ui.workers import run_in_background
from interview_scripts.page_importer import ImportResult, import_page
from models.llm_page_reader import PageReader, PageReading

LLM_BUTTON = "Read it with the &local model"


def _count(n: int, thing: str) -> str:
    """ "1 key point", "2 key points"; nothing for none."""
    return "" if n == 0 else f"{n} {thing}{'' if n == 1 else 's'}"


class ImportDialog(DraftPreviewDialog):
    """Emits ``editRequested(result)`` when the user takes the import to the editor."""

    OPEN_TITLE = "Open a saved prep page"
    OPEN_FILTER = "Text pages (*.txt *.md *.markdown);;All files (*)"
    MODEL_OFFER = "split the page into questions; you check the result"
    MODEL_PROGRESS = "Reading the page with {model}… {chars:,} characters of its reading so far"

    def __init__(self, parent: QWidget | None = None,
                 llm_settings: PracticeSettings | None = None) -> None:
        super().__init__(parent, "Import a prep page", "importDialog")
        self.result: ImportResult | None = None
        self.rules_result: ImportResult | None = None
        self._page_read = False
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

        preview = table_tree("importPreview", ["Question", "Guide", "Framework", "Found"], stretch={0})
        right, right_layout = self._preview_pane(
            "Nothing read yet.", "importSummary", preview, model_button=LLM_BUTTON,
            on_model=self.read_with_model, stop="&Stop reading",
            back="Back to the &rules' reading", on_back=self._back_to_rules)
        right_layout.addWidget(preview, 3)
        right_layout.addWidget(QLabel("Lines it could not place (menus, adverts, tips):"))
        self.unplaced_list = QListWidget()
        self.unplaced_list.setObjectName("unplacedList")
        right_layout.addWidget(self.unplaced_list, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)

        self.read_button = QPushButton("&Read the page")
        self.read_button.setObjectName("readButton")
        self.read_button.clicked.connect(self.read_pasted)
        layout.addLayout(self._button_row("&Open a file…", self.read_button))

        settings = self._model_settings(llm_settings)
        self.page_reader = PageReader(settings.ollama_host, settings.llm_model,
                                      allow_remote=settings.llm_allow_remote or None)
        self._find_model(settings, lambda: self.page_reader.choose().name)

    # ------------------------------------------------------------------ actions
    def open_file(self, path: Path) -> None:
        """Read a saved page off the GUI thread, show it, then read its questions."""
        self.page_name = path.name
        self._open_in_background(path, read_page, self._file_read)

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
        self.result = self.rules_result = None
        self._page_read = True
        self.unplaced_list.clear()
        hint = " The local model may still read it." if self.llm_model else ""
        self._no_draft(message + hint)

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
        self._draft_shown(f"Found {count} question{'s' if count != 1 else ''} for "
                          f"“{result.script.title}”. Check them, then edit and save.{note}")

    def _draft(self) -> ImportResult | None:
        return self.result

    # ------------------------------------------------------------ the local model
    def _model_may_run(self) -> bool:
        return self._page_read

    def read_with_model(self) -> None:
        """Structure the pasted page with the local model, off the GUI thread."""
        text = self.page_edit.toPlainText()
        if not self.llm_model or not text.strip() or self._cancel is not None:
            return
        reader, name = self.page_reader, self.page_name
        self._run_model(f"Reading the page with {self.llm_model}… (the first run loads the model, "
                        "which can take a minute)",
                        lambda progress, cancel: reader.read(text, name, progress, cancel),
                        self._model_read)

    def _model_read(self, reading: PageReading) -> None:
        self._show_result(reading.result, " " + reading.line)
        self.back_button.setVisible(self.rules_result is not None)

    def _model_failure(self, message: str) -> str:
        kept = "the rules' reading stays" if self.result is not None else "nothing was read"
        return f"The local model could not read the page: {message}. {kept[0].upper()}{kept[1:]}."

    def _back_to_rules(self) -> None:
        if self.rules_result is not None:
            self._show(self.rules_result)
