"""CIRCLES answers told in the speaker's own words, without stage phrases.

The CIRCLES stages (Comprehend, Identify, Report, Communicate, Lead, Evaluate) each have a
shape: the impact and what was at stake, the cause and how it was found, telling people,
handing out the work, the fix and the service working again, the follow-up. Every stage of
these answers must be found in order, starting at its first sentence; an answer that
really leaves a stage out must still be told so, with the others kept.
"""

from __future__ import annotations

from typing import Any

import pytest

from interview_scripts.frameworks import CIRCLES
from interview_scripts.script import Question
from models.coach import coach_answer
from tests.coach_helpers import told_in_turn

Told = tuple[tuple[str, str], ...]

# Incidents from several walks of life, some stages told in two sentences; the openings
# mention monitoring, the hand-outs name people and roles ("the marketing lead").
CIRCLES_ANSWERS: dict[str, Told] = {
    "stuck orders": (
        ("Comprehend", "Our monitoring lit up on a Tuesday morning because orders from the "
                       "warehouse app had stopped reaching the shipping system."),
        ("Comprehend", "Roughly two thousand parcels were sitting in limbo and drivers were "
                       "waiting at the docks."),
        ("Identify", "I read through the queue consumer's logs and saw it crashing on one order "
                     "with an address field far longer than it expected."),
        ("Report", "I phoned the warehouse manager and sent a note to the operations director "
                   "saying shipments were held and that I would call back within the hour."),
        ("Communicate", "Jonas took the job of writing a patch for the consumer, and Mei moved "
                        "the bad order aside by hand so the rest could flow."),
        ("Lead", "We shipped the patch before lunch, the queue drained in about forty minutes, "
                 "and the trucks left only slightly late."),
        ("Evaluate", "Later that week we went through the whole chain together and now every "
                     "consumer skips a broken message instead of stopping."),
    ),
    "clinic records": (
        ("Comprehend", "At the clinic group where I ran IT, the nurses at three sites suddenly "
                       "could not open patient records on a Monday morning."),
        ("Identify", "It turned out the overnight update had changed a permission on the shared "
                     "records folder."),
        ("Report", "I rang each practice manager and explained that records were unavailable and "
                   "that paper forms should be used for now."),
        ("Communicate", "My colleague Ruth stayed on the phone with the sites while I worked on "
                        "the server with our contractor."),
        ("Lead", "We put the old permission back and the records opened again within half an "
                 "hour."),
        ("Evaluate", "Since then updates are tried on a test machine first, and nobody has lost "
                     "access again."),
    ),
    "mobile crash": (
        ("Comprehend", "The evening after we released a new version of our banking app, the crash"
                       " reports jumped and app store ratings started dropping."),
        ("Comprehend", "Only Android users on older phones seemed hit, but that was about a "
                       "quarter of our customers."),
        ("Identify", "I installed the build on an old test phone and saw it crash right away on a"
                     " new animation library that needed a newer system version."),
        ("Report", "I wrote to the head of mobile and the customer care team lead with what we "
                   "knew, what users should do, and when they would hear more."),
        ("Communicate", "I split the work so that one developer prepared a build without the "
                        "animation and our release manager halted the rollout."),
        ("Lead", "By midnight the fixed version was out and the crash rate went back to its usual"
                 " level."),
        ("Evaluate", "In the review the next week we agreed to test every release on our oldest "
                     "supported devices, and it has not happened again."),
    ),
    "email delivery": (
        ("Comprehend", "A few hours into a big marketing campaign, customers started telling us "
                       "they had never received their password reset emails."),
        ("Identify", "When I dug into the mail provider's dashboard I found we had been blocked "
                     "for sending too much at once from a single address."),
        ("Report", "I let the support team and the marketing lead know what was going on and "
                   "promised another message by three."),
        ("Communicate", "Our marketing lead agreed to pause the campaign, and I had Kofi talk to "
                        "the mail provider about lifting the block."),
        ("Lead", "Once the campaign stopped and the block was lifted, reset emails arrived within"
                 " a minute again."),
        ("Evaluate", "Afterwards we moved campaign mail onto its own address so that account "
                     "emails can never be held up by it."),
    ),
    "school network": (
        ("Comprehend", "During exam week the whole network at the school went down, and teachers "
                       "could not print the papers."),
        ("Identify", "I traced it to a new switch in the science block that was flooding the "
                     "network with traffic."),
        ("Report", "I went to the head teacher and told her what had broken and that I expected "
                   "the printers back before the first exam."),
        ("Communicate", "The caretaker walked round the science block with me while the deputy "
                        "head kept the teachers informed."),
        ("Lead", "We unplugged the switch, and within ten minutes everything was printing again."),
        ("Evaluate", "After exams we labelled every switch and wrote a short checklist for adding"
                     " new equipment."),
    ),
    "data pipeline": (
        ("Comprehend", "One Monday the sales dashboards our directors rely on were showing zero "
                       "revenue for the whole weekend."),
        ("Comprehend", "The weekly board meeting was that afternoon, so the numbers mattered."),
        ("Identify", "Looking at the pipeline runs I saw that a supplier had renamed a column in "
                     "their export, so every row was being rejected."),
        ("Report", "I emailed the finance director to say the figures were wrong, why, and that "
                   "corrected ones would be ready by noon."),
        ("Communicate", "Hana owned the change to the import mapping, and Leo checked the "
                        "reloaded numbers against the bank statements."),
        ("Lead", "We reloaded the weekend's data and the dashboards were right again by half past"
                 " eleven."),
        ("Evaluate", "We now check every incoming file against the expected columns and alert "
                     "when one changes."),
    ),
}
# Written after the shapes were settled, to check them on answers they were not built from.
LATER_ANSWERS: dict[str, Told] = {
    "ticket kiosks": (
        ("Comprehend", "On the opening night of a festival, our monitoring showed the ticket "
                       "scanners at the gates rejecting valid tickets, and a long queue was "
                       "building outside."),
        ("Comprehend", "Around four thousand people were due in the next hour."),
        ("Identify", "I checked a rejected ticket against the database and realised the scanners "
                     "were still using yesterday's list, since the nightly sync had failed."),
        ("Report", "I radioed the gate supervisors and messaged the festival director that entry "
                   "was slowed and that I expected a fix within twenty minutes."),
        ("Communicate", "Ola ran the sync by hand from the office while Ben and two stewards "
                        "checked tickets against a printed list at the main gate."),
        ("Lead", "Once the sync finished, the scanners accepted tickets again and the queue "
                 "cleared in about a quarter of an hour."),
        ("Evaluate", "We sat down the next morning, and now the scanners refuse to open the gates"
                     " at all unless the list is from that day, and someone is paged when the "
                     "sync fails."),
    ),
    "hotel wifi": (
        ("Comprehend", "At the hotel where I looked after the systems, guests on four floors lost"
                       " the wifi during a conference weekend."),
        ("Identify", "The access points on those floors had all rebooted after a firmware update "
                     "and come back with the factory settings."),
        ("Report", "I told the duty manager and the conference organiser what had happened and "
                   "posted a notice at reception."),
        ("Communicate", "I asked our apprentice to reset the access points floor by floor while I"
                        " rebuilt the settings file."),
        ("Lead", "By the evening every access point was back on the right settings and the guests"
                 " were online again."),
        ("Evaluate", "Afterwards we turned off automatic firmware updates and we now install them"
                     " one floor at a time on quiet days."),
    ),
    "lab freezer": (
        ("Comprehend", "One Saturday the temperature alarm on our research lab's freezer went "
                       "off, and years of samples were at risk."),
        ("Identify", "When I got in I found the compressor had tripped the breaker after a power "
                     "cut the night before."),
        ("Report", "I called the head of the lab and emailed the research group to say what had "
                   "happened and that the samples were safe for now."),
        ("Communicate", "A technician from facilities came to reset the breaker, and a colleague "
                        "helped me move the most valuable samples to a backup freezer."),
        ("Lead", "The compressor restarted and the freezer was back at minus eighty within two "
                 "hours."),
        ("Evaluate", "Since then the freezer is on its own protected circuit and the alarm also "
                     "texts two people, not just one."),
    ),
}
# Answers that really lack a stage: the stage named first is left out.
LACKING: dict[str, tuple[str, Told]] = {
    "no report": ("Report", (
        ("Comprehend", "On Sunday night our booking site stopped taking payments, and hundreds of"
                       " customers were stuck at checkout."),
        ("Identify", "The payment logs showed that our card processor had rotated its keys and we"
                     " were still using the old ones."),
        ("Communicate", "I asked Dan to fetch the new keys from the processor while Aisha "
                        "prepared the configuration change."),
        ("Lead", "We deployed the new keys and payments went through again within twenty minutes."),
        ("Evaluate", "Afterwards we subscribed to the processor's notices and added a check that "
                     "warns us a month before keys change."),
    )),
    "no evaluate": ("Evaluate", (
        ("Comprehend", "Late on a Thursday the reporting tool our call centre uses became so slow"
                       " that agents could not log calls."),
        ("Identify", "I found a report someone had scheduled that was scanning the entire call "
                     "history every minute."),
        ("Report", "I told the call centre manager what was happening and that I would update her"
                   " in half an hour."),
        ("Communicate", "I had our database administrator stop the report while I contacted the "
                        "person who created it."),
        ("Lead", "With the report stopped, the tool was quick again and agents caught up on their"
                 " calls."),
    )),
}
ALL = CIRCLES_ANSWERS | LATER_ANSWERS


