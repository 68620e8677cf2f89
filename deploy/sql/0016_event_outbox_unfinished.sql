-- The oldest unfinished event, read by every dispatcher round for the customers.events.oldest_undelivered_age
-- metric: a partial index keeps that a single index probe however many delivered rows are retained.
CREATE INDEX ix_event_outbox_unfinished ON event_outbox (sequence) WHERE delivered_at IS NULL AND dead_lettered_at IS NULL;
