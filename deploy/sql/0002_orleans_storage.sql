-- Orleans ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet 10.4.2, invariant "Npgsql").
--
-- Contract (what the provider binds and reads):
--   every key gets  @GrainIdHash int, @GrainIdN0 bigint, @GrainIdN1 bigint, @GrainTypeHash int,
--                   @GrainTypeString text (the state name), @GrainIdExtensionString text (string key, or the
--                   key extension of an integer/Guid key, else NULL), @ServiceId text
--   Write/Clear/Delete also get @GrainStateVersion int (the ETag, NULL before the first write);
--   Write also gets @PayloadBinary bytea.
--   ReadFromStorageKey returns columns PayloadBinary, Version (no row = never written).
--   WriteToStorageKey returns NewGrainStateVersion; ClearStorageKey and DeleteStorageKey return one column.
--   Orleans raises InconsistentStateException when the returned version equals the version it sent (NULL
--   included) or is NULL/empty, so a refused write returns the caller's own version unchanged.
--
-- Unlike the stock script, (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring) is a
-- real unique key, so two activations racing to write a grain's first state cannot both insert: the second
-- insert conflicts, returns NULL, and its grain gets InconsistentStateException.

CREATE TABLE orleansstorage
(
    serviceid              text        NOT NULL,
    graintypestring        text        NOT NULL,
    grainidn0              bigint      NOT NULL,
    grainidn1              bigint      NOT NULL,
    grainidextensionstring text        NULL,
    -- Hashes are what Orleans computes; kept for diagnostics, the key above is what identifies a row.
    grainidhash            integer     NOT NULL,
    graintypehash          integer     NOT NULL,
    payloadbinary          bytea       NULL,
    version                integer     NOT NULL,
    modifiedon             timestamptz NOT NULL DEFAULT now(),
    -- Keeps index entries well under the btree row limit.
    CONSTRAINT orleansstorage_key_length CHECK (
        octet_length(serviceid) <= 256
        AND octet_length(graintypestring) <= 512
        AND octet_length(grainidextensionstring) <= 1024),
    -- NULLS NOT DISTINCT: integer/Guid keys without an extension have a NULL extension and must still collide.
    CONSTRAINT orleansstorage_key
        UNIQUE NULLS NOT DISTINCT (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring)
);

COMMENT ON TABLE orleansstorage IS
    'Orleans grain state, one row per (service, state name, grain key). version is the ETag.';

-- The NULL-extension and non-NULL-extension lookups are written as separate statements so each one is an
-- index equality lookup even under a generic (cached) plan; IS NOT DISTINCT FROM would not use the index.

CREATE FUNCTION orleans_storage_read(
    p_service_id text,
    p_grain_type text,
    p_n0         bigint,
    p_n1         bigint,
    p_extension  text)
    RETURNS TABLE (payload bytea, grain_version integer)
    LANGUAGE plpgsql STABLE AS
$$
BEGIN
    IF p_extension IS NULL THEN
        RETURN QUERY
            SELECT s.payloadbinary, s.version
            FROM orleansstorage s
            WHERE s.serviceid = p_service_id AND s.graintypestring = p_grain_type
              AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1 AND s.grainidextensionstring IS NULL;
    ELSE
        RETURN QUERY
            SELECT s.payloadbinary, s.version
            FROM orleansstorage s
            WHERE s.serviceid = p_service_id AND s.graintypestring = p_grain_type
              AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1 AND s.grainidextensionstring = p_extension;
    END IF;
END
$$;

-- Returns the new version, or p_version unchanged (possibly NULL) when the write is refused.
CREATE FUNCTION orleans_storage_write(
    p_service_id text,
    p_grain_type text,
    p_type_hash  integer,
    p_n0         bigint,
    p_n1         bigint,
    p_id_hash    integer,
    p_extension  text,
    p_version    integer,
    p_payload    bytea)
    RETURNS integer
    LANGUAGE plpgsql AS
$$
DECLARE
    v_new integer;
