"""Every path through the story flow, through ``App.handle``, on each store."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.types import Role, StoryStatus, TriedBy
from storage.base import Store
from tests.conftest import Chat

PROBLEM = "The surgery phone line is engaged from 8am every Monday and people give up."
ATTEMPT = "The practice manager started a call-back list and texts people a time slot."


async def start(chat: Chat) -> None:
    """Hello, yes to starting, yes to consent: at 'what's been happening?'."""
    await chat.script("hi", "yes", "yes")
    assert "What's been happening?" in chat.last_text


async def to_review(chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, ATTEMPT, "Fewer angry calls on Mondays.",
                      "Other practices could copy the template.", "no", "1, 3, phones",
                      "Riverside Surgery", "staff", "1, 3")
    assert "would you be happy to be introduced?" in chat.last_text  # they may be contacted
    await chat.say("yes")
    assert chat.last_text.startswith("Here's your story")


async def test_whole_story_is_stored_as_pending(chat: Chat, store: Store) -> None:
    await to_review(chat)
    review = chat.last_text
    for part in (PROBLEM, ATTEMPT, "Fewer angry calls", "access, communication, phones",
                 "Riverside Surgery", "Staff", "Someone else",
                 "You agreed to: Include it in weekly summaries for staff, without my name; "
                 "Contact me later", "Introductions: Yes, I'm happy to be introduced"):
        assert part in review
    await chat.say("yes")
    assert "your story is saved" in chat.last_text
    [story] = await store.list_stories()
    assert story.status is StoryStatus.PENDING
    assert (story.situation, story.tried, story.outcome) == (
        PROBLEM, ATTEMPT, "Fewer angry calls on Mondays.")
    assert story.tried_by is TriedBy.SOMEONE_ELSE
    assert story.spread == "Other practices could copy the template."
    assert story.themes == ("access", "communication", "phones")
    assert (story.role, story.place, story.flow) == (Role.STAFF, "Riverside Surgery", "story")
    assert story.consent.store and story.consent.wording_version
    assert (story.consent.digest, story.consent.quote, story.consent.contact,
            story.consent.name, story.consent.introduce) == (True, False, True, False, True)
    assert story.participant == chat.pseudonym and "alice" not in story.participant


async def test_a_problem_only_answer_is_steered_kindly_towards_what_was_tried(
        chat: Chat) -> None:
    await start(chat)
    await chat.say(PROBLEM)
    assert "tried something to make it better" in chat.last_text
    assert "Not yet" in chat.last_text


async def test_a_situation_that_includes_an_attempt_is_not_asked_again(
        chat: Chat, store: Store) -> None:
    await start(chat)
    both = "Our ward's handovers kept missing allergies, so we started a two-minute huddle."
    await chat.say(both)
    assert "tried something" not in chat.last_text
    assert "What happened" in chat.last_text
    await chat.script("No missed allergies since.", "skip", "no", "skip", "skip", "citizen",
                      "none", "yes")
    [story] = await store.list_stories()
    assert story.situation == story.tried == both
    assert story.tried_by is TriedBy.MY_TEAM
    assert story.role is Role.CITIZEN and story.themes == () and story.spread is None


async def test_nothing_tried_yet_is_welcome_and_asks_what_would_help(
        chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "No, nobody has tried anything yet")
    assert "nothing has been tried yet" in chat.last_text
    await chat.script("A call-back system.", "no", "1", "skip", "both", "skip", "send")
    [story] = await store.list_stories()
    assert story.tried_by is TriedBy.NOBODY and story.tried is None
    assert story.spread == "A call-back system."


async def test_who_tried_is_asked_when_it_is_not_clear(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "A call-back list was set up.")
    assert "Who tried it?" in chat.last_text
    assert [c.label for c in chat.last.choices] == ["Me", "My team", "Someone else"]
    await chat.script("2", "skip", "skip", "no", "skip", "skip", "rather not say", "none", "1")
    [story] = await store.list_stories()
    assert story.tried_by is TriedBy.MY_TEAM and story.role is Role.RATHER_NOT_SAY


async def test_reflection_questions_are_offered_and_kept(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, ATTEMPT, "Calmer Mondays.", "skip", "yes")
    assert "build on" in chat.last_text
    await chat.script("Reception's local knowledge.", "Phoning back, like we used to.",
                      "skip", "A shared booking service.", "2", "skip", "staff", "none",
                      "yes")
    [story] = await store.list_stories()
    assert story.enhance == "Reception's local knowledge."
    assert story.restore == "Phoning back, like we used to."
    assert story.replace is None and story.become == "A shared booking service."


