"""`pip install` of Greenroom's wheel gives a working `greenroom`, bundled scripts and all.

The wheel is built from a copy of the source tree (no build isolation, so no download) and
installed with pip into a fresh virtual environment, which then runs `greenroom` from an
empty folder with no network. Nothing of the checkout is importable there: the tests assert
that Greenroom's packages load from the fresh environment.

"No network" is a fresh network namespace (``unshare -n`` as root, ``unshare -rn`` in a user
namespace otherwise) holding only a loopback device that is down; a quick test proves a
command run so cannot reach even this machine's own listening port. Where neither is
allowed the tests fail rather than run online (on Ubuntu, unprivileged user namespaces are
stopped by AppArmor unless kernel.apparmor_restrict_unprivileged_userns is 0). The module
needs Linux's network namespaces, so CI leaves it out on macOS and Windows.

Greenroom's dependencies (Qt, faster-whisper, the model: about 1 GB) are not downloaded
again for every run: the fresh environment sees the development environment's
site-packages through a .pth file placed after its own, and a check confirms they satisfy
every requirement the wheel declares. With GREENROOM_WHEEL_TEST_INDEX=1 pip instead
installs the dependencies from the package index (or its cache) under constraints.txt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.linux_only

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_IDS = sorted(p.stem for p in (ROOT / "interview_scripts").glob("*.yaml"))
# What a source tree holds that no build reads; copying the rest keeps build/ and
# *.egg-info, which setuptools writes beside the sources, out of the checkout.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
    ".ruff_cache", ".hypothesis", ".greenroom-test-home", "tests", "docs")


@dataclass
class Installed:
    venv: Path
    site_packages: Path
    greenroom: Path
    python: Path
    wheel: Path
    env: dict[str, str]
    offline: list[str]


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]


def _offline_prefix() -> list[str]:
    """A command prefix that takes the network away; empty when this system refuses both."""
    if shutil.which("unshare"):
        for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
            if _run([*prefix, "true"]).returncode == 0:
                return prefix
    return []


@pytest.fixture(scope="module")
def offline() -> list[str]:
    prefix = _offline_prefix()
    if not prefix:
        pytest.fail("cannot take the network away: `unshare -n` needs root and `unshare -rn` "
                    "user namespaces (on Ubuntu: sysctl kernel.apparmor_restrict_unprivileged_"
                    "userns=0); the installed wheel is never run online instead")
    return prefix


# Run under the prefix: connects to a port on this machine, and lists the network devices.
REACH = """
import json, socket, sys
probe = socket.socket()
probe.settimeout(5)
try:
    probe.connect(("127.0.0.1", int(sys.argv[1])))
    reached = None
except OSError as exc:
    reached = exc.strerror or type(exc).__name__
print(json.dumps({"refused_with": reached, "devices": [n for _, n in socket.if_nameindex()]}))
"""


def test_commands_run_offline_reach_no_network_not_even_this_machine(offline: list[str]) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = str(listener.getsockname()[1])
        here = _run([sys.executable, "-c", REACH, port], timeout=60)
        cut = _run([*offline, sys.executable, "-c", REACH, port], timeout=60)
    assert here.returncode == 0 and cut.returncode == 0, here.stderr + cut.stderr
    # The probe does reach the port from here, so its failure under the prefix means something.
    assert json.loads(here.stdout)["refused_with"] is None
    offline_view = json.loads(cut.stdout)
    assert offline_view["refused_with"] is not None, offline_view
    assert offline_view["devices"] == ["lo"], offline_view


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, offline: list[str]) -> Installed:
    work = tmp_path_factory.mktemp("wheel-install")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "--no-index", "--wheel-dir", str(work / "wheels"), str(source)], timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "wheels").glob("greenroom-*.whl")

    venv = work / "fresh-venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    python = venv / "bin" / "python"
    site_packages = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                                  "['purelib'])"]).stdout.strip())

    if os.environ.get("GREENROOM_WHEEL_TEST_INDEX") == "1":
        install = [str(python), "-m", "pip", "install", "-c", str(ROOT / "constraints.txt"),
                   str(wheel)]
    else:
        # Lines of a .pth file are appended to sys.path after the fresh site-packages, so the
        # wheel's own copy of Greenroom always wins over the development install.
        dev_paths = dict.fromkeys([sysconfig.get_paths()["purelib"],
                                   sysconfig.get_paths()["platlib"]])
        (site_packages / "zz-greenroom-test-dependencies.pth").write_text(
            "".join(f"{p}\n" for p in dev_paths), encoding="utf-8")
        install = [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)]
    result = _run(install, timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "GREENROOM_BUNDLED_SCRIPTS")}
    env["GREENROOM_HOME"] = str(work / "greenroom-home")
    (work / "cwd").mkdir()
    return Installed(venv=venv, site_packages=site_packages, greenroom=venv / "bin" / "greenroom",
                     python=python, wheel=wheel, env=env, offline=offline)


def _greenroom(inst: Installed, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return _run([*inst.offline, str(inst.greenroom), *args], env=inst.env,
                cwd=inst.venv.parent / "cwd", timeout=timeout)


WHERE_FROM = """
import importlib, json, importlib.metadata as md
import interview_scripts
found = {name: importlib.import_module(name).__file__
         for name in ("app", "audio", "models", "interview_scripts", "app.cli")}
