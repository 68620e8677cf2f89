-- Switches for bulk writers, each read with current_setting(…, true) and set only with SET LOCAL, so every other
-- transaction is unaffected (the setting is unset there). The Medusa importer (`import medusa`,
-- docs/migrating-from-medusa.md) writes grain state rows and memberships through the same triggers as the grains,
-- so the read model is kept exactly as for our own writes.

-- Events: whether the importer's inserts also emit events (customer.created, customer-group.created,
-- customer-group-customer.created) is its choice (`--events`): a transaction that sets `customers.events` to 'off'
-- emits none. Only the insert triggers listen to it: an import only inserts.
DROP TRIGGER orleansstorage_events_inserted ON orleansstorage;

CREATE TRIGGER orleansstorage_events_inserted
    AFTER INSERT ON orleansstorage
    FOR EACH ROW
    WHEN (NEW.graintypestring IN ('customer', 'customergroup')
          AND current_setting('customers.events', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION orleansstorage_emit_events();

DROP TRIGGER customer_group_customer_events_inserted ON customer_group_customer;

CREATE TRIGGER customer_group_customer_events_inserted
    AFTER INSERT ON customer_group_customer
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT
    WHEN (current_setting('customers.events', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION customer_group_customer_emit_created();

-- Position counters (0011) in bulk: the row trigger updates the same eight counter rows once per customer, and a
-- transaction that inserts thousands of customers updates each of those rows thousands of times (every update a new
-- row version the next one must walk past: quadratic). A transaction that sets `customers.positions` to 'batch'
-- skips the row trigger and counts its new customers itself with one customer_position_add call before it commits,
-- as the seed command does; every other transaction is unaffected.
DROP TRIGGER customer_position_insert_delete ON customer;

CREATE TRIGGER customer_position_insert_delete
    AFTER INSERT OR DELETE ON customer
    FOR EACH ROW
    WHEN (current_setting('customers.positions', true) IS DISTINCT FROM 'batch')
    EXECUTE FUNCTION customer_position_track();
