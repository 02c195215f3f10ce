"""A blog's site chrome around the article: told apart by shape and by where it sits.

A copied article brings its frame along: "Was this article helpful?", share buttons,
"12 comments" and the comments themselves, a newsletter box, a cookie banner, bylines and
dates, and a list of other articles whose headlines end in '?' ("How Much Do Vet Nurses
Earn?") and would otherwise read as interview questions. ``page_lines.is_noise`` knows the
common words of single lines; this module adds what only the shape and the neighbours of a
line show:

- a line about the page itself ("this article", "this guide"), a short call to action
  (a verb and a chrome object: "Get the free checklist", "Load more comments"), counters,
  dates, bylines and social buttons;
- a cookie banner of any length, and the short buttons right after it;
- a "Related articles" / "You might also like" heading and the headlines under it, and a
  comments section from its heading near the end of the page to the end;
- a headline in title case with chrome on one side and no article text after it.

A line that is followed by article text (advice, a sample answer, a section heading) is
never taken for a headline: that is how a question heading differs from a link.
"""

from __future__ import annotations

import collections
import re

from interview_scripts import page_sections as sections
from interview_scripts.page_lines import is_noise

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SELF = re.compile(
    r"\b(?:this|our) (?:article|post|page|guide|blog|story|video|podcast|piece|newsletter)(?![-\w])", re.I)
_CTA = re.compile(
    r"^(?:subscribe|share|join|sign up|sign in|log in|download|get|book|register|follow|comment|reply|leave"
    r"|read|continue|view|see|load|explore|learn|start|claim|grab|unlock|enter|tweet|pin|email|print|save"
    r"|like|upvote|back|browse|discover|watch|listen|shop|buy|apply|find out|take (?:our|the)|click|tap)\b", re.I)
# What a call to action offers: enough on its own in a longer line …
_CHROME_OBJECT = re.compile(
    r"\b(?:newsletter|inbox|email|e-?mails?|article|post|guide|comments?|updates|app|free|trial|course|account"
    r"|pdf|checklist|e-?book|template|link|story|quiz|seekers|readers|subscribers|members|community|series"
    r"|(?:our|weekly|daily|monthly|free|latest) (?:\w+ )?tips)\b", re.I)
# … and words that make a call to action only in a button of a few words ("Read more").
_BUTTON_OBJECT = re.compile(r"\b(?:more|all|here|now|today|this|us|top|full|latest|reading|tips|reply)\b", re.I)
# "Did this help you?", "Was this useful?": the page asking about itself with a bare "this".
_ABOUT_ITSELF = re.compile(
    r"^(?:did|was|is|were|has|does) (?:this|that|the above)\b(?! (?:role|job|company|team|position))"
    r".{0,30}\b(?:help|helpful|useful|answer|clear)\w*\b.{0,20}\?$", re.I)
_ARROW = re.compile(r"(?:→|»|›|>>|⟶|\[[^\]]+\])\s*$")
_COUNT = re.compile(
    r"^(?:(?:reading time|read time|time to read)\s*:?\s*\d+.*|\d[\d,.]*\s*k?\s+(?:comments?|replies|responses|shares|likes|views|reads|votes|reactions|claps)"
    r"|(?:comments?|replies|responses)\s*\(?\d+\)?)$", re.I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"^(?:(?:published|updated|posted|last updated|reviewed|written)(?: on)?:?\s*)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago)"
    rf"(?:\s*(?:at\s+)?\d{{1,2}}:\d\d\s*(?:am|pm)?)?$", re.I)
_BYLINE = re.compile(
    r"^(?i:by|written by|reviewed by|edited by|posted by|author:?)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
    r"(?:\s*[|·•,–—-]\s*.*)?$")
_SOCIAL = re.compile(
    r"^(?:(?:facebook|twitter|x|linkedin|pinterest|whatsapp|reddit|email|e-mail|copy link|instagram|tiktok"
    r"|youtube|threads|bluesky|mastodon|reply|like|report|edit|yes|no|helpful|not helpful)[\s,|·•/]*)+$", re.I)
_LISTED = re.compile(r"^\s*(?:[-*•·▪◦]|\d{1,2}[.)])\s+")
_LINK = re.compile(r"\[[^\]]+\]\([^)]*\)")
_CRUMBS = re.compile(r"^(?:[^›»>/|]{1,30}\s[›»>/]\s){1,5}[^›»>/|]{1,40}$")
_LINK_LABEL = re.compile(
    r"^(?:related|read (?:more|next|also)|also read|see also|you (?:may|might) also like|recommended|next up)\s*:\s*\S",
    re.I)
# Buttons of a word or three need no object to be chrome: "Sign me up", "Subscribe".
_BUTTON_VERB = re.compile(r"^(?:subscribe|sign|join|register|download|submit|send|share|tweet|pin|reply"
                          r"|comment|like|upvote|print|save)\b", re.I)
