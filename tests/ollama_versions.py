"""What one Ollama release does, for the loopback server (tests/ollama_loopback.py).

The loopback plays exactly one release at a time. Each behaviour it varies by release is a
``Change``: the first release that has it, the first that no longer has it (if any), and
where in Ollama's Go source (github.com/ollama/ollama) the loopback copies it from: the
file and line in a tag that has it, and the commit that brought it. Releases were read
from the tagged source; a commit's release is the first tag that contains it.

Only the releases in ``OFFERED`` can be asked for: for each of them every behaviour below
was read in that tag's source, so the loopback never plays a mix of two releases. A
behaviour that changed between two offered releases in a way not listed here would make
the loopback untrue to one of them; add the change here before offering a new release.
"""

from __future__ import annotations

from dataclasses import dataclass


def parse(number: str) -> tuple[int, ...]:
    """``0.13.5`` as (0, 13, 5); a pre-release (``0.12.6-rc0``) as its release."""
    return tuple(int(part) for part in number.lstrip("v").split("-")[0].split("."))


@dataclass(frozen=True)
class Change:
    """A behaviour from release ``since`` until (not including) ``until``."""

    since: str
    source: str
    until: str | None = None

    def holds_in(self, number: str) -> bool:
        version = parse(number)
        return parse(self.since) <= version and (self.until is None
                                                 or version < parse(self.until))


# -- listing and showing models ------------------------------------------------------------

# api/types.go ListModelResponse gains Capabilities, and ModelDetails gains context_length
# and embedding_length, filled by server/model_list_cache.go (4b2d52996, #16215). An
# earlier try (094300119, #10174) was reverted the next day (09d308d6b, #11004) before any
# release carried it.
TAGS_CAPABILITIES = Change("0.30.0", "api/types.go:842, server/model_list_cache.go:814 at "
                           "v0.30.0 (4b2d52996)")
# api/types.go ShowResponse.Capabilities, set by server/routes.go GetModelInfo from
# m.Capabilities() (e172f095b, #10066).
SHOW_CAPABILITIES = Change("0.6.4", "server/routes.go:821 GetModelInfo at v0.6.4 (e172f095b)")
# ListModelResponse/ShowResponse RemoteModel and RemoteHost, and the chat proxied to the
# remote host in server/routes.go ChatHandler (8b894933a, #12307).
CLOUD_MODELS = Change("0.12.0", "api/types.go:603 ListModelResponse.RemoteHost at v0.12.0 "
                      "(8b894933a)")

# -- thinking ------------------------------------------------------------------------------

# types/model/capability.go CapabilityThinking and ChatRequest.Think (*bool) (5f57b0ef4,
# #10584). Before it the request's "think" is an unknown field, ignored by the JSON
# decoder, and no model states it thinks.
THINKING = Change("0.9.0", "api/types.go:120 ChatRequest.Think at v0.9.0 (5f57b0ef4)")
# api/types.go ThinkValue (bool or "high"/"medium"/"low") came with gpt-oss (fa7776fd2,
# #11672); server/routes.go ChatHandler answers 400 'think value %q is not supported for
# this model' unless the model's parser is harmony.
THINK_LEVELS_HARMONY_ONLY = Change("0.11.1", "server/routes.go:2091 at v0.13.5 (fa7776fd2)",
                                   until="0.17.7")
# server/routes.go ChatHandler: the harmony-only check removed (122c68c15, #14625).
THINK_LEVELS_ANY_MODEL = Change("0.17.7", "server/routes.go ChatHandler, level check removed "
                                "(122c68c15)")
