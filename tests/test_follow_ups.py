"""Follow-ups weeks later: a story that told of something tried, from a teller who agreed to
be contacted, is followed up when it falls due (an injected clock, the one scheduler's job),
never mid-conversation and never in quiet hours; the answers become an update linked to the
story, pending for a moderator and shown in "my stories"; one reminder at most; "stop
follow-ups" and "forget me" end it; a restart between due and sent sends it once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.compose import Bot, compose
from bot.core.clock import FakeClock
from bot.core.config import Config, ConfigErrors, parse_config
from bot.core.follow_ups import FollowUpState, Outcome
from bot.core.types import OutgoingMessage, Platform, StoryStatus
from bot.features.follow_ups import FollowUpDesk, quiet, shortened
from storage.base import Store
from storage.open import open_store
from tests.conftest import MODERATOR, PSEUDONYMS, Chat
from tests.test_moderation import moderator, told
from tests.test_responses import Phone

TEST = Platform("test")
START = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)  # a Monday, 11:00 in London
ASKED = "A few weeks ago you told us about something you tried."


def build(store: Store, clock: FakeClock, config: Config | None = None) -> Bot:
    return compose(config or Config(), store, clock=clock, pseudonymise=PSEUDONYMS,
                   moderators=[(TEST, MODERATOR)])


def desk(bot: Bot) -> FollowUpDesk:
    assert bot.follow_ups is not None
    return bot.follow_ups


@pytest.fixture
def bot(store: Store, clock: FakeClock) -> Bot:
    clock._now = START
    return build(store, clock)


def asked(phone: Phone, chat: Chat) -> int:
    """How many times the person was asked how it went."""
    return sum(ASKED in text for text in phone.to(chat.room))


async def tick(bot: Bot, phone: Phone) -> None:
    await desk(bot).tick()
    await bot.app.delivery.idle()


async def asked_four_weeks_on(bot: Bot, clock: FakeClock) -> tuple[Chat, Phone]:
    """Someone who agreed to be contacted told of something tried; four weeks on, the
    follow-ups job has run (and asked them, unless the hour is quiet)."""
    chat, phone = Chat(bot.app), Phone(bot.app)
    await told(chat, consent="contact")
    clock.advance(weeks=4)
    await tick(bot, phone)
    return chat, phone


async def test_the_question_quotes_what_they_tried_so_they_know_which_story(
        bot: Bot, clock: FakeClock) -> None:
    chat, phone = await asked_four_weeks_on(bot, clock)
    [question] = [text for text in phone.to(chat.room) if ASKED in text]
    assert "You said: “We started a two-minute huddle.”. How is it going now?" in question


def test_a_long_attempt_is_quoted_up_to_a_word_and_on_one_line() -> None:
    tried = "We set up\na call-back list " + "and a rota for the phones " * 10
    quoted = shortened(tried)
    assert quoted.startswith("We set up a call-back list and a rota") and "\n" not in quoted
    assert quoted.endswith(" for...") and len(quoted) <= 123
    assert shortened("A leaflet.") == "A leaflet."


async def test_a_follow_up_falls_due_is_answered_and_kept_as_a_pending_update(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = Chat(bot.app), Phone(bot.app)
    await told(chat, consent="contact")
    await tick(bot, phone)
    assert asked(phone, chat) == 0  # planned, not yet due
    [planned] = await store.follow_ups()
    assert planned.due_at == START + timedelta(weeks=4)
    [mine] = await chat.say("my stories")
    assert "I'll ask how it went around 02 Feb 2026." in mine.text
    clock.advance(weeks=4)
    await tick(bot, phone)
    assert asked(phone, chat) == 1
    [mine, again] = await chat.say("my stories")  # then the question again
    assert "I've asked how it went: answer whenever suits you." in mine.text
    assert "How is it going now?" in again.text
    await chat.script("still going", "Mondays are calmer and fewer people give up.",
                      "Ask the receptionists first.")
    assert "I've added this to your story" in chat.last_text
    [update] = await store.updates_to()
    assert (update.story_id, update.outcome, update.status) == (
        planned.story_id, Outcome.STILL_GOING, StoryStatus.PENDING)
    assert update.since == "Mondays are calmer and fewer people give up."
    assert update.learned == "Ask the receptionists first."
    assert await store.follow_ups() == []
    [mine] = await chat.say("my stories")
    assert "Your update (waiting for a moderator): still going." in mine.text
    assert "Since then: Mondays are calmer" in mine.text
    [exported] = await chat.say("export my data")
    assert '"outcome": "still going"' in exported.text
    assert '"learned": "Ask the receptionists first."' in exported.text
    await tick(bot, phone)
    assert asked(phone, chat) == 2  # answered: never asked again (once more, on request)


async def test_a_story_saved_after_the_clock_stepped_back_is_still_planned(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    """Planning reads the stories saved since shortly before the last one it considered,
    not every story every minute; one saved after the clock stepped back is still new."""
    await told(Chat(bot.app), consent="contact")
    await desk(bot).plan()
    clock.advance(hours=-1)
    await told(Chat(bot.app, person="@bob:example.org", room="!bob:example.org"),
               consent="contact")
    await desk(bot).plan()
    assert [f.story_id for f in await store.follow_ups()] == [1, 2]


async def test_a_story_without_consent_to_contact_is_not_followed_up(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = Chat(bot.app), Phone(bot.app)
    await told(chat)
    clock.advance(weeks=5)
    await tick(bot, phone)
    assert await store.follow_ups(list(FollowUpState)) == []
    assert asked(phone, chat) == 0


async def test_a_follow_up_due_while_the_person_is_mid_story_waits(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = Chat(bot.app), Phone(bot.app)
    await told(chat, consent="contact")
    clock.advance(weeks=4)
    await chat.script("hi", "yes", "yes")  # a new story, under way
    await tick(bot, phone)
    assert asked(phone, chat) == 0
    [waiting] = await store.follow_ups()
    assert waiting.state is FollowUpState.WAITING
    await chat.say("pause")
    await tick(bot, phone)
    assert asked(phone, chat) == 0
    await chat.script("carry on", "The ward was short of staff all week.", "not yet",
                      "more nurses", "no", "skip", "skip", "staff", "none", "yes")
    conversation = (await store.load_turn(chat.key, None)).conversation
    assert conversation is not None and bot.app.engine.ended(conversation)
    await tick(bot, phone)
    assert asked(phone, chat) == 1


async def test_a_story_left_idle_is_kept_aside_for_the_follow_up_then_carried_on(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = Chat(bot.app), Phone(bot.app)
    await told(chat, consent="contact")
    clock.advance(weeks=4)
    await chat.script("hi", "yes", "yes", "The ward was short of staff all week.")
    await tick(bot, phone)
    assert asked(phone, chat) == 0  # under way: it waits
    clock.advance(hours=2)  # they walked away mid-story
    await tick(bot, phone)
    assert asked(phone, chat) == 1
    await chat.script("it stopped", "skip", "skip")
    assert "I've added this to your story" in chat.last_text
    [update] = await store.updates_to()
    assert update.outcome is Outcome.STOPPED
    await chat.say("hi")
    assert chat.last_text.startswith("Welcome back! Last time we got as far as")
    assert "tried something to make it better?" in chat.last_text  # where they were
    await chat.script("carry on", "not yet")
    assert "What would help?" in chat.last_text
    await chat.script("more nurses", "no", "skip", "skip", "staff", "none", "yes")
    assert "your story is saved" in chat.last_text
    [_, second] = await store.list_stories()
    assert second.situation == "The ward was short of staff all week."


async def test_quiet_hours_follow_the_clocks_across_the_change_to_summer_time() -> None:
    hours, zone = "21:00-09:00", "Europe/London"
    # 08:30 UTC is 08:30 in London the day before the clocks go forward, 09:30 after.
    assert quiet(datetime(2026, 3, 28, 8, 30, tzinfo=UTC), hours, zone)
    assert not quiet(datetime(2026, 3, 29, 8, 30, tzinfo=UTC), hours, zone)
    # 20:30 UTC is 20:30 in London before, 21:30 after: quiet only after.
    assert not quiet(datetime(2026, 3, 28, 20, 30, tzinfo=UTC), hours, zone)
    assert quiet(datetime(2026, 3, 29, 20, 30, tzinfo=UTC), hours, zone)
    # And back to GMT on 25 October: 08:30 UTC is 09:30 the day before, 08:30 that day.
    assert not quiet(datetime(2026, 10, 24, 8, 30, tzinfo=UTC), hours, zone)
    assert quiet(datetime(2026, 10, 25, 8, 30, tzinfo=UTC), hours, zone)


async def test_nobody_is_asked_in_quiet_hours_across_the_change_to_summer_time(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = Chat(bot.app), Phone(bot.app)
    clock._now = datetime(2026, 3, 1, 7, 30, tzinfo=UTC)  # told at 07:30 GMT, four weeks
    await told(chat, consent="contact")                     # before the clocks go forward
    clock._now = datetime(2026, 3, 28, 8, 30, tzinfo=UTC)  # not yet due
    await tick(bot, phone)
    clock._now = datetime(2026, 3, 29, 7, 45, tzinfo=UTC)  # due at 07:30; 08:45 BST: quiet
    await tick(bot, phone)
    assert asked(phone, chat) == 0
    clock._now = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST (08:00 GMT the day before)
    await tick(bot, phone)
    assert asked(phone, chat) == 1


async def test_one_reminder_at_most_when_unanswered(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = await asked_four_weeks_on(bot, clock)
    clock.advance(days=6)
    await tick(bot, phone)
    assert not any("gentle nudge" in text for text in phone.to(chat.room))
    clock.advance(days=1)
    await tick(bot, phone)
    clock.advance(weeks=3)
    await tick(bot, phone)
    assert sum("gentle nudge" in text for text in phone.to(chat.room)) == 1
    [reminded] = await store.follow_ups()
    assert reminded.state is FollowUpState.REMINDED
    await chat.say("it stopped")  # the reminder's question is the one still asked
    assert "What's happened since you told us?" in chat.last_text


async def test_an_unanswered_follow_up_stops_holding_back_the_next_and_both_are_kept(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = Chat(bot.app), Phone(bot.app)
    await told(chat, consent="contact")
    clock.advance(days=1)
    await told(chat, consent="contact")  # a second story, followed up a day later
    [first, second] = await store.list_stories()
    clock.advance(weeks=4)
    await tick(bot, phone)
    assert asked(phone, chat) == 1  # the first; the second waits for it
    clock.advance(weeks=1)
    await tick(bot, phone)  # the one reminder
    await tick(bot, phone)
    assert asked(phone, chat) == 1
    clock.advance(weeks=1)  # still no answer, a week after the reminder
    await tick(bot, phone)
    assert asked(phone, chat) == 2  # the second is asked now
    await chat.script("still going", "Calmer Mondays.", "skip")
    assert "I've added this to your story" in chat.last_text
    await chat.say("hello")  # back to the first question, kept aside
    assert chat.last_text.startswith("Welcome back! Last time we got as far as")
    await chat.script("carry on", "it stopped", "skip", "Ask first.")
    updates = {u.story_id: u for u in await store.updates_to()}
    assert first.id is not None and second.id is not None
    assert updates[second.id].outcome is Outcome.STILL_GOING
    assert updates[second.id].since == "Calmer Mondays."
    assert updates[first.id].outcome is Outcome.STOPPED
    assert updates[first.id].learned == "Ask first."
    assert await store.follow_ups() == []


async def test_stop_follow_ups_stops_them_and_not_now_asks_no_more(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = Chat(bot.app), Phone(bot.app)
    await told(chat, consent="contact")
    [said] = await chat.say("stop follow-ups")
    assert "I won't ask you how things went again" in said.text
    clock.advance(weeks=5)
    await tick(bot, phone)
    assert asked(phone, chat) == 0
    [stopped] = await store.follow_ups([FollowUpState.STOPPED])
    assert stopped.asked_at is None


async def test_not_now_waits_for_them_with_one_nudge_and_keeps_nothing(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = await asked_four_weeks_on(bot, clock)
    await chat.say("not now, I'm at work")
    assert chat.last_text.startswith("No problem. I'll ask once more in a week or so")
    assert await store.updates_to() == []
    clock.advance(weeks=1)
    await tick(bot, phone)
    await tick(bot, phone)
    assert sum("gentle nudge" in text for text in phone.to(chat.room)) == 1
    await chat.script("stop follow-ups")
    assert await store.updates_to() == [] and await store.follow_ups() == []


async def test_no_thanks_ends_this_one_and_keeps_nothing(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = await asked_four_weeks_on(bot, clock)
    await chat.say("no thanks")
    assert "I won't ask about this one again" in chat.last_text
    assert await store.updates_to() == [] and await store.follow_ups() == []
    clock.advance(weeks=2)
    await tick(bot, phone)
    assert not any("gentle nudge" in text for text in phone.to(chat.room))


async def test_forget_me_cancels_follow_ups(bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = Chat(bot.app), Phone(bot.app)
    await told(chat, consent="contact")
    await tick(bot, phone)
    assert await store.follow_ups() != []
    await chat.script("forget me", "yes")
    assert await store.follow_ups(list(FollowUpState)) == []
    clock.advance(weeks=5)
    await tick(bot, phone)
    assert asked(phone, chat) == 0


async def test_a_restart_between_due_and_sent_sends_the_follow_up_once(
        tmp_path: Path, clock: FakeClock) -> None:
    url = f"sqlite:///{tmp_path / 'stories.db'}"
    clock._now = START
    store = open_store(url)
    await store.open()
    first = build(store, clock)
    chat = Chat(first.app)
    await told(chat, consent="contact")
    clock.advance(weeks=4)
    first.app.delivery.attach(TEST, _Down().send)  # the platform cannot be reached
    await desk(first).tick()
    [due] = await store.follow_ups()
    assert len(await store.pending_replies(TEST)) == 1  # the question, in the outbox
    # The bot stops after starting the follow-up, before it noted it asked.
    await store.set_follow_up(due.model_copy(update={"state": FollowUpState.WAITING,
                                                     "asked_at": None}))
    await first.app.delivery.detach(TEST)
    await store.close()
    store = open_store(url)
    await store.open()
    try:
        second = build(store, clock)
        phone = Phone(second.app)
        await second.app.delivery.resume(TEST)
        await tick(second, phone)
        assert asked(phone, chat) == 1
        [noted] = await store.follow_ups()
        assert noted.state is FollowUpState.ASKED
    finally:
        await store.close()


class _Down:
    """A platform that is unreachable: every send fails."""

    async def send(self, message: object) -> None:
        raise OSError("the platform went away")


def test_a_bad_follow_up_time_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigErrors, match=r"follow_ups\.after: .*'4 weeks' is not a time"):
        parse_config({"follow_ups": {"after": "4 weeks"}})
    with pytest.raises(ConfigErrors, match=r"follow_ups\.quiet_hours"):
        parse_config({"follow_ups": {"quiet_hours": "9pm-9am"}})
    assert parse_config({"follow_ups": {"after": "10d"}}).follow_ups.delay == timedelta(days=10)


async def test_a_moderator_approves_an_update_and_the_teller_sees_it_approved(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, _ = await asked_four_weeks_on(bot, clock)
    await chat.script("it changed", "We ring back at 8:30 now; call 07700 900123.", "skip")
    mod = moderator(bot.app)
    [listed] = await mod.command("update list")
    assert "#1 on story #1 (changed)" in listed.text
    assert "07700" not in listed.text  # moderators read it redacted, like a story
    [shown] = await mod.command("story show 1")
    assert "#1 on story #1 (changed)" in shown.text and "07700" not in shown.text
    [approved] = await mod.command("update approve 1")
    assert approved.text == "Update #1 is now approved."
    [again] = await mod.command("update approve 1")
    assert "already approved" in again.text
    [none] = await mod.command("update list")
    assert none.text == "No updates are waiting for a moderator."
    [update] = await store.updates_to()
    assert update.status is StoryStatus.APPROVED and update.learned is None
    assert (await store.audit_entries(1))[0].action == "approve update"
    [mine] = await chat.say("my stories")
    assert "Your update (approved): it changed." in mine.text
    [refused] = await chat.command("update approve 1")
    assert "Update #1" not in refused.text  # moderators only


async def test_stop_follow_ups_in_the_middle_of_one_ends_it_and_keeps_nothing(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = await asked_four_weeks_on(bot, clock)
    await chat.say("still going")
    [said] = await chat.say("stop follow-ups")
    assert "I won't ask you how things went again" in said.text
    await chat.say("Nothing more to say, thanks.")
    assert await store.updates_to() == []
    [stopped] = await store.follow_ups([FollowUpState.STOPPED])
    assert stopped.asked_at is not None
    clock.advance(weeks=2)
    await tick(bot, phone)
    assert not any("gentle nudge" in text for text in phone.to(chat.room))


async def test_no_reminder_once_they_have_started_answering(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    chat, phone = await asked_four_weeks_on(bot, clock)
    await chat.say("changed")
    clock.advance(weeks=2)
    await tick(bot, phone)
    assert not any("gentle nudge" in text for text in phone.to(chat.room))


async def test_a_platform_that_sends_for_itself_gets_the_question_and_the_reminder(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    """Slack sends its own replies (no reply outbox): the follow-up goes through its sender."""
    chat = Chat(bot.app)
    sent: list[str] = []

    async def send(message: OutgoingMessage) -> None:
        assert message.room_id == chat.room
        sent.append(message.text)

    bot.app.senders[TEST] = send
    await told(chat, consent="contact")
    clock.advance(weeks=4)
    await desk(bot).tick()
    clock.advance(weeks=1)
    await desk(bot).tick()
    await desk(bot).tick()
    assert [ASKED in text for text in sent] == [True, False]
    assert "gentle nudge" in sent[1]
    await chat.say("stopped")
    assert "What's happened since you told us?" in chat.last_text


async def test_an_approved_update_is_in_the_next_digest_as_how_experiments_went(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    from tests.test_digests import Staff, say
    from tests.test_digests import desk as digest_desk

    digest_desk(bot.app, clock, Staff())
    chat, phone = Chat(bot.app), Phone(bot.app)
    await told(chat, consent="1, 3")  # summaries and contact
    await say(bot.app, "story approve 1")
    clock.advance(weeks=4)
    await tick(bot, phone)
    await chat.script("still going", "Mondays are calmer.", "Ask the receptionists first.")
    assert "How experiments went" not in await say(bot.app, "digest draft")  # still pending
    [update] = await store.updates_to()
    await say(bot.app, f"update approve {update.id}")
    preview = await say(bot.app, "digest draft")
    assert "How experiments went" in preview
    assert "Weeks later: still going. What they learned: Ask the receptionists first." in preview


async def test_the_staff_export_carries_approved_updates_only_redacted(
        bot: Bot, store: Store, clock: FakeClock) -> None:
    import io
    import json

    from bot.features.export import Answered, export_stories
    from tests.test_digests import say

    chat, _ = await asked_four_weeks_on(bot, clock)
    await chat.script("stopped", "It fell apart when Dr Smith left.", "Write it down.")

    async def exported() -> list[dict[str, str]]:
        """The one story's updates, as the JSON export writes them."""
        stories = await store.list_stories()
        out = io.StringIO()
        export_stories(stories, "json", out, Answered(updates=await store.updates_to()))
        [story] = json.loads(out.getvalue())
        return list(story["updates"])

    assert await exported() == []  # pending: moderators only
    [update] = await store.updates_to()
    await say(bot.app, f"update approve {update.id}")
    [shown] = await exported()
    assert shown["outcome"] == "stopped" and shown["learned"] == "Write it down."
    assert "Smith" not in shown["since"] and "[name removed]" in shown["since"]


async def test_asking_whether_a_follow_up_is_a_scam_gets_an_answer_and_the_question_again(
        bot: Bot, clock: FakeClock) -> None:
    """Weeks later the bot writes first: "how do i know this isnt a scam" deserves an answer
    about who is writing, not "Sorry, I didn't follow"."""
    chat, phone = await asked_four_weeks_on(bot, clock)
    assert asked(phone, chat) == 1
    [about, again] = await chat.say("is this actually the nhs? how do i know this isnt a scam")
    assert about.text.startswith("I'm storyloop")
    assert "How is it going now?" in again.text