_TAGS = re.compile(r"^(?:tags?|filed under|categories|category|topics?)\s*:", re.I)
_COOKIE = re.compile(r"\bcookies?\b", re.I)
_BUTTON = re.compile(
    r"^(?:accept(?: all)?(?: cookies)?|reject(?: all)?|decline|allow(?: all)?|manage (?:preferences|settings|cookies)"
    r"|customi[sz]e|settings|got it|ok(?:ay)?|close|dismiss|agree|i agree|necessary only)[.!]?$", re.I)
_NEWSLETTER = re.compile(r"\b(?:inbox|email address|your email|unsubscribe|no spam|newsletter|subscribers?)\b", re.I)
_RELATED = re.compile(
    r"^(?:related(?: articles?| posts?| reading| guides?| content| stories)?|you (?:may|might) also (?:like|enjoy)"
    r"|read (?:this )?next|up next|more (?:from|on|articles|guides|posts|stories|like this|to read)\b.*"
    r"|recommended(?: for you| reading)?|popular(?: posts| articles| now| guides)?|trending(?: now)?"
    r"|further reading|keep reading|latest (?:posts|articles|guides)|other articles|see also)\s*:?$", re.I)
_COMMENTS = re.compile(
    r"^(?:\d+\s+)?(?:comments?|responses|replies|discussion)(?:\s*\(\d+\))?\s*:?$"
    r"|^(?:leave a (?:reply|comment)|add a comment|post a comment|join the (?:discussion|conversation)"
    r"|comments are closed\.?|what do you think\??)$", re.I)
HEADLINE_WORDS = 16       # a line longer than this is article text, not a link or a button
CTA_WORDS = 10
BUTTON_WORDS = 3
NAV_RUN = 3               # this many very short lines in a row at a page's top or foot are a menu
NAV_WORDS = 3
EDGE_LINES = 12
SELF_WORDS = 12
COOKIE_WORDS = 45
NEWSLETTER_WORDS = 25
COMMENTS_FROM = 0.6       # a comments heading opens the comments only in the page's last 40%
TITLE_CASE_SHARE = 0.6


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _plain(raw: str) -> str:
    """The line without Markdown heading marks, emphasis or list bullets."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw)  # [Careers](/careers) → Careers
    text = re.sub(r"^\s*(?:#{1,6}\s+|[-*•·>]\s+)", "", text).replace("**", "").replace("__", "")
    return " ".join(text.split()).strip("*_ ")


def title_case(text: str) -> bool:
    """Headline capitals: most longer words after the first capitalised ("Ways to Beat Nerves")."""
    words = [w for w in _words(text)[1:] if len(w) >= 4 and not w.isupper()]
    if len(words) < 2:
        return False
    return sum(1 for w in words if w[:1].isupper()) / len(words) >= TITLE_CASE_SHARE


def _headline(text: str) -> bool:
    """Short, one sentence at most: the shape of a link, a button or a heading."""
    return 0 < len(text.split()) <= HEADLINE_WORDS and not re.search(r"[.!?]\s+\S", text)


def _content(text: str) -> bool:
    """Article text: a sentence of some length, or a heading that opens a part of a question."""
    words = len(text.split())
    return (words > HEADLINE_WORDS or bool(re.search(r"[.!?]\s+\S", text))
            or (words >= 6 and text.endswith(".")) or sections.section_of(text)[0] not in (None, sections.QUESTIONS))


def _alone(text: str, listed: bool = False) -> bool:
    """Chrome whatever its neighbours. A list item is taken for a button or a sign-up line
    only when it is a link: in a list, "Learn more about the company" is advice."""
    words = len(text.split())
    # Shapes no part of an article takes: a trail of links, a date, a counter, a byline.
    if _CRUMBS.match(text) or _COUNT.match(text) or _DATE.match(text) or _SOCIAL.match(text) or _TAGS.match(text):
        return True
    if (words <= 12 and _BYLINE.match(text)) or (_SELF.search(text) and words <= SELF_WORDS) or (
            _ABOUT_ITSELF.match(text)):
        return True
    if sections.section_of(text)[0] not in (None, sections.QUESTIONS):
        return False  # "Follow-up questions", "Key points": the article's own parts
    if is_noise(text) or (words <= HEADLINE_WORDS + 2 and _LINK_LABEL.match(text)):
        return True
    if _COOKIE.search(text) and words <= COOKIE_WORDS:
        return True
    if listed:
        return False
    if (_CTA.match(text) and not text.endswith("?") and not re.search(r"\byou\b", text, re.I) and (
            (words <= CTA_WORDS and _CHROME_OBJECT.search(text))
            or (words <= BUTTON_WORDS and _BUTTON_OBJECT.search(text)))):
        return True
    if (words <= CTA_WORDS and _ARROW.search(text)) or (
            words <= BUTTON_WORDS and _BUTTON_VERB.match(text) and not text.endswith("?")):
        return True
    return bool(_NEWSLETTER.search(text) and words <= NEWSLETTER_WORDS)


def chrome_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines that are the site's frame rather than the article."""
    texts = [_plain(line) for line in lines]
    filled = [i for i, t in enumerate(texts) if t]
    listed = {i for i in filled if _LISTED.match(lines[i]) and not _LINK.search(lines[i])}
    chrome = {i for i in filled if _alone(texts[i], i in listed)}
    # Buttons right after a cookie banner: "Accept all", "Manage preferences".
    for n, i in enumerate(filled):
        if i in chrome and _COOKIE.search(texts[i]):
            for j in filled[n + 1:n + 4]:
                if not _BUTTON.match(texts[j]):
                    break
                chrome.add(j)
    # The comments, from their heading in the last part of the page to the end.
    for n, i in enumerate(filled):
        if n >= COMMENTS_FROM * len(filled) and _COMMENTS.match(texts[i]):
            chrome.update(filled[n:])
            break
    chrome |= _menus(lines, texts, filled)
    kept = _Kept(filled, chrome)
    # A related-articles box: its heading and the headlines under it, up to article text.
    n = 0
    while n < len(filled):
        i = filled[n]
        n += 1
        if _RELATED.match(texts[i]) and len(texts[i].split()) <= 6:
            kept.add(i)
            while n < len(filled):  # the box runs on until article text; the scan goes on from there
                j = filled[n]
                if _content(texts[j]) or not _headline(texts[j]) or _followed_by_text(j, kept, texts):
                    break
                kept.add(j)
                n += 1
    # Title-case headlines next to chrome with no article text after them; a line that
    # turns out to be chrome may make its neighbours chrome too, so they are looked at again.
    headlines = {n for n, i in enumerate(filled)
                 if _headline(texts[i]) and title_case(texts[i]) and i not in listed}
    waiting = collections.deque(sorted(headlines))
    while waiting:
        n = waiting.popleft()
        i = filled[n]
        if i in chrome:
            continue
        beside = (n > 0 and filled[n - 1] in chrome) or n + 1 == len(filled) or filled[n + 1] in chrome
        if beside and not _followed_by_text(i, kept, texts, loose=True):
            kept.add(i)
            waiting.extend(m for m in (n - 1, n + 1) if m in headlines)
    return chrome


