-- Deep pages of the admin customer list without skipping rows (issue 3 item 5; docs/benchmarks.md).
--
-- GET /admin/customers?offset=900000 would otherwise step over 900,000 index entries (~60 ms at a million customers).
-- customer_position_bucket counts the live customers per time bucket, in the same transaction as every change (row
-- triggers below), for the two orders an admin pages through deeply: by id (whose ULID starts with its creation
-- millisecond) and by created_at. Buckets nest in four levels of 2^37, 2^30, 2^23 and 2^16 ms (4.4 years down to
-- 65.5 s), so each level has at most 128 buckets under one parent. customer_position_anchor walks the levels to the
-- 65-second bucket that holds row number `offset` and returns how many rows come before it; the list then starts at
-- that bucket's bound and skips only the rows inside it. Counts are split by has_account, so the has_account filter
-- pages (and counts) the same way.
--
-- Cost: each insert, delete, soft delete or has_account change of a customer updates eight small counter rows; new
-- customers all count into the current buckets, so their inserting transactions queue on those rows until commit.
-- Applying this migration counts the existing customers once (about 20 s at a million, inside the migration).

-- The creation millisecond in a Medusa-style id (<prefix>_<ULID>): the first 10 Crockford base32 characters of the
-- ULID. All customer ids are made by EntityId, so id order and this value's order agree.
CREATE FUNCTION customer_id_time_ms(p_id text) RETURNS bigint
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
DECLARE
    v_time  bigint := 0;
    v_start int    := strpos(p_id, '_');
BEGIN
    FOR i IN 1..10 LOOP
        v_time := (v_time << 5) | (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(p_id, v_start + i, 1)) - 1);
    END LOOP;
    RETURN v_time;
END
$$;

-- The 10-character ULID time of a millisecond: '<prefix>_' || this sorts before every id created at or after it and
-- after every id created before it.
CREATE FUNCTION customer_id_time_prefix(p_ms bigint) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$
SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((p_ms >> (5 * (10 - i))) & 31)::int + 1, 1), '' ORDER BY i)
FROM generate_series(1, 10) AS i
$$;

CREATE TABLE customer_position_bucket
(
    sort_key    smallint NOT NULL, -- 0: id, 1: created_at
    level       smallint NOT NULL, -- 1 (widest) .. 4
    has_account boolean  NOT NULL,
    bucket      bigint   NOT NULL, -- milliseconds >> the level's shift
    live        bigint   NOT NULL,
    PRIMARY KEY (sort_key, level, has_account, bucket)
);

-- The level shifts, widest first. A bucket's parent is bucket >> 7.
CREATE FUNCTION customer_position_shift(p_level int) RETURNS int
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT 44 - 7 * p_level $$;

-- The eight buckets (two orders, four levels) one customer counts in.
CREATE FUNCTION customer_position_keys(p_id text, p_created_at timestamptz)
    RETURNS TABLE (sort_key smallint, level smallint, bucket bigint)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$
SELECT s.sort_key, l.level::smallint, s.ms >> customer_position_shift(l.level)
FROM (VALUES (0::smallint, customer_id_time_ms(p_id)),
             (1::smallint, floor(extract(epoch FROM p_created_at) * 1000)::bigint)) AS s(sort_key, ms),
     generate_series(1, 4) AS l(level)
$$;

-- Adds the live customers among p_ids to their buckets. Used by the backfill below and by the seed command, which
-- bulk-loads with triggers off. Rows are locked in key order, so concurrent callers and the row trigger cannot
-- deadlock on each other.
CREATE FUNCTION customer_position_add(p_ids text[]) RETURNS void
    LANGUAGE sql AS
$$
INSERT INTO customer_position_bucket AS b (sort_key, level, has_account, bucket, live)
SELECT k.sort_key, k.level, c.has_account, k.bucket, count(*)
FROM unnest(p_ids) AS i(id)
     JOIN customer c ON c.id = i.id
     CROSS JOIN LATERAL customer_position_keys(c.id, c.created_at) AS k
WHERE c.deleted_at IS NULL
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
ON CONFLICT (sort_key, level, has_account, bucket) DO UPDATE SET live = b.live + excluded.live
$$;

