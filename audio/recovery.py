"""Finding and repairing recordings that a crash, kill or power cut left unfinished.

While a recording runs, ``NAME.wav.recording`` sits next to ``NAME.wav``; a clean stop
removes it. A recording is unfinished when that marker is still there, or when the WAV
header's sizes disagree with the bytes actually on disk (the header is rewritten at most
a second behind the data, so after a crash the file is usually a little longer than the
header says). Repair trusts the bytes: it keeps every whole sample present, drops a
partial trailing one and rewrites the header to match.

A recording still going on in another window (or in a command, or in a process stopped
with its lid closed) is not unfinished: its recorder holds a lock on the marker for as
long as it records, and the system drops that lock the moment the process ends, however
it ends. ``is_live`` asks for the lock, so recovery never repairs or coaches a recording
under someone's feet, and finds a killed one at once.
"""

from __future__ import annotations

import os
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from audio.errors import AudioError
from audio.wav_writer import HEADER_BYTES, fsync_folder, wav_header

MARKER_SUFFIX = ".recording"
# What a marker-bearing file with no readable header is assumed to be: the recorder's format.
RECORDER_RATE = 16_000


def marker_path(wav_path: Path) -> Path:
    """The sidecar that says "this recording has not been stopped cleanly"."""
    wav_path = Path(wav_path)
    return wav_path.with_name(wav_path.name + MARKER_SUFFIX)


def hold_marker(handle: BinaryIO) -> bool:
    """Take the recorder's lock on an open marker, without waiting; False if another
    handle holds it. The lock lasts until ``handle`` is closed or its process ends."""
    if sys.platform == "win32":
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def is_live(wav_path: Path) -> bool:
    """Whether a recorder, in this process or another, is still recording ``wav_path``."""
    try:
        with open(marker_path(wav_path), "rb") as handle:
            # Taken and let go at once (closing the handle releases it).
            return not hold_marker(handle)
    except OSError:
        return False  # no marker, or none readable: nobody can be holding it


@dataclass(frozen=True)
class WavLayout:
    riff_size: int
    channels: int
    sample_rate: int
    block_align: int
    data_offset: int
    data_size: int


def read_layout(path: Path) -> WavLayout | None:
    """Where the PCM data lies in a RIFF/WAVE file; None when it is not one."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        riff_size = struct.unpack("<I", head[4:8])[0]
        fmt: tuple[int, int, int] | None = None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                return None
            chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"fmt ":
                body = f.read(size + (size & 1))
                if len(body) < 16:
                    return None
                _, channels, rate, _, block_align, _ = struct.unpack("<HHIIHH", body[:16])
                fmt = (channels, rate, block_align)
            elif chunk_id == b"data":
                if fmt is None:
                    return None
                # Stop here: after a crash this size can be stale, so nothing after it
                # can be located reliably (the recorder never writes chunks after data).
                return WavLayout(riff_size, fmt[0], fmt[1], max(fmt[2], 1), f.tell(), size)
            else:
                f.seek(size + (size & 1), os.SEEK_CUR)


def _header_disagrees(path: Path) -> bool:
    layout = read_layout(path)
    if layout is None:
        return False  # not a WAV at all: nothing this module can vouch for
    file_size = path.stat().st_size
    return (layout.riff_size + 8 != file_size
            or layout.data_offset + layout.data_size > file_size)


def find_unfinished(folder: Path) -> list[Path]:
    """Recordings directly in ``folder`` that were not stopped cleanly (sub-folders are
    the caller's to walk, so each file is reported once).

    A marker whose WAV never got created (a crash between the two) is deleted on the way:
    there is nothing to recover behind it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found: set[Path] = set()
    live: set[Path] = set()
    for marker in folder.glob("*.wav" + MARKER_SUFFIX):
        wav = marker.with_name(marker.name[: -len(MARKER_SUFFIX)])
        if is_live(wav):
            live.add(wav)  # still being recorded (or about to be): not ours to touch
        elif wav.is_file():
            found.add(wav)
        else:
            # The crash came before the WAV existed: the marker alone means nothing.
            marker.unlink(missing_ok=True)
    for wav in folder.glob("*.wav"):
        if wav in found or wav in live or not wav.is_file():
            continue
        try:
            if _header_disagrees(wav):
                found.add(wav)
        except OSError:
            continue  # unreadable right now; a later scan will see it again
    return sorted(found)


def repair(path: Path) -> float:
    """Make ``path`` a valid WAV holding every whole sample on disk; returns its duration."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: recording not found; it may have been moved or deleted")
    marker = marker_path(path)
    try:
        layout = read_layout(path)
        if layout is None:
            if not marker.exists():
                raise AudioError(f"{path.name}: not a WAV recording, so it cannot be repaired")
            layout = _assume_recorder_layout(path)
        duration = _fix_sizes(path, layout)
    except OSError as exc:
        raise AudioError(f"{path.name}: could not repair the recording ({exc.strerror}); "
                         "check the disk is writable") from None
    marker.unlink(missing_ok=True)
    fsync_folder(path.parent)
    return duration


def _assume_recorder_layout(path: Path) -> WavLayout:
    """A marker-bearing file whose header never reached the disk: write the recorder's."""
    with open(path, "r+b") as f:
        size = os.fstat(f.fileno()).st_size
        if size < HEADER_BYTES:
            f.truncate(0)  # a torn header and no audio: leave an empty, valid WAV
        f.seek(0)
        f.write(wav_header(RECORDER_RATE, 0))
    return WavLayout(36, 1, RECORDER_RATE, 2, HEADER_BYTES, 0)


def _fix_sizes(path: Path, layout: WavLayout) -> float:
    if layout.sample_rate <= 0:
        raise AudioError(f"{path.name}: the WAV header names no sample rate; cannot repair it")
    if not _header_disagrees(path):
        # Already consistent (possibly with chunks after the data): leave the bytes alone.
        return layout.data_size // layout.block_align / layout.sample_rate
    with open(path, "r+b") as f:
        file_size = os.fstat(f.fileno()).st_size
        present = max(file_size - layout.data_offset, 0)
        whole = present - present % layout.block_align
        end = layout.data_offset + whole
        if end != file_size:
            f.truncate(end)  # drops a sample the crash cut in half
        f.seek(4)
        f.write(struct.pack("<I", end - 8))
        f.seek(layout.data_offset - 4)
        f.write(struct.pack("<I", whole))
        f.flush()
        os.fsync(f.fileno())
    return whole / layout.block_align / layout.sample_rate
