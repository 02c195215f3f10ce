"""docs/ARCHITECTURE.md stays true to the code: what it names is there.

- every path it names in backticks (``app/store.py``, ``app/commands/``,
  ``interview_scripts/*.yaml``) exists, and every module among them imports;
- a name written right after a module (```app/store.py` `purge_hidden```,
  ```app/progress.py` `key_point_diff`, `changes```) is defined in that module;
- in the module table, the calls, classes and ``Class.attribute`` names a row's description
  gives are found in the row's modules (or, for a class of the project, on that class);
- a signature written out (```load_progress(store, script_id=None, question_id=None)```)
  names the function's parameters, all of them, in order;
- a dotted reference (``app.progress.key_point_diff``) resolves.

Prose in backticks (``hide_*``, ``GREENROOM_HOME``, ``live=… or path=…``) is left alone.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"
PACKAGES = ("app", "audio", "models", "interview_scripts")
TICKED = re.compile(r"`([^`\n]+)`")
PATH = re.compile(rf"^(?:{'|'.join(PACKAGES)})/[\w/.*-]*$")
DOTTED = re.compile(rf"^(?:{'|'.join(PACKAGES)})(?:\.\w+)+(?:\(\))?$")
NAME = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(.*\))?(?:\s*->\s*.+)?$")
# Between a module and the names that belong to it: spaces, commas, brackets, "and".
JOINER = re.compile(r"^(?:[\s,()]|\band\b)*$")


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def ticked(text: str) -> list[re.Match[str]]:
    return list(TICKED.finditer(text))


def paths_named(text: str) -> list[str]:
    return sorted({m.group(1) for m in ticked(text) if PATH.match(m.group(1))})


def module_of(path: str) -> str:
    """``app/store.py`` → ``app.store``; a folder (``models/coach/``) → its package."""
    return ".".join(Path(path.rstrip("/")).with_suffix("").parts)


def modules_of(path: str) -> list[ModuleType]:
    """The module a path names; for a package folder, it and the modules in it."""
    if "*" in path or not (path.endswith(".py") or (ROOT / path / "__init__.py").is_file()):
        return []
    found = [importlib.import_module(module_of(path))]
    if path.endswith("/"):
        found += [importlib.import_module(module_of(str(p.relative_to(ROOT))))
                  for p in sorted((ROOT / path).glob("*.py")) if p.name != "__init__.py"]
    return found


# ---------------------------------------------------------------- names and signatures
@dataclasses.dataclass(frozen=True)
class Reference:
    text: str  # as the doc writes it
    dotted: str  # the name without a call or return: "Store.purge_hidden"
    params: list[str] | None  # the parameters a written-out signature names

    @classmethod
    def parse(cls, text: str) -> Reference | None:
        if not NAME.match(text):
            return None
        head, _, rest = text.partition("(")
        params = None
        if rest:
            inside = rest.rsplit(")", 1)[0] if ")" in rest else rest
            params = _parameters(inside)
        return cls(text, head.strip(), params)


def _parameters(inside: str) -> list[str] | None:
    """The names of ``a, b=None, c=`` as a call's parameters; None when the text is not a
    plain list of them (``...``, an example value, prose)."""
    if not inside.strip():
        return []
    written = re.sub(r"=\s*(?=,|$)", "=None", inside.strip())  # "before=" names a keyword
    try:
        call = ast.parse(f"f({written})", mode="eval")
    except SyntaxError:
        return None
    node = call.body
    if not isinstance(node, ast.Call) or not all(isinstance(a, ast.Name) for a in node.args):
        return None
    if any(a.id[:1].isupper() for a in node.args if isinstance(a, ast.Name)):
        return None  # `coach(question, Feedback)`: a sketch with types, not parameter names
    return [a.id for a in node.args if isinstance(a, ast.Name)] + [
        k.arg for k in node.keywords if k.arg is not None]


def _attribute(owner: Any, name: str) -> Any:
    """``getattr`` that also finds what only instances have: dataclass and pydantic fields,
    and attributes a class's methods set on ``self``."""
    if hasattr(owner, name):
        return getattr(owner, name)
    if inspect.isclass(owner):
        if dataclasses.is_dataclass(owner) and name in {f.name for f in dataclasses.fields(owner)}:
            return None
        if name in getattr(owner, "model_fields", {}):
            return None
        try:
            source = inspect.getsource(owner)
        except (OSError, TypeError):
            source = ""
        if re.search(rf"\bself\.{re.escape(name)}\s*(?::[^=\n]+)?=(?!=)", source):
            return None
    raise AttributeError(name)


