"""A recruiter's email: the questions written into sentences, the advice around them.

A letter says "Maria will ask how you handle month-end close — give yourself about five
minutes. She wants to hear about your controls, how you escalate and how you keep the
deadline. Don't blame the team." and closes "And one they always close with: why audit?".
Nothing marks a question; it is told in the sentence. This module recognises a letter by
its frame (a greeting on top, a sign-off at the foot), sets the frame aside, and reads the
body sentence by sentence:

- a question is a sentence ending in '?' (the part after a colon or dash when the sentence
  introduces it), a quoted question, or a reported one ("ask how you …", "ask you to …",
  "want to know about a time you …"), put in the interviewer's words by ``page_wording``;
- after a question, a sentence with a length ("about five minutes") gives its time guide,
  one saying what they want to hear gives key points (its list split into items), one
  saying what not to do gives a mistake, and any other sentence is guidance;
- greetings, pleasantries, logistics and the signature are listed as left out.

The body is written out as the labelled lines the line reader knows ("Question: …",
"Time: …", "Key points:" with bullets), so the rest of the import is the same as for any
page. Only a letter is read this way: elsewhere a question inside prose is more often the
page's own rhetoric than an interviewer's question.
"""

from __future__ import annotations

import re

from interview_scripts.page_advice import advice_lines, items, lead_in
from interview_scripts.page_guides import guide_in, spell_out_numbers
from interview_scripts.page_wording import reported

_HEADER = re.compile(r"^(?:subject|re|fwd?|from|to|cc|bcc|sent|date)\s*:", re.I)
# A greeting and, at most, whom it greets: "Hi Aisha,", "Dear Tomás,", "Hello there!".
_GREETING = re.compile(
    r"^(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|morning|afternoon)"
    r"(?:\s+(?i:there|all|both|everyone|team)|(?:\s+(?:Mr|Mrs|Ms|Dr|Mx)\.?)?(?:\s+[A-Z][\w'’.-]*){1,2})?\s*[,!:.—–-]?$")
_SIGN_OFF = re.compile(
    r"^(?:best(?: wishes| regards)?|kind(?:est)? regards|warm(?:est)? regards|regards|many thanks|thanks"
    r"(?: again| so much)?|thank you|cheers|all the best|speak soon|talk soon|sincerely|yours(?: sincerely"
    r"| truly)?|take care|with thanks|good luck)[,!.]?(?:\s*[-–—]?\s*[A-Z][a-z]+)?$", re.I)
_PLEASANTRY = re.compile(
    r"\b(?:good luck|you'?ll (?:do )?(?:great|brilliantly|fine)|let me know|any questions|reach out|feel free"
    r"|looking forward|hope (?:this|that) helps|hope you(?:'re| are) well|shout if|fingers crossed"
    r"|give me a (?:call|ring)|drop me a line|happy to help|thanks (?:again )?for|thank you for|just reply)\b",
    re.I)
_LOGISTICS = re.compile(
    r"\b(?:parking|park|reception|building|address|bring (?:your |some |photo )?id|photo id|dial-in|video link"
    r"|calendar invite|dress code|arrive|directions|train station|lift|floor|room \d|still work|confirm"
    r"|availability|available|reschedul\w*|time slot)\b", re.I)
_LIST_ITEM = re.compile(r"^(?:[-*•·]|\d{1,2}[.)])\s+")
_OPENER = re.compile(r"^(?:tell|describe|walk|talk|give|share|explain)\b", re.I)
_PROMPT = re.compile(r"^(?:tell|describe|walk|talk|give|share|explain|why|how|what|where|when|which|who)\b", re.I)
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|approx|mr|mrs|ms|dr|st|no)\.|\b[A-Z]\.)$", re.I)
_REPORTED = re.compile(
    r"\b(?:ask(?:s|ed|ing)?|want(?:s)? to know|will want to know|quiz(?:zes)? you on|probe(?:s)?"
    r"|(?:want(?:s)?|like(?:s)?) to hear(?= about (?:a|an) (?:time|situation|occasion|moment)\b))"
    r"\s+(?:you\s+)?(?:something like\s+)?(?P<rest>(?:to|about|how|why|what|where|when|which|who|whether|if)\b.*)",
    re.I)