def _coach(told: Told) -> tuple[dict[str, Any], dict[str, float]]:
    transcript, starts = told_in_turn([sentence for _, sentence in told])
    first: dict[str, float] = {}
    for (stage, _), at in zip(told, starts, strict=True):
        first.setdefault(stage, at)
    question = Question(id="q", text="Tell me about an incident you handled.",
                        framework=CIRCLES)
    fb = coach_answer(question, transcript, None).to_dict()
    return fb, first


def _stages(fb: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in fb["structure"]["stages"]}


@pytest.mark.parametrize("name", list(ALL))
def test_every_circles_stage_told_in_own_words_is_found_in_order(name: str) -> None:
    fb, first = _coach(ALL[name])
    stages = _stages(fb)
    assert fb["structure"]["order_ok"] is True
    assert [o["name"] for o in fb["structure"]["order"]] == [s.name for s in CIRCLES.stages]
    for stage in CIRCLES.stages:
        found = stages[stage.name]
        assert found["confidence"] in ("clear", "likely"), (name, stage.name, found)
        assert found["start_s"] == pytest.approx(first[stage.name], abs=0.01), (name, found)
        assert found["basis"]
    assert not any("stage was heard" in n["message"] or "not clearly heard" in n["message"]
                   for n in fb["notes"])


