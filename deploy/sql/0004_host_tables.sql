-- Tables the HTTP host reads and writes directly (not grain state).

-- Medusa API keys. Publishable keys are looked up by their public token (`pk_…`), stored as is; secret keys
-- (`sk_…`) are stored only as the hex SHA-256 of the token, so a database leak does not leak usable keys.
CREATE TABLE api_key
(
    id           text        NOT NULL PRIMARY KEY,
    token        text        NOT NULL,
    salt         text        NULL,
    redacted     text        NOT NULL,
    title        text        NOT NULL,
    type         text        NOT NULL CONSTRAINT ck_api_key_type CHECK (type IN ('publishable', 'secret')),
    created_by   text        NOT NULL,
    revoked_by   text        NULL,
    revoked_at   timestamptz NULL,
    last_used_at timestamptz NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz NULL
);

CREATE UNIQUE INDEX ix_api_key_token ON api_key (token);

-- Admin users (Medusa's `user`, renamed because `user` is reserved in SQL).
CREATE TABLE app_user
(
    id         text        NOT NULL PRIMARY KEY,
    email      text        NOT NULL,
    first_name text        NULL,
    last_name  text        NULL,
    avatar_url text        NULL,
    metadata   jsonb       NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz NULL
);

CREATE UNIQUE INDEX ix_app_user_email ON app_user (email) WHERE deleted_at IS NULL;

-- Cookie sessions (POST /auth/session): the session id is the cookie value, claims are the token's claims.
CREATE TABLE auth_session
(
    id         text        NOT NULL PRIMARY KEY,
    claims     jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

-- Expired sessions are swept by expiry time.
CREATE INDEX ix_auth_session_expires_at ON auth_session (expires_at);