# Where a reported question's words stop: the next clause is the writer's own.
_CLAUSE_END = re.compile(
    r"\s+[—–-]\s+|;\s*|\s+\(|,\s+(?:so|and (?:she|he|they|then)|but|which|because|as)\b|\.\s", re.I)
_COLON_INTRO = re.compile(
    r"\b(?:ask(?:s|ed)?|open(?:s|ing)?|start(?:s|ing)?|close(?:s)?|finish(?:es)?|end(?:s)?|kick(?:s)? off|wrap(?:s)? up"
    r"|question|classic|usual|favourite|favorite|with)\b", re.I)
_TOPIC = re.compile(
    r"\b(?:expect|prepare for|be ready for|there(?:'ll|'s| will| is)(?: usually| often| always| normally| probably)?"
    r"(?: be)?|they(?:'ll| will) have)\s+(?:a|an|one|some|another)?"
    r"\s*(?:\w+\s+)?questions?\s+(?:on|about|around)\s+(?P<rest>.+?)(?:\s+(?:too|as well|also))?[.!]?$", re.I)
# The part of a reported question after a dash, when it lists what the answer should cover.
_ELABORATION = re.compile(r"^(?:how|what|which|who|when|where|why)\b[^,;]{2,40}(?:,\s*[^,;]{2,40}){1,}$", re.I)
_SCENARIO = re.compile(
    r"\b(?:expect|there(?:'s|'ll be| is| will be)(?: usually| often| always)?|they(?:'ll| will) (?:give|set|pose) you)"
    r"\s+(?:a|an|one)\s+(?:[\w-]+\s+){0,2}(?:scenario|case study|exercise|problem|situation|role-?play)\b"
    r"\s*(?::|about|where|in which|involving)\s*(?P<what>\S.+)", re.I)
_NAMELY = re.compile(
    r"(?:specifically|namely|in particular|i\.e\.?|that is),?\s+(?P<wh>(?:how|why|what|where|when|which|whether|if)\b.+)",
    re.I)
_QUOTED = re.compile(r"[“\"‘](?P<q>[^”\"’]{6,}?)[”\"’](?!\w)")
# "For the second one, …": advice about a question asked earlier in the letter.
_REFERENCE = re.compile(
    r"^(?:(?:and|also|as)\s+)?(?:for|on|with|in|about|as for)\s+(?:the\s+)?"
    r"(?:(?P<which>first|second|third|fourth|fifth|last|final)\s+(?:one|question)|question\s+(?P<n>\d{1,2}))\b[,:]?\s*",
    re.I)
_ORDINAL = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1, "final": -1}
_QUESTION_LEAD = re.compile(
    r"^(?:(?:something like|the classic|the usual|this one|this|one more)\b\s*)", re.I)