LEFT_OUT = [(name, stage.name) for name, told in ALL.items() for stage in CIRCLES.stages
            # Dropping a stage that takes the whole of another's place is not a lack.
            if sum(1 for s, _ in told if s == stage.name) < len(told) - 1]


@pytest.mark.parametrize(("name", "left_out"), LEFT_OUT,
                         ids=[f"{n}-no-{s}" for n, s in LEFT_OUT])
def test_a_circles_stage_left_out_of_an_own_words_answer_is_absent(
        name: str, left_out: str) -> None:
    kept = tuple((stage, sentence) for stage, sentence in ALL[name] if stage != left_out)
    fb, first = _coach(kept)
    stages = _stages(fb)
    assert stages[left_out]["present"] is False, (name, stages[left_out])
    assert stages[left_out]["confidence"] == "absent"
    assert any(n["message"].startswith(f"No {left_out} stage was heard") for n in fb["notes"])
    for stage in first:
        assert stages[stage]["present"], (name, stage, stages[stage])
        assert stages[stage]["start_s"] == pytest.approx(first[stage], abs=0.01), (name, stage)


@pytest.mark.parametrize("name", list(LACKING))
def test_a_circles_answer_told_without_a_stage_is_told_so(name: str) -> None:
    lacking, told = LACKING[name]
    fb, first = _coach(told)
    stages = _stages(fb)
    assert stages[lacking]["present"] is False and stages[lacking]["confidence"] == "absent"
    assert stages[lacking]["start_s"] is None and stages[lacking]["share"] == 0.0
    assert any(n["message"].startswith(f"No {lacking} stage was heard") for n in fb["notes"])
    for stage in first:
        assert stages[stage]["confidence"] in ("clear", "likely"), (name, stage)
        assert stages[stage]["start_s"] == pytest.approx(first[stage], abs=0.01), (name, stage)


def test_a_stage_named_by_a_verb_is_not_cued_by_the_word_as_a_noun() -> None:
    # "our marketing lead" and "a firmware update" are people and things, not the Lead and
    # Report stages; the sentence hands out work, so it is the Communicate stage's.
    fb, first = _coach(CIRCLES_ANSWERS["email delivery"])
    stages = _stages(fb)
    assert stages["Lead"]["start_s"] == pytest.approx(first["Lead"], abs=0.01)
    assert stages["Lead"]["cue"] is None or stages["Lead"]["cue"]["at_s"] >= first["Lead"]
    communicate = stages["Communicate"]
    assert communicate["confidence"] == "likely" and "kofi" in communicate["basis"]


def test_an_opening_that_mentions_monitoring_stays_the_comprehend_stage() -> None:
    # "Our monitoring lit up" carries a cue of Identify; the answer still opens on its
    # first stage, and Identify starts where the cause is looked for.
    fb, first = _coach(CIRCLES_ANSWERS["stuck orders"])
    stages = _stages(fb)
    assert stages["Comprehend"]["start_s"] == pytest.approx(first["Comprehend"], abs=0.01)
    assert stages["Identify"]["start_s"] == pytest.approx(first["Identify"], abs=0.01)
    assert stages["Comprehend"]["share"] > 0.2
