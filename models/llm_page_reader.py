"""Structure a prep page with the user's local model when the rules could not read it well.

The rule-based importer (``interview_scripts.page_importer``) stands alone; this is a
helper on top. The model gets the page and a JSON schema (questions with their time
guide, framework, guidance, key points, mistakes, sample answer and follow-ups) as
Ollama's ``format``, bounded everywhere and without descriptions (a small model copies
them into the fields). Its reply is validated, then checked against the page: a question
whose words are not on the page is dropped, and so is an item, a guidance or a sample
answer whose words mostly are not, or that copies the prompt's own wording or is not
words at all (``models.llm_reply_check``), or that repeats an item before it, with a
count of what went. What is left becomes the
same ``ImportResult`` the rules produce and goes to the same review (the app's preview
and editor, or the CLI's listing); nothing is saved from here.

The reading is one request through ``models.ollama_call``: its prompt is
``models/prompts/page_reader_v1.md``, its schema ``PageStructure`` and its reply check
``build_reading``. A page is the user's private notes as much as an answer is, and that
module chooses and refuses the model exactly as for the answer review: a cloud model or a
server on another machine only with the user's explicit yes.

Every failure (no server, no usable model, a refusal, a timeout, a busy server, a reply
cut off or not JSON, nothing left after the check) raises ``OllamaFailure`` with one
line; the caller keeps the rules' reading.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from interview_scripts.errors import ScriptError
from interview_scripts.page_importer import (
    MOSTLY,
    NO_ROLE,
    ImportResult,
    content_words,
    structured_result,
    word_share,
)
from interview_scripts.time_guide import parse_time_guide
from models.llm_prompt import estimate_tokens, task_plan
from models.llm_reply_check import Instructions, StrictReply, bare_schema, own_or_counted
from models.ollama_call import (
    OTHER_MODEL_FIX,
    OllamaFailure,
    Request,
    Task,
    TaskClient,
    char_count,
)

PROMPT_VERSION = "page_reader_v1"
# Bounds of the reply, enforced by Ollama's grammar while the model writes.
MAX_QUESTIONS = 40
MAX_ITEMS = 12
TITLE_CHARS = 120
QUESTION_CHARS = 600
GUIDE_CHARS = 40
ITEM_CHARS = 400
GUIDANCE_CHARS = 3_000
SAMPLE_CHARS = 8_000
# About 20,000 tokens of page: past that, a laptop model takes minutes and the user is
# better served pasting only the part with the questions.
MAX_PAGE_CHARS = 64_000
# The reply copies the page's words into fields: it is about as long as the page, plus
# the JSON around them.
REPLY_PER_PAGE_TOKEN = 1.3
REPLY_OVERHEAD_TOKENS = 512
# The whole reading, both attempts included: a long page takes a laptop model minutes.
TOTAL_TIMEOUT_S = 600.0
KEEP_RULES = "the rules' reading is kept"
# Temperature 0: sorting, not writing, so the most likely reading.
READING = Task(name="reading", sends="page", temperature=0.0, seed=11, kept=KEEP_RULES,
               shorter="paste only the part with the questions")


Item = Annotated[str, Field(max_length=ITEM_CHARS)]


class PageQuestion(StrictReply):
    text: str = Field(min_length=1, max_length=QUESTION_CHARS,
                      description="The question, copied exactly as the page asks it.")
    time_guide: str = Field(max_length=GUIDE_CHARS,
                            description="How long the answer should take, as the page writes it; "
                                        "empty when it gives none.")
    framework: Literal["STAR", "CAR", "CIRCLES", "none"]
    guidance: str = Field(max_length=GUIDANCE_CHARS,
                          description="What the interviewer looks for, from the page; may be empty.")
    key_points: list[Item] = Field(max_length=MAX_ITEMS,
                                   description="What a strong answer mentions, from the page.")
    mistakes: list[Item] = Field(max_length=MAX_ITEMS, description="What to avoid, from the page.")
    sample_answer: str = Field(max_length=SAMPLE_CHARS,
                               description="The page's example answer, copied; may be empty.")
    follow_ups: list[Item] = Field(max_length=MAX_ITEMS,
                                   description="Follow-up questions the page lists for it.")


class PageStructure(StrictReply):
    title: str = Field(max_length=TITLE_CHARS, description="The page's title, from its own words.")
    role: str = Field(max_length=TITLE_CHARS, description="The job the page is about; may be empty.")
    questions: list[PageQuestion] = Field(max_length=MAX_QUESTIONS)


def page_schema() -> dict[str, Any]:
    """The ``format`` every page request carries."""
    return bare_schema(PageStructure)


@dataclass
class Dropped:
    """What the check against the page took out of the model's reading."""

    questions: int = 0
    items: int = 0
    texts: int = 0
    not_own: int = 0  # copied the prompt's wording, or not words
    repeats: int = 0  # a list item given again for the same question

    def line(self) -> str | None:
        parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in
                 ((self.questions, "question"), (self.items, "list item"),
                  (self.texts, "guidance or sample text")) if n]
        found = [", ".join(parts) + " not found on the page"] if parts else []
        if self.not_own:
            found.append(f"{self.not_own} text{'s' if self.not_own != 1 else ''} copied from "
                         "the instructions or not words")
        if self.repeats:
            found.append(f"{self.repeats} repeated list item{'s' if self.repeats != 1 else ''}")
        return "dropped " + ", ".join(found) if found else None


