"""Open the Greenroom window."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from app import paths
from app.errors import USER_ERRORS, GreenroomError

DESKTOP_ID = "io.greenroom.Greenroom"  # packaging/io.greenroom.Greenroom.desktop
ICON_FILE = Path(__file__).resolve().parent / "icons" / f"{DESKTOP_ID}.svg"


def main(argv: list[str] | None = None, script: str | None = None,
         question: str | None = None) -> int:
    """Open the window; with ``script`` (id or path) go straight into practising it
    (``greenroom practice --script S`` without --no-gui)."""
    _check_display()
    # Qt is imported here, not at module level, so `greenroom --help` stays fast.
    try:
        from PySide6.QtCore import QCoreApplication, Qt
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        raise GreenroomError(f"the Qt libraries could not be loaded ({exc}); run `make run`, "
                             "which installs the system packages Qt needs") from None

    from app.ui.settings_store import APPLICATION, ORGANIZATION, SettingsStore

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    if QGuiApplication.instance() is None:
        # Crisp at fractional scales (125 %, 150 %) instead of rounding to whole pixels.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    # No display name: Qt would append it to every title ("Greenroom — … — Greenroom").
    # The desktop entry's id ties the window to the installed launcher and its icon.
    QGuiApplication.setDesktopFileName(DESKTOP_ID)
    app.setWindowIcon(_icon())

    settings_store = SettingsStore()
    # A data folder chosen in Settings applies from this start on; before any path is used.
    settings_store.apply_data_dir()
    from app.ui.theme import apply_appearance

    apply_appearance(settings_store.ui_preferences().appearance, app)

    from app.ui.main_window import MainWindow

    window = MainWindow(settings_store)
    # Once the window has painted (a full collection before it would delay the first look).
    window.firstPainted.connect(_freeze_start_up)
    window.show()
    # What a crash or a quit left half-done is finished in the background.
    window.finish_earlier_answers()
    if script:
        _start_script(window, script, question)
    elif not settings_store.ui_preferences().first_run_done:
        window.open_first_run_check()
    return int(app.exec())



def _freeze_start_up() -> None:
    """Start-up objects (Qt wrappers, models, scripts) live as long as the window: moving
    them out of the collector's reach keeps full collections, which run on the GUI thread
    (``app.ui.gui_collector``), short, so painting never waits long on one."""
    gc.collect()
    gc.freeze()


def _icon():  # -> QIcon
    """The installed theme icon where there is one, else the copy shipped with the code."""
    from PySide6.QtGui import QIcon

    return QIcon.fromTheme(DESKTOP_ID, QIcon(str(ICON_FILE)))


def _check_display() -> None:
    """Without a screen Qt aborts the whole process; say so in one line instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise GreenroomError("no graphical display found (DISPLAY is not set); start Greenroom "
                             "from your desktop, or practise in a terminal with "
                             "`greenroom practice --script ID --no-gui`")


def _start_script(window: object, ref: str, question: str | None) -> None:
    from interview_scripts.catalogue import find_script

    try:
        chosen = find_script(ref, paths.script_folders())
        questions = [chosen.question(question)] if question else list(chosen.questions)
    except (*USER_ERRORS, KeyError) as exc:
        message = str(exc) if isinstance(exc, USER_ERRORS) else str(exc.args[0])
        window.show_problem(message)  # type: ignore[attr-defined]
        return
    window.start_interview(chosen, questions)  # type: ignore[attr-defined]


# Last, so every function main() calls is defined when run as `python -m app.ui.launch`.
if __name__ == "__main__":
    sys.exit(main())
