"""People who write English as a second language, in a hurry, or for someone else: what they
mean is read, and nothing that is not an answer is kept as one (tuned on
tests/data/replies_esl.jsonl)."""

from __future__ import annotations

import pytest

from bot.core.types import TriedBy
from storage.base import Store
from tests.conftest import Chat
from tests.test_story_flow import PROBLEM, start
from tests.test_understanding import stored


@pytest.mark.parametrize("question", [
    "you will share this with my doctor?", "why you need this? they will know it is me",
    "someone will read this? really?", "replace what? i dont get"])
async def test_a_question_put_as_a_statement_is_answered_not_kept(chat: Chat, store: Store,
                                                                  question: str) -> None:
    await start(chat)
    await chat.say(question)
    assert not chat.replies[-2].text.startswith("Could you tell me a little more")
    assert "What's been happening?" in chat.last_text
    assert "situation" not in await stored(store, chat)


@pytest.mark.parametrize("moment", ["one sec", "one moment, baby crying", "can i finish tonight",
                                    "im at work now can i answer this later"])
async def test_asking_for_a_moment_or_for_later_pauses(chat: Chat, store: Store,
                                                       moment: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, moment)
    assert "Everything you wrote is kept" in chat.last_text
    assert "tried" not in await stored(store, chat)


@pytest.mark.parametrize("lost", ["i not understand what i must do here", "what i have to do",
                                  "what you want me to say"])
async def test_not_knowing_what_to_do_gets_the_help(chat: Chat, store: Store, lost: str) -> None:
    await start(chat)
    await chat.say(lost)
    assert chat.replies[-2].text.startswith("I mean: tell me what happened")
    assert chat.last_text.startswith("These always work")
    assert "situation" not in await stored(store, chat)


async def test_someone_typing_for_their_mum_is_read_as_her(chat: Chat, store: Store) -> None:
    await chat.script("hi", "mum says yes", "she says yes")
    assert "What's been happening?" in chat.last_text
    await chat.script("A call-back list was set up last month for the Monday rush.",
                      "mum says it was her")
    assert (await stored(store, chat))["tried_by"] == TriedBy.ME.value


async def test_gran_doesnt_know_is_not_kept_as_what_would_help(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "gran doesnt know, she says ask the doctors")
    answers = await stored(store, chat)
    assert answers.get("spread") is None and answers.get("need") is None


async def test_the_plain_answers_are_still_kept(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", "the pharmacy", "staff",
                      "all of them ok")
    answers = await stored(store, chat)
    assert answers["place"] == "the pharmacy"
    assert answers["permissions"] == ["digest", "quote", "contact", "name"]


