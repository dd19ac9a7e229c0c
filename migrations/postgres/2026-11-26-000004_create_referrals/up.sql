CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    direction TEXT NOT NULL,
    status TEXT NOT NULL,
    resume_status TEXT,
    purpose TEXT NOT NULL,
    purpose_note TEXT,
    area_id TEXT NOT NULL REFERENCES areas (id),
    municipality_code TEXT NOT NULL,
    unit TEXT NOT NULL,
    family_id TEXT REFERENCES families (id) ON DELETE SET NULL,
    consent_id TEXT REFERENCES consents (id) ON DELETE SET NULL,
    initiative_id TEXT REFERENCES initiatives (id),
    shared_categories TEXT NOT NULL,
    shared_data TEXT,
    consent_statement TEXT,
    consent_valid_until DATE,
    outcome TEXT,
    outcome_note TEXT,
    created_by TEXT NOT NULL,
    requested_at TIMESTAMP,
    accepted_at TIMESTAMP,
    closed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX referrals_receiver ON referrals (municipality_code, unit);
CREATE INDEX referrals_area_id ON referrals (area_id);
CREATE INDEX referrals_family_id ON referrals (family_id);
CREATE INDEX referrals_updated_at ON referrals (updated_at);

CREATE TABLE referral_events (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    occurred_at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    side TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX referral_events_referral_id ON referral_events (referral_id);

CREATE TABLE concern_reports (
    id TEXT PRIMARY KEY,
    family_id TEXT REFERENCES families (id) ON DELETE SET NULL,
    area_id TEXT NOT NULL REFERENCES areas (id),
    municipality_code TEXT NOT NULL,
    child_birth_year INTEGER NOT NULL,
    child_description TEXT,
    observation TEXT NOT NULL,
    observed_on DATE NOT NULL,
    urgent INTEGER NOT NULL,
    reported_by TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    acknowledge_due_at TIMESTAMP NOT NULL,
    urgency_assessment_due_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX concern_reports_municipality ON concern_reports (municipality_code);
CREATE INDEX concern_reports_area_id ON concern_reports (area_id);

CREATE TABLE idempotency_keys (
    subject TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER,
    response_body TEXT,
    response_location TEXT,
    response_etag TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (subject, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
