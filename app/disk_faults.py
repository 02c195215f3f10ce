"""Why a file under the data folder could not be written: a full disk, a read-only
folder, a folder that went away (an unplugged disk, a network share that dropped), or
a damaged database. Found by looking, never guessed from an error's words.

SQLite says "disk I/O error" for a full disk as often as "database or disk is full" (a
WAL database grows its shared-memory file first, and that fails as an I/O error), and
telling the candidate their database "may be damaged" sends them to put their whole
history aside. So a failed write is checked in this order: the errno or SQLite's own
code, whether the folder is still there, its free space, whether it can be written, and
only then ``PRAGMA integrity_check`` on the database itself.

This module only reads; it never changes a file.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

# With less free than this a save can fail for want of room (SQLite needs pages for its
# journal and shared memory; a recording grows by 32 kB a second), so it counts as full.
FULL_BELOW_BYTES = 1_000_000

FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
# What a disk that was unplugged, or a network share that went away, answers.
GONE_ERRNOS = frozenset(code for code in (
    errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, getattr(errno, "ESTALE", None),
    getattr(errno, "ENOTCONN", None), getattr(errno, "EHOSTDOWN", None),
    getattr(errno, "EHOSTUNREACH", None), getattr(errno, "ETIMEDOUT", None),
    getattr(errno, "ENOMEDIUM", None), getattr(errno, "ESHUTDOWN", None)) if code is not None)

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

Kind = Literal["full", "read_only", "gone", "damaged", "failed"]


@dataclass(frozen=True)
class DiskFault:
    """What was found: ``kind``, the ``folder`` it concerns, the free space seen there
    (None when it could not be measured) and the system's own words."""

    kind: Kind
    folder: Path
    free_bytes: int | None = None
    detail: str = ""

    def describe(self, what: str, fix: str = "") -> str:
        """One line: ``what`` could not be saved, why, and the fix (``fix`` replaces the
        usual one for its kind)."""
        free = "" if self.free_bytes is None else f" ({format_bytes(self.free_bytes)} free)"
        if self.kind == "full":
            cause = f"the disk holding {self.folder} is full{free}"
            fix = fix or "free some space and try again"
        elif self.kind == "read_only":
            cause = f"{self.folder} is read-only" + (f" ({self.detail})" if self.detail else "")
            fix = fix or ("make it writable, or set GREENROOM_HOME to a folder you can write to "
                          "(Settings → Data folder in the app)")
        elif self.kind == "gone":
            cause = (f"{self.folder} cannot be reached (a disk unplugged or a network share "
                     "gone?)")
            fix = fix or "reconnect it and try again"
        elif self.kind == "damaged":
            cause = f"the session database in {self.folder} failed its integrity check"
            fix = fix or "move it aside and Greenroom will start a new one"
        else:
            cause = (f"the disk under {self.folder} reported an error"
                     + (f" ({self.detail})" if self.detail else ""))
            fix = fix or "try again"
        return f"{cause}, so {what}; {fix}"


