-- OAuth / OpenID Connect sign-in (spec §2.6): the `state` of each started redirect sign-in, kept server-side so the
-- callback works whichever silo it reaches. A row is deleted when the callback reads it (single use, even if a later
-- step fails) and is valid for 10 minutes; expired rows are swept whenever a new sign-in starts.
--
-- The state value itself travels through the browser, so only its SHA-256 is stored. The PKCE verifier and the OIDC
-- nonce are what the callback must repeat to the provider; they never leave the server except to the token endpoint.

CREATE TABLE oauth_state
(
    state_hash    bytea       NOT NULL PRIMARY KEY,
    provider      text        NOT NULL,
    actor_type    text        NOT NULL,
    callback_url  text        NOT NULL,
    code_verifier text        NOT NULL,
    nonce         text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);

CREATE INDEX ix_oauth_state_expires_at ON oauth_state (expires_at);