@dataclass
class PageReading:
    """A page as the model read it, checked against the page."""

    result: ImportResult
    model: str
    dropped: Dropped
    attempts: int

    @property
    def line(self) -> str:
        count = len(self.result.script.questions)
        text = f"Read by the local model {self.model}: {count} question{'s' if count != 1 else ''}"
        dropped = self.dropped.line()
        return f"{text}; {dropped}." if dropped else f"{text}."


def page_request(page: str, name: str) -> Request[PageStructure, tuple[ImportResult, Dropped]]:
    """Reading ``page`` as one request: the page and its schema, checked against the page."""
    reply_tokens = math.ceil(estimate_tokens(page) * REPLY_PER_PAGE_TOKEN) + REPLY_OVERHEAD_TOKENS
    plan = task_plan(PROMPT_VERSION, page_schema(), reply_tokens, {}, {"page": page.strip()})
    instructions = Instructions([plan.messages[0]["content"]])
    return Request(READING, plan, PageStructure,
                   check=lambda structure, model: build_reading(page, name, structure, model,
                                                                instructions))


class PageReader(TaskClient):
    """Reads a page with the model the answer review would use; safe with no server.

    ``allow_remote`` is the user's explicit yes to sending text off this machine; None
    reads GREENROOM_OLLAMA_ALLOW_REMOTE, as the answer review does. ``choose`` names the
    model a page would go to, with every refusal."""

    TASK = READING
    TOTAL_TIMEOUT_S = TOTAL_TIMEOUT_S

    def read(self, page: str, name: str, on_progress: Callable[[int], None] | None = None,
             cancel: threading.Event | None = None) -> PageReading:
        """The page as the model structures it, checked against the page.

        ``on_progress`` gets the number of reply characters so far, on a worker thread;
        ``cancel`` ends the wait at once and closes the connection. Every failure raises
        OllamaFailure with one line."""
        if not page.strip():
            raise OllamaFailure("empty", "the page is empty", "paste the page first")
        if len(page) > MAX_PAGE_CHARS:
            raise OllamaFailure("page_too_long", f"the page is over {MAX_PAGE_CHARS:,} "
                                "characters for the local model",
                                "paste only the part with the questions")
        answer = self.call.ask(page_request(page, name), char_count(on_progress), cancel)
        result, dropped = answer.value
        return PageReading(result, answer.model, dropped, answer.attempts)


def _normalised(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "


def build_reading(page: str, name: str, structure: PageStructure, model: str,
                  instructions: Instructions | None = None) -> tuple[ImportResult, Dropped]:
    """The model's structure, less what is not on the page, as an import result.

    A question stays only when its words, normalised, stand on the page as written; a
    list item, guidance or sample answer stays when most of its meaning words do and it
    neither copies ``instructions`` (the prompt) nor is junk, and a list item when it does
    not repeat one before it; a time guide when it reads as one and its numbers are the
    page's; title and role when they are the page's words. Raises OllamaFailure when no
    question is left."""
    flat = _normalised(page)
    words = set(content_words(page))
    numbers = set(re.findall(r"\d+", page))
    dropped = Dropped()
    questions: list[dict[str, object]] = []
    seen: set[str] = set()

    own = own_or_counted(instructions, dropped)  # words of the model's own, else counted

    for q in structure.questions:
        key = _normalised(q.text).strip()
        if not key or f" {key} " not in flat:
            dropped.questions += 1
            continue
        if not own(q.text):
            continue
        if key in seen:
            continue  # a page that lists its questions, then details each one
        seen.add(key)
        entry: dict[str, object] = {"text": q.text.strip()}
        guide = q.time_guide.strip()
        if guide and _guide_ok(guide, numbers):
            entry["time_guide"] = guide
        if q.framework != "none":
            entry["framework"] = q.framework
        for field_name in ("guidance", "sample_answer"):
            value = str(getattr(q, field_name)).strip()
            if value and word_share(value, words) >= MOSTLY:
                if own(value):
                    entry[field_name] = value
            elif value:
                dropped.texts += 1
        for field_name in ("key_points", "mistakes", "follow_ups"):
            items = [i.strip() for i in getattr(q, field_name) if i.strip()]
            on_page = [i for i in items if word_share(i, words) >= MOSTLY]
            dropped.items += len(items) - len(on_page)
            kept: list[str] = []
            for item in on_page:
                if _normalised(item) in {_normalised(k) for k in kept}:
                    dropped.repeats += 1
                elif own(item):
                    kept.append(item)
            if kept:
                entry[field_name] = kept
        questions.append(entry)
    if not questions:
        more = f" (it named {dropped.questions}, none of them in the page's words)" \
            if dropped.questions else ""
        raise OllamaFailure("no_questions", f"the local model {model} found no question on the "
                             f"page{more}", KEEP_RULES)
    title = structure.title.strip()
    role = structure.role.strip()
    title = title if title and word_share(title, words) >= MOSTLY else ""
    role = role if role and f" {_normalised(role).strip()} " in flat else NO_ROLE
    notes = [f"note: the local model {model} structured this page; check every question "
             "against the page"]
    if (line := dropped.line()) is not None:
        notes.append(f"note: {line}")
    try:
        result = structured_result(page, name, title=title, role=role, questions=questions,
                                   read_by=f"the local model {model}", notes=notes)
    except ScriptError as exc:
        raise OllamaFailure("schema_violation", f"the model's reading does not make a valid "
                             f"script ({exc})", OTHER_MODEL_FIX) from None
    return result, dropped


def _guide_ok(guide: str, numbers: set[str]) -> bool:
    try:
        parse_time_guide(guide)
    except (ValueError, ScriptError):
        return False
    return all(n in numbers for n in re.findall(r"\d+", guide))
