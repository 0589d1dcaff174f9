"""A digest posted to a Slack channel once, even when posting is tried again.

The files (the chart and the full list) go first, then the digest in Block Kit, in as many
messages as it needs. A failure part way (Slack down, a rate limit that outlasts the
retries) raises, and the digest desk tries again later; each step already confirmed by Slack
is noted in the store (per channel and digest), so the retry carries on from the step that
failed and posts nothing twice.
"""

from __future__ import annotations

import json

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_blocks import digest_messages, escape
from bot.core.errors import PlatformError
from bot.core.ports import Post
from bot.core.words import say
from storage.ports import KeyValue

SHARED = "shared"


class DigestPoster:
    def __init__(self, client: AsyncWebClient, store: KeyValue) -> None:
        self.client, self.store = client, store

    async def publish(self, room_id: str, post: Post) -> str:
        """Post ``post`` to ``room_id`` (what is not there yet); return its first ts."""
        done = f"slack:{room_id}:digest:{post.digest_id}"
        if await self.store.get_value(f"{done}:files") != SHARED:
            await self._share_files(room_id, post)
            await self.store.set_value(f"{done}:files", SHARED)
        posted: list[str] = json.loads(await self.store.get_value(f"{done}:posted") or "[]")
        for blocks in digest_messages(post.text)[len(posted):]:
            sent = await self.client.chat_postMessage(channel=room_id, blocks=blocks,
                                                      text=escape(post.text[:300]))
            posted.append(str(sent["ts"]))
            await self.store.set_value(f"{done}:posted", json.dumps(posted))
        if not posted:
            raise PlatformError(f"the digest for {room_id} was empty")
        return posted[0]

    async def _share_files(self, room_id: str, post: Post) -> None:
        await self.client.files_upload_v2(channel=room_id, file_uploads=[
            {"content": post.chart, "filename": "digest-chart.png",
             "title": say("slack.file.chart")},
            {"content": post.full_list, "filename": "digest-stories.md",
             "title": say("slack.file.stories")}])
