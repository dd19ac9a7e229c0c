-- The SQLite trail drops its index on area_id in this migration. PostgreSQL
-- keeps it: its planner weighs the index against the id order by the
-- organisation's share of the trail, and the index cost little here (about 6 %
-- of the server's CPU for a page of 50 families, no change in throughput).
SELECT 1;
