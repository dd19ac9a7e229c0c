-- What an initiative aims to change: its goals (JSON array) and when, after
-- its end, families answer once more.
ALTER TABLE initiatives ADD COLUMN goals TEXT NOT NULL DEFAULT '[]';
ALTER TABLE initiatives ADD COLUMN follow_up_months INTEGER;

-- A family's answers to an initiative's goals at one phase. `participant` pairs
-- a family's phases and outlives its erasure, when `family_id` is cleared and
-- the answers stay, anonymous, for the results.
CREATE TABLE measurements (
    id TEXT PRIMARY KEY,
    initiative_id TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    family_id TEXT REFERENCES families (id) ON DELETE SET NULL,
    participant TEXT NOT NULL,
    phase TEXT NOT NULL,
    measured_on DATE NOT NULL,
    answers TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (initiative_id, participant, phase)
);
CREATE INDEX measurements_family_id ON measurements (family_id);
CREATE INDEX measurements_measured_on ON measurements (initiative_id, measured_on);
