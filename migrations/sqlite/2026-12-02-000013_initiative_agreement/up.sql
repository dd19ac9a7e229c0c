-- The cooperation agreement an initiative is part of.
ALTER TABLE initiatives ADD COLUMN cooperation_agreement_id TEXT REFERENCES cooperation_agreements (id);