def resolve(owners: list[Any], dotted: str) -> Any:
    """``dotted`` looked up on the first owner that has it; AttributeError if none does."""
    for owner in owners:
        try:
            value = owner
            for part in dotted.split("."):
                value = _attribute(value, part)
            return value
        except AttributeError:
            continue
    raise AttributeError(dotted)


def signature_problem(ref: Reference, value: Any) -> str | None:
    if ref.params is None or value is None or not callable(value):
        return None
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return None
    real = [p for p in signature.parameters.values()
            if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    names = [p.name for p in real]
    required = {p.name for p in real if p.default is p.empty}
    # Written from the first parameter on, in order, leaving out only a tail of defaults:
    # a call written as the doc shows it binds each argument where the doc says.
    if ref.params != names[:len(ref.params)] or not required <= set(ref.params):
        return f"`{ref.text}`: the code's parameters are ({', '.join(names)})"
    return None


def classes_of(modules: list[ModuleType]) -> list[type]:
    return [value for module in modules for value in vars(module).values()
            if inspect.isclass(value) and value.__module__ == module.__name__]


def project_names(modules: list[ModuleType]) -> SimpleNamespace:
    """Every class defined in ``modules`` and every module by its last name (``paths``,
    ``interview_scripts``), for references a row makes to the rest of the project."""
    names: dict[str, Any] = {}
    for module in modules:
        for part in range(1, module.__name__.count(".") + 1):
            package = importlib.import_module(module.__name__.rsplit(".", part)[0])
            names.setdefault(package.__name__.rsplit(".", 1)[-1], package)
        names.setdefault(module.__name__.rsplit(".", 1)[-1], module)
    for value in classes_of(modules):
        names.setdefault(value.__name__, value)
    return SimpleNamespace(**names)


# ---------------------------------------------------------------- what the doc says
def table_rows(text: str, heading: str) -> Iterator[list[str]]:
    """The cells of each body row of the table under ``heading``."""
    section = text.split(heading, 1)[1]
    for line in section.splitlines()[1:]:
        if line.startswith("## "):
            return
        if line.startswith("|") and not line.startswith(("|---", "| module", "| decision")):
            yield [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def beside_modules(text: str) -> Iterator[tuple[str, Reference]]:
    """(module path, name) for each name written right after a module path."""
    for line in text.splitlines():
        matches = ticked(line)
        current: str | None = None
        for previous, match in zip([None, *matches], matches, strict=False):
            token = match.group(1)
            between = line[previous.end():match.start()] if previous is not None else ""
            if PATH.match(token):
                current = token
                continue
            if current is None or not JOINER.match(between):
                current = None
                continue
            ref = Reference.parse(token)
            if ref is None:
                current = None
                continue
            yield current, ref


def test_the_doc_names_the_modules_it_maps() -> None:
    text = doc_text()
    assert len(paths_named(text)) > 60, "the module table was not found"
    assert "## Where decisions live" in text


def test_every_path_the_doc_names_exists() -> None:
    missing = []
    for path in paths_named(doc_text()):
        if "*" in path:
            ok = any(ROOT.glob(path))
        elif path.endswith("/"):
            ok = (ROOT / path).is_dir()
        else:
            ok = (ROOT / path).is_file()
        if not ok:
            missing.append(path)
    assert missing == []


def test_every_module_the_doc_names_imports() -> None:
    failed = []
    for path in paths_named(doc_text()):
        try:
            modules_of(path)
        except Exception as exc:  # noqa: BLE001 - any failure to import is the finding
            failed.append(f"{path}: {type(exc).__name__}: {exc}")
    assert failed == []


def test_every_name_written_beside_a_module_is_in_it() -> None:
    wrong = []
    pairs = list(beside_modules(doc_text()))
    assert len(pairs) > 25, "no `module` `name` pairs were found"
    for path, ref in pairs:
        try:
            value = resolve(modules_of(path), ref.dotted)
        except AttributeError:
            wrong.append(f"{path} has no `{ref.dotted}`")
            continue
        problem = signature_problem(ref, value)
        if problem:
            wrong.append(f"{path} {problem}")
    assert wrong == []


def test_what_each_module_row_describes_is_in_its_modules() -> None:
    """Calls, classes and ``Class.attribute`` names in a row's description."""
    text = doc_text()
    elsewhere = project_names([m for p in paths_named(text) for m in modules_of(p)])
    wrong = []
    checked = 0
    for cells in table_rows(text, "## Modules and their contracts"):
        paths = [m.group(1) for m in ticked(cells[0]) if PATH.match(m.group(1))]
        owners = [m for p in paths for m in modules_of(p)]
        for match in ticked(" | ".join(cells[1:])):
            ref = Reference.parse(match.group(1))
            if ref is None:
                continue
            head = ref.dotted.split(".")[0]
            is_class = head[:1].isupper() and not head.isupper()
            if ref.params is None and "(" not in ref.text and not is_class:
                continue  # a plain lower-case word: a column, a setting, prose
            if hasattr(builtins, head):
                continue  # `str(err)`: Python's, as an example
            try:
                # The row's modules, then their classes (a method named in the row), then
                # a class or module of the project named by its own name.
                value = resolve([*owners, *classes_of(owners), elsewhere], ref.dotted)
            except AttributeError:
                wrong.append(f"{' '.join(paths)}: `{ref.text}` is not found")
                continue
            checked += 1
            problem = signature_problem(ref, value)
            if problem:
                wrong.append(f"{' '.join(paths)}: {problem}")
    assert checked > 40, "the module table's names were not read"
    assert wrong == []


def test_every_dotted_reference_resolves() -> None:
    wrong = []
    for match in ticked(doc_text()):
        token = match.group(1)
        if not DOTTED.match(token):
            continue
        parts = token.removesuffix("()").split(".")
        for cut in range(len(parts), 0, -1):
            try:
                module = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            try:
                resolve([module], ".".join(parts[cut:])) if parts[cut:] else None
            except AttributeError:
                wrong.append(token)
            break
        else:
            wrong.append(token)
    assert wrong == []


@pytest.mark.parametrize(("text", "params"), [
    ("load_progress(store, script_id=None, question_id=None)", ["store", "script_id", "question_id"]),
    ("purge_hidden(before=)", ["before"]),
    ("data_dir()", []),
    ("coach_recording(question, transcriber, live=… or path=…)", None),
    ('parse_time_guide("5-7 minutes") -> TimeGuide(min_s, max_s, text)', None),
    ("read_user_file(...)", None),
])
def test_signatures_are_read_only_where_they_are_written_out(text: str, params: Any) -> None:
    ref = Reference.parse(text)
    assert ref is not None and ref.params == params


def test_a_wrong_name_or_signature_beside_a_module_is_caught() -> None:
    """The checks fail on a doc that says what the code does not."""
    stale = ("| x | `app/store.py` `purge_everything`; `app/progress.py` "
             "`load_progress(store, question_id=None)` |")
    found = {(path, ref.dotted): ref for path, ref in beside_modules(stale)}
    assert set(found) == {("app/store.py", "purge_everything"), ("app/progress.py", "load_progress")}
    with pytest.raises(AttributeError):
        resolve(modules_of("app/store.py"), "purge_everything")
    written = found[("app/progress.py", "load_progress")]
    problem = signature_problem(written, resolve(modules_of("app/progress.py"), written.dotted))
    assert problem is not None and "(store, script_id, question_id)" in problem
    # Left out from the end, with their defaults, is fine; a required one is not.
    load_progress = resolve(modules_of("app/progress.py"), "load_progress")
    shorter, nothing = Reference.parse("load_progress(store)"), Reference.parse("load_progress()")
    assert shorter is not None and signature_problem(shorter, load_progress) is None
    assert nothing is not None and signature_problem(nothing, load_progress) is not None
