-- Admin API (issue 3, first part): admin users, API keys, admin customer lists.

-- Secret API keys (`sk_…`) are stored only as a hex digest of the token (ours: SHA-256; a key imported from Medusa
-- would carry its salted scrypt digest, also hex); the admin API and the CLI show the token once, when the key is
-- made. The constraint makes storing a plaintext secret key impossible, whatever code writes the row.
ALTER TABLE api_key
    ADD CONSTRAINT ck_api_key_secret_hashed CHECK (type <> 'secret' OR token ~ '^[0-9a-f]+$');

-- GET /admin/api-keys pages live keys by id (creation order), often per type.
CREATE INDEX ix_api_key_type_id ON api_key (type, id) WHERE deleted_at IS NULL;

-- GET /admin/customers?created_by=… (the admin user or API key that created a guest customer). DELETE
-- /admin/customers/:id finds the linked identities with ix_auth_identity_customer_id (0003).
CREATE INDEX ix_customer_created_by ON customer (created_by, id) WHERE deleted_at IS NULL AND created_by IS NOT NULL;
