"""Safeguarding alerts are numbered and stored redacted; moderators give their verdict by
command, audited; none of it ever shows what the person wrote."""

from __future__ import annotations

from bot.app import App
from bot.core.types import EventId, MessageKind, Platform, RoomId, Verdict
from bot.features.feedback import examples
from storage.base import Store
from tests.conftest import Chat
from tests.test_moderation import moderator, told

AT_RISK = "Honestly I don't see the point any more. Ring me on 07700 900123."
MODS = RoomId("!moderators")


async def at_risk(app: App, chat: Chat) -> str:
    """The person says something worrying; the moderators' alert."""
    app.alert_rooms = {Platform("test"): (MODS,)}
    await chat.script("hi", "yes", "yes")
    [alert] = [r for r in await chat.say(AT_RISK) if r.room_id == MODS]
    return alert.text


async def test_an_alert_is_numbered_stored_redacted_and_quotes_nothing(
        app: App, chat: Chat, store: Store) -> None:
    text = await at_risk(app, chat)
    assert text.startswith("Alert #1: a conversation on test may need a moderator's care "
                           "(suicide).")
    assert "alert 1 false-alarm" in text and "alert 1 confirmed" in text
    for word in ("point", "Honestly", "07700", "Ring"):
        assert word not in text
    [stored] = await store.recent_alerts()
    assert (stored.id, stored.concern, stored.source, stored.verdict) == (
        1, "suicide", "rules", None)
    assert stored.score is not None and 0 <= stored.score <= 1  # the model's, beside the rule
    assert stored.participant == chat.pseudonym
    assert stored.text == ("Honestly I don't see the point any more. Ring me on "
                           "[phone removed].")


async def test_before_consent_an_alert_keeps_none_of_their_words(
        app: App, chat: Chat, store: Store) -> None:
    app.alert_rooms = {Platform("test"): (MODS,)}
    await chat.script("hi")
    [alert] = [r for r in await chat.say(AT_RISK) if r.room_id == MODS]
    assert alert.text.startswith("Alert #1:") and "point" not in alert.text
    [stored] = await store.recent_alerts()
    assert (stored.concern, stored.text) == ("suicide", None)
    await moderator(app).command("alert 1 false-alarm")
    assert list(await examples(store)) == []


async def test_deleting_the_message_erases_the_alerts_copy_of_its_words(
        app: App, chat: Chat, store: Store) -> None:
    app.alert_rooms = {Platform("test"): (MODS,)}
    await chat.script("hi", "yes", "yes")
    await chat.say(AT_RISK, event_id="$worry")
    deleted = chat.message("", event_id="$gone").model_copy(update={
        "kind": MessageKind.RETRACTED, "target_event_id": EventId("$worry")})
    await app.handle(deleted)
    [stored] = await store.recent_alerts()
    assert (stored.concern, stored.text) == ("suicide", None)


async def test_the_same_message_delivered_twice_raises_one_alert(
        app: App, chat: Chat, store: Store) -> None:
    app.alert_rooms = {Platform("test"): (MODS,)}
    await chat.script("hi", "yes", "yes")
    await chat.say(AT_RISK, event_id="$twice")
    assert await chat.say(AT_RISK, event_id="$twice") == []
    assert len(await store.recent_alerts()) == 1


async def test_a_moderator_marks_a_false_alarm_once_and_it_is_audited(
        app: App, chat: Chat, store: Store) -> None:
    await at_risk(app, chat)
    mod = moderator(app)
    [done] = await mod.command("alert 1 false-alarm")
    assert done.text.startswith("Alert #1 is marked false alarm.")
    [again] = await mod.command("alert #1 false-alarm")
    assert again.text == "Alert #1 is already marked false alarm; nothing changed."
    alert = await store.get_alert(1)
    assert alert is not None and alert.verdict is Verdict.FALSE_ALARM
    assert alert.verdict_by == f"test:{mod.person}" and alert.verdict_at == app.clock.now()
    [entry] = await store.audit_entries()
    assert (entry.action, entry.target) == ("alert false alarm", "alert #1")
    [changed] = await mod.command("alert 1 confirmed")
    assert changed.text.startswith("Alert #1 is marked confirmed.")
    assert [e.action for e in await store.audit_entries()] == [
        "alert confirmed", "alert false alarm"]


async def test_the_list_of_alerts_shows_no_words(app: App, chat: Chat) -> None:
    mod = moderator(app)
    [empty] = await mod.command("alerts")
    assert empty.text == "There have been no safeguarding alerts."
    await at_risk(app, chat)
    await mod.command("alert 1 confirmed")
    [listing] = await mod.command("alerts")
    assert listing.text.startswith("Recent safeguarding alerts, newest first:\n#1 ")
    assert "suicide (rules " in listing.text and "): confirmed" in listing.text
    assert "point" not in listing.text and "phone" not in listing.text


async def test_bad_alert_commands_get_a_kind_answer_and_change_nothing(
        app: App, chat: Chat, store: Store) -> None:
    await at_risk(app, chat)
    mod = moderator(app)
    [usage] = await mod.command("alert 1 wrong")
    assert usage.text.startswith("Try: alert N false-alarm, or alert N confirmed")
    [missing] = await mod.command("alert 9 confirmed")
    assert missing.text == "There is no alert #9."
    [refused] = await chat.command("alert 1 false-alarm")
    assert refused.text.startswith("Sorry, only moderators can use “alert”.")
    alert = await store.get_alert(1)
    assert alert is not None and alert.verdict is None
    assert await store.audit_entries() == []


async def test_a_moderator_marks_a_story_missed_with_its_words_redacted(
        app: App, chat: Chat, store: Store) -> None:
    await told(chat)
    mod = moderator(app)
    [done] = await mod.command("story 1 missed abuse")
    assert done.text.startswith("Story #1 is marked missed (abuse).")
    [again] = await mod.command("story missed 1 abuse")
    assert again.text == "Story #1 is already marked missed; nothing changed."
    [missed] = await store.missed_stories()
    assert (missed.story_id, missed.concern, missed.participant) == (1, "abuse", chat.pseudonym)
    assert "07700" not in missed.text and "[phone removed]" in missed.text
    assert "two-minute huddle" in missed.text
    [entry] = await store.audit_entries()
    assert (entry.action, entry.target, entry.reason) == ("story missed", "story #1", "abuse")


async def test_a_missed_concern_must_be_one_we_know(app: App, chat: Chat,
                                                    store: Store) -> None:
    await told(chat)
    [wrong] = await moderator(app).command("story missed 1 sadness")
    assert wrong.text == ('"sadness" is not a kind of concern I know. Please use one of: '
                          "suicide, self-harm, abuse, medical emergency, harm to others.")
    [no_story] = await moderator(app).command("story missed 7 abuse")
    assert no_story.text == "There is no story #7."
    assert await store.missed_stories() == []


async def test_a_story_that_raised_an_alert_cannot_be_missed(app: App, chat: Chat,
                                                             store: Store) -> None:
    await at_risk(app, chat)
    await chat.script("carry on", "nobody has tried anything", "skip", "no", "skip", "skip",
                      "citizen", "1", "yes")
    [answer] = await moderator(app).command("story missed 1 suicide")
    assert answer.text == ("Story #1 did raise an alert (suicide), so it was not missed; "
                           "nothing changed.")
    assert await store.missed_stories() == []


async def test_forgetting_a_person_erases_their_alerts(app: App, chat: Chat,
                                                       store: Store) -> None:
    await at_risk(app, chat)
    await chat.script("stop here", "forget me", "yes")
    assert await store.recent_alerts() == []