def _frame(lines: list[str]) -> tuple[int, int, int] | None:
    """(greeting line, first body line, sign-off line or len) when the page is a letter."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    greeting = None
    for i in content[:6]:
        text = lines[i].strip()
        if _HEADER.match(text):
            continue
        if _GREETING.match(text) and len(text.split()) <= 6:
            greeting = i
        break
    if greeting is None:
        return None
    sign_off = len(lines)
    for i in content:
        if i > greeting and _SIGN_OFF.match(lines[i].strip()) and len(lines[i].split()) <= 5:
            sign_off = i
    return greeting, greeting + 1, sign_off


def _paragraphs(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines; inside one, lines join where the next starts in lower case."""
    out: list[list[str]] = []
    current: list[str] = []
    for raw in [*lines, ""]:
        text = raw.strip()
        if not text:
            if current:
                out.append(current)
            current = []
        elif current and text[:1].islower() and not re.search(r"[.?!:]$", current[-1]):
            current[-1] = f"{current[-1]} {text}"
        else:
            current.append(text)
    return out


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph, kept whole across "e.g." and quoted questions."""
    pieces = re.split(r"(?<=[.!?])([”\"’')]*)\s+(?=[A-Z“\"‘'(])", text)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i] + (pieces[i + 1] if i + 1 < len(pieces) else "")
        if out and _ABBREVIATION.search(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
        i += 2
    return [s.strip() for s in out if s.strip()]


def _question_in(sentence: str) -> tuple[str, str, bool] | None:
    """(question, the rest of the sentence, sure) for a sentence that asks or reports one."""
    quoted = _QUOTED.search(sentence)
    if quoted and (quoted.group("q").rstrip().endswith("?") or _PROMPT.match(quoted.group("q"))):
        text = quoted.group("q").strip().rstrip(",")
        text = text[:1].upper() + text[1:]
        rest = sentence[:quoted.start()] + sentence[quoted.end():]
        return text, rest, True
    if "?" in sentence:
        head, _, tail = sentence.partition("?")
        intro = max(head.rfind(": "), head.rfind(" — "), head.rfind(" – "), head.rfind(" - "))
        clause = head[intro + 2:] if intro >= 0 else head
        clause = _QUESTION_LEAD.sub("", lead_in(clause.strip().lstrip("—–- ")))
        if intro < 0:
            match = _REPORTED.search(clause)
            if match:
                clause = match.group("rest")
        if len(clause.split()) >= 2:
            return clause[:1].upper() + clause[1:].strip() + "?", tail, True
        return None
    before, colon, after = sentence.rpartition(": ")
    if colon and _COLON_INTRO.search(before) and _PROMPT.match(after):
        # "Beth will open with the classic: tell us a bit about yourself."
        asked = reported(after) if not _OPENER.match(after) else (after[:1].upper() + after[1:].rstrip(".!") + ".", True)
        if asked is not None:
            return asked[0], before, asked[1]
    topic = _TOPIC.search(sentence)
    if topic is not None:
        # "Expect a question on how you would measure awareness" / "… about your budgets".
        rest = topic.group("rest")
        namely = _NAMELY.search(rest)
        if namely is not None:
            rest = namely.group("wh")  # "on patching – specifically how you balance …"
        else:
            end = _CLAUSE_END.search(rest)
            rest = rest[:end.start()] if end else rest
        asked = reported(rest if re.match(r"(?:how|why|what|where|when|which|who|whether|if)\b", rest, re.I)
                         else "about " + rest)
        if asked is not None:
            return asked[0], sentence[:topic.start()], asked[1]
    match = _REPORTED.search(sentence)
    if match is None:
        return None
    rest = match.group("rest")
    end = _CLAUSE_END.search(rest)
    clause, after = (rest[:end.start()], rest[end.end():]) if end else (rest, "")
    asked = reported(clause)
    if asked is None:
        return None
    return asked[0], after if after.strip() else sentence[:match.start()], asked[1]


def _parenthesised(question: str) -> tuple[str, list[str]]:
    """A question without the list in brackets after it, and the list: "Talk through how
    you'd narrow it down (load balancer logs, health checks, recent changes)"."""
    match = re.search(r"\s*\(([^()]+)\)\s*([.?!]?)$", question)
    if match is None or guide_in(match.group(1)) is not None:
        return question, []
    found = items(match.group(1))
    if len(found) < 2:
        return question, []
    return question[:match.start()] + (match.group(2) or ""), found


def _scenario(sentence: str) -> str | None:
    """The situation an interviewer will set out: "Expect a scenario: a web server that …"."""
    match = _SCENARIO.search(sentence)
    if match is None:
        return None
    what = match.group("what").strip().rstrip(".")
    return what[:1].upper() + what[1:] + "."


def _sentence_lines(sentence: str, asked: bool, listed: bool) -> tuple[list[str], bool, list[str]]:
    """(lines, whether a question was found, unsure question texts) for one sentence or
    list item; advice before the first question is the letter's preamble, not notes."""
    found = _question_in(sentence)
    if found is None and listed and _PROMPT.match(sentence) and not sentence.endswith(":"):
        wh = reported(sentence) if not _OPENER.match(sentence) else None
        found = (wh[0], "", wh[1]) if wh else (sentence, "", True)
    if found is None:
        return (advice_lines(sentence) if asked and not listed else []), False, []
    question, rest, sure = found
    question, examples = _parenthesised(question)
    out = [f"Question: {question}"]
    if examples:
        out += ["Key points:", *(f"- {item}" for item in examples)]
    rest = rest.strip(" ,.;:—–-")
    guide = guide_in(spell_out_numbers(rest)) if rest else None
    if guide is not None:
        out.append(f"Time: {guide}")
    elif rest and len(rest.split()) >= 4 and not _REPORTED.search(rest):
        said = [line for line in advice_lines(rest) if not line.startswith("Advice:")]
        if not said and _ELABORATION.match(rest):
            # "describe your environment — how many servers, which OS, what you monitor with"
            said = ["Key points:", *(f"- {item}" for item in items(rest))]
        out += said
    return out, True, ([] if sure else [question])