async def test_skip_the_name_but_naming_the_kind_of_place_keeps_it(chat: Chat,
                                                                  store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet", "skip", "no", "skip", "skip the name, it's a pharmacy")
    assert (await stored(store, chat))["place"] == "skip the name, it's a pharmacy"


async def test_yes_stop_after_a_safeguarding_reply_stops(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.say("I want to end my life")
    assert "Samaritans" in chat.replies[-2].text
    await chat.say("yes stop. i am crying sorry")
    assert chat.last_text.startswith("That's fine. Take care of yourself.")


async def test_ok_need_to_go_at_consent_is_not_a_yes(chat: Chat, store: Store) -> None:
    await chat.script("hi", "yes", "ok need to go, back later")
    assert "What's been happening?" not in chat.last_text
    assert (await stored(store, chat)).get("consent") is None


async def test_a_yes_with_a_wish_about_a_name_is_a_yes(chat: Chat) -> None:
    await chat.script("hi", "yes", "OK for me, but please no name of my daughter also")
    assert "What's been happening?" in chat.last_text


async def test_what_means_tried_is_explained_and_nothing_is_stored(chat: Chat,
                                                                   store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "what means tried?")
    assert chat.replies[-2].text.startswith("I mean: has anyone")
    assert "tried" not in await stored(store, chat)


async def test_is_possible_to_skip_skips(chat: Chat, store: Store) -> None:
    await start(chat)
    await chat.script(PROBLEM, "not yet")
    asked = chat.last_text
    await chat.say("is possible to skip?")
    assert chat.last_text != asked and "is possible" not in str(await stored(store, chat))


@pytest.mark.parametrize("answer", ["i need to go to hospital every week",
                                    "we need go to the gp less", "i want stop waiting so long"])
async def test_needing_to_go_somewhere_or_to_stop_something_is_an_answer(
        chat: Chat, store: Store, answer: str) -> None:
    await start(chat)
    await chat.say(answer)
    assert (await stored(store, chat))["situation"] == answer


async def test_my_english_not_good_gets_the_help_and_is_not_kept(chat: Chat,
                                                                 store: Store) -> None:
    await start(chat)
    await chat.say("my english not good")
    assert chat.replies[-2].text.startswith("I mean: tell me what happened")
    assert "situation" not in await stored(store, chat)
    await chat.say("my english bad. the wait at the gp is too long")
    assert (await stored(store, chat))["situation"] == (
        "my english bad. the wait at the gp is too long")


@pytest.mark.parametrize("said", ["repeat please", "can you repeat the question"])
async def test_asking_for_the_question_again_shows_it_and_keeps_nothing(
        chat: Chat, store: Store, said: str) -> None:
    await start(chat)
    await chat.say(said)
    assert "What's been happening?" in chat.last_text
    assert "situation" not in await stored(store, chat)


@pytest.mark.parametrize("lost", ["i dont understand", "I not understand the question",
                                  "explain please"])
async def test_not_understanding_the_question_explains_it(chat: Chat, store: Store,
                                                          lost: str) -> None:
    await start(chat)
    await chat.script(PROBLEM, lost)
    explained, works = chat.replies[-2:]
    assert explained.text.startswith("I mean: has anyone")
    assert works.text.startswith("These always work")
    assert "tried" not in await stored(store, chat)


async def test_a_story_that_does_not_understand_something_is_kept(chat: Chat,
                                                                   store: Store) -> None:
    await start(chat)
    await chat.say("i dont understand why they cancelled")
    assert (await stored(store, chat))["situation"] == "i dont understand why they cancelled"


@pytest.mark.parametrize("tried", ["we call the agency many times, nothing change",
                                   "i ask the gp but no help"])
async def test_contact_said_in_the_present_is_something_tried(chat: Chat, store: Store,
                                                             tried: str) -> None:
    """Found holding a conversation in a terminal: "nothing change" was read as nothing tried,
    and "Nothing yet" shown back as what was tried."""
    await start(chat)
    await chat.script(PROBLEM, tried)
    assert "nothing has been tried" not in chat.last_text
    assert (await stored(store, chat))["tried"] == tried


@pytest.mark.parametrize("asked", ["what means consent?", "what do you mean?"])
async def test_what_consent_means_is_explained_and_nothing_is_kept(chat: Chat, store: Store,
                                                                   asked: str) -> None:
    """Found in a terminal: the answer was "There's no right or wrong answer: just tell me in
    your own words", which does not fit a yes/no question."""
    await chat.script("hi", "yes", asked)
    explained, works = chat.replies[-2:]
    assert explained.text.startswith("I mean: may I keep the story you tell me")
    assert works.text.startswith("These always work")
    assert works.choices[0].label == "Yes, that's OK"  # then the options
    assert await stored(store, chat) == {}


async def test_what_a_question_with_options_means_is_explained_with_its_options(
        chat: Chat) -> None:
    await chat.script("hi", "yes", "yes", PROBLEM, "nothing yet", "skip", "no",
                      "1", "skip")
    assert "Nearly done" in chat.last_text  # the role question
    await chat.say("what do you mean?")
    assert chat.replies[-2].text.startswith("I mean: are you a patient, carer or family")
    assert [c.label for c in chat.replies[-1].choices][:2] == ["Someone who uses services",
                                                               "Staff"]


async def test_a_story_told_with_a_wish_to_complain_is_kept_and_the_route_given(
        chat: Chat, store: Store) -> None:
    """Found in a terminal: the story was dropped, "What's been happening?" asked again, and
    the next reply ("nobody has tried anything") kept as what was happening."""
    told = "the gp receptionist was so rude to my dad, i want to make a complaint"
    await start(chat)
    await chat.say(told)
    assert "Patient Advice and Liaison Service" in chat.replies[-2].text
    assert "I've kept what you told me" in chat.replies[-2].text
    assert "tried something" in chat.last_text
    assert (await stored(store, chat))["situation"] == told
