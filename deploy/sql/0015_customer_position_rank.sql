-- Date ranges of the admin customer list (created_at[$gte|$gt|$lt|$lte]; docs/admin-api.md): how many live customers
-- were created before a time, from the position counters of 0011 plus a count inside one 65-second bucket. Gives
-- such lists an exact count, and a deep page in created_at order its place in the whole list.

-- The number of live customers (with has_account = p_has_account unless it is NULL) created before p_before.
CREATE FUNCTION customer_position_rank(p_has_account boolean, p_before timestamptz) RETURNS bigint
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    v_ms     bigint := floor(extract(epoch FROM p_before) * 1000)::bigint;
    v_rank   bigint := 0;
    v_parent bigint;
    v_bucket bigint;
BEGIN
    -- Whole buckets before p_before's bucket, level by level under the bucket found so far.
    FOR v_level IN 1..4 LOOP
        v_bucket := v_ms >> customer_position_shift(v_level);
        SELECT v_rank + coalesce(sum(b.live), 0) INTO v_rank
        FROM customer_position_bucket b
        WHERE b.sort_key = 1
          AND b.level = v_level
          AND (p_has_account IS NULL OR b.has_account = p_has_account)
          AND b.bucket < v_bucket
          AND (v_parent IS NULL OR b.bucket >= v_parent << 7);
        v_parent := v_bucket;
    END LOOP;

    -- The rows of p_before's own bucket that come before it.
    RETURN v_rank + (SELECT count(*)
                     FROM customer c
                     WHERE c.deleted_at IS NULL
                       AND (p_has_account IS NULL OR c.has_account = p_has_account)
                       AND c.created_at >= timestamptz 'epoch' + (v_bucket << customer_position_shift(4)) * interval '1 millisecond'
                       AND c.created_at < p_before);
END
$$;
