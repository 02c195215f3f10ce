"""A small disk of the test's own: a tmpfs mounted for one test, which the test fills to
the last byte with a ballast file and frees again by deleting it, as a candidate frees
space on a laptop. Also turned read-only, or taken away, in place.

Mounting needs root (``make test`` and the machine-local CI run as root). Elsewhere the
tests skip with the reason, unless ``GREENROOM_REQUIRE_MOUNTS=1`` (set by ``make test``
when it runs as root): then a mount that fails is a failure, never a quiet skip.

Test modules load the fixture with ``pytest_plugins = ("tests.small_disk",)``. The module
holds no asserts, so it asks pytest not to rewrite it (PYTEST_DONT_REWRITE).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SIZE = "6m"
CHUNKS = (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1)


class SmallDisk:
    """A tmpfs at ``root``; ``fill`` leaves it with no free byte, ``free`` gives it all back."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ballast = root / "ballast.bin"
        self.mounted = True

    def fill(self, leave_bytes: int = 0) -> None:
        """Write zeros until the disk refuses one more byte, then give back
        ``leave_bytes`` (a nearly full disk)."""
        fd = os.open(self.ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in CHUNKS:
                block = b"\0" * size
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, block)
            if leave_bytes:
                os.ftruncate(fd, max(0, os.fstat(fd).st_size - leave_bytes))
        finally:
            os.close(fd)

    def free(self) -> None:
        self.ballast.unlink(missing_ok=True)

    @property
    def free_bytes(self) -> int:
        stats = os.statvfs(self.root)
        return stats.f_bavail * stats.f_frsize

    def remount(self, *options: str) -> None:
        """``remount("ro")`` turns the disk read-only in place, ``remount("rw")`` back."""
        _run(["mount", "-o", ",".join(("remount", *options)), str(self.root)])

    def unplug(self) -> None:
        """Take the disk away at once (a lazy unmount): its path is left an empty folder,
        as a mount point is when its disk goes."""
        _run(["umount", "-l", str(self.root)])
        self.mounted = False


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=20)


def _cannot_mount(reason: str) -> None:
    message = f"cannot mount a small disk for this test ({reason}); run it as root (make test)"
    if os.environ.get("GREENROOM_REQUIRE_MOUNTS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def mount_small_disk(where: Path, size: str = SIZE) -> SmallDisk:
    if not sys.platform.startswith("linux"):
        _cannot_mount("a tmpfs is Linux's")
    if os.geteuid() != 0:
        _cannot_mount("mounting needs root")
    where.mkdir(parents=True, exist_ok=True)
    try:
        _run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)])
    except (OSError, subprocess.SubprocessError) as exc:
        _cannot_mount(str(getattr(exc, "stderr", "") or exc).strip())
    return SmallDisk(where)


def unmount(disk: SmallDisk) -> None:
    if disk.mounted:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            _run(["umount", "-l", str(disk.root)])


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """A fresh small disk, unmounted after the test."""
    disk = mount_small_disk(tmp_path / "disk")
    try:
        yield disk
    finally:
        unmount(disk)


@pytest.fixture
def data_on_small_disk(small_disk: SmallDisk, monkeypatch: pytest.MonkeyPatch) -> SmallDisk:
    """The data folder (GREENROOM_HOME) on the small disk."""
    monkeypatch.setenv("GREENROOM_HOME", str(small_disk.root / "greenroom"))
    return small_disk
