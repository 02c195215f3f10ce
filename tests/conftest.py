"""Shared test setup.

- Every test gets its own empty data folder (GREENROOM_HOME).
- Network: only loopback and local (Unix) sockets may be opened. Greenroom is offline
  by construction; a test that tries anything else fails loudly.
- Audio tests need the PulseAudio virtual microphone that `make test` starts. Under
  `make test` (GREENROOM_REQUIRE_AUDIO=1) its absence is a failure, not a skip. An audio
  test that leaves a stream open on it fails: a finished playback stream that stays
  attached to the sink makes every later one underrun and lose most of its sound.
- Each test is marked with what of the machine it needs (needs_audio, needs_espeak,
  posix_modes, linux_only), worked out from its code, so CI off Linux can deselect them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.network_guard import guarded_connect, guarded_connect_ex
from tests.platform_marks import mark_platform_needs

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Model libraries must never reach a hub during tests.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by these marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """needs_audio, needs_espeak, posix_modes, linux_only: see tests/platform_marks.py."""
    mark_platform_needs(items)


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(autouse=True)
def greenroom_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("greenroom-home")
    monkeypatch.setenv("GREENROOM_HOME", str(home))
    return home


def _pulse_ready() -> bool:
    if not shutil.which("pactl"):
        return False
    try:
        return subprocess.run(["pactl", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def virtual_mic() -> str:
    """The PulseAudio sink whose monitor is the default microphone; play into it."""
    if not _pulse_ready():
        message = "PulseAudio virtual microphone not running (run the suite with `make test`)"
        if os.environ.get("GREENROOM_REQUIRE_AUDIO") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return "greenroom_mic"


def _open_audio_streams() -> list[str]:
    """Playback and recording streams connected to the PulseAudio server right now."""
    found: list[str] = []
    for kind in ("sink-inputs", "source-outputs"):
        try:
            listed = subprocess.run(["pactl", "list", "short", kind], capture_output=True,
                                    text=True, timeout=5).stdout
        except (OSError, subprocess.TimeoutExpired):
            return []  # no server to leave anything on
        found += [f"{kind[:-1]} {line.split()[0]}" for line in listed.splitlines() if line]
    return found


@pytest.fixture(autouse=True)
def _audio_streams_closed(request: pytest.FixtureRequest) -> Iterator[None]:
    """An audio test leaves no stream of its own open once its fixtures are torn down."""
    audio = "virtual_mic" in request.fixturenames and _pulse_ready()
    # Streams an earlier test left are that test's failure, not this one's.
    earlier = set(_open_audio_streams()) if audio else set()
    yield
    if not audio:
        return
    # Some owners close on a worker thread once the sound has ended: give them a moment.
    deadline = time.monotonic() + 3.0
    left = sorted(set(_open_audio_streams()) - earlier)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = sorted(set(_open_audio_streams()) - earlier)
    assert not left, f"audio streams left open on the virtual microphone: {left}"
