-- Numbered history pages read a room's messages by position: seq is dense
-- and unique within a room.
CREATE UNIQUE INDEX messages_by_room_seq ON messages (room_id, seq);
