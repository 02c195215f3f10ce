"""packaging/greenroom.spec for each system, read as data: the spec runs here with the
platform switched to macOS, Windows and Linux, and PyInstaller's build steps replaced by
recorders, so the test sees exactly what each branch would hand PyInstaller (the .app's
Info.plist and icon, the .exe's icon and version resource, Linux's share/ folder).

The icons are checked as files too: the .icns and .ico that packaging/render_icons.py
writes hold every size, each one the SVG's own drawing.
"""

from __future__ import annotations

import plistlib
import struct
import sys
import tomllib
import types
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "greenroom.spec"
APP_ID = "io.greenroom.Greenroom"
ICNS = PACKAGING / "icons" / f"{APP_ID}.icns"
ICO = PACKAGING / "icons" / f"{APP_ID}.ico"
SVG = PACKAGING / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


class Call:
    """One call the spec made: its positional and keyword arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs


class Analysis(Call):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pure: list[Any] = []
        self.scripts: list[Any] = []
        self.datas = [("PySide6/Qt/translations/qt_de.qm", "x", "DATA"), ("models/prompts/a.md", "y", "DATA")]
        self.binaries = [("PySide6/Qt/plugins/tls/libqopensslbackend.so", "z", "BINARY")]


def _versioninfo_stand_in() -> types.ModuleType:
    module = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
                 "VarFileInfo", "VarStruct"):
        setattr(module, name, type(name, (Call,), {}))
    return module


@pytest.fixture
def run_spec(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Runs the spec as PyInstaller would, on the platform asked for; returns the calls by
    step name and the folder it used as DISTPATH. PyInstaller's own version-resource classes
    are used when given, else stand-ins that record their arguments."""
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda package: []  # type: ignore[attr-defined]
    hooks.collect_submodules = lambda package: [package]  # type: ignore[attr-defined]
    monkeypatch.setattr(sys, "path", list(sys.path))

    def run(platform: str, versioninfo: types.ModuleType | None = None
            ) -> tuple[dict[str, list[Call]], Path]:
        for name in ("PyInstaller", "PyInstaller.utils", "PyInstaller.utils.win32"):
            monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
        monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
        monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32.versioninfo",
                            versioninfo or _versioninfo_stand_in())
        calls: dict[str, list[Call]] = {}

        def step(name: str, kind: type[Call] = Call) -> Any:
            def record(*args: Any, **kwargs: Any) -> Call:
                call = kind(*args, **kwargs)
                calls.setdefault(name, []).append(call)
                return call
            return record

        dist = tmp_path / platform / "dist"
        dist.mkdir(parents=True)
        namespace = {
            "__file__": str(SPEC), "__name__": "__main__", "SPECPATH": str(PACKAGING),
            "DISTPATH": str(dist), "Analysis": step("Analysis", Analysis), "PYZ": step("PYZ"),
            "EXE": step("EXE"), "COLLECT": step("COLLECT"), "BUNDLE": step("BUNDLE"),
        }
        real = sys.platform
        sys.platform = platform
        try:
            exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
        finally:
            sys.platform = real
        return calls, dist

    return run


def _only(calls: dict[str, list[Call]], name: str) -> Call:
    assert len(calls.get(name, [])) == 1, f"{name} called {len(calls.get(name, []))} times"
    return calls[name][0]


