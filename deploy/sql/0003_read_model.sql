-- Relational read model, maintained by a trigger on orleansstorage in the same transaction as the grain's
-- state write. Grains own the data; these tables exist for queries the grains cannot answer (lists, search,
-- lookups by email or provider identity) and for uniqueness across grains: a unique violation here rolls back
-- the grain write that caused it, so Orleans' WriteStateAsync fails and nothing is half-written.
--
-- The trigger dispatches on graintypestring (the [PersistentState] state name) and reads the payload as the
-- grains' System.Text.Json (snake_case) state. Grain key = grainidextensionstring = the entity id.
-- A NULL payload (cleared state), a deleted storage row, or a state whose "id" is null removes the rows.
-- Column names and types follow Medusa's customer and auth modules.

-- Trigram indexes make Medusa's `q` (ILIKE '%s%' across several columns) searchable without scans.
-- pg_trgm is a trusted contrib extension; when it is missing or not allowed, search still works, just slower.

CREATE TABLE customer
(
    id           text        NOT NULL PRIMARY KEY,
    company_name text        NULL,
    first_name   text        NULL,
    last_name    text        NULL,
    email        text        NULL,
    phone        text        NULL,
    has_account  boolean     NOT NULL DEFAULT false,
    metadata     jsonb       NULL,
    created_by   text        NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz NULL
);

