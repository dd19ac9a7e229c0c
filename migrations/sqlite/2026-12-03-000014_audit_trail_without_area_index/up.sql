-- Every audited read inserts into each index of the trail. Events of a page of
-- families land in as many places of this index as the page has areas, and
-- SQLite, which keeps no ordering across an IN list, used it for a data
-- protection officer's page only to read and sort every event of the
-- organisation's areas. Without it the page walks the trail in id order and
-- stops when it is full.
DROP INDEX audit_events_area_id;
