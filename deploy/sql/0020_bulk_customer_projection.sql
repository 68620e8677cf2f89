-- Customer states written many at a time (the Medusa importer's batches of thousands) are projected into the read
-- model with one statement per table instead of one trigger call per row: per row the work left is the rows and their
-- index entries, while planning, executor start-up and opening the customer table's indexes (about twenty, most of
-- them partial) are paid once per batch instead of once per customer.
--
-- One mapping from a customer state (the grain's snake_case JSON) to its read-model rows serves both the row trigger
-- (every grain write) and the statement trigger (bulk inserts), so the two cannot drift apart.

-- The customer row of a state (with an id).
CREATE FUNCTION read_model_customer_row(p_state jsonb)
    RETURNS SETOF customer
    LANGUAGE sql STABLE ROWS 1 AS
$$
SELECT p_state ->> 'id', p_state ->> 'company_name', p_state ->> 'first_name', p_state ->> 'last_name',
       p_state ->> 'email', p_state ->> 'phone', coalesce((p_state ->> 'has_account')::boolean, false),
       nullif(p_state -> 'metadata', 'null'::jsonb), p_state ->> 'created_by', t.created_at,
       coalesce((p_state ->> 'updated_at')::timestamptz, t.created_at), (p_state ->> 'deleted_at')::timestamptz
FROM (SELECT coalesce((p_state ->> 'created_at')::timestamptz, now()) AS created_at) t
$$;

-- The address rows of a state: they take the customer's creation time when they have none, and its soft deletion.
CREATE FUNCTION read_model_address_rows(p_state jsonb)
    RETURNS SETOF customer_address
    LANGUAGE sql STABLE AS
$$
SELECT x.id, p_state ->> 'id', x.address_name, coalesce(x.is_default_shipping, false),
       coalesce(x.is_default_billing, false), x.company, x.first_name, x.last_name, x.address_1, x.address_2, x.city,
       x.country_code, x.province, x.postal_code, x.phone, nullif(x.metadata, 'null'::jsonb),
       coalesce(x.created_at, t.created_at), coalesce(x.updated_at, x.created_at, t.created_at),
       (p_state ->> 'deleted_at')::timestamptz
FROM (SELECT coalesce((p_state ->> 'created_at')::timestamptz, now()) AS created_at) t,
     jsonb_to_recordset(coalesce(nullif(p_state -> 'addresses', 'null'::jsonb), '[]'::jsonb)) AS x
         (id text, address_name text, is_default_shipping boolean, is_default_billing boolean, company text,
          first_name text, last_name text, address_1 text, address_2 text, city text, country_code text,
          province text, postal_code text, phone text, metadata jsonb, created_at timestamptz,
          updated_at timestamptz)
$$;

-- The row projection of 0003, now through the shared mapping. A customer that was not in the read model before has
-- no addresses yet (they reference it), so its address clean-up is skipped.
CREATE OR REPLACE FUNCTION read_model_project_customer(p_key text, p_state jsonb)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_id          text    := p_state ->> 'id';
    v_has_account boolean := coalesce((p_state ->> 'has_account')::boolean, false);
    v_addresses   jsonb   := coalesce(nullif(p_state -> 'addresses', 'null'::jsonb), '[]'::jsonb);
    v_existed     boolean;
    v_constraint  text;
BEGIN
    IF v_id IS NULL THEN
        DELETE FROM customer WHERE id = p_key; -- addresses cascade
        RETURN;
    END IF;

    IF p_key IS DISTINCT FROM v_id THEN
        RAISE EXCEPTION 'customer state id % does not match its grain key %', v_id, p_key
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    v_existed := EXISTS (SELECT 1 FROM customer WHERE id = v_id);

    -- The subtransaction is what lets a duplicate e-mail surface as Medusa's message, even when the other
    -- customer was committed by a concurrent transaction after this one started.
    BEGIN
        INSERT INTO customer AS c
        SELECT * FROM read_model_customer_row(p_state)
        ON CONFLICT (id) DO UPDATE
            SET company_name = excluded.company_name,
                first_name   = excluded.first_name,
                last_name    = excluded.last_name,
                email        = excluded.email,
                phone        = excluded.phone,
                has_account  = excluded.has_account,
                metadata     = excluded.metadata,
                created_by   = excluded.created_by,
                created_at   = excluded.created_at,
                updated_at   = excluded.updated_at,
                deleted_at   = excluded.deleted_at
            WHERE (c.company_name, c.first_name, c.last_name, c.email, c.phone, c.has_account, c.metadata,
                   c.created_by, c.created_at, c.updated_at, c.deleted_at)
                  IS DISTINCT FROM
                  (excluded.company_name, excluded.first_name, excluded.last_name, excluded.email, excluded.phone,
                   excluded.has_account, excluded.metadata, excluded.created_by, excluded.created_at,
                   excluded.updated_at, excluded.deleted_at);
    EXCEPTION WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
        IF v_constraint = 'ix_customer_email_has_account' THEN
            RAISE EXCEPTION USING
                ERRCODE = 'unique_violation',
                MESSAGE = format('Customer with email: %s, has_account: %s, already exists.',
                                 p_state ->> 'email', v_has_account::text),
                CONSTRAINT = v_constraint,
                TABLE = 'customer';
        END IF;
        RAISE;
    END;

    IF v_existed THEN
        -- Replace the address set: drop addresses no longer in the state, clear default flags the state no longer
        -- sets (so moving a default from one address to another never trips the one-default-per-customer indexes
        -- halfway through the upsert), then upsert what the state holds.
        DELETE FROM customer_address a
        WHERE a.customer_id = v_id
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_addresses) e WHERE e ->> 'id' = a.id);

        UPDATE customer_address a
        SET is_default_shipping = false
        WHERE a.customer_id = v_id
          AND a.is_default_shipping
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_addresses) e
                          WHERE e ->> 'id' = a.id AND (e ->> 'is_default_shipping')::boolean);

        UPDATE customer_address a
        SET is_default_billing = false
        WHERE a.customer_id = v_id
          AND a.is_default_billing
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_addresses) e
                          WHERE e ->> 'id' = a.id AND (e ->> 'is_default_billing')::boolean);
    END IF;

    INSERT INTO customer_address AS a
    SELECT * FROM read_model_address_rows(p_state)
    ON CONFLICT (id) DO UPDATE
        SET customer_id         = excluded.customer_id,
            address_name        = excluded.address_name,
            is_default_shipping = excluded.is_default_shipping,
            is_default_billing  = excluded.is_default_billing,
            company             = excluded.company,
            first_name          = excluded.first_name,
            last_name           = excluded.last_name,
            address_1           = excluded.address_1,
            address_2           = excluded.address_2,
            city                = excluded.city,
            country_code        = excluded.country_code,
            province            = excluded.province,
            postal_code         = excluded.postal_code,
            phone               = excluded.phone,
            metadata            = excluded.metadata,
            created_at          = excluded.created_at,
            updated_at          = excluded.updated_at,
            deleted_at          = excluded.deleted_at
        WHERE (a.customer_id, a.address_name, a.is_default_shipping, a.is_default_billing, a.company, a.first_name,
               a.last_name, a.address_1, a.address_2, a.city, a.country_code, a.province, a.postal_code, a.phone,
               a.metadata, a.created_at, a.updated_at, a.deleted_at)
              IS DISTINCT FROM
              (excluded.customer_id, excluded.address_name, excluded.is_default_shipping,
               excluded.is_default_billing, excluded.company, excluded.first_name, excluded.last_name,
               excluded.address_1, excluded.address_2, excluded.city, excluded.country_code, excluded.province,
               excluded.postal_code, excluded.phone, excluded.metadata, excluded.created_at, excluded.updated_at,
               excluded.deleted_at);
