"""Which part of Greenroom may import which: read from every module's imports (AST).

``app`` drives the libraries; ``models`` may use ``audio`` and ``interview_scripts``;
``audio`` and ``interview_scripts`` stand alone. Qt is the desktop window's alone, and the
rest of ``app`` reaches into the window (``app.ui``) only through the entry points named
in ``UI_ENTRY_POINTS``. Imports by name (``importlib.import_module("…")``,
``__import__("…")``) count like ``import`` statements; one whose name is not written out
cannot be checked, and is refused outside the modules named in ``DYNAMIC_IMPORTS``.

The rule is shown to work: the tests at the end copy the source tree, put one wrong arrow
of each kind into the copy and check the rule names it.
"""

from __future__ import annotations

import ast
import importlib
import shutil
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
UI = "app.ui"
# The only ways from the rest of app into the window's package, each imported lazily, so
# the command line and the libraries it drives never load Qt unless they must:
UI_ENTRY_POINTS: dict[str, set[str]] = {
    # `greenroom` with no command opens the window.
    "app.cli": {"app.ui.launch"},
    # `greenroom practice` without --no-gui practises in the window.
    "app.commands.practice": {"app.ui.launch"},
    # A PDF is laid out by Qt's text engine; Markdown and HTML need no Qt.
    "app.export": {"app.ui.pdf_export"},
}
# Modules that import by a computed name, and why that is safe (checked below).
DYNAMIC_IMPORTS = {
    "app.cli": "imports the command modules listed in COMMAND_MODULES",
}


def _resolve(name: str, module: str, level: int) -> str:
    """``name`` imported ``level`` packages up from ``module`` (0: absolute)."""
    if not level:
        return name
    package = module.rsplit(".", 1)[0].split(".")  # a module's package; an __init__'s own
    base = package[:len(package) - level + 1]
    return ".".join([*base, name] if name else base)


def _string_import(node: ast.Call) -> ast.expr | None:
    """The name argument of ``importlib.import_module(…)``, ``import_module(…)`` or
    ``__import__(…)``; None when ``node`` is no such call."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(
        func, ast.Name) else None
    if called not in ("import_module", "__import__") or not node.args:
        return None
    return node.args[0]


def imported_names(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """Every module name ``tree`` imports, at any depth (imports inside functions count),
    imports by a written-out name included. ``from a import b`` gives ``a.b`` (``b`` may be
    a module); a name that cannot be read (computed at run time) gives ``"?"``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module or "", module, node.level)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call):
            argument = _string_import(node)
            if argument is None:
                continue
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                name = argument.value
                level = len(name) - len(name.lstrip("."))
                found.append((node.lineno, _resolve(name.lstrip("."), module, level)))
            else:
                found.append((node.lineno, "?"))
    return found


def modules(root: Path = ROOT) -> list[tuple[str, Path]]:
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            dotted = ".".join(path.relative_to(root).with_suffix("").parts)
            out.append((dotted, path))
    return out


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def arrows_against_the_rules(source: str, module: str) -> list[str]:
    top = module.split(".")[0]
    wrong = []
    for line, name in imported_names(ast.parse(source), module):
        where = f"{module}:{line} imports {name}"
        if name == "?":
            if module not in DYNAMIC_IMPORTS:
                wrong.append(f"{module}:{line} imports a module by a computed name (the "
                             "layering cannot be checked; write the name out)")
            continue
        target = name.split(".")[0]
        if target in PACKAGES and target not in ALLOWED[top]:
            wrong.append(f"{where} ({top} → {target} is not allowed)")
        if name.startswith(QT_PREFIXES) and not _within(module, UI):
            wrong.append(f"{where} (Qt belongs in app.ui only)")
        if _within(name, UI) and top == "app" and not _within(module, UI) and not any(
                _within(name, entry) for entry in UI_ENTRY_POINTS.get(module, ())):
            wrong.append(f"{where} (app → app.ui only through the entry points named in "
                         "UI_ENTRY_POINTS)")
    return wrong


def wrong_arrows(root: Path = ROOT) -> list[str]:
    wrong = []
    for module, path in modules(root):
        wrong += arrows_against_the_rules(path.read_text(encoding="utf-8"), module)
    return wrong


def test_every_import_follows_the_layering() -> None:
    assert len(modules()) > 60, "the project's modules were not found"
    assert wrong_arrows() == []


