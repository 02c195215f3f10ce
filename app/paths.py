"""Where Greenroom keeps things.

One place decides every path. ``GREENROOM_HOME`` overrides the data root (tests,
portable installs); otherwise platformdirs picks the per-user data folder. The data
folder holds private recordings, so it is created 0700 and files in it are 0600.

Those modes protect it on Linux and macOS. Windows keeps only a read-only bit (``os.chmod``
there changes nothing else); what keeps the folder private is where it lives: under
``%LOCALAPPDATA%``, inside the user's profile, whose access list lets in only that user,
SYSTEM and administrators.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "greenroom"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def data_dir() -> Path:
    """The root of the user's data: database, recordings, own scripts."""
    override = os.environ.get("GREENROOM_HOME")
    if not override:
        return ensure_private_dir(default_data_dir())
    root = Path(override).expanduser()
    if not root.exists() and not root.parent.is_dir():
        # A folder chosen on a disk or share that is not there now: making it anew (with
        # its parents) would start an empty history on whatever disk is underneath.
        from app.errors import DiskError

        raise DiskError(f"the data folder {root} cannot be reached: {root.parent} is not there "
                        "(a disk unplugged or a network share gone?); reconnect it, or set "
                        "GREENROOM_HOME to another folder", "gone", root.parent)
    return ensure_private_dir(root)


def default_data_dir(platform: str | None = None) -> Path:
    """The per-user data folder on ``platform``: ``~/.local/share/greenroom`` (or under
    ``$XDG_DATA_HOME``) on Linux, ``~/Library/Application Support/greenroom`` on macOS,
    ``%LOCALAPPDATA%\\greenroom`` on Windows (no author folder above it)."""
    platform = platform or sys.platform
    if platform == "win32":
        from platformdirs.windows import Windows as Dirs
    elif platform == "darwin":
        from platformdirs.macos import MacOS as Dirs
    else:
        from platformdirs.unix import Unix as Dirs
    return Path(Dirs(APP_NAME, appauthor=False).user_data_dir)


def modes_protect_files(platform: str | None = None) -> bool:
    """Whether 0700/0600 keep others out on ``platform`` (not on Windows: see above)."""
    return (platform or sys.platform) != "win32"


def ensure_private_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        # mkdir's mode is masked by umask and ignored for existing folders: set it explicitly.
        # On Windows this only clears the read-only bit; the profile's access list protects it.
        os.chmod(path, PRIVATE_DIR_MODE)
    except OSError as exc:
        raise _folder_error(path, exc) from None
    return path


def _folder_error(path: Path, exc: OSError) -> Exception:
    """One line naming the folder, what is wrong with it and the fix: a link to a disk
    that is not there, a full or read-only disk, or a folder that cannot be used."""
    from app.disk_faults import os_error_fault
    from app.errors import DiskError, StoreError

    if path.is_symlink() and not path.exists():
        target = os.readlink(path)
        return DiskError(f"{path} leads to {target}, which is not there (a disk unplugged or a "
                         "network share gone?); reconnect it, or remove the link to keep this "
                         "folder in the data folder again", "gone", path)
    fault = os_error_fault(exc, path, is_folder=True)
    if fault.kind in ("full", "read_only", "gone") and not isinstance(exc, FileExistsError):
        what = ("Greenroom cannot keep anything there" if fault.folder == path
                else f"Greenroom cannot use {path}")
        fix = {"full": "free some space, or set GREENROOM_HOME to a folder on another disk",
               "read_only": "make it writable, or set GREENROOM_HOME to a folder you can write "
                            "to (Settings, Your data, in the app)",
               "gone": "reconnect it, or set GREENROOM_HOME to another folder"}[fault.kind]
        return DiskError(fault.describe(what, fix), fault.kind, fault.folder)
    return StoreError(f"cannot use the data folder {path} ({exc.strerror or exc}); "
                      "set GREENROOM_HOME to a folder you own")


def database_path() -> Path:
    return data_dir() / "greenroom.sqlite3"


def recordings_dir() -> Path:
    return ensure_private_dir(data_dir() / "recordings")


def user_scripts_dir() -> Path:
    """Where the user's own interview scripts live; shown in the app and CLI."""
    return ensure_private_dir(data_dir() / "scripts")


def models_dir() -> Path:
    """Speech models the user asked to download (never filled without being asked)."""
    return ensure_private_dir(data_dir() / "models")


def bundled_scripts_dir() -> Path:
    """The interview scripts that ship with Greenroom."""
    override = os.environ.get("GREENROOM_BUNDLED_SCRIPTS")
    if override:
        return Path(override)
    import interview_scripts

    return interview_scripts.bundled_dir()


def script_folders() -> list[tuple[Path, bool]]:
    """Where the catalogue looks for scripts: the bundled ones, then the user's own."""
    return [(bundled_scripts_dir(), True), (user_scripts_dir(), False)]


def make_private_file(path: Path) -> None:
    if path.exists():
        os.chmod(path, PRIVATE_FILE_MODE)  # Windows: the read-only bit only (see above)
