-- Events (issue 3, item 4; spec §3.6): a transactional outbox.
--
-- Every change that Medusa announces on its event bus is recorded in event_outbox in the same transaction as the
-- change itself, so an acknowledged write always has its events and a write that rolls back (a duplicate e-mail, a
-- lost ETag race) has none:
--   * customers and customer groups: the triggers below compare the grain's previous and new state JSON (OLD and NEW
--     payload of its orleansstorage row) and derive the events, as 0003/0008 derive the read model;
--   * group memberships (not grain state, see 0008): statement triggers on customer_group_customer, one INSERT per
--     statement whatever the batch size;
--   * auth.password_reset: written by the host (OutboxNotificationSink) in its own transaction.
-- Silos then deliver each row at least once (EventDispatcher): they claim due rows with FOR UPDATE SKIP LOCKED and
-- a lease, post them to every configured webhook and publish them to an Orleans stream, and record per target
-- (event_delivery) what was delivered, so a failing webhook neither blocks nor duplicates delivery to another.
-- Rows are kept after delivery (delivered_at) or after the last failed try (dead_lettered_at, last_error).

CREATE TABLE event_outbox
(
    id               text        NOT NULL PRIMARY KEY DEFAULT ('evt_' || replace(gen_random_uuid()::text, '-', '')),
    -- Commit order is not guaranteed to follow this order across concurrent transactions; within one transaction
    -- (one change) it is the order of §3.6. Receivers that need an order sort by it.
    sequence         bigserial   NOT NULL UNIQUE,
    name             text        NOT NULL,
    data             jsonb       NOT NULL,
    metadata         jsonb       NULL,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Dispatch rounds so far. A round that leaves targets pending moves next_attempt_at to the earliest of their
    -- next tries; a claim moves it forward by the lease, so a silo that dies mid-round releases the row by itself.
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    claimed_by       text        NULL,
    -- Set once every target has acknowledged (delivered_at) or, if any target gave up, when the last one finished
    -- (dead_lettered_at, with that target's last_error).
    delivered_at     timestamptz NULL,
    dead_lettered_at timestamptz NULL,
    last_error       text        NULL
);

-- The dispatchers' claim: due, unfinished rows in sequence order.
CREATE INDEX ix_event_outbox_due ON event_outbox (next_attempt_at, sequence)
    WHERE delivered_at IS NULL AND dead_lettered_at IS NULL;
CREATE INDEX ix_event_outbox_name_sequence ON event_outbox (name, sequence);
CREATE INDEX ix_event_outbox_dead_lettered ON event_outbox (dead_lettered_at) WHERE dead_lettered_at IS NOT NULL;

-- Delivery state per event and target (`webhook:<name>` or `stream`). A target with delivered_at set is never sent
-- the event again; one with dead_lettered_at set is the dead-letter record of that target.
CREATE TABLE event_delivery
(
    event_id         text        NOT NULL REFERENCES event_outbox (id) ON DELETE CASCADE,
    target           text        NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NULL,
    delivered_at     timestamptz NULL,
    dead_lettered_at timestamptz NULL,
    last_status      integer     NULL,
    last_error       text        NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, target)
);

CREATE INDEX ix_event_delivery_dead_lettered ON event_delivery (target, dead_lettered_at) WHERE dead_lettered_at IS NOT NULL;

-- Medusa's module events carry {source, object, action} as metadata (spec §3.6); workflow events carry none.
CREATE FUNCTION event_outbox_emit(p_name text, p_id text, p_object text DEFAULT NULL, p_action text DEFAULT NULL)
    RETURNS void
    LANGUAGE sql AS
$$
    INSERT INTO event_outbox (name, data, metadata)
    VALUES (p_name, jsonb_build_object('id', p_id),
            CASE WHEN p_object IS NULL THEN NULL
                 ELSE jsonb_build_object('source', 'customer', 'object', p_object, 'action', p_action) END);
$$;

