"""Whole stories told to ``storyloop chat`` by nine different people, each typing the way
people do, in a real pseudo-terminal on a real SQLite file. Every answer waits for the bot's
reply (the next prompt), nothing sleeps, and at the end the stored story is read field by field:
what each person meant is kept, and nothing they said that was not an answer is.

A test marked ``xfail`` records a place where storyloop misunderstands someone in a way a kind
person would not; its reason quotes the exchange. It is strict, so it fails once fixed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.core.words import say
from tests.pty_people import Misreadings, Teller, stored_story, story_count

GOODBYE = say("terminal.goodbye")
START, CONSENT, HAPPENING = "Shall we start?", "Is that OK?", "What's been happening?"
TRIED = "tried something to make it better?"
WHO, OUTCOME = "Who tried it?", "What happened after that?"
SPREAD, NEED = "What would help this spread", "What would help? What do you need?"
REFLECT, THEMES = "four short extra questions", "Which of these is your story about?"
ENHANCE, RESTORE = "build on, that already works?", "something it brings back"
REPLACE, BECOME = "What might it replace", "what might it become?"
PLACE, ROLE = "Which service or place", "are you telling this as"
PERMISSIONS, REVIEW, SAVED = "What else is OK with you?", "Shall I send it?", "your story is saved"
INTRODUCE = "would you be happy to be introduced?"
"""Asked after the permissions of someone who agreed to be contacted."""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "storyloop.toml"
    path.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "s.db"}"\n')
    return path


@pytest.fixture
def db(config: Path) -> Path:
    return config.parent / "s.db"


@pytest.fixture
def person(config: Path) -> Iterator[Callable[[], Teller]]:
    """Start ``storyloop chat`` for someone (again, for someone coming back). Whatever
    happens, each process started is ended at the end, and its transcript printed."""
    started: list[Teller] = []

    def start() -> Teller:
        started.append(Teller(config))
        return started[-1]

    yield start
    for teller in started:
        print(teller.transcript())
        teller.term.close(force=True)


def tells_what_was_tried(teller: Teller, tried: str, who: str, then: str = OUTCOME) -> None:
    """Say what was tried; say who, if asked (storyloop may have heard it already)."""
    reply = teller.says(tried)
    if WHO.lower() in reply.lower():
        teller.answers(who, then)
    else:
        assert then.lower() in reply.lower(), teller.transcript()


def test_terse_tom_finishes_in_at_most_16_messages(person: Callable[[], Teller],
                                                   db: Path) -> None:
    tom = person()
    assert START in tom.opens()
    tom.answers("yeah", CONSENT)
    tom.answers("yeah", HAPPENING)
    tom.answers("cant get thru on the phone", TRIED)
    tom.answers("nah", NEED)
    tom.answers("dunno", REFLECT)
    tom.answers("nah", THEMES)
    tom.answers("1", PLACE)
    tom.answers("skip", ROLE)
    tom.answers("1", PERMISSIONS)
    tom.answers("nah", REVIEW)
    tom.answers("yep", SAVED)
    assert tom.leaves() == 0
    assert len(tom.said) <= 16
    story = Misreadings(stored_story(db))
    story.equal("situation", "cant get thru on the phone")
    story.equal("tried", None)
    story.equal("tried_by", "nobody yet")
    story.equal("outcome", None)
    story.equal("spread", None)  # "dunno" is not what would help
    story.equal("themes", ["access"])
    story.equal("place", None)
    story.equal("role", "citizen")
    for consent, agreed in [("store", 1), ("digest", 0), ("quote", 0), ("contact", 0),
                            ("name", 0)]:
        story.equal(f"consent_{consent}", agreed)
    story.equal("status", "pending")
    story.never("yeah", "nah", "dunno", "skip", "yep")
    story.check(tom)


def test_angry_gary_is_heard_and_nobody_tried_is_not_something_tried(
        person: Callable[[], Teller], db: Path) -> None:
    gary = person()
    gary.opens()
    gary.answers("yeah fine whatever", CONSENT)
    gary.answers("YES", HAPPENING)
    gary.answers("THREE WEEKS waiting for a call back from the bloody surgery and NOBODY "
                 "answers the damn phone", TRIED)
    gary.answers("nobody has tried anything thats the whole point", NEED)
    gary.answers("ACTUALLY ANSWER THE PHONE. its not rocket science", REFLECT)
    gary.answers("NO. this is taking bloody ages", THEMES)
    gary.answers("access obviously", PLACE)
    gary.answers("the surgery on mill road, useless lot", ROLE)
    gary.answers("PATIENT obviously, who else would i be", PERMISSIONS)
    gary.answers("NONE OF IT", REVIEW)
    gary.answers("yes send it", SAVED)
    assert gary.leaves() == 0
    story = Misreadings(stored_story(db))
    story.holds("situation", "THREE WEEKS", "NOBODY answers the damn phone")
    story.equal("tried", None)
    story.equal("tried_by", "nobody yet")
    story.holds("spread", "ANSWER THE PHONE")
    story.equal("themes", ["access"])
    story.holds("place", "surgery on mill road")
    story.equal("role", "citizen")
    for consent in ["digest", "quote", "contact", "name"]:
        story.equal(f"consent_{consent}", 0)
    story.never("nobody has tried anything thats the whole point", "NO. this is taking bloody ages")
    story.check(gary)


@pytest.mark.xfail(strict=True, reason=(
    "safeguarding misfires on an ordinary story (issue 13): 'it took the whole day because her "
    "tablets weren't ready from the pharmacy' matches the rule for a medical emergency ('took "
    "... tablets'), so the bot gives the 999 reply and pauses the story instead of keeping it"))
def test_chatty_chris_tells_it_at_length_and_every_answer_is_kept(
        person: Callable[[], Teller], db: Path) -> None:
    chris = person()
    chris.opens()
    chris.answers("oh hello! yes go on then, I've got a few minutes while the kettle boils",
                  CONSENT)
    chris.answers("yes that's fine by me, I don't mind at all as long as my name isn't on it",
                  HAPPENING)
    reply = chris.says(
        "Well where do I start. My mum was in hospital for a fortnight after her fall and when "
        "it came to going home it took the whole day because her tablets weren't ready from "
        "the pharmacy. We sat in the discharge lounge from ten till half six. She was "
        "exhausted and so was I. Lovely weather for it too, typical!")
    if "999" in reply:  # what a person would say to that
        reply = chris.says("oh goodness no, we're fine! that was back in january, mum's right "
                           "as rain now. carry on")
    assert TRIED in reply, chris.transcript()
    tells_what_was_tried(
        chris, "Yes actually, my sister rang the ward every morning that week and in the end "
        "the discharge nurse started texting us when the tablets were ready, so we didn't have "
        "to sit there all day. Honestly the car park is a nightmare as well but that's another "
        "story.", "the discharge nurse really, with my sister nagging her a bit haha")
    chris.answers("Second time round, when mum went back in for her hip in March, we got a "
                  "text at two and picked her up at three. Much better. She was home for her "
                  "tea and the cat was thrilled.", SPREAD)
    chris.answers("If every ward did the text thing it would save so much waiting about. Maybe "
                  "put it on the discharge leaflet so families know to ask for it. My neighbour "
                  "said the same happened to her husband, you'd think they'd have learned!",
                  REFLECT)
    chris.answers("go on then, why not", ENHANCE)
    chris.answers("It builds on the ward phoning families, which they already do for visiting "
                  "times.", RESTORE)
    chris.answers("Not really. Well, maybe the old days when the ward clerk knew everyone and "
                  "rang you herself.", REPLACE)
    chris.answers("It could replace all that sitting about in the discharge lounge, those "
                  "chairs are awful for your back.", BECOME)
    chris.answers("Every hospital doing it! Or an app, though mum wouldn't touch an app, she "
                  "still writes cheques.", THEMES)
    chris.answers("communication and carers I suppose, though honestly it's a bit of everything",
                  PLACE)
    chris.answers("the royal infirmary, ward 12, the one by the lifts", ROLE)
    chris.answers("I'm just family really, I don't work for the NHS or anything", PERMISSIONS)
    chris.answers("1 and 3 are fine, I'm happy for someone to ring me about it", INTRODUCE)
    chris.answers("no thank you, I'd rather not", REVIEW)
    chris.answers("yes lovely, send it. thank you for listening", SAVED)
    assert chris.leaves() == 0
    story = Misreadings(stored_story(db))
    story.holds("situation", "after her fall", "tablets weren't ready", "discharge lounge")
    story.holds("tried", "discharge nurse started texting")
    story.equal("tried_by", "someone else")
    story.holds("outcome", "text at two")
    story.holds("spread", "every ward did the text thing")
    story.holds("enhance", "ward phoning families")
    story.holds("restore", "ward clerk")
    story.holds("replace", "discharge lounge")
    story.holds("become", "Every hospital doing it")
    story.equal("themes", ["communication", "carers"])
    story.holds("place", "royal infirmary")
    story.equal("role", "citizen")
    for consent, agreed in [("digest", 1), ("quote", 0), ("contact", 1), ("name", 0)]:
        story.equal(f"consent_{consent}", agreed)
    story.never("oh goodness no, we're fine! that was back in january")
    story.check(chris)


def test_emoji_emma_is_read_through_her_emoji(person: Callable[[], Teller], db: Path) -> None:
    emma = person()
    emma.opens()
    emma.answers("👍", CONSENT)
    emma.answers("👍", HAPPENING)
    emma.answers("physio referral got lost twice 😤 had to chase it all myself", TRIED)
    tells_what_was_tried(emma, "yes i emailed the physio team direct 🙏", "me 🙋‍♀️")
    emma.answers("got an appt within 2 weeks 🎉", SPREAD)
    emma.answers("put the team email on the referral letter 👍", REFLECT)
    emma.answers("👎", THEMES)
    emma.answers("2 🙏", PLACE)
    emma.answers("physio at st marys 🏥", ROLE)
    emma.answers("patient 🙂", PERMISSIONS)
    emma.answers("1 2 👍", REVIEW)
    emma.answers("👍", SAVED)
    assert emma.leaves() == 0
    story = Misreadings(stored_story(db))
    story.holds("situation", "physio referral got lost twice")
    story.holds("tried", "emailed the physio team")
    story.equal("tried_by", "me")
    story.holds("outcome", "appt within 2 weeks")
    story.holds("spread", "team email on the referral letter")
    for reflection in ["enhance", "restore", "replace", "become"]:
        story.equal(reflection, None)
    story.equal("themes", ["waiting times"])
    story.holds("place", "physio at st marys")
    story.equal("role", "citizen")
    for consent, agreed in [("digest", 1), ("quote", 1), ("contact", 0), ("name", 0)]:
        story.equal(f"consent_{consent}", agreed)
    story.never("👍", "👎", "🙏", "me 🙋‍♀️")
    story.check(emma)


def test_questioning_quinn_asks_back_and_only_answers_are_kept(
        person: Callable[[], Teller], db: Path) -> None:
    quinn = person()
    quinn.opens()
    quinn.answers("what is this?", START)
    quinn.answers("ok go on", CONSENT)
    assert "moderator" in quinn.answers("who sees it?", CONSENT)
    quinn.answers("ok fine yes", HAPPENING)
    quinn.answers("why do you need this?", HAPPENING)
    quinn.answers("the mental health crisis line kept me on hold for 40 minutes on tuesday "
                  "night", TRIED)
    assert "For example" in quinn.answers("what do you mean?",
                                          "done something to try to make it better?")
    quinn.answers("no nobody has as far as i know", NEED)
    quinn.answers("what sort of thing do you mean?", "what would make things better for you?")
    quinn.answers("a call back option instead of holding", REFLECT)
    quinn.answers("what are the extra questions?", REFLECT)
    quinn.answers("no thanks", THEMES)
    quinn.answers("what do the numbers mean?", "which of these words fit your story")
    quinn.answers("6", PLACE)
    quinn.answers("the crisis line", ROLE)
    quinn.answers("why does that matter?", ROLE)
    quinn.answers("someone who uses services", PERMISSIONS)
    quinn.answers("what are weekly summaries?", PERMISSIONS)
    quinn.answers("1", REVIEW)
    quinn.answers("yes", SAVED)
    assert quinn.leaves() == 0
    story = Misreadings(stored_story(db))
    story.holds("situation", "crisis line kept me on hold for 40 minutes")
    story.equal("tried", None)
    story.equal("tried_by", "nobody yet")
    story.holds("spread", "call back option")
    story.equal("themes", ["mental health"])
    story.holds("place", "crisis line")
    story.equal("role", "citizen")
    for consent, agreed in [("digest", 1), ("quote", 0), ("contact", 0), ("name", 0)]:
        story.equal(f"consent_{consent}", agreed)
    story.never("what is this?", "who sees it?", "why do you need this?", "what do you mean?",
                "what sort of thing do you mean?", "what are the extra questions?",
                "what do the numbers mean?", "why does that matter?",
                "what are weekly summaries?")
    story.check(quinn)


def test_returning_ray_leaves_mid_story_and_finishes_it_later(
        person: Callable[[], Teller], db: Path) -> None:
    ray = person()
    ray.opens()
    ray.answers("yes please", CONSENT)
    ray.answers("yep thats ok", HAPPENING)
    ray.answers("the district nurse turns up at a different time every day so dad never knows "
                "when to be in", TRIED)
    tells_what_was_tried(ray, "my sister made a whiteboard by his front door and the nurses "
                         "write the next visit time on it", "my sister")
    assert ray.leaves() == 0
    assert ray.saw(GOODBYE)
    back = person()
    assert OUTCOME in back.opens()
    assert START not in back.opening
    back.answers("sorry about that, the bus came. where were we", OUTCOME)
    back.answers("they come at the time on the board now, mostly. dad's much calmer", SPREAD)
    back.answers("every district nurse team could do it, it costs nothing", REFLECT)
    back.answers("no ta", THEMES)
    back.answers("3, 7", PLACE)
    back.answers("district nurses, north team", ROLE)
    back.answers("both", PERMISSIONS)
    back.answers("1 2 3", INTRODUCE)
    back.answers("yes", REVIEW)
    back.answers("yes", SAVED)
    assert back.leaves() == 0
    assert story_count(db) == 1
    story = Misreadings(stored_story(db))
    story.holds("situation", "district nurse turns up at a different time")
    story.holds("tried", "whiteboard by his front door")
    story.equal("tried_by", "someone else")
    story.holds("outcome", "time on the board now")
    story.holds("spread", "every district nurse team")
    story.equal("themes", ["communication", "carers"])
    story.holds("place", "district nurses")
    story.equal("role", "both")
    for consent, agreed in [("digest", 1), ("quote", 1), ("contact", 1), ("name", 0)]:
        story.equal(f"consent_{consent}", agreed)
    story.never("sorry about that, the bus came. where were we", "no ta")
    story.check(ray, back)


HANDOVER = ("Handover on our ward was taking 45 minutes.\n"
            "People read every line of the notes out loud, and allergies\n"
            "got lost in the middle of it.\n"
            "\n"
            "Two near misses in one month.")
SINCE = ("Handover is down to about 15 minutes.\n"
         "No allergy near misses since March.\n"
         "Night staff say they actually get a break now.")


def test_pasting_pat_pastes_paragraphs_and_each_is_one_answer_kept_whole(
        person: Callable[[], Teller], db: Path) -> None:
    pat = person()
    pat.opens()
    pat.answers("yes", CONSENT)
    pat.answers("yes", HAPPENING)
    pat.answers(HANDOVER, TRIED, paste=True)
    tells_what_was_tried(pat, "yes we started a 10 minute huddle where allergies are read out "
                         "first", "my team")
    pat.answers(SINCE, SPREAD, paste=True)
    pat.answers("Put the huddle sheet on the trust intranet so other wards can copy it",
                REFLECT)
    pat.answers("no thanks", THEMES)
    pat.answers("3, 5", PLACE)
    pat.answers("ward 7 (acute medicine)", ROLE)
    pat.answers("staff", PERMISSIONS)
    pat.answers("1, 2 and 3", INTRODUCE)
    review = pat.answers("sure, why not", REVIEW)
    assert "Two near misses in one month." in review and "get a break now." in review
    pat.answers("yes", SAVED)
    assert pat.leaves() == 0
    story = Misreadings(stored_story(db))
    story.equal("situation", HANDOVER)
    story.holds("tried", "10 minute huddle")
    story.equal("tried_by", "my team")
    story.equal("outcome", SINCE)
    story.holds("spread", "huddle sheet on the trust intranet")
    story.equal("themes", ["communication", "staffing"])
    story.holds("place", "ward 7")
    story.equal("role", "staff")
    for consent, agreed in [("digest", 1), ("quote", 1), ("contact", 1), ("name", 0)]:
        story.equal(f"consent_{consent}", agreed)
    story.check(pat)


def test_complaining_connie_is_told_where_to_complain_and_still_finishes(
        person: Callable[[], Teller], db: Path) -> None:
    connie = person()
    connie.opens()
    connie.answers("ok", CONSENT)
    connie.answers("yes ok", HAPPENING)
    assert "PALS" in connie.answers("how do I complain about the doctor", HAPPENING)
    connie.answers("the gp told me my back pain was just my age and didnt even examine me. 20 "
                   "years I've been at that practice", TRIED)
    assert "PALS" in connie.answers("I want someone held accountable", TRIED)
    connie.answers("not that I know of", NEED)
    connie.answers("a doctor who actually listens and examines you properly", REFLECT)
    connie.answers("no", THEMES)
    connie.answers("3 8", PLACE)
    connie.answers("my gp surgery", ROLE)
    connie.answers("patient", PERMISSIONS)
    connie.answers("none", REVIEW)
    connie.answers("yes", SAVED)
    assert connie.leaves() == 0
    story = Misreadings(stored_story(db))
    story.holds("situation", "back pain was just my age", "didnt even examine me")
    story.equal("tried", None)
    story.equal("tried_by", "nobody yet")
    story.holds("spread", "actually listens")
    story.equal("themes", ["communication", "kindness"])
    story.holds("place", "gp surgery")
    story.equal("role", "citizen")
    for consent in ["digest", "quote", "contact", "name"]:
        story.equal(f"consent_{consent}", 0)
    story.never("how do I complain about the doctor", "I want someone held accountable",
                "not that I know of")
    story.check(connie)


def test_carer_sunita_types_in_a_second_language_and_comes_back_later(
        person: Callable[[], Teller], db: Path) -> None:
    """Emoji for yes, "help me" told of her daughter, who did it said late, "ask me next
    week", and, after a break, a role told as going to the doctor with him."""
    sunita = person()
    assert START in sunita.opens()
    sunita.answers("hello", START)
    sunita.answers("😊👍", CONSENT)
    sunita.answers("👍👍", HAPPENING)
    reply = sunita.says("my husband have dementia. the hospital send him home at night with "
                        "nobody tell me")
    if "Samaritans" in reply:  # the model may take her for a neglect concern: she carries on
        sunita.answers("no, carry on", TRIED)
    else:
        assert TRIED.lower() in reply.lower(), sunita.transcript()
    tells_what_was_tried(sunita, "my daughter help me, she call the ward every day",
                         "my daughter")
    sunita.answers("it was my daughter who did it", "tell me a little more")
    sunita.answers("now the ward ring us in the afternoon before the discharge", SPREAD)
    sunita.answers("someone to help me start it", REFLECT)
    sunita.answers("ask me next week", "Paused")
    assert sunita.leaves() == 0
    back = person()
    assert REFLECT in back.opens()
    back.answers("carry on", REFLECT)
    back.answers("no thanks", THEMES)
    back.answers("1 and 3", PLACE)
    back.answers("the big hospital", ROLE)
    back.answers("i am the one who goes to the doctor with him", PERMISSIONS)
    back.answers("none", REVIEW)
    back.answers("yes", SAVED)
    assert back.leaves() == 0
    story = Misreadings(stored_story(db))
    story.holds("situation", "dementia", "nobody tell me")
    story.holds("tried", "call the ward every day")
    story.equal("tried_by", "someone else")
    story.holds("outcome", "ring us in the afternoon")
    story.equal("spread", "someone to help me start it")
    story.equal("themes", ["access", "communication"])
    story.holds("place", "big hospital")
    story.equal("role", "citizen")
    story.never("it was my daughter who did it", "ask me next week", "no, carry on", "👍👍")
    story.check(back)