async def test_declining_consent_keeps_nothing(chat: Chat, app: App, store: Store) -> None:
    await chat.script("hi", "yes", "tell me more")
    assert "never your name" in chat.last_text
    await chat.say("no thanks")
    assert "Nothing you've said has been kept" in chat.last_text
    loaded = await store.load_turn(chat.key, None)
    assert loaded.conversation is not None and loaded.conversation.answers == {}
    assert await store.list_stories() == []
    await chat.say("hello again")
    assert "Shall we start?" in chat.last_text


async def test_not_now_at_the_welcome_ends_politely(chat: Chat) -> None:
    await chat.script("hi", "not now")
    assert "completely fine" in chat.last_text


async def test_choices_work_by_number_and_by_words_and_anything_else_is_asked_again(
        chat: Chat) -> None:
    await chat.say("hi")
    assert [c.label for c in chat.last.choices] == ["Yes, let's start", "Not now"]
    await chat.say("banana")
    assert chat.last_text.startswith("Sorry, I didn't follow. You can say yes or no")
    assert "Shall we start?" not in chat.last_text  # one short line, not the question again
    assert [c.label for c in chat.last.choices] == ["Yes, let's start", "Not now"]
    await chat.say("1")
    assert "Is that OK?" in chat.last_text
    await chat.say("Yes, that's OK")
    assert "What's been happening?" in chat.last_text


