"""Help → Keyboard shortcuts lists every key the window and the interview editor answer
to: each menu shortcut and each QShortcut made in them is named in ``SHORTCUTS_HELP``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.ui.main_window import SHORTCUTS_HELP, MainWindow
from app.ui.script_editor import ScriptEditor
from app.ui.settings_store import SettingsStore

# How Qt spells a key, against how the help spells it for people.
SPOKEN = {"Del": "Delete"}


def keys_of(widget: QWidget) -> set[str]:
    sequences = [action.shortcut() for action in widget.findChildren(QAction)]
    sequences += [shortcut.key() for shortcut in widget.findChildren(QShortcut)]
    names = {s.toString(QKeySequence.SequenceFormat.PortableText) for s in sequences}
    return {SPOKEN.get(name, name) for name in names if name}


def named_in_help(key: str) -> bool:
    return re.search(rf"(?<![\w+]){re.escape(key)}(?![\w+])", SHORTCUTS_HELP) is not None


def test_every_shortcut_of_the_window_and_the_editor_is_in_the_help(
        qtbot: Any, tmp_path: Path) -> None:
    window = MainWindow(SettingsStore(QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(window)
    editor = ScriptEditor(None)
    qtbot.addWidget(editor)
    keys = keys_of(window) | keys_of(editor)
    # The ones this help was written for, so the check cannot pass on an empty search.
    assert {"Ctrl+F", "Ctrl+J", "Ctrl+I", "Ctrl+N", "Space", "F2", "Ctrl+Up", "Ctrl+S"} <= keys
    assert sorted(key for key in keys if not named_in_help(key)) == []
