-- Customer groups (spec §3.1 customer_group, customer_group_customer; §3.5).
--
-- customer_group is read model: CustomerGroupGrain (state name 'customergroup') owns each group, and the triggers
-- below project its state in the same transaction as the grain write, as 0003 does for customers. The unique index
-- on the name of live groups therefore rolls back the grain write that would duplicate a name.
--
-- customer_group_customer (memberships) is NOT grain state: a group may have a million members, and Medusa adds or
-- removes thousands in one request. The host changes memberships with one call of the functions below per request
-- (one statement per direction of change, whatever the batch size), validating every id in the same transaction.

CREATE TABLE customer_group
(
    id         text        NOT NULL PRIMARY KEY,
    name       text        NOT NULL,
    metadata   jsonb       NULL,
    created_by text        NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz NULL
);

-- Case-sensitive, as in Medusa; a soft-deleted group's name can be used again.
CREATE UNIQUE INDEX ix_customer_group_name ON customer_group (name) WHERE deleted_at IS NULL;

-- Medusa's pivot has no unique key and writes a second row when a member is added twice (spec Q19); ours
-- de-duplicates with the unique key below, so "add" is idempotent and reads need no DISTINCT. Removal is a hard
-- delete; deleted_at, created_by and metadata exist for parity with Medusa's table and stay NULL.
CREATE TABLE customer_group_customer
(
    id                text        NOT NULL PRIMARY KEY,
    customer_id       text        NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    customer_group_id text        NOT NULL REFERENCES customer_group (id) ON DELETE CASCADE,
    created_by        text        NULL,
    metadata          jsonb       NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz NULL,
    -- Also the index of "members of a group" (group lists with *customers, the customers filter, removals).
    CONSTRAINT ix_customer_group_customer_group_customer UNIQUE (customer_group_id, customer_id)
);

-- "Groups of a customer" (*groups, the customer list's groups filter, removals from one customer).
CREATE INDEX ix_customer_group_customer_customer_group ON customer_group_customer (customer_id, customer_group_id);

DO $$
BEGIN
    -- 0003 created pg_trgm when it could; without it, q on group names scans (groups are few).
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX ix_customer_group_name_trgm ON customer_group USING gin (name gin_trgm_ops) WHERE deleted_at IS NULL;
    END IF;
END
$$;

-- Projects one customer group state. p_state NULL or without an id means "no group under this key".
CREATE FUNCTION read_model_project_customer_group(p_key text, p_state jsonb)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_id         text        := p_state ->> 'id';
    v_name       text        := p_state ->> 'name';
    v_created_at timestamptz := coalesce((p_state ->> 'created_at')::timestamptz, now());
    v_constraint text;
BEGIN
    IF v_id IS NULL THEN
        DELETE FROM customer_group WHERE id = p_key; -- memberships cascade
        RETURN;
    END IF;

    IF p_key IS DISTINCT FROM v_id THEN
        RAISE EXCEPTION 'customer group state id % does not match its grain key %', v_id, p_key
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- As for customers: the subtransaction lets a duplicate name surface as Medusa's message.
    BEGIN
        INSERT INTO customer_group AS g (id, name, metadata, created_by, created_at, updated_at, deleted_at)
        VALUES (v_id, v_name, nullif(p_state -> 'metadata', 'null'::jsonb), p_state ->> 'created_by', v_created_at,
                coalesce((p_state ->> 'updated_at')::timestamptz, v_created_at), (p_state ->> 'deleted_at')::timestamptz)
        ON CONFLICT (id) DO UPDATE
            SET name       = excluded.name,
                metadata   = excluded.metadata,
                created_by = excluded.created_by,
                created_at = excluded.created_at,
                updated_at = excluded.updated_at,
                deleted_at = excluded.deleted_at
            WHERE (g.name, g.metadata, g.created_by, g.created_at, g.updated_at, g.deleted_at)
                  IS DISTINCT FROM
                  (excluded.name, excluded.metadata, excluded.created_by, excluded.created_at, excluded.updated_at,
                   excluded.deleted_at);
    EXCEPTION WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
        IF v_constraint = 'ix_customer_group_name' THEN
            RAISE EXCEPTION USING
                ERRCODE = 'unique_violation',
                MESSAGE = format('Customer group with name: %s, already exists.', v_name),
                CONSTRAINT = v_constraint,
                TABLE = 'customer_group';
        END IF;
        RAISE;
    END;
END
$$;

-- Own triggers rather than another branch in 0003's dispatcher (which ignores state names it does not know): a
-- later migration that replaces that function cannot drop customer groups by accident, and the WHEN clauses keep
-- every other grain's writes from even calling this function. (WHEN cannot name NEW in a DELETE trigger or OLD in
-- an INSERT trigger, hence two.)
CREATE FUNCTION orleansstorage_project_customer_group()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM read_model_project_customer_group(OLD.grainidextensionstring, NULL);
    ELSE
        PERFORM read_model_project_customer_group(
            NEW.grainidextensionstring,
            CASE WHEN NEW.payloadbinary IS NULL THEN NULL ELSE convert_from(NEW.payloadbinary, 'UTF8')::jsonb END);
    END IF;

    RETURN NULL;
END
$$;

CREATE TRIGGER orleansstorage_read_model_customer_group
    AFTER INSERT OR UPDATE ON orleansstorage
    FOR EACH ROW
    WHEN (NEW.graintypestring = 'customergroup')
    EXECUTE FUNCTION orleansstorage_project_customer_group();

