"""The database schema, as numbered migrations, each with its statements per SQL dialect.
``storage/migrate.py`` applies them, each in one transaction, and records the last one applied.
Never edit a migration that has shipped: add the next one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: Mapping[str, tuple[str, ...]]
    """The statements for each dialect, run in order: ``sqlite`` here; ``postgresql`` in
    ``storage/postgres_migrations.py``, under the same number."""


_V4_STORY_COLUMNS = (
    "id, participant_id, flow, situation, tried, tried_by, outcome, spread, enhance, restore, "
    "replace, become, role, place, consent_store, consent_digest, consent_quote, "
    "consent_contact, consent_name, consent_version, consent_at, safeguarding, acted_name, "
    "status, created_at, updated_at")
"""The columns of ``stories`` at version 4, copied across by migration 5."""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "participants, conversations, stories, themes, processed events, adapter state",
              {SQLITE: (
        """CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (platform, user_id)
        )""",
        """CREATE TABLE conversations (
            platform TEXT NOT NULL,
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            flow TEXT NOT NULL,
            state TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'done', 'declined')),
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (platform, room_id, user_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants (id),
            flow TEXT NOT NULL,
            situation TEXT NOT NULL,
            tried TEXT,
            tried_by TEXT CHECK (tried_by IN ('me', 'my team', 'someone else', 'nobody yet')),
            outcome TEXT,
            spread TEXT,
            enhance TEXT,
            restore TEXT,
            replace TEXT,
            become TEXT,
            role TEXT NOT NULL CHECK (role IN ('citizen', 'staff', 'both', 'rather not say')),
            place TEXT,
            consent_store INTEGER NOT NULL,
            consent_version TEXT NOT NULL,
            consent_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'hidden')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX stories_by_status ON stories (status, created_at)",
        """CREATE TABLE story_themes (
            story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            theme TEXT NOT NULL,
            PRIMARY KEY (story_id, position)
        )""",
        "CREATE INDEX story_themes_by_theme ON story_themes (theme)",
        """CREATE TABLE processed_events (
            platform TEXT NOT NULL,
            event_id TEXT NOT NULL,
            processed_at TEXT NOT NULL,
            PRIMARY KEY (platform, event_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE adapter_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    )}),
    Migration(2, "granular consent, safeguarding marks, append-only audit log", {SQLITE: (
        "ALTER TABLE stories ADD COLUMN consent_digest INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE stories ADD COLUMN consent_quote INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE stories ADD COLUMN consent_contact INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE stories ADD COLUMN consent_name INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE stories ADD COLUMN safeguarding TEXT",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT,
            reason TEXT
        )""",
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    )}),
    Migration(3, "digests, the stories in them, and an outbox of posts per target", {SQLITE: (
        """CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'rejected')),
            note TEXT,
            removed TEXT NOT NULL DEFAULT '[]',
            content TEXT,
            reason TEXT,
            created_at TEXT NOT NULL,
            decided_at TEXT,
            storytellers_told INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE digest_stories (
            digest_id INTEGER NOT NULL REFERENCES digests (id),
            story_id INTEGER NOT NULL,
            PRIMARY KEY (digest_id, story_id)
        )""",
        "CREATE INDEX digest_stories_by_story ON digest_stories (story_id)",
        """CREATE TABLE outbox (
            digest_id INTEGER NOT NULL REFERENCES digests (id),
            platform TEXT NOT NULL,
            room_id TEXT NOT NULL,
            sent_at TEXT,
            remote_id TEXT,
            PRIMARY KEY (digest_id, platform, room_id)
        )""",
    )}),
    Migration(4, "the name a storyteller who acted agreed to be named by", {SQLITE: (
        "ALTER TABLE stories ADD COLUMN acted_name TEXT",
    )}),
    Migration(5, "story ids given by the database and never reused; the consent's language",
              {SQLITE: (
        # SQLite's way to change a table (sqlite.org/lang_altertable.html, "other kinds"):
        # make the new one, copy, drop the old, rename. Foreign keys are off meanwhile
        # (storage/migrate.py) and checked before the commit.
        """CREATE TABLE new_stories (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            participant_id INTEGER NOT NULL REFERENCES participants (id),
            flow TEXT NOT NULL,
            situation TEXT NOT NULL,
            tried TEXT,
            tried_by TEXT CHECK (tried_by IN ('me', 'my team', 'someone else', 'nobody yet')),
            outcome TEXT,
            spread TEXT,
            enhance TEXT,
            restore TEXT,
            replace TEXT,
            become TEXT,
            role TEXT NOT NULL CHECK (role IN ('citizen', 'staff', 'both', 'rather not say')),
            place TEXT,
            consent_store INTEGER NOT NULL,
            consent_digest INTEGER NOT NULL DEFAULT 0,
            consent_quote INTEGER NOT NULL DEFAULT 0,
            consent_contact INTEGER NOT NULL DEFAULT 0,
            consent_name INTEGER NOT NULL DEFAULT 0,
            consent_version TEXT NOT NULL,
            consent_locale TEXT NOT NULL DEFAULT 'en',
            consent_at TEXT NOT NULL,
            safeguarding TEXT,
            acted_name TEXT,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'hidden')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        f"INSERT INTO new_stories ({_V4_STORY_COLUMNS}) SELECT {_V4_STORY_COLUMNS} FROM stories",
        # An erased story's id may still be known elsewhere: in a digest that carried it, or
        # as the last story the digest desk told moderators about. Never give it out again.
        "DELETE FROM sqlite_sequence WHERE name = 'new_stories'",
        """INSERT INTO sqlite_sequence (name, seq) SELECT 'new_stories', max(
            (SELECT coalesce(max(id), 0) FROM stories),
            (SELECT coalesce(max(story_id), 0) FROM digest_stories),
            (SELECT coalesce(max(CAST(value AS INTEGER)), 0) FROM adapter_state
             WHERE key = 'digest:last_noticed_story'))""",
        "DROP TABLE stories",
        "ALTER TABLE new_stories RENAME TO stories",
        "CREATE INDEX stories_by_status ON stories (status, created_at)",
    )}),
    Migration(6, "the reply outbox: replies written with their turn, deleted once sent",
              {SQLITE: (
        # user_id is the storyteller's pseudonym when the reply goes to their own room (so
        # forgetting them erases it), NULL for a notice elsewhere (a moderators' alert).
        """CREATE TABLE reply_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            platform TEXT NOT NULL,
            room_id TEXT NOT NULL,
            user_id TEXT,
            message TEXT NOT NULL,
            nonce TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX reply_outbox_by_room ON reply_outbox (platform, room_id, id)",
        "CREATE INDEX reply_outbox_by_person ON reply_outbox (platform, user_id)",
    )}),
    Migration(7, "safeguarding alerts and moderators' verdicts on them; stories marked missed",
              {SQLITE: (
        # Only redacted words are kept (flows/redaction.py), and only from someone who had
        # agreed to their story being kept (text is NULL before that). user_id is the
        # person's pseudonym, so forgetting them erases their alerts and labels. No foreign
        # key to stories: a label outlives the story being retired.
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            event_id TEXT,
            concern TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'rules' CHECK (source IN ('rules', 'model')),
            score REAL,
            text TEXT,
            story_id INTEGER,
            verdict TEXT CHECK (verdict IN ('false alarm', 'confirmed')),
            verdict_by TEXT,
            verdict_at TEXT,
            UNIQUE (platform, event_id)
        )""",
        "CREATE INDEX alerts_by_person ON alerts (platform, user_id)",
        """CREATE TABLE safeguarding_feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            story_id INTEGER NOT NULL UNIQUE,
            concern TEXT NOT NULL,
            text TEXT NOT NULL,
            marked_by TEXT NOT NULL
        )""",
        "CREATE INDEX feedback_by_person ON safeguarding_feedback (platform, user_id)",
    )}),
    Migration(8, "responses to stories, and what changed because of them (append-only)",
              {SQLITE: (
        # Redacted words only. No foreign key to stories: the store erases both with their
        # story (forget me, retention), inside the same transaction.
        """CREATE TABLE story_responses (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            story_id INTEGER NOT NULL,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            signed TEXT NOT NULL,
            text TEXT NOT NULL,
            relayed INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX story_responses_by_story ON story_responses (story_id, id)",
        """CREATE TABLE story_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            story_id INTEGER NOT NULL,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('planned', 'made', 'not taken forward')),
            what TEXT NOT NULL
        )""",
        "CREATE INDEX story_changes_by_story ON story_changes (story_id, id)",
        "CREATE INDEX story_changes_by_time ON story_changes (at)",
        # Append-only: never edited. Deleted only with its story (the story is gone by then).
        """CREATE TRIGGER story_changes_no_update BEFORE UPDATE ON story_changes
           BEGIN SELECT RAISE(ABORT, 'what changed is append-only'); END""",
        """CREATE TRIGGER story_changes_only_with_their_story BEFORE DELETE ON story_changes
           WHEN EXISTS (SELECT 1 FROM stories WHERE id = OLD.story_id)
           BEGIN SELECT RAISE(ABORT, 'what changed is kept while its story is'); END""",
    )}),
    Migration(9, "follow-ups of stories that told of something tried, and the updates they "
              "bring", {SQLITE: (
        # A follow-up is a deadline the scheduler sweeps (due_at), one per story; user_id is
        # the teller's pseudonym, so forgetting them erases it. No foreign key to stories:
        # the store erases follow-ups and updates with their story, in the same transaction.
        """CREATE TABLE follow_ups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            story_id INTEGER NOT NULL UNIQUE,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            due_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'asked', 'reminded', 'answered', 'stopped')),
            asked_at TEXT,
            reminded_at TEXT
        )""",
        "CREATE INDEX follow_ups_by_state ON follow_ups (state, due_at)",
        "CREATE INDEX follow_ups_by_person ON follow_ups (platform, user_id)",
        # The teller's own words, moderated like a story (pending until approved).
        """CREATE TABLE story_updates (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            story_id INTEGER NOT NULL,
            follow_up_id INTEGER NOT NULL,
            at TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('still going', 'stopped', 'changed')),
            since TEXT,
            learned TEXT,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'hidden'))
        )""",
        "CREATE INDEX story_updates_by_story ON story_updates (story_id, id)",
    )}),
    Migration(10, "introductions between tellers who tried similar things, only when both "
              "agree", {SQLITE: (
        "ALTER TABLE stories ADD COLUMN consent_introduce INTEGER NOT NULL DEFAULT 0",
        # by: the moderator who proposed it. No foreign keys: the store erases a side with
        # its teller or story, and withdraws the introduction, in the same transaction.
        """CREATE TABLE introductions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'proposed'
                CHECK (state IN ('proposed', 'made', 'declined', 'withdrawn'))
        )""",
        # line: the words a teller chose to pass on, kept only until passed on (or not
        # needed); user_id is their pseudonym, so forgetting them erases their side.
        """CREATE TABLE introduction_sides (
            introduction_id INTEGER NOT NULL,
            story_id INTEGER NOT NULL,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            answer TEXT NOT NULL DEFAULT 'waiting'
                CHECK (answer IN ('waiting', 'asked', 'yes', 'no')),
            line TEXT,
            asked_at TEXT,
            PRIMARY KEY (introduction_id, story_id)
        )""",
        "CREATE INDEX introduction_sides_by_person ON introduction_sides (platform, user_id)",
    )}),
)

LATEST = MIGRATIONS[-1].version
