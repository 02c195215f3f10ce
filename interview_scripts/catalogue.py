"""The catalogue: every script in the folders the application names, and lookup by id.

Which folders to search is the caller's: the application passes its bundled folder
(``interview_scripts.bundled_dir()``) and the user's own, marking which are bundled.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from interview_scripts.errors import ScriptError
from interview_scripts.loader import load_script
from interview_scripts.script import InterviewScript

# (folder, bundled): bundled scripts are read-only in the app and listed first.
ScriptFolders = Sequence[tuple[Path, bool]]


def script_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def discover_scripts(folders: ScriptFolders) -> tuple[list[InterviewScript], list[ScriptError]]:
    """Every script in ``folders`` in order; broken files are reported, not fatal."""
    scripts: list[InterviewScript] = []
    problems: list[ScriptError] = []
    for folder, bundled in folders:
        for file in script_files(folder):
            try:
                scripts.append(load_script(file, bundled=bundled))
            except ScriptError as exc:
                problems.append(exc)
    return scripts, problems


def find_script(ref: str, folders: ScriptFolders) -> InterviewScript:
    """A script by its id in ``folders``, or by path to a YAML file."""
    candidate = Path(ref).expanduser()
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        return load_script(candidate)
    scripts, _ = discover_scripts(folders)
    for script in scripts:
        if script.id == ref:
            return script
    ids = ", ".join(s.id for s in scripts) or "none"
    raise ScriptError(f"no script '{ref}' (available: {ids}; or give a path to a .yaml file)")
