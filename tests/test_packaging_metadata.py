"""The Linux desktop metadata in packaging/: valid to the freedesktop.org tools, and
consistent with itself (one application id for the metainfo, the desktop entry and the
icons, and an icon at every size the desktop entry can ask for).

The validators come from desktop-file-utils and appstream, which `make test` installs; a
missing validator fails these tests rather than skipping them.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parent.parent / "packaging"
APP_ID = "io.greenroom.Greenroom"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
HICOLOR = PACKAGING / "icons" / "hicolor"
PNG_SIZES = (16, 32, 48, 64, 128, 256)


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing; `make test` installs it (Debian package {package})")
    return path


def _desktop_entry() -> dict[str, str]:
    entry: dict[str, str] = {}
    for line in DESKTOP.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            entry[key.strip()] = value.strip()
    return entry


def test_desktop_entry_is_valid() -> None:
    result = subprocess.run([_tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)],
                            capture_output=True, text=True, timeout=60)
    # It exits 0 on mere warnings and hints; those count as failures here too.
    report = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and not report, report


def test_metainfo_is_valid() -> None:
    result = subprocess.run(
        [_tool("appstreamcli", "appstream"), "validate", "--no-net", "--strict", "--explain",
         str(METAINFO)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_installed_tree_is_valid(tmp_path: Path) -> None:
    """Laid out as the bundle's share/ folder, the metainfo finds its desktop entry."""
    share = tmp_path / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    shutil.copy2(DESKTOP, share / "applications")
    shutil.copy2(METAINFO, share / "metainfo")
    shutil.copytree(HICOLOR, share / "icons" / "hicolor")
    result = subprocess.run(
        [_tool("appstreamcli", "appstream"), "validate-tree", "--no-net", "--strict", "--explain",
         str(tmp_path)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_application_id_everywhere() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    launchable = root.find("launchable[@type='desktop-id']")
    assert launchable is not None and launchable.text == DESKTOP.name
    binaries = [b.text for b in root.iterfind("provides/binary")]
    entry = _desktop_entry()
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] in binaries
    spec = (PACKAGING / "greenroom.spec").read_text(encoding="utf-8")
    assert f'APP_ID = "{APP_ID}"' in spec
    plist = (PACKAGING / "Info.plist").read_text(encoding="utf-8")
    assert f"<string>{APP_ID}</string>" in plist


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icon_at_each_size(size: int) -> None:
    png = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert png.is_file(), f"{png} is missing; `make icons` renders it from the SVG"
    assert _png_size(png) == (size, size)


def test_scalable_icon_is_a_square_svg() -> None:
    svg = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert width == height
    # Self-contained: a desktop icon cannot fetch or include anything.
    text = svg.read_text(encoding="utf-8")
    assert "xlink:href" not in text and "<image" not in text and "http://" not in text.replace(
        "http://www.w3.org/2000/svg", "")
