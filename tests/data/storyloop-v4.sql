-- A storyloop database at schema version 4, made by storyloop at commit e92fa85 (before
-- migration 5): three stories (the newest, story 3, then erased by 'forget me'), an
-- approved digest carrying story 1 with an outbox item, audit entries, adapter state
-- (the digest desk's last noticed story is 3). Made with the store's own methods.
BEGIN TRANSACTION;
CREATE TABLE adapter_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
INSERT INTO "adapter_state" VALUES('digest:last_noticed_story','3');
INSERT INTO "adapter_state" VALUES('matrix.next_batch','s42');
CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT,
            reason TEXT
        );
INSERT INTO "audit_log" VALUES(1,'2026-03-05T12:00:00+00:00','@mod:example.org','approve','story 1',NULL);
INSERT INTO "audit_log" VALUES(2,'2026-03-06T12:00:00+00:00','@mod','digest approve','digest 1',NULL);
INSERT INTO "audit_log" VALUES(3,'2026-03-07T12:00:00+00:00','storyteller','erasure',NULL,NULL);
CREATE TABLE conversations (
            platform TEXT NOT NULL,
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            flow TEXT NOT NULL,
            state TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'done', 'declined')),
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (platform, room_id, user_id)
        ) WITHOUT ROWID;
INSERT INTO "conversations" VALUES('matrix','!roomp-ann','p-ann','story','done','active','{"answers":{},"history":[],"pending":null,"editing":false,"locale":"en"}','2026-03-02T12:00:00+00:00');
INSERT INTO "conversations" VALUES('matrix','!roomp-bob','p-bob','story','done','active','{"answers":{},"history":[],"pending":null,"editing":false,"locale":"en"}','2026-03-03T12:00:00+00:00');
CREATE TABLE digest_stories (
            digest_id INTEGER NOT NULL REFERENCES digests (id),
            story_id INTEGER NOT NULL,
            PRIMARY KEY (digest_id, story_id)
        );
INSERT INTO "digest_stories" VALUES(1,1);
CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'rejected')),
            note TEXT,
            removed TEXT NOT NULL DEFAULT '[]',
            content TEXT,
            reason TEXT,
            created_at TEXT NOT NULL,
            decided_at TEXT,
            storytellers_told INTEGER NOT NULL DEFAULT 0
        );
INSERT INTO "digests" VALUES(1,'approved',NULL,'[]','{}',NULL,'2026-03-06T12:00:00+00:00','2026-03-06T12:00:00+00:00',0);
CREATE TABLE outbox (
            digest_id INTEGER NOT NULL REFERENCES digests (id),
            platform TEXT NOT NULL,
            room_id TEXT NOT NULL,
            sent_at TEXT,
            remote_id TEXT,
            PRIMARY KEY (digest_id, platform, room_id)
        );
INSERT INTO "outbox" VALUES(1,'matrix','!staff',NULL,NULL);
CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (platform, user_id)
        );
INSERT INTO "participants" VALUES(1,'matrix','p-ann','2026-11-30T06:33:12.878Z');
INSERT INTO "participants" VALUES(2,'matrix','p-bob','2026-11-30T06:33:12.881Z');
CREATE TABLE processed_events (
            platform TEXT NOT NULL,
            event_id TEXT NOT NULL,
            processed_at TEXT NOT NULL,
            PRIMARY KEY (platform, event_id)
        ) WITHOUT ROWID;
INSERT INTO "processed_events" VALUES('matrix','$e1','2026-03-02T12:00:00+00:00');
INSERT INTO "processed_events" VALUES('matrix','$e2','2026-03-03T12:00:00+00:00');
INSERT INTO "processed_events" VALUES('matrix','$e3','2026-03-04T12:00:00+00:00');
INSERT INTO "processed_events" VALUES('matrix','$forget','2026-03-07T12:00:00+00:00');
CREATE TABLE stories (
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
        , consent_digest INTEGER NOT NULL DEFAULT 0, consent_quote INTEGER NOT NULL DEFAULT 0, consent_contact INTEGER NOT NULL DEFAULT 0, consent_name INTEGER NOT NULL DEFAULT 0, safeguarding TEXT, acted_name TEXT);
INSERT INTO "stories" VALUES(1,1,'story','Story 1 by p-ann','tried 1',NULL,NULL,NULL,NULL,NULL,NULL,NULL,'staff','Ward 9',1,'v2','2026-03-02T12:00:00+00:00','approved','2026-03-02T12:00:00+00:00','2026-03-02T12:00:00+00:00',1,0,0,0,NULL,NULL);
INSERT INTO "stories" VALUES(2,2,'story','Story 2 by p-bob','tried 2',NULL,NULL,NULL,NULL,NULL,NULL,NULL,'staff',NULL,1,'v2','2026-03-03T12:00:00+00:00','pending','2026-03-03T12:00:00+00:00','2026-03-03T12:00:00+00:00',1,0,0,0,NULL,'Sam');
CREATE TABLE story_themes (
            story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            theme TEXT NOT NULL,
            PRIMARY KEY (story_id, position)
        );
INSERT INTO "story_themes" VALUES(1,0,'access');
INSERT INTO "story_themes" VALUES(1,1,'kindness');
INSERT INTO "story_themes" VALUES(2,0,'digital');
CREATE INDEX stories_by_status ON stories (status, created_at);
CREATE INDEX story_themes_by_theme ON story_themes (theme);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE INDEX digest_stories_by_story ON digest_stories (story_id);
COMMIT;
PRAGMA user_version = 4;