-- Customer state transitions (spec §3.6, in its order). Live = has an id and no deleted_at.
CREATE FUNCTION events_customer(p_old jsonb, p_new jsonb)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_old_live boolean := p_old ->> 'id' IS NOT NULL AND p_old ->> 'deleted_at' IS NULL;
    v_new_live boolean := p_new ->> 'id' IS NOT NULL AND p_new ->> 'deleted_at' IS NULL;
    v_old_addr jsonb   := CASE WHEN v_old_live THEN coalesce(nullif(p_old -> 'addresses', 'null'::jsonb), '[]'::jsonb) ELSE '[]'::jsonb END;
    v_new_addr jsonb   := CASE WHEN v_new_live THEN coalesce(nullif(p_new -> 'addresses', 'null'::jsonb), '[]'::jsonb) ELSE '[]'::jsonb END;
    v_id       text;
    v_changed  boolean;
    r          record;
BEGIN
    IF NOT v_old_live AND NOT v_new_live THEN
        RETURN;
    END IF;

    IF NOT v_old_live THEN
        v_id := p_new ->> 'id';
        PERFORM event_outbox_emit('customer.customer.created', v_id, 'customer', 'created');
        FOR r IN SELECT e ->> 'id' AS id FROM jsonb_array_elements(v_new_addr) WITH ORDINALITY AS a (e, n) ORDER BY n LOOP
            PERFORM event_outbox_emit('customer.customer-address.created', r.id, 'customer_address', 'created');
        END LOOP;
        PERFORM event_outbox_emit('customer.created', v_id);
        RETURN;
    END IF;

    IF NOT v_new_live THEN
        v_id := p_old ->> 'id';
        PERFORM event_outbox_emit('customer.customer.deleted', v_id, 'customer', 'deleted');
        FOR r IN SELECT e ->> 'id' AS id FROM jsonb_array_elements(v_old_addr) WITH ORDINALITY AS a (e, n) ORDER BY n LOOP
            PERFORM event_outbox_emit('customer.customer-address.deleted', r.id, 'customer_address', 'deleted');
        END LOOP;
        PERFORM event_outbox_emit('customer.deleted', v_id);
        RETURN;
    END IF;

    v_id := p_new ->> 'id';
    -- An address change does not touch the customer's own fields; a customer write that changed only updated_at
    -- (and no address) is still an update.
    v_changed := (p_old - 'addresses' - 'updated_at') IS DISTINCT FROM (p_new - 'addresses' - 'updated_at')
                 OR (v_old_addr = v_new_addr AND p_old -> 'updated_at' IS DISTINCT FROM p_new -> 'updated_at');
    IF v_changed THEN
        PERFORM event_outbox_emit('customer.customer.updated', v_id, 'customer', 'updated');
    END IF;

    -- Updated addresses first, those whose default flag was cleared before the others, then created, then deleted.
    FOR r IN
        SELECT n.e ->> 'id' AS id
        FROM jsonb_array_elements(v_new_addr) WITH ORDINALITY AS n (e, pos)
        JOIN jsonb_array_elements(v_old_addr) AS o (e) ON o.e ->> 'id' = n.e ->> 'id'
        WHERE o.e IS DISTINCT FROM n.e
        ORDER BY ((coalesce((o.e ->> 'is_default_shipping')::boolean, false) AND NOT coalesce((n.e ->> 'is_default_shipping')::boolean, false))
               OR (coalesce((o.e ->> 'is_default_billing')::boolean, false) AND NOT coalesce((n.e ->> 'is_default_billing')::boolean, false))) DESC,
                 n.pos
    LOOP
        PERFORM event_outbox_emit('customer.customer-address.updated', r.id, 'customer_address', 'updated');
    END LOOP;

    FOR r IN
        SELECT n.e ->> 'id' AS id
        FROM jsonb_array_elements(v_new_addr) WITH ORDINALITY AS n (e, pos)
        WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_old_addr) AS o (e) WHERE o.e ->> 'id' = n.e ->> 'id')
        ORDER BY n.pos
    LOOP
        PERFORM event_outbox_emit('customer.customer-address.created', r.id, 'customer_address', 'created');
    END LOOP;

    FOR r IN
        SELECT o.e ->> 'id' AS id
        FROM jsonb_array_elements(v_old_addr) WITH ORDINALITY AS o (e, pos)
        WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_new_addr) AS n (e) WHERE n.e ->> 'id' = o.e ->> 'id')
        ORDER BY o.pos
    LOOP
        PERFORM event_outbox_emit('customer.customer-address.deleted', r.id, 'customer_address', 'deleted');
    END LOOP;

    IF v_changed THEN
        PERFORM event_outbox_emit('customer.updated', v_id);
    END IF;
END
$$;