CREATE TRIGGER orleansstorage_read_model_customer_group_deleted
    AFTER DELETE ON orleansstorage
    FOR EACH ROW
    WHEN (OLD.graintypestring = 'customergroup')
    EXECUTE FUNCTION orleansstorage_project_customer_group();

-- Membership changes. Both functions run in the caller's single transaction and either do everything or nothing:
--   * the entity on the other side of every added pair must exist and be live, else 'foreign_key_violation' with
--     Medusa's message "You tried to set relationship <column>: <id>, but such entity does not exist" (the first
--     unknown id in request order); removed pairs are not checked (removing a missing pair does nothing);
--   * every group that gains members is locked FOR SHARE while live. Deleting a group is an UPDATE of its row (the
--     grain's write, through the trigger), so a concurrent delete either waits for this change to commit or has
--     committed first, and then this sees deleted_at and refuses: no member is ever added to a deleted group (spec
--     Q20: Medusa adds it). Customers are checked without a lock: a customer deleted meanwhile keeps a row no read
--     returns, as Medusa leaves the rows of deleted customers;
--   * an id in both lists ends up removed (spec Q19: add, then remove); duplicate ids count once;
--   * rows are inserted in key order, so concurrent batches over the same pairs wait on each other instead of
--     deadlocking.
-- p_add_ids holds a fresh membership id (cusgc_…) for each element of p_add; ids of pairs that already exist are
-- not used. p_now stamps created_at and updated_at (the host's clock).

-- POST /admin/customer-groups/:id/customers (spec G6): customers in and out of one group.
CREATE FUNCTION customer_group_change_customers(
    p_group_id   text,
    p_add        text[],
    p_add_ids    text[],
    p_remove     text[],
    p_now        timestamptz)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_missing text;
BEGIN
    PERFORM 1 FROM customer_group WHERE id = p_group_id AND deleted_at IS NULL FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = format('You tried to set relationship customer_group_id: %s, but such entity does not exist', p_group_id),
            TABLE = 'customer_group_customer';
    END IF;

    IF cardinality(p_add) > 0 THEN
        SELECT a.id INTO v_missing
        FROM unnest(p_add) WITH ORDINALITY AS a (id, n)
        WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = a.id AND c.deleted_at IS NULL)
        ORDER BY a.n
        LIMIT 1;

        IF v_missing IS NOT NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'foreign_key_violation',
                MESSAGE = format('You tried to set relationship customer_id: %s, but such entity does not exist', v_missing),
                TABLE = 'customer_group_customer';
        END IF;

        INSERT INTO customer_group_customer (id, customer_id, customer_group_id, created_at, updated_at)
        SELECT a.membership_id, a.customer_id, p_group_id, p_now, p_now
        FROM unnest(p_add, p_add_ids) AS a (customer_id, membership_id)
        WHERE NOT EXISTS (SELECT 1 FROM unnest(p_remove) AS r (customer_id) WHERE r.customer_id = a.customer_id)
        ORDER BY a.customer_id
        ON CONFLICT ON CONSTRAINT ix_customer_group_customer_group_customer DO NOTHING;
    END IF;

    IF cardinality(p_remove) > 0 THEN
        DELETE FROM customer_group_customer
        WHERE customer_group_id = p_group_id AND customer_id = ANY (p_remove);
    END IF;
END
$$;

-- POST /admin/customers/:id/customer-groups (spec A11): one customer in and out of groups.
CREATE FUNCTION customer_change_groups(
    p_customer_id text,
    p_add         text[],
    p_add_ids     text[],
    p_remove      text[],
    p_now         timestamptz)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_missing text;
BEGIN
    PERFORM 1 FROM customer WHERE id = p_customer_id AND deleted_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = format('You tried to set relationship customer_id: %s, but such entity does not exist', p_customer_id),
            TABLE = 'customer_group_customer';
    END IF;

    IF cardinality(p_add) > 0 THEN
        -- Lock in id order (the same order every caller uses), then look for what the lock did not find.
        PERFORM 1 FROM customer_group g
        WHERE g.id = ANY (p_add) AND g.deleted_at IS NULL
        ORDER BY g.id
        FOR SHARE;

        SELECT a.id INTO v_missing
        FROM unnest(p_add) WITH ORDINALITY AS a (id, n)
        WHERE NOT EXISTS (SELECT 1 FROM customer_group g WHERE g.id = a.id AND g.deleted_at IS NULL)
        ORDER BY a.n
        LIMIT 1;

        IF v_missing IS NOT NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'foreign_key_violation',
                MESSAGE = format('You tried to set relationship customer_group_id: %s, but such entity does not exist', v_missing),
                TABLE = 'customer_group_customer';
        END IF;

        INSERT INTO customer_group_customer (id, customer_id, customer_group_id, created_at, updated_at)
        SELECT a.membership_id, p_customer_id, a.group_id, p_now, p_now
        FROM unnest(p_add, p_add_ids) AS a (group_id, membership_id)
        WHERE NOT EXISTS (SELECT 1 FROM unnest(p_remove) AS r (group_id) WHERE r.group_id = a.group_id)
        ORDER BY a.group_id
        ON CONFLICT ON CONSTRAINT ix_customer_group_customer_group_customer DO NOTHING;
    END IF;

    IF cardinality(p_remove) > 0 THEN
        DELETE FROM customer_group_customer
        WHERE customer_id = p_customer_id AND customer_group_id = ANY (p_remove);
    END IF;
END
$$;