CREATE FUNCTION customer_position_track() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    -- One statement for the old and the new row, in key order (see customer_position_add).
    INSERT INTO customer_position_bucket AS b (sort_key, level, has_account, bucket, live)
    SELECT k.sort_key, k.level, r.has_account, k.bucket, sum(r.delta)
    FROM (SELECT OLD.id, OLD.created_at, OLD.has_account, -1 WHERE TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL
          UNION ALL
          SELECT NEW.id, NEW.created_at, NEW.has_account, 1 WHERE TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL)
             AS r(id, created_at, has_account, delta)
         CROSS JOIN LATERAL customer_position_keys(r.id, r.created_at) AS k
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (sort_key, level, has_account, bucket) DO UPDATE SET live = b.live + excluded.live;
    RETURN NULL;
END
$$;

CREATE TRIGGER customer_position_insert_delete
    AFTER INSERT OR DELETE ON customer
    FOR EACH ROW EXECUTE FUNCTION customer_position_track();

-- The read-model projection rewrites every column on each grain write; only these changes move a customer.
CREATE TRIGGER customer_position_update
    AFTER UPDATE ON customer
    FOR EACH ROW
    WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.has_account IS DISTINCT FROM NEW.has_account
          OR OLD.id IS DISTINCT FROM NEW.id OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION customer_position_track();

SELECT customer_position_add(array_agg(id)) FROM customer WHERE deleted_at IS NULL;

-- Where row number p_offset (0-based) of the live customers (only those with has_account = p_has_account unless it
-- is NULL) lies in the order p_sort_key (0: id, 1: created_at; p_descending for the reverse): the innermost bucket
-- that holds it, as the millisecond range [from_ms, until_ms), and the number of rows ordered before that range.
-- An offset past the end yields the last bucket (the page is then empty); no customers at all yields no row.
CREATE FUNCTION customer_position_anchor(p_sort_key smallint, p_has_account boolean, p_offset bigint, p_descending boolean)
    RETURNS TABLE (before bigint, from_ms bigint, until_ms bigint)
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    v_bucket bigint;
    v_parent bigint;
    v_before bigint := 0;
    v_found  bigint;
BEGIN
    FOR v_level IN 1..4 LOOP
        -- Among this level's buckets under the parent found so far, in list order: the last whose preceding rows
        -- number at most p_offset.
        SELECT t.bucket, v_before + t.preceding INTO v_found, v_before
        FROM (SELECT g.bucket,
                     coalesce(sum(g.live) OVER (ORDER BY CASE WHEN p_descending THEN -g.bucket ELSE g.bucket END
                                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::bigint AS preceding
              FROM (SELECT b.bucket, sum(b.live) AS live
                    FROM customer_position_bucket b
                    WHERE b.sort_key = p_sort_key
                      AND b.level = v_level
                      AND (p_has_account IS NULL OR b.has_account = p_has_account)
                      AND (v_parent IS NULL OR b.bucket BETWEEN v_parent << 7 AND ((v_parent + 1) << 7) - 1)
                    GROUP BY b.bucket) AS g) AS t
        WHERE v_before + t.preceding <= p_offset
        ORDER BY CASE WHEN p_descending THEN t.bucket ELSE -t.bucket END
        LIMIT 1;
        IF NOT FOUND THEN
            RETURN;
        END IF;
        v_parent := v_found;
        v_bucket := v_found;
    END LOOP;

    before := v_before;
    from_ms := v_bucket << customer_position_shift(4);
    until_ms := (v_bucket + 1) << customer_position_shift(4);
    RETURN NEXT;
END
$$;

-- The number of live customers (with has_account = p_has_account unless it is NULL), exact, from the widest buckets.
CREATE FUNCTION customer_position_count(p_has_account boolean) RETURNS bigint
    LANGUAGE sql STABLE AS
$$
SELECT coalesce(sum(live), 0)::bigint
FROM customer_position_bucket
WHERE sort_key = 0 AND level = 1 AND (p_has_account IS NULL OR has_account = p_has_account)
$$;
