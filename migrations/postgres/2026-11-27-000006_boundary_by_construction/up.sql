-- Idempotency records keep the identity of an outcome, never a response body:
-- a replay is rendered from the current state, through the policy.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    outcome_status INTEGER,
    resource_id TEXT,
    resource_version INTEGER,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- A receiver's view that loses the shared data changes version and says why.
ALTER TABLE referrals ADD COLUMN redacted_at TIMESTAMP;
ALTER TABLE referrals ADD COLUMN redaction_reason TEXT;
ALTER TABLE referral_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'status_changed';

-- Areas belong to a housing organisation; its data protection officer (claim `org`) reaches them.
ALTER TABLE areas ADD COLUMN organisation_code TEXT NOT NULL DEFAULT '';
CREATE INDEX areas_organisation_code ON areas (organisation_code);

-- Audit events name the area they concern, so a data protection officer sees its organisation's.
ALTER TABLE audit_events ADD COLUMN area_id TEXT;
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change;
UPDATE audit_events SET area_id = (SELECT families.area_id FROM families WHERE families.id = audit_events.family_id)
WHERE family_id IS NOT NULL;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change;
CREATE INDEX audit_events_area_id ON audit_events (area_id);

-- Denied attempts are recorded once per caller, route and minute; this counts the rest.
CREATE TABLE denied_attempts (
    minute TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (minute, actor, action)
);
