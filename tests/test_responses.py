"""Closing the loop by command: a moderator or a named responder answers a story, and says
what changed because of it; the answer is redacted and audited, reaches a teller who agreed
to be contacted through the reply outbox (once, whatever happens in between), and is shown
with the story in "my stories" and in the teller's export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.app import App
from bot.compose import compose
from bot.core.clock import FakeClock
from bot.core.config import Config, ConfigErrors, parse_config
from bot.core.loop import ChangeStatus
from bot.core.types import IncomingMessage, OutgoingMessage, Platform, StoryStatus
from bot.features.export import FORMATS, Answered, export_stories
from storage.base import Store
from tests.conftest import MODERATOR, PSEUDONYMS, Chat
from tests.test_moderation import moderator, told

TEST = Platform("test")
PALS = "@pals:example.org"


class Phone:
    """What reaches people on the test platform: delivery sends the reply outbox here."""

    def __init__(self, app: App, fail: int = 0) -> None:
        self.sent: list[OutgoingMessage] = []
        self.fail = fail
        app.delivery.attach(TEST, self.send)

    async def send(self, message: OutgoingMessage) -> None:
        if self.fail:
            self.fail -= 1
            raise OSError("the platform went away")
        self.sent.append(message)

    def to(self, room: str) -> list[str]:
        return [m.text for m in self.sent if m.room_id == room]


async def test_a_response_is_redacted_audited_and_relayed_to_a_teller_who_agreed(
        app: App, chat: Chat, store: Store) -> None:
    await told(chat, consent="contact")
    phone = Phone(app)
    [done] = await moderator(app).command(
        'story respond 1 "Thank you. Call me on 07700 900123: we now ring everyone back."')
    assert done.text.startswith("Response #1 to story #1 is kept, and sent to its teller.")
    assert "[phone removed]" in done.text  # the responder sees what was kept
    await app.delivery.idle()
    [relayed] = phone.to(chat.room)
    assert "from the storyloop team:" in relayed
    assert "we now ring everyone back" in relayed and "07700" not in relayed
    assert await store.pending_replies(TEST, chat.room) == []
    [kept] = await store.responses_to([1])
    assert "07700" not in kept.text and kept.relayed
    [audit, *_] = await store.audit_entries()
    assert (audit.action, audit.target, audit.actor) == ("respond", "story #1",
                                                         f"test:{MODERATOR}")


async def test_a_teller_who_did_not_agree_is_not_contacted_but_sees_it_in_my_stories(
        app: App, chat: Chat, store: Store) -> None:
    await told(chat)  # consent: none beyond keeping it
    phone = Phone(app)
    [done] = await moderator(app).command('story 1 respond "We have shared this with the ward."')
    assert "did not ask to be contacted" in done.text
    await app.delivery.idle()
    assert phone.to(chat.room) == []
    await chat.say("my stories")
    assert "Answer from the storyloop team: \u201cWe have shared this with the ward.\u201d" in (
        chat.last_text)


async def test_a_change_is_recorded_append_only_and_the_teller_told(
        app: App, chat: Chat, store: Store) -> None:
    await told(chat, consent="contact")
    phone = Phone(app)
    mod = moderator(app)
    [planned] = await mod.command('story change 1 planned "A huddle at every shift change"')
    [made] = await mod.command("story change 1 not-taken-forward \u201cA second huddle\u201d")
    assert planned.text.startswith("Change #1 (planned) is recorded for story #1")
    assert made.text.startswith("Change #2 (not taken forward)")
    await app.delivery.idle()
    first, second = phone.to(chat.room)
    assert "a change is planned: A huddle at every shift change" in first
    assert "won't go ahead for now: A second huddle" in second
    assert [c.status for c in await store.changes_to([1])] == [
        ChangeStatus.PLANNED, ChangeStatus.NOT_TAKEN_FORWARD]
    actions = [e.action for e in await store.audit_entries()]
    assert actions[:2] == ["change not taken forward", "change planned"]
    [shown] = await mod.command("story show 1")
    assert shown.text.endswith("Change planned: A huddle at every shift change\n"
                               "   Not going ahead for now: A second huddle")
    await chat.say("my stories")
    assert "Change planned: A huddle at every shift change" in chat.last_text
    assert "Not going ahead for now: A second huddle" in chat.last_text


async def test_a_relayed_response_waits_in_the_outbox_until_the_platform_takes_it(
        app: App, chat: Chat, store: Store) -> None:
    await told(chat, consent="contact")
    await app.delivery.detach(TEST)
    phone = Phone(app, fail=1)  # the first attempt fails: it is sent on the retry, once
    await moderator(app).command('story respond 1 "We are on it."')
    await app.delivery.idle()
    assert len([t for t in phone.to(chat.room) if "We are on it." in t]) == 1
    assert await store.pending_replies(TEST, chat.room) == []


async def test_the_export_carries_responses_and_changes(app: App, chat: Chat) -> None:
    await told(chat, consent="contact")
    Phone(app)
    await moderator(app).command('story respond 1 "Thank you."')
    await moderator(app).command('story change 1 made "A huddle"')
    await chat.say("export my data")
    data = json.loads(chat.last_text.split("\n\n", 1)[1])
    [story] = data["stories"]
    assert [r["text"] for r in story["responses"]] == ["Thank you."]
    assert [(c["status"], c["what"]) for c in story["changes"]] == [("made", "A huddle")]


async def test_bad_commands_get_a_clear_answer_and_change_nothing(
        app: App, chat: Chat, store: Store) -> None:
    await told(chat)
    mod = moderator(app)
    [no_text] = await mod.command("story respond 1")
    assert no_text.text.startswith("Write it like this: story respond 12")
    [no_status] = await mod.command('story change 1 done "A huddle"')
    assert "planned, or not-taken-forward" in no_status.text
    [missing] = await mod.command('story respond 99 "Hello"')
    assert missing.text == "There is no story #99."
    [refused] = await chat.command('story respond 1 "I answer myself"')
    assert refused.text.startswith("Sorry, only moderators can use \u201cstory respond\u201d")
    assert await store.responses_to() == [] and await store.changes_to() == []


class OnMatrix(Chat):
    """Someone writing from Matrix, where the config names responders."""

    def message(self, text: str, event_id: str | None = None) -> IncomingMessage:
        return super().message(text, event_id).model_copy(update={"platform": "matrix"})


@pytest.fixture
def responders() -> Config:
    return parse_config({"responders": [
        {"name": "Riverside PALS", "matrix": [PALS], "services": ["Riverside"]},
        {"name": "Access team", "matrix": ["@access:example.org"], "themes": ["access"]}]})


async def test_a_responder_answers_approved_stories_about_their_service_only(
        store: Store, clock: FakeClock, responders: Config) -> None:
    app = compose(responders, store, clock=clock, pseudonymise=PSEUDONYMS,
                  moderators=[(TEST, MODERATOR)]).app
    chat = Chat(app)
    await chat.script("hi", "yes", "yes", "The phones at Riverside Surgery are engaged.",
                      "We started a call-back list.", "skip", "skip", "no", "2",
                      "Riverside Surgery", "citizen", "contact", "no", "yes")
    [story] = await store.list_stories()
    assert story.place == "Riverside Surgery" and story.themes == ("waiting times",)
    pals = OnMatrix(app, person=PALS, room="!pals:example.org")
    [early] = await pals.command('story respond 1 "We hear you."')
    assert "not one of them (or not approved yet)" in early.text
    await moderator(app).command("story approve 1")
    [done] = await pals.command('story respond 1 "We hear you."')
    assert done.text.startswith("Response #1 to story #1 is kept")
    [kept] = await store.responses_to()
    assert kept.signed == "Riverside PALS" and kept.by == f"matrix:{PALS}"
    access = OnMatrix(app, person="@access:example.org", room="!access:example.org")
    [other] = await access.command('story change 1 made "New phones"')
    assert "not one of them" in other.text
    [helped] = await pals.command("help")
    assert "story respond" in helped.text and "story approve" not in helped.text
    assert (await store.get_story(1) or story).status is StoryStatus.APPROVED


async def test_board_exports_carry_responses_and_changes_redacted(
        app: App, chat: Chat, store: Store) -> None:
    await told(chat)
    mod = moderator(app)
    await mod.command('story respond 1 "=Thanks, ring 07700 900123"')
    await mod.command('story change 1 made "A huddle at shift change"')
    stories = await store.list_stories()
    answered = Answered(await store.responses_to([1]), await store.changes_to([1]))
    outputs = {}
    for fmt in FORMATS:
        out = io.StringIO()
        export_stories(stories, fmt, out, answered)
        outputs[fmt] = out.getvalue()
    [row] = json.loads(outputs["json"])
    assert row["changes"][0]["what"] == "A huddle at shift change"
    assert row["responses"][0]["signed"] == "the storyloop team"
    assert "- **Change made:** A huddle at shift change" in outputs["md"]
    assert ("- **Answer from the storyloop team:** =Thanks, ring \\[phone removed\\]"
            in outputs["md"])
    [csv_row] = csv.DictReader(io.StringIO(outputs["csv"]))
    assert csv_row["changes"] == "made: A huddle at shift change"
    assert csv_row["responses"].startswith("the storyloop team: =Thanks")
    assert all("07700" not in text for text in outputs.values())


@pytest.mark.parametrize(("responder", "key", "problem"), [
    ({"name": "PALS", "matrix": ["@p:x"], "themes": ["acess"]}, "responders.0.themes",
     "'acess' is not one of the themes in flows.themes"),
    ({"name": "PALS", "matrix": ["@p:x"]}, "responders.0", "names no services and no themes"),
    ({"name": "PALS", "themes": ["access"]}, "responders.0", "names nobody"),
    ({"name": "", "matrix": ["@p:x"], "themes": ["access"]}, "responders.0.name", "at least 1"),
])
def test_a_bad_responder_in_the_config_is_named_with_what_is_wrong(
        responder: dict[str, object], key: str, problem: str) -> None:
    with pytest.raises(ConfigErrors) as raised:
        parse_config({"responders": [responder]})
    [error] = raised.value.errors
    assert error.key == key and problem in error.problem
