"""No call that works only on Linux (or only on POSIX) reaches macOS or Windows unguarded.

The app's code (app/, audio/, models/, interview_scripts/) is read as syntax trees. A
finding is a POSIX-only call or name that is neither under a platform test (an ``if`` or
conditional expression on ``sys.platform``, ``os.name`` or ``platform.system()``, or an
earlier ``if <platform test>: return`` in the same function) nor in ``ALLOWED`` with the
reason it is safe. ``os.chmod`` needs a note on what it does on Windows: a comment naming
Windows on its line or the two lines above. tools/ and tests/ are Linux-only by design and
are not read.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "audio", "models", "interview_scripts")

POSIX_ONLY_OS = frozenset({
    "getuid", "geteuid", "getgid", "getegid", "getgroups", "setuid", "setgid", "fork",
    "forkpty", "killpg", "getpgid", "setpgid", "setsid", "setpgrp", "getsid", "mkfifo",
    "mknod", "chown", "lchown", "fchown", "sync", "statvfs", "fstatvfs", "getloadavg",
    "nice", "pipe2", "uname", "sched_setaffinity", "sched_getaffinity", "wait3", "wait4",
    "WNOHANG", "O_DIRECTORY", "O_NOFOLLOW", "ttyname", "openpty",
})
POSIX_ONLY_SIGNAL = frozenset({
    "SIGKILL", "SIGSTOP", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGCHLD", "SIGQUIT",
    "SIGPIPE", "SIGCONT", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGWINCH", "SIGPROF",
    "alarm", "setitimer", "getitimer", "pause", "siginterrupt", "pthread_kill", "sigwait",
})
# os.kill with these stops the process on Windows too (TerminateProcess, or a console event).
PORTABLE_KILL_SIGNALS = frozenset({"SIGTERM", "CTRL_C_EVENT", "CTRL_BREAK_EVENT"})
POSIX_ONLY_MODULES = frozenset({
    "fcntl", "pwd", "grp", "resource", "termios", "tty", "pty", "posix", "syslog", "crypt",
    "spwd", "readline",
})
# Linux programs and PulseAudio tools, when the code runs or looks them up by name.
LINUX_COMMANDS = frozenset({
    "xdg-open", "gio", "pactl", "pacmd", "paplay", "parecord", "pulseaudio", "aplay",
    "arecord", "espeak", "espeak-ng", "notify-send", "xdotool", "xset", "dbus-send",
})
COMMAND_CALLS = frozenset({
    "subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call",
    "subprocess.check_output", "os.system", "os.popen", "os.execvp", "os.execlp",
    "shutil.which", "ctypes.util.find_library",
})
LINUX_PATHS = ("/proc/", "/sys/", "/dev/", "/run/user/", "/etc/")

# (file, function, finding) -> why it is safe on every system.
ALLOWED: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    function: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}(): {self.what}"


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _is_platform_test(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        name = _dotted(sub)
        if name in ("sys.platform", "os.name", "platform.system", "platform.platform"):
            return True
        if isinstance(sub, ast.Name) and sub.id in ("IS_WINDOWS", "IS_MACOS", "IS_LINUX"):
            return True
    return False


def _exits_early(statement: ast.stmt) -> bool:
    """``if <platform test>: return`` (or raise) at the top level of a function."""
    return (isinstance(statement, ast.If) and _is_platform_test(statement.test)
            and bool(statement.body) and isinstance(statement.body[-1], ast.Return | ast.Raise))


class _Reader(ast.NodeVisitor):
    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.lines = source.splitlines()
        self.findings: list[Finding] = []
        self._functions: list[str] = []
        self._guards = 0
        self._imports: dict[str, str] = {}  # local name -> module it stands for

    # -- scopes and guards ------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:  # noqa: N802
        self._functions.append(node.name)
        saved = self._guards
        for statement in node.body:
            self.visit(statement)
            if _exits_early(statement):
                self._guards += 1  # everything after it runs only on the other systems
        self._guards = saved
        self._functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_If(self, node: ast.If) -> None:  # noqa: N802
        self._guarded_visit(node, _is_platform_test(node.test))

    def visit_IfExp(self, node: ast.IfExp) -> None:  # noqa: N802
        self._guarded_visit(node, _is_platform_test(node.test))

    def _guarded_visit(self, node: ast.AST, guarded: bool) -> None:
        self._guards += guarded
        self.generic_visit(node)
        self._guards -= guarded

    # -- what is looked for -----------------------------------------------------------
    def _find(self, node: ast.AST, what: str) -> None:
        if self._guards:
            return
        function = self._functions[-1] if self._functions else "<module>"
        if (self.path, function, what) in ALLOWED:
            return
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), function, what))

    def visit_Import(self, node: ast.Import) -> None:  # noqa: N802
        for alias in node.names:
            self._imports[alias.asname or alias.name] = alias.name
            if alias.name.split(".")[0] in POSIX_ONLY_MODULES:
                self._find(node, f"import {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:  # noqa: N802
        module = node.module or ""
        if module.split(".")[0] in POSIX_ONLY_MODULES:
            self._find(node, f"from {module} import")
        for alias in node.names:
            self._imports[alias.asname or alias.name] = f"{module}.{alias.name}"
            if module == "os" and alias.name in POSIX_ONLY_OS:
                self._find(node, f"os.{alias.name}")
            if module == "signal" and alias.name in POSIX_ONLY_SIGNAL:
                self._find(node, f"signal.{alias.name}")

    def _resolved(self, node: ast.AST) -> str:
        name = _dotted(node)
        head, _, rest = name.partition(".")
        if head in self._imports:
            return f"{self._imports[head]}.{rest}" if rest else self._imports[head]
        return name

    def visit_Attribute(self, node: ast.Attribute) -> None:  # noqa: N802
        name = self._resolved(node)
        module, _, attr = name.rpartition(".")
        posix_only = {"os": POSIX_ONLY_OS, "signal": POSIX_ONLY_SIGNAL}.get(module, frozenset())
        if attr in posix_only:
            self._find(node, name)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:  # noqa: N802
        if isinstance(node.value, str) and node.value.startswith(LINUX_PATHS):
            self._find(node, f"Linux path {node.value!r}")

    def visit_Call(self, node: ast.Call) -> None:  # noqa: N802
        name = self._resolved(node.func)
        if name == "os.chmod" and not self._has_windows_note(node.lineno):
            self._find(node, "os.chmod without a note on what it does on Windows")
        if name == "os.fsync" and node.args and not self._is_file_object_fd(node.args[0]):
            self._find(node, "os.fsync of a descriptor from os.open (a folder on POSIX only)")
        if name == "os.kill" and len(node.args) >= 2:
            signal_name = self._resolved(node.args[1]).rpartition(".")[2]
            if signal_name not in PORTABLE_KILL_SIGNALS:
                self._find(node, f"os.kill with {ast.unparse(node.args[1])}")
        if name in COMMAND_CALLS and node.args:
            command = node.args[0]
            if isinstance(command, ast.List | ast.Tuple) and command.elts:
                command = command.elts[0]
            text = command.value if isinstance(command, ast.Constant) else None
            if isinstance(text, str) and text.strip() and text.split()[0] in LINUX_COMMANDS:
                self._find(node, f"{name}({text!r})")
        self.generic_visit(node)

    @staticmethod
    def _is_file_object_fd(node: ast.AST) -> bool:
        """``f.fileno()``: a file opened for writing, which every system can sync."""
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "fileno"

    def _has_windows_note(self, line: int) -> bool:
        window = self.lines[max(0, line - 3):line]
        return any("#" in text and "windows" in text.split("#", 1)[1].lower() for text in window)


def posix_findings(source: str, path: str = "<snippet>") -> list[Finding]:
    reader = _Reader(path, source)
    reader.visit(ast.parse(source, filename=path))
    return reader.findings


def _app_sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_the_app_has_no_unguarded_posix_only_call() -> None:
    findings = []
    for path in _app_sources():
        relative = path.relative_to(ROOT).as_posix()
        findings += posix_findings(path.read_text(encoding="utf-8"), relative)
    assert not findings, "POSIX-only calls outside a platform guard:\n" + "\n".join(map(str, findings))


def test_every_allowance_still_names_a_real_place() -> None:
    for (path, function, _), reason in ALLOWED.items():
        assert reason.strip(), path
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        assert function in names | {"<module>"}, (path, function)


# --------------------------------------------------------------- the lint itself
@pytest.mark.parametrize(("snippet", "what"), [
    ("import os\ndef f(d):\n    fd = os.open(d, os.O_RDONLY)\n    os.fsync(fd)\n", "os.fsync"),
    ("import os\ndef f():\n    return os.getuid()\n", "os.getuid"),
    ("from os import getuid\n", "os.getuid"),
    ("import signal\ndef f(p):\n    p.send_signal(signal.SIGKILL)\n", "signal.SIGKILL"),
    ("import signal\nSTOP = signal.SIGSTOP\n", "signal.SIGSTOP"),
    ("import os\ndef f(pid):\n    os.kill(pid, 9)\n", "os.kill with 9"),
    ("def f():\n    return open('/proc/self/status').read()\n", "/proc/"),
    ("import os\ndef f(p):\n    os.chmod(p, 0o600)\n", "os.chmod"),
    ("import fcntl\n", "import fcntl"),
    ("import pwd as users\n", "import pwd"),
    ("def f():\n    import resource\n", "import resource"),
    ("import subprocess\ndef f(d):\n    subprocess.run(['xdg-open', d])\n", "xdg-open"),
    ("import shutil\nPACTL = shutil.which('pactl')\n", "pactl"),
])
def test_the_lint_finds_each_unguarded_posix_only_call(snippet: str, what: str) -> None:
    findings = posix_findings(snippet)
    assert len(findings) == 1 and what in findings[0].what, findings


@pytest.mark.parametrize("snippet", [
    "import os, sys\ndef f(d):\n    if sys.platform == 'win32':\n        return\n"
    "    fd = os.open(d, os.O_RDONLY)\n    os.fsync(fd)\n",
    "import os, sys\ndef f():\n    if sys.platform != 'win32':\n        return os.getuid()\n    return 0\n",
    "import os\ndef f():\n    return os.getuid() if os.name == 'posix' else 0\n",
    "import platform, signal\nif platform.system() != 'Windows':\n    import fcntl\n"
    "    STOP = signal.SIGSTOP\n",
    "import os\ndef f(p):\n    # Windows: only the read-only bit changes\n    os.chmod(p, 0o600)\n",
    "import os\ndef f(p):\n    os.chmod(p, 0o600)  # on Windows this clears read-only only\n",
    "import os, signal\ndef f(pid):\n    os.kill(pid, signal.SIGTERM)\n",
    "import os\ndef f(fh):\n    os.fsync(fh.fileno())\n",
    "import subprocess\ndef f(d):\n    subprocess.run(['say', d])\n",
])
def test_the_lint_accepts_guarded_or_portable_calls(snippet: str) -> None:
    assert posix_findings(snippet) == []


def test_a_guard_covers_only_what_follows_it() -> None:
    snippet = ("import os, sys\ndef f(d):\n    fd = os.open(d, os.O_RDONLY)\n    os.fsync(fd)\n"
               "    if sys.platform == 'win32':\n        return\n")
    assert [f.line for f in posix_findings(snippet)] == [4]


def test_an_allowance_silences_only_its_own_place(monkeypatch: pytest.MonkeyPatch) -> None:
    snippet = "import os\ndef a():\n    return os.getuid()\ndef b():\n    return os.getuid()\n"
    monkeypatch.setitem(ALLOWED, ("<snippet>", "a", "os.getuid"), "a test of the allow-list")
    assert [f.function for f in posix_findings(snippet)] == ["b"]