# server/routes.go ChatHandler: a model with the thinking capability gets think=true when
# the request leaves it out (90d429f5a, #12533).
THINKS_BY_DEFAULT = Change("0.12.4", "server/routes.go:2011 at v0.13.5 (90d429f5a)")
# server/routes.go ChatHandler: think=false is allowed for any model; think on for a model
# without the capability answers 400 '%q does not support thinking' (d681cd7c2, #12555).
THINK_FALSE_FOR_ANY_MODEL = Change("0.12.5", "server/routes.go:2015 at v0.13.5 (d681cd7c2)")
# server/routes.go ChatHandler: with a built-in parser (or a thinking parser) on a thinking
# model, `format` is held back until the think ends (77060d462, #12460). With think=false a
# model with a built-in parser writes no think, so the format is never applied and the
# reply is free text (ollama#14645). Fixed for gemma4 (5d1021603, #15678) and then for
# every thinking parser (892e7f6be, #15901).
FORMAT_HELD_FOR_PARSERS = Change("0.12.4", "server/routes.go:2139 at v0.13.5 (77060d462)",
                                 until="0.31.2")
FORMAT_HELD_FOR_GEMMA4 = Change("0.12.4", "server/routes.go:2748 at v0.30.0 (5d1021603)",
                                until="0.21.1")

# The built-in parsers a model may name (model/parsers/parsers.go ParserForName), and the
# release each first appears in; a model whose parser the release lacks cannot run on it.
PARSERS: dict[str, Change] = {
    # server/routes.go shouldUseHarmony gives gpt-oss the harmony parser (fa7776fd2).
    "harmony": Change("0.11.1", "server/routes.go:2048 shouldUseHarmony at v0.13.5 (fa7776fd2)"),
    # model/parsers/parsers.go case "qwen3.5" with the architecture (da70c3222, #14378).
    "qwen3.5": Change("0.17.1", "model/parsers/parsers.go:52 at v0.17.6 (da70c3222)"),
}

# api/types.go ChatRequest.DebugRenderOnly ("_debug_render_only"): server/routes.go
# ChatHandler answers with the prompt chatPrompt built, in debug_info.rendered_template,
# instead of running the model (8de1da476).
DEBUG_RENDER = Change("0.11.5", "server/routes.go:2077 at v0.13.5 (8de1da476)")

# -- the window ----------------------------------------------------------------------------

# server/prompt.go chatPrompt before df7024952 (#14040): walks back from the message before
# the last, collecting the system messages before each; the first that does not fit ends
# the walk. Its system messages are those before the index that failed, so a prompt of one
# system and one user message that does not fit loses the system message.
PROMPT_FIT_BACKWARD = Change("0.6.2", "server/prompt.go:32 at v0.13.5", until="0.15.5")
# server/prompt.go chatPrompt from df7024952: walks forward from the first message; the
# system messages before the first kept one are always kept.
PROMPT_FIT_FORWARD = Change("0.15.5", "server/prompt.go:35 at v0.17.6 (df7024952)")
# (Both walks, and the runner's cut below, are given from 0.6.2, the oldest release read.)
# The runner cuts a prompt still longer than the window: it keeps the first num_keep
# tokens (api.DefaultOptions NumKeep 4) and the last ones, dropping those between, with a
# "truncating input prompt" warning in the log and no error (runner/ollamarunner/runner.go
# NewSequence). From 0.30.0 the cut is made for llama-server and leaves one token of the
# window free (llm/llama_server.go completionPromptForRequest, 9db4bdbad, #16031).
RUNNER_FILLS_WINDOW = Change("0.6.2", "runner/ollamarunner/runner.go:183 at v0.13.5; "
                             "api/types.go:885 NumKeep 4", until="0.30.0")
RUNNER_LEAVES_ONE_FREE = Change("0.30.0", "llm/llama_server.go:277 at v0.30.0 (9db4bdbad)")
# envconfig ContextLength: 2048 until 44b466eeb; 4096 from it; from 0334ffa62 the default
# is 4096 on a machine with under 23 GiB of VRAM (server/routes.go, a laptop's case).
DEFAULT_CTX_4096 = Change("0.6.7", "envconfig/config.go:204 at v0.13.5 (44b466eeb); "
                          "server/routes.go:1767 at v0.17.6 (0334ffa62)")

