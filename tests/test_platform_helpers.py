"""The helpers that differ by system, run here with the platform switched: where the data
folder is, whether file modes protect it, which speech engine renders (and a real render
through macOS's `say` command, played by a stand-in), what the doctor says, and how a
folder is opened."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import wave
from pathlib import Path
from typing import Any

import pytest

from app import doctor, paths
from audio import tts
from audio.errors import AudioError

LOCAL_APPDATA = r"C:\Users\ann\AppData\Local"


# ------------------------------------------------------------------ the data folder
def test_data_folder_on_each_system(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    # platformdirs reads this before asking Windows itself, which it cannot do here.
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", LOCAL_APPDATA)

    assert paths.default_data_dir("linux") == tmp_path / "xdg" / "greenroom"
    monkeypatch.delenv("XDG_DATA_HOME")  # platformdirs honours it on macOS too
    assert paths.default_data_dir("linux") == tmp_path / "home" / ".local" / "share" / "greenroom"
    assert paths.default_data_dir("darwin") == \
        tmp_path / "home" / "Library" / "Application Support" / "greenroom"
    windows = str(paths.default_data_dir("win32"))
    # One folder under %LOCALAPPDATA%, not greenroom\greenroom (no author level).
    assert windows.startswith(LOCAL_APPDATA) and windows[len(LOCAL_APPDATA):].strip("\\/") == "greenroom"


def test_without_an_override_the_data_folder_is_the_systems_own(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GREENROOM_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = paths.default_data_dir()
    assert paths.data_dir() == expected and expected.is_dir()
    assert expected.is_relative_to(tmp_path)


def test_file_modes_protect_the_data_only_off_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    assert paths.modes_protect_files("linux") and paths.modes_protect_files("darwin")
    assert not paths.modes_protect_files("win32")
    monkeypatch.setattr(sys, "platform", "win32")
    assert not paths.modes_protect_files()


@pytest.mark.skipif(sys.platform == "win32", reason="sets a POSIX mode to check the warning")
def test_doctor_warns_of_a_readable_data_folder_except_on_windows(
        monkeypatch: pytest.MonkeyPatch, greenroom_home: Path) -> None:
    paths.data_dir()
    monkeypatch.setattr(paths, "ensure_private_dir", lambda path: path)  # keep the loose mode
    os.chmod(greenroom_home, 0o755)  # as an older version or another tool may leave it
    assert doctor._data_folder().status == "warning"
    # Windows reports every folder as 0777: no warning there, its access list protects it.
    monkeypatch.setattr(sys, "platform", "win32")
    assert stat.S_IMODE(greenroom_home.stat().st_mode) == 0o755
    assert doctor._data_folder().status == "ok"


def test_doctor_asks_for_espeak_and_portaudio_only_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes.util

    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(sys, "platform", "linux")
    linux = doctor._system_libraries()
    assert linux.status == "problem" and "espeak-ng" in linux.detail
    for platform, name in (("darwin", "macOS"), ("win32", "Windows")):
        monkeypatch.setattr(sys, "platform", platform)
        check = doctor._system_libraries()
        assert check.status == "ok" and name in check.detail


# ------------------------------------------------------------------- speech engine
def test_each_system_has_its_speech_engine_and_its_own_fix() -> None:
    assert [tts.speech_driver(p) for p in ("linux", "win32", "darwin")] == ["espeak", "sapi5", "say"]
    assert "espeak-ng" in tts.engine_fix("linux")
    assert "Settings > Time & language > Speech" in tts.engine_fix("win32")
    assert "System Settings > Accessibility > Spoken Content" in tts.engine_fix("darwin")


@pytest.mark.parametrize(("platform", "driver"), [("win32", "sapi5"), ("linux", "espeak")])
def test_the_synthesizer_asks_pyttsx3_for_the_systems_driver(
        platform: str, driver: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import pyttsx3

    asked: list[object] = []

    def init(driver_name: object = None, debug: bool = False) -> None:
        asked.append(driver_name)
        raise RuntimeError("no such engine on this machine")

    monkeypatch.setattr(pyttsx3, "init", init)
    synth = tts.SpeechSynthesizer(platform=platform)
    try:
        with pytest.raises(AudioError) as caught:
            synth.render("Hello.", tmp_path / "x.wav").result(timeout=10)
    finally:
        synth.close()
    assert asked == [driver]
    assert tts.engine_fix(platform) in str(caught.value)


FAKE_SAY = """\
#!{python}
# Stands in for macOS's `say`: logs how it was called, then writes what it was asked for.
import json, math, struct, sys, wave
args = sys.argv[1:]
text = sys.stdin.read() if "-f" in args else ""
with open({log!r}, "a") as log:
    log.write(json.dumps({{"args": args, "stdin": text}}) + "\\n")
