"""Where Greenroom keeps things.

One place decides every path. ``GREENROOM_HOME`` overrides the data root (tests,
portable installs); otherwise platformdirs picks the per-user data folder. The data
folder holds private recordings, so it is created 0700 and files in it are 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "greenroom"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def data_dir() -> Path:
    """The root of the user's data: database, recordings, own scripts."""
    override = os.environ.get("GREENROOM_HOME")
    root = Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME))
    return ensure_private_dir(root)


def ensure_private_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        # mkdir's mode is masked by umask and ignored for existing folders: set it explicitly.
        os.chmod(path, PRIVATE_DIR_MODE)
    except OSError as exc:
        from app.errors import StoreError

        raise StoreError(f"cannot use the data folder {path} ({exc.strerror or exc}); "
                         "set GREENROOM_HOME to a folder you own") from None
    return path


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
        os.chmod(path, PRIVATE_FILE_MODE)
