-- +goose Up
-- A delivery's uniqueness is keyed by event first, so the same index
-- serves the cascade from a pruned event, and webhook_deliveries_event (an
-- index every delivery wrote) goes. (SQLite's 00530 also moves the
-- idempotency keys out of a WITHOUT ROWID table; a PostgreSQL heap row of
-- that size needs no change.)
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_endpoint_id_event_id_key;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_event_id_endpoint_id_key UNIQUE (event_id, endpoint_id);
DROP INDEX webhook_deliveries_event;

-- +goose Down
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_event_id_endpoint_id_key;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_endpoint_id_event_id_key UNIQUE (endpoint_id, event_id);
