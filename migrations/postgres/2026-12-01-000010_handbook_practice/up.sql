-- Sessions planned ahead: when and where, in which languages; attendance is
-- recorded once held.
ALTER TABLE initiative_sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'held';
ALTER TABLE initiative_sessions ADD COLUMN starts_at TIME;
ALTER TABLE initiative_sessions ADD COLUMN ends_at TIME;
ALTER TABLE initiative_sessions ADD COLUMN place TEXT;
ALTER TABLE initiative_sessions ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';
ALTER TABLE initiative_sessions ADD COLUMN interpreter_present INTEGER NOT NULL DEFAULT 0;
ALTER TABLE initiative_sessions ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
CREATE INDEX initiative_sessions_held_on ON initiative_sessions (held_on);

-- The organisations an area's team works with (no personal data); initiatives
-- name them by id.
CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    area_id TEXT NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    role TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX partners_area_id ON partners (area_id, name);
ALTER TABLE initiatives ADD COLUMN partner_ids TEXT NOT NULL DEFAULT '[]';

-- Families the team wants to reach (individual data, housing-social side).
-- On erasure the name is cleared and the rest stays for the funnel.
CREATE TABLE prospects (
    id TEXT PRIMARY KEY,
    area_id TEXT NOT NULL REFERENCES areas (id),
    display_name TEXT,
    source_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    fathers_targeted INTEGER NOT NULL,
    family_id TEXT REFERENCES families (id) ON DELETE SET NULL,
    identified_on DATE NOT NULL,
    engaged_on DATE,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    erased_at TIMESTAMP
);
CREATE INDEX prospects_area_id ON prospects (area_id, identified_on);

CREATE TABLE prospect_steps (
    id TEXT PRIMARY KEY,
    prospect_id TEXT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    occurred_on DATE NOT NULL,
    kind TEXT NOT NULL,
    status_after TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX prospect_steps_prospect_id ON prospect_steps (prospect_id, occurred_on);

-- Cooperation agreements between an area's housing-social effort and the
-- municipality (aggregate: roles and units, no person), signed once per side.
CREATE TABLE cooperation_agreements (
    id TEXT PRIMARY KEY,
    area_id TEXT NOT NULL REFERENCES areas (id),
    status TEXT NOT NULL,
    terms TEXT NOT NULL,
    supersedes_id TEXT REFERENCES cooperation_agreements (id),
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cooperation_agreements_area_id ON cooperation_agreements (area_id, created_at);

CREATE TABLE agreement_signatures (
    agreement_id TEXT NOT NULL REFERENCES cooperation_agreements (id) ON DELETE CASCADE,
    side TEXT NOT NULL,
    unit TEXT,
    signed_by TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (agreement_id, side)
);
