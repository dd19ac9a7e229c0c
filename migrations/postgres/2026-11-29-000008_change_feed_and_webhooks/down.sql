DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP TABLE change_feed_state;
DROP TABLE changes;