def _menus(lines: list[str], texts: list[str], filled: list[int]) -> set[int]:
    """Runs of one-to-three-word lines at the top or foot of the page: a menu copied line by
    line. A run under a heading or a line ending in ':' is a list the page made, not a menu."""
    found: set[int] = set()
    edge = set(filled[:EDGE_LINES]) | set(filled[-EDGE_LINES:])
    run: list[int] = []
    for i in [*range(len(lines)), len(lines)]:
        text = texts[i] if i < len(lines) else ""
        if (text and i in edge and len(text.split()) <= NAV_WORDS and not re.search(r"[.?!:,;]$", text)
                and sections.section_of(text)[0] is None):
            run.append(i)
            continue
        if len(run) >= NAV_RUN:
            before = max((j for j in filled if j < run[0]), default=None)
            if before is None or not (texts[before].endswith(":") or sections.section_of(texts[before])[0]):
                found.update(run)
        run = []
    return found


class _Kept:
    """The page's lines not taken for chrome so far, in order. The next one after any line is
    found without walking the runs of chrome between (they are skipped over once, for good)."""

    def __init__(self, filled: list[int], chrome: set[int]) -> None:
        self.filled = filled
        self.chrome = chrome
        self.position = {i: n for n, i in enumerate(filled)}
        self.skip = list(range(len(filled) + 1))  # each position, or a later one to look at instead
        for i in chrome:
            if i in self.position:
                self.skip[self.position[i]] = self.position[i] + 1

    def add(self, i: int) -> None:
        self.chrome.add(i)
        self.skip[self.position[i]] = self.position[i] + 1

    def after(self, i: int) -> int | None:
        """The first line after ``i`` that is not chrome, or None at the page's end."""
        n = start = self.position[i] + 1
        while self.skip[n] != n:
            n = self.skip[n]
        while self.skip[start] != n:  # shorten the way for the next look
            self.skip[start], start = n, self.skip[start]
        return self.filled[n] if n < len(self.filled) else None


def _followed_by_text(i: int, kept: _Kept, texts: list[str], loose: bool = False) -> bool:
    """Whether the next line that is not chrome is article text; ``loose`` counts any line
    in sentence case too (a question the article asks, not another headline)."""
    j = kept.after(i)
    if j is None:
        return False
    text = texts[j]
    return _content(text) or (loose and len(text.split()) >= 4 and not title_case(text))
