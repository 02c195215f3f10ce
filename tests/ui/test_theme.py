"""Appearance: the Settings choice is saved, applied to the running app at once, and
"Follow the desktop" gives back exactly what the desktop set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app.ui.settings_dialog import SettingsDialog
from app.ui.settings_store import SettingsStore
from app.ui.theme import apply_appearance, is_dark, normalise
from app.ui.widgets.clock_band import ClockBand


@pytest.fixture(autouse=True)
def desktop_look(qapp: QApplication) -> Iterator[None]:
    yield
    apply_appearance("system", qapp)  # later tests see the desktop's look again


def _store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))


def _window_lightness(app: QApplication) -> int:
    return app.palette().color(QPalette.ColorRole.Window).lightness()


def test_dark_chosen_in_settings_is_saved_and_applied_and_system_restores(qtbot, tmp_path: Path,
                                                                          qapp: QApplication) -> None:
    desktop_style = qapp.style().name()
    desktop_window = qapp.palette().color(QPalette.ColorRole.Window).name()
    store = _store(tmp_path)
    assert store.ui_preferences().appearance == "system"

    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.appearance_combo.setCurrentIndex(dialog.appearance_combo.findData("dark"))
    dialog.accept()
    assert _store(tmp_path).ui_preferences().appearance == "dark"
    assert is_dark(qapp.palette())
    assert qapp.style().name().lower() == "fusion"
    # Text keeps its contrast against the dark base.
    text = qapp.palette().color(QPalette.ColorRole.Text).lightness()
    base = qapp.palette().color(QPalette.ColorRole.Base).lightness()
    assert text - base > 150

    dialog = SettingsDialog(_store(tmp_path))
    qtbot.addWidget(dialog)
    assert dialog.appearance_combo.currentData() == "dark"  # the saved choice is shown
    dialog.appearance_combo.setCurrentIndex(dialog.appearance_combo.findData("light"))
    dialog.accept()
    assert not is_dark(qapp.palette()) and _window_lightness(qapp) > 200

    apply_appearance("system", qapp)
    assert qapp.style().name() == desktop_style
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == desktop_window


def test_other_preferences_survive_an_appearance_change(qtbot, tmp_path: Path) -> None:
    store = _store(tmp_path)
    prefs = store.ui_preferences()
    prefs.shuffle_questions = True
    prefs.first_run_done = True
    store.save_ui_preferences(prefs)
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.appearance_combo.setCurrentIndex(dialog.appearance_combo.findData("dark"))
    dialog.accept()
    again = _store(tmp_path).ui_preferences()
    assert (again.shuffle_questions, again.first_run_done, again.appearance) == (True, True, "dark")


@pytest.mark.parametrize("value, expected", [("Dark", "dark"), ("", "system"), (None, "system"),
                                             ("sepia", "system"), (" light ", "light")])
def test_unknown_or_empty_settings_follow_the_desktop(value: str | None, expected: str) -> None:
    assert normalise(value) == expected


def test_a_painted_widget_follows_the_dark_palette(qtbot, qapp: QApplication) -> None:
    apply_appearance("dark", qapp)
    band = ClockBand()
    qtbot.addWidget(band)
    band.resize(400, 120)
    image = band.grab().toImage()
    corner = image.pixelColor(2, 2)
    assert corner.lightness() < 100, corner.name()
    apply_appearance("light", qapp)
    qapp.processEvents()  # the change reaches existing widgets as an event
    image = band.grab().toImage()
    assert image.pixelColor(2, 2).lightness() > 150