END
$$;

-- Bulk inserts: a transaction that sets `customers.bulk` to 'on' (with SET LOCAL, as the importer does) has the
-- customer states it inserts projected by the statement trigger below instead of row by row. Only new grain rows of
-- customers not yet in the read model take this path; a clash (a duplicate e-mail, an address id already used) fails
-- the whole statement with PostgreSQL's own message, and the writer retries row by row without the switch to learn
-- which row it was. Every other transaction is unaffected (the setting is unset there). Triggers fire in name order
-- and the MFA projection (0017) must follow this one, so both names sort before orleansstorage_read_model_auth_mfa.
DROP TRIGGER orleansstorage_read_model ON orleansstorage;

CREATE TRIGGER orleansstorage_read_model
    AFTER INSERT ON orleansstorage
    FOR EACH ROW
    WHEN (NEW.graintypestring <> 'customer' OR current_setting('customers.bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION orleansstorage_project_read_model();

CREATE TRIGGER orleansstorage_read_model_altered
    AFTER UPDATE OR DELETE ON orleansstorage
    FOR EACH ROW EXECUTE FUNCTION orleansstorage_project_read_model();

CREATE FUNCTION orleansstorage_project_customers_bulk()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_states    bigint;
    v_projected bigint;
BEGIN
    -- One statement, so each payload is parsed once; the address rows' foreign keys are checked at its end, when
    -- their customers are in. A state whose id is not its grain key fails the batch, as it fails a row write.
    WITH state AS MATERIALIZED (
             SELECT i.grainidextensionstring AS key, convert_from(i.payloadbinary, 'UTF8')::jsonb AS state
             FROM inserted i
             WHERE i.graintypestring = 'customer' AND i.payloadbinary IS NOT NULL),
         customers AS (
             INSERT INTO customer
             SELECT r.* FROM state s, read_model_customer_row(s.state) r WHERE r.id = s.key
             RETURNING 1),
         addresses AS (
             INSERT INTO customer_address
             SELECT a.* FROM state s, read_model_address_rows(s.state) a WHERE s.state ->> 'id' = s.key)
    SELECT (SELECT count(*) FROM state WHERE state ->> 'id' IS NOT NULL), (SELECT count(*) FROM customers)
    INTO v_states, v_projected;

    IF v_projected <> v_states THEN
        RAISE EXCEPTION 'a customer state id does not match its grain key'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    RETURN NULL;
END
$$;

CREATE TRIGGER orleansstorage_read_model_bulk
    AFTER INSERT ON orleansstorage
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT
    WHEN (current_setting('customers.bulk', true) = 'on')
    EXECUTE FUNCTION orleansstorage_project_customers_bulk();
