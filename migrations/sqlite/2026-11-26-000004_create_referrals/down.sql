DROP TABLE idempotency_keys;
DROP TABLE concern_reports;
DROP TABLE referral_events;
DROP TABLE referrals;
