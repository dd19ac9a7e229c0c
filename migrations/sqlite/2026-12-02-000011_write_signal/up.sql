-- One process writes a SQLite database, so its statistics cache needs no signal
-- from other instances (the PostgreSQL migration of this name adds one).
SELECT 1;
