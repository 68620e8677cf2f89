-- Deep pages of one group's customers (GET /admin/customers?groups=<id>; issue 3 item 5, docs/benchmarks.md).
--
-- Deleted customers keep their memberships (as in Medusa) but are never listed, so a page of a group's customers had
-- to check every member before the offset against the customer table (~270 ms at offset 50,000). customer_live copies
-- the member's liveness onto the membership, kept in step by the triggers below in the same transaction, so the
-- partial index below holds exactly the listed members in id order: a page skips index entries only, and the
-- group's count is an index-only count.

ALTER TABLE customer_group_customer ADD COLUMN customer_live boolean NOT NULL DEFAULT true;

UPDATE customer_group_customer gc
SET customer_live = false
FROM customer c
WHERE c.id = gc.customer_id AND c.deleted_at IS NOT NULL;

CREATE INDEX ix_customer_group_customer_live_members ON customer_group_customer (customer_group_id, customer_id)
    WHERE customer_live;

-- A new membership takes its customer's state (the batch routes only add live customers, but this keeps it true).
CREATE FUNCTION customer_group_customer_take_liveness() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    NEW.customer_live := EXISTS (SELECT 1 FROM customer WHERE id = NEW.customer_id AND deleted_at IS NULL);
    RETURN NEW;
END
$$;

CREATE TRIGGER customer_group_customer_liveness
    BEFORE INSERT OR UPDATE OF customer_id ON customer_group_customer
    FOR EACH ROW EXECUTE FUNCTION customer_group_customer_take_liveness();

-- Deleting (or restoring) a customer flips its memberships.
CREATE FUNCTION customer_pass_liveness_to_memberships() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    UPDATE customer_group_customer
    SET customer_live = (NEW.deleted_at IS NULL)
    WHERE customer_id = NEW.id AND customer_live <> (NEW.deleted_at IS NULL);
    RETURN NULL;
END
$$;

CREATE TRIGGER customer_memberships_liveness
    AFTER UPDATE ON customer
    FOR EACH ROW
    WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION customer_pass_liveness_to_memberships();
