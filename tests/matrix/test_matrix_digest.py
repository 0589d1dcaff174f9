"""A digest on Matrix: a moderator approves by command, staff rooms get it once, with its
chart, and nothing a storyteller wrote can ping or inject anything."""

from __future__ import annotations

from bot.config import DigestConfig

from .bot import BotFactory, says, talk
from .people import PersonFactory

NASTY = "The <b>ward</b> @room phone is engaged every Monday morning."


async def test_a_moderator_approves_a_digest_and_staff_get_it_once_with_its_chart(
        matrix_bot: BotFactory, matrix_person: PersonFactory) -> None:
    moderator, colleague = await matrix_person(), await matrix_person()
    nurse = await matrix_person(encrypted=True)
    mods = await moderator.create_dm(colleague.user_id, encrypted=False)
    await colleague.join(mods)
    ward = await nurse.create_dm(colleague.user_id, encrypted=True)
    await colleague.join(ward)
    bot = await matrix_bot.start(digest=DigestConfig(), moderators=(moderator.user_id,),
                                 moderator_rooms=(mods,), staff_rooms=(ward,))
    await moderator.client.room_invite(mods, bot.user_id)
    await nurse.client.room_invite(ward, bot.user_id)
    await nurse.wait_for_join(ward, bot.user_id, timeout=20)
    teller = await matrix_person()
    room = await teller.create_dm(bot.user_id, encrypted=False)
    await teller.wait_for_message(room, says("Shall we start?"), timeout=20)
    for line, expect in [("yes", "Is that OK?"), ("yes", "What's been happening?"),
                         (NASTY, "tried something"),
                         ("We started a call-back list.", "What happened after"),
                         ("Calmer Mondays.", "spread"),
                         ("skip", "four short extra"), ("no", "Which of these"),
                         ("1", "Which service"), ("skip", "Last question"),
                         ("staff", "What else is OK"), ("1, 2, 3", "Shall I send it?"),
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
