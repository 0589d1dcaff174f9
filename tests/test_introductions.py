"""People who tried similar things, introduced only when both agree: tellers say at the end of
their story whether they would be happy to be introduced; moderators see the pairs sharing a
theme and propose one (`connect N M`, audited); each teller is asked privately, when free and
outside quiet hours; only when both say yes does each receive the other's line, once; a "no"
reveals nothing; "forget me" withdraws it; a restart between asking and noting it asks once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.compose import Bot, compose
from bot.core.clock import FakeClock
from bot.core.config import Config
from bot.core.introductions import Answer, IntroductionState
from bot.core.types import Platform
from bot.features.introductions import IntroductionDesk
from flows.introduction import INTRODUCTION, THEMES
from flows.spec import ABOUT
from storage.base import Store
from tests.conftest import MODERATOR, PSEUDONYMS, Chat
from tests.test_moderation import STORY, moderator, told
from tests.test_responses import Phone

TEST = Platform("test")
START = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)  # a Monday, 11:00 in London
INVITED = "Would you like to be introduced?"
ANN_LINE = "I'm Ann, I set up the call-back list at Riverside: ann.r@example.org"
BOB_LINE = "Bob here, we tried a text reminder service. Find me as @bob on the forum."


@pytest.fixture
def bot(store: Store, clock: FakeClock) -> Bot:
    clock._now = START
    return compose(Config(), store, clock=clock, pseudonymise=PSEUDONYMS,
                   moderators=[(TEST, MODERATOR)])


def desk(bot: Bot) -> IntroductionDesk:
    assert bot.introductions is not None
    return bot.introductions


async def tick(bot: Bot) -> None:
    await desk(bot).tick()
    await bot.app.delivery.idle()


async def two_willing(bot: Bot) -> tuple[Chat, Chat, Phone]:
    phone = Phone(bot.app)
    ann = Chat(bot.app, person="@ann:example.org", room="!dm-ann:example.org")
    bob = Chat(bot.app, person="@bob:example.org", room="!dm-bob:example.org")
    await told(ann, consent="contact", introduce="yes")
    await told(bob, consent="1, 3", introduce="yes please")
    return ann, bob, phone


async def introduced(bot: Bot) -> tuple[Chat, Chat, Phone]:
    """Two willing tellers, proposed to each other by a moderator, each asked."""
    people = await two_willing(bot)
    await moderator(bot.app).command("connect 1 2")
    await tick(bot)
    return people


def invited(phone: Phone, chat: Chat) -> int:
    return sum(INVITED in text for text in phone.to(chat.room))


async def test_only_someone_who_may_be_contacted_is_asked_and_yes_is_kept(
        bot: Bot, store: Store) -> None:
    await two_willing(bot)
    carol = Chat(bot.app, person="@carol:example.org", room="!dm-carol:example.org")
    await told(carol, consent="1")  # summaries only: never asked about introductions
    assert not any("introduced" in r.text for r in carol.replies)
    dan = Chat(bot.app, person="@dan:example.org", room="!dm-dan:example.org")
    await dan.script(*STORY)
    await dan.agree("contact", "would that mean giving my number out?")
    explained, works = dan.replies[-2:]
    assert "Nothing about you is passed on by saying yes." in explained.text
    assert works.text.startswith("These always work") and works.choices
    await dan.script("no thanks", "yes")
    [a, b, c, d] = await store.list_stories()
    assert [s.consent.introduce for s in (a, b, c, d)] == [True, True, False, False]
    assert [s.consent.contact for s in (a, b, c, d)] == [True, True, False, True]


async def test_both_say_yes_and_each_gets_the_others_line_once(
        bot: Bot, store: Store) -> None:
    ann, bob, phone = await two_willing(bot)
    mod = moderator(bot.app)
    [listing] = await mod.command("connections")
    assert "#1 and #2" in listing.text and "connect N M" in listing.text
    [proposed] = await mod.command("connect 1 2")
    assert proposed.text.startswith("Introduction #1 proposed")
    [entry] = [e for e in await store.audit_entries() if e.action == "introduce"]
    assert entry.target == "stories #1 #2" and entry.actor == f"test:{MODERATOR}"
    await tick(bot)
    assert invited(phone, ann) == invited(phone, bob) == 1
    await ann.say("what does that mean?")
    assert ann.replies[-2].text.startswith("Someone told us about trying something like you")
    await ann.script("yes", ANN_LINE, "yes")
    assert "I'll let you know if they say yes too" in ann.last_text
    assert not any(ANN_LINE in text for text in phone.to(bob.room))  # not until Bob says yes
    await bob.script("yes", BOB_LINE, "pass it on")
    await bot.app.delivery.idle()
    [to_ann] = [t for t in phone.to(ann.room) if "said yes too" in t]
    [to_bob] = [t for t in phone.to(bob.room) if "said yes too" in t]
    assert BOB_LINE in to_ann and ANN_LINE not in to_ann
    assert ANN_LINE in to_bob and BOB_LINE not in to_bob
    [made] = await store.introductions()
    assert made.state is IntroductionState.MADE
    assert [(s.answer, s.line) for s in made.sides] == [(Answer.YES, None)] * 2  # lines erased
    assert any(e.action == "introduction made" for e in await store.audit_entries())
    await tick(bot)
    # never asked again (after asking what it meant, Ann saw what it means and its options)
    assert (invited(phone, ann), invited(phone, bob)) == (1, 1)
    [mine] = await ann.say("my stories")
    assert "Introduced to someone who tried something similar." in mine.text
    [again] = await mod.command("connect 2 1")
    assert "already" in again.text and "made" in again.text
    [listing] = await mod.command("connections")
    assert listing.text.startswith("No pairs to suggest")


async def test_a_no_reveals_nothing_to_the_other_side(bot: Bot, store: Store) -> None:
    ann, bob, phone = await introduced(bot)
    await ann.script("yes", ANN_LINE, "yes")
    await bob.say("no thanks")
    assert "they won't know you were asked" in bob.last_text
    await bot.app.delivery.idle()
    assert not any(ANN_LINE in text for text in phone.to(bob.room))
    assert sum(ANN_LINE in text for text in phone.to(ann.room)) == 1  # shown back to her
    [told_ann] = [t for t in phone.to(ann.room) if "didn't go ahead" in t]
    assert "no" not in told_ann.split() and "Bob" not in told_ann  # never says why
    [declined] = await store.introductions()
    assert declined.state is IntroductionState.DECLINED
    assert all(s.line is None for s in declined.sides)


async def test_asked_only_when_free_and_outside_quiet_hours(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    ann, bob, phone = await two_willing(bot)
    await moderator(bot.app).command("connect 1 2")
    clock._now = datetime(2026, 1, 5, 22, 0, tzinfo=UTC)  # 22:00 in London: quiet
    await tick(bot)
    assert invited(phone, ann) == invited(phone, bob) == 0
    clock._now = datetime(2026, 1, 6, 9, 30, tzinfo=UTC)
    await ann.script("hi", "yes", "yes")  # Ann is telling another story
    await tick(bot)
    assert (invited(phone, ann), invited(phone, bob)) == (0, 1)
    await ann.say("The lift was broken for a week.")
    await tick(bot)
    assert invited(phone, ann) == 0
    clock._now = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)  # she left it idle
    await tick(bot)
    assert invited(phone, ann) == 1
    await ann.say("no thanks")  # a no keeps nothing, and her story is kept aside, not lost
    await ann.say("hi")
    assert ann.last_text.startswith("Welcome back! Last time we got as far as")
    await ann.script("carry on", "not yet", "skip", "no", "skip", "skip", "citizen", "none",
                     "yes")
    assert "your story is saved" in ann.last_text
    assert (await store.list_stories())[-1].situation == "The lift was broken for a week."


async def test_an_unanswered_invitation_is_taken_as_a_no_after_two_weeks(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    ann, bob, phone = await introduced(bot)
    await ann.script("yes", ANN_LINE, "yes")
    clock.advance(days=13)
    await tick(bot)
    assert not any("didn't go ahead" in text for text in phone.to(ann.room))
    clock.advance(days=1)  # Bob never answered
    await tick(bot)
    assert sum("didn't go ahead" in t for t in phone.to(ann.room)) == 1
    assert ANN_LINE not in " ".join(phone.to(bob.room))
    [declined] = await store.introductions()
    assert declined.state is IntroductionState.DECLINED
    await bob.script("yes", "Bob here", "yes")  # answering late: told, nothing passed on
    await bot.app.delivery.idle()
    assert any("didn't go ahead" in text for text in phone.to(bob.room))
    assert not any("Bob here" in text for text in phone.to(ann.room))


async def test_forget_me_withdraws_it_and_erases_what_was_said(
        bot: Bot, store: Store) -> None:
    ann, bob, phone = await introduced(bot)
    await ann.script("yes", ANN_LINE, "yes")
    await bob.script("forget me", "yes")
    [withdrawn] = await store.introductions()
    assert withdrawn.state is IntroductionState.WITHDRAWN
    assert [(s.story_id, s.line) for s in withdrawn.sides] == [(1, None)]
    await tick(bot)
    assert not any(ANN_LINE in sent.text for sent in phone.sent if sent.room_id != ann.room)


async def test_a_restart_between_asking_and_noting_it_asks_once(
        bot: Bot, store: Store) -> None:
    ann, bob, phone = await two_willing(bot)
    await moderator(bot.app).command("connect 1 2")
    [proposed] = await store.introductions()
    # The bot wrote Ann's question (with her conversation) and died before noting it asked.
    await bot.app.start_flow(ann.key, INTRODUCTION, {ABOUT: proposed.id, THEMES: "access"})
    await tick(bot)
    assert invited(phone, ann) == invited(phone, bob) == 1
    [noted] = await store.introductions()
    assert [s.answer for s in noted.sides] == [Answer.ASKED, Answer.ASKED]


async def test_bad_connect_commands_get_a_clear_answer_and_change_nothing(
        bot: Bot, store: Store) -> None:
    ann, _, _ = await two_willing(bot)
    carol = Chat(bot.app, person="@carol:example.org", room="!dm-carol:example.org")
    await told(carol, consent="contact", introduce="no")
    await told(ann, consent="contact", introduce="yes")  # Ann again: story 4
    mod = moderator(bot.app)
    answers = {
        "connect": "Write it like this: connect 12 15",
        "connect 1": "Write it like this",
        "connect 1 1": "Write it like this",
        "connect 1 99": "There is no story #99.",
        "connect 1 3": "story #3 did not say they would be happy to be introduced",
        "connect 1 4": "Both stories are from the same person",
    }
    for command, expected in answers.items():
        [reply] = await mod.command(command)
        assert expected in reply.text, command
    assert await store.introductions() == []
    [listing] = await mod.command("connections")
    assert "#1 and #2" in listing.text and "#1 and #4" not in listing.text  # Ann and Ann
    assert "#3" not in listing.text  # Carol would rather not
    [refused] = await ann.command("connect 1 2")
    assert "connect" not in refused.text or "moderator" in refused.text
    assert await store.introductions() == []


async def test_connections_lists_the_newest_twenty_pairs_then_says_there_are_more(
        bot: Bot, store: Store) -> None:
    for n in range(7):  # 7 willing tellers, one theme: 21 pairs
        chat = Chat(bot.app, person=f"@p{n}:example.org", room=f"!dm-p{n}:example.org")
        await told(chat, consent="contact", introduce="yes")
    [listing] = await moderator(bot.app).command("connections")
    assert listing.text.count(" and #") == 20
    assert "#6 and #7" in listing.text and "#1 and #2" not in listing.text  # newest first
    assert "and more. These are the first 20" in listing.text
    await moderator(bot.app).command("connect 6 7")
    [listing] = await moderator(bot.app).command("connections")
    assert listing.text.count(" and #") == 20 and "#6 and #7" not in listing.text
    assert "and more" not in listing.text


async def test_a_line_that_raises_a_concern_alerts_and_is_not_passed_on(
        bot: Bot, store: Store) -> None:
    ann, bob, phone = await introduced(bot)
    risky = "honestly i dont want to be here anymore, i have the pills saved up"
    await ann.script("yes", risky)
    assert any("call 999" in r.text for r in ann.replies[-2:])
    [alert] = await store.recent_alerts()
    assert alert.participant == ann.pseudonym
    await bob.script("yes", "Bob here", "yes")
    await bot.app.delivery.idle()
    assert not any(risky in text for text in phone.to(bob.room))
    [proposed] = await store.introductions()
    assert proposed.state is IntroductionState.PROPOSED  # Ann has not answered yet
    assert all(s.line != risky for s in proposed.sides)


async def test_the_line_is_shown_back_and_can_be_written_again_or_not_passed_on(
        bot: Bot, store: Store) -> None:
    ann, bob, phone = await introduced(bot)
    await ann.script("yes", "Ann from Riverside")
    assert "“Ann from Riverside”" in ann.last_text and ann.last_text.endswith("Shall I?")
    await ann.say("let me change it")
    assert "What would you like me to pass on" in ann.last_text
    await ann.script(ANN_LINE, "yes")
    assert "I'll let you know if they say yes too" in ann.last_text
    await bob.script("yes", "actually no, dont pass anything on")
    await bob.say("no thanks")
    assert "That's fine. Nothing is passed on" in bob.last_text
    await bot.app.delivery.idle()
    [declined] = await store.introductions()
    assert declined.state is IntroductionState.DECLINED
    assert not any("dont pass anything on" in text for text in phone.to(ann.room))


async def test_a_question_where_the_line_is_asked_is_answered_not_passed_on(
        bot: Bot, store: Store) -> None:
    ann, _, _ = await introduced(bot)
    await ann.script("yes", "second thoughts, what exactly do they see? just this line?")
    assert "What would you like me to pass on" in ann.last_text
    assert "Shall I?" not in ann.last_text
    [proposed] = await store.introductions()
    assert all(not s.line for s in proposed.sides)
