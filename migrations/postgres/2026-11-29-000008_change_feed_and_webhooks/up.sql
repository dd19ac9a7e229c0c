-- The change feed: an outbox row per change, written in the transaction that
-- makes the change. `txid` is that transaction's id; a reader returns only rows
-- of transactions older than its snapshot's xmin, ordered by (txid, seq), so a
-- cursor never passes a change that commits later.
CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    change_type TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    -- Who may see it: the housing-social side of an area, and/or the municipal
    -- side (a municipality, or one unit of it).
    area_id TEXT,
    housing_side INTEGER NOT NULL,
    municipality_code TEXT,
    unit TEXT,
    municipal_side INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX changes_position ON changes (txid, seq);
CREATE INDEX changes_occurred_at ON changes (occurred_at);

-- How far entries were pruned (older cursors get 410), and how far webhook
-- deliveries were fanned out.
CREATE TABLE change_feed_state (
    id INTEGER PRIMARY KEY,
    pruned_txid BIGINT NOT NULL,
    pruned_seq BIGINT NOT NULL,
    fanout_txid BIGINT NOT NULL,
    fanout_seq BIGINT NOT NULL
);
INSERT INTO change_feed_state VALUES (1, 0, 0, 0, 0);

CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    -- The signing secret, sealed with the data key.
    secret_sealed TEXT NOT NULL,
    -- JSON array of change types.
    change_types TEXT NOT NULL,
    -- The subscriber: an area team (JSON array of area ids) or a municipal unit.
    scope_areas TEXT,
    scope_municipality TEXT,
    scope_unit TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    change_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    leased_until TIMESTAMP,
    last_status_code INTEGER,
    last_error TEXT,
    last_attempt_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_of_subscription ON webhook_deliveries (subscription_id, id);
