"""The window's first paint imports only what it draws: no speech model, no local-model
client, no NumPy, no coach; and no worker starts before it (a worker running Python
shares the interpreter lock with the paint). Each is loaded when a practice, a dialog or History needs it
(or on a worker after the first paint), so the window shows within the start-up target
(benchmarks/cli_start_bench.py).

Checked in a fresh process, since this one has long imported everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Each of these costs the start-up a tenth of a second or more, or loads a native library.
NOT_AT_START = ("ollama", "httpx", "faster_whisper", "ctranslate2", "onnxruntime", "sounddevice",
                "pyttsx3", "numpy", "models.coach", "app.export", "app.ui.job_ad_dialog",
                "app.ui.import_dialog")

CHILD = """
import json, sys
NAMES = json.loads(sys.argv[1])

def loaded():
    return sorted(name for name in NAMES if name in sys.modules)

seen = {}
# Every job the window hands a worker, by name, to see which start before the first paint.
import app.ui.workers as workers
jobs = []
real_run = workers.run_in_background

def noted(fn, *args, **kwargs):
    jobs.append(getattr(fn, "__qualname__", repr(fn)))
    return real_run(fn, *args, **kwargs)

workers.run_in_background = noted
import app.ui.main_window as main_window
seen["imported"] = loaded()

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(["greenroom"])
window = main_window.MainWindow()
seen["made"] = loaded()

def after_the_paint():
    seen["jobs after the paint"] = sorted(set(jobs))
    app.quit()

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "painted" not in seen:
            seen["painted"] = loaded()
            seen["jobs before the paint"] = list(jobs)
            QTimer.singleShot(300, after_the_paint)
        return False

watch = FirstPaint()
window.installEventFilter(watch)
window.show()
QTimer.singleShot(20_000, app.quit)
app.exec()
print(json.dumps(seen))
"""


def test_the_window_paints_without_the_heavy_libraries(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GREENROOM_HOME": str(tmp_path / "home"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    child = subprocess.run([sys.executable, "-c", CHILD, json.dumps(NOT_AT_START)], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120, check=False)
    assert child.returncode == 0, child.stderr[-2000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    after = seen.pop("jobs after the paint")
    assert seen == {"imported": [], "made": [], "painted": [], "jobs before the paint": []}
    # The start-up work was only held back: the scripts are read, the disk checked, the
    # rows an earlier run deleted purged.
    assert len(after) >= 3 and any("reload" in job or "index_folders" in job for job in after), after
