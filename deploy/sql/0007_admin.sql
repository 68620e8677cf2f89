-- Admin API (issue 3, first part): admin users, API keys, admin customer lists.
--
-- Secret API keys (`sk_…`) must only ever be stored as the hex SHA-256 of the token (the admin API and the CLI show
-- the token once, when the key is created). The constraint makes a plaintext secret key impossible to store by
-- mistake, whatever code writes the row. Publishable keys are public and stored as they are.
ALTER TABLE api_key
    ADD CONSTRAINT ck_api_key_secret_hashed CHECK (type <> 'secret' OR token ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT ck_api_key_publishable_token CHECK (type <> 'publishable' OR token LIKE 'pk\_%');

-- GET /admin/api-keys pages live keys by id (creation order) and filters by type.
CREATE INDEX ix_api_key_type_id ON api_key (type, id) WHERE deleted_at IS NULL;

-- DELETE /admin/customers/:id finds the identities linked to the customer through app_metadata.customer_id; that
-- lookup is served by ix_auth_identity_customer_id (0003). GET /admin/customers filters on created_by (the admin
-- user or API key that created a guest customer):
CREATE INDEX ix_customer_created_by ON customer (created_by, id) WHERE deleted_at IS NULL AND created_by IS NOT NULL;
