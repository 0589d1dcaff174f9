"""The SQLite store's SQL and the conversion of rows to and from storyloop's types.

The PostgreSQL store shares both: this SQL is written with ``?`` for each parameter and
``storage/postgres_rows.py`` turns it into psycopg's ``%s`` (and has its own versions of the few
statements that differ). A time read back is ISO text from SQLite and a ``datetime`` from
PostgreSQL: :func:`moment` takes either. Yes/no answers are written as ``bool``s, which SQLite
keeps as 1 and 0.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.core.types import (
    AuditEntry,
    Consent,
    Conversation,
    ConversationKey,
    ConversationStatus,
    DigestRecord,
    DigestStatus,
    OutboxItem,
    OutgoingMessage,
    Platform,
    Role,
    RoomId,
    Story,
    StoryStatus,
    TriedBy,
    UserId,
)
from storage.base import QueuedReply, TurnWrite
from storage.ports import outbox_rows

Statements = list[tuple[str, tuple[Any, ...]]]
"""SQL statements with their parameters, run in one transaction."""


class Reader(Protocol):
    """Where a store's reads go: an ``aiosqlite.Connection``, or the PostgreSQL store's pool."""

    async def execute_fetchall(self, sql: str,
                               parameters: Iterable[Any] | None = None) -> Iterable[Any]: ...


def moment(value: str | datetime) -> datetime:
    """A time as read back: ISO text (SQLite) or already a ``datetime`` (PostgreSQL)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def maybe_moment(value: str | datetime | None) -> datetime | None:
    return None if value is None else moment(value)

LOAD = """
SELECT (SELECT 1 FROM processed_events WHERE platform = ? AND event_id = ?),
       c.flow, c.state, c.status, c.data, c.updated_at
FROM (SELECT 1) AS one LEFT JOIN conversations c
  ON c.platform = ? AND c.room_id = ? AND c.user_id = ?
"""
SAVE_EVENT = "INSERT INTO processed_events (platform, event_id, processed_at) VALUES (?, ?, ?)"
SAVE_CONVERSATION = """
INSERT INTO conversations (platform, room_id, user_id, flow, state, status, data, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (platform, room_id, user_id) DO UPDATE SET
  flow = excluded.flow, state = excluded.state, status = excluded.status,
  data = excluded.data, updated_at = excluded.updated_at
"""
NOW = "strftime('%Y-%m-%dT%H:%M:%fZ')"
"""The time now, in UTC, as SQLite says it (``storage/postgres_rows.py`` says it its way)."""
SAVE_PARTICIPANT = f"""
INSERT INTO participants (platform, user_id, created_at)
VALUES (?, ?, {NOW}) ON CONFLICT DO NOTHING
"""
SAVE_REPLY = ("INSERT INTO reply_outbox (platform, room_id, user_id, message, nonce, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?)")
SELECT_REPLIES = "SELECT id, platform, message, nonce FROM reply_outbox"
SAVE_AUDIT = "INSERT INTO audit_log (at, actor, action, target, reason) VALUES (?, ?, ?, ?, ?)"
SAVE_THEME = "INSERT INTO story_themes (story_id, position, theme) VALUES (?, ?, ?)"
STORY_COLUMNS = (
    "flow, situation, tried, tried_by, outcome, spread, enhance, restore, replace, become, "
    "role, place, consent_store, consent_digest, consent_quote, consent_contact, consent_name, "
    "consent_version, consent_locale, consent_at, safeguarding, status, created_at, updated_at, "
    "acted_name, consent_introduce"
)
SAVE_STORY = f"""
INSERT INTO stories ({STORY_COLUMNS}, participant_id)
VALUES ({", ".join("?" * len(STORY_COLUMNS.split(", ")))},
        (SELECT id FROM participants WHERE platform = ? AND user_id = ?))
RETURNING id
"""
"""A new story, numbered by the database (AUTOINCREMENT: an erased story's id stays unused)."""
THEMES = ("(SELECT json_group_array(theme) FROM "
          "(SELECT theme FROM story_themes WHERE story_id = s.id ORDER BY position))")
"""A story's themes, in order, as a JSON list."""
SELECT_STORIES = f"""
SELECT s.id, p.platform, p.user_id, {", ".join("s." + c for c in STORY_COLUMNS.split(", "))},
       {THEMES}
FROM stories s JOIN participants p ON p.id = s.participant_id
"""
ALL_THEMES = "group_concat(theme, ' ')"
"""A story's themes in one text, to search."""
CONTAINS = "instr"
"""``CONTAINS(text, word) > 0``: ``text`` holds ``word``."""



def retire_statements(old: str, cutoff: str, delete: bool) -> Statements:
    if delete:
        return [(f"DELETE FROM story_themes WHERE story_id IN ({old})", (cutoff,)),
                (f"DELETE FROM stories WHERE id IN ({old})", (cutoff,))]
    anonymous = "(SELECT id FROM participants WHERE platform = 'anonymous')"
    return [(f"UPDATE stories SET participant_id = {anonymous}, place = NULL "
             f"WHERE id IN ({old})", (cutoff,))]

def reply_rows(platform: Platform, participant: UserId | None, own_room: RoomId | None,
               replies: tuple[OutgoingMessage, ...], at: datetime) -> list[tuple[Any, ...]]:
    """Outbox rows for ``replies`` (see ``storage.ports.outbox_rows``)."""
    return [(platform, room, whose, message, uuid.uuid4().hex[:16], _utc(at))
            for room, whose, message in outbox_rows(platform, participant, own_room, replies)]


def turn_replies(turn: TurnWrite) -> list[tuple[Any, ...]]:
    key = turn.conversation.key
    return reply_rows(turn.platform, key.user_id, key.room_id, turn.replies,
                      turn.conversation.updated_at)