-- At most one guest and one account customer per exact e-mail among live customers; NULL e-mails never collide.
CREATE UNIQUE INDEX ix_customer_email_has_account ON customer (email, has_account) WHERE deleted_at IS NULL;
-- Admin lists page live customers by creation time.
CREATE INDEX ix_customer_created_at ON customer (created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE customer_address
(
    id                  text        NOT NULL PRIMARY KEY,
    customer_id         text        NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    address_name        text        NULL,
    is_default_shipping boolean     NOT NULL DEFAULT false,
    is_default_billing  boolean     NOT NULL DEFAULT false,
    company             text        NULL,
    first_name          text        NULL,
    last_name           text        NULL,
    address_1           text        NULL,
    address_2           text        NULL,
    city                text        NULL,
    country_code        text        NULL,
    province            text        NULL,
    postal_code         text        NULL,
    phone               text        NULL,
    metadata            jsonb       NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz NULL
);

CREATE INDEX ix_customer_address_customer_id ON customer_address (customer_id);
-- As in Medusa, these do not exclude soft-deleted rows.
CREATE UNIQUE INDEX ix_customer_address_unique_customer_shipping
    ON customer_address (customer_id) WHERE is_default_shipping = true;
CREATE UNIQUE INDEX ix_customer_address_unique_customer_billing
    ON customer_address (customer_id) WHERE is_default_billing = true;

-- Silos poll `WHERE revocation_seq > $last` to learn of revoked tokens (logout, password change or reset).
CREATE SEQUENCE auth_revocation_seq AS bigint;

CREATE TABLE auth_identity
(
    id                 text        NOT NULL PRIMARY KEY,
    app_metadata       jsonb       NULL,
    tokens_valid_after timestamptz NULL,
    revocation_seq     bigint      NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX ix_auth_identity_revocation_seq ON auth_identity (revocation_seq) WHERE revocation_seq IS NOT NULL;
-- Finding the identity of a customer or admin user (e.g. when a customer is deleted).
CREATE INDEX ix_auth_identity_customer_id ON auth_identity ((app_metadata ->> 'customer_id'));
CREATE INDEX ix_auth_identity_user_id ON auth_identity ((app_metadata ->> 'user_id'));

-- No password hash here: it stays in the auth identity grain's state.
CREATE TABLE provider_identity
(
    id               text        NOT NULL PRIMARY KEY,
    auth_identity_id text        NOT NULL REFERENCES auth_identity (id) ON DELETE CASCADE,
    provider         text        NOT NULL,
    entity_id        text        NOT NULL,
    user_metadata    jsonb       NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- Across all actor types: one e-mail has one emailpass identity, shared by customer and admin roles.
    CONSTRAINT ix_provider_identity_entity_provider UNIQUE (entity_id, provider)
);

CREATE INDEX ix_provider_identity_auth_identity_id ON provider_identity (auth_identity_id);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        RAISE NOTICE 'pg_trgm is not available; customer search (q) will not be indexed';
        RETURN;
    END IF;

    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'not allowed to create extension pg_trgm; customer search (q) will not be indexed';
        RETURN;
    END;

    CREATE INDEX ix_customer_email_trgm ON customer USING gin (email gin_trgm_ops) WHERE deleted_at IS NULL;
    CREATE INDEX ix_customer_first_name_trgm ON customer USING gin (first_name gin_trgm_ops) WHERE deleted_at IS NULL;
    CREATE INDEX ix_customer_last_name_trgm ON customer USING gin (last_name gin_trgm_ops) WHERE deleted_at IS NULL;
    CREATE INDEX ix_customer_phone_trgm ON customer USING gin (phone gin_trgm_ops) WHERE deleted_at IS NULL;
    CREATE INDEX ix_customer_company_name_trgm ON customer USING gin (company_name gin_trgm_ops) WHERE deleted_at IS NULL;
END
$$;

-- Projects one customer state. p_state NULL or without an id means "no customer under this key".
CREATE FUNCTION read_model_project_customer(p_key text, p_state jsonb)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_id          text        := p_state ->> 'id';
    v_email       text        := p_state ->> 'email';
    v_has_account boolean     := coalesce((p_state ->> 'has_account')::boolean, false);
    v_created_at  timestamptz := coalesce((p_state ->> 'created_at')::timestamptz, now());
    v_deleted_at  timestamptz := (p_state ->> 'deleted_at')::timestamptz;
    v_addresses   jsonb       := coalesce(nullif(p_state -> 'addresses', 'null'::jsonb), '[]'::jsonb);
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

    -- The subtransaction is what lets a duplicate e-mail surface as Medusa's message, even when the other
    -- customer was committed by a concurrent transaction after this one started.
    BEGIN
        INSERT INTO customer AS c
            (id, company_name, first_name, last_name, email, phone, has_account, metadata, created_by,
             created_at, updated_at, deleted_at)
        VALUES
            (v_id, p_state ->> 'company_name', p_state ->> 'first_name', p_state ->> 'last_name', v_email,
             p_state ->> 'phone', v_has_account, nullif(p_state -> 'metadata', 'null'::jsonb),
             p_state ->> 'created_by', v_created_at,
             coalesce((p_state ->> 'updated_at')::timestamptz, v_created_at), v_deleted_at)
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
                MESSAGE = format('Customer with email: %s, has_account: %s, already exists.', v_email, v_has_account::text),
                CONSTRAINT = v_constraint,
                TABLE = 'customer';
        END IF;
        RAISE;
    END;

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

    INSERT INTO customer_address AS a
        (id, customer_id, address_name, is_default_shipping, is_default_billing, company, first_name, last_name,
         address_1, address_2, city, country_code, province, postal_code, phone, metadata,
         created_at, updated_at, deleted_at)
    SELECT x.id, v_id, x.address_name, coalesce(x.is_default_shipping, false), coalesce(x.is_default_billing, false),
           x.company, x.first_name, x.last_name, x.address_1, x.address_2, x.city, x.country_code, x.province,
           x.postal_code, x.phone, nullif(x.metadata, 'null'::jsonb),
           coalesce(x.created_at, v_created_at), coalesce(x.updated_at, x.created_at, v_created_at),
           v_deleted_at -- soft-deleted with their customer
    FROM jsonb_to_recordset(v_addresses) AS x
        (id text, address_name text, is_default_shipping boolean, is_default_billing boolean, company text,
         first_name text, last_name text, address_1 text, address_2 text, city text, country_code text,
         province text, postal_code text, phone text, metadata jsonb, created_at timestamptz,
         updated_at timestamptz)
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

-- Projects one auth identity state (never its password hashes). p_state NULL or without an id removes it.
CREATE FUNCTION read_model_project_auth_identity(p_key text, p_state jsonb)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_id                 text        := p_state ->> 'id';
    v_app_metadata       jsonb       := nullif(p_state -> 'app_metadata', 'null'::jsonb);
    v_tokens_valid_after timestamptz := (p_state ->> 'tokens_valid_after')::timestamptz;
    v_created_at         timestamptz := coalesce((p_state ->> 'created_at')::timestamptz, now());
    v_updated_at         timestamptz := coalesce((p_state ->> 'updated_at')::timestamptz, v_created_at);
    v_providers          jsonb       := coalesce(nullif(p_state -> 'provider_identities', 'null'::jsonb), '[]'::jsonb);
    v_current            auth_identity%ROWTYPE;
    v_exists             boolean;
    v_revoked            boolean;
    v_constraint         text;
    v_entity_id          text;
    v_provider           text;
BEGIN
    IF v_id IS NULL THEN
        DELETE FROM auth_identity WHERE id = p_key; -- provider identities cascade
        RETURN;
    END IF;

    IF p_key IS DISTINCT FROM v_id THEN
        RAISE EXCEPTION 'auth identity state id % does not match its grain key %', v_id, p_key
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    SELECT * INTO v_current FROM auth_identity WHERE id = v_id FOR UPDATE;
    v_exists := FOUND;
    v_revoked := CASE WHEN v_exists THEN v_current.tokens_valid_after IS DISTINCT FROM v_tokens_valid_after
                      ELSE v_tokens_valid_after IS NOT NULL END;

    IF v_revoked THEN
        -- Hand out revocation numbers in commit order: pollers remember the highest number they have seen, so
        -- a smaller number committing after a larger one would be missed. Revocations are rare (logout,
        -- password change or reset), so serialising them costs nothing noticeable. Released at commit.
        PERFORM pg_advisory_xact_lock(7243100001);
    END IF;

    IF NOT v_exists THEN
        INSERT INTO auth_identity (id, app_metadata, tokens_valid_after, revocation_seq, created_at, updated_at)
        VALUES (v_id, v_app_metadata, v_tokens_valid_after,
                CASE WHEN v_revoked THEN nextval('auth_revocation_seq') END,
                v_created_at, v_updated_at);
    ELSIF (v_current.app_metadata, v_current.tokens_valid_after, v_current.created_at, v_current.updated_at)
          IS DISTINCT FROM (v_app_metadata, v_tokens_valid_after, v_created_at, v_updated_at) THEN
        UPDATE auth_identity
        SET app_metadata       = v_app_metadata,
            tokens_valid_after = v_tokens_valid_after,
            created_at         = v_created_at,
            updated_at         = v_updated_at,
            revocation_seq     = CASE WHEN v_revoked THEN nextval('auth_revocation_seq') ELSE revocation_seq END
        WHERE id = v_id;
    END IF;

    DELETE FROM provider_identity p
    WHERE p.auth_identity_id = v_id
      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_providers) e WHERE e ->> 'id' = p.id);

    BEGIN
        INSERT INTO provider_identity AS p
            (id, auth_identity_id, provider, entity_id, user_metadata, created_at, updated_at)
        SELECT x.id, v_id, x.provider, x.entity_id, nullif(x.user_metadata, 'null'::jsonb), v_updated_at, v_updated_at
        FROM jsonb_to_recordset(v_providers) AS x (id text, provider text, entity_id text, user_metadata jsonb)
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
            FROM jsonb_to_recordset(v_providers) AS x (id text, provider text, entity_id text)
            WHERE EXISTS (SELECT 1 FROM provider_identity o
                          WHERE o.entity_id = x.entity_id AND o.provider = x.provider AND o.id <> x.id)
               OR (SELECT count(*) FROM jsonb_to_recordset(v_providers) AS y (provider text, entity_id text)
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

CREATE FUNCTION orleansstorage_project_read_model()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_row   orleansstorage;
    v_state jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        v_row := OLD;
    ELSE
        v_row := NEW;
    END IF;

    IF v_row.graintypestring NOT IN ('customer', 'authidentity') THEN
        RETURN NULL;
    END IF;

    IF TG_OP <> 'DELETE' AND v_row.payloadbinary IS NOT NULL THEN
        v_state := convert_from(v_row.payloadbinary, 'UTF8')::jsonb;
    END IF;

    IF v_row.graintypestring = 'customer' THEN
        PERFORM read_model_project_customer(v_row.grainidextensionstring, v_state);
    ELSE
        PERFORM read_model_project_auth_identity(v_row.grainidextensionstring, v_state);
    END IF;

    RETURN NULL;
END
$$;

CREATE TRIGGER orleansstorage_read_model
    AFTER INSERT OR UPDATE OR DELETE ON orleansstorage
    FOR EACH ROW EXECUTE FUNCTION orleansstorage_project_read_model();
