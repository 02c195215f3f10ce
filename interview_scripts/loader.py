"""Load and validate interview scripts (YAML) into ``InterviewScript``.

The file format is a user-facing contract documented in interview_scripts/README.md.
Every problem becomes one ``ScriptError`` line naming the file, the field path and the
problem, e.g. ``senior-ops.yaml: questions[3].time_guide: '7-5 min' has min > max``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from interview_scripts.errors import ScriptError
from interview_scripts.frameworks import BUILT_IN, NONE, Framework, Stage, framework_by_name
from interview_scripts.script import (
    DEFAULT_FOLLOW_UP_GUIDE,
    KINDS,
    LEVELS,
    FollowUp,
    InterviewScript,
    KeyPoint,
    Mistake,
    Question,
    default_kind,
)
from interview_scripts.time_guide import TimeGuide, parse_time_guide

MAX_SCRIPT_BYTES = 1_000_000
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
KEY_POINT_ID = re.compile(r"^[a-z0-9-]{1,60}$")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Cue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class StageSpec(_Strict):
    name: Text
    cues: list[Cue] = Field(default_factory=list)
    hint: str = ""


class FrameworkSpec(_Strict):
    name: Text
    stages: list[StageSpec] = Field(min_length=1)


class PointSpec(_Strict):
    text: Text
    cues: list[Cue] = Field(default_factory=list)


class KeyPointSpec(PointSpec):
    id: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not KEY_POINT_ID.match(value):
            raise ValueError(f"'{value}' is not a valid key point id (lower-case letters, digits and '-')")
        return value


class FollowUpSpec(_Strict):
    text: Text
    probes: list[Cue] = Field(default_factory=list)


class DefaultsSpec(_Strict):
    time_guide: str | None = None
    framework: str | FrameworkSpec | None = None
    kind: str | None = None
    level: str | None = None
    follow_up_guide: str | None = None

    _check_guide = field_validator("time_guide", "follow_up_guide")(lambda v: _check_time_guide(v))
    _check_framework = field_validator("framework")(lambda v: _check_framework_name(v))
    _check_kind = field_validator("kind")(lambda v: _check_choice(v, "kind", KINDS))
    _check_level = field_validator("level")(lambda v: _check_choice(v, "level", LEVELS))


class QuestionSpec(_Strict):
    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    text: Text
    time_guide: str | None = None
    framework: str | FrameworkSpec | None = None
    guidance: str = ""
    key_points: list[Text | KeyPointSpec] = Field(default_factory=list)
    mistakes: list[Text | PointSpec] = Field(default_factory=list)
    sample_answer: str = ""
    follow_ups: list[Text | FollowUpSpec] = Field(default_factory=list)
    kind: str | None = None
    level: str | None = None
    follow_up_guide: str | None = None

    _check_guide = field_validator("time_guide", "follow_up_guide")(lambda v: _check_time_guide(v))
    _check_framework = field_validator("framework")(lambda v: _check_framework_name(v))
    _check_kind = field_validator("kind")(lambda v: _check_choice(v, "kind", KINDS))
    _check_level = field_validator("level")(lambda v: _check_choice(v, "level", LEVELS))

    @field_validator("key_points")
    @classmethod
    def _unique_point_ids(cls, points: list[str | KeyPointSpec]) -> list[str | KeyPointSpec]:
        seen: dict[str, int] = {}
        for i, point in enumerate(points):
            if isinstance(point, KeyPointSpec) and point.id is not None:
                if point.id in seen:
                    raise ValueError(f"duplicate key point id '{point.id}' (also key_points[{seen[point.id]}])")
                seen[point.id] = i
        return points


class ScriptSpec(_Strict):
    title: Text
    role: Text
    description: str = ""
    source: str = ""
    tags: list[Cue] = Field(default_factory=list)
    defaults: DefaultsSpec = Field(default_factory=DefaultsSpec)
    questions: list[QuestionSpec] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, questions: list[QuestionSpec]) -> list[QuestionSpec]:
        seen: dict[str, int] = {}
        for i, q in enumerate(questions):
            if q.id in seen:
                raise ValueError(f"duplicate question id '{q.id}' (also questions[{seen[q.id]}])")
            seen[q.id] = i
        return questions


def _check_time_guide(value: str | None) -> str | None:
    if value is not None:
        parse_time_guide(value)  # raises ValueError with the reason
    return value


def _check_choice(value: str | None, what: str, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value.strip().lower() not in allowed:
        raise ValueError(f"unknown {what} '{value}' (use {', '.join(allowed)})")
    return value.strip().lower() if value is not None else None


def _check_framework_name(value: str | FrameworkSpec | None) -> str | FrameworkSpec | None:
    if isinstance(value, str) and value.strip().upper() not in BUILT_IN:
        names = ", ".join(sorted(f.name for f in BUILT_IN.values()))
        raise ValueError(f"unknown framework '{value}' (use {names}, or an inline {{name, stages}})")
    return value


class _UniqueKeys:
    """PyYAML keeps the last of two equal keys; in a script that silently drops the first.
    Mixed into a loader, a repeated key is an error at the second one."""

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key}'", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _NoAliasLoader(_UniqueKeys, yaml.SafeLoader):
    """SafeLoader without anchors/aliases: they buy nothing in a script and allow
    'billion laughs' documents that expand to gigabytes."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in scripts", event.start_mark
            )
        return super().compose_node(parent, index)


