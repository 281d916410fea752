-- Banter's SQLite schema, version 1.
--
-- Shaped like the DynamoDB tables: every read is a key lookup or a range
-- under one key, and counts live on rows (ids, room message counts) instead
-- of being counted. No foreign keys: DynamoDB has none either, and both
-- stores must behave the same.

-- Id allocators: one row per kind ('user', 'room', 'message'), bumped inside
-- the transaction that uses the id.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE rooms (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('dm', 'group')),
    name          TEXT,
    created_by    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    -- The newest message's seq, kept by every append.
    message_count INTEGER NOT NULL DEFAULT 0,
    -- A JSON copy of the newest message, for room lists.
    last_message  TEXT
) STRICT;

-- One row per DM, keyed by its two users, smaller id first.
CREATE TABLE dm_pairs (
    low_user_id  INTEGER NOT NULL,
    high_user_id INTEGER NOT NULL,
    room_id      INTEGER NOT NULL,
    PRIMARY KEY (low_user_id, high_user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE memberships (
    room_id      INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    joined_at    INTEGER NOT NULL,
    read_seq     INTEGER NOT NULL,
    last_read_id INTEGER,
    -- Ephemeral: until when the member shows as typing (never history).
    typing_until INTEGER,
    PRIMARY KEY (room_id, user_id)
) STRICT, WITHOUT ROWID;

-- memberships_of: the index by user.
CREATE INDEX memberships_by_user ON memberships (user_id, room_id);

-- Message ids are unique everywhere, so the id is the row id; history is a
-- range over (room_id, id).
CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    room_id           INTEGER NOT NULL,
    seq               INTEGER NOT NULL,
    sender_id         INTEGER NOT NULL,
    sent_at           INTEGER NOT NULL,
    text              TEXT NOT NULL,
    -- A JSON FileAttachment, if any.
    file              TEXT,
    client_message_id TEXT
) STRICT;

CREATE UNIQUE INDEX messages_by_room ON messages (room_id, id);

-- Idempotent sends: one message per (room, sender, client message id).
CREATE UNIQUE INDEX messages_by_client_id
    ON messages (room_id, sender_id, client_message_id)
    WHERE client_message_id IS NOT NULL;

CREATE TABLE connections (
    id            TEXT PRIMARY KEY,
    dialect       TEXT NOT NULL,
    user_id       INTEGER,
    -- 'all_rooms', 'room' (with scope_room_id) or 'notifications'.
    scope         TEXT NOT NULL,
    scope_room_id INTEGER,
    connected_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    dialect_state TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- connections_of and live counts: the index by user.
CREATE INDEX connections_by_user ON connections (user_id, expires_at)
    WHERE user_id IS NOT NULL;
