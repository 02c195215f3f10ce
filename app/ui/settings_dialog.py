"""Settings: microphone (with a live test meter), the interviewer (voice, rate, style,
follow-ups, cutting long answers), speech model, local LLM, timing, and the data folder.
Anything slow (device queries, voices, Ollama) runs in a worker."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import paths
from app.errors import USER_ERRORS
from app.interviewer import MARGINS, STYLE_LABELS, STYLES
from app.practice import PracticeSettings
from app.ui.friendly import friendly_path
from app.ui.settings_store import SettingsStore
from app.ui.theme import APPEARANCE_LABELS, APPEARANCES, apply_appearance
from app.ui.widgets.level_meter import LevelMeter
from app.ui.workers import run_in_background

DEFAULT_ITEM = "System default"
PREVIEW_TEXT = "Tell me about a time you led a team through a difficult change."


class MicrophoneTest:
    """A microphone opened only to show its level; the callback just stores a number."""

    def __init__(self, device: str | int | None) -> None:
        from audio.sources import MicrophoneSource

        self.source = MicrophoneSource(device)
        self.level = 0.0

    def _on_block(self, block: Any) -> None:
        from audio.recorder import block_db, meter_value

        self.level = float(meter_value(block_db(block)))

    def start(self) -> None:
        self.source.start(self._on_block)

    def stop(self) -> None:
        self.source.stop()


def _spin(low: float, high: float, suffix: str, special: str = "", decimals: int = 0) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)
    return box


class SettingsDialog(QDialog):
    micTestFailed = Signal(str)  # noqa: N815 - Qt signal naming

    def __init__(self, store: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Greenroom settings")
        self.store = store
        self._mic_test: MicrophoneTest | None = None
        self._mic_lock = threading.Lock()
        self._meter_timer = QTimer(self)
        self._meter_timer.setInterval(50)
        self._meter_timer.timeout.connect(self._poll_meter)
        settings = store.practice_settings()
        prefs = store.ui_preferences()
        layout = QVBoxLayout(self)

        # microphone ------------------------------------------------------------------
        box = QGroupBox("Microphone")
        form = QFormLayout(box)
        self.device_combo = QComboBox()
        self.device_combo.setObjectName("deviceCombo")
        self.device_combo.addItem(DEFAULT_ITEM, None)
        if settings.input_device is not None:
            self.device_combo.addItem(str(settings.input_device), settings.input_device)
            self.device_combo.setCurrentIndex(1)
        form.addRow("&Input device:", self.device_combo)
        row = QHBoxLayout()
        self.mic_test_button = QPushButton("&Test microphone")
        self.mic_test_button.setCheckable(True)
        self.mic_test_button.toggled.connect(self._toggle_mic_test)
        self.mic_meter = LevelMeter()
        row.addWidget(self.mic_test_button)
        row.addWidget(self.mic_meter, 1)
        form.addRow("Level:", row)
        self.mic_status = QLabel()
        self.mic_status.setWordWrap(True)
        form.addRow(self.mic_status)
        self.micTestFailed.connect(self.mic_status.setText)
        layout.addWidget(box)

        # interviewer -----------------------------------------------------------------
        box = QGroupBox("Interviewer")
        form = QFormLayout(box)
        self.speak_box = QCheckBox("Read each question &aloud")
        self.speak_box.setChecked(settings.speak_questions)
        form.addRow(self.speak_box)
        self.voice_combo = QComboBox()
        self.voice_combo.setObjectName("voiceCombo")
        self.voice_combo.addItem(DEFAULT_ITEM, None)
        if settings.voice:
            self.voice_combo.addItem(settings.voice, settings.voice)
            self.voice_combo.setCurrentIndex(1)
        form.addRow("&Voice:", self.voice_combo)
        row = QHBoxLayout()
        self.rate_spin = QSpinBox()
        self.rate_spin.setRange(80, 320)
        self.rate_spin.setSuffix(" words/min")
        self.rate_spin.setValue(settings.rate_wpm)
        self.preview_button = QPushButton("&Preview")
        self.preview_button.clicked.connect(self._preview_voice)
        row.addWidget(self.rate_spin)
        row.addWidget(self.preview_button)
        rate_label = QLabel("&Rate:")
        rate_label.setBuddy(self.rate_spin)
        form.addRow(rate_label, row)
        self.voice_status = QLabel()
        self.voice_status.setWordWrap(True)
        form.addRow(self.voice_status)
        self.style_combo = QComboBox()
        self.style_combo.setObjectName("styleCombo")
        for style in STYLES:
            margin = MARGINS[style]
            self.style_combo.addItem(STYLE_LABELS[style], style)
            self.style_combo.setItemData(
                self.style_combo.count() - 1,
                f"Cuts a long answer {margin.floor_s:.0f} s or {margin.share:.0%} of its guide's "
                "maximum past it, whichever is longer", Qt.ItemDataRole.ToolTipRole)
        self.style_combo.setCurrentIndex(STYLES.index(settings.interviewer_style)
                                         if settings.interviewer_style in STYLES else 1)
        form.addRow("St&yle:", self.style_combo)
        self.follow_ups_box = QCheckBox("Ask a &follow-up after each answer and record the reply")
        self.follow_ups_box.setObjectName("followUpsBox")
        self.follow_ups_box.setToolTip("Always on in a mock interview.")
        self.follow_ups_box.setChecked(settings.follow_ups)
        form.addRow(self.follow_ups_box)
        self.budget_spin = _spin(1, 30, " s", decimals=1)
        self.budget_spin.setObjectName("budgetSpin")
        self.budget_spin.setValue(settings.follow_up_budget_s)
        self.budget_spin.setToolTip("How long the local LLM has after an answer to offer a "
                                    "follow-up; after that the script's own is asked.")
        form.addRow("LLM follow-up &wait:", self.budget_spin)
        self.interrupt_box = QCheckBox("&Cut answers that run well past their guide")
        self.interrupt_box.setObjectName("interruptBox")
        self.interrupt_box.setToolTip("Always on in a mock interview.")
        self.interrupt_box.setChecked(settings.interrupt_long_answers)
        form.addRow(self.interrupt_box)
        self.margin_spin = _spin(0, 600, " s past the guide", "as the style sets it")
        self.margin_spin.setObjectName("marginSpin")
        self.margin_spin.setValue(settings.interruption_margin_s or 0)
        form.addRow("Cut &after:", self.margin_spin)
        layout.addWidget(box)

        # answering -------------------------------------------------------------------
        box = QGroupBox("Answering")
        form = QFormLayout(box)
        self.think_spin = _spin(0, 600, " s", "no think time")
        self.think_spin.setObjectName("thinkSpin")
        self.think_spin.setValue(settings.think_time_s or 0)
        form.addRow("T&hink time before recording:", self.think_spin)
        self.silence_spin = _spin(0, 60, " s of silence", "off")
        self.silence_spin.setObjectName("silenceSpin")
        self.silence_spin.setValue(settings.silence_stop_s or 0)
        form.addRow("&Stop automatically after:", self.silence_spin)
        self.hints_box = QCheckBox("Show the structure's stage &hints while recording")
        self.hints_box.setChecked(prefs.show_stage_hints)
        form.addRow(self.hints_box)
        layout.addWidget(box)

        # appearance ------------------------------------------------------------------
        box = QGroupBox("Appearance")
        form = QFormLayout(box)
        self.appearance_combo = QComboBox()
        self.appearance_combo.setObjectName("appearanceCombo")
        for value in APPEARANCES:
            self.appearance_combo.addItem(APPEARANCE_LABELS[value], value)
        self.appearance_combo.setCurrentIndex(APPEARANCES.index(prefs.appearance))
        form.addRow("&Colours:", self.appearance_combo)
        layout.addWidget(box)

        # models ----------------------------------------------------------------------
        box = QGroupBox("Speech recognition and local LLM")
        form = QFormLayout(box)
        self.speech_model_combo = QComboBox()
        self.speech_model_combo.setObjectName("speechModelCombo")
        self.speech_model_combo.setEditable(True)
        self.speech_model_combo.addItem("tiny.en (bundled)", None)
        if settings.speech_model:
            self.speech_model_combo.addItem(settings.speech_model, settings.speech_model)
            self.speech_model_combo.setCurrentIndex(1)
        form.addRow("Speech &model:", self.speech_model_combo)
        self.llm_box = QCheckBox("Ask the local &LLM (Ollama) for a review after each answer")
        self.llm_box.setChecked(settings.llm_enabled)
        form.addRow(self.llm_box)
        self.host_edit = QLineEdit(settings.ollama_host or "")
        self.host_edit.setObjectName("hostEdit")
        self.host_edit.setPlaceholderText("http://127.0.0.1:11434 (or OLLAMA_HOST)")
        form.addRow("Ollama &host:", self.host_edit)
        row = QHBoxLayout()
        self.llm_model_combo = QComboBox()
        self.llm_model_combo.setEditable(True)
        self.llm_model_combo.addItem("")
        if settings.llm_model:
            self.llm_model_combo.addItem(settings.llm_model)
            self.llm_model_combo.setCurrentText(settings.llm_model)
        self.llm_model_combo.lineEdit().setPlaceholderText("picked automatically")
        self.check_button = QPushButton("Chec&k server")
        self.check_button.clicked.connect(self.check_ollama)
        row.addWidget(self.llm_model_combo, 1)
        row.addWidget(self.check_button)
        model_label = QLabel("LLM m&odel:")
        model_label.setBuddy(self.llm_model_combo)
        form.addRow(model_label, row)
        self.remote_box = QCheckBox("Allow sending my answers off this computer (an Ollama "
                                    "cloud model, or an Ollama host elsewhere)")
        self.remote_box.setObjectName("allowRemoteBox")
        self.remote_box.setToolTip("Off: Greenroom never sends a transcript to ollama.com or "
                                   "another machine, and says so instead of reviewing.")
        self.remote_box.setChecked(settings.llm_allow_remote)
        form.addRow(self.remote_box)
        self.ollama_status = QLabel()
        self.ollama_status.setObjectName("ollamaStatus")
        self.ollama_status.setWordWrap(True)
        form.addRow(self.ollama_status)
        layout.addWidget(box)

        # data ------------------------------------------------------------------------
        box = QGroupBox("Your data")
        form = QFormLayout(box)
        row = QHBoxLayout()
        self._initial_data_dir = store.data_dir_for_next_start() or str(paths.data_dir())
        self.data_edit = QLineEdit(self._initial_data_dir)
        self.data_edit.setObjectName("dataEdit")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse_data)
        row.addWidget(self.data_edit, 1)
        row.addWidget(browse)
        data_label = QLabel("&Data folder:")
        data_label.setBuddy(self.data_edit)
        form.addRow(data_label, row)
        note = QLabel(f"In use now: {friendly_path(paths.data_dir())}. A new folder takes effect the next time "
                      "Greenroom starts; recordings already made stay where they are.")
        note.setWordWrap(True)
        form.addRow(note)
        layout.addWidget(box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._load_lists()

    # ------------------------------------------------------------------ loading lists
    def _load_lists(self) -> None:
        def devices() -> list[Any]:
            from audio.devices import list_input_devices

            return list_input_devices()

        def voices() -> list[Any]:
            from audio.tts import shared_synthesizer

            return shared_synthesizer().voices().result(timeout=30)

        def speech_models() -> list[Any]:
            from models.speech_models import list_models

            return list_models(paths.models_dir())

        run_in_background(devices, self._fill_devices, self.mic_status.setText, owner=self)
        run_in_background(voices, self._fill_voices, self.voice_status.setText, owner=self)
        run_in_background(speech_models, self._fill_speech_models, None, owner=self)

    def _fill_devices(self, devices: list[Any]) -> None:
        chosen = self.device_combo.currentData()
        self.device_combo.clear()
        self.device_combo.addItem(DEFAULT_ITEM, None)
        for d in devices:
            label = f"{d.name} ({d.host_api})" + (" — default" if d.is_default else "")
            self.device_combo.addItem(label, d.name)
        found = self.device_combo.findData(chosen)
        if chosen is not None and found < 0:
            self.device_combo.addItem(f"{chosen} (not connected)", chosen)
            found = self.device_combo.count() - 1
        self.device_combo.setCurrentIndex(max(0, found))
        if not devices:
            self.mic_status.setText("No microphone found: plug one in or enable it in your sound settings.")

    def _fill_voices(self, voices: list[Any]) -> None:
        chosen = self.voice_combo.currentData()
        self.voice_combo.clear()
        self.voice_combo.addItem(DEFAULT_ITEM, None)
        for v in voices:
            self.voice_combo.addItem(v.name, v.id)
        self.voice_combo.setCurrentIndex(max(0, self.voice_combo.findData(chosen)))

    def _fill_speech_models(self, listings: list[Any]) -> None:
        chosen = self.speech_model_combo.currentData()
        for listing in listings:
            if self.speech_model_combo.findData(listing.name) < 0:
                state = "installed" if listing.installed else "not installed"
                self.speech_model_combo.addItem(f"{listing.name} ({listing.size_mb} MB, {state})",
                                                listing.name)
        self.speech_model_combo.setCurrentIndex(max(0, self.speech_model_combo.findData(chosen)))

    # ------------------------------------------------------------------ actions
    def check_ollama(self) -> None:
        host = self.host_edit.text().strip() or None
        self.ollama_status.setText("Checking the Ollama server…")
        self.check_button.setEnabled(False)

        def status() -> dict[str, Any]:
            from models.ollama_server import server_status

            return server_status(host)

        run_in_background(status, self._show_ollama_status, self._ollama_failed, owner=self)

    def _ollama_failed(self, message: str) -> None:
        self.check_button.setEnabled(True)
        self.ollama_status.setText(message)

    def _show_ollama_status(self, status: dict[str, Any]) -> None:
        self.check_button.setEnabled(True)
        if not status.get("reachable"):
            self.ollama_status.setText(f"Not reachable: {status.get('error') or 'no answer'}. "
                                       "Greenroom's own feedback still works without it.")
            return
        models = [str(m) for m in status.get("models") or []]
        current = self.llm_model_combo.currentText()
        for name in models:
            if self.llm_model_combo.findText(name) < 0:
                self.llm_model_combo.addItem(name)
        self.llm_model_combo.setCurrentText(current)
        listed = ", ".join(models) if models else "no models yet (run `ollama pull llama3.2:3b`)"
        self.ollama_status.setText(f"Ollama {status.get('version') or ''} at {status.get('host')}: {listed}")

    def _preview_voice(self) -> None:
        text, rate, voice = PREVIEW_TEXT, self.rate_spin.value(), self.voice_combo.currentData()
        self.voice_status.setText("Preparing a preview…")

        def render_and_play() -> str:
            from audio.playback import Player
            from audio.tts import synthesize_to_wav

            wav = Path(tempfile.mkdtemp(prefix="greenroom-voice-")) / "preview.wav"
            synthesize_to_wav(text, wav, rate_wpm=rate, voice=voice)
            player = Player()
            player.play_file(wav)
            player.wait(30)
            return "Preview played."

        run_in_background(render_and_play, self.voice_status.setText, self.voice_status.setText, owner=self)

    def _toggle_mic_test(self, on: bool) -> None:
        if on:
            device = self.device_combo.currentData()
            self.mic_status.setText("Opening the microphone…")

            def open_mic() -> MicrophoneTest:
                test = MicrophoneTest(device)
                test.start()
                return test

            run_in_background(open_mic, self._mic_opened, self._mic_failed, owner=self)
        else:
            self._stop_mic_test()

    def _mic_opened(self, test: MicrophoneTest) -> None:
        if not self.mic_test_button.isChecked():
            test.stop()
            return
        self._mic_test = test
        self.mic_status.setText(f"Listening on {test.source.device_name}: speak and watch the meter.")
        self._meter_timer.start()

    def _mic_failed(self, message: str) -> None:
        self.mic_test_button.setChecked(False)
        self.mic_status.setText(message)

    def _poll_meter(self) -> None:
        test = self._mic_test
        if test is None:
            return
        self.mic_meter.set_level(test.level)
        if test.source.error:
            self.mic_status.setText(test.source.error)
            self.mic_test_button.setChecked(False)

    def _stop_mic_test(self) -> None:
        self._meter_timer.stop()
        test, self._mic_test = self._mic_test, None
        if test is not None:
            try:
                test.stop()
            except USER_ERRORS as exc:
                self.mic_status.setText(str(exc))
        self.mic_meter.set_level(0.0)

    def _browse_data(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose the data folder", self.data_edit.text())
        if folder:
            self.data_edit.setText(folder)

    # ------------------------------------------------------------------ results
    def practice_settings(self) -> PracticeSettings:
        previous = self.store.practice_settings()
        model_text = self.llm_model_combo.currentText().strip()
        speech = self.speech_model_combo.currentData()
        if speech is None and self.speech_model_combo.currentIndex() != 0:
            speech = self.speech_model_combo.currentText().strip() or None  # typed by hand
        return PracticeSettings(
            input_device=self.device_combo.currentData(),
            voice=self.voice_combo.currentData(),
            rate_wpm=self.rate_spin.value(),
            speak_questions=self.speak_box.isChecked(),
            think_time_s=float(self.think_spin.value()),
            silence_stop_s=float(self.silence_spin.value()) or None,
            max_answer_s=previous.max_answer_s,
            speech_model=speech,
            llm_enabled=self.llm_box.isChecked(),
            ollama_host=self.host_edit.text().strip() or None,
            llm_model=model_text or None,
            llm_allow_remote=self.remote_box.isChecked(),
            follow_ups=self.follow_ups_box.isChecked(),
            follow_up_budget_s=float(self.budget_spin.value()),
            interviewer_style=str(self.style_combo.currentData()),
            interrupt_long_answers=self.interrupt_box.isChecked(),
            interruption_margin_s=float(self.margin_spin.value()) or None,
        )

    def save(self) -> None:
        self.store.save_practice_settings(self.practice_settings())
        prefs = self.store.ui_preferences()
        prefs.show_stage_hints = self.hints_box.isChecked()
        prefs.appearance = str(self.appearance_combo.currentData())
        self.store.save_ui_preferences(prefs)
        apply_appearance(prefs.appearance)
        folder = self.data_edit.text().strip()
        if folder != self._initial_data_dir:
            # Read at the next start (see SettingsStore.apply_data_dir), never mid-session.
            self.store.set_data_dir_for_next_start(folder or None)

    def accept(self) -> None:
        self.save()
        problem = self.store.save_problem()
        if problem is not None:
            # Kept open with what was chosen, to save again once the disk allows.
            QMessageBox.warning(self, "Settings not saved", problem)
            return
        self._stop_mic_test()
        super().accept()

    def reject(self) -> None:
        self._stop_mic_test()
        super().reject()
