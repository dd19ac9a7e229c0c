CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
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

CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- What erasure keeps for statistics: activity under a random pseudonym per
-- erased family, linked to nothing.
CREATE TABLE erased_contacts (
    id TEXT PRIMARY KEY,
    pseudonym TEXT NOT NULL,
    area_id TEXT NOT NULL,
    occurred_on DATE NOT NULL
);
CREATE INDEX erased_contacts_area_id ON erased_contacts (area_id, occurred_on);

CREATE TABLE erased_enrolments (
    id TEXT PRIMARY KEY,
    pseudonym TEXT NOT NULL,
    initiative_id TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    enrolled_at TIMESTAMP NOT NULL
);
CREATE INDEX erased_enrolments_initiative_id ON erased_enrolments (initiative_id);

CREATE TABLE erased_attendance (
    id TEXT PRIMARY KEY,
    pseudonym TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES initiative_sessions (id) ON DELETE CASCADE
);
CREATE INDEX erased_attendance_session_id ON erased_attendance (session_id);
