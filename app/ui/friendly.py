"""Small text helpers for what the window shows."""

from __future__ import annotations

from pathlib import Path


def friendly_path(path: Path | str) -> str:
    """A path with the home folder written as ~, the way people recognise it."""
    path = Path(path)
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)
