"""Builders shared by the coach tests: questions and transcripts with known word timings."""

from __future__ import annotations

from interview_scripts.frameworks import STAR
from interview_scripts.script import KeyPoint, Mistake, Question
from interview_scripts.time_guide import parse_time_guide
from models.coach.feedback_model import Feedback
from models.transcript import Transcript, Word


def timed_words(text: str, start_s: float = 0.0, wpm: float = 140.0) -> list[Word]:
    """Words of ``text`` spoken evenly at ``wpm`` from ``start_s``; 80% sound, 20% gap."""
    step = 60.0 / wpm
    return [Word(" " + w, round(start_s + i * step, 3), round(start_s + i * step + 0.8 * step, 3))
            for i, w in enumerate(text.split())]


def transcript_of(*parts: tuple[str, float], wpm: float = 140.0, language: str = "en") -> Transcript:
    """A transcript from (text, start time) parts, e.g. sentences placed at known times."""
    words: list[Word] = []
    for text, start in parts:
        words += timed_words(text, start, wpm)
    end = words[-1].end_s if words else 0.0
    return Transcript(words=words, language=language, model="constructed", duration_s=end + 1.0)


INCIDENT_KEY_POINTS = (
    KeyPoint("Rolled back the bad deploy", ("roll back", "rollback")),
    KeyPoint("Kept stakeholders updated on the status page", ("status page",)),
    KeyPoint("Ran a blameless post-mortem"),
    KeyPoint("Quantified the customer impact in minutes of downtime"),
    KeyPoint("Added an automated canary check to the pipeline", ("canary",)),
)


def star_question(guide: str | None = "5-7 minutes", key_points: tuple[KeyPoint, ...] = (),
                  mistakes: tuple[Mistake, ...] = ()) -> Question:
    return Question(id="incident", text="Tell me about a production incident you led.",
                    time_guide=parse_time_guide(guide) if guide else None, framework=STAR,
                    key_points=key_points, mistakes=mistakes)


def sample_feedback(question_id: str = "outage", guide: str | None = "5-7 minutes") -> Feedback:
    """Real coach output for a short STAR answer, as the store and the views receive it."""
    from models.coach import coach_answer

    question = Question(id=question_id, text="Tell me about an outage you led.",
                        time_guide=parse_time_guide(guide) if guide else None, framework=STAR,
                        key_points=INCIDENT_KEY_POINTS)
    transcript = transcript_of(
        ("In my last role our checkout service went down on a Friday evening.", 0.0),
        ("Um, I was the incident lead and had to restore payments.", 6.0),
        ("I rolled back the release and told customers every thirty minutes.", 12.0),
        ("As a result we were back within forty minutes and lost no orders.", 20.0))
    return coach_answer(question, transcript, None)


def told_in_turn(sentences: tuple[str, ...] | list[str], start_s: float = 0.5,
                 gap_s: float = 0.6, wpm: float = 150.0) -> tuple[Transcript, list[float]]:
    """A transcript of sentences said one after another, and where each one starts."""
    words: list[Word] = []
    starts: list[float] = []
    at = start_s
    for sentence in sentences:
        starts.append(at)
        said = timed_words(sentence, at, wpm)
        words += said
        at = said[-1].end_s + gap_s
    return Transcript(words=words, language="en", model="constructed", duration_s=at), starts