def _strings(resource: Call) -> dict[str, str]:
    """The StringStruct pairs anywhere in a version resource."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, Call):
            if type(node).__name__ == "StringStruct":
                found[node.args[0]] = node.args[1]
            for value in [*node.args, *node.kwargs.values()]:
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(resource)
    return found


def _find(resource: Call, kind: str) -> Call:
    stack: list[Any] = [resource]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            if type(node).__name__ == kind:
                return node
            stack += [*node.args, *node.kwargs.values()]
        elif isinstance(node, list | tuple):
            stack += list(node)
    raise AssertionError(f"no {kind} in the version resource")


# ------------------------------------------------------------------------ macOS
def test_macos_builds_an_app_that_asks_for_the_microphone(run_spec: Any) -> None:
    calls, dist = run_spec("darwin")
    bundle = _only(calls, "BUNDLE")
    assert bundle.args == (_only(calls, "COLLECT"),)
    assert bundle.kwargs["name"] == "Greenroom.app"
    assert bundle.kwargs["bundle_identifier"] == APP_ID
    assert bundle.kwargs["version"] == VERSION
    assert Path(bundle.kwargs["icon"]) == ICNS

    plist = bundle.kwargs["info_plist"]
    # PyInstaller merges only a dict into the plist it writes; a path would be dropped.
    assert isinstance(plist, dict)
    prompt = plist["NSMicrophoneUsageDescription"]
    assert "record" in prompt and len(prompt) > 30
    assert plist["CFBundleIdentifier"] == APP_ID
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == VERSION
    assert plist["CFBundleName"] == "Greenroom"
    # The plist on disk is what the spec merged, plus the version.
    on_disk = plistlib.loads((PACKAGING / "Info.plist").read_bytes())
    assert {k: v for k, v in plist.items() if k in on_disk} == on_disk

    exe = _only(calls, "EXE")
    assert exe.kwargs["console"] is False  # a windowed .app, no Terminal window
    assert "version" not in exe.kwargs
    assert not (dist / "greenroom" / "share").exists()


# ---------------------------------------------------------------------- Windows
def test_windows_exe_has_the_icon_and_a_version_resource(run_spec: Any) -> None:
    calls, dist = run_spec("win32")
    assert "BUNDLE" not in calls
    exe = _only(calls, "EXE")
    assert Path(exe.kwargs["icon"]) == ICO
    assert exe.kwargs["console"] is True  # `greenroom --version` and the CLI print to it
    resource = exe.kwargs["version"]
    fixed = _find(resource, "FixedFileInfo")
    numbers = tuple(int(p) for p in VERSION.split("."))
    assert fixed.kwargs["filevers"][:len(numbers)] == numbers
    assert len(fixed.kwargs["filevers"]) == len(fixed.kwargs["prodvers"]) == 4
    strings = _strings(resource)
    assert strings["ProductVersion"] == strings["FileVersion"] == VERSION
    assert strings["OriginalFilename"] == "greenroom.exe"
    assert strings["ProductName"] == "Greenroom"
    assert not (dist / "greenroom" / "share").exists()


def test_the_version_resource_is_one_pyinstaller_writes(run_spec: Any) -> None:
    """The same spec with PyInstaller's own classes, on Windows (where that module loads; the
    workflow's Windows job runs this): the resource is built and renders to the text
    PyInstaller reads."""
    if sys.platform != "win32":
        pytest.skip("PyInstaller's version-resource module loads only on Windows")
    versioninfo = pytest.importorskip("PyInstaller.utils.win32.versioninfo")
    calls, _ = run_spec("win32", versioninfo)
    resource = _only(calls, "EXE").kwargs["version"]
    assert isinstance(resource, versioninfo.VSVersionInfo)
    text = str(resource)
    assert f"StringStruct('ProductVersion', '{VERSION}')" in text
    assert "StringStruct('OriginalFilename', 'greenroom.exe')" in text
    numbers = ", ".join(str(n) for n in (*map(int, VERSION.split(".")), 0))
    assert f"filevers=({numbers})" in text


# ------------------------------------------------------------------------ Linux
def test_linux_lays_out_the_share_folder_and_no_platform_extras(run_spec: Any) -> None:
    calls, dist = run_spec("linux")
    assert "BUNDLE" not in calls
    exe = _only(calls, "EXE")
    assert "icon" not in exe.kwargs and "version" not in exe.kwargs
    share = dist / "greenroom" / "share"
    assert (share / "applications" / f"{APP_ID}.desktop").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()


def test_every_system_drops_the_unused_qt_parts(run_spec: Any) -> None:
    for platform in ("darwin", "win32", "linux"):
        calls, _ = run_spec(platform)
        analysis = _only(calls, "Analysis")
        assert [d[0] for d in analysis.datas] == ["models/prompts/a.md"]
        assert analysis.binaries == []


# ------------------------------------------------------------------------ icons
def _icns_entries(data: bytes) -> dict[bytes, bytes]:
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    entries, at = {}, 8
    while at < len(data):
        kind, length = data[at:at + 4], struct.unpack(">I", data[at + 4:at + 8])[0]
        assert length > 8 and at + length <= len(data)
        entries[kind] = data[at + 8:at + length]
        at += length
    assert at == len(data)
    return entries


def _ico_entries(data: bytes) -> dict[int, bytes]:
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    entries = {}
    for i in range(count):
        width, height, _, _, planes, bits, size, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i:22 + 16 * i])
        assert width == height and (planes, bits) == (1, 32)
        entries[width or 256] = data[offset:offset + size]
    return entries


def _image(png: bytes, qapp: Any) -> Any:
    from PySide6.QtGui import QImage

    image = QImage()
    assert image.loadFromData(png, "PNG")
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def _svg_drawing(size: int) -> Any:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def _same_drawing(a: Any, b: Any) -> bool:
    """Equal within a few levels per channel: renderers may round antialiased edges apart."""
    import numpy as np

    def pixels(image: Any) -> Any:
        return np.frombuffer(bytes(image.constBits()), dtype=np.uint8).astype(int)

    return a.size() == b.size() and int(np.abs(pixels(a) - pixels(b)).max()) <= 8


ICNS_SIZES = {b"icp4": 16, b"ic11": 32, b"icp5": 32, b"ic12": 64, b"icp6": 64, b"ic07": 128,
              b"ic13": 256, b"ic08": 256, b"ic14": 512, b"ic09": 512, b"ic10": 1024}


def test_icns_holds_every_size_drawn_from_the_svg(qapp: Any) -> None:
    entries = _icns_entries(ICNS.read_bytes())
    assert set(entries) == set(ICNS_SIZES)
    for kind, size in ICNS_SIZES.items():
        image = _image(entries[kind], qapp)
        assert (image.width(), image.height()) == (size, size), kind
    for kind in (b"icp4", b"ic07", b"ic10"):
        assert _same_drawing(_image(entries[kind], qapp), _svg_drawing(ICNS_SIZES[kind])), kind


def test_ico_holds_every_size_windows_asks_for_drawn_from_the_svg(qapp: Any) -> None:
    entries = _ico_entries(ICO.read_bytes())
    assert {16, 24, 32, 48, 256} <= set(entries)
    for size, png in entries.items():
        image = _image(png, qapp)
        assert (image.width(), image.height()) == (size, size)
        assert _same_drawing(image, _svg_drawing(size)), size


def test_qt_reads_both_icon_files_as_icons(qapp: Any) -> None:
    """An independent reader: Qt's own icns and ico plugins open the files we wrote."""
    from PySide6.QtGui import QImageReader

    for path, count in ((ICNS, len(ICNS_SIZES)), (ICO, len(_ico_entries(ICO.read_bytes())))):
        reader = QImageReader(str(path))
        assert reader.canRead(), path
        assert reader.imageCount() == count, path