BEGIN
    IF p_version IS NULL THEN
        -- First write. A concurrent first write of the same grain waits on the unique key, then does nothing.
        INSERT INTO orleansstorage
            (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring,
             grainidhash, graintypehash, payloadbinary, version)
        VALUES
            (p_service_id, p_grain_type, p_n0, p_n1, p_extension, p_id_hash, p_type_hash, p_payload, 1)
        ON CONFLICT ON CONSTRAINT orleansstorage_key DO NOTHING
        RETURNING version INTO v_new;
    ELSIF p_extension IS NULL THEN
        UPDATE orleansstorage s
        SET payloadbinary = p_payload, version = s.version + 1, modifiedon = now()
        WHERE s.serviceid = p_service_id AND s.graintypestring = p_grain_type
          AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1 AND s.grainidextensionstring IS NULL
          AND s.version = p_version
        RETURNING s.version INTO v_new;
    ELSE
        UPDATE orleansstorage s
        SET payloadbinary = p_payload, version = s.version + 1, modifiedon = now()
        WHERE s.serviceid = p_service_id AND s.graintypestring = p_grain_type
          AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1 AND s.grainidextensionstring = p_extension
          AND s.version = p_version
        RETURNING s.version INTO v_new;
    END IF;

    RETURN coalesce(v_new, p_version);
END
$$;

-- Clearing keeps the row (so the ETag keeps increasing) and drops the payload.
CREATE FUNCTION orleans_storage_clear(
    p_service_id text,
    p_grain_type text,
    p_n0         bigint,
    p_n1         bigint,
    p_extension  text,
    p_version    integer)
    RETURNS integer
    LANGUAGE plpgsql AS
$$
DECLARE
    v_new integer;
BEGIN
    IF p_extension IS NULL THEN
        UPDATE orleansstorage s
        SET payloadbinary = NULL, version = s.version + 1, modifiedon = now()
        WHERE s.serviceid = p_service_id AND s.graintypestring = p_grain_type
          AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1 AND s.grainidextensionstring IS NULL
          AND s.version = p_version
        RETURNING s.version INTO v_new;
    ELSE
        UPDATE orleansstorage s
        SET payloadbinary = NULL, version = s.version + 1, modifiedon = now()
        WHERE s.serviceid = p_service_id AND s.graintypestring = p_grain_type
          AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1 AND s.grainidextensionstring = p_extension
          AND s.version = p_version
        RETURNING s.version INTO v_new;
    END IF;

    RETURN coalesce(v_new, p_version);
END
$$;

-- Used when the provider runs with DeleteStateOnClear. Returns the deleted version + 1 (anything other than
-- the caller's version means success; Orleans then forgets the ETag), or p_version when nothing matched.
CREATE FUNCTION orleans_storage_delete(
    p_service_id text,
    p_grain_type text,
    p_n0         bigint,
    p_n1         bigint,
    p_extension  text,
    p_version    integer)
    RETURNS integer
    LANGUAGE plpgsql AS
$$
DECLARE
    v_deleted integer;
BEGIN
    IF p_extension IS NULL THEN
        DELETE FROM orleansstorage s
        WHERE s.serviceid = p_service_id AND s.graintypestring = p_grain_type
          AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1 AND s.grainidextensionstring IS NULL
          AND s.version = p_version
        RETURNING s.version INTO v_deleted;
    ELSE
        DELETE FROM orleansstorage s
        WHERE s.serviceid = p_service_id AND s.graintypestring = p_grain_type
          AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1 AND s.grainidextensionstring = p_extension
          AND s.version = p_version
        RETURNING s.version INTO v_deleted;
    END IF;

    RETURN coalesce(v_deleted + 1, p_version);
END
$$;

-- The hashes are bound by Orleans for every key; the write stores them, the other queries do not need them.
INSERT INTO orleansquery (querykey, querytext) VALUES

('ReadFromStorageKey', $q$
SELECT r.payload AS "PayloadBinary", r.grain_version AS "Version"
FROM orleans_storage_read(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString) r;
$q$),

('WriteToStorageKey', $q$
SELECT orleans_storage_write(
    @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdN0, @GrainIdN1, @GrainIdHash,
    @GrainIdExtensionString, @GrainStateVersion, @PayloadBinary) AS "NewGrainStateVersion";
$q$),

('ClearStorageKey', $q$
SELECT orleans_storage_clear(
    @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
    @GrainIdExtensionString, @GrainStateVersion) AS "NewGrainStateVersion";
$q$),

('DeleteStorageKey', $q$
SELECT orleans_storage_delete(
    @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
    @GrainIdExtensionString, @GrainStateVersion) AS "NewGrainStateVersion";
$q$);
