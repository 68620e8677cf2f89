-- The Medusa importer (`import medusa`, docs/migrating-from-medusa.md) writes grain state rows and memberships through
-- the same triggers as the grains, so the read model is kept exactly as for our own writes. Whether those inserts
-- also emit events (customer.created, customer-group.created, customer-group-customer.created) is the importer's
-- choice: a transaction that sets `customers.events` to 'off' (SET LOCAL) emits none; every other transaction is
-- unaffected (the setting is unset there). Only the insert triggers listen to it: an import only inserts.

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
