"""The reads and writes both SQL stores make alike (``storage.ports``: the reply outbox's
reads, stories, erasing them, the audit log, digests, adapter state), over a ``reader`` and
``_write`` each store gives: SQLite's (``storage/sqlite.py``) and PostgreSQL's
(``storage/postgres.py``), which turns this SQL into its own (``storage/postgres_rows.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.core.types import (
    AuditEntry,
    DigestRecord,
    EventId,
    OutboxItem,
    OutgoingMessage,
    Platform,
    RoomId,
    Story,
    StoryStatus,
    UserId,
)
from storage import sqlite_follow_ups as follow_ups
from storage import sqlite_introductions as introductions
from storage import sqlite_rows as sql
from storage.base import QueuedReply
from storage.sqlite_alerts import forgetting
from storage.sqlite_loop import erasing
from storage.sqlite_rows import Reader, Statements


class SQLQueries:
    """Mixed into each SQL store, which gives the reader and the writes."""

    @property
    def reader(self) -> Reader:
        raise NotImplementedError  # given by the store

    async def _write(self, statements: Statements, durable: bool = True) -> None:
        raise NotImplementedError  # given by the store

    async def _erased(self, who: tuple[Platform, UserId] | None) -> None:
        """After ``forget`` (``who``) or retiring stories (None): the store's own clean-up."""
        raise NotImplementedError  # given by the store

    async def _insert(self, first: tuple[str, tuple[object, ...]],
                      then: Callable[[int], Statements]) -> int:
        raise NotImplementedError  # given by the store

    # The reply outbox: what is waiting
    async def pending_replies(self, platform: Platform,
                              room_id: RoomId | None = None) -> list[QueuedReply]:
        where, params = "platform = ?", list[str]([platform])
        if room_id is not None:  # one room
            where, params = "platform = ? AND room_id = ?", [platform, room_id]
        rows = await self.reader.execute_fetchall(
            f"{sql.SELECT_REPLIES} WHERE {where} ORDER BY id", params)
        return [sql.queued_reply(row) for row in rows]

    async def queue_replies(self, platform: Platform,
                            replies: tuple[OutgoingMessage, ...]) -> None:
        rows = sql.reply_rows(platform, None, None, replies, datetime.now(UTC))
        if rows:
            await self._write([(sql.SAVE_REPLY, row) for row in rows])

    # Stories
    async def list_stories(self, status: StoryStatus | None = None,
                           since: datetime | None = None) -> list[Story]:
        where, params = sql.story_filter(status, since)
        found = await self.reader.execute_fetchall(
            f"{sql.SELECT_STORIES} {where} ORDER BY s.id", params)
        return [sql.story(row) for row in found]

    async def stories_of(self, platform: Platform, participant: UserId) -> list[Story]:
        rows = await self.reader.execute_fetchall(
            f"{sql.SELECT_STORIES} WHERE p.platform = ? AND p.user_id = ? ORDER BY s.id",
            (platform, participant))
        return [sql.story(row) for row in rows]

    async def audit(self, entry: AuditEntry) -> None:
        await self._write([(sql.SAVE_AUDIT, sql.audit_row(entry))])

    async def audit_entries(self, limit: int = 20) -> list[AuditEntry]:
        rows = await self.reader.execute_fetchall(
            "SELECT id, at, actor, action, target, reason FROM audit_log "
            "ORDER BY id DESC LIMIT ?", (limit,))
        return [AuditEntry(id=r[0], at=sql.moment(r[1]), actor=r[2], action=r[3],
                           target=r[4], reason=r[5]) for r in rows]

    async def get_story(self, story_id: int) -> Story | None:
        rows = list(await self.reader.execute_fetchall(f"{sql.SELECT_STORIES} WHERE s.id = ?",
                                                       (story_id,)))
        return sql.story(rows[0]) if rows else None

    async def update_story(self, story: Story, entry: AuditEntry) -> None:
        columns = sql.STORY_COLUMNS.split(", ")
        assignments = ", ".join(f"{c} = ?" for c in columns)
        await self._write([
            (f"UPDATE stories SET {assignments} WHERE id = ?",
             (*sql.story_values(story), story.id)),
            (sql.SAVE_AUDIT, sql.audit_row(entry)),
        ])

    async def room_of(self, platform: Platform, participant: UserId) -> str | None:
        rows = list(await self.reader.execute_fetchall(
            "SELECT room_id FROM conversations WHERE platform = ? AND user_id = ? "
            "ORDER BY updated_at DESC LIMIT 1", (platform, participant)))
        return str(rows[0][0]) if rows else None

    # Digests
    async def current_draft(self) -> DigestRecord | None:
        found = list(await self.reader.execute_fetchall(
            f"{sql.SELECT_DIGESTS} WHERE status = 'draft' ORDER BY id DESC LIMIT 1"))
        return sql.digest(found[0]) if found else None

    async def get_digest(self, digest_id: int) -> DigestRecord | None:
        found = list(await self.reader.execute_fetchall(
            f"{sql.SELECT_DIGESTS} WHERE id = ?", (digest_id,)))
        return sql.digest(found[0]) if found else None

    async def save_digest(self, record: DigestRecord, entry: AuditEntry | None = None,
                          story_ids: tuple[int, ...] = (),
                          outbox: tuple[tuple[Platform, str], ...] = ()) -> DigestRecord:
        def along(digest_id: int) -> Statements:
            return sql.digest_extras(digest_id, entry, story_ids, outbox)

        if record.id is None:
            new_id = await self._insert((sql.INSERT_DIGEST, sql.digest_values(record)), along)
            return record.model_copy(update={"id": new_id})
        await self._write([(sql.UPDATE_DIGEST, (*sql.digest_values(record), record.id)),
                           *along(record.id)])
        return record

    async def carried_story_ids(self) -> set[int]:
        found = await self.reader.execute_fetchall("SELECT story_id FROM digest_stories")
        return {int(row[0]) for row in found}

    async def unsent(self) -> list[OutboxItem]:
        found = await self.reader.execute_fetchall(
            f"{sql.SELECT_OUTBOX} WHERE sent_at IS NULL ORDER BY digest_id, platform, room_id")
        return [sql.outbox_item(row) for row in found]

    async def mark_sent(self, item: OutboxItem, remote_id: str, at: datetime) -> None:
        await self._write([(
            "UPDATE outbox SET sent_at = ?, remote_id = ? WHERE digest_id = ? AND platform = ? "
            "AND room_id = ?",
            (at.astimezone(UTC).isoformat(), remote_id, item.digest_id, item.platform,
             item.room_id))])

    async def story_counts(self) -> dict[StoryStatus, int]:
        rows = await self.reader.execute_fetchall(
            "SELECT status, count(*) FROM stories GROUP BY status")
        return {StoryStatus(status): int(n) for status, n in rows}

    # Adapter state
    async def get_value(self, key: str) -> str | None:
        rows = list(await self.reader.execute_fetchall(
            "SELECT value FROM adapter_state WHERE key = ?", (key,)))
        return str(rows[0][0]) if rows else None

    async def set_value(self, key: str, value: str, *, durable: bool = True) -> None:
        await self._write([(
            "INSERT INTO adapter_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))], durable)

    async def forget(self, platform: Platform, participant: UserId, event_id: EventId | None,
                     entry: AuditEntry, replies: tuple[OutgoingMessage, ...] = ()) -> int:
        erased = len(await self.stories_of(platform, participant))
        mine = "SELECT id FROM participants WHERE platform = ? AND user_id = ?"
        who = (platform, participant)
        statements: Statements = [
            (f"DELETE FROM story_themes WHERE story_id IN (SELECT id FROM stories WHERE "
             f"participant_id IN ({mine}))", who),
            (f"DELETE FROM stories WHERE participant_id IN ({mine})", who),
            *erasing(),
            ("DELETE FROM participants WHERE platform = ? AND user_id = ?", who),
            ("DELETE FROM conversations WHERE platform = ? AND user_id = ?", who),
            ("DELETE FROM reply_outbox WHERE platform = ? AND user_id = ?", who),
            *forgetting(platform, participant),
            *follow_ups.forgetting(platform, participant),
            *introductions.forgetting(platform, participant),
            (sql.SAVE_AUDIT, sql.audit_row(entry)),
            # the confirmation holds nothing of theirs: nobody's
            *((sql.SAVE_REPLY, row) for row in sql.reply_rows(platform, None, None, replies,
                                                              entry.at)),
        ]
        if event_id is not None:
            statements.append((sql.SAVE_EVENT, (platform, event_id, entry.at.isoformat())))
        await self._write(statements)
        await self._erased(who)
        return erased

    async def retire_stories(self, before: datetime, delete: bool, entry: AuditEntry) -> int:
        cutoff = before.astimezone(UTC).isoformat()
        old = ("SELECT id FROM stories WHERE created_at < ? AND participant_id NOT IN "
               "(SELECT id FROM participants WHERE platform = 'anonymous')")
        rows = await self.reader.execute_fetchall(old.replace("SELECT id", "SELECT count(*)", 1),
                                                  (cutoff,))
        count = int(next(iter(rows))[0])
        entry = entry.model_copy(update={"target": f"{count} stories"})
        await self._write([
            (sql.SAVE_PARTICIPANT, ("anonymous", "anonymous")),
            *(sql.retire_statements(old, cutoff, delete)),
            *(erasing() if delete else []),
            *follow_ups.retiring(delete),
            *introductions.retiring(),
            ("DELETE FROM conversations WHERE updated_at < ?", (cutoff,)),
            (sql.SAVE_AUDIT, sql.audit_row(entry)),
        ])
        await self._erased(None)
        return count

    async def search_stories(self, words: str, limit: int = 20) -> list[Story]:
        text = ("(coalesce(s.situation, '') || ' ' || coalesce(s.tried, '') || ' ' || "
                "coalesce(s.outcome, '') || ' ' || coalesce(s.spread, '') || ' ' || "
                f"coalesce(s.place, '') || ' ' || coalesce((SELECT {sql.ALL_THEMES} "
                "FROM story_themes WHERE story_id = s.id), ''))")
        wanted = words.split() or [""]
        where = " AND ".join(f"{sql.CONTAINS}(lower({text}), lower(?)) > 0" for _ in wanted)
        rows = await self.reader.execute_fetchall(
            f"{sql.SELECT_STORIES} WHERE {where} ORDER BY s.id DESC LIMIT ?", (*wanted, limit))
        return [sql.story(row) for row in rows]
