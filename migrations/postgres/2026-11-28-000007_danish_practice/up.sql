-- Per-municipality choices: which unit receives concern reports, which units sign for the municipality.
CREATE TABLE municipality_settings (
    municipality_code TEXT PRIMARY KEY,
    concern_report_unit TEXT NOT NULL,
    signatory_units TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL
);

-- A concern report identifies the child so the municipality can act; the CPR
-- number is stored encrypted (AEAD), never in clear text.
ALTER TABLE concern_reports ADD COLUMN child_name TEXT;
ALTER TABLE concern_reports ADD COLUMN child_cpr_encrypted TEXT;
ALTER TABLE concern_reports ADD COLUMN child_birth_date DATE;
ALTER TABLE concern_reports ADD COLUMN child_address TEXT;
ALTER TABLE concern_reports ADD COLUMN parents TEXT NOT NULL DEFAULT '[]';
ALTER TABLE concern_reports ADD COLUMN child_statement TEXT;
ALTER TABLE concern_reports ADD COLUMN parents_informed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE concern_reports ADD COLUMN parents_not_informed_reason TEXT;
-- The reporter's name and call-back phone or e-mail, as JSON.
ALTER TABLE concern_reports ADD COLUMN reporter TEXT NOT NULL DEFAULT '{}';
ALTER TABLE concern_reports ADD COLUMN receiving_unit TEXT NOT NULL DEFAULT 'children_families';
ALTER TABLE concern_reports ADD COLUMN urgency_assessed_at TIMESTAMP;
ALTER TABLE concern_reports ADD COLUMN urgency_assessed_by TEXT;
ALTER TABLE concern_reports ADD COLUMN assessed_urgent INTEGER;
ALTER TABLE concern_reports ADD COLUMN urgency_note TEXT;
-- The unit's feedback to a professional reporter (outcome, when, by whom), as JSON.
ALTER TABLE concern_reports ADD COLUMN feedback TEXT;

-- Who approved for the municipality: the unit counts.
ALTER TABLE assessment_approvals ADD COLUMN unit TEXT;

-- Who gave a consent, and the written document.
ALTER TABLE consents ADD COLUMN given_by_name TEXT;
ALTER TABLE consents ADD COLUMN given_by_relation TEXT;
ALTER TABLE consents ADD COLUMN document_reference TEXT;
CREATE INDEX consents_valid_until ON consents (valid_until);

-- Open events count anonymous participants, without family ids.
ALTER TABLE initiative_sessions ADD COLUMN headcount INTEGER NOT NULL DEFAULT 0;
