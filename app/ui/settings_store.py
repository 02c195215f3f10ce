"""The app's preferences, kept with QSettings, turned into ``PracticeSettings``.

Preferences that only the window uses (stage hints, shuffling, the data folder for the
next start) live here too, next to the ones the practice flow reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

from PySide6.QtCore import QSettings

from app.interviewer import check_style
from app.practice import PracticeSettings
from app.ui.theme import normalise

ORGANIZATION = "Greenroom"
APPLICATION = "greenroom"
DATA_DIR_KEY = "app/data_dir"


@dataclass
class UiPreferences:
    show_stage_hints: bool = False
    shuffle_questions: bool = False
    first_run_done: bool = False
    appearance: str = "system"  # "system", "light" or "dark" (app/ui/theme.py)


def default_qsettings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


def _as_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _as_float(value: Any) -> float | None:
    if value in (None, "", "none"):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _as_device(value: Any) -> str | int | None:
    text = _as_text(value)
    if text is None:
        return None
    return int(text) if text.isdigit() else text


class SettingsStore:
    """Reads and writes preferences; pass a QSettings (an ini file) to isolate tests."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else default_qsettings()

    # practice settings ------------------------------------------------------------------
    def practice_settings(self) -> PracticeSettings:
        s = self.qsettings
        defaults = PracticeSettings()
        rate = _as_float(s.value("practice/rate_wpm"))
        think = _as_float(s.value("practice/think_time_s"))
        budget = _as_float(s.value("practice/follow_up_budget_s"))
        return PracticeSettings(
            input_device=_as_device(s.value("practice/input_device")),
            voice=_as_text(s.value("practice/voice")),
            rate_wpm=int(rate) if rate else defaults.rate_wpm,
            speak_questions=_as_bool(s.value("practice/speak_questions"), defaults.speak_questions),
            think_time_s=think if think is not None else defaults.think_time_s,
            silence_stop_s=_as_float(s.value("practice/silence_stop_s")),
            max_answer_s=_as_float(s.value("practice/max_answer_s")),
            speech_model=_as_text(s.value("practice/speech_model")),
            llm_enabled=_as_bool(s.value("practice/llm_enabled"), defaults.llm_enabled),
            ollama_host=_as_text(s.value("practice/ollama_host")),
            llm_model=_as_text(s.value("practice/llm_model")),
            llm_allow_remote=_as_bool(s.value("practice/llm_allow_remote"),
                                      defaults.llm_allow_remote),
            mock=_as_bool(s.value("practice/mock"), defaults.mock),
            follow_ups=_as_bool(s.value("practice/follow_ups"), defaults.follow_ups),
            follow_up_budget_s=budget if budget and budget > 0 else defaults.follow_up_budget_s,
            interviewer_style=check_style(_as_text(s.value("practice/interviewer_style"))),
            interrupt_long_answers=_as_bool(s.value("practice/interrupt_long_answers"),
                                            defaults.interrupt_long_answers),
            interruption_margin_s=_as_float(s.value("practice/interruption_margin_s")) or None,
        )

    def _after_a_failed_save(self) -> None:
        """A QSettings keeps its first error for good: after a save that failed, the next
        one starts from a fresh QSettings, which reads the file as it stands."""
        if self.qsettings.status() != QSettings.Status.NoError:
            self.qsettings = QSettings(self.qsettings.fileName(), self.qsettings.format())

    def save_practice_settings(self, settings: PracticeSettings) -> None:
        self._after_a_failed_save()
        for f in fields(PracticeSettings):
            value = getattr(settings, f.name)
            # QSettings ini files lose None; an empty string stands for "not set".
            self.qsettings.setValue(f"practice/{f.name}", "" if value is None else value)
        self.qsettings.sync()

    # window preferences -----------------------------------------------------------------
    def ui_preferences(self) -> UiPreferences:
        s = self.qsettings
        return UiPreferences(
            show_stage_hints=_as_bool(s.value("ui/show_stage_hints"), False),
            shuffle_questions=_as_bool(s.value("ui/shuffle_questions"), False),
            first_run_done=_as_bool(s.value("ui/first_run_done"), False),
            appearance=normalise(_as_text(s.value("ui/appearance"))),
        )

    def save_ui_preferences(self, prefs: UiPreferences) -> None:
        self._after_a_failed_save()
        for f in fields(UiPreferences):
            self.qsettings.setValue(f"ui/{f.name}", getattr(prefs, f.name))
        self.qsettings.sync()

    # data folder ------------------------------------------------------------------------
    def data_dir_for_next_start(self) -> str | None:
        return _as_text(self.qsettings.value(DATA_DIR_KEY))

    def set_data_dir_for_next_start(self, folder: str | None) -> None:
        self._after_a_failed_save()
        self.qsettings.setValue(DATA_DIR_KEY, folder or "")
        self.qsettings.sync()

    def save_problem(self) -> str | None:
        """Why the last save did not reach the disk, in one line (a full, read-only or
        vanished disk named as such); None when it did. QSettings writes a new file and
        renames it over the old one, so a failed save leaves the settings as they were."""
        if self.qsettings.status() == QSettings.Status.NoError:
            return None
        from pathlib import Path

        from app.disk_faults import folder_fault

        where = Path(self.qsettings.fileName())
        fault = folder_fault(where.parent)
        if fault is not None:
            return fault.describe("the settings were not saved", "free some space, then save "
                                  "them again" if fault.kind == "full" else "")
        return (f"{where}: the settings could not be written; check that file and its folder "
                "are writable, then save them again")

    def apply_data_dir(self) -> None:
        """At start-up, before anything resolves a path: a folder chosen in Settings
        becomes GREENROOM_HOME, unless the environment already names one."""
        folder = self.data_dir_for_next_start()
        if folder and not os.environ.get("GREENROOM_HOME"):
            os.environ["GREENROOM_HOME"] = folder
