-- Customer and auth identity states written many at a time (the Medusa importer's batches of thousands) are projected
-- into the read model with one statement per table instead of one trigger call per row: per row the work left is the
-- rows and their index entries, while planning, executor start-up and opening the customer table's indexes (about
-- twenty, most of them partial) are paid once per batch instead of once per customer.
--
-- One mapping from a state (the grain's snake_case JSON) to its read-model rows serves both the row triggers (every
-- grain write) and the statement trigger (bulk inserts), so the two cannot drift apart.

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

-- The auth_identity row of a state, MFA columns (0017) included; revocation_seq is the writer's to hand out.
CREATE FUNCTION read_model_auth_identity_row(p_state jsonb)
    RETURNS SETOF auth_identity
    LANGUAGE sql STABLE ROWS 1 AS
$$
SELECT p_state ->> 'id', nullif(p_state -> 'app_metadata', 'null'::jsonb), (p_state ->> 'tokens_valid_after')::timestamptz,
       NULL::bigint, t.created_at, coalesce((p_state ->> 'updated_at')::timestamptz, t.created_at),
       p_state ->> 'kept_credential',
       EXISTS (SELECT 1
               FROM jsonb_array_elements(coalesce(nullif(p_state #> '{mfa,factors}', 'null'::jsonb), '[]'::jsonb)) f
               WHERE f ->> 'sealed_secret' IS NOT NULL)
FROM (SELECT coalesce((p_state ->> 'created_at')::timestamptz, now()) AS created_at) t
$$;

-- The provider identities of a state (never their password hashes), stamped with the identity's last update.
CREATE FUNCTION read_model_provider_rows(p_state jsonb)
    RETURNS SETOF provider_identity
    LANGUAGE sql STABLE AS
$$
SELECT x.id, p_state ->> 'id', x.provider, x.entity_id, nullif(x.user_metadata, 'null'::jsonb), t.updated_at, t.updated_at
FROM (SELECT coalesce((p_state ->> 'updated_at')::timestamptz, (p_state ->> 'created_at')::timestamptz, now()) AS updated_at) t,
     jsonb_to_recordset(coalesce(nullif(p_state -> 'provider_identities', 'null'::jsonb), '[]'::jsonb)) AS x
         (id text, provider text, entity_id text, user_metadata jsonb)
$$;

-- The current verification codes of a state, as their hashes.
CREATE FUNCTION read_model_verification_code_rows(p_state jsonb)
    RETURNS SETOF auth_verification_code
    LANGUAGE sql STABLE AS
$$
SELECT v ->> 'code_hash', p_state ->> 'id'
FROM jsonb_array_elements(coalesce(nullif(p_state -> 'verifications', 'null'::jsonb), '[]'::jsonb)) v
WHERE v ->> 'code_hash' IS NOT NULL
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

-- The auth identity projection of 0003, through the shared mapping. A new identity has no provider identities yet.
CREATE OR REPLACE FUNCTION read_model_project_auth_identity(p_key text, p_state jsonb)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_new        auth_identity%ROWTYPE;
    v_current    auth_identity%ROWTYPE;
    v_exists     boolean;
    v_revoked    boolean;
    v_constraint text;
    v_entity_id  text;
    v_provider   text;
BEGIN
    IF p_state ->> 'id' IS NULL THEN
        DELETE FROM auth_identity WHERE id = p_key; -- provider identities cascade
        RETURN;
    END IF;

    SELECT * INTO v_new FROM read_model_auth_identity_row(p_state);
    IF p_key IS DISTINCT FROM v_new.id THEN
        RAISE EXCEPTION 'auth identity state id % does not match its grain key %', v_new.id, p_key
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    SELECT * INTO v_current FROM auth_identity WHERE id = v_new.id FOR UPDATE;
    v_exists := FOUND;
    v_revoked := CASE WHEN v_exists THEN v_current.tokens_valid_after IS DISTINCT FROM v_new.tokens_valid_after
                      ELSE v_new.tokens_valid_after IS NOT NULL END;

    IF v_revoked THEN
        -- Hand out revocation numbers in commit order: pollers remember the highest number they have seen, so
        -- a smaller number committing after a larger one would be missed. Revocations are rare (logout,
        -- password change or reset), so serialising them costs nothing noticeable. Released at commit.
        PERFORM pg_advisory_xact_lock(7243100001);
    END IF;

    IF NOT v_exists THEN
        INSERT INTO auth_identity (id, app_metadata, tokens_valid_after, revocation_seq, created_at, updated_at)
        VALUES (v_new.id, v_new.app_metadata, v_new.tokens_valid_after,
                CASE WHEN v_revoked THEN nextval('auth_revocation_seq') END,
                v_new.created_at, v_new.updated_at);
    ELSIF (v_current.app_metadata, v_current.tokens_valid_after, v_current.created_at, v_current.updated_at)
          IS DISTINCT FROM (v_new.app_metadata, v_new.tokens_valid_after, v_new.created_at, v_new.updated_at) THEN
        UPDATE auth_identity
        SET app_metadata       = v_new.app_metadata,
            tokens_valid_after = v_new.tokens_valid_after,
            created_at         = v_new.created_at,
            updated_at         = v_new.updated_at,
            revocation_seq     = CASE WHEN v_revoked THEN nextval('auth_revocation_seq') ELSE revocation_seq END
        WHERE id = v_new.id;
    END IF;

    IF v_exists THEN
        DELETE FROM provider_identity p
        WHERE p.auth_identity_id = v_new.id
          AND NOT EXISTS (SELECT 1 FROM read_model_provider_rows(p_state) n WHERE n.id = p.id);
    END IF;

    BEGIN
        INSERT INTO provider_identity AS p
        SELECT * FROM read_model_provider_rows(p_state)
        ON CONFLICT (id) DO UPDATE
            SET auth_identity_id = excluded.auth_identity_id,
                provider         = excluded.provider,
                entity_id        = excluded.entity_id,
                user_metadata    = excluded.user_metadata,
                updated_at       = excluded.updated_at
            WHERE (p.auth_identity_id, p.provider, p.entity_id, p.user_metadata)
                  IS DISTINCT FROM
                  (excluded.auth_identity_id, excluded.provider, excluded.entity_id, excluded.user_metadata);
    EXCEPTION WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
        IF v_constraint = 'ix_provider_identity_entity_provider' THEN
            -- Name the pair that collided: with another identity's row, or twice within this state.
            SELECT x.entity_id, x.provider INTO v_entity_id, v_provider
            FROM read_model_provider_rows(p_state) x
            WHERE EXISTS (SELECT 1 FROM provider_identity o
                          WHERE o.entity_id = x.entity_id AND o.provider = x.provider AND o.id <> x.id)
               OR (SELECT count(*) FROM read_model_provider_rows(p_state) y
                   WHERE y.entity_id = x.entity_id AND y.provider = x.provider) > 1
            LIMIT 1;

            IF FOUND THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'unique_violation',
                    MESSAGE = format('Provider identity with entity_id: %s, provider: %s, already exists.',
                                     v_entity_id, v_provider),
                    CONSTRAINT = v_constraint,
                    TABLE = 'provider_identity';
            END IF;
        END IF;
        RAISE;
    END;
END
$$;

-- The MFA projection of 0017, through the shared mapping.
CREATE OR REPLACE FUNCTION read_model_project_auth_mfa(p_key text, p_state jsonb)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_new auth_identity%ROWTYPE;
BEGIN
    IF p_state IS NULL OR p_state ->> 'id' IS NULL THEN
        RETURN;
    END IF;

    SELECT * INTO v_new FROM read_model_auth_identity_row(p_state);
    UPDATE auth_identity
    SET kept_credential = v_new.kept_credential,
        has_mfa_secret  = v_new.has_mfa_secret
    WHERE id = p_key
      AND (kept_credential, has_mfa_secret) IS DISTINCT FROM (v_new.kept_credential, v_new.has_mfa_secret);

    DELETE FROM auth_verification_code c
    WHERE c.auth_identity_id = p_key
      AND NOT EXISTS (SELECT 1 FROM read_model_verification_code_rows(p_state) v WHERE v.code_hash = c.code_hash);

    INSERT INTO auth_verification_code (code_hash, auth_identity_id)
    SELECT v.code_hash, p_key FROM read_model_verification_code_rows(p_state) v
    ON CONFLICT (code_hash) DO NOTHING;
END
$$;

-- Bulk inserts: a transaction that sets `customers.bulk` to 'on' (with SET LOCAL, as the importer does) has the
-- customer and auth identity states it inserts projected by the statement trigger below instead of row by row. A
-- clash (a duplicate e-mail, a provider subject or an address id already used) fails the whole statement with
-- PostgreSQL's own message, and the writer retries row by row without the switch to learn which row it was. Every
-- other transaction is unaffected (the setting is unset there). Triggers fire in name order and the MFA projection
-- (0017) must follow the row projection: orleansstorage_read_model, _altered, _auth_mfa, _auth_mfa_altered.
DROP TRIGGER orleansstorage_read_model ON orleansstorage;

CREATE TRIGGER orleansstorage_read_model
    AFTER INSERT ON orleansstorage
    FOR EACH ROW
    WHEN (current_setting('customers.bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION orleansstorage_project_read_model();

CREATE TRIGGER orleansstorage_read_model_altered
    AFTER UPDATE OR DELETE ON orleansstorage
    FOR EACH ROW EXECUTE FUNCTION orleansstorage_project_read_model();

DROP TRIGGER orleansstorage_read_model_auth_mfa ON orleansstorage;

CREATE TRIGGER orleansstorage_read_model_auth_mfa
    AFTER INSERT ON orleansstorage
    FOR EACH ROW
    WHEN (NEW.graintypestring = 'authidentity' AND current_setting('customers.bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION orleansstorage_project_auth_mfa();

CREATE TRIGGER orleansstorage_read_model_auth_mfa_altered
    AFTER UPDATE ON orleansstorage
    FOR EACH ROW
    WHEN (NEW.graintypestring = 'authidentity')
    EXECUTE FUNCTION orleansstorage_project_auth_mfa();

CREATE FUNCTION orleansstorage_project_read_model_bulk()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_types  text[];
    v_keys   text[];
    v_states jsonb[];
BEGIN
    -- Each payload is parsed once; each table gets one statement, whose foreign keys are checked at its end.
    SELECT array_agg(i.graintypestring), array_agg(i.grainidextensionstring),
           array_agg(convert_from(i.payloadbinary, 'UTF8')::jsonb)
    INTO v_types, v_keys, v_states
    FROM inserted i
    WHERE i.graintypestring IN ('customer', 'authidentity') AND i.payloadbinary IS NOT NULL;

    IF v_keys IS NULL THEN
        RETURN NULL;
    END IF;

    -- A state without an id means "nothing here", as in the row projection; one whose id is not its grain key fails
    -- the batch, as it fails a row write.
    IF EXISTS (SELECT 1 FROM unnest(v_keys, v_states) AS u(key, state)
               WHERE u.state ->> 'id' IS NOT NULL AND u.state ->> 'id' IS DISTINCT FROM u.key) THEN
        RAISE EXCEPTION 'a state id does not match its grain key' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Revocation numbers in commit order (see read_model_project_auth_identity).
    IF EXISTS (SELECT 1 FROM unnest(v_types, v_states) AS u(type, state)
               WHERE u.type = 'authidentity' AND u.state ->> 'tokens_valid_after' IS NOT NULL) THEN
        PERFORM pg_advisory_xact_lock(7243100001);
    END IF;

    WITH state AS (
             SELECT u.state FROM unnest(v_types, v_states) AS u(type, state)
             WHERE u.type = 'customer' AND u.state ->> 'id' IS NOT NULL),
         customers AS (
             INSERT INTO customer SELECT r.* FROM state s, read_model_customer_row(s.state) r)
    INSERT INTO customer_address SELECT a.* FROM state s, read_model_address_rows(s.state) a;

    WITH state AS (
             SELECT u.state FROM unnest(v_types, v_states) AS u(type, state)
             WHERE u.type = 'authidentity' AND u.state ->> 'id' IS NOT NULL),
         identities AS (
             INSERT INTO auth_identity
             SELECT r.id, r.app_metadata, r.tokens_valid_after,
                    CASE WHEN r.tokens_valid_after IS NOT NULL THEN nextval('auth_revocation_seq') END,
                    r.created_at, r.updated_at, r.kept_credential, r.has_mfa_secret
             FROM state s, read_model_auth_identity_row(s.state) r),
         providers AS (
             INSERT INTO provider_identity SELECT p.* FROM state s, read_model_provider_rows(s.state) p)
    INSERT INTO auth_verification_code SELECT v.* FROM state s, read_model_verification_code_rows(s.state) v
    ON CONFLICT (code_hash) DO NOTHING;

    RETURN NULL;
END
$$;

CREATE TRIGGER orleansstorage_read_model_bulk
    AFTER INSERT ON orleansstorage
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT
    WHEN (current_setting('customers.bulk', true) = 'on')
    EXECUTE FUNCTION orleansstorage_project_read_model_bulk();
