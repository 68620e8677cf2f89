-- Pruning finished events (Customers:Events:DeliveredRetention, DeadLetterRetention; docs/events.md): the pruner finds
-- delivered events by age with this index (dead-lettered ones with 0009's ix_event_outbox_dead_lettered), and
-- development notifications by age with the second.
CREATE INDEX ix_event_outbox_delivered ON event_outbox (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX ix_dev_notification_created_at ON dev_notification (created_at);