async def test_back_returns_to_the_previous_question_showing_the_answer(
        chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.say(PROBLEM)
    await chat.say("back")
    assert chat.replies[-2].text == f"Of course. You said: \u201c{PROBLEM}\u201d"
    assert "What's been happening?" in chat.last_text
    await chat.say("The phone line is busy all morning.")
    assert "tried something" in chat.last_text
    await chat.script(ATTEMPT, "skip", "skip", "no", "skip", "skip", "staff", "none", "yes")
    [story] = await store.list_stories()
    assert story.situation == "The phone line is busy all morning."


async def test_back_at_the_start_says_so(chat: Chat) -> None:
    await chat.script("hi", "back")
    assert chat.replies[-2].text == "We're at the start already."


async def test_skip_only_skips_optional_questions(chat: Chat) -> None:
    await start(chat)
    await chat.say("skip")
    assert "I need this one" in chat.replies[-2].text
    assert "What's been happening?" in chat.last_text


async def test_help_and_status_answer_then_repeat_the_question(chat: Chat) -> None:
    await start(chat)
    await chat.say("help")
    assert chat.replies[-2].text.startswith("I mean: tell me what happened")
    assert "back (change your last answer)" in chat.last_text
    await chat.say("status")
    assert chat.last_text.startswith("We're on question 3 of about 12, about 4 minutes to go")


async def test_change_an_answer_from_the_review(chat: Chat, store: Store) -> None:
    await to_review(chat)
    await chat.say("change an answer")
    labels = [c.label for c in chat.last.choices]
    assert labels[:3] == ["What's happening", "What was tried", "Who tried it"]
    assert "It could build on" not in labels  # never asked, so nothing to change
    await chat.say("Service or place")
    assert "Which service or place" in chat.last_text
    await chat.say("Hillside Surgery")
    assert "Hillside Surgery" in chat.last_text and chat.last_text.startswith("Here's")
    await chat.say("send")
    [story] = await store.list_stories()
    assert story.place == "Hillside Surgery"


async def test_pause_keeps_everything_and_the_next_message_offers_to_carry_on(
        chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, "pause")
    assert "Everything you wrote is kept" in chat.last_text
    await chat.say("hi")
    assert "Welcome back" in chat.last_text and "tried something" in chat.last_text
    assert [c.label for c in chat.last.choices] == ["Carry on", "Start again"]
    await chat.say("carry on")
    assert "tried something" in chat.last_text


async def test_after_a_pause_a_real_answer_is_taken_as_carrying_on(chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, "stop", ATTEMPT)
    assert chat.replies[-2].text == "Welcome back!"
    assert "What happened after that?" in chat.last_text


async def test_an_idle_conversation_is_parked_not_lost(chat: Chat, clock: FakeClock,
                                                      store: Store) -> None:
    await start(chat)
    await chat.say(PROBLEM)
    clock.advance(hours=3)
    await chat.say("hello?")
    assert "Welcome back" in chat.last_text and "tried something" in chat.last_text
    await chat.say("start again")
    assert "Shall we start?" in chat.last_text
    assert await store.list_stories() == []


async def test_restart_asks_first(chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, "restart")
    assert "Start again from the beginning?" in chat.last_text
    await chat.say("no")
    assert "tried something" in chat.last_text
    await chat.script("restart", "yes")
    assert "Shall we start?" in chat.last_text


async def test_an_opening_story_is_kept_when_the_person_says_yes(
        chat: Chat, store: Store) -> None:
    await chat.say(PROBLEM)
    assert "Shall we start?" in chat.last_text
    await chat.script("yes", "yes")
    assert PROBLEM in chat.last_text and "Shall I keep that" in chat.last_text
    await chat.say("yes")
    assert "tried something" in chat.last_text
    await chat.script(ATTEMPT, "skip", "skip", "no", "skip", "skip", "staff", "none", "yes")
    [story] = await store.list_stories()
    assert story.situation == PROBLEM


async def test_the_same_event_twice_is_answered_once(chat: Chat, store: Store) -> None:
    await start(chat)
    first = await chat.say(PROBLEM, event_id="$same")
    again = await chat.say(PROBLEM, event_id="$same")
    assert first and again == []
    loaded = await store.load_turn(chat.key, None)
    assert loaded.conversation is not None
    assert loaded.conversation.answers["situation"] == PROBLEM
    assert loaded.conversation.state == "tried"


async def test_a_new_story_can_follow_a_finished_one(chat: Chat, store: Store) -> None:
    await to_review(chat)
    await chat.script("yes", "hi", "yes", "yes")
    assert "What's been happening?" in chat.last_text
    assert len(await store.list_stories()) == 1


async def test_group_rooms_get_an_offer_of_a_direct_chat_only_when_addressed(
        app: App, chat: Chat) -> None:
    loud = chat.message("@storyloop hello").model_copy(update={"is_direct": False})
    quiet = loud.model_copy(update={"addressed": False})
    assert await app.handle(quiet) == []
    [reply] = await app.handle(loud)
    assert "direct message" in reply.text


async def test_a_mention_delivered_twice_gets_one_offer(app: App, chat: Chat) -> None:
    loud = chat.message("@storyloop hello", event_id="$mention").model_copy(
        update={"is_direct": False})
    assert len(await app.handle(loud)) == 1
    assert await app.handle(loud) == []


async def test_opening_the_chat_again_mid_story_repeats_the_question(
        app: App, chat: Chat) -> None:
    from bot.core.types import MessageKind

    await start(chat)
    await chat.say(PROBLEM)
    joined = chat.message("", event_id="$joined-again").model_copy(
        update={"kind": MessageKind.JOINED})
    [reminder] = await app.handle(joined)
    assert "tried something" in reminder.text


async def test_someone_who_agrees_to_be_named_is_asked_how(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "I started a call-back list.", "skip", "skip", "no", "skip",
                      "skip", "staff", "1, 4")
    assert "How should we name you" in chat.last_text
    await chat.say("Sam, ward 7 reception")
    assert "Name to use: Sam, ward 7 reception" in chat.last_text
    await chat.say("yes")
    [story] = await store.list_stories()
    assert story.consent.name and story.acted_name == "Sam, ward 7 reception"


async def test_nobody_is_asked_for_a_name_without_agreeing(chat: Chat, store: Store) -> None:
    await to_review(chat)
    assert "Name to use" not in chat.last_text
    await chat.say("yes")
    [story] = await store.list_stories()
    assert story.acted_name is None


@pytest.mark.parametrize(("said", "shown"), [("no", "None"), ("none of them", "None"),
                                             ("skip", "(skipped)")])
async def test_no_theme_reads_back_as_none_and_only_skip_as_skipped(chat: Chat, said: str,
                                                                    shown: str) -> None:
    """Found in a terminal: "no" at the themes read back as "(skipped)"."""
    await start(chat)
    await chat.script(PROBLEM, ATTEMPT, "Fewer angry calls on Mondays.",
                      "Other practices could copy the template.", "no", said,
                      "Riverside Surgery", "staff", "none")
    assert "Shall I send it?" in chat.last_text
    assert f"Themes: {shown}\n" in chat.last_text


async def test_a_story_that_opens_with_what_was_tried_reads_back_once(chat: Chat,
                                                                     store: Store) -> None:
    """Found in a terminal: the same words read back as what's happening and what was tried
    (both are still kept)."""
    await start(chat)
    await chat.script(ATTEMPT, "Fewer angry calls on Mondays.", "skip", "no", "skip", "skip",
                      "staff", "none")
    assert f"What's happening: {ATTEMPT}\n" in chat.last_text
    assert "What was tried: (as above)\n" in chat.last_text
    assert "Themes: (skipped)\n• Service or place: (skipped)\n" in chat.last_text
    await chat.say("yes")
    [story] = await store.list_stories()
    assert story.situation == story.tried == ATTEMPT
