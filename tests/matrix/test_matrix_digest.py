"""A digest on Matrix: a moderator approves by command, staff rooms get it once, with its
chart, and nothing a storyteller wrote can ping or inject anything."""

from __future__ import annotations

from bot.core.config import DigestConfig

from .bot import BotFactory, digest_bot, says, staff_rooms, talk
from .people import PersonFactory

NASTY = "The <b>ward</b> @room phone is engaged every Monday morning."


async def test_a_moderator_approves_a_digest_and_staff_get_it_once_with_its_chart(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    rooms = await staff_rooms(matrix_person)
    moderator, mods, nurse, ward = rooms.moderator, rooms.mods, rooms.nurse, rooms.ward
    bot = await digest_bot(matrix_bot, rooms)
    teller = await matrix_person()
    room = await teller.create_dm(bot.user_id, encrypted=False)
    await teller.wait_for_message(room, says("Shall we start?"), timeout=20)
    for line, expect in [("yes", "Is that OK?"), ("yes", "What's been happening?"),
                         (NASTY, "tried something"),
                         ("We started a call-back list.", "What happened after"),
                         ("Calmer Mondays.", "spread"),
                         ("skip", "four short extra"), ("no", "Which of these"),
                         ("1", "Which service"), ("skip", "Nearly done"),
                         ("staff", "What else is OK"), ("1, 2, 3", "happy to be introduced"),
                         ("no", "Shall I send it?"),
                         ("yes", "your story is saved")]:
        await talk(teller, room, line, expect)
    await talk(moderator, mods, "!story approve 1", "Story #1 is approved")
    await talk(moderator, mods, "!digest draft", "Draft digest #1")
    await talk(moderator, mods, "!digest approve", "posted to 1 of 1 staff rooms", wait=30)
    chart = await nurse.wait_for_message(ward, says("digest-chart.png"), timeout=20)
    assert chart.source["content"]["msgtype"] == "m.image"
    stories = await nurse.wait_for_message(ward, says("digest-stories.md"), timeout=20)
    assert stories.source["content"]["msgtype"] == "m.file"
    digest = await nurse.wait_for_message(ward, says("What people tried"), timeout=20)
    content = digest.source["content"]
    assert "We started a call-back list" in content["body"]
    assert "<b>" not in content["formatted_body"] and "@room" not in content["body"]
    await teller.wait_for_message(room, says("in this week's digest"), timeout=20)
    await talk(moderator, mods, "!digest preview", "There is no draft digest")
    from_bot = [s for s in nurse.seen if s.sender == bot.user_id and s.room_id == ward]
    assert len(from_bot) == 3  # chart, list, digest: once each


async def test_a_scheduled_digest_survives_a_failure_between_two_staff_rooms(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    from datetime import UTC, datetime

    from bot.core.clock import FakeClock
    from bot.core.types import Platform, RoomId
    from bot.features.digest.desk import DigestDesk

    moderator, colleague, nurse = (await matrix_person(), await matrix_person(),
                                   await matrix_person())
    mods = await moderator.create_dm(colleague.user_id, encrypted=False)
    await colleague.join(mods)
    ward_a = await nurse.create_dm(colleague.user_id, encrypted=False)
    ward_b = await nurse.create_dm(moderator.user_id, encrypted=False)
    settings = {"moderators": (moderator.user_id,), "moderator_rooms": (mods,),
                "staff_rooms": (ward_a, ward_b)}
    bot = await matrix_bot.start(digest=DigestConfig(), **settings)
    await moderator.client.room_invite(mods, bot.user_id)
    await nurse.client.room_invite(ward_a, bot.user_id)  # not to ward_b yet: posting fails
    await nurse.wait_for_join(ward_a, bot.user_id, timeout=20)
    teller = await matrix_person()
    room = await teller.create_dm(bot.user_id, encrypted=False)
    await teller.wait_for_message(room, says("Shall we start?"), timeout=20)
    for line in ("yes", "yes", "The ward phone rings out at night.", "We added a night rota.",
                 "skip", "skip", "no", "skip", "skip", "staff", "1"):
        await teller.send(room, line)
    await teller.wait_for_message(room, says("Shall I send it?"), timeout=30)
    await talk(teller, room, "yes", "your story is saved")
    await talk(moderator, mods, "!story approve 1", "Story #1 is approved")

    clock = FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    staff: dict[Platform, tuple[RoomId, ...]] = {
        Platform("matrix"): (RoomId(ward_a), RoomId(ward_b))}
    mod_rooms: dict[Platform, tuple[RoomId, ...]] = {Platform("matrix"): (RoomId(mods),)}

    def desk() -> DigestDesk:
        """The running bot's digest desk, on a clock the test moves."""
        return DigestDesk(bot.store, clock, DigestConfig(), staff, mod_rooms, bot.app.senders,
                          bot.app.publishers)

    schedule = desk()
    await schedule.tick()  # the schedule is set: next Monday 09:00 London
    clock.advance(days=7)
    await schedule.tick()  # ... which has come: the draft goes to the moderators
    await moderator.wait_for_message(mods, says("This week's digest is ready"), timeout=20)
    await talk(moderator, mods, "!digest approve", "posted to 1 of 2 staff rooms", wait=30)
    await nurse.wait_for_message(ward_a, says("What people tried"), timeout=20)

    await bot.stop()  # restart, after letting the bot into the second room
    await nurse.client.room_invite(ward_b, matrix_bot.user.user_id)
    bot = await matrix_bot.start(digest=DigestConfig(), **settings)
    await nurse.wait_for_join(ward_b, bot.user_id, timeout=20)
    await desk().tick()
    await nurse.wait_for_message(ward_b, says("What people tried"), timeout=20)
    posts = [s for s in nurse.seen if s.sender == bot.user_id and "What people tried" in s.body]
    assert sorted(p.room_id for p in posts) == sorted([ward_a, ward_b])  # once each
