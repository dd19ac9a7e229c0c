CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    area_id TEXT NOT NULL REFERENCES areas (id),
    status TEXT NOT NULL,
    period_starts_on DATE NOT NULL,
    period_ends_on DATE NOT NULL,
    summary TEXT,
    target_group TEXT NOT NULL,
    supersedes_id TEXT REFERENCES assessments (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX assessments_area_id ON assessments (area_id);
CREATE INDEX assessments_supersedes_id ON assessments (supersedes_id);

CREATE TABLE assessment_findings (
    id TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    problem_area TEXT NOT NULL,
    households INTEGER,
    share DOUBLE PRECISION,
    severity INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    contributed_by TEXT NOT NULL,
    notes TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX assessment_findings_assessment_id ON assessment_findings (assessment_id);

CREATE TABLE assessment_approvals (
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    side TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (assessment_id, side)
);