# The bundled bank (about 0.8 MB) is read at every start, and PyYAML's pure-Python parser
# takes most of a second over it; libyaml's takes a tenth. Only for the files shipped
# with the app: libyaml's composer lets aliases through and has no depth limit, which
# matters for a user's file, not for ours (a test reads every bundled file both ways).
_BundledLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):
    class _BundledLoader(_UniqueKeys, yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's parser with the same constructor and the same duplicate-key check."""


def _format_location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "function-after[_check_time_guide(), str]"):
            continue  # pydantic's union-branch labels, not fields
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "is required"
    if kind in ("string_too_short",):
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"'{value}' is not a valid id (letters, digits, '-', '_', '.'; no spaces)"
    if kind == "too_short":
        return "must not be empty"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        expected = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping"}.get(kind, "a mapping")
        return f"expected {expected}, got {type(value).__name__}"
    return error["msg"]


def _first_error(exc: ValidationError) -> str:
    """The first problem in file order, in one line.

    A union (text | mapping) reports one error per branch at the same place; among
    those, prefer the most specific message."""
    text_labels = ("str", "constrained-str")
    labels = (*text_labels, "KeyPointSpec", "PointSpec", "FollowUpSpec", "FrameworkSpec")
    specific = ("value_error", "extra_forbidden", "missing", "string_too_short", "too_short")
    errors = exc.errors()
    # A mapping was meant for the mapping branch: the text branch's "expected text" hides
    # the real problem inside it.
    errors = [e for e in errors if not (e["type"] == "string_type" and isinstance(e.get("input"), dict)
                                        and e["loc"] and e["loc"][-1] in text_labels)] or errors
    cleaned = [
        (tuple(p for p in e["loc"] if p not in labels and not (isinstance(p, str) and "[" in p)), e)
        for e in errors
    ]
    item = cleaned[0][0][:2]
    same_place = [(loc, e) for loc, e in cleaned if loc[:2] == item] or cleaned
    # Among errors at one place, prefer a specific kind, then the deepest field path.
    loc, first = sorted(same_place, key=lambda le: (0 if le[1]["type"] in specific else 1, -len(le[0])))[0]
    if first["type"] == "invalid_key":
        return f"{_format_location(loc[:-1])}: key {first.get('input')!r} is not text"
    both_branches = {e["type"] for lc, e in same_place if lc == loc}
    if {"string_type", "model_type"} <= both_branches and first["type"] in ("string_type", "model_type"):
        return f"{_format_location(loc)}: expected text or a mapping, got {type(first.get('input')).__name__}"
    return f"{_format_location(loc)}: {_describe(first)}"


def _framework(value: str | FrameworkSpec | None) -> Framework | None:
    if value is None:
        return None
    if isinstance(value, str):
        return framework_by_name(value)
    return Framework(
        name=value.name,
        stages=tuple(Stage(s.name, tuple(s.cues), s.hint) for s in value.stages),
    )


def _probes(follow_up: FollowUpSpec, question: QuestionSpec, framework: Framework, where: str) -> tuple[str, ...]:
    """The probes of a follow-up, each as the key point id or the stage name it names.
    A key point id wins over a stage of the same name; stages match in any case."""
    ids = {k.id for k in question.key_points if isinstance(k, KeyPointSpec) and k.id}
    stages = {stage.name.lower(): stage.name for stage in framework.stages}
    out: list[str] = []
    for probe in follow_up.probes:
        if probe.lower() in ids:
            out.append(probe.lower())
        elif probe.lower() in stages:
            out.append(stages[probe.lower()])
        else:
            known = ", ".join([*sorted(ids), *(s.name for s in framework.stages)]) or "none: give key points an id"
            raise ValueError(f"{where}: unknown probe '{probe}' in question '{question.id}' "
                             f"(it names no key point id or stage of this question; known: {known})")
    return tuple(dict.fromkeys(out))


