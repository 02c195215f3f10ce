"""Peak memory of the desktop app through one long answer: the window (offscreen), the
practice flow, both speech passes (the live one and the accurate one beside it), the
instant feedback and the refined feedback, all in one fresh process, as a candidate's
session runs."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from audio.audio_file import write_wav_16k
from benchmarks.speech_bench import build_answer, machine

SCRIPT = """\
title: Memory benchmark
role: Engineer
questions:
  - id: long
    text: Tell me about a tool you built.
    time_guide: 5-10 minutes
    framework: STAR
"""

CHILD = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from app.practice import PracticeSettings
from app.ui.main_window import MainWindow
from app.ui.settings_store import SettingsStore
from audio.sources import WavFileSource
from benchmarks.speech_bench import peak_rss_mb

folder = Path(sys.argv[1])
app = QApplication([])
store = SettingsStore(QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat))
store.save_practice_settings(PracticeSettings(speak_questions=False, llm_enabled=False))
# The answer is fed as fast as it is read, so the live pass works flat out.
window = MainWindow(store, source_factory=lambda q: WavFileSource(folder / "answer.wav",
                                                                  realtime=False))
window.show()
picker = window.pick_screen
started = time.perf_counter()
refined = []
window.practice_screen.bridge.transcriptRefined.connect(lambda *a: refined.append(a))
chosen = []

def choose():
    # The pick screen reads the scripts on a worker: start once the script is listed.
    for row in range(picker.script_list.count()):
        if picker.script_list.item(row).text().startswith("Memory benchmark"):
            picker.script_list.setCurrentRow(row)
            chosen.append(row)
            picker.start_button.click()
            return

def check():
    if not chosen:
        choose()
    elif refined:
        print(f"app peak RSS through a {sys.argv[2]} min answer (window, live and accurate "
              f"passes, instant and refined feedback): {peak_rss_mb():.0f} MB "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
        app.quit()
    if time.perf_counter() - started > 1800:
        print("the refined feedback never came", flush=True)
        app.quit()

timer = QTimer()
timer.timeout.connect(check)
timer.start(200)
app.exec()
window.practice_screen.release()
"""


def run(quick: bool = False) -> None:
    print(f"machine: {machine()}")
    minutes = 3 if quick else 10
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        audio, _ = build_answer(minutes, folder, seed=11)
        write_wav_16k(folder / "answer.wav", audio)
        home = folder / "home"
        (home / "scripts").mkdir(parents=True)
        (home / "scripts" / "memory.yaml").write_text(SCRIPT, encoding="utf-8")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GREENROOM_HOME": str(home)}
        subprocess.run([sys.executable, "-c", CHILD, str(folder), str(minutes)], env=env,
                       check=True, timeout=2400)
