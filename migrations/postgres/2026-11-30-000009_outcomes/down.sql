DROP TABLE measurements;
ALTER TABLE initiatives DROP COLUMN follow_up_months;
ALTER TABLE initiatives DROP COLUMN goals;