def _build(spec: ScriptSpec, script_id: str, path: Path | None, bundled: bool) -> InterviewScript:
    """The script the spec describes; ValueError (naming the field) for a probe that names
    nothing, the one check that needs a question's framework and key points together."""
    defaults = spec.defaults
    default_guide = parse_time_guide(defaults.time_guide) if defaults.time_guide else None
    default_framework = _framework(defaults.framework)
    default_follow_up = (parse_time_guide(defaults.follow_up_guide) if defaults.follow_up_guide
                         else DEFAULT_FOLLOW_UP_GUIDE)
    questions = []
    for index, q in enumerate(spec.questions):
        guide: TimeGuide | None = parse_time_guide(q.time_guide) if q.time_guide else default_guide
        framework = _framework(q.framework) or default_framework or NONE
        follow_ups = tuple(
            FollowUp(f) if isinstance(f, str)
            else FollowUp(f.text, _probes(f, q, framework, f"questions[{index}].follow_ups[{i}].probes"))
            for i, f in enumerate(q.follow_ups)
        )
        questions.append(
            Question(
                id=q.id,
                text=q.text,
                time_guide=guide,
                framework=framework,
                guidance=q.guidance.strip(),
                key_points=tuple(
                    KeyPoint(k) if isinstance(k, str) else KeyPoint(k.text, tuple(k.cues), k.id or "")
                    for k in q.key_points
                ),
                mistakes=tuple(
                    Mistake(m) if isinstance(m, str) else Mistake(m.text, tuple(m.cues)) for m in q.mistakes
                ),
                sample_answer=q.sample_answer.strip(),
                follow_ups=follow_ups,
                kind=q.kind or defaults.kind or default_kind(framework),
                level=q.level or defaults.level or "any",
                follow_up_guide=parse_time_guide(q.follow_up_guide) if q.follow_up_guide else default_follow_up,
            )
        )
    return InterviewScript(
        id=script_id,
        title=spec.title,
        role=spec.role,
        description=spec.description.strip(),
        source=spec.source.strip(),
        tags=tuple(spec.tags),
        questions=tuple(questions),
        path=path,
        bundled=bundled,
    )


def parse_script(data: bytes | str, name: str = "<script>", path: Path | None = None,
                 bundled: bool = False) -> InterviewScript:
    """Validate a script's bytes; ``name`` is what error messages call the file."""
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_SCRIPT_BYTES:
        raise ScriptError(
            f"{name}: file is {len(data) / 1_000_000:.1f} MB; scripts are limited to "
            f"{MAX_SCRIPT_BYTES // 1_000_000} MB"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScriptError(f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                          "save the file as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        loader = _BundledLoader if bundled and _BundledLoader is not None else _NoAliasLoader
        raw = yaml.load(text, Loader=loader)  # noqa: S506 - SafeLoader / CSafeLoader subclasses
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScriptError(f"{name}: YAML syntax error{where}: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        raise ScriptError(f"{name}: YAML syntax error: {exc}") from None
    if raw is None:
        raise ScriptError(f"{name}: the file is empty; a script needs title, role and questions")
    if not isinstance(raw, dict):
        raise ScriptError(f"{name}: (top level): expected a mapping with title, role and questions, "
                          f"got {type(raw).__name__}")
    try:
        spec = ScriptSpec.model_validate(raw)
    except ValidationError as exc:
        raise ScriptError(f"{name}: {_first_error(exc)}") from None
    except RecursionError:
        raise ScriptError(f"{name}: nested too deeply") from None
    script_id = Path(name).stem if name != "<script>" else re.sub(r"\W+", "-", spec.title.lower()).strip("-")
    try:
        return _build(spec, script_id, path, bundled)
    except ValueError as exc:
        raise ScriptError(f"{name}: {exc}") from None


def read_user_file(path: Path, max_bytes: int, too_big: str, is_folder: str) -> bytes:
    """The bytes of a file the user named, refusing huge ones before reading them.

    ``too_big`` and ``is_folder`` finish the one-line ``ScriptError`` for those cases,
    e.g. ``"file is {mb} MB; scripts are limited to 1 MB"`` (``{mb}`` is filled in).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ScriptError(f"{path.name}: {too_big.format(mb=f'{size / 1_000_000:.1f}')}")
        return path.read_bytes()
    except FileNotFoundError:
        raise ScriptError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ScriptError(f"{path}: {is_folder}") from None
    except OSError as exc:
        raise ScriptError(f"{path}: cannot read ({exc.strerror})") from None


def load_script(path: Path, bundled: bool = False) -> InterviewScript:
    """Load one YAML file; every failure is a one-line ``ScriptError``."""
    path = Path(path)
    data = read_user_file(
        path, MAX_SCRIPT_BYTES,
        too_big=f"file is {{mb}} MB; scripts are limited to {MAX_SCRIPT_BYTES // 1_000_000} MB",
        is_folder="is a folder, not a script file")
    return parse_script(data, name=path.name, path=path, bundled=bundled)
