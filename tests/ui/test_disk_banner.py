"""The window says so at start-up when the data folder's disk is full, before an answer is
recorded onto it, and keeps going: History still lists what was saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from app.store import Store
from app.ui.main_window import MainWindow
from app.ui.settings_store import SettingsStore
from tests.small_disk import SmallDisk

pytest_plugins = ("tests.small_disk",)


def window(qtbot, tmp_path: Path) -> MainWindow:
    settings = SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))
    made = MainWindow(settings)
    qtbot.addWidget(made)
    made.show()
    return made


def test_a_full_data_disk_is_a_banner_and_history_still_reads(
        qtbot, tmp_path: Path, data_on_small_disk: SmallDisk) -> None:
    disk = data_on_small_disk
    Store().create_session("outage", "Outage story")
    disk.fill()
    shown = window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: "is full" in shown.banner.text, timeout=10_000)
    text = shown.banner.text
    assert str(disk.root / "greenroom") in text and "answers may not be saved" in text
    assert "damaged" not in text and "\n" not in text
    history = shown.history_view
    history.refresh()
    qtbot.waitUntil(lambda: history.tree.topLevelItemCount() == 1, timeout=10_000)
    assert "Outage story" in history.tree.topLevelItem(0).text(0)


def test_a_disk_with_room_shows_no_banner(qtbot, tmp_path: Path,
                                          data_on_small_disk: SmallDisk) -> None:
    shown = window(qtbot, tmp_path)
    qtbot.wait(500)
    assert shown.banner.text == ""


def test_settings_on_a_full_disk_say_so_and_keep_the_dialog_open(
        qtbot, small_disk: SmallDisk, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.ui.settings_dialog import SettingsDialog

    ini = small_disk.root / "greenroom.ini"
    store = SettingsStore(QSettings(str(ini), QSettings.Format.IniFormat))
    store.save_ui_preferences(store.ui_preferences())
    saved = ini.read_bytes()
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _parent, _title, text, *_a: warnings.append(text))
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.hints_box.setChecked(not dialog.hints_box.isChecked())
    small_disk.fill()
    dialog.accept()
    (line,) = warnings
    assert "is full" in line and str(small_disk.root) in line and "settings were not saved" in line
    assert dialog.isVisible() and ini.read_bytes() == saved  # the old settings, whole

    small_disk.free()
    dialog.accept()
    assert len(warnings) == 1 and not dialog.isVisible()