def test_the_named_entry_points_and_dynamic_imports_exist_and_are_checked() -> None:
    """A stale name in the lists would allow an arrow nobody meant to allow."""
    names = {module for module, _ in modules()}
    for module, targets in UI_ENTRY_POINTS.items():
        assert module in names and targets <= names, (module, targets)
    assert set(DYNAMIC_IMPORTS) <= names
    # The one computed import: every command module it loads obeys the rule itself.
    cli = importlib.import_module("app.cli")
    assert all(m in names for m in cli.COMMAND_MODULES)


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
    ("models.coach.answer", "import importlib\nimportlib.import_module('app.store')\n",
     "models → app"),
    ("audio.tts", "x = __import__('interview_scripts.loader')\n", "audio → interview_scripts"),
    ("models.transcriber", "from importlib import import_module\nimport_module('PySide6')\n",
     "Qt belongs in app.ui"),
    ("models.coach.answer", "import importlib\nimportlib.import_module(name)\n", "computed name"),
    ("app.commands.sessions", "from app.ui.pdf_export import write_pdf\n", "entry points"),
    ("app.commands.sessions", "from app.ui import launch\n", "entry points"),
    ("app.progress", "from app import ui\n", "entry points"),
    ("app.recovery", "from .ui.workers import run_in_background\n", "entry points"),
    ("app.export", "from app.ui.pdf_export import write_pdf\n", None),
    ("app.export", "from app.ui.launch import main\n", "entry points"),
    ("app.cli", "from app.ui import launch\n", None),
    ("app.ui.history_view", "from app.ui.feedback_view import FeedbackView\n", None),
])
def test_the_rule_catches_each_wrong_arrow(module: str, source: str, complaint: str | None) -> None:
    wrong = arrows_against_the_rules(source, module)
    if complaint is None:
        assert wrong == []
    else:
        assert len(wrong) == 1 and complaint in wrong[0]


# ---------------------------------------------------------------- the rule on a copied tree
@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the project's packages, for putting a wrong arrow in."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return tmp_path


def _append(tree: Path, relative: str, code: str) -> None:
    path = tree / relative
    assert path.is_file(), f"{relative} is not in the copied tree"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code, encoding="utf-8")


def test_the_copied_tree_is_clean(tree: Path) -> None:
    assert len(modules(tree)) == len(modules())
    assert wrong_arrows(tree) == []


@pytest.mark.parametrize(("relative", "code", "module", "complaint"), [
    # A string import through importlib in models, reaching up into the app.
    ("models/coach/answer.py",
     "def _late():\n    import importlib\n    return importlib.import_module('app.store')\n",
     "models.coach.answer", "imports app.store (models → app is not allowed)"),
    # The same through __import__, from a library that must stand alone.
    ("interview_scripts/loader.py", "def _late():\n    return __import__('models.transcript')\n",
     "interview_scripts.loader", "interview_scripts → models is not allowed"),
    # The rest of app reaching into the window outside the named entry points.
    ("app/commands/sessions.py",
     "def _pdf():\n    from app.ui.pdf_export import write_pdf\n    return write_pdf\n",
     "app.commands.sessions", "only through the entry points"),
    ("app/progress.py", "from app.ui.widgets.progress_chart import ProgressChart\n",
     "app.progress", "only through the entry points"),
    # Qt in a library, and in the app outside its window.
    ("audio/playback.py", "from PySide6.QtCore import QTimer\n", "audio.playback",
     "Qt belongs in app.ui only"),
    ("app/store.py", "def _clock():\n    from PySide6 import QtCore\n    return QtCore\n",
     "app.store", "Qt belongs in app.ui only"),
    # A library importing the app.
    ("models/coach/length.py", "from app.summary import AttemptSummary\n",
     "models.coach.length", "models → app is not allowed"),
    ("audio/recovery.py", "from app import paths\n", "audio.recovery",
     "audio → app is not allowed"),
])
def test_the_rule_fails_on_each_kind_of_wrong_arrow_put_into_the_tree(
        tree: Path, relative: str, code: str, module: str, complaint: str) -> None:
    _append(tree, relative, code)
    wrong = wrong_arrows(tree)
    assert len(wrong) == 1, wrong
    assert wrong[0].startswith(f"{module}:") and complaint in wrong[0]
