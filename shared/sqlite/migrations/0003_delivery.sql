-- Delivery in order: one courier at a time pushes a room's messages, in seq
-- order, and records how far it got. Rooms of an earlier version count as
-- delivered up to their newest message.
ALTER TABLE rooms ADD COLUMN delivered_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN courier TEXT;
ALTER TABLE rooms ADD COLUMN courier_until INTEGER;
UPDATE rooms SET delivered_seq = message_count;
