"""Marks each test with what of the machine it needs, so CI on macOS and Windows can leave
out what only the Linux set-up has (``pytest -m "not needs_audio and not needs_espeak"``).

The marks are worked out from the test's code, not kept by hand: a test needs what it,
its fixtures or the helpers they call (in the tests package) use.

- ``needs_audio``: the ``virtual_mic`` fixture or the older ``audio`` mark.
- ``needs_espeak``: speech rendered by the project's TTS (``synthesize_to_wav`` and the
  synthesizer, the speech fixtures) or the CLI's ``demo``, which speaks its sample answer.
- ``posix_modes``: a check of 0600/0700 modes (``S_IMODE``, a changed umask); Windows keeps
  only a read-only bit.
- ``linux_only``: a Linux desktop tool run by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import CodeType, FunctionType
from typing import Any

import pytest

SPEECH_FIXTURES = frozenset({"speech_cache", "spoken_wav", "spoken_answer"})
SPEECH_NAMES = frozenset({"synthesize_to_wav", "shared_synthesizer", "SpeechSynthesizer"})
# `main(["demo", ...])` and `greenroom demo` both synthesise the sample answer.
SPEECH_STRINGS = frozenset({"demo"})
MODE_NAMES = frozenset({"S_IMODE", "umask"})
LINUX_TOOLS = frozenset({"desktop-file-validate", "appstreamcli", "pactl", "xdotool", "Xvfb"})


def _strings(code: CodeType) -> set[str]:
    return {c for c in code.co_consts if isinstance(c, str)}


def _uses(code: CodeType, scope: dict[str, Any], test: Callable[[CodeType], bool],
          seen: set[CodeType]) -> bool:
    """Whether ``code``, a function nested in it, or a function of the tests package that it
    names (followed through the module it lives in) passes ``test``."""
    if code in seen:
        return False
    seen.add(code)
    if test(code):
        return True
    for const in code.co_consts:
        if isinstance(const, CodeType) and _uses(const, scope, test, seen):
            return True
    for name in code.co_names:
        target = scope.get(name)
        if isinstance(target, FunctionType) and target.__module__.startswith("tests") \
                and _uses(target.__code__, target.__globals__, test, seen):
            return True
    return False


def _functions(item: pytest.Item) -> Iterable[FunctionType]:
    """The test function and every fixture function it asks for, directly or not. The
    conftest fixtures are left out: those every test gets (the network guard, the audio
    stream check) say nothing about one test, and ``virtual_mic`` is known by name."""
    function = getattr(item, "function", None)
    if isinstance(function, FunctionType):
        yield function
    info = getattr(item, "_fixtureinfo", None)
    for definitions in (getattr(info, "name2fixturedefs", None) or {}).values():
        for definition in definitions:
            func = getattr(definition.func, "__func__", definition.func)
            func = getattr(func, "__wrapped__", func)
            if isinstance(func, FunctionType) and not func.__module__.endswith("conftest"):
                yield func


def _any_code(item: pytest.Item, test: Callable[[CodeType], bool]) -> bool:
    seen: set[CodeType] = set()
    return any(_uses(f.__code__, f.__globals__, test, seen) for f in _functions(item))


def needs_for(item: pytest.Item) -> set[str]:
    names = set(getattr(item, "fixturenames", ()))
    needs: set[str] = set()
    if "virtual_mic" in names or item.get_closest_marker("audio") is not None:
        needs.add("needs_audio")
    if names & SPEECH_FIXTURES or _any_code(
            item, lambda c: bool(SPEECH_NAMES & set(c.co_names) or SPEECH_STRINGS & _strings(c))):
        needs.add("needs_espeak")
    if "loose_umask" in names or _any_code(item, lambda c: bool(MODE_NAMES & set(c.co_names))):
        needs.add("posix_modes")
    if _any_code(item, lambda c: bool(LINUX_TOOLS & _strings(c))):
        needs.add("linux_only")
    return needs


def mark_platform_needs(items: Iterable[pytest.Item]) -> None:
    for item in items:
        for need in sorted(needs_for(item)):
            item.add_marker(need)