def format_bytes(size: int) -> str:
    """Decimal units, as file managers show them: '0 B', '980 kB', '1.2 MB', '31 GB'."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            break
        value /= 1000
    if unit == "B":
        return f"{int(value)} B"
    return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"


def free_bytes(folder: Path) -> int | None:
    try:
        return int(shutil.disk_usage(folder).free)
    except OSError:
        return None


def folder_fault(folder: Path) -> DiskFault | None:
    """What the disk under ``folder`` says now: gone, full or read-only; None when it
    looks able to take a write."""
    folder = Path(folder)
    try:
        if not folder.is_dir():
            return DiskFault("gone", folder, detail="not there")
    except OSError as exc:  # a share that dropped can fail even a stat
        return DiskFault("gone", folder, detail=exc.strerror or str(exc))
    free = free_bytes(folder)
    if free is None:
        return DiskFault("gone", folder, detail="its disk does not answer")
    if free < FULL_BELOW_BYTES:
        return DiskFault("full", folder, free)
    if not os.access(folder, os.W_OK):
        return DiskFault("read_only", folder, free)
    return None


def data_folder_warning(folder: Path) -> str | None:
    """What to tell the candidate before they record onto the data folder's disk, when it
    is full, read-only or gone: the window shows it at start-up. None when it looks fine."""
    fault = folder_fault(folder)
    if fault is None:
        return None
    fixes = {"full": "free some space; an answer that cannot be saved now is kept on disk and "
                     "finished when Greenroom next starts with room"}
    return fault.describe("answers may not be saved", fixes.get(fault.kind, ""))


def os_error_fault(exc: OSError, path: Path, is_folder: bool = False) -> DiskFault:
    """Why writing ``path`` (a file, or with ``is_folder`` a folder being made or set
    private) failed with ``exc``."""
    path = Path(path)
    folder = path if is_folder and path.is_dir() else path.parent
    code = exc.errno
    if code in FULL_ERRNOS:
        return DiskFault("full", folder, free_bytes(folder))
    if code == errno.EROFS:
        return DiskFault("read_only", folder, free_bytes(folder), "a read-only disk")
    seen = folder_fault(folder)
    if seen is not None:
        return seen
    if code in READ_ONLY_ERRNOS:
        return DiskFault("read_only", folder, free_bytes(folder), exc.strerror or "")
    if code in GONE_ERRNOS:
        return DiskFault("gone", folder, detail=exc.strerror or "")
    return DiskFault("failed", folder, free_bytes(folder), exc.strerror or str(exc))


def integrity_problem(database: Path) -> str | None:
    """``PRAGMA integrity_check`` on a read-only connection: None when it says ok, else
    its first finding. Never writes, so a full or read-only disk can still be checked
    (through a snapshot of the file when SQLite cannot map the WAL's shared memory there).
    A database that cannot be read at all raises ``sqlite3.Error``: unchecked is not
    damaged."""
    uri = Path(database).absolute().as_uri()
    wal = Path(f"{database}-wal")
    try:
        rows = _check(f"{uri}?mode=ro")
    except sqlite3.OperationalError:
        if wal.exists() and wal.stat().st_size > 0:
            raise
        rows = _check(f"{uri}?mode=ro&immutable=1")
    except sqlite3.DatabaseError as exc:  # not a database, or pages SQLite cannot read
        return str(exc)
    first = rows[0][0] if rows else "no answer"
    return None if first == "ok" else str(first)


def _check(uri: str) -> list[Any]:
    conn = sqlite3.connect(uri, uri=True, timeout=5.0)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


def database_fault(database: Path, exc: sqlite3.Error) -> DiskFault:
    """Why SQLite failed on ``database`` with ``exc``: the disk first, then the file."""
    database = Path(database)
    folder = database.parent
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    text = str(exc)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return DiskFault("damaged", folder, detail=text)  # SQLite's own finding on the pages
    seen = folder_fault(folder)
    if code == SQLITE_FULL or "disk is full" in text:
        return seen if seen is not None and seen.kind != "read_only" else DiskFault(
            "full", folder, free_bytes(folder))
    if seen is not None:
        return seen
    if code == SQLITE_READONLY:
        return DiskFault("read_only", database, free_bytes(folder), text)
    if code == SQLITE_CANTOPEN and not database.exists():
        return DiskFault("gone", database, detail="the database file is not there")
    if not database.exists():
        return DiskFault("failed", folder, free_bytes(folder), text)
    try:
        problem = integrity_problem(database)
    except (sqlite3.Error, OSError) as check:
        return DiskFault("failed", folder, free_bytes(folder),
                         f"{text}; the database could not be checked ({check})")
    if problem is not None:
        return DiskFault("damaged", folder, detail=f"{text}; the check found: {problem}")
    return DiskFault("failed", folder, free_bytes(folder),
                     f"{text}; the database checked out intact")


__all__ = ["DiskFault", "FULL_BELOW_BYTES", "data_folder_warning", "database_fault",
           "folder_fault", "format_bytes",
           "free_bytes", "integrity_problem", "os_error_fault"]
