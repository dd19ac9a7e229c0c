DROP TABLE denied_attempts;
DROP INDEX audit_events_area_id;
ALTER TABLE audit_events DROP COLUMN area_id;
DROP INDEX areas_organisation_code;
ALTER TABLE areas DROP COLUMN organisation_code;
ALTER TABLE referral_events DROP COLUMN kind;
ALTER TABLE referrals DROP COLUMN redaction_reason;
ALTER TABLE referrals DROP COLUMN redacted_at;
DROP TABLE idempotency_keys;
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