def queued_reply(row: Any) -> QueuedReply:
    return QueuedReply(id=int(row[0]), platform=Platform(row[1]),
                       message=OutgoingMessage.model_validate_json(row[2]), nonce=str(row[3]))


def audit_row(entry: AuditEntry) -> tuple[Any, ...]:
    return (entry.at.isoformat(), entry.actor, entry.action, entry.target, entry.reason)

def event_row(turn: TurnWrite) -> tuple[str, str, str]:
    return (turn.platform, str(turn.event_id), turn.conversation.updated_at.isoformat())

def conversation_row(turn: TurnWrite) -> tuple[Any, ...]:
    c = turn.conversation
    data = json.dumps({"answers": c.answers, "history": c.history, "pending": c.pending,
                       "editing": c.editing, "locale": c.locale},
                      ensure_ascii=False, separators=(",", ":"))
    return (c.key.platform, c.key.room_id, c.key.user_id, c.flow, c.state, c.status.value,
            data, c.updated_at.isoformat())

def conversation(key: ConversationKey, row: Any) -> Conversation:
    data = json.loads(row[4])
    return Conversation(key=key, flow=row[1], state=row[2], status=ConversationStatus(row[3]),
                        answers=data["answers"], history=data["history"],
                        pending=data["pending"], editing=data["editing"],
                        locale=data.get("locale", "en"), updated_at=moment(row[5]))

def story_values(s: Story) -> tuple[Any, ...]:
    return (s.flow, s.situation, s.tried, s.tried_by and s.tried_by.value, s.outcome, s.spread,
            s.enhance, s.restore, s.replace, s.become, s.role.value, s.place,
            s.consent.store, s.consent.digest, s.consent.quote, s.consent.contact,
            s.consent.name, s.consent.wording_version,
            s.consent.locale, s.consent.given_at.isoformat(), s.safeguarding, s.status.value,
            _utc(s.created_at), _utc(s.updated_at), s.acted_name, s.consent.introduce)


def _utc(moment: datetime) -> str:
    """Times are stored in UTC, so that text comparisons order them."""
    return moment.astimezone(UTC).isoformat()

def story(row: Any) -> Story:
    (id_, platform, user_id, flow, situation, tried, tried_by, outcome, spread, enhance,
     restore, replace, become, role, place, consent_store, digest, quote, contact, name,
     consent_version, consent_locale, consent_at, safeguarding, status, created_at, updated_at,
     acted_name, introduce, themes) = row
    return Story(
        id=id_, platform=Platform(platform), participant=UserId(user_id), flow=flow,
        situation=situation, tried=tried, tried_by=TriedBy(tried_by) if tried_by else None,
        outcome=outcome, spread=spread, enhance=enhance, restore=restore, replace=replace,
        become=become, themes=tuple(json.loads(themes)), role=Role(role), place=place,
        consent=Consent(store=bool(consent_store), digest=bool(digest), quote=bool(quote),
                        contact=bool(contact), name=bool(name), introduce=bool(introduce),
                        wording_version=consent_version,
                        locale=consent_locale, given_at=moment(consent_at)),
        safeguarding=safeguarding, status=StoryStatus(status), acted_name=acted_name,
        created_at=moment(created_at), updated_at=moment(updated_at))

def story_filter(status: StoryStatus | None,
                  since: datetime | None) -> tuple[str, tuple[Any, ...]]:
    clauses, params = [], []
    if status is not None:
        clauses.append("s.status = ?")
        params.append(status.value)
    if since is not None:
        clauses.append("s.created_at >= ?")
        params.append(since.astimezone(UTC).isoformat())
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


DIGEST_COLUMNS = "status, note, removed, content, reason, created_at, decided_at, storytellers_told"
SELECT_DIGESTS = f"SELECT id, {DIGEST_COLUMNS} FROM digests"
INSERT_DIGEST = (f"INSERT INTO digests ({DIGEST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                 "RETURNING id")
UPDATE_DIGEST = (f"UPDATE digests SET ({DIGEST_COLUMNS}) = (?, ?, ?, ?, ?, ?, ?, ?) "
                 "WHERE id = ?")
SELECT_OUTBOX = "SELECT digest_id, platform, room_id, sent_at, remote_id FROM outbox"


def digest_extras(digest_id: int, entry: AuditEntry | None, story_ids: tuple[int, ...],
                  outbox: tuple[tuple[Platform, str], ...]) -> Statements:
    """What is saved along with a digest: the stories it carries, its outbox, its audit."""
    extras: Statements = [("INSERT INTO digest_stories (digest_id, story_id) VALUES (?, ?)",
                           (digest_id, story)) for story in story_ids]
    extras += [("INSERT INTO outbox (digest_id, platform, room_id) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING", (digest_id, platform, room)) for platform, room in outbox]
    if entry is not None:
        extras.append((SAVE_AUDIT, audit_row(entry)))
    return extras


def digest_values(d: DigestRecord) -> tuple[Any, ...]:
    return (d.status.value, d.note, json.dumps(list(d.removed)), d.content, d.reason,
            _utc(d.created_at), d.decided_at and _utc(d.decided_at), d.storytellers_told)


def digest(row: Any) -> DigestRecord:
    return DigestRecord(id=row[0], status=DigestStatus(row[1]), note=row[2],
                        removed=tuple(json.loads(row[3])), content=row[4], reason=row[5],
                        created_at=moment(row[6]), decided_at=maybe_moment(row[7]),
                        storytellers_told=bool(row[8]))


def outbox_item(row: Any) -> OutboxItem:
    return OutboxItem(digest_id=row[0], platform=Platform(row[1]), room_id=RoomId(row[2]),
                      sent_at=maybe_moment(row[3]),
                      remote_id=row[4])
