"""The interview editor: a table of questions, edited in place and checked by the loader.

New interviews, imported pages, the user's own scripts and copies of bundled ones all
open here. Every edit rebuilds the script's YAML and runs it through
``interview_scripts.loader.parse_script``, so what the editor accepts is exactly what the
app will load; the loader's field path (``questions[2].time_guide``) marks the cell it
concerns. Questions move up and down (buttons, Ctrl+Up and Ctrl+Down), and each one's
guidance and follow-ups have their own columns. What the table does not show (a
question's id, kind, level and follow-up guide, key point ids, what a follow-up probes) is
kept and written back unchanged. Saving writes a private YAML file into the user's scripts
folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import paths
from app.ui.widgets.colors import BAND_COLORS, tinted_base
from interview_scripts.errors import ScriptError
from interview_scripts.loader import parse_script
from interview_scripts.page_cues import suggest_cues
from interview_scripts.page_importer import dump_document, question_id
from interview_scripts.script import DEFAULT_FOLLOW_UP_GUIDE, InterviewScript, default_kind

FIELDS = ("text", "time_guide", "framework", "key_points", "mistakes", "sample_answer", "guidance",
          "follow_ups")
HEADERS = ("Question", "Time guide", "Framework", "Key points (one a line)", "Mistakes (one a line)",
           "Sample answer", "Guidance", "Follow-ups (one a line)")
TEXT, GUIDE, FRAMEWORK, KEY_POINTS, MISTAKES, SAMPLE, GUIDANCE, FOLLOW_UPS = range(len(FIELDS))
MULTI_LINE = (KEY_POINTS, MISTAKES, SAMPLE, GUIDANCE, FOLLOW_UPS)
# The question's id has no column: a problem with it lands on the question's own cell.
COLUMN_OF = {name: i for i, name in enumerate(FIELDS)} | {"id": TEXT}
FRAMEWORK_CHOICES = ("", "STAR", "CAR", "CIRCLES", "none")
GUIDE_CHOICES = ("", "1 min", "90s", "1-2 min", "2-3 min", "3-4 min", "3-5 min", "5-7 minutes")
EXTRA_ROLE = Qt.ItemDataRole.UserRole + 1   # on the question cell: id, an inline framework
CUES_ROLE = Qt.ItemDataRole.UserRole + 2    # on a points cell: {point text: accepted cues}
# On the key points and follow-ups cells: [[text, {hidden keys}], ...] as loaded, in order.
HIDDEN_ROLE = Qt.ItemDataRole.UserRole + 3
# A question's keys with no column of their own: kept as loaded.
HIDDEN_QUESTION_KEYS = ("id", "kind", "level", "follow_up_guide")
_PATH = re.compile(r"^(?P<field>title|role|description|source|defaults|questions)"
                   r"(?:\[(?P<row>\d+)\](?:\.(?P<qfield>\w+))?)?")


def _points_text(points: Any, hidden: tuple[str, ...] = ()) -> tuple[str, dict[str, list[str]], list[Any]]:
    """A list of points (or follow-ups) as one line each, the cues each point already has,
    and each item's ``hidden`` keys as ``[text, {key: value}]`` in order."""
    lines: list[str] = []
    cues: dict[str, list[str]] = {}
    kept: list[Any] = []
    for point in points or []:
        if isinstance(point, dict):
            text = str(point.get("text", ""))
            if point.get("cues"):
                cues[text] = [str(c) for c in point["cues"]]
            kept.append([text, {k: point[k] for k in hidden if k in point}])
        else:
            text = str(point)
            kept.append([text, {}])
        lines.append(text)
    return "\n".join(lines), cues, kept


