"""Import a prep page: paste it or open a saved file, see what was found, then edit.

Reading the page (and a big file) runs off the GUI thread. The preview lists each
question with its guide, framework and how many key points, mistakes and sample answers
it got, and every line that could not be placed, so the user sees at once whether the
page was read well; "Edit and save" opens the interview editor on the result.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
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
from app.ui.widgets.text import table_tree
from app.ui.workers import run_in_background
from interview_scripts.page_importer import ImportResult, import_page


class ImportDialog(QDialog):
    """Emits ``editRequested(result)`` when the user takes the import to the editor."""

    editRequested = Signal(object)  # noqa: N815 - Qt signal naming
    previewReady = Signal()  # noqa: N815 - emitted once a page was read (or failed)

    def __init__(self, parent: QWidget | None = None) -> None:
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
        self.result = None
        self.edit_button.setEnabled(False)
        self.preview.clear()
        self.unplaced_list.clear()
        self.summary_label.setText(message)
        self.previewReady.emit()

    def _show(self, result: ImportResult) -> None:
        self.read_button.setEnabled(True)
        self.result = result
        self.preview.clear()
        for q in result.script.questions:
            found = [f"{len(q.key_points)} key points" if q.key_points else "",
                     f"{len(q.mistakes)} mistakes" if q.mistakes else "",
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
                                   f"“{result.script.title}”. Check them, then edit and save.")
        self.edit_button.setEnabled(True)
        self.edit_button.setFocus()
        self.previewReady.emit()

    def found_rows(self) -> list[tuple[str, str, str, str]]:
        """The preview as text, row by row (question, guide, framework, found)."""
        return [tuple(self.preview.topLevelItem(i).text(c) for c in range(4))  # type: ignore[misc]
                for i in range(self.preview.topLevelItemCount())]

    def _edit(self) -> None:
        if self.result is not None:
            self.editRequested.emit(self.result)
            self.accept()
