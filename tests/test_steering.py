"""Table-driven tests for flows.steering.

Wording follows bench/data/sample-stories.jsonl and what NHS staff and the public say.
Decision recorded here and in the module docstring: "tried to get through / book / call / see"
is a failed attempt to use a service, so it is PROBLEM, not an experiment.
"""

import pytest

from bot.core.types import TriedBy
from flows.steering import Label, classify, guess_tried_by, says_nothing_tried

P, E, B = Label.PROBLEM, Label.EXPERIMENT, Label.BOTH

CLASSIFY = [
    # Problems only.
    pytest.param(
        "The surgery phone line is engaged from 8am every Monday and people just give up.",
        P,
        id="p-engaged-monday",
    ),
    pytest.param(
        "Our maternity self-referral form kept timing out on phones, so women rang us instead.",
        P,
        id="p-form-timing-out",
    ),
    pytest.param("My son waited over a year for mental health support.", P, id="p-camhs-wait"),
    pytest.param("my eyesight started going last year and the clinic keeps cancelling", P,
                 id="p-started-going-eyesight"),
    pytest.param("my mate told me about the school nurse drop in and i started going every week",
                 E, id="e-started-going-every-week"),
    pytest.param(
        "My dad's discharge letter took six weeks to reach his GP.", P, id="p-discharge-letter"
    ),
    pytest.param("The inhaler I need keeps running out at my pharmacy.", P, id="p-inhaler"),
    pytest.param("Night staff never got a hot meal.", P, id="p-night-meal"),
    pytest.param(
        "Results take weeks and nobody tells you if everything is fine.", P, id="p-results"
    ),
    pytest.param(
        "Callers to 111 often turned down the first service we recommended.",
        P,
        id="p-111-turned-down",
    ),
    pytest.param(
        "After my cancer diagnosis I felt completely alone between appointments.",
        P,
        id="p-cancer-alone",
    ),
    pytest.param("My mum was moved wards four times in one night.", P, id="p-moved-wards"),
    pytest.param(
        "Walking groups for people with depression were poorly attended.", P, id="p-walking-groups"
    ),
    pytest.param(
        "The new patient record system crashes every afternoon and we lose notes.",
        P,
        id="p-record-system",
    ),
    pytest.param(
        "The care home didn't tell us Dad had fallen until the next day.", P, id="p-care-home-fall"
    ),
    pytest.param(
        "Staff on the ward are exhausted and short-staffed every weekend.", P, id="p-short-staffed"
    ),
    pytest.param("The out-of-hours GP was rude and dismissed my worries.", P, id="p-rude-gp"),
    pytest.param(
        "Our referral to the memory clinic has been delayed again.", P, id="p-memory-clinic"
    ),
    # Tricky problems: words that look like action but are not a change.
    pytest.param(
        "Meetings started late and everyone was on their phones.", P, id="p-tricky-started-late"
    ),
    pytest.param(
        "The rota was changed three times in a week without telling anyone.",
        P,
        id="p-tricky-passive-changed",
    ),
    pytest.param(
        "I tried to get through but it was always engaged.", P, id="p-tricky-tried-to-get-through"
    ),
    pytest.param(
        "I've tried ringing 111 three times and keep getting cut off.",
        P,
        id="p-tricky-tried-ringing",
    ),
    pytest.param(
        "We tried to book a maternity scan online but the website crashed.",
        P,
        id="p-tricky-tried-to-book",
    ),
    pytest.param(
        "I tried calling the pharmacy all morning and nobody picked up.",
        P,
        id="p-tricky-tried-calling",
    ),
    pytest.param("I tried again at 8am but it was engaged.", P, id="p-tricky-tried-again"),
    pytest.param(
        "I couldn't get an appointment so I rang 111 instead.", P, id="p-tricky-so-i-rang"
    ),
    pytest.param(
        "We were told the new booking system would be introduced in spring, but it never was.",
        P,
        id="p-tricky-promised",
    ),
    pytest.param("It would really help if someone set up a call-back list.", P, id="p-tricky-wish"),
    pytest.param(
        "I wanted to start a carers' group but nobody would give us a room.",
        P,
        id="p-tricky-wanted-to-start",
    ),
    # Negations: nothing has been tried.
    pytest.param("We haven't tried anything yet.", P, id="n-havent-tried"),
    pytest.param("Nobody has done anything about it.", P, id="n-nobody-done"),
    pytest.param("Nothing has been tried so far.", P, id="n-nothing-tried"),
    pytest.param("No one's tried to fix it.", P, id="n-no-ones-tried"),
    pytest.param("No one\u2019s tried to fix the booking system.", P, id="n-curly-apostrophe"),
    pytest.param("I didn't try to complain, I was too tired.", P, id="n-didnt-try-complain"),
    pytest.param(
        "Nobody has bothered to fix the broken lift in outpatients.", P, id="n-nobody-bothered"
    ),
    pytest.param(
        "The practice has never changed how the phones work, even though everyone hates it.",
        P,
        id="n-never-changed",
    ),
    pytest.param("We've not started anything because there's no money.", P, id="n-not-started"),
    pytest.param(
        "I don't think anyone has set up a carers' group round here.", P, id="n-dont-think-set-up"
    ),
    pytest.param(
        "Management haven\u2019t introduced any changes to the rota, and staff are leaving.",
        P,
        id="n-havent-introduced",
    ),
    pytest.param(
        "Nobody at the surgery has ever tried a call-back list.", P, id="n-nobody-ever-tried"
    ),
    pytest.param("We havent tried anything, we just put up with it.", P, id="n-no-apostrophe"),
    pytest.param("We've yet to try anything on the night shift.", P, id="n-yet-to-try"),
    # Neutral or empty: the safe default is PROBLEM.
    pytest.param("", P, id="neutral-empty"),
    pytest.param("It takes three buses to reach the diabetes clinic.", P, id="neutral-buses"),
    pytest.param("I work on a surgical ward.", P, id="neutral-surgical-ward"),
    # Experiments only.
    pytest.param(
        "The practice manager started a call-back list and texts people a time slot.",
        E,
        id="e-call-back-list",
    ),
    pytest.param(
        "We sat with five mums who had just used it and rewrote the form with them.",
        E,
        id="e-rewrote-form",
    ),
    pytest.param(
        "A small team built a dashboard of which recommendations were rejected and why.",
        E,
        id="e-dashboard",
    ),
    pytest.param(
        "A local charity ran a course on living well with cancer; I went with my husband.",
        E,
        id="e-charity-course",
    ),
    pytest.param(
        "We joined an arts group for young people run by volunteers at the library.",
        E,
        id="e-arts-group",
    ),
    pytest.param(
        "Our director began each meeting with 30 seconds of quiet, phones down.",
        E,
        id="e-quiet-start",
    ),
    pytest.param(
        "The ward clerk now emails a copy the same day when families ask.", E, id="e-ward-clerk-now"
    ),
    pytest.param(
        "We trialled a quiet hour after lunch with lights down and no routine obs.",
        E,
        id="e-quiet-hour",
    ),
    pytest.param(
        "We added a text reminder two days before each appointment.", E, id="e-text-reminder"
    ),
    pytest.param(
        "A group of us set up a monthly carers' caf\u00e9 at the community centre.",
        E,
        id="e-carers-cafe",
    ),
    pytest.param(
        "We recorded a friendly message explaining the wait and trained staff in de-escalation.",
        E,
        id="e-recorded-message",
    ),
    pytest.param(
        "The pharmacist now texts me when the delivery arrives.", E, id="e-pharmacist-texts"
    ),
    pytest.param(
        "We co-wrote an easy-read letter with a local self-advocacy group.", E, id="e-easy-read"
    ),
    pytest.param(
        "We let them choose to be seen in the youth centre instead of the hospital.",
        E,
        id="e-youth-centre",
    ),
    pytest.param("We asked for a named nurse and kept a notebook by her bed.", E, id="e-notebook"),
    pytest.param(
        "The clinic trialled video appointments for routine reviews.", E, id="e-video-appointments"
    ),
    pytest.param("We tried a five-minute standing huddle with a printed list.", E, id="e-huddle"),
    pytest.param(
        "I decided to bring a written list of questions to every appointment.",
        E,
        id="e-list-of-questions",
    ),
    pytest.param(
        "Our pharmacy piloted a walk-in blood pressure check on Saturdays.", E, id="e-bp-pilot"
    ),
    pytest.param(
        "I set up a WhatsApp group for parents on the neonatal unit.", E, id="e-neonatal-whatsapp"
    ),
    pytest.param("Now we hold a ten-minute huddle before every night shift.", E, id="e-now-we"),
    pytest.param(
        "So I made a laminated card with my son's needs for A&E staff.", E, id="e-so-i-made"
    ),
    pytest.param(
        "The care home launched a weekly video call so families can see residents.",
        E,
        id="e-care-home-video",
    ),
    pytest.param(
        "We\u2019ve started sending discharge letters to the GP by email.",
        E,
        id="e-started-sending",
    ),
    pytest.param(
        "My colleagues and I built a simple spreadsheet to track who is on call.",
        E,
        id="e-on-call-spreadsheet",
    ),
    pytest.param(
        "We changed the clinic start time to 10am so the school run was easier.",
        E,
        id="e-changed-start-time",
    ),
    pytest.param(
        "With no funding at all volunteers started a lift scheme to the hospital.",
        E,
        id="e-tricky-no-funding",
    ),
    pytest.param(
        "Not much to report yet, but we set up a buddy scheme for new starters.",
        E,
        id="e-tricky-not-much-but",
    ),
    pytest.param(
        "Our community mental health team opened an evening drop-in at the library.",
        E,
        id="e-mh-drop-in",
    ),
    pytest.param(
        "The dental practice switched to online booking for check-ups.", E, id="e-dental-online"
    ),
    pytest.param(
        "Our IT team rolled out single sign-on across the GP practices.", E, id="e-it-sign-on"
    ),
    pytest.param(
        "The care home invited local schoolchildren to read with residents on Fridays.",
        E,
        id="e-care-home-school",
    ),
    pytest.param(
        "I organised a coffee morning for new mums at the children's centre.",
        E,
        id="e-coffee-morning",
    ),
    pytest.param("We're running a weekly walk-and-talk group for staff.", E, id="e-walk-and-talk"),
    pytest.param(
        "WE INTRODUCED A QUIET ROOM FOR STAFF ON THE MATERNITY UNIT.", E, id="e-upper-case"
    ),
    # A problem and something tried.
    pytest.param(
        "The phone line was engaged every morning, so the practice manager started a "
        "call-back list.",
        B,
        id="b-call-back-list",
    ),
    pytest.param(
        "Handover kept missing things, so we tried a five-minute standing huddle.",
        B,
        id="b-handover-huddle",
    ),
    pytest.param(
        "Older patients on our ward slept badly, so we trialled a quiet hour after lunch.",
        B,
        id="b-quiet-hour",
    ),
    pytest.param(
        "Receptionists were taking abuse on the phone, so we recorded a friendly message.",
        B,
        id="b-reception-abuse",
    ),
    pytest.param(
        "My son waited over a year for help, and in the end we joined an arts group at "
        "the library.",
        B,
        id="b-arts-group",
    ),
    pytest.param(
        "Patients kept missing appointments because letters arrived late, so we added "
        "text reminders.",
        B,
        id="b-text-reminders",
    ),
    pytest.param(
        "I couldn't get a GP appointment for weeks, so I set up a community Facebook "
        "group to share tips.",
        B,
        id="b-facebook-group",
    ),
    pytest.param(
        "The lift in outpatients was broken for months until the estates team "
        "introduced a daily check.",
        B,
        id="b-lift-check",
    ),
    pytest.param(
        "Our discharge letters were delayed, so the ward clerk now emails a copy the same day.",
        B,
        id="b-discharge-letters",
    ),
    pytest.param(
        "Mums found the self-referral form frustrating, so we rewrote it with them.",
        B,
        id="b-rewrote-form",
    ),
    pytest.param(
        "Night staff never got a hot meal until we set up a shared fridge and a breakfast rota.",
        B,
        id="b-night-fridge",
    ),
    pytest.param(
        "Our self-referral form kept timing out on phones, so we sat with five mums and "
        "rewrote it.",
        B,
        id="b-form-mums",
    ),
    pytest.param(
        "Nobody answered the phone at the pharmacy, so I started a list of neighbours "
        "who could collect prescriptions.",
        B,
        id="b-neighbours-list",
    ),
    pytest.param(
        "When nobody answered we started a WhatsApp group for the street.",
        B,
        id="b-tricky-when-nobody",
    ),
    pytest.param(
        "The e-referral system kept logging us out, so IT changed the timeout and it's "
        "much better.",
        B,
        id="b-it-timeout",
    ),
    pytest.param(
        "Staff were exhausted, so our matron introduced protected breaks.",
        B,
        id="b-protected-breaks",
    ),
    pytest.param(
        "We were losing referrals in the post, so we piloted electronic referrals with "
        "two practices.",
        B,
        id="b-e-referrals",
    ),
    pytest.param(
        "The waiting list for counselling is eight months; our team launched a drop-in "
        "group meanwhile.",
        B,
        id="b-counselling-drop-in",
    ),
    pytest.param(
        "Carers told us they felt isolated, so we organised a monthly caf\u00e9.",
        B,
        id="b-carers-isolated",
    ),
    pytest.param(
        "I complained to PALS after Mum was left in pain, and they changed the pain relief checks.",
        B,
        id="b-pals-pain",
    ),
    pytest.param(
        "Our rota was a mess and shifts were lost, so I built a shared calendar.",
        B,
        id="b-rota-calendar",
    ),
    pytest.param(
        "The 111 call took two hours and we gave up; afterwards the service tested a "
        "call-back option.",
        B,
        id="b-111-call-back",
    ),
    pytest.param(
        "Women said our labour ward leaflets felt cold, so midwives rewrote them with a "
        "mums' group.",
        B,
        id="b-leaflets",
    ),
    pytest.param(
        "People dropped out after one visit until we let them choose to be seen at the "
        "youth centre.",
        B,
        id="b-youth-centre",
    ),
    pytest.param(
        "Medication kept running out, so the pharmacist now texts me before it's gone.",
        B,
        id="b-pharmacist-texts",
    ),
    pytest.param(
        "Patients struggled to read the discharge leaflet, so the ward simplified it.",
        B,
        id="b-leaflet-simplified",
    ),
    pytest.param(
        "Our dentist had a two-year waiting list, so the practice offered urgent slots "
        "through 111.",
        B,
        id="b-dentist-urgent",
    ),
    pytest.param(
        "Staff kept getting locked out of the rota app until IT set up a password reset line.",
        B,
        id="b-rota-app-locked",
    ),
    pytest.param(
        "Families felt ignored at ward rounds, so the consultant started inviting them in.",
        B,
        id="b-started-inviting",
    ),
    pytest.param(
        "Young carers felt invisible at school, so a nurse started a lunchtime group.",
        B,
        id="b-young-carers",
    ),
    pytest.param(
        "Mental health referrals sat for months until the crisis team piloted a single "
        "phone number.",
        B,
        id="b-crisis-line",
    ),
    pytest.param(
        "Interpreters were never booked in time, so we built a booking form into the "
        "maternity system.",
        B,
        id="b-interpreters",
    ),
    pytest.param(
        "I tried to get through for weeks, then our patient group set up a call-back list.",
        B,
        id="b-tricky-access-then-fix",
    ),
    pytest.param(
        "We haven't tried anything ourselves, but the surgery started a text service.",
        B,
        id="b-tricky-negated-then-real",
    ),
]

