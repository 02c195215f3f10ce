"""The PyInstaller bundle: its size on disk and its cold start to a mapped window.

Needs the bundle (`make package`, or GREENROOM_BUNDLE=DIR) plus Xvfb, xev and xdotool, which
`make package` installs; without a bundle it says so and measures nothing. The window
time runs from starting the executable to the X server mapping its main window on a
private Xvfb screen, as reported by xev (x11-utils). Each start gets an empty data
folder, so each is a first start. As root, the first start runs after dropping the page
cache (every file read from disk again); the others find the files cached.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WINDOW_NAME = "interview practice"  # part of the main window's title
MIB = 1024 * 1024


def bundle_dir() -> Path:
    return Path(os.environ.get("GREENROOM_BUNDLE", ROOT / "dist" / "greenroom"))


def size_on_disk(folder: Path) -> tuple[int, int, dict[str, int]]:
    """Bytes and files under folder (symlinks not followed) and bytes per top-level part."""
    total = files = 0
    parts: dict[str, int] = {}
    inside = folder / "_internal"
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        files += 1
        rel = path.relative_to(inside if path.is_relative_to(inside) else folder)
        parts[rel.parts[0]] = parts.get(rel.parts[0], 0) + size
    return total, files, parts


def drop_page_cache() -> bool:
    """Write back and drop the page cache so the next start reads from disk; root only."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


class VirtualScreen:
    """A private Xvfb server on a free display number."""

    def __init__(self) -> None:
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.process.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def window_name(display: str, window: str) -> str:
    found = subprocess.run(["xdotool", "getwindowname", str(int(window, 16))],
                           env={**os.environ, "DISPLAY": display}, capture_output=True, text=True)
    return found.stdout.strip()


def start_to_window(exe: Path, display: str, timeout_s: float = 60.0) -> float:
    """Seconds from starting the bundle to its main window's MapNotify on the root window.

    xev reports every window mapped on the screen as it happens, so nothing polls the X
    server while the app starts: on two cores a polling loop would slow the start it times.
    """
    env = {**os.environ, "DISPLAY": display}
    watcher = subprocess.Popen(["stdbuf", "-oL", "xev", "-root", "-event", "substructure"],
                               env=env, stdout=subprocess.PIPE, text=True)
    assert watcher.stdout is not None
    time.sleep(0.5)  # xev prints nothing until an event comes: give it time to connect
    with tempfile.TemporaryDirectory(prefix="greenroom-bench-") as home:
        started = time.perf_counter()
        app = subprocess.Popen([str(exe)], cwd=home,
                               env={**env, "QT_QPA_PLATFORM": "xcb", "GREENROOM_HOME": home,
                                    "HOME": home},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = threading.Timer(timeout_s, watcher.kill)
        deadline.start()
        try:
            for line in watcher.stdout:
                if not line.startswith("MapNotify"):
                    continue
                mapped = time.perf_counter() - started
                match = re.search(r"window (0x[0-9a-f]+), override", watcher.stdout.readline())
                if match and WINDOW_NAME in window_name(display, match.group(1)):
                    return mapped
            raise RuntimeError(f"no window within {timeout_s:.0f} s (exit code {app.poll()})")
        finally:
            deadline.cancel()
            watcher.kill()
            watcher.wait()
            app.terminate()
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()


def command_time(exe: Path, *args: str) -> float:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="greenroom-bench-") as home:
        subprocess.run([str(exe), *args], env={**os.environ, "GREENROOM_HOME": home},
                       capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


def run(quick: bool = False) -> None:
    folder = bundle_dir()
    exe = folder / "greenroom"
    if not exe.is_file():
        print(f"no bundle at {folder}: build it with `make package` (skipped)")
        return
    missing = [tool for tool in ("Xvfb", "xdotool", "xev", "stdbuf") if shutil.which(tool) is None]
    if missing:
        print(f"missing {', '.join(missing)}: `make package` installs them (skipped)")
        return

    total, files, parts = size_on_disk(folder)
    print(f"bundle {folder.name}/: {total / MIB:.0f} MiB in {files} files")
    biggest = sorted(parts.items(), key=lambda item: item[1], reverse=True)[:8]
    print("  largest parts: " + ", ".join(f"{name} {size / MIB:.0f} MiB" for name, size in biggest))

    print(f"--version: {command_time(exe, '--version') * 1000:.0f} ms; "
          f"scripts list: {command_time(exe, 'scripts', 'list') * 1000:.0f} ms (page cache warm)")

    screen = VirtualScreen()
    try:
        cold = drop_page_cache()
        first = start_to_window(exe, screen.display)
        label = "page cache dropped" if cold else "page cache as found (not root: cannot drop it)"
        print(f"start to window, first start ({label}): {first:.2f} s")
        warm = [start_to_window(exe, screen.display) for _ in range(2 if quick else 5)]
        print(f"start to window, page cache warm: median {statistics.median(warm):.2f} s, "
              f"best {min(warm):.2f} s, worst {max(warm):.2f} s over {len(warm)} starts")
    finally:
        screen.close()
