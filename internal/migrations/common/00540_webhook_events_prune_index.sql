-- +goose Up
-- The prune of settled events (hourly, and once as the dispatcher starts)
-- looked for those fanned out before the retention cut by reading every
-- event in id order: after a day of 100,000 keyed lead creates, a scan of
-- some 130 MB inside SQLite's single writer, which held every write (and
-- /readyz, whose ping waits for the writer) for seconds. It reads this
-- index's range of old events instead.
CREATE INDEX webhook_events_dispatched ON webhook_events (dispatched_at);

-- +goose Down
DROP INDEX webhook_events_dispatched;
