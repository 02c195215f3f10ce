"""Which part of Greenroom may import which: read from every module's imports (AST).

``app`` drives the libraries; ``models`` may use ``audio`` and ``interview_scripts``;
``audio`` and ``interview_scripts`` stand alone. Qt is the desktop window's alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "audio", "models", "interview_scripts")
ALLOWED: dict[str, set[str]] = {
    "app": {"app", "audio", "models", "interview_scripts"},
    "models": {"models", "audio", "interview_scripts"},
    "audio": {"audio"},
    "interview_scripts": {"interview_scripts"},
}
QT_PREFIXES = ("PySide6", "shiboken6", "pytestqt")


def imported_names(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """Every module name ``tree`` imports, at any depth (imports inside functions count)."""
    found: list[tuple[int, str]] = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def modules() -> list[tuple[str, Path]]:
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out.append((dotted, path))
    return out


def arrows_against_the_rules(source: str, module: str) -> list[str]:
    top = module.split(".")[0]
    wrong = []
    for line, name in imported_names(ast.parse(source), module):
        target = name.split(".")[0]
        if target in PACKAGES and target not in ALLOWED[top]:
            wrong.append(f"{module}:{line} imports {name} ({top} → {target} is not allowed)")
        if name.startswith(QT_PREFIXES) and not module.startswith("app.ui"):
            wrong.append(f"{module}:{line} imports {name} (Qt belongs in app.ui only)")
    return wrong


def test_every_import_follows_the_layering() -> None:
    found = modules()
    assert len(found) > 60, "the project's modules were not found"
    wrong = []
    for module, path in found:
        wrong += arrows_against_the_rules(path.read_text(encoding="utf-8"), module)
    assert wrong == []


@pytest.mark.parametrize(("module", "source", "complaint"), [
    ("audio.recorder", "from app.errors import GreenroomError\n", "audio → app"),
    ("audio.tts", "def f():\n    import models.transcriber\n", "audio → models"),
    ("interview_scripts.loader", "from app import paths\n", "interview_scripts → app"),
    ("models.coach.answer", "from app.store import Store\n", "models → app"),
    ("models.coach.answer", "from ..store import x\n", None),
    ("models.transcriber", "from PySide6.QtCore import QObject\n", "Qt belongs in app.ui"),
    ("app.practice", "import PySide6\n", "Qt belongs in app.ui"),
    ("app.ui.main_window", "from PySide6.QtWidgets import QWidget\n", None),
    ("app.practice", "from models.coach import coach_answer\n", None),
])
def test_the_rule_catches_each_wrong_arrow(module: str, source: str, complaint: str | None) -> None:
    wrong = arrows_against_the_rules(source, module)
    if complaint is None:
        assert wrong == []
    else:
        assert len(wrong) == 1 and complaint in wrong[0]
