"""The PostgreSQL twin of each numbered migration in ``storage/migrations.py``.

Each version's statements here make the same schema change as SQLite's, in PostgreSQL's
dialect: ids are identity columns (never given twice, so migration 5 need not rebuild
``stories``), times are ``timestamptz``, yes/no answers are ``boolean``, and append-only tables
are kept so by trigger functions. The SQL the stores share reads and writes both schemas alike.

To add migration N: write its SQLite statements in ``storage/migrations.py`` and its
PostgreSQL ones here, under ``N``. Until both are written, a PostgreSQL store refuses to
migrate (and ``tests/test_postgres_migrations.py`` says which number lacks its twin).
"""

from __future__ import annotations

from dataclasses import replace

from storage.migrations import MIGRATIONS as EVERY_DIALECT
from storage.migrations import POSTGRESQL, Migration

_ID = "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"


def _append_only(table: str, message: str) -> tuple[str, str]:
    """A trigger function that refuses to change or delete ``table``'s rows, and its trigger."""
    return (f"""CREATE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{message}'; END $$""",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse()")


STATEMENTS: dict[int, tuple[str, ...]] = {
    1: (
        f"""CREATE TABLE participants (
            id {_ID},
            platform text NOT NULL,
            user_id text NOT NULL,
            created_at timestamptz NOT NULL,
            UNIQUE (platform, user_id)
        )""",
        """CREATE TABLE conversations (
            platform text NOT NULL,
            room_id text NOT NULL,
            user_id text NOT NULL,
            flow text NOT NULL,
            state text NOT NULL,
            status text NOT NULL CHECK (status IN ('active', 'paused', 'done', 'declined')),
            data text NOT NULL,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (platform, room_id, user_id)
        )""",
        f"""CREATE TABLE stories (
            id {_ID},
            participant_id bigint NOT NULL REFERENCES participants (id),
            flow text NOT NULL,
            situation text NOT NULL,
            tried text,
            tried_by text CHECK (tried_by IN ('me', 'my team', 'someone else', 'nobody yet')),
            outcome text,
            spread text,
            enhance text,
            restore text,
            replace text,
            become text,
            role text NOT NULL CHECK (role IN ('citizen', 'staff', 'both', 'rather not say')),
            place text,
            consent_store boolean NOT NULL,
            consent_version text NOT NULL,
            consent_at timestamptz NOT NULL,
            status text NOT NULL CHECK (status IN ('pending', 'approved', 'hidden')),
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )""",
        "CREATE INDEX stories_by_status ON stories (status, created_at)",
        "CREATE INDEX stories_by_participant ON stories (participant_id)",
        """CREATE TABLE story_themes (
            story_id bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            position integer NOT NULL,
            theme text NOT NULL,
            PRIMARY KEY (story_id, position)
        )""",
        "CREATE INDEX story_themes_by_theme ON story_themes (theme)",
        """CREATE TABLE processed_events (
            platform text NOT NULL,
            event_id text NOT NULL,
            processed_at timestamptz NOT NULL,
            PRIMARY KEY (platform, event_id)
        )""",
        """CREATE TABLE adapter_state (
            key text PRIMARY KEY,
            value text NOT NULL
        )""",
    ),
    2: (
        "ALTER TABLE stories ADD COLUMN consent_digest boolean NOT NULL DEFAULT false",
        "ALTER TABLE stories ADD COLUMN consent_quote boolean NOT NULL DEFAULT false",
        "ALTER TABLE stories ADD COLUMN consent_contact boolean NOT NULL DEFAULT false",
        "ALTER TABLE stories ADD COLUMN consent_name boolean NOT NULL DEFAULT false",
        "ALTER TABLE stories ADD COLUMN safeguarding text",
        f"""CREATE TABLE audit_log (
            id {_ID},
            at timestamptz NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            target text,
            reason text
        )""",
        *_append_only("audit_log", "the audit log is append-only"),
    ),
    3: (
        f"""CREATE TABLE digests (
            id {_ID},
            status text NOT NULL CHECK (status IN ('draft', 'approved', 'rejected')),
            note text,
            removed text NOT NULL DEFAULT '[]',
            content text,
            reason text,
            created_at timestamptz NOT NULL,
            decided_at timestamptz,
            storytellers_told boolean NOT NULL DEFAULT false
        )""",
        """CREATE TABLE digest_stories (
            digest_id bigint NOT NULL REFERENCES digests (id),
            story_id bigint NOT NULL,
            PRIMARY KEY (digest_id, story_id)
        )""",
        "CREATE INDEX digest_stories_by_story ON digest_stories (story_id)",
        """CREATE TABLE outbox (
            digest_id bigint NOT NULL REFERENCES digests (id),
            platform text NOT NULL,
            room_id text NOT NULL,
            sent_at timestamptz,
            remote_id text,
            PRIMARY KEY (digest_id, platform, room_id)
        )""",
    ),
    4: ("ALTER TABLE stories ADD COLUMN acted_name text",),
    # Story ids were never reused here (an identity column): only the consent's language.
    5: ("ALTER TABLE stories ADD COLUMN consent_locale text NOT NULL DEFAULT 'en'",),
    6: (
        f"""CREATE TABLE reply_outbox (
            id {_ID},
            platform text NOT NULL,
            room_id text NOT NULL,
            user_id text,
            message text NOT NULL,
            nonce text NOT NULL,
            created_at timestamptz NOT NULL
        )""",
        "CREATE INDEX reply_outbox_by_room ON reply_outbox (platform, room_id, id)",
        "CREATE INDEX reply_outbox_by_person ON reply_outbox (platform, user_id)",
    ),
    7: (
        f"""CREATE TABLE alerts (
            id {_ID},
            at timestamptz NOT NULL,
            platform text NOT NULL,
            user_id text NOT NULL,
            event_id text,
            concern text NOT NULL,
            source text NOT NULL DEFAULT 'rules' CHECK (source IN ('rules', 'model')),
            score double precision,
            text text,
            story_id bigint,
            verdict text CHECK (verdict IN ('false alarm', 'confirmed')),
            verdict_by text,
            verdict_at timestamptz,
            UNIQUE (platform, event_id)
        )""",
        "CREATE INDEX alerts_by_person ON alerts (platform, user_id)",
        f"""CREATE TABLE safeguarding_feedback (
            id {_ID},
            at timestamptz NOT NULL,
            platform text NOT NULL,
            user_id text NOT NULL,
            story_id bigint NOT NULL UNIQUE,
            concern text NOT NULL,
            text text NOT NULL,
            marked_by text NOT NULL
        )""",
        "CREATE INDEX feedback_by_person ON safeguarding_feedback (platform, user_id)",
    ),
    8: (
        f"""CREATE TABLE story_responses (
            id {_ID},
            story_id bigint NOT NULL,
            at timestamptz NOT NULL,
            by text NOT NULL,
            signed text NOT NULL,
            text text NOT NULL,
            relayed boolean NOT NULL DEFAULT false
        )""",
        "CREATE INDEX story_responses_by_story ON story_responses (story_id, id)",
        f"""CREATE TABLE story_changes (
            id {_ID},
            story_id bigint NOT NULL,
            at timestamptz NOT NULL,
            by text NOT NULL,
            status text NOT NULL CHECK (status IN ('planned', 'made', 'not taken forward')),
            what text NOT NULL
        )""",
        "CREATE INDEX story_changes_by_story ON story_changes (story_id, id)",
        "CREATE INDEX story_changes_by_time ON story_changes (at)",
        # Append-only: never edited; deleted only once its story is gone.
        """CREATE FUNCTION story_changes_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'what changed is append-only'; END IF;
             IF EXISTS (SELECT 1 FROM stories WHERE id = OLD.story_id) THEN
               RAISE EXCEPTION 'what changed is kept while its story is';
             END IF;
             RETURN OLD;
           END $$""",
        "CREATE TRIGGER story_changes_append_only BEFORE UPDATE OR DELETE ON story_changes "
        "FOR EACH ROW EXECUTE FUNCTION story_changes_refuse()",
    ),
    9: (
        f"""CREATE TABLE follow_ups (
            id {_ID},
            story_id bigint NOT NULL UNIQUE,
            platform text NOT NULL,
            user_id text NOT NULL,
            due_at timestamptz NOT NULL,
            state text NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'asked', 'reminded', 'answered', 'stopped')),
            asked_at timestamptz,
            reminded_at timestamptz
        )""",
        "CREATE INDEX follow_ups_by_state ON follow_ups (state, due_at)",
        "CREATE INDEX follow_ups_by_person ON follow_ups (platform, user_id)",
        f"""CREATE TABLE story_updates (
            id {_ID},
            story_id bigint NOT NULL,
            follow_up_id bigint NOT NULL,
            at timestamptz NOT NULL,
            outcome text NOT NULL CHECK (outcome IN ('still going', 'stopped', 'changed')),
            since text,
            learned text,
            status text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'hidden'))
        )""",
        "CREATE INDEX story_updates_by_story ON story_updates (story_id, id)",
    ),
    10: (
        "ALTER TABLE stories ADD COLUMN consent_introduce boolean NOT NULL DEFAULT false",
        f"""CREATE TABLE introductions (
            id {_ID},
            at timestamptz NOT NULL,
            by text NOT NULL,
            state text NOT NULL DEFAULT 'proposed'
                CHECK (state IN ('proposed', 'made', 'declined', 'withdrawn'))
        )""",
        # rowid: the order sides were first saved in, as SQLite's own rowid gives it.
        """CREATE TABLE introduction_sides (
            introduction_id bigint NOT NULL,
            story_id bigint NOT NULL,
            platform text NOT NULL,
            user_id text NOT NULL,
            answer text NOT NULL DEFAULT 'waiting'
                CHECK (answer IN ('waiting', 'asked', 'yes', 'no')),
            line text,
            asked_at timestamptz,
            rowid bigint GENERATED ALWAYS AS IDENTITY,
            PRIMARY KEY (introduction_id, story_id)
        )""",
        "CREATE INDEX introduction_sides_by_person ON introduction_sides (platform, user_id)",
    ),
}
"""Each migration's PostgreSQL statements, by its number."""

MIGRATIONS: tuple[Migration, ...] = tuple(
    replace(m, statements={**m.statements, POSTGRESQL: STATEMENTS[m.version]})
    if m.version in STATEMENTS else m for m in EVERY_DIALECT)
"""The numbered migrations with their PostgreSQL statements; one without is refused."""
