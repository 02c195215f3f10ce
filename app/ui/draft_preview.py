"""What the dialogs that draft an interview share: the import of a prep page and the
round from a job ad.

Each shows a draft (a preview, a summary line) built off the GUI thread, then hands it
to the interview editor; nothing is saved here. Each offers one request to the answer
review's local model on the draft, with the same rules: the button is disabled, saying
why, until a usable model is found (off the GUI thread); the request runs off the GUI
thread with a busy bar, the reply's length so far and a Stop; closing the dialog stops
it; a failure says so in one line and leaves the draft as it was; "Back to …" undoes
the model's draft. A dialog adds its own source (the page, the ad), how it builds the
draft, its columns and its words; ``DraftPreviewDialog`` has the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from app.practice import PracticeSettings
from app.ui.settings_store import SettingsStore
from app.ui.workers import run_in_background

T = TypeVar("T")
# The model request's work: given the progress callback and the cancel, its result.
ModelWork = Callable[[Callable[[int], None], threading.Event], T]


class _Progress(QObject):
    """Carries the model's progress from its worker thread to the GUI thread (queued)."""

    chars = Signal(int)


class DraftPreviewDialog(QDialog):
    """Emits ``editRequested(draft)`` when the user takes the draft to the editor, and
    ``previewReady`` once a draft was shown (or failed), the model's included.

    A subclass builds its layout with ``_preview_pane`` and ``_button_row``, calls
    ``_find_model`` last in its constructor, and gives its words in the class attributes
    below and its state in ``_model_may_run``, ``_model_failure`` and ``_draft``."""

    editRequested = Signal(object)  # noqa: N815 - Qt signal naming
    previewReady = Signal()  # noqa: N815 - emitted once a draft was shown (or failed)

    OPEN_TITLE = "Open a saved text"
    OPEN_FILTER = "Text (*.txt *.md);;All files (*)"
    # Completes "Let <model> (through Ollama, …) …" in the model button's tooltip.
    MODEL_OFFER = "work on the draft; you check it"
    # The summary while the model writes: ``{model}`` and ``{chars:,}`` filled in.
    MODEL_PROGRESS = "Asking {model}… {chars:,} characters of its reply so far"

    def __init__(self, parent: QWidget | None, title: str, object_name: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName(object_name)
        self.resize(1180, 720)
        self.llm_model: str | None = None
        self.llm_unavailable = "Looking for a local model…"
        self._cancel: threading.Event | None = None
        self._progress = _Progress(self)
        self._progress.chars.connect(self._model_progress)

    # ------------------------------------------------------------------ layout
    def _preview_pane(self, summary: str, summary_name: str, preview: QTreeWidget, *,
                      model_button: str, on_model: Callable[[], None], stop: str,
                      back: str, on_back: Callable[[], None]) -> tuple[QWidget, QVBoxLayout]:
        """The right-hand pane: the summary line, the model's row (button, busy bar, Stop,
        back to the draft before it) and ``preview``; returned for the caller to add to."""
        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_label = QLabel(summary)
        self.summary_label.setObjectName(summary_name)
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        row = QHBoxLayout()
        self.llm_button = QPushButton(model_button)
        self.llm_button.setObjectName("llmButton")
        self.llm_button.setEnabled(False)
        self.llm_button.clicked.connect(on_model)
        self.llm_progress = QProgressBar()
        self.llm_progress.setRange(0, 0)  # busy: the reply's length is not known beforehand
        self.llm_progress.setTextVisible(False)
        self.llm_progress.setVisible(False)
        self.llm_stop = QPushButton(stop)
        self.llm_stop.setVisible(False)
        self.llm_stop.clicked.connect(self.stop_model)
        self.back_button = QPushButton(back)
        self.back_button.setVisible(False)
        self.back_button.clicked.connect(on_back)
        row.addWidget(self.llm_button)
        row.addWidget(self.llm_progress, 1)
        row.addWidget(self.llm_stop)
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.preview = preview
        return pane, layout

    def _button_row(self, open_text: str, action: QPushButton) -> QHBoxLayout:
        """Open a file, ``action`` (what builds the draft), Cancel, and Edit and save.
        ``action`` is disabled while the draft or the model's request is being made."""
        self.action_button = action
        self.open_button = QPushButton(open_text)
        self.open_button.clicked.connect(self.choose_file)
        self.edit_button = QPushButton("&Edit and save…")
        self.edit_button.setObjectName("editButton")
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self._edit)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(action)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.edit_button)
        return row

    # ------------------------------------------------------------------ the draft
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.OPEN_TITLE, str(Path.home()),
                                              self.OPEN_FILTER)
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        raise NotImplementedError

    def _open_in_background(self, path: Path, read: Callable[[Path], str],
                            shown: Callable[[str], None]) -> None:
        """Read ``path`` off the GUI thread, then hand its text to ``shown``."""
        self.summary_label.setText(f"Opening {path.name}…")
        run_in_background(lambda: read(path), shown, self._failed, owner=self)

    def _failed(self, message: str) -> None:
        raise NotImplementedError

    def _no_draft(self, message: str) -> None:
        """No draft could be made: the preview emptied, ``message`` said."""
        self.action_button.setEnabled(True)
        self.back_button.setVisible(False)
        self.edit_button.setEnabled(False)
        self.preview.clear()
        self.summary_label.setText(message)
        self._update_llm_button()
        self.previewReady.emit()

    def _draft_shown(self, summary: str) -> None:
        """The preview is filled: ``summary`` said, the editor one key away."""
        self.summary_label.setText(summary)
        self.edit_button.setEnabled(True)
        self.edit_button.setFocus()
        self._update_llm_button()
        self.previewReady.emit()

    def found_rows(self) -> list[tuple[str, ...]]:
        """The preview as text, row by row, every column."""
        columns = self.preview.columnCount()
        return [tuple(self.preview.topLevelItem(i).text(c) for c in range(columns))
                for i in range(self.preview.topLevelItemCount())]

    def _draft(self) -> Any | None:
        """What goes to the editor; None while there is nothing to edit."""
        raise NotImplementedError

    def _edit(self) -> None:
        draft = self._draft()
        if draft is not None:
            self.editRequested.emit(draft)
            self.accept()

    # ------------------------------------------------------------ the local model
    @staticmethod
    def _model_settings(settings: PracticeSettings | None) -> PracticeSettings:
        """The settings the model is asked with: those given, else the saved ones."""
        return settings if settings is not None else SettingsStore().practice_settings()

    def _find_model(self, settings: PracticeSettings, choose_name: Callable[[], str]) -> None:
        """Look for the model off the GUI thread (``choose_name`` runs there), unless the
        settings turn it off."""
        if not settings.llm_enabled:
            self._model_missing("the local model is turned off in Settings")
            return
        self.llm_button.setToolTip(self.llm_unavailable)
        run_in_background(choose_name, self._model_found, self._model_missing, owner=self)

    def _model_found(self, name: str) -> None:
        self.llm_model = name
        self.llm_button.setToolTip(f"Let {name} (through Ollama, on this machine unless your settings "
                                   f"allow otherwise) {self.MODEL_OFFER} before anything is saved")
        self._update_llm_button()

    def _model_missing(self, message: str) -> None:
        self.llm_model = None
        self.llm_unavailable = message
        self.llm_button.setToolTip(f"Unavailable: {message}")
        self._update_llm_button()

    def _model_may_run(self) -> bool:
        """Whether the draft as it stands can go to the model."""
        raise NotImplementedError

    def _update_llm_button(self) -> None:
        self.llm_button.setEnabled(bool(self.llm_model) and self._model_may_run()
                                   and self._cancel is None)

    def _run_model(self, status: str, work: ModelWork[T], done: Callable[[T], None]) -> None:
        """Run ``work`` off the GUI thread with the busy bar and Stop; ``done`` gets its
        result after the row is put back, and a failure says ``_model_failure``."""
        cancel = self._cancel = threading.Event()
        self._update_llm_button()
        self.action_button.setEnabled(False)
        self.llm_progress.setVisible(True)
        self.llm_stop.setVisible(True)
        self.summary_label.setText(status)
        report = self._progress.chars.emit

        def finished(result: T) -> None:
            self._model_finished()
            done(result)

        run_in_background(lambda: work(report, cancel), finished, self._model_failed, owner=self)

    def stop_model(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _model_progress(self, chars: int) -> None:
        if self._cancel is not None:
            self.summary_label.setText(self.MODEL_PROGRESS.format(model=self.llm_model, chars=chars))

    def _model_finished(self) -> None:
        self._cancel = None
        self.llm_progress.setVisible(False)
        self.llm_stop.setVisible(False)
        self.action_button.setEnabled(True)
        self._update_llm_button()

    def _model_failure(self, message: str) -> str:
        """The one line a failed request shows: what failed, and what stays."""
        raise NotImplementedError

    def _model_failed(self, message: str) -> None:
        self._model_finished()
        self.summary_label.setText(self._model_failure(message))
        self.previewReady.emit()

    def done(self, code: int) -> None:  # noqa: D102 - closing stops a model still writing
        self.stop_model()
        super().done(code)