if text == "Refuse this.":
    sys.exit("Opening output file failed: fmt?")
if args[:2] == ["-v", "?"]:
    print("Albert              en_US    # Hello! My name is Albert.")
    print("Eddy (English (UK)) en_GB    # Hello! My name is Eddy.")
    print("Thomas              fr_FR    # Bonjour, je m'appelle Thomas.")
    sys.exit(0)
out = args[args.index("-o") + 1]
assert "--file-format=WAVE" in args and "--data-format=LEI16@22050" in args
with wave.open(out, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 8))) for i in range(11025)))
"""


@pytest.fixture
def fake_say(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if sys.platform == "win32":
        pytest.skip("the stand-in `say` is a script started through its #! line")
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "say.log"
    say = folder / "say"
    say.write_text(FAKE_SAY.format(python=sys.executable, log=str(log)), encoding="utf-8")
    say.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


def _calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_on_macos_say_renders_the_wav_with_the_rate_and_voice_asked(
        fake_say: Path, tmp_path: Path) -> None:
    synth = tts.SpeechSynthesizer(platform="darwin")
    try:
        voices = synth.voices().result(timeout=30)
        first = synth.render("-v is not an option here.", tmp_path / "a.wav", rate_wpm=150).result(30)
        named = synth.render("Second.", tmp_path / "b.wav", voice="Eddy (English (UK))").result(30)
        default = synth.render("Third.", tmp_path / "c.wav").result(30)
    finally:
        synth.close()
    assert [(v.id, v.languages) for v in voices] == [
        ("Albert", ("en_US",)), ("Eddy (English (UK))", ("en_GB",)), ("Thomas", ("fr_FR",))]
    for path in (first, named, default):
        with wave.open(str(path), "rb") as w:
            assert (w.getframerate(), w.getnframes()) == (22050, 11025)
    renders = [c for c in _calls(fake_say) if "-o" in c["args"]]
    assert [c["stdin"] for c in renders] == ["-v is not an option here.", "Second.", "Third."]
    rate = [c["args"][c["args"].index("-r") + 1] for c in renders]
    assert rate == ["150", str(tts.DEFAULT_RATE_WPM), str(tts.DEFAULT_RATE_WPM)]
    voice = [c["args"][c["args"].index("-v") + 1] if "-v" in c["args"] else None for c in renders]
    # A named voice holds for its own request only; then the system's voice again.
    assert voice == [None, "Eddy (English (UK))", None]


def test_on_macos_a_failing_say_is_one_line_audio_error(
        fake_say: Path, tmp_path: Path) -> None:
    synth = tts.SpeechSynthesizer(platform="darwin")
    try:
        with pytest.raises(AudioError) as caught:
            synth.render("Refuse this.", tmp_path / "x.wav").result(timeout=30)
    finally:
        synth.close()
    message = str(caught.value)
    assert "`say` could not render speech (Opening output file failed: fmt?)" in message
    assert "\n" not in message


def test_on_macos_without_say_the_fix_says_where_voices_are(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    synth = tts.SpeechSynthesizer(platform="darwin")
    try:
        with pytest.raises(AudioError) as caught:
            synth.render("Hello.", tmp_path / "x.wav").result(timeout=10)
    finally:
        synth.close()
    assert "`say` command was not found" in str(caught.value)
    assert "Spoken Content" in str(caught.value)


# ------------------------------------------------------------------ opening a folder
@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_the_scripts_folder_opens_through_qt_on_every_system(
        platform: str, monkeypatch: pytest.MonkeyPatch, qapp: Any) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    from app.ui import pick_screen

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)

    def no_programs(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a folder was opened by running a program: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_programs)
    if hasattr(os, "startfile"):
        monkeypatch.setattr(os, "startfile", no_programs)
    monkeypatch.setattr(sys, "platform", platform)
    pick_screen.PickScreen.open_user_folder(None)  # type: ignore[arg-type]
    assert [url.toLocalFile() for url in opened] == [str(paths.user_scripts_dir()).replace(os.sep, "/")]
    assert opened[0].isLocalFile()


def test_ui_code_opens_folders_only_through_qt() -> None:
    """No `xdg-open`, `open` or `explorer` run by the app's windows: QDesktopServices picks
    the system's file manager on each system."""
    root = Path(__file__).resolve().parent.parent / "app"
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for program in ("xdg-open", "os.startfile", '"explorer"', "'explorer'", '["open"', "['open'"):
            if program in text:
                offenders.append(f"{path.relative_to(root.parent)}: {program}")
    assert not offenders, textwrap.indent("\n".join(offenders), "  ")