# Answers told the way people talk: each sentence with the stage it belongs to, and no
# textbook stage phrases ("my task was", "as a result"). Used as text and as real speech.
NATURAL_STAR = {
    "theatre tickets": (
        ("Situation", "Two years ago I was running the web shop for a regional theatre group."),
        ("Situation", "Our spring sale had crashed the site the year before, and people were "
                      "still angry about it."),
        ("Task", "The director asked me to make sure the next sale stayed up, and we had nine "
                 "days."),
        ("Action", "I load tested the checkout with a copy of last year's traffic and watched "
                   "where it broke."),
        ("Action", "I moved the seat map onto a cache and added a waiting room page for the "
                   "first rush."),
        ("Result", "The next Monday we sold forty thousand tickets in an hour without a single "
                   "error page."),
    ),
    "parcel forecast": (
        ("Situation", "Last autumn I joined a small logistics company in Rotterdam as their "
                      "only data analyst."),
        ("Task", "The operations manager wanted a weekly forecast of parcel volumes before "
                 "every Monday meeting, and I had no budget for new tools."),
        ("Action", "I pulled three years of shipment records out of the old billing database "
                   "and cleaned them in Python."),
        ("Action", "I built a simple seasonal model, checked it against the last six months, "
                   "and wrote a one page summary for the managers."),
        ("Result", "Within two months the depots cut overtime by about fifteen percent, and "
                   "the forecast is still used every week."),
    ),
    "feuding developers": (
        ("Situation", "At my previous employer, a hospital software vendor, two senior "
                      "developers kept rewriting each other's code."),
        ("Task", "My manager put me in charge of getting the release out by the end of the "
                 "quarter without losing either of them."),
        ("Action", "I sat down with each of them separately and listened to what bothered "
                   "them."),
        ("Action", "I wrote down a short set of coding rules we all agreed on and paired them "
                   "on the hardest module."),
        ("Result", "The release shipped two days early, and both of them still work on that "
                   "team."),
    ),
    "payroll client": (
        ("Situation", "When I worked for a payroll startup in Dublin, one of our biggest "
                      "clients threatened to leave."),
        ("Task", "I needed to win back their trust before their contract came up for renewal "
                 "in six weeks."),
        ("Action", "I flew out to meet their finance team and went through every complaint "
                   "with them line by line."),
        ("Action", "I set up a call every other week and fixed the three worst reports "
                   "myself."),
        ("Result", "They renewed for another three years and doubled the number of seats."),
    ),
    "cloud move": (
        ("Situation", "This was at a mid-sized travel booking site where I looked after the "
                      "search pages."),
        ("Situation", "Our hosting contract was running out and the old servers were costing "
                      "a fortune."),
        ("Task", "Leadership gave me until the end of March to move everything to the cloud, "
                 "with no downtime during the booking season."),
        ("Action", "I started by listing every service and what it depended on."),
        ("Action", "I moved the small internal tools over first so we could practise the "
                   "switch."),
        ("Action", "For the search pages I ran both setups side by side for two weeks and "
                   "compared every response."),
        ("Result", "We switched over on a Tuesday night, nobody noticed, and the monthly bill "
                   "came down by about a third."),
    ),
    "loyalty app": (
        ("Situation", "In my final year of university I interned with the analytics group of "
                      "a supermarket chain."),
        ("Task", "They wanted someone to figure out why the loyalty app had so many sign-ups "
                 "but so few repeat users."),
        ("Action", "I interviewed a dozen shoppers in two stores and read through a month of "
                   "app reviews."),
        ("Action", "I noticed most people never found the weekly offers, so I sketched a "
                   "simpler home screen and showed it to the product team."),
        ("Result", "They shipped my design that summer and repeat use went up from twelve to "
                   "thirty percent."),
    ),
}
NATURAL_CAR = {
    "paper claims": (
        ("Context", "Three months into my first job at an insurance firm, the claims team was "
                    "drowning in paper forms."),
        ("Context", "Each claim took about nine days to get through the office."),
        ("Action", "I mapped the whole process on a whiteboard with two of the handlers."),
        ("Action", "I replaced the paper form with an online one and wrote a script that sent "
                   "each claim to the right person."),
        ("Result", "Processing time fell to three days, and the backlog was gone by "
                   "Christmas."),
    ),
    "homepage drafts": (
        ("Context", "In my second year at a design agency, our biggest client kept rejecting "
                    "the homepage drafts."),
        ("Action", "I asked to sit in on their sales calls for a week and wrote down the words "
                   "their customers actually used."),
        ("Action", "Then I redrew the page around those three questions and tested it with "
                   "five of their users."),
        ("Result", "They signed off on the next version in one meeting and renewed their "
                   "contract for another year."),
    ),
    "courier batteries": (
        ("Context", "Our delivery app was getting one star reviews because it drained the "
                    "couriers' phone batteries."),
        ("Action", "I profiled the app on an old phone and found it asked for the location "
                   "every second."),
        ("Action", "I changed it to check only when the courier moved, and shipped the change "
                   "behind a switch."),
        ("Result", "Battery complaints dropped by eighty percent within a month, and the "
                   "rating climbed back above four stars."),
    ),
    "new hires": (
        ("Context", "New engineers at my last company took about a month before they could "
                    "ship anything on their own."),
        ("Action", "I sat with the last three hires and wrote down every place they got "
                   "stuck."),
        ("Action", "I turned that into a setup script and a short guide, and I paired each new "
                   "person with a buddy for their first week."),
        ("Result", "The next hire shipped a change on day three, and everyone since has used "
                   "the guide."),
    ),
    "support queue": (
        ("Context", "Our support queue at a small accounting software company had grown to "
                    "over five hundred open tickets."),
        ("Action", "I sorted a sample of them by topic and found that almost half were about "
                   "the same export bug."),
        ("Action", "I wrote a workaround article, got the developers to fix the export, and "
                   "set up a saved reply for the rest."),
        ("Result", "Within three weeks the queue was under a hundred and reply times went from "
                   "four days to one."),
    ),
}
NATURAL_CIRCLES = {
    "expired certificate": (
        ("Comprehend", "Just after midnight the pager went off, and about a third of our users "
                       "could not sign in."),
        ("Identify", "The error logs pointed to an expired certificate on the login proxy."),
        ("Report", "I messaged the support leads and our head of product that sign-ins were "
                   "failing and when they would hear from me again."),
        ("Communicate", "I asked Priya to renew the certificate while Tom watched the "
                        "dashboards for side effects."),
        ("Lead", "Once the new certificate was live, I restarted the proxies one by one and "
                 "sign-ins came back within twenty minutes."),
        ("Evaluate", "Afterwards we wrote up what happened and added an alert thirty days "
                     "before any certificate expires."),
    ),
    "full disk": (
        ("Comprehend", "On a Friday afternoon our checkout started timing out for shoppers in "
                       "Europe."),
        ("Identify", "I compared the graphs with the deploy history and saw that a new search "
                     "index had filled the database disk."),
        ("Report", "I posted a short note for customer service and told my director what we "
                   "knew and what we did not."),
        ("Communicate", "Sam took the database, Ana handled the search service, and I kept the "
                        "call on track."),
        ("Lead", "We deleted the old index, moved the new one to a bigger volume, and checkout "
                 "was healthy again by six."),
        ("Evaluate", "The week after, we ran a blameless review, and now every index build "
                     "checks free space first."),
    ),
    "slow launch": (
        ("Comprehend", "During a product launch the app became very slow, and pages that "
                       "normally load in a second were taking ten."),
        ("Identify", "Tracing a few requests showed they were all waiting on one overloaded "
                     "cache node."),
        ("Report", "I posted in the launch channel that we had a slowdown, what we knew, and "
                   "when the next note would come."),
        ("Communicate", "I had one engineer add cache capacity and another throttle the "
                        "heaviest background job."),
        ("Lead", "Once the new nodes joined and the job slowed down, response times fell back "
                 "to normal within fifteen minutes."),
        ("Evaluate", "Afterwards we load tested the launch setup and now spread the cache keys "
                     "across more nodes."),
    ),
}