NOTHING_TRIED = [
    pytest.param("no", True, id="no"),
    pytest.param("No.", True, id="no-full-stop"),
    pytest.param("nope", True, id="nope"),
    pytest.param("Not yet", True, id="not-yet"),
    pytest.param("nothing yet", True, id="nothing-yet"),
    pytest.param("Nobody", True, id="nobody"),
    pytest.param("no one has", True, id="no-one-has"),
    pytest.param("We haven't tried anything", True, id="havent-tried"),
    pytest.param("I don't think so", True, id="dont-think-so"),
    pytest.param("I don\u2019t think so", True, id="dont-think-so-curly"),
    pytest.param("Not that I know of", True, id="not-that-i-know"),
    pytest.param("none", True, id="none"),
    pytest.param("n/a", True, id="n-a"),
    pytest.param("N/A", True, id="n-a-upper"),
    pytest.param("Nothing tried that I know of.", True, id="nothing-tried-i-know"),
    pytest.param("Nah, nobody\u2019s bothered", True, id="nah-nobody-bothered"),
    pytest.param("Not really, no.", True, id="not-really"),
    pytest.param("Um, no", True, id="um-no"),
    pytest.param("Nope, I didn't complain either.", True, id="didnt-complain"),
    pytest.param("No, they just keep cancelling.", True, id="no-keep-cancelling"),
    pytest.param("Nobody rang me back.", True, id="nobody-rang-back"),
    pytest.param(
        "Not yet, we're hoping to start a group in the spring.", True, id="not-yet-hoping"
    ),
    pytest.param("Not yet, but my manager emailed IT", False, id="not-yet-but-emailed"),
    pytest.param("No, but I rang PALS", False, id="no-but-pals"),
    pytest.param("The practice manager started a call-back list", False, id="real-attempt"),
    pytest.param(
        "Nothing yet \u2014 I wrote to the council but heard nothing.",
        False,
        id="nothing-yet-wrote-to-council",
    ),
    pytest.param("We set up a rota but nothing changed", False, id="tried-nothing-changed"),
    pytest.param("Yes, I complained to PALS", False, id="yes-complained"),
    pytest.param("Yes", False, id="yes"),
    pytest.param(
        "No one at work, but my GP referred me to a walking group.",
        False,
        id="no-one-but-gp-referred",
    ),
    pytest.param("The pharmacist now texts me when it arrives.", False, id="pharmacist-texts"),
]

