-- Admin customer lists sorted by any column the dashboard sorts by, at a million customers (docs/benchmarks.md).
--
-- Without an index in the list's order, `order=first_name` sorts every live customer for the first page (~150-300 ms
-- at a million). Ties are broken by id in the list's direction (SqlFilter.OrderBy), so one (column, id) index serves
-- both directions, read backwards for descending; the two descending indexes of 0010 become redundant.
DROP INDEX ix_customer_live_created_at_desc;
DROP INDEX ix_customer_live_has_account_created_at_desc;
CREATE INDEX ix_customer_live_has_account_created_at ON customer (has_account, created_at, id) WHERE deleted_at IS NULL;

CREATE INDEX ix_customer_live_email_id ON customer (email, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_customer_live_first_name_id ON customer (first_name, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_customer_live_last_name_id ON customer (last_name, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_customer_live_company_name_id ON customer (company_name, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_customer_live_phone_id ON customer (phone, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_customer_live_updated_at_id ON customer (updated_at, id) WHERE deleted_at IS NULL;
