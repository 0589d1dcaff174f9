"""Posting a digest on Matrix: the chart as an image, the full list as a file, then the digest
itself as a notice with plain and HTML bodies. In an encrypted room the uploads are
encrypted too. The notice carries a transaction id made from the digest and room, so if a
post is retried after a crash the homeserver does not show it twice."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from nio import AsyncClient, UploadResponse

from adapters.matrix.limits import CONTENT_BYTES, json_bytes
from adapters.matrix.render import contents_for
from adapters.matrix.send import RoomSender
from bot.core.errors import PlatformError
from bot.core.ports import Post
from bot.core.types import OutgoingMessage, RoomId

CHART_SIZE = {"w": 800, "h": 400}


async def publish(sender: RoomSender, room: str, post: Post) -> str:
    """Post a digest (chart, full list, then the digest); return the digest's event id."""
    room_id = await sender.room_id(room)
    chart = await upload(sender.client, room_id, post.chart, "image/png", "digest-chart.png")
    await sender.send(room_id, chart_content(chart), transaction_id(post, room_id, "chart"))
    stories = await upload(sender.client, room_id, post.full_list.encode(), "text/markdown",
                           "digest-stories.md")
    await sender.send(room_id, list_content(stories), transaction_id(post, room_id, "list"))
    sent = ""
    for n, content in enumerate(digest_contents(post)):
        sent = await sender.send(room_id, content, transaction_id(post, room_id, "digest", n))
    return sent


async def upload(client: AsyncClient, room_id: str, data: bytes, mimetype: str,
                 filename: str) -> dict[str, Any]:
    """The content fields that point at an uploaded file (``url``, or ``file`` if the room is
    encrypted)."""
    room = client.rooms.get(room_id)
    encrypted = bool(room and room.encrypted)
    response, keys = await client.upload(lambda *_: io.BytesIO(data), content_type=mimetype,
                                         filename=filename, encrypt=encrypted,
                                         filesize=len(data))
    if not isinstance(response, UploadResponse):
        raise PlatformError(f"could not upload {filename}: {response}")
    info = {"mimetype": mimetype, "size": len(data)}
    if encrypted:
        return {"file": {"url": response.content_uri, **(keys or {})}, "info": info}
    return {"url": response.content_uri, "info": info}


def chart_content(pointer: dict[str, Any]) -> dict[str, Any]:
    info = {**pointer["info"], **CHART_SIZE}
    return {"msgtype": "m.image", "body": "digest-chart.png", **pointer, "info": info}


def list_content(pointer: dict[str, Any]) -> dict[str, Any]:
    return {"msgtype": "m.file", "body": "digest-stories.md", "filename": "digest-stories.md",
            **pointer}


def digest_content(post: Post) -> dict[str, Any]:
    return {"msgtype": "m.notice", "body": post.text, "format": "org.matrix.custom.html",
            "formatted_body": post.html, "m.mentions": {}}


def digest_contents(post: Post) -> list[dict[str, Any]]:
    """The digest as one notice, or, if it is too long for one Matrix event, as several
    plain ones cut between paragraphs."""
    whole = digest_content(post)
    if json_bytes(whole) <= CONTENT_BYTES:
        return [whole]
    return contents_for(OutgoingMessage(room_id=RoomId(""), text=post.text))


def transaction_id(post: Post, room_id: str, part: str, n: int = 0) -> str:
    digest = hashlib.sha256(room_id.encode()).hexdigest()[:16]
    more = f"-{n}" if n else ""
    return f"storyloop-digest-{post.digest_id}-{part}{more}-{digest}"
