-- Second factors and e-mail verification (issue 11). Factors, recovery-code hashes, login challenges and
-- verifications live in the auth identity grain's state; the read model gets only what other components must find
-- without knowing the identity:
--   * auth_identity.kept_credential: the one token or session (a fingerprint of its claims) that survives the
--     revocation written with it, i.e. the caller that enabled or disabled a factor. The revocation feed reads it
--     together with tokens_valid_after.
--   * auth_identity.has_mfa_secret: some factor still holds a sealed TOTP secret, so the host needs
--     Customers:Mfa:EncryptionKey to start.
--   * auth_verification_code: the SHA-256 of each identity's current verification codes, so the unauthenticated
--     confirm route finds the identity from the code alone. Never the code itself.
ALTER TABLE auth_identity
    ADD COLUMN kept_credential text NULL,
    ADD COLUMN has_mfa_secret  boolean NOT NULL DEFAULT false;

CREATE INDEX ix_auth_identity_has_mfa_secret ON auth_identity (id) WHERE has_mfa_secret;

CREATE TABLE auth_verification_code
(
    code_hash        text NOT NULL PRIMARY KEY,
    auth_identity_id text NOT NULL REFERENCES auth_identity (id) ON DELETE CASCADE
);

CREATE INDEX ix_auth_verification_code_auth_identity_id ON auth_verification_code (auth_identity_id);

-- Runs after 0003's projection (triggers fire in name order), so the auth_identity row exists; a cleared state has
-- deleted it and its codes (cascade), leaving nothing to do.
CREATE FUNCTION read_model_project_auth_mfa(p_key text, p_state jsonb)
    RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    v_kept       text    := p_state ->> 'kept_credential';
    v_has_secret boolean := EXISTS (
        SELECT 1 FROM jsonb_array_elements(coalesce(nullif(p_state #> '{mfa,factors}', 'null'::jsonb), '[]'::jsonb)) f
        WHERE f ->> 'sealed_secret' IS NOT NULL);
BEGIN
    IF p_state IS NULL OR p_state ->> 'id' IS NULL THEN
        RETURN;
    END IF;

    UPDATE auth_identity
    SET kept_credential = v_kept,
        has_mfa_secret  = v_has_secret
    WHERE id = p_key
      AND (kept_credential, has_mfa_secret) IS DISTINCT FROM (v_kept, v_has_secret);

    DELETE FROM auth_verification_code c
    WHERE c.auth_identity_id = p_key
      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(nullif(p_state -> 'verifications', 'null'::jsonb), '[]'::jsonb)) v
                      WHERE v ->> 'code_hash' = c.code_hash);

    INSERT INTO auth_verification_code (code_hash, auth_identity_id)
    SELECT v ->> 'code_hash', p_key
    FROM jsonb_array_elements(coalesce(nullif(p_state -> 'verifications', 'null'::jsonb), '[]'::jsonb)) v
    WHERE v ->> 'code_hash' IS NOT NULL
    ON CONFLICT (code_hash) DO NOTHING;
END
$$;

CREATE FUNCTION orleansstorage_project_auth_mfa()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM read_model_project_auth_mfa(
        NEW.grainidextensionstring,
        CASE WHEN NEW.payloadbinary IS NULL THEN NULL ELSE convert_from(NEW.payloadbinary, 'UTF8')::jsonb END);
    RETURN NULL;
END
$$;

CREATE TRIGGER orleansstorage_read_model_auth_mfa
    AFTER INSERT OR UPDATE ON orleansstorage
    FOR EACH ROW
    WHEN (NEW.graintypestring = 'authidentity')
    EXECUTE FUNCTION orleansstorage_project_auth_mfa();