def _carried(lines: list[str], kept: list[Any]) -> list[dict[str, Any]]:
    """The hidden keys each line keeps: those of the loaded item with its text, or, for a
    line reworded while the list kept its length, those of the item that stood in its place
    (so a key point's id, and the follow-ups that probe it, survive a change of wording)."""
    texts = [str(text) for text, _ in kept]
    used: set[int] = set()
    out: list[dict[str, Any]] = []
    for place, line in enumerate(lines):
        same = next((i for i, text in enumerate(texts) if text == line and i not in used), None)
        if (same is None and len(lines) == len(texts) and place not in used
                and texts[place] not in lines):
            same = place
        if same is None:
            out.append({})
        else:
            used.add(same)
            out.append(dict(kept[same][1] or {}))
    return out


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _points(text: str, cues: dict[str, list[str]], kept: list[Any] | None = None) -> list[Any]:
    lines = _lines(text)
    out: list[Any] = []
    for line, hidden in zip(lines, _carried(lines, kept or []), strict=True):
        entry: dict[str, Any] = {"id": hidden["id"]} if hidden.get("id") else {}
        entry["text"] = line
        if cues.get(line):
            entry["cues"] = cues[line]
        out.append(entry if len(entry) > 1 else line)
    return out


def _follow_ups(text: str, kept: list[Any], point_ids: set[str], old_ids: set[str]) -> list[Any]:
    """Follow-up lines, each with the probes it was loaded with; a probe naming a key point
    that is no longer there is dropped (the table cannot show it to be fixed)."""
    lines = _lines(text)
    out: list[Any] = []
    for line, hidden in zip(lines, _carried(lines, kept), strict=True):
        probes = [str(p) for p in hidden.get("probes") or []
                  if str(p).lower() in point_ids or str(p).lower() not in old_ids]
        out.append({"text": line, "probes": probes} if probes else line)
    return out


