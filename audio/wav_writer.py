"""A 16-bit mono WAV file that grows on disk and stays playable while it grows.

The standard ``wave`` module only writes the final sizes when it is closed, so a crash
leaves a header that says "no audio". Here the header's RIFF and data sizes are rewritten
on every :meth:`GrowingWavWriter.sync` (the recorder calls it at least once a second) and
the file is flushed and fsync'd, so a crash or power cut loses at most the audio since
the last sync. The header is the plain 44-byte PCM layout with the data chunk last, which
is what :mod:`audio.recovery` expects when it repairs a file.
"""

from __future__ import annotations

import errno
import os
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

# Recordings are what the candidate said: readable by the user alone.
PRIVATE_FILE_MODE = 0o600
HEADER_BYTES = 44
RIFF_SIZE_OFFSET = 4
DATA_SIZE_OFFSET = 40
BYTES_PER_SAMPLE = 2


# What the disk answers when it is full, read-only, or gone (an unplugged disk, a network
# share that dropped): each needs its own fix, and none of them is the microphone's.
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_GONE = {code for code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO,
                           getattr(errno, "ESTALE", None), getattr(errno, "ENOTCONN", None),
                           getattr(errno, "EHOSTDOWN", None), getattr(errno, "ENOMEDIUM", None))
         if code is not None}


@dataclass(frozen=True)
class DiskProblem:
    """Why a recording could not be written: ``kind`` is ``full``, ``read_only``, ``gone``
    or ``failed``; ``cause`` and ``fix`` are the words around what stopped."""

    kind: str
    cause: str
    fix: str


def disk_problem(exc: OSError, folder: Path) -> DiskProblem:
    """What the errno of a failed write in ``folder`` means for the candidate."""
    if exc.errno in _FULL:
        return DiskProblem("full", f"the disk holding {folder} is full", "free some space")
    if exc.errno in _READ_ONLY:
        return DiskProblem("read_only", f"{folder} is read-only ({exc.strerror})",
                           "make it writable, or choose another data folder")
    if exc.errno in _GONE:
        return DiskProblem("gone", f"{folder} stopped answering ({exc.strerror}; a disk "
                           "unplugged or a network share gone?)", "reconnect it")
    return DiskProblem("failed", f"writing to {folder} failed ({exc.strerror or exc})",
                       "check that disk")


def wav_header(sample_rate: int, data_bytes: int, channels: int = 1) -> bytes:
    """The canonical 44-byte header for 16-bit PCM."""
    block_align = channels * BYTES_PER_SAMPLE
    return b"".join([
        b"RIFF", struct.pack("<I", 36 + data_bytes), b"WAVE",
        b"fmt ", struct.pack("<IHHIIHH", 16, 1, channels, sample_rate,
                             sample_rate * block_align, block_align, 8 * BYTES_PER_SAMPLE),
        b"data", struct.pack("<I", data_bytes),
    ])


def to_int16(samples: np.ndarray) -> np.ndarray:
    """float [-1, 1] (clipped) or int16 samples as int16."""
    samples = np.asarray(samples)
    if samples.dtype == np.int16:
        return samples
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)


def as_saved(samples: np.ndarray) -> np.ndarray:
    """Float samples exactly as they read back from the 16-bit WAV they are saved in, so
    audio kept in memory gives the same results as the recording on disk."""
    return to_int16(samples).astype(np.float32) / 32768.0


def create_private_file(path: Path) -> BinaryIO:
    """Open ``path`` for writing, truncated, readable only by the user (0600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    # The mode given to open() is ignored for a file that already existed. On Windows only
    # the read-only bit follows; the data folder's place in the profile keeps it private.
    os.chmod(path, PRIVATE_FILE_MODE)
    return os.fdopen(fd, "wb")


def fsync_folder(folder: Path) -> None:
    """Make a new file's directory entry durable too: POSIX only. Windows cannot open a
    folder as a file (os.open fails) and needs no such step: NTFS journals the entry
    itself. Elsewhere a failure to sync the folder is not an error for the recording."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class GrowingWavWriter:
    """Appends 16-bit mono samples to a WAV file; :meth:`sync` makes them durable."""

    def __init__(self, path: Path, sample_rate: int = 16_000) -> None:
        self.path = Path(path)
        self.sample_rate = int(sample_rate)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: BinaryIO | None = create_private_file(self.path)
        self._data_bytes = 0
        self._synced_bytes = -1
        self._file.write(wav_header(self.sample_rate, 0))
        self.sync()
        fsync_folder(self.path.parent)

    @property
    def frames(self) -> int:
        return self._data_bytes // BYTES_PER_SAMPLE

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate

    @property
    def closed(self) -> bool:
        return self._file is None

    def append(self, samples: np.ndarray) -> None:
        """Write samples at the end of the file.

        Each block goes straight to the operating system, so a killed process loses
        nothing it had received; only ``sync`` (fsync) also guards against a power cut.
        """
        if self._file is None:
            raise ValueError(f"{self.path.name}: writer already closed")
        data = to_int16(samples).astype("<i2", copy=False).tobytes()
        self._file.write(data)
        self._file.flush()
        self._data_bytes += len(data)

    def sync(self) -> None:
        """Rewrite the header sizes, flush and fsync: everything appended is now safe."""
        if self._file is None or self._synced_bytes == self._data_bytes:
            return
        f = self._file
        f.seek(RIFF_SIZE_OFFSET)
        f.write(struct.pack("<I", 36 + self._data_bytes))
        f.seek(DATA_SIZE_OFFSET)
        f.write(struct.pack("<I", self._data_bytes))
        f.seek(0, os.SEEK_END)
        f.flush()
        os.fsync(self._file.fileno())
        self._synced_bytes = self._data_bytes

    def close(self) -> None:
        if self._file is None:
            return
        try:
            self.sync()
        finally:
            self._file.close()
            self._file = None