-- Customer group transitions: the module event Medusa emits (customer.customer-group.*), then customer-group.*, the
-- workflow-level name issue 3 asks for (Medusa 2.21 itself emits only the module event).
CREATE FUNCTION events_customer_group(p_old jsonb, p_new jsonb)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_old_live boolean := p_old ->> 'id' IS NOT NULL AND p_old ->> 'deleted_at' IS NULL;
    v_new_live boolean := p_new ->> 'id' IS NOT NULL AND p_new ->> 'deleted_at' IS NULL;
    v_action   text;
    v_id       text;
BEGIN
    IF NOT v_old_live AND v_new_live THEN
        v_action := 'created';
        v_id := p_new ->> 'id';
    ELSIF v_old_live AND NOT v_new_live THEN
        v_action := 'deleted';
        v_id := p_old ->> 'id';
    ELSIF v_old_live AND v_new_live AND p_old IS DISTINCT FROM p_new THEN
        v_action := 'updated';
        v_id := p_new ->> 'id';
    ELSE
        RETURN;
    END IF;

    PERFORM event_outbox_emit('customer.customer-group.' || v_action, v_id, 'customer_group', v_action);
    PERFORM event_outbox_emit('customer-group.' || v_action, v_id);
END
$$;

CREATE FUNCTION orleansstorage_emit_events()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_type text;
    v_old  jsonb;
    v_new  jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        v_type := OLD.graintypestring;
        IF OLD.payloadbinary IS NOT NULL THEN
            v_old := convert_from(OLD.payloadbinary, 'UTF8')::jsonb;
        END IF;
    END IF;

    IF TG_OP <> 'DELETE' THEN
        v_type := NEW.graintypestring;
        IF NEW.payloadbinary IS NOT NULL THEN
            v_new := convert_from(NEW.payloadbinary, 'UTF8')::jsonb;
        END IF;
    END IF;

    IF v_type = 'customer' THEN
        PERFORM events_customer(v_old, v_new);
    ELSIF v_type = 'customergroup' THEN
        PERFORM events_customer_group(v_old, v_new);
    END IF;

    RETURN NULL;
END
$$;

-- Own triggers, as in 0008 (WHEN cannot name NEW in a DELETE trigger or OLD in an INSERT trigger, hence three).
CREATE TRIGGER orleansstorage_events_inserted
    AFTER INSERT ON orleansstorage
    FOR EACH ROW
    WHEN (NEW.graintypestring IN ('customer', 'customergroup'))
    EXECUTE FUNCTION orleansstorage_emit_events();

CREATE TRIGGER orleansstorage_events_updated
    AFTER UPDATE ON orleansstorage
    FOR EACH ROW
    WHEN (NEW.graintypestring IN ('customer', 'customergroup'))
    EXECUTE FUNCTION orleansstorage_emit_events();

CREATE TRIGGER orleansstorage_events_deleted
    AFTER DELETE ON orleansstorage
    FOR EACH ROW
    WHEN (OLD.graintypestring IN ('customer', 'customergroup'))
    EXECUTE FUNCTION orleansstorage_emit_events();

-- Memberships: one event per pair added or removed (data.id = the cusgc_… id), in (group, customer) order; one
-- INSERT per statement, so a batch of thousands stays one round trip.
CREATE FUNCTION customer_group_customer_emit_created()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO event_outbox (name, data, metadata)
    SELECT 'customer.customer-group-customer.created', jsonb_build_object('id', i.id),
           jsonb_build_object('source', 'customer', 'object', 'customer_group_customer', 'action', 'created')
    FROM inserted i
    ORDER BY i.customer_group_id, i.customer_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION customer_group_customer_emit_deleted()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO event_outbox (name, data, metadata)
    SELECT 'customer.customer-group-customer.deleted', jsonb_build_object('id', d.id),
           jsonb_build_object('source', 'customer', 'object', 'customer_group_customer', 'action', 'deleted')
    FROM deleted d
    ORDER BY d.customer_group_id, d.customer_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER customer_group_customer_events_inserted
    AFTER INSERT ON customer_group_customer
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT
    EXECUTE FUNCTION customer_group_customer_emit_created();

CREATE TRIGGER customer_group_customer_events_deleted
    AFTER DELETE ON customer_group_customer
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT
    EXECUTE FUNCTION customer_group_customer_emit_deleted();
