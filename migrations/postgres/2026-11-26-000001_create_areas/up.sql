CREATE TABLE areas (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    search_text TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    housing_organisation TEXT NOT NULL,
    plan_name TEXT,
    plan_starts_on DATE,
    plan_ends_on DATE,
    households INTEGER,
    residents INTEGER,
    families_with_children_share DOUBLE PRECISION,
    single_parent_share DOUBLE PRECISION,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX areas_municipality_code ON areas (municipality_code);
CREATE INDEX areas_updated_at ON areas (updated_at);
