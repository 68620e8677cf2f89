-- Admin customer lists at a million customers (issue 3 item 5; docs/benchmarks.md).
--
-- A page at a deep offset is found by an index-only scan that returns only ids (CustomerReadModel pages with a
-- "deferred join": the offset is skipped inside the index, and only the page's rows are read from the table). These
-- indexes cover the WHERE and ORDER BY of the common admin lists, so those scans never visit the heap (given a
-- current visibility map; autovacuum keeps it, the seed command vacuums after loading):
--   * no filter, order by id (the default order)                  -> ix_customer_live_id
--   * has_account = true|false, order by id                         -> ix_customer_live_has_account_id
--   * created_at ranges, order by created_at                        -> ix_customer_created_at (0003)
--   * order by -created_at (the tie-breaker id stays ascending)     -> ix_customer_live_created_at_desc
--   * has_account with order by -created_at                         -> ix_customer_live_has_account_created_at_desc
CREATE INDEX ix_customer_live_id ON customer (id) WHERE deleted_at IS NULL;
CREATE INDEX ix_customer_live_has_account_id ON customer (has_account, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_customer_live_created_at_desc ON customer (created_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_customer_live_has_account_created_at_desc ON customer (has_account, created_at DESC, id) WHERE deleted_at IS NULL;
