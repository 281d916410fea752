-- Groups named by a key that must stay unique (seed 003's `1_2_3`: the
-- group of exactly those users), found or created atomically.
CREATE TABLE group_keys (
    key     TEXT PRIMARY KEY NOT NULL,
    room_id INTEGER NOT NULL REFERENCES rooms (id)
) STRICT;
