CREATE TABLE initiatives (
    id TEXT PRIMARY KEY,
    area_id TEXT NOT NULL REFERENCES areas (id),
    initiative_type TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    problem_areas TEXT NOT NULL,
    assessment_id TEXT REFERENCES assessments (id),
    format TEXT NOT NULL,
    partners TEXT NOT NULL,
    languages TEXT NOT NULL,
    interpreter_present INTEGER NOT NULL,
    target_group TEXT,
    capacity INTEGER,
    starts_on DATE NOT NULL,
    ends_on DATE,
    recurrence TEXT,
    status TEXT NOT NULL,
    network_plan TEXT,
    job_centre_agreement TEXT,
    fathers_wanted INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX initiatives_area_id ON initiatives (area_id);
CREATE INDEX initiatives_updated_at ON initiatives (updated_at);

CREATE TABLE families (
    id TEXT PRIMARY KEY,
    area_id TEXT NOT NULL REFERENCES areas (id),
    display_name TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    address TEXT,
    adults INTEGER NOT NULL,
    children INTEGER NOT NULL,
    children_birth_years TEXT NOT NULL,
    languages TEXT NOT NULL,
    interpreter_needed INTEGER NOT NULL,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX families_area_id ON families (area_id, id);
CREATE INDEX families_updated_at ON families (updated_at);

CREATE TABLE family_contacts (
    id TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    occurred_on DATE NOT NULL,
    kind TEXT NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX family_contacts_family_id ON family_contacts (family_id);

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    receiving_unit TEXT NOT NULL,
    purpose TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    given_as TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by TEXT
);
CREATE INDEX consents_family_id ON consents (family_id);

CREATE TABLE enrolments (
    initiative_id TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    heavily_burdened INTEGER NOT NULL,
    mothers INTEGER NOT NULL,
    fathers INTEGER NOT NULL,
    enrolled_by TEXT NOT NULL,
    enrolled_at TIMESTAMP NOT NULL,
    PRIMARY KEY (initiative_id, family_id)
);
CREATE INDEX enrolments_family_id ON enrolments (family_id);

CREATE TABLE initiative_sessions (
    id TEXT PRIMARY KEY,
    initiative_id TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    held_on DATE NOT NULL,
    theme TEXT NOT NULL,
    speaker TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX initiative_sessions_initiative_id ON initiative_sessions (initiative_id);

CREATE TABLE session_attendance (
    session_id TEXT NOT NULL REFERENCES initiative_sessions (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, family_id)
);
CREATE INDEX session_attendance_family_id ON session_attendance (family_id);
