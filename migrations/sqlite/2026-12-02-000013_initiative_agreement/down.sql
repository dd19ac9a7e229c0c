ALTER TABLE initiatives DROP COLUMN cooperation_agreement_id;