def letter_to_lines(lines: list[str]) -> tuple[list[tuple[str, bool]], list[str]] | None:
    """The letter's lines as labelled lines, each with whether it is left out as framing,
    and the questions worded with less than certainty; None when the page is not a letter."""
    frame = _frame(lines)
    if frame is None:
        return None
    greeting, body_start, sign_off = frame
    out: list[tuple[str, bool]] = []
    for raw in lines[:greeting]:
        text = raw.strip()
        if text:
            subject = re.match(r"^subject\s*:\s*(?:(?:re|fwd?|aw)\s*:\s*)*(?P<s>.+)$", text, re.I)
            out.append((subject.group("s"), False) if subject else (text, True))
    out.append((lines[greeting].strip(), True))
    unsure: list[str] = []
    asked = False
    questions: list[str] = []
    for paragraph in _paragraphs(lines[body_start:sign_off]):
        produced: list[tuple[str, bool]] = []
        paragraph_asks = False
        for line in paragraph:
            listed = _LIST_ITEM.match(line)
            setting: int | None = None  # where a scenario was written as a question, to be asked next
            for n, sentence in enumerate(sentences(line[listed.end():] if listed else line)):
                if _PLEASANTRY.search(sentence) or _LOGISTICS.search(sentence):
                    produced.append((sentence, True))
                    continue
                if setting is not None and (_PROMPT.match(sentence) or sentence.endswith("?")):
                    # "Expect a scenario: a web server returns 502s. Talk through how you'd …"
                    got, _, _ = _sentence_lines(sentence, asked, True)
                    produced[setting] = (f"{produced[setting][0]} {got[0].removeprefix('Question: ')}", False)
                    questions[-1] = produced[setting][0].removeprefix("Question: ")
                    produced += [(g, False) for g in got[1:]]
                    setting = None
                    continue
                setting = None
                scene = _scenario(sentence) if not _question_in(sentence) else None
                if scene is not None:
                    setting = len(produced)
                    produced.append((f"Question: {scene}", False))
                    questions.append(scene)
                    asked = paragraph_asks = True
                    continue
                back = _REFERENCE.match(sentence) if questions else None
                if back is not None:
                    n = int(back.group("n")) - 1 if back.group("n") else _ORDINAL[back.group("which").lower()]
                    if -len(questions) <= n < len(questions):
                        # The reader files what follows under that question again.
                        produced.append((f"Question: {questions[n]}", False))
                        paragraph_asks = True
                        sentence = sentence[back.end():]
                        sentence = sentence[:1].upper() + sentence[1:]
                got, found, maybe = _sentence_lines(sentence, asked, bool(listed) and n == 0)
                if found:
                    asked = paragraph_asks = True
                    unsure += maybe
                    questions.append(got[0].removeprefix("Question: "))
                elif listed and n == 0 and asked:
                    opened = produced and (produced[-1][0].endswith(":") or produced[-1][0].startswith("- "))
                    got = ([] if opened else ["Key points:"]) + [f"- {sentence}"]
                produced += [(g, False) for g in got] if got else [(sentence, True)]
        if not paragraph_asks:
            # A paragraph with no question of its own adds to the open one only where it says
            # something about answering it; anything else (news about the team, the office)
            # is the letter talking and is left out.
            said = any(not framing and not text.startswith("Advice:") for text, framing in produced)
            if not said:
                produced = [(text.removeprefix("Advice: "), True) for text, _ in produced]
        out += produced
    out += [(raw.strip(), True) for raw in lines[sign_off:] if raw.strip()]
    return out, unsure