class _CellDelegate(QStyledItemDelegate):
    """Multi-line editors for the points and the sample answer, choices for the guide and
    the framework (both still accept any text, which the loader then checks)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                     index: QModelIndex) -> QWidget:
        column = index.column()
        if column in MULTI_LINE:
            editor = QPlainTextEdit(parent)
            editor.setTabChangesFocus(True)
            return editor
        if column in (GUIDE, FRAMEWORK):
            combo = QComboBox(parent)
            combo.setEditable(True)
            combo.addItems(GUIDE_CHOICES if column == GUIDE else FRAMEWORK_CHOICES)
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802 - Qt override
        value = index.data(Qt.ItemDataRole.EditRole) or ""
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value)
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(value)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QPlainTextEdit):
            model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class ScriptEditor(QDialog):
    """Edit one interview; emits ``saved(path)`` after writing it."""

    saved = Signal(str)

    def __init__(self, document: dict[str, Any] | None = None, path: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit interview" if path else "New interview")
        self.setObjectName("scriptEditor")
        self.resize(1180, 720)
        self.path = path  # the file being edited; None writes a new file
        self.problem: tuple[int | None, int | None, str] | None = None  # (row, column, message)
        self._extra_top: dict[str, Any] = {}
        self._filling = False
        self._build()
        self.load_document(document or {"title": "", "role": "", "questions": [{}]})

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("titleEdit")
        self.title_edit.setPlaceholderText("e.g. Data analyst, second round")
        self.role_edit = QLineEdit()
        self.role_edit.setObjectName("roleEdit")
        self.role_edit.setPlaceholderText("the job the interview is for")
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("fileEdit")
        self.file_edit.setPlaceholderText("file name (made from the title)")
        form.addRow("&Title:", self.title_edit)
        form.addRow("&Role:", self.role_edit)
        form.addRow("&File name:", self.file_edit)
        layout.addLayout(form)
        self.title_edit.textChanged.connect(self._title_changed)
        self.role_edit.textChanged.connect(self.validate)
        self.file_edit.textEdited.connect(self._file_edited)
        self._file_touched = False

        self.table = QTableWidget(0, len(FIELDS))
        self.table.setObjectName("questionTable")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setItemDelegate(_CellDelegate(self.table))
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.table.horizontalHeader()
        for column in range(len(FIELDS)):
            mode = (QHeaderView.ResizeMode.Stretch if column in (TEXT, KEY_POINTS, SAMPLE)
                    else QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(column, mode)
        self.table.itemChanged.connect(self._item_changed)
        self.table.currentCellChanged.connect(lambda row, *_: self._fill_cues(row))
        layout.addWidget(self.table, 3)

        rows = QHBoxLayout()
        self.add_button = QPushButton("&Add question")
        self.add_button.clicked.connect(self.add_question)
        self.remove_button = QPushButton("Re&move question")
        self.remove_button.clicked.connect(self.remove_current_question)
        self.up_button = QPushButton("Move &up")
        self.up_button.setToolTip("Move the question up (Ctrl+Up)")
        self.up_button.clicked.connect(lambda: self.move_current_question(-1))
        self.down_button = QPushButton("Move do&wn")
        self.down_button.setToolTip("Move the question down (Ctrl+Down)")
        self.down_button.clicked.connect(lambda: self.move_current_question(1))
        rows.addWidget(self.add_button)
        rows.addWidget(self.remove_button)
        rows.addWidget(self.up_button)
        rows.addWidget(self.down_button)
        QShortcut(QKeySequence("Ctrl+Up"), self, activated=lambda: self.move_current_question(-1))
        QShortcut(QKeySequence("Ctrl+Down"), self, activated=lambda: self.move_current_question(1))
        # The table takes Ctrl+Up/Down as cursor moves before any shortcut sees them.
        self.table.installEventFilter(self)
        rows.addStretch(1)
        layout.addLayout(rows)

        cue_label = QLabel("&Cue words for the selected question's key points. The coach finds a "
                           "key point by its words: tick the suggestions you accept, or change them.")
        cue_label.setWordWrap(True)
        self.cue_table = QTableWidget(0, 2)
        self.cue_table.setObjectName("cueTable")
        self.cue_table.setHorizontalHeaderLabels(["Key point", "Cue words (comma between them; tick to use)"])
        self.cue_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.cue_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.cue_table.itemChanged.connect(self._cue_changed)
        cue_label.setBuddy(self.cue_table)
        layout.addWidget(cue_label)
        layout.addWidget(self.cue_table, 1)

        self.problem_label = QLabel()
        self.problem_label.setObjectName("editorProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.problem_label)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.modifiers() == Qt.KeyboardModifier.ControlModifier
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
                and self.table.state() != QAbstractItemView.State.EditingState):
            self.move_current_question(-1 if event.key() == Qt.Key.Key_Up else 1)
            return True
        return super().eventFilter(watched, event)

    # ---------------------------------------------------------------- document
    def load_document(self, document: dict[str, Any]) -> None:
        self._filling = True
        self._extra_top = {k: v for k, v in document.items() if k not in ("title", "role", "questions")}
        self.title_edit.setText(str(document.get("title", "")))
        self.role_edit.setText(str(document.get("role", "")))
        if self.path is not None:
            self.file_edit.setText(self.path.stem)
            self.file_edit.setReadOnly(True)
        self.table.setRowCount(0)
        for question in document.get("questions") or [{}]:
            self._append_row(question if isinstance(question, dict) else {})
        self._filling = False
        self._title_changed(self.title_edit.text())
        self.table.setCurrentCell(0, TEXT)
        self.validate()

    def _append_row(self, question: dict[str, Any]) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        key_points, kp_cues, kp_kept = _points_text(question.get("key_points"), ("id",))
        mistakes, mistake_cues, _ = _points_text(question.get("mistakes"))
        framework = question.get("framework", "")
        follow_ups = question.get("follow_ups") or []
        if not isinstance(follow_ups, list):
            follow_ups = [follow_ups]
        follow_up_text, _, follow_kept = _points_text(follow_ups, ("probes",))
        values = (str(question.get("text", "")), str(question.get("time_guide", "") or ""),
                  framework if isinstance(framework, str) else "", key_points, mistakes,
                  str(question.get("sample_answer", "") or ""), str(question.get("guidance", "") or ""),
                  follow_up_text)
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            self.table.setItem(row, column, item)
        extra = {k: v for k, v in question.items() if k in HIDDEN_QUESTION_KEYS}
        if isinstance(framework, dict):
            extra["framework"] = framework  # an inline framework is kept as it was
        self.table.item(row, TEXT).setData(EXTRA_ROLE, extra)
        self.table.item(row, KEY_POINTS).setData(CUES_ROLE, kp_cues)
        self.table.item(row, MISTAKES).setData(CUES_ROLE, mistake_cues)
        self.table.item(row, KEY_POINTS).setData(HIDDEN_ROLE, kp_kept)
        self.table.item(row, FOLLOW_UPS).setData(HIDDEN_ROLE, follow_kept)
        self.table.resizeRowToContents(row)
        return row

    def document(self) -> tuple[dict[str, Any], list[int]]:
        """The script as a YAML document, and the table row of each of its questions."""
        doc: dict[str, Any] = {"title": self.title_edit.text().strip(), "role": self.role_edit.text().strip()}
        doc.update(self._extra_top)
        questions: list[dict[str, Any]] = []
        rows: list[int] = []
        taken = {str(self._extra(r).get("id")) for r in range(self.table.rowCount()) if self._extra(r).get("id")}
        for row in range(self.table.rowCount()):
            values = [self._cell(row, c) for c in range(len(FIELDS))]
            if not any(values):
                continue  # a blank row is not a question yet
            extra = dict(self._extra(row))
            qid = extra.pop("id", None) or question_id(values[TEXT], taken)
            entry: dict[str, Any] = {"id": qid, "text": values[TEXT]}
            entry.update((k, extra.pop(k)) for k in HIDDEN_QUESTION_KEYS if k in extra)
            if values[GUIDE]:
                entry["time_guide"] = values[GUIDE]
            if values[FRAMEWORK]:
                entry["framework"] = values[FRAMEWORK]
            elif "framework" in extra:
                entry["framework"] = extra.pop("framework")
            extra.pop("framework", None)
            if values[GUIDANCE]:
                entry["guidance"] = values[GUIDANCE]
            kp_kept = self._hidden(row, KEY_POINTS)
            for column, key, kept in ((KEY_POINTS, "key_points", kp_kept), (MISTAKES, "mistakes", None)):
                points = _points(values[column], self._cues(row, column), kept)
                if points:
                    entry[key] = points
            if values[SAMPLE]:
                entry["sample_answer"] = values[SAMPLE]
            point_ids = {p["id"] for p in entry.get("key_points", []) if isinstance(p, dict) and "id" in p}
            old_ids = {str(hidden.get("id")) for _, hidden in kp_kept if hidden and hidden.get("id")}
            follow_ups = _follow_ups(values[FOLLOW_UPS], self._hidden(row, FOLLOW_UPS), point_ids, old_ids)
            if follow_ups:
                entry["follow_ups"] = follow_ups
            questions.append(entry)
            rows.append(row)
        doc["questions"] = questions
        return doc, rows

    def file_name(self) -> str:
        name = re.sub(r"[^a-z0-9._-]+", "-", self.file_edit.text().strip().lower()).strip("-.")
        return name or "my-interview"

    def yaml_text(self) -> str:
        return dump_document(self.document()[0])

    # -------------------------------------------------------------- validation
    def validate(self, *_: object) -> bool:
        """Check the script as the loader would; mark the cell its message names."""
        if self._filling:
            return False
        self._clear_marks()
        doc, rows = self.document()
        try:
            parse_script(dump_document(doc), name=f"{self.file_name()}.yaml")
        except ScriptError as exc:
            message = str(exc).split(": ", 1)[-1]
            self._filling = True  # marking a cell changes it: no re-validation from that
            try:
                self._mark(message, rows)
            finally:
                self._filling = False
            self.save_button.setEnabled(False)
            return False
        self.problem = None
        self.problem_label.setText(f"Ready to save: {len(rows)} question{'s' if len(rows) != 1 else ''}.")
        self.save_button.setEnabled(True)
        return True

    def _mark(self, message: str, rows: list[int]) -> None:
        match = _PATH.match(message)
        row: int | None = None
        column: int | None = None
        where = ""
        if match and match.group("row") is not None and int(match.group("row")) < len(rows):
            row = rows[int(match.group("row"))]
            column = COLUMN_OF.get(match.group("qfield") or "text", TEXT)
            where = f"Question {row + 1}, {HEADERS[column].split(' (')[0].lower()}: "
            item = self.table.item(row, column)
            item.setBackground(tinted_base(self.table.palette(), BAND_COLORS["wrap_up"], 0.35))
            item.setToolTip(message)
        elif match and match.group("field") in ("title", "role"):
            edit = self.title_edit if match.group("field") == "title" else self.role_edit
            edit.setStyleSheet(f"background: {tinted_base(edit.palette(), BAND_COLORS['wrap_up'], 0.35).name()}")
            edit.setToolTip(message)
        self.problem = (row, column, message)
        self.problem_label.setText(f"Not ready to save — {where}{message}")

    def _clear_marks(self) -> None:
        self._filling = True
        for row in range(self.table.rowCount()):
            for column in range(len(FIELDS)):
                item = self.table.item(row, column)
                if item is not None and item.background().style() != Qt.BrushStyle.NoBrush:
                    item.setData(Qt.ItemDataRole.BackgroundRole, None)
                    item.setToolTip(item.text())
        for edit in (self.title_edit, self.role_edit):
            edit.setStyleSheet("")
            edit.setToolTip("")
        self._filling = False

    # ------------------------------------------------------------------ editing
    def set_cell(self, row: int, column: int, text: str) -> None:
        """Set a cell as typing into it would (tests and the import preview use it)."""
        self.table.item(row, column).setText(text)

    def add_question(self) -> int:
        self._filling = True
        row = self._append_row({})
        self._filling = False
        self.table.setCurrentCell(row, TEXT)
        self.table.editItem(self.table.item(row, TEXT))
        self.validate()
        return row

    def remove_current_question(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            if self.table.rowCount() == 0:
                self._filling = True
                self._append_row({})
                self._filling = False
            self.validate()

    def move_current_question(self, step: int) -> int:
        """Move the current question ``step`` rows (-1 up, 1 down); its new row."""
        row = self.table.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return row
        column = max(0, self.table.currentColumn())
        self._filling = True
        for c in range(len(FIELDS)):
            mine, theirs = self.table.takeItem(row, c), self.table.takeItem(target, c)
            self.table.setItem(row, c, theirs)
            self.table.setItem(target, c, mine)
        self.table.resizeRowToContents(row)
        self.table.resizeRowToContents(target)
        self._filling = False
        self.table.setCurrentCell(target, column)
        self.validate()
        return target

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        self._filling = True
        item.setToolTip(item.text())
        self.table.resizeRowToContents(item.row())
        self._filling = False
        if item.column() == KEY_POINTS and item.row() == self.table.currentRow():
            self._fill_cues(item.row())
        self.validate()

    def _title_changed(self, text: str) -> None:
        if self.path is None and not self._file_touched:
            self.file_edit.setText("-".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()[:8]))
        self.validate()

    def _file_edited(self, _text: str) -> None:
        self._file_touched = True
        self.validate()

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _extra(self, row: int) -> dict[str, Any]:
        item = self.table.item(row, TEXT)
        return (item.data(EXTRA_ROLE) or {}) if item is not None else {}

    def _cues(self, row: int, column: int) -> dict[str, list[str]]:
        item = self.table.item(row, column)
        return dict(item.data(CUES_ROLE) or {}) if item is not None else {}

    def _hidden(self, row: int, column: int) -> list[Any]:
        item = self.table.item(row, column)
        return list(item.data(HIDDEN_ROLE) or []) if item is not None else []

    # --------------------------------------------------------------------- cues
    def _fill_cues(self, row: int) -> None:
        """One line per key point of ``row``: its accepted cues (ticked), or suggestions."""
        self.cue_table.blockSignals(True)
        self.cue_table.setRowCount(0)
        if 0 <= row < self.table.rowCount():
            accepted = self._cues(row, KEY_POINTS)
            for point in [p.strip() for p in self._cell(row, KEY_POINTS).splitlines() if p.strip()]:
                line = self.cue_table.rowCount()
                self.cue_table.insertRow(line)
                label = QTableWidgetItem(point)
                label.setFlags(label.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.cue_table.setItem(line, 0, label)
                cues = accepted.get(point) or suggest_cues(point)
                cell = QTableWidgetItem(", ".join(cues))
                cell.setFlags(cell.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                cell.setCheckState(Qt.CheckState.Checked if point in accepted else Qt.CheckState.Unchecked)
                cell.setToolTip("Suggested from the point's own words" if point not in accepted
                                else "Used by the coach")
                self.cue_table.setItem(line, 1, cell)
        self.cue_table.blockSignals(False)

    def accept_cues(self, line: int, cues: str | None = None) -> None:
        """Use the cue words on ``line`` (optionally changed to ``cues``)."""
        cell = self.cue_table.item(line, 1)
        if cues is not None:
            cell.setText(cues)
        cell.setCheckState(Qt.CheckState.Checked)

    def _cue_changed(self, cell: QTableWidgetItem) -> None:
        if cell.column() != 1:
            return
        row = self.table.currentRow()
        point = self.cue_table.item(cell.row(), 0).text()
        points_item = self.table.item(row, KEY_POINTS)
        if points_item is None:
            return
        cues = dict(points_item.data(CUES_ROLE) or {})
        words = [c.strip().lower() for c in cell.text().split(",") if c.strip()]
        if cell.checkState() == Qt.CheckState.Checked and words:
            cues[point] = words
        else:
            cues.pop(point, None)
        points_item.setData(CUES_ROLE, cues)
        self.validate()

    # ------------------------------------------------------------------- saving
    def target_path(self) -> Path:
        if self.path is not None:
            return self.path
        folder = paths.user_scripts_dir()
        base = self.file_name()
        target, n = folder / f"{base}.yaml", 2
        while target.exists():
            target, n = folder / f"{base}-{n}.yaml", n + 1
        return target

    def save(self) -> Path | None:
        """Write the script if it is valid; the path written, or None."""
        if not self.validate():
            return None
        target = self.target_path()
        text = "# An interview script; the format is described in interview_scripts/README.md.\n" + self.yaml_text()
        try:
            parse_script(text, name=target.name)  # the file name is its id: check it too
            target.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
            with os.fdopen(os.open(target, flags, paths.PRIVATE_FILE_MODE), "w", encoding="utf-8") as fh:
                fh.write(text)
            paths.make_private_file(target)
        except (ScriptError, OSError) as exc:
            message = str(exc) if isinstance(exc, ScriptError) else f"{target}: cannot write ({exc.strerror})"
            self.problem_label.setText(f"Not saved — {message}")
            return None
        self.path = target
        self.saved.emit(str(target))
        self.accept()
        return target


def document_of(script: InterviewScript) -> dict[str, Any]:
    """The YAML document of a loaded script, read back from its file when it has one (so
    cues, defaults and inline frameworks are kept as written)."""
    import yaml

    if script.path is not None:
        try:
            loaded = yaml.safe_load(script.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                return loaded
        except (OSError, yaml.YAMLError):
            pass
    questions = []
    for q in script.questions:
        entry: dict[str, Any] = {"id": q.id, "text": q.text}
        if q.time_guide:
            entry["time_guide"] = q.time_guide.text
        if not q.framework.is_none:
            entry["framework"] = q.framework.name
        if q.kind != default_kind(q.framework):
            entry["kind"] = q.kind
        if q.level != "any":
            entry["level"] = q.level
        if q.follow_up_guide != DEFAULT_FOLLOW_UP_GUIDE:
            entry["follow_up_guide"] = q.follow_up_guide.text
        if q.guidance:
            entry["guidance"] = q.guidance
        if q.key_points:
            entry["key_points"] = [({"id": k.id} if k.id else {}) | {"text": k.text}
                                   | ({"cues": list(k.cues)} if k.cues else {})
                                   if k.cues or k.id else k.text for k in q.key_points]
        if q.mistakes:
            entry["mistakes"] = [{"text": m.text, "cues": list(m.cues)} if m.cues else m.text
                                 for m in q.mistakes]
        if q.sample_answer:
            entry["sample_answer"] = q.sample_answer
        if q.follow_ups:
            entry["follow_ups"] = [{"text": f.text, "probes": list(f.probes)} if f.probes else f.text
                                   for f in q.follow_ups]
        questions.append(entry)
    document: dict[str, Any] = {"title": script.title, "role": script.role, "description": script.description}
    if script.tags:
        document["tags"] = list(script.tags)
    document["questions"] = questions
    return document
