CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    family_id TEXT,
    outcome TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_events_family_id ON audit_events (family_id);
CREATE INDEX audit_events_actor ON audit_events (actor);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- What erasure keeps for statistics: activity under a random pseudonym per
-- erased family, linked to nothing.
CREATE TABLE erased_contacts (
    id TEXT PRIMARY KEY NOT NULL,
    pseudonym TEXT NOT NULL,
    area_id TEXT NOT NULL,
    occurred_on DATE NOT NULL
);
CREATE INDEX erased_contacts_area_id ON erased_contacts (area_id, occurred_on);

CREATE TABLE erased_enrolments (
    id TEXT PRIMARY KEY NOT NULL,
    pseudonym TEXT NOT NULL,
    initiative_id TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    enrolled_at TIMESTAMP NOT NULL
);
CREATE INDEX erased_enrolments_initiative_id ON erased_enrolments (initiative_id);

CREATE TABLE erased_attendance (
    id TEXT PRIMARY KEY NOT NULL,
    pseudonym TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES initiative_sessions (id) ON DELETE CASCADE
);
CREATE INDEX erased_attendance_session_id ON erased_attendance (session_id);