TRIED_BY = [
    pytest.param("I rang PALS and explained what happened.", TriedBy.ME, id="me-rang"),
    pytest.param("I set up a WhatsApp group.", TriedBy.ME, id="me-set-up"),
    pytest.param("So I made a laminated card for A&E.", TriedBy.ME, id="me-so-i"),
    pytest.param("We set up a shared fridge.", TriedBy.MY_TEAM, id="team-we"),
    pytest.param("Our team trialled a quiet hour.", TriedBy.MY_TEAM, id="team-our-team"),
    pytest.param(
        "My colleagues and I built a spreadsheet.", TriedBy.MY_TEAM, id="team-colleagues-and-i"
    ),
    pytest.param(
        "A group of us set up a carers' caf\u00e9.", TriedBy.MY_TEAM, id="team-group-of-us"
    ),
    pytest.param(
        "We sat with five mums who had just used it and rewrote the form with them.",
        TriedBy.MY_TEAM,
        id="team-elided-subject",
    ),
    pytest.param(
        "The practice manager started a call-back list.",
        TriedBy.SOMEONE_ELSE,
        id="else-practice-manager",
    ),
    pytest.param("A volunteer set up a lift scheme.", TriedBy.SOMEONE_ELSE, id="else-volunteer"),
    pytest.param("They now send a text the day before.", TriedBy.SOMEONE_ELSE, id="else-they"),
    pytest.param("My GP referred me to a walking group.", TriedBy.SOMEONE_ELSE, id="else-my-gp"),
    pytest.param(
        "Our director began each meeting with a minute of quiet.",
        TriedBy.SOMEONE_ELSE,
        id="else-our-director",
    ),
    pytest.param(
        "I think the practice started a call-back list.",
        TriedBy.SOMEONE_ELSE,
        id="else-i-think-the-practice",
    ),
    pytest.param("my GP", TriedBy.SOMEONE_ELSE, id="else-bare-gp"),
    pytest.param(
        "A call-back list was set up by the practice manager.",
        TriedBy.SOMEONE_ELSE,
        id="else-passive-by",
    ),
    pytest.param("A quiet hour was piloted by our team.", TriedBy.MY_TEAM, id="team-passive-by"),
    pytest.param("A call-back list was set up.", None, id="unclear-passive"),
    pytest.param("Nothing yet", TriedBy.NOBODY, id="nobody-nothing-yet"),
    pytest.param("We haven't tried anything", TriedBy.NOBODY, id="nobody-havent-tried"),
    pytest.param("no one has", TriedBy.NOBODY, id="nobody-no-one-has"),
    pytest.param("just me really, nobody else bothered", TriedBy.ME, id="me-nobody-else"),
    pytest.param("me, no one else", TriedBy.ME, id="me-no-one-else"),
    pytest.param("nothing. nobody else has either", TriedBy.NOBODY, id="nobody-else-either"),
    pytest.param("It was a bit of both really.", None, id="unclear-both"),
    pytest.param("Not sure who, but the phones are better now.", None, id="unclear-not-sure"),
]


@pytest.mark.parametrize(("text", "expected"), CLASSIFY)
def test_classify(text: str, expected: Label) -> None:
    assert classify(text) is expected


@pytest.mark.parametrize(("text", "expected"), NOTHING_TRIED)
def test_says_nothing_tried(text: str, expected: bool) -> None:
    assert says_nothing_tried(text) is expected


@pytest.mark.parametrize(("text", "expected"), TRIED_BY)
def test_guess_tried_by(text: str, expected: TriedBy | None) -> None:
    assert guess_tried_by(text) is expected


def test_tables_are_big_enough_and_balanced() -> None:
    labels = [param.values[1] for param in CLASSIFY]
    assert len(CLASSIFY) >= 70
    assert min(labels.count(label) for label in Label) >= 20
    assert len(NOTHING_TRIED) >= 20
    assert len(TRIED_BY) >= 12


def test_label_and_tried_by_values_are_stable() -> None:
    assert [label.value for label in Label] == ["problem", "experiment", "both"]
    assert [who.value for who in TriedBy] == ["me", "my team", "someone else", "nobody yet"]