found["bundled_dir"] = str(interview_scripts.bundled_dir())
dist = md.distribution("greenroom")
found["dist"] = str(dist.locate_file(""))
found["data_files"] = sorted(str(f) for f in dist.files if f.suffix in (".yaml", ".md"))
print(json.dumps(found))
"""


@pytest.mark.slow
def test_greenroom_runs_from_the_fresh_environment(installed: Installed) -> None:
    result = _run([str(installed.python), "-c", WHERE_FROM], env=installed.env,
                  cwd=installed.venv.parent / "cwd", timeout=60)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    site = installed.site_packages.resolve()
    for name in ("app", "audio", "models", "interview_scripts", "app.cli", "bundled_dir", "dist"):
        assert Path(found[name]).resolve().is_relative_to(site), (name, found[name])
    assert not Path(found["app"]).resolve().is_relative_to(ROOT)
    # pip recorded the scripts and the prompt as files of the installed distribution.
    for script_id in BUNDLED_IDS:
        assert f"interview_scripts/{script_id}.yaml" in found["data_files"]
    assert any(f.startswith("models/prompts/") for f in found["data_files"])


@pytest.mark.slow
def test_dependencies_satisfy_what_the_wheel_declares(installed: Installed) -> None:
    result = _run([str(installed.python), "-m", "pip", "check"], env=installed.env, timeout=120)
    # Other distributions' complaints are not the wheel's; Greenroom's own must be absent.
    own = [line for line in result.stdout.splitlines() if line.lower().startswith("greenroom ")]
    assert not own, "\n".join(own)


@pytest.mark.slow
def test_scripts_list_shows_the_bundled_scripts(installed: Installed) -> None:
    result = _greenroom(installed, "scripts", "list")
    assert result.returncode == 0, result.stdout + result.stderr
    bundled = sorted(m.group(1) for m in re.finditer(r"^(\S+) +bundled ", result.stdout, re.M))
    assert len(BUNDLED_IDS) >= 3  # the glob found the bundled scripts (20 when written)
    assert bundled == BUNDLED_IDS, result.stdout


@pytest.mark.slow
def test_demo_transcribes_and_coaches_an_answer(installed: Installed) -> None:
    result = _greenroom(installed, "demo", "--no-speak", timeout=300)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    transcript = out.split("Transcript:\n", 1)[1].splitlines()[0].strip()
    assert transcript and transcript != "(no speech recognised)", out
    assert len(transcript.split()) >= 20, transcript
    assert re.search(r"^Feedback on question \S+", out, re.M), out
    # The coach matched the spoken answer against the script's key points.
    assert re.search(r"^\[x\] ", out, re.M), out
    assert re.search(r"^Words \d+, pace \d+ wpm", out, re.M), out
