"""What the App says when someone asks about their data: their stories, all of it as JSON,
or that it is gone."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.core.follow_ups import FollowUp, FollowUpState, StoryUpdate
from bot.core.introductions import Introduction
from bot.core.loop import Response, StoryChange
from bot.core.types import Conversation, Story
from bot.core.words import say, say_date
from bot.features.export import Answered

PREVIEW = 80


def my_stories(stories: list[Story], responses: Sequence[Response] = (),
               changes: Sequence[StoryChange] = (),
               updates: Sequence[StoryUpdate] = (), follow_ups: Sequence[FollowUp] = (),
               introductions: Sequence[Introduction] = ()) -> str:
    """Each story with its status, then what services answered, what changed, the
    follow-up still to come and the teller's own updates on how it went, and any
    introduction to someone who tried something similar."""
    if not stories:
        return say("mydata.none")
    lines = []
    for s in stories:
        status = say(f"mydata.status.{s.status.value}")
        lines.append(f"\u2022 {say_date('date.medium', s.created_at)} ({status}): "
                     f"{_short(s.situation)}")
        lines += [say("mydata.response", signed=r.signed, text=r.text)
                  for r in responses if r.story_id == s.id]
        lines += [say(f"mydata.change.{c.status.name.lower()}", what=c.what)
                  for c in changes if c.story_id == s.id]
        lines += [_follow_up(f) for f in follow_ups if f.story_id == s.id]
        lines += [line for u in updates if u.story_id == s.id for line in _update(u)]
        lines += [say(f"mydata.introduction.{i.state.value}") for i in introductions
                  if any(side.story_id == s.id for side in i.sides)]
    return say("mydata.list", stories="\n".join(lines))


def _follow_up(follow_up: FollowUp) -> str:
    if follow_up.state is FollowUpState.WAITING:
        return say("mydata.follow_up.waiting", date=say_date("date.medium", follow_up.due_at))
    return say("mydata.follow_up.asked")


def _update(update: StoryUpdate) -> list[str]:
    status = say(f"mydata.status.{update.status.value}")
    lines = [say(f"mydata.update.{update.outcome.name.lower()}", status=status)]
    if update.since:
        lines.append(say("mydata.update.since", text=_short(update.since)))
    return lines


def export(stories: list[Story], conversation: Conversation | None,
           responses: Sequence[Response] = (), changes: Sequence[StoryChange] = (),
           updates: Sequence[StoryUpdate] = ()) -> str:
    """Everything about the person, in their own words, without any platform id; with
    what services answered, what changed because of their stories, and their updates."""
    data = {
        "stories": [s.model_dump(mode="json", exclude={"participant", "platform"})
                    | Answered(responses, changes).as_json(s)
                    | {"updates": [u.model_dump(mode="json", exclude={"id", "story_id",
                                                                      "follow_up_id"})
                                   for u in updates if u.story_id == s.id]}
                    for s in stories],
        "conversation_in_progress": _answers(conversation),
    }
    return say("mydata.export", data=json.dumps(data, ensure_ascii=False, indent=2))


def forgotten(count: int) -> str:
    return say("forget.done", count=count)


def _answers(conversation: Conversation | None) -> dict[str, object]:
    if conversation is None or conversation.status.value in ("done", "declined"):
        return {}
    return {k: v for k, v in conversation.answers.items() if not k.startswith("_")}


def _short(text: str) -> str:
    """The start of ``text`` on one line (a story may have been told in several)."""
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW else text[:PREVIEW - 1] + "\u2026"
