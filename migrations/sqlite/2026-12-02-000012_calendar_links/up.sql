-- Secret subscription addresses of calendar feeds, for calendars that cannot
-- send a bearer token (Outlook, Google Calendar). The token is found by its
-- SHA-256 digest and kept sealed with the data key, so a retried creation can
-- show it again.
CREATE TABLE calendar_links (
    id TEXT PRIMARY KEY,
    token_digest TEXT NOT NULL UNIQUE,
    token_sealed TEXT NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    initiative_id TEXT REFERENCES initiatives (id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX calendar_links_area_id ON calendar_links (area_id, id);
