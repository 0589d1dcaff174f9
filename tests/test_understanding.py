"""People as they really type: everyday words are understood at every question, and a reply
that is not an answer is never stored as one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config, FlowsConfig
from bot.core.types import TriedBy
from storage.base import Store
from tests.conftest import PSEUDONYMS, Chat
from tests.test_story_flow import PROBLEM, start

TUNING = Path(__file__).parent / "data" / "replies.jsonl"


async def at_the_review(chat: Chat) -> None:
    """A short story told, at "Shall I send it?"."""
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "1", "the surgery", "staff", "none")
    assert "Shall I send it?" in chat.last_text


async def stored(store: Store, chat: Chat) -> dict[str, object]:
    conversation = (await store.load_turn(chat.key, None)).conversation
    assert conversation is not None
    return conversation.answers


@pytest.mark.parametrize("yes", ["yeah", "yep", "ok then", "go ahead", "👍", "yeah go on",
                                 "👍👍", "😊👍", "👍 👍 🙂"])
async def test_everyday_yes_starts(chat: Chat, yes: str) -> None:
    await chat.say("hi")
    await chat.say(yes)
    assert "Is that OK?" in chat.last_text


async def test_dunno_at_what_was_tried_is_noted_not_stored(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "dunno")
    answers = await stored(store, chat)
    assert answers["tried"] is None and answers["tried_by"] is None
    assert answers["_not_known"] == ["tried"]
    assert "What would help, do you think?" in chat.last_text
    assert not any("What happened after that?" in r.text for r in chat.replies)
    await chat.script("skip", "no", "skip", "skip", "staff", "none")
    assert "What was tried: Not sure" in chat.last_text


async def test_nobody_at_who_tried_it_is_an_answer(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script("A call-back list was set up last month for the Monday rush.")
    assert "Who tried it?" in chat.last_text
    await chat.say("the hospital")
    assert (await stored(store, chat))["tried_by"] == TriedBy.SOMEONE_ELSE.value


async def test_what_do_you_mean_is_explained_and_nothing_is_stored(chat: Chat,
                                                                  store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM)
    asked = len(chat.replies)
    await chat.say("what do you mean?")
    explained = [reply.text for reply in chat.replies[asked:]]
    assert len(explained) == 2  # the question asked again in plain words, not twice
    assert explained[0].startswith("I mean: has anyone")
    assert "skip (leave out an optional question)" in explained[1]  # then what always works
    assert "tried" not in await stored(store, chat)


OUTCOME_MEANS = "I mean: once it was tried, what changed?"


@pytest.mark.parametrize(("step", "asking", "explained"), [
    *(("outcome", asking, OUTCOME_MEANS) for asking in (
        "what does outcome mean", "i dont get it", "can you say it easy", "wdym")),
    ("spread.failed", "i don't get it", "I mean: now you know how it went"),
])
async def test_a_question_is_explained_in_plain_words_and_nothing_is_stored(
        chat: Chat, store: Store, step: str, asking: str, explained: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, "We started a call-back list.")
    if step == "spread.failed":
        await chat.say("it didn't work, the line was still engaged")
        assert "What did you learn from it" in chat.last_text
    await chat.say(asking)
    assert chat.replies[-2].text.startswith(explained)
    assert step.split(".")[0] not in await stored(store, chat)


@pytest.mark.parametrize(("question", "answer"), [
    ("will my manager see this?", "Staff see it without your name"),
    ("are you a real person", "a chat bot, not a person"),
    ("why do you need to know that?", "what people have tried that helps"),
    ("do i have to answer", "You don't have to answer"),
    ("what are the weekly summaries?", "a short summary of the stories people agreed"),
])
async def test_a_question_about_the_bot_gets_its_own_answer_then_the_question(
        chat: Chat, store: Store, question: str, answer: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, question)
    assert answer in chat.replies[-2].text
    assert "Has anyone" in chat.last_text
    assert "tried" not in await stored(store, chat)


async def test_a_hello_at_the_first_question_is_not_welcomed_back(chat: Chat) -> None:
    [welcome] = await chat.say("hi")
    assert welcome.text.startswith("Hi, I'm storyloop")
    [reply] = await chat.say("hiya")  # the welcome is just above: its question, briefly
    assert reply.text == "Hello! Shall we start? It takes about 5 minutes."
    assert reply.choices == welcome.choices


async def test_a_question_about_the_bot_at_the_welcome_does_not_introduce_it_twice(
        chat: Chat) -> None:
    await chat.say("hi")
    about, again = await chat.say("hiya, what is this")
    assert about.text.startswith("I'm storyloop, a chat bot")
    assert again.text == "Shall we start? It takes about 5 minutes." and again.choices


async def test_someone_who_told_a_story_before_gets_the_returning_welcome_again(
        chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", "skip", "staff", "none", "yes")
    [welcome] = await chat.say("hello")
    assert welcome.text.startswith("Hello again, and thank you for the story you told")
    _, again = await chat.say("who reads this?")
    assert again.text == welcome.text


async def test_naming_the_answer_to_change_at_the_review_goes_straight_to_it(
        chat: Chat, store: Store) -> None:
    await at_the_review(chat)
    [reply] = await chat.say("can i change the place")
    assert reply.text.startswith("Which service or place")
    await chat.say("Harbour Street Surgery")
    assert "Service or place: Harbour Street Surgery" in chat.last_text


async def test_wanting_to_change_something_at_the_review_as_people_say_it(chat: Chat) -> None:
    await at_the_review(chat)
    await chat.say("need to chnage a bit")  # not the answer to "what do you need?"
    assert chat.last_text.startswith("Which answer would you like to change?")
    await chat.say("I would like to change my first answer, about what has been happening.")
    assert "What's been happening?" in chat.last_text


async def test_naming_the_bit_to_fix_at_the_review_goes_straight_to_it(chat: Chat) -> None:
    await at_the_review(chat)
    await chat.say("hmm can i fix the first bit")
    assert "What's been happening?" in chat.last_text


async def test_none_said_politely_at_the_permissions(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", "skip", "staff",
                      "I would rather none of these, thank you.")
    assert (await stored(store, chat))["permissions"] == []
    assert "Shall I send it?" in chat.last_text


@pytest.mark.parametrize("yes", ["yes", "yes someone did", "yep i have", "yes, my sister did"])
async def test_a_yes_to_has_anyone_tried_is_asked_what(chat: Chat, store: Store,
                                                       yes: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, yes)
    assert chat.last_text == "That's good to hear. What was tried? Tell me in your own words."
    assert "tried" not in await stored(store, chat)
    await chat.say("we set up a rota for lifts")
    assert (await stored(store, chat))["tried"] == "we set up a rota for lifts"


async def test_me_and_nobody_else_at_who_tried_it_is_me(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "a lift rota was set up")
    assert "Who tried it?" in chat.last_text
    await chat.say("just me really, nobody else bothered")
    assert (await stored(store, chat))["tried_by"] == "me"


async def test_help_me_told_of_someone_is_not_a_call_for_help(chat: Chat,
                                                               store: Store) -> None:
    """A second-language "my daughter help me" says who did it, not "help"."""
    await start(chat)
    await chat.say("nobody help me")
    assert (await stored(store, chat))["situation"] == "nobody help me"
    await chat.say("a lift rota was set up")
    assert "Who tried it?" in chat.last_text
    await chat.say("my daughter help me")
    assert (await stored(store, chat))["tried_by"] == TriedBy.SOMEONE_ELSE.value


async def test_someone_to_help_me_at_what_would_help_is_kept(chat: Chat,
                                                               store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "nothing yet")
    await chat.say("someone to help me start it")
    assert (await stored(store, chat))["spread"] == "someone to help me start it"


def test_a_no_then_the_option_that_carries_on_carries_on() -> None:
    """After the support message, "no, carry on" (no, I'm not at risk) stopped the story."""
    from bench.understanding import questions
    from flows.understanding import understand

    safe = questions()["safe"]
    assert understand("no, carry on", safe).value == "safe_carry_on"
    assert understand("no, stop here", safe).value == "safe_stop"
    assert understand("no, thats fine", questions()["story.consent"]).value == "no"


def test_ask_me_later_pauses_but_told_or_wished_for_it_answers() -> None:
    from bench.understanding import questions
    from flows.understanding import Reading, understand

    asked = questions()
    assert understand("ask me next week", asked["introduction.invite"]).reading is (
        Reading.PAUSE)
    assert understand("ping me after 6", asked["tried.welcome"]).value == "not_now"
    for text, step in [("nurse said text me tomorrow", "story.situation"),
                       ("someone to remind me later about my meds", "story.need")]:
        assert understand(text, asked[step]).reading is Reading.ANSWER, text


async def test_a_greeting_mid_story_shows_where_we_were(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.say("hi")
    assert chat.replies[-2].text == "Hello again! Here's where we were:"
    assert "What's been happening?" in chat.last_text
    assert "situation" not in await stored(store, chat)


async def test_someone_who_wants_to_complain_is_told_where_and_can_carry_on(
        chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.say("how do i make a complaint")
    assert "I'm not the way to make a complaint" in chat.replies[-2].text
    assert "PALS" in chat.replies[-2].text
    await chat.say(PROBLEM)
    assert (await stored(store, chat))["situation"] == PROBLEM


async def test_the_deployment_names_its_complaints_route(app: App, chat: Chat) -> None:
    app.engine.complaints = "ring our PALS team on 0300 000 0000."
    await start(chat)
    await chat.say("i want someone held accountable")
    assert "ring our PALS team on 0300 000 0000." in chat.replies[-2].text


async def test_misunderstood_twice_offers_the_way_out(app: App, chat: Chat) -> None:
    app.engine.contact = "our patient experience team, 0300 000 0001."
    await chat.say("hi")
    await chat.say("banana")
    first = chat.last_text
    assert "pause" not in first and "Shall we start?" not in first
    await chat.say("potato")
    assert first in chat.last_text and "say pause" in chat.last_text
    assert "our patient experience team, 0300 000 0001." in chat.last_text
    assert [c.value for c in chat.last.choices] == ["start", "not_now"]


@pytest.mark.parametrize("said", ["help", "sorry im rubbish at this, which one do i pick"])
async def test_help_at_a_question_with_options_shows_them(chat: Chat, said: str) -> None:
    """Not "answer in your own words", which is not what works there."""
    await chat.script("hi", "yes")
    assert "Is that OK?" in chat.last_text
    await chat.say(said)
    explained, works = chat.replies[-2:]
    assert explained.text.startswith("I mean: may I keep the story you tell me")
    assert [c.value for c in works.choices] == ["yes", "more", "no"]  # with the options
    assert "own words" not in explained.text + works.text


async def test_help_at_a_question_of_several_picks_says_pick_as_many(chat: Chat) -> None:
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no")
    assert "Which of these is your story about?" in chat.last_text
    await chat.say("help")
    assert chat.replies[-2].text.startswith("I mean: which of these words fit your story?")
    assert "Pick the numbers, like 1 and 3" in chat.replies[-2].text and chat.last.choices


async def test_help_works_at_the_bots_own_yes_no_question(chat: Chat) -> None:
    await start(chat)
    await chat.say("forget me")
    await chat.say("help")
    assert chat.replies[-2].text.startswith("I mean: if you say yes, I delete your stories")
    assert "erase" in chat.last_text.casefold()
    await chat.say("no")
    assert "What's been happening?" in chat.last_text


@pytest.mark.parametrize(("before", "meaning"), [
    ((), "what do you mean?"),  # "What's been happening?"
    ((PROBLEM,), "i dont get it"),  # "Has anyone tried something?"
    ((PROBLEM, "We started a call-back list."), "what does outcome mean"),
    (("",), "what do i put"),  # "Is that OK?" (consent), a question with options
    ((PROBLEM, "nothing yet", "skip", "no"), "what are themes"),  # several picks
    ((PROBLEM, "nothing yet", "skip", "no"), "can i choose more than one?"),
    (("forget me",), "what does erase mean?"),  # the bot's own yes/no question
    (("restart",), "can you say it easy"),
    (("restart",), "what happens if I say yes"),
    ((), "what do I actually have to do here"),
])
async def test_help_and_what_does_that_mean_get_the_same_reply(
        chat: Chat, store: Store, before: tuple[str, ...], meaning: str) -> None:
    """Writers label "i dont get it" as help or as a question; the person gets one reply."""
    if before == ("",):
        await chat.script("hi", "yes")
    else:
        await start(chat)
        await chat.script(*before)
    asked = len(chat.replies)
    await chat.say("help")
    helped = [(reply.text, reply.choices) for reply in chat.replies[asked:]]
    asked = len(chat.replies)
    await chat.say(meaning)
    assert [(reply.text, reply.choices) for reply in chat.replies[asked:]] == helped
    assert helped[0][0].startswith("I mean:")
    assert not await store.list_stories()


@pytest.mark.parametrize(("ask", "asking", "answered"), [
    ("forget me", "what does erase mean?", "I mean: if you say yes, I delete your stories"),
    ("forget me", "who sees it?", "Only a moderator reads your story first"),
    ("restart", "i dont get it", "I mean: if you start again, the answers you've given"),
])
async def test_a_question_at_the_bots_own_question_is_answered_and_it_is_asked_again(
        chat: Chat, store: Store, ask: str, asking: str, answered: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, ask)
    await chat.say(asking)
    assert chat.replies[-2].text.startswith(answered)
    assert chat.last.choices[0].label.startswith("Yes")
    await chat.say("no")
    assert (await stored(store, chat))["situation"] == PROBLEM


@pytest.mark.parametrize("said", ["skip", "help", "what do you mean?", "purple"])
async def test_carry_on_or_start_again_asked_again_shows_where_you_were(
        chat: Chat, clock: FakeClock, said: str) -> None:
    """Found in a test run: asked again, it showed "{prompt}" instead of the question."""
    await start(chat)
    await chat.script(PROBLEM, "We started a call-back list.", "pause")
    clock.advance(hours=2)
    await chat.say("hello")
    assert "Welcome back" in chat.last_text and "What happened after that?" in chat.last_text
    await chat.say(said)
    assert "{" not in chat.last_text
    if "Welcome back" in chat.last_text:
        assert "What happened after that?" in chat.last_text
    assert [c.value for c in chat.last.choices] == ["carry_on", "start_again"]


@pytest.mark.parametrize("said", ["wait no i dont want to delete it, i pressed the wrong one",
                                  "please do not erase it", "i don't want to delete anything"])
async def test_refusing_the_erase_keeps_everything(chat: Chat, store: Store, said: str) -> None:
    """Found by a writer's set: "i dont want to delete it" held the words "delete it" and
    erased everything."""
    await start(chat)
    await chat.script(PROBLEM, "forget me")
    await chat.say(said)
    assert "erased" not in chat.last_text.casefold()
    assert (await stored(store, chat))["situation"] == PROBLEM


@pytest.mark.parametrize("said", ["suppose so if it only takes 5 mins",
                                  "kinda yeah but i might have to stop half way", "bet",
                                  "i guess", "if i have to", "okk"])
async def test_a_hedged_yes_starts(chat: Chat, said: str) -> None:
    await chat.say("hi")
    await chat.say(said)
    assert "Is that OK?" in chat.last_text  # the consent question: the story has started


async def test_a_greeting_then_a_hedged_yes_starts_and_nothing_is_held(chat: Chat,
                                                                      store: Store) -> None:
    """Found in a terminal: this was held as the person's story, then kept as it."""
    await chat.say("hi")
    await chat.say("Good afternoon. I suppose so, if it doesn't take too long.")
    assert "Is that OK?" in chat.last_text
    await chat.say("yes")
    assert chat.last_text == "Thank you. What's been happening? Tell it in your own words."


@pytest.mark.parametrize(("typed", "shown"), [
    ("sikp pls", "Nearly done"), ("pasue", "Everything you wrote is kept")])
async def test_two_letters_swapped_in_an_always_on_word_still_work(
        chat: Chat, store: Store, typed: str, shown: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, "nothing yet", "skip", "no", "1")
    assert "Which service or place" in chat.last_text
    await chat.say(typed)
    assert shown in chat.last_text
    assert not (await stored(store, chat)).get("place")


async def test_a_place_one_letter_from_an_always_on_word_is_kept(chat: Chat,
                                                                 store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "nothing yet", "skip", "no", "1", "shop")
    assert (await stored(store, chat))["place"] == "shop"


async def test_formal_refusals_are_read_as_they_are_meant(chat: Chat, store: Store) -> None:
    await chat.script("hi", "yes")
    await chat.say("I'm afraid not. Thank you all the same.")
    assert "Nothing you've said has been kept" in chat.last_text
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no", "1")
    await chat.say("I would rather not name it, if that is alright.")
    assert "Nearly done" in chat.last_text
    assert not (await stored(store, chat)).get("place")


@pytest.mark.parametrize("no", ["cant at the moment, mum needs me",
                                "I don't think so, but thank you for asking",
                                "not today, need to get back on the ward"])
async def test_a_no_with_its_reason_after_a_comma_is_a_no(chat: Chat, no: str) -> None:
    await chat.say("hi")
    await chat.say(no)
    assert "Nothing you've said has been kept" in chat.last_text


async def test_nae_bother_starts_and_no_worries_erases_nothing(chat: Chat,
                                                              store: Store) -> None:
    await chat.say("hi")
    await chat.say("nae bother")
    assert "Is that OK?" in chat.last_text
    await chat.script("yes", PROBLEM, "forget me", "no worries")
    assert chat.last_text.startswith("Sorry, I didn't follow. You can say yes or no")
    assert (await stored(store, chat))["situation"] == PROBLEM


@pytest.mark.parametrize("said", ["naw nobody, not a soul, wee bit fed up tae be honest",
                                  "nae bother was taken, naebody did a thing"])
async def test_scots_for_nobody_tried_is_not_kept_as_what_was_tried(
        chat: Chat, store: Store, said: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, said)
    assert (await stored(store, chat)).get("tried") is None


@pytest.mark.parametrize("lost", ["wat do i even say", "i dont understand this question at all",
                                  "what sort of things can i say here"])
async def test_not_knowing_what_to_say_is_explained_and_not_kept(
        chat: Chat, store: Store, lost: str) -> None:
    await start(chat)
    await chat.say(lost)
    assert chat.replies[-2].text.startswith("I mean: tell me what happened")
    assert "situation" not in await stored(store, chat)


async def test_regional_words_greet_and_start_fresh_starts_again(
        chat: Chat, store: Store, clock: FakeClock) -> None:
    await chat.say("wagwan")
    assert "Shall we start?" in chat.last_text
    await chat.script("ey up duck", "yes", "yes", PROBLEM)
    clock.advance(hours=3)
    await chat.say("alright there")
    assert "Welcome back" in chat.last_text
    await chat.say("start fresh")
    assert "Shall we start?" in chat.last_text and await store.list_stories() == []


async def test_a_letter_that_ends_in_a_yes_starts(chat: Chat, store: Store) -> None:
    await chat.say("hi")
    await chat.say("Dear Storyloop, Thank you for your message. I am not very used to these "
                   "computer things but I shall do my best. Please go ahead. Yours sincerely, "
                   "Dorothy Webb (Mrs)")
    assert "Is that OK?" in chat.last_text
    await chat.say("Dear Sir, I consent. Regards, Mary Anne Smith")
    assert "What's been happening?" in chat.last_text


async def test_a_hedged_no_thank_you_to_the_reflection_questions_skips_them(
        chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "nothing yet", "skip")
    assert "extra questions about what could change" in chat.last_text
    await chat.say("I think I'll leave those, thank you.")
    assert "Which of these is your story about?" in chat.last_text


@pytest.mark.parametrize("lost", ["what do you want me to put", "what do i put",
                                  "what are themes"])
async def test_asking_what_to_write_is_helped_and_not_kept(chat: Chat, store: Store,
                                                           lost: str) -> None:
    await start(chat)
    await chat.say(lost)
    assert chat.replies[-2].text.startswith("I mean: tell me what happened")
    assert "situation" not in await stored(store, chat)


async def test_sorry_i_meant_a_number_picks_it_rather_than_going_back(chat: Chat,
                                                                      store: Store) -> None:
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no", "1", "skip")
    assert "Nearly done" in chat.last_text
    await chat.say("sorry i meant 2 not 1")
    assert "What else is OK with you?" in chat.last_text
    assert (await stored(store, chat))["role"] == "staff"


@pytest.mark.parametrize(("role", "stored_as"), [
    ("no wait staff, sorry", "staff"),
    ("I use the services, although I used to be a nurse myself many years ago.", "citizen"),
    ("i am the one who goes to the doctor", "citizen"), ("im the doctor", "staff")])
async def test_a_role_corrected_or_told_with_the_past(chat: Chat, store: Store, role: str,
                                                      stored_as: str) -> None:
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no", "1", "skip")
    assert "Nearly done" in chat.last_text
    await chat.say(role)
    assert "What else is OK with you?" in chat.last_text
    assert (await stored(store, chat))["role"] == stored_as


@pytest.mark.parametrize("skip", ["skip", "id prefer not to"])
async def test_a_skip_where_i_would_rather_not_say_is_offered_picks_it(
        chat: Chat, store: Store, skip: str) -> None:
    """It was answered "I need this one to make sense of your story" beside the option."""
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no", "1", "skip")
    assert "I'd rather not say" in " ".join(c.label for c in chat.replies[-1].choices)
    await chat.say(skip)
    assert "What else is OK with you?" in chat.last_text
    assert (await stored(store, chat))["role"] == "rather not say"


def test_the_bench_counts_a_skip_and_that_choice_as_one() -> None:
    from bench.understanding import as_the_bot_does
    from flows.understanding import Reading, Understood

    row = {"step": "story.role", "text": "skip", "reading": "skip", "value": None}
    counted, _ = as_the_bot_does(row, Understood(Reading.CHOICE, "rather not say"), None)
    assert (counted["reading"], counted["value"]) == ("choice", "rather not say")
    counted, _ = as_the_bot_does(row, Understood(Reading.CHOICE, "staff"), None)
    assert counted["reading"] == "skip"


def test_the_bench_counts_a_pause_and_the_choice_later_picks_as_one() -> None:
    from bench.understanding import as_the_bot_does
    from flows.understanding import Reading, Understood

    row = {"step": "story.welcome", "text": "remind me later", "reading": "pause", "value": None}
    _, got = as_the_bot_does(row, Understood(Reading.CHOICE, "not_now"), None, "not_now")
    assert got == Understood(Reading.PAUSE)
    _, got = as_the_bot_does(row, Understood(Reading.CHOICE, "start"), None, "not_now")
    assert got == Understood(Reading.CHOICE, "start")


@pytest.mark.parametrize("later", ["remind me later", "can we do this later im on the bus",
                                   "pause"])
async def test_a_pause_at_the_welcome_is_its_not_now(chat: Chat, later: str) -> None:
    """What the bench counts as one: nothing is under way to pause, so the welcome's "Not now"
    answers it."""
    await chat.say("hi")
    await chat.say(later)
    assert "Nothing you've said has been kept" in chat.last_text


async def test_everyday_and_formal_ways_to_start_decline_and_come_back(chat: Chat) -> None:
    await chat.say("hi")
    await chat.say("letsstart")
    assert "Is that OK?" in chat.last_text
    await chat.script("yes", PROBLEM, "not yet", "skip")
    assert "four short extra questions" in chat.last_text
    await chat.say("That's all I have to say, thank you.")
    assert "Which of these is your story about?" in chat.last_text
    await chat.say("pause")
    await chat.say("Hello, I am back now. Apologies for the delay.")
    assert "Which of these is your story about?" in chat.last_text


@pytest.mark.parametrize(("step_replies", "said", "then"), [
    ((), "Oh I'm not sure about that", "That's fine, I'll note that you're not sure."),
    ((), "does it count if it was something we tried and it didnt work", "Has anyone"),
    ((), "will the place get in trouble if i say", "Has anyone"),
    ((), "like what sort of answer are you after", "I mean:"),
    ((), "I don't understand this one, can you explain it another way", "I mean:")])
async def test_questions_and_not_knowing_as_people_put_them_are_not_kept(
        chat: Chat, store: Store, step_replies: tuple[str, ...], said: str, then: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, *step_replies)
    await chat.say(said)
    assert then in " ".join(r.text for r in chat.replies[-2:])
    assert not (await stored(store, chat)).get("tried")


@pytest.mark.parametrize(("said", "stored_as"), [
    ("He understands and he agrees", "yes"),
    ("explained it to dad, he's happy with that", "yes"),
    ("I don't think so thank you", None)])
async def test_consent_passed_on_or_declined_politely(chat: Chat, store: Store, said: str,
                                                     stored_as: str | None) -> None:
    await chat.say("hi")
    await chat.say("yes")
    await chat.say(said)
    if stored_as == "yes":
        assert "What's been happening?" in chat.last_text
    else:
        assert "What's been happening?" not in chat.last_text
        assert "consent_at" not in await stored(store, chat)


@pytest.mark.parametrize(("said", "themes"), [
    ("None of those seem right to me", []), ("I don't think any of them", [])])
async def test_no_theme_said_in_a_sentence_keeps_none(chat: Chat, store: Store, said: str,
                                                      themes: list[str]) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", said)
    assert (await stored(store, chat))["themes"] == themes


async def test_how_to_answer_the_themes_question_is_help_not_a_theme(
        chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no")
    await chat.say("Do I type the number or the word? I'm not sure what to do")
    assert "Which of these" in chat.last_text or chat.replies[-1].choices
    assert not (await stored(store, chat)).get("themes")


async def test_leave_it_for_now_at_the_review_pauses_and_sends_nothing(
        chat: Chat, store: Store) -> None:
    await at_the_review(chat)
    await chat.say("leave it for now ill send later")
    assert "paused" in chat.last_text.casefold()
    assert not await store.list_stories()


async def test_a_hello_that_goes_on_to_tell_the_story_is_kept(chat: Chat, store: Store) -> None:
    """It was read as a hello alone, and "my dad waited 9 hours" was lost."""
    await start(chat)
    await chat.say("hi sorry my dad waited 9 hours")
    assert (await stored(store, chat))["situation"] == "hi sorry my dad waited 9 hours"


@pytest.mark.parametrize("hello", ["hello again sorry i had to see to him",
                                   "hi sorry i was on the phone"])
async def test_a_hello_with_an_excuse_is_not_kept(chat: Chat, store: Store, hello: str) -> None:
    await start(chat)
    [again, _] = await chat.say(hello)
    assert "where we were" in again.text
    assert "situation" not in await stored(store, chat)


async def test_say_it_easy_is_help_and_a_formal_complaint_is_not_what_was_tried(
        chat: Chat, store: Store) -> None:
    await start(chat)
    [meaning, *_] = await chat.say("too many words. can you say it easy")
    assert meaning.text.startswith("I mean:")
    await chat.say(PROBLEM)
    await chat.say("i tried complaining and got nowhere so how do i make a formal one")
    assert any("complaints" in r.text.casefold() for r in chat.replies[-2:])
    assert not (await stored(store, chat)).get("tried")


async def test_mee_at_who_tried_it_is_me(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "a lift rota was set up")
    await chat.say("mee")
    assert (await stored(store, chat))["tried_by"] == "me"


@pytest.mark.parametrize("said", [
    "i dont know what would help, i just know it was awful, i dont know, sorry",
    "dunno really, i mean maybe something, i just dont know",
    "havent learned much tbh, dunno", "I wouldn't like to guess.", "fhfhfh", "eh"])
async def test_a_long_dont_know_or_mashed_keys_are_not_kept_as_what_happened(
        chat: Chat, store: Store, said: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, "We started a call-back list.")
    assert "What happened after that?" in chat.last_text
    await chat.say(said)
    assert "outcome" not in {k for k, v in (await stored(store, chat)).items() if v}


async def test_a_stray_letter_is_not_a_theme(chat: Chat, store: Store) -> None:
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no")
    await chat.say("z")
    assert "didn't follow" in chat.last_text
    assert not (await stored(store, chat)).get("themes")


@pytest.mark.parametrize("said", ["2 mins bleeps gone",
                                  "hang on someone at the door ill come back to this",
                                  "bleeps gone"])
async def test_called_away_pauses_and_keeps_nothing_as_an_answer(chat: Chat, store: Store,
                                                                 said: str) -> None:
    await start(chat)
    await chat.say(said)
    assert "situation" not in await stored(store, chat)
    assert "carry on" in chat.last_text.casefold() or "paused" in chat.last_text.casefold()


async def test_a_shrug_is_not_kept_as_a_theme(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "¯\\_(ツ)_/¯")
    assert not (await stored(store, chat)).get("themes")
    assert chat.last_text.startswith("That's all right.")


@pytest.mark.parametrize(("said", "themes"), [
    ("2 waiting", ["waiting times"]), ("6 and 2 obvs", ["mental health", "waiting times"]),
    ("all of em", ["access", "waiting times", "communication", "digital", "staffing",
                   "mental health", "carers", "kindness"]),
    ("1, 3, phones", ["access", "communication", "phones"])])
async def test_themes_picked_by_number_with_words_around_them(chat: Chat, store: Store,
                                                             said: str,
                                                             themes: list[str]) -> None:
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no", said)
    assert (await stored(store, chat))["themes"] == themes


async def test_everything_except_the_name_one_leaves_out_only_the_name(chat: Chat,
                                                                      store: Store) -> None:
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no", "skip",
                      "skip", "staff")
    await chat.say("everything except the name one")
    assert (await stored(store, chat))["permissions"] == ["digest", "quote", "contact"]


async def test_a_question_asked_before_saying_yes_is_answered_and_nothing_agreed(
        store: Store) -> None:
    """It was read as yes: consent given while the person was still asking. The reading
    alone: the safeguarding model is off here, because it takes "i dont want it getting
    back to them" for a concern (0.72; a false alarm listed in its card's limits)."""
    chat = Chat(compose(Config(flows=FlowsConfig(safeguarding_model=False)), store,
                        pseudonymise=PSEUDONYMS).app)
    await chat.script("hi", "yes")
    await chat.say("hang on before i say yes, does the moderator work for the hospital? "
                   "because i dont want it getting back to them")
    assert "Is that OK?" in chat.last_text
    assert "consent_at" not in await stored(store, chat)


@pytest.mark.parametrize("said", ["suppose it'll do", "i guess", "if i have to"])
async def test_a_hedged_yes_at_an_open_question_is_not_kept(chat: Chat, store: Store,
                                                            said: str) -> None:
    """Found in a terminal: "suppose it'll do" was kept as the service or place."""
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no", "skip")
    assert "Which service or place" in chat.last_text
    await chat.say(said)
    assert "place" not in await stored(store, chat)


async def test_wanting_to_know_more_before_agreeing_is_not_agreeing(chat: Chat,
                                                                    store: Store) -> None:
    """It was read as yes ("I'd like" opened it)."""
    await chat.script("hi", "yes")
    await chat.say("I'd like to know a bit more before I agree, please.")
    assert "Here's what happens" in chat.last_text
    assert (await stored(store, chat))["consent"] == "more"


@pytest.mark.parametrize(("said", "role"), [("im a band 6 sister on nights", "staff")])
async def test_staff_say_their_grade(chat: Chat, store: Store, said: str, role: str) -> None:
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no", "skip", "skip",
                      said)
    assert (await stored(store, chat))["role"] == role


@pytest.mark.parametrize(("said", "kept"), [
    ("not sure, but maybe posters in the waiting room", True),
    ("idk maybe a&e trips", True), ("idk maybe the thing", False),
    ("not sure tbh, maybe someone did behind the scenes?", False)])
async def test_an_unsure_guess_is_kept_but_an_unsure_nothing_is_not(
        chat: Chat, store: Store, said: str, kept: bool) -> None:
    await start(chat)
    await chat.script(PROBLEM, "We started a call-back list.", "Fewer calls on Mondays.")
    assert "What would help this spread" in chat.last_text
    await chat.say(said)
    assert ((await stored(store, chat)).get("spread") == said) is kept


async def test_an_unsure_guess_at_has_anyone_tried_is_not_praised_as_an_attempt(
        chat: Chat, store: Store) -> None:
    """Found in a terminal: a suggestion got "That's good to hear about"."""
    await start(chat)
    await chat.script(PROBLEM, "not sure, but maybe the gp could send the script elsewhere")
    assert "good to hear" not in chat.last_text
    assert not (await stored(store, chat)).get("tried")


async def test_hi_im_back_after_a_pause_is_not_stored(chat: Chat, store: Store,
                                                      clock: FakeClock) -> None:
    await start(chat)
    await chat.script(PROBLEM, "We started a call-back list.", "pause")
    clock.advance(hours=2)
    await chat.say("hi im back")
    assert "Welcome back" in chat.last_text
    assert "outcome" not in await stored(store, chat)


@pytest.mark.parametrize(("name", "accuracy", "stored"), [
    ("replies.jsonl", 0.965, 0.02), ("replies_more.jsonl", 0.955, 0.04),
    ("replies_phone.jsonl", 0.96, 0.04), ("replies_voice.jsonl", 0.965, 0.045),
    ("replies_staff.jsonl", 0.96, 0.02), ("replies_options.jsonl", 0.96, 0.045),
    ("replies_outbound.jsonl", 0.94, 0.06), ("replies_esl.jsonl", 0.955, 0.045),
    ("replies_hedged.jsonl", 0.94, 0.035), ("replies_slang.jsonl", 0.95, 0.05),
    ("replies_mixed.jsonl", 0.95, 0.035), ("replies_interrupted.jsonl", 0.96, 0.03)])
def test_the_tuning_replies_are_mostly_read_as_meant(name: str, accuracy: float,
                                                     stored: float) -> None:
    """A regression floor on the replies the words were tuned on (the blind set is only
    measured, by bench/understanding.py, never asserted on)."""
    from bench.understanding import measure

    report = measure(TUNING.with_name(name), show=0)
    assert report["accuracy"] >= accuracy
    assert report["non_answers_stored"] <= stored


async def test_a_compliment_is_thanked_not_pitied(chat: Chat) -> None:
    await start(chat)
    await chat.say("The nurse on ward 7 was so kind to my mum, she made her feel safe.")
    assert chat.last_text.startswith("That's lovely to hear, thank you.")
    assert "sounds hard" not in chat.last_text


async def test_a_pilot_that_failed_is_asked_what_was_learned(chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, "We trialled a call-back list in March.", "It didn't work, "
                      "people still rang at 8am and the list got lost.")
    assert "What did you learn from it" in chat.last_text
    assert "spread" not in chat.last_text


async def test_an_attempt_told_as_failed_is_not_called_good_news(chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, "Nope. We started a rota ourselves but it fell apart")
    assert chat.last_text.startswith("Thank you for telling me, even though it didn't last.")
    assert "good to hear" not in chat.last_text
    await chat.say("people dropped out when the shifts changed")
    assert "What did you learn from it" in chat.last_text
    assert "spread" not in chat.last_text


@pytest.mark.parametrize(("outcome", "failed"), [
    ("DNAs dropped maybe by half", False), ("the angry calls stopped", False),
    ("they stopped it after a month", True), ("it was dropped when the funding ended", True),
    ("no change really", True)])
async def test_what_happened_is_read_as_failed_only_when_the_attempt_failed(
        chat: Chat, outcome: str, failed: bool) -> None:
    """'DNAs dropped maybe by half' was answered as a failure ("what did you learn?")."""
    await start(chat)
    await chat.script(PROBLEM, "we started texting reminders the day before")
    await chat.say(outcome)
    assert ("What did you learn from it" in chat.last_text) is failed
    assert ("What would help this spread" in chat.last_text) is not failed


async def test_an_attempt_whose_deed_is_stopping_something_is_good_news(chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, "We stopped the 8am rush by opening the phone lines at 7")
    assert chat.last_text.startswith("That's good to hear about")


async def test_reopening_the_chat_while_the_bot_waits_asks_its_question_again(
        app: App, chat: Chat) -> None:
    from bot.core.types import MessageKind

    await start(chat)
    await chat.say("I want to end my life")
    assert "Samaritans" in chat.replies[-2].text
    joined = chat.message("").model_copy(update={"kind": MessageKind.JOINED})
    [again] = await app.handle(joined)
    assert again.text == chat.last_text and [c.value for c in again.choices] == [
        "safe_carry_on", "safe_stop"]


async def test_someone_who_told_a_story_before_is_welcomed_back_not_told_nothing_is_kept(
        chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", "skip", "staff", "none")
    assert "What was tried: Nothing yet" in chat.last_text
    await chat.say("yes")
    await chat.say("hello")
    assert chat.last_text.startswith("Hello again, and thank you for the story you told")
    await chat.say("not now")
    assert "the story you told before is still safe" in chat.last_text
    assert "Nothing you've said has been kept" not in chat.last_text
    assert len(await store.list_stories()) == 1


@pytest.mark.parametrize(("said", "picked"), [
    ("all except naming me", ["digest", "quote", "contact"]),
    ("everything but quotes", ["digest", "contact", "name"]),
    ("1 and 2 is fine", ["digest", "quote"]),
    ("all of them", ["digest", "quote", "contact", "name"]),
    ("the first one", ["digest"]),
])
async def test_permissions_as_people_put_them(chat: Chat, store: Store, said: str,
                                              picked: list[str]) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", "skip", "staff", said)
    assert (await stored(store, chat))["permissions"] == picked


async def test_not_sure_at_a_yes_no_question_is_not_a_yes(chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip")
    assert "four short extra questions" in chat.last_text
    [reply] = await chat.say("hmm not sure")
    assert "Would you like to answer them?" not in reply.text
    assert reply.text.startswith("That's all right. Say yes or no, whichever fits best")
    assert [c.label for c in reply.choices] == ["Yes, ask me", "No, skip them"]
    await chat.say("help")
    assert "four more short questions about what could change" in chat.replies[-2].text
    await chat.say("dunno")  # the second time in a row: the way out too
    assert chat.last_text.startswith("That's all right.") and "say pause" in chat.last_text


async def test_not_sure_at_a_question_with_options_is_understood(chat: Chat) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", "skip")
    [reply] = await chat.say("not sure")
    assert reply.text.startswith("That's all right. Pick whichever fits best")
    assert "didn't follow" not in reply.text and reply.choices


@pytest.mark.parametrize("nah", ["nah", "nah ur good", "no you're good", "nah im good"])
async def test_nah_is_not_kept_as_the_service(chat: Chat, store: Store, nah: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", nah, "staff", "only the first")
    answers = await stored(store, chat)
    assert answers["place"] is None and answers["permissions"] == ["digest"]
    assert "Service or place: No" in chat.last_text


async def test_me_alone_at_has_anyone_tried_asks_what(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "me")
    assert chat.last_text == "Could you tell me a little more, in your own words?"
    assert "tried" not in await stored(store, chat)


async def test_asking_to_erase_just_one_story_erases_nothing(chat: Chat, store: Store) -> None:
    from tests.test_privacy import FINISH

    await chat.script(*FINISH, "forget me")
    await chat.say("can i erase just one story")
    assert len(await store.list_stories()) == 1
    assert "can't be undone" in chat.last_text  # asked again, after the answer
    assert not any(r.text.startswith("Done. I've erased") for r in chat.replies)


@pytest.mark.parametrize("unsure", ["hmm ok?", "ok?", "umm okay"])
async def test_a_hesitant_ok_at_consent_is_asked_again_not_taken(chat: Chat, store: Store,
                                                                unsure: str) -> None:
    await chat.script("hi", "yes", unsure)
    assert chat.last_text.startswith("Sorry, I didn't follow. You can say yes or no")
    assert "Is that OK?" in chat.last_text or "Tell me more" in str(chat.replies[-1].choices)
    assert (await stored(store, chat)).get("consent") is None


async def test_rather_not_at_consent_is_a_no(chat: Chat, store: Store) -> None:
    await chat.script("hi", "yes", "I'd rather not, thank you.")
    assert "Nothing you've said has been kept" in chat.last_text
    assert await store.list_stories() == []


async def test_quote_without_my_name_does_not_pick_naming(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", "skip", "staff",
                      "You may quote my words, without my name.")
    assert (await stored(store, chat))["permissions"] == ["quote"]


async def test_start_the_whole_thing_over_at_review_asks_to_start_again(chat: Chat) -> None:
    from tests.test_story_flow import to_review

    await to_review(chat)
    await chat.say("this is all wrong just start the whole thing over")
    assert "Start again from the beginning?" in chat.last_text


@pytest.mark.parametrize("again", ["can we just start from scratch, i went off track",
                                   "this is all wrong, start over from the start pls"])
async def test_starting_again_in_other_words_asks_to_start_again(chat: Chat,
                                                                  again: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, "nothing yet")
    await chat.say(again)
    assert "Start again from the beginning?" in chat.last_text


@pytest.mark.parametrize("told", ["we had to start again from scratch with a new gp",
                                  "they made us begin again with the forms"])
async def test_starting_again_told_as_what_happened_is_kept(chat: Chat, store: Store,
                                                             told: str) -> None:
    await start(chat)
    await chat.say(told)
    assert (await stored(store, chat))["situation"] == told


async def test_what_are_we_on_asks_how_far_through(chat: Chat) -> None:
    await start(chat)
    await chat.say("I've lost track, what are we on?")
    assert "of about" in chat.last_text and "What's been happening?" in chat.last_text


async def test_how_long_will_they_take_is_answered_in_minutes(chat: Chat) -> None:
    """It was answered with the question number only, which says nothing of the time."""
    await start(chat)
    await chat.script(PROBLEM, "nothing yet", "skip")
    assert "four short extra questions" in chat.last_text
    await chat.say("how long will they take?")
    assert "minutes to go" in chat.last_text and "four short extra questions" in chat.last_text


async def test_a_long_request_to_do_this_later_pauses(chat: Chat, store: Store) -> None:
    await chat.say("hi")
    await chat.say("Can I do this later on tonight instead when my son is here to help")
    assert "Nothing you've said has been kept" in chat.last_text
    await start(chat)
    await chat.say("can i do this later tonight when the kids are in bed and i have time to think")
    assert chat.last_text.startswith("Paused.")
    assert "situation" not in await stored(store, chat)


@pytest.mark.parametrize("pointer", ["see above", "as i said", "same as before lol"])
async def test_a_pointer_to_an_earlier_answer_is_never_kept_as_one(chat: Chat, store: Store,
                                                                   pointer: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, "nothing yet")
    assert "What would help" in chat.last_text
    await chat.say(pointer)
    assert "four short extra questions" in chat.last_text
    assert not (await stored(store, chat)).get("spread")


async def test_nothing_to_add_skips_but_a_story_saying_it_is_kept(chat: Chat,
                                                                    store: Store) -> None:
    await start(chat)
    await chat.say("the gp had nothing to add")
    assert (await stored(store, chat))["situation"] == "the gp had nothing to add"
    await chat.say("nothing yet")
    await chat.say("nothing to say here")
    assert "four short extra questions" in chat.last_text
    assert not (await stored(store, chat)).get("spread")


async def test_someone_to_blame_is_never_kept_as_the_name_to_show(chat: Chat,
                                                                   store: Store) -> None:
    """Asked how to name them, a person wrote whom to blame: it was kept as their name."""
    await start(chat)
    await chat.script(PROBLEM, "I started a call-back list.", "skip", "skip", "no", "skip",
                      "skip", "staff", "1, 4")
    assert "How should we name you" in chat.last_text
    await chat.say("name the doctor who ignored me")
    assert "PALS" in chat.replies[-2].text and "How should we name you" in chat.last_text
    assert not (await stored(store, chat)).get("acted_name")


@pytest.mark.parametrize("question", ["so who actually reads this", "wait who is the team"])
async def test_a_question_after_so_or_wait_at_consent_is_answered(chat: Chat,
                                                                  question: str) -> None:
    await chat.script("hi", "yes")
    answer, again = await chat.say(question)
    assert "moderator" in answer.text.lower() and again.text.endswith("Is that OK?")


@pytest.mark.parametrize("lost", ["i dont understand this is ok or not ok",
                                  "I'm not sure, I don't really understand computers"])
async def test_i_dont_understand_at_consent_explains_it(chat: Chat, lost: str) -> None:
    await chat.script("hi", "yes")
    await chat.say(lost)
    assert chat.replies[-2].text.startswith("I mean:") and "Is that OK?" not in chat.last_text


@pytest.mark.parametrize("who", ["me", "it was me who did it", "oh my team did it btw",
                                 "no wait, it was me"])
async def test_a_late_who_at_what_happened_is_not_kept_as_what_happened(
        chat: Chat, store: Store, who: str) -> None:
    """The bot knew who from "I rang them"; "me" at "What happened after that?" was kept."""
    await start(chat)
    await chat.script(PROBLEM, "i rang them and asked them to put a note on my file")
    assert "What happened after that?" in chat.last_text
    await chat.say(who)
    assert "outcome" not in await stored(store, chat)
    assert "tell me a little more" in chat.last_text


@pytest.mark.parametrize("story", [
    "i dont know where to start, the gp lost my referral twice",
    "i genuinely dont know where to start, the gp lost my referral twice"])
async def test_a_story_opening_with_i_dont_know_where_to_start_is_kept(
        chat: Chat, store: Store, story: str) -> None:
    """It was read as "don't know" and asked again: the story was not kept."""
    await start(chat)
    await chat.say(story)
    assert (await stored(store, chat))["situation"] == story


async def test_i_cant_even_remember_at_a_follow_up_is_not_knowing() -> None:
    from bench.understanding import questions
    from flows.understanding import Reading, understand

    asked = questions()["follow_up.how_it_went"]
    said = understand("tbh i cant even remember what i said i tried", asked)
    assert said.reading is Reading.DONT_KNOW


async def test_ask_me_next_week_at_ask_me_pauses(chat: Chat) -> None:
    """"Yes, ask me" is the extra questions' first option: "ask me next week" picked it."""
    await start(chat)
    await chat.script(PROBLEM, "nothing yet", "skip")
    assert "four short extra questions" in chat.last_text
    await chat.say("ask me next week")
    assert chat.last_text.startswith("Paused.")


@pytest.mark.parametrize("asks", ["is this the complaints thing", "is this about complaints?"])
async def test_asking_if_this_is_for_complaints_is_told_where_to_complain(
        chat: Chat, asks: str) -> None:
    """It got the general word about the bot, which never says where complaints go."""
    await chat.say("hi")
    await chat.say(asks)
    assert "PALS" in chat.replies[-2].text and "Shall we start?" in chat.last_text


async def test_yes_on_my_break_starts_rather_than_pausing(chat: Chat) -> None:
    await chat.script("hi", "yes quickly pls on my break")
    assert "Is that OK?" in chat.last_text


@pytest.mark.parametrize("question", ["spread to who", "didnt i just say that?",
                                      "replace as in get rid of?", "but we did try something?"])
async def test_a_short_question_back_is_not_kept_as_an_answer(chat: Chat, store: Store,
                                                              question: str) -> None:
    await start(chat)
    await chat.say(question)
    said = " ".join(reply.text for reply in chat.replies[-2:])
    assert ("What's been happening?" in said or "own words" in said
            or "I mean: tell me what happened" in said)
    assert (await stored(store, chat)).get("situation") is None


@pytest.mark.parametrize(("said", "shown"), [
    ("yes... actually no im not comfy with that", "Nothing you've said has been kept"),
    ("yes... hmm no actually", "Nothing you've said has been kept"),
    ("no wait, yes thats fine", "What's been happening?")])
async def test_a_change_of_mind_at_consent_counts_what_came_last(chat: Chat, store: Store,
                                                                said: str, shown: str) -> None:
    await chat.script("hi", "yes", said)
    assert shown in chat.last_text


async def test_dictated_punctuation_and_number_words_pick_permissions(chat: Chat,
                                                                      store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", "skip", "staff",
                      "one and three please full stop")
    assert (await stored(store, chat))["permissions"] == ["digest", "contact"]


@pytest.mark.parametrize(("said", "themes"), [
    ("one two and three", ["access", "waiting times", "communication"]),
    ("the 1st and 3rd one", ["access", "communication"]),
    ("mental helth and staffing", ["mental health", "staffing"]),
    ("carers communication kindness", ["carers", "communication", "kindness"]),
    ("staffing an comunication", ["staffing", "communication"]),
    ("I would say numbers 1 and 3, please.", ["access", "communication"]),
    ("staffing, and waiting times as a result", ["staffing", "waiting times"]),
    ("3 and 8 x", ["communication", "kindness"]),
    ("waiting for ages", ["waiting for ages"])])
async def test_themes_said_in_words_or_sounded_out(chat: Chat, store: Store, said: str,
                                                   themes: list[str]) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", said)
    assert (await stored(store, chat))["themes"] == themes


@pytest.mark.parametrize("said", ["wot does erase mean here", "yes... no keep it"])
async def test_erasing_needs_a_plain_yes(chat: Chat, store: Store, said: str) -> None:
    from tests.test_privacy import FINISH

    await chat.script(*FINISH, "forget me", said)
    assert len(await store.list_stories()) == 1


@pytest.mark.parametrize("answer", ["next time I'd write it down properly so it lasts",
                                    "bleep card in the F1 induction pack every August",
                                    "help with transport"])
async def test_an_answer_that_opens_with_a_control_word_is_kept(store: Store,
                                                                answer: str) -> None:
    """The reading alone: the safeguarding model is off here, because it takes the first of
    these for a concern (0.89; a false alarm listed in its card's limits), and a false alarm
    holds the answer until the person says carry on."""
    chat = Chat(compose(Config(flows=FlowsConfig(safeguarding_model=False)), store,
                        pseudonymise=PSEUDONYMS).app)
    await start(chat)
    await chat.say(answer)
    assert (await stored(store, chat))["situation"] == answer


async def test_quoting_the_bots_question_then_answering(chat: Chat, store: Store) -> None:
    await chat.script("hi", "> Shall we start?\nyes")
    assert "Is that OK?" in chat.last_text


async def test_a_story_told_at_consent_is_held_then_shown_back_not_refused(
        chat: Chat, store: Store) -> None:
    story = "my dad waited 9 hours in A&E on a trolley and nobody checked on him"
    await chat.script("hi", "yes", story)
    assert chat.replies[-2].text.startswith("Thank you for telling me. I'll hold on to that")
    assert "Is that OK?" in chat.last_text
    assert "situation" not in await stored(store, chat)  # not kept before a yes
    await chat.say("yes")
    assert story in chat.last_text and "Shall I keep that" in chat.last_text
    await chat.say("yes")
    assert (await stored(store, chat))["situation"] == story


async def test_a_change_of_mind_with_a_wish_is_not_a_yes(chat: Chat, store: Store) -> None:
    await chat.script("hi", "yes", "yes... no wait i want to change something")
    assert chat.last_text.startswith("Sorry, I didn't follow")
    assert (await stored(store, chat)).get("consent") is None


@pytest.mark.parametrize("not_an_answer", [
    "sorry wrong chat lol", "omg sorry that was meant for teams", "testing 1 2 3",
    "Thank you for listening", "ty", "so the thing is"])
async def test_messages_not_meant_as_answers_are_not_kept(chat: Chat, store: Store,
                                                          not_an_answer: str) -> None:
    await start(chat)
    await chat.say(not_an_answer)
    assert "situation" not in await stored(store, chat)
    assert "What's been happening?" in chat.last_text or "own words" in chat.last_text


async def test_a_starred_correction_goes_back_to_the_last_answer(chat: Chat,
                                                                  store: Store) -> None:
    await start(chat)
    await chat.script("The surgery phone line is engaged from 8am every Monday.",
                      "*hospital not surgery, sorry")
    assert "What's been happening?" in chat.last_text
    assert (await stored(store, chat)).get("tried") is None


def test_the_readme_states_the_blind_figures_as_measured() -> None:
    """The README's figures for the blind set are today's, not an earlier round's (the blind
    set is measured here, never tuned on: nothing else is asserted about it)."""
    from bench.understanding import SETS, measure

    report = measure(SETS["blind"], show=0)
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert f"({report['accuracy']:.3f}) are read as meant" in readme
    assert f"({report['non_answers_stored'] * 100:.1f}%) of" in readme
    outbound = measure(SETS["blind_outbound"], show=0)
    assert (f"{outbound['accuracy']:.3f} read as meant and "
            f"{outbound['non_answers_stored'] * 100:.1f}% of non-answers stored") in readme


def test_the_readme_states_the_tuning_sets_as_they_are() -> None:
    """How many sets and replies the words were tuned on, and how well each is read now."""
    from bench.understanding import BLIND, SETS, measure

    tuning = [measure(path, show=0) for name, path in SETS.items() if name not in BLIND]
    lowest = min(r["accuracy"] for r in tuning)
    highest = max(r["accuracy"] for r in tuning)
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text().split())
    words = {12: "twelve", 13: "thirteen", 14: "fourteen"}[len(tuning)]
    assert (f"{words} other sets written the same way by {words} other writers "
            f"({sum(r['replies'] for r in tuning):,} replies: {int(lowest * 100)} to "
            f"{int(highest * 100)}% read as meant)") in readme


@pytest.mark.parametrize("nothing", [
    "well nothing yet really, I was told to come here",
    "I am sorry to say that nothing has been attempted to my knowledge. Kind regards.",
    "I'm afraid nobody has bothered"])
async def test_nothing_yet_in_the_tried_flow_is_not_kept_as_what_was_tried(
        chat: Chat, store: Store, nothing: str) -> None:
    await chat.script("tried", "yes", "yes")
    assert "What did you try?" in chat.last_text
    await chat.say(nothing)
    assert "problem you'd like to see fixed?" in chat.last_text
    assert "great to hear" not in chat.last_text
    answers = await stored(store, chat)
    assert answers["tried"] is None and answers["_nothing"] == ["tried"]


@pytest.mark.parametrize("reply", [
    "Not sure, but the new manager at reception seems to be changing things",
    "nothing from the surgery, but I rang 111 myself every morning",
    "Nope. We started a rota ourselves but it fell apart",
    "not really. i made a list of questions for the consultant and it helped"])
async def test_an_answer_after_a_hedge_is_kept(chat: Chat, store: Store, reply: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, reply)
    assert (await stored(store, chat))["tried"] == reply


@pytest.mark.parametrize("reply", ["nothing yet, so i came here to ask",
                                   "not sure but nobody told me anything",
                                   "nope. ive asked but nothing happens",
                                   "no I tried nothing"])
async def test_a_hedge_that_stays_unsure_is_not_kept(chat: Chat, store: Store,
                                                     reply: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, reply)
    assert (await stored(store, chat))["tried"] is None


@pytest.mark.parametrize("tried", [
    "the ward manager put in a Datix and escalated to matron, got an extra HCA on nights",
    "I reported it to the practice manager and she changed the rota"])
async def test_a_complaint_already_made_is_something_tried(chat: Chat, store: Store,
                                                          tried: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, tried)
    assert (await stored(store, chat))["tried"] == tried
    assert "complaints" not in chat.replies[-2].text.casefold()


async def test_myself_and_a_feeling_is_me_not_my_team(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script("A call-back list was set up last month for the Monday rush.")
    assert "Who tried it?" in chat.last_text
    await chat.say("Myself and I'm proud of it")
    assert (await stored(store, chat))["tried_by"] == TriedBy.ME.value


async def test_a_bare_ok_at_start_again_clears_nothing(chat: Chat, store: Store) -> None:
    """ "ok" acknowledges; where yes clears what was written, it is asked again."""
    await start(chat)
    await chat.script(PROBLEM, "restart")
    assert "Start again from the beginning?" in chat.last_text
    await chat.say("ok")
    assert "say yes or no" in chat.last_text
    assert (await stored(store, chat))["situation"] == PROBLEM
    await chat.say("yes")
    assert "Shall we start?" in chat.last_text


async def test_asking_who_decided_gets_the_complaints_route_and_keeps_the_story(
        chat: Chat, store: Store) -> None:
    await start(chat)
    story = "the evening clinic was stopped last month and I want to know who decided that"
    await chat.say(story)
    assert any("I'm not the way to make a complaint" in r.text for r in chat.replies[-2:])
    assert (await stored(store, chat))["situation"] == story


async def test_i_dont_really_know_is_noted_not_stored(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "I don't really know, it's all a blur")
    answers = await stored(store, chat)
    assert answers["tried"] is None and answers["_not_known"] == ["tried"]


async def test_a_day_alone_is_not_kept_as_what_was_tried(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "the 14th")
    assert chat.last_text == "Could you tell me a little more, in your own words?"
    assert "tried" not in await stored(store, chat)
