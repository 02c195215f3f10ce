"""Settings → Interviewer: every voice the speech engine lists, the rate, the style, the
follow-ups and the cut of long answers, saved and read back; an unknown saved style reads
as the default."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from app.interviewer import DEFAULT_STYLE, STYLES
from app.practice import PracticeSettings
from app.ui.settings_dialog import SettingsDialog
from app.ui.settings_store import SettingsStore
from audio.tts import shared_synthesizer


def settings_store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))


def test_the_interviewer_settings_are_saved_and_read_back(qtbot, tmp_path: Path) -> None:
    store = settings_store(tmp_path)
    defaults = store.practice_settings()
    # Follow-ups are on in the app unless turned off; long answers are cut only when chosen.
    assert defaults.follow_ups is True and defaults.interrupt_long_answers is False
    assert defaults.interviewer_style == DEFAULT_STYLE == "neutral"
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    assert [dialog.style_combo.itemData(i) for i in range(dialog.style_combo.count())] == list(STYLES)
    assert dialog.style_combo.currentData() == "neutral"
    dialog.style_combo.setCurrentIndex(STYLES.index("demanding"))
    dialog.follow_ups_box.setChecked(False)
    dialog.budget_spin.setValue(6.5)
    dialog.interrupt_box.setChecked(True)
    dialog.margin_spin.setValue(45)
    dialog.rate_spin.setValue(150)
    dialog.accept()

    settings = settings_store(tmp_path).practice_settings()
    assert settings.interviewer_style == "demanding"
    assert settings.follow_ups is False
    assert settings.follow_up_budget_s == 6.5
    assert settings.interrupt_long_answers is True
    assert settings.interruption_margin_s == 45
    assert settings.rate_wpm == 150
    # The margin left "as the style sets it" is saved as no margin of its own.
    dialog = SettingsDialog(settings_store(tmp_path))
    qtbot.addWidget(dialog)
    dialog.margin_spin.setValue(0)
    dialog.accept()
    assert settings_store(tmp_path).practice_settings().interruption_margin_s is None


def test_an_unknown_saved_style_reads_as_the_default(tmp_path: Path) -> None:
    store = settings_store(tmp_path)
    store.save_practice_settings(PracticeSettings(interviewer_style="grumpy"))
    assert store.practice_settings().interviewer_style == "neutral"


def test_every_voice_the_engine_lists_is_offered(qtbot, tmp_path: Path) -> None:
    voices = shared_synthesizer().voices().result(timeout=30)
    assert voices, "the speech engine lists no voice"
    dialog = SettingsDialog(settings_store(tmp_path))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.voice_combo.count() == len(voices) + 1, timeout=30_000)
    offered = {dialog.voice_combo.itemData(i) for i in range(1, dialog.voice_combo.count())}
    assert offered == {v.id for v in voices}