# -- the releases offered ----------------------------------------------------------------------

OFFERED = ("0.6.2", "0.13.5", "0.17.6", "0.30.0")
DEFAULT = "0.13.5"


@dataclass(frozen=True)
class OllamaVersion:
    """One offered release, and what it does where releases differ."""

    number: str

    def __post_init__(self) -> None:
        if self.number not in OFFERED:
            raise ValueError(f"the loopback plays Ollama {', '.join(OFFERED)}, not "
                             f"{self.number!r}: each behaviour is read from those releases' "
                             "source (tests/ollama_versions.py)")

    def has(self, change: Change) -> bool:
        return change.holds_in(self.number)

    @property
    def tags_capabilities(self) -> bool:
        return self.has(TAGS_CAPABILITIES)

    @property
    def show_capabilities(self) -> bool:
        return self.has(SHOW_CAPABILITIES)

    @property
    def cloud_models(self) -> bool:
        return self.has(CLOUD_MODELS)

    @property
    def thinking(self) -> bool:
        return self.has(THINKING)

    @property
    def think_levels(self) -> str:
        """Who may be sent "low"/"medium"/"high": "none", "harmony" or "any"."""
        if self.has(THINK_LEVELS_ANY_MODEL):
            return "any"
        return "harmony" if self.has(THINK_LEVELS_HARMONY_ONLY) else "none"

    @property
    def thinks_by_default(self) -> bool:
        return self.has(THINKS_BY_DEFAULT)

    def holds_format_back(self, parser: str) -> bool:
        """Whether think=false on a thinking model with this built-in parser loses the
        format (the reply is free text)."""
        if not parser or parser == "harmony":
            return False  # no parser; or gpt-oss, which thinks anyway and then gets it
        if parser == "gemma4":
            return self.has(FORMAT_HELD_FOR_GEMMA4)
        return self.has(FORMAT_HELD_FOR_PARSERS)

    def knows_parser(self, parser: str) -> bool:
        change = PARSERS.get(parser)
        return change is None or self.has(change)

    @property
    def debug_render(self) -> bool:
        return self.has(DEBUG_RENDER)

    @property
    def prompt_fit(self) -> str:
        return "forward" if self.has(PROMPT_FIT_FORWARD) else "backward"

    @property
    def runner_headroom(self) -> int:
        """Tokens of the window the runner's cut leaves free."""
        return 1 if self.has(RUNNER_LEAVES_ONE_FREE) else 0

    @property
    def default_num_ctx(self) -> int:
        return 4096 if self.has(DEFAULT_CTX_4096) else 2048


# Every behaviour above but the parsers (which say what models a release can run).
CHANGES = (TAGS_CAPABILITIES, SHOW_CAPABILITIES, CLOUD_MODELS, THINKING,
           THINK_LEVELS_HARMONY_ONLY, THINK_LEVELS_ANY_MODEL, THINKS_BY_DEFAULT,
           THINK_FALSE_FOR_ANY_MODEL, FORMAT_HELD_FOR_PARSERS, FORMAT_HELD_FOR_GEMMA4,
           DEBUG_RENDER, PROMPT_FIT_BACKWARD, PROMPT_FIT_FORWARD, RUNNER_FILLS_WINDOW,
           RUNNER_LEAVES_ONE_FREE, DEFAULT_CTX_4096)


def played_by(number: str) -> str | None:
    """The offered release that behaves as release ``number`` does in every way listed
    here, for the models both can run (``number`` itself when offered), or None."""
    rows = [c.holds_in(number) for c in CHANGES]
    return next((n for n in OFFERED if [c.holds_in(n) for c in CHANGES] == rows), None)


def first_with(change: Change) -> str:
    """The first offered release that has ``change``, or its own first release."""
    return next((n for n in OFFERED if change.holds_in(n)), change.since)
