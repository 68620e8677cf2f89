-- Orleans ADO.NET clustering (Microsoft.Orleans.Clustering.AdoNet 10.4.2, invariant "Npgsql").
--
-- Orleans reads every query it runs from OrleansQuery (QueryKey -> QueryText) and binds parameters by name
-- (@DeploymentId, @Address, ...). It reads result columns by name, case-insensitively, so the queries alias
-- them to the names Orleans asks for. Version is the membership table's ETag: every insert or update of a
-- silo row must bump it atomically with the row change, and only when the caller's version is current.
--
-- Applied once by SchemaMigrator inside a transaction; no IF NOT EXISTS needed.

CREATE TABLE orleansquery
(
    querykey  text NOT NULL PRIMARY KEY,
    querytext text NOT NULL
);

COMMENT ON TABLE orleansquery IS
    'Query texts the Orleans ADO.NET providers run, by key. Owned by deploy/sql migrations.';

-- One row per cluster (Orleans calls the ClusterId "DeploymentId" here).
CREATE TABLE orleansmembershipversiontable
(
    deploymentid text        NOT NULL PRIMARY KEY,
    modifiedon   timestamptz NOT NULL DEFAULT now(),
    version      integer     NOT NULL DEFAULT 0
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE orleansmembershiptable
(
    deploymentid text        NOT NULL
        REFERENCES orleansmembershipversiontable (deploymentid) ON DELETE CASCADE,
    address      text        NOT NULL,
    port         integer     NOT NULL,
    generation   integer     NOT NULL,
    siloname     text        NOT NULL,
    hostname     text        NOT NULL,
    status       integer     NOT NULL,
    proxyport    integer     NOT NULL DEFAULT 0,
    suspecttimes text        NULL,
    starttime    timestamptz NOT NULL,
    iamalivetime timestamptz NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- Inserts a silo row and bumps the cluster version, both or neither. The version row is locked first so a
-- concurrent writer holding an older version cannot slip in between the check and the bump.
CREATE FUNCTION orleans_membership_insert(
    p_deployment_id text,
    p_address       text,
    p_port          integer,
    p_generation    integer,
    p_silo_name     text,
    p_host_name     text,
    p_status        integer,
    p_proxy_port    integer,
    p_start_time    timestamptz,
    p_i_am_alive    timestamptz,
    p_version       integer)
    RETURNS boolean
    LANGUAGE plpgsql AS
$$
DECLARE
    v_current integer;
BEGIN
    SELECT v.version INTO v_current
    FROM orleansmembershipversiontable v
    WHERE v.deploymentid = p_deployment_id
    FOR UPDATE;

    IF v_current IS NULL OR p_version IS NULL OR v_current <> p_version THEN
        RETURN false;
    END IF;

    INSERT INTO orleansmembershiptable
        (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
         coalesce(p_proxy_port, 0), p_start_time, p_i_am_alive)
    ON CONFLICT (deploymentid, address, port, generation) DO NOTHING;

    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleansmembershipversiontable
    SET version = version + 1, modifiedon = now()
    WHERE deploymentid = p_deployment_id;

    RETURN true;
END
$$;

-- Updates a silo row and bumps the cluster version, both or neither (same locking as the insert).
CREATE FUNCTION orleans_membership_update(
    p_deployment_id text,
    p_address       text,
    p_port          integer,
    p_generation    integer,
    p_status        integer,
    p_suspect_times text,
    p_i_am_alive    timestamptz,
    p_version       integer)
    RETURNS boolean
    LANGUAGE plpgsql AS
$$
DECLARE
    v_current integer;
BEGIN
    SELECT v.version INTO v_current
    FROM orleansmembershipversiontable v
    WHERE v.deploymentid = p_deployment_id
    FOR UPDATE;

    IF v_current IS NULL OR p_version IS NULL OR v_current <> p_version THEN
        RETURN false;
    END IF;

    UPDATE orleansmembershiptable m
    SET status = p_status, suspecttimes = p_suspect_times, iamalivetime = p_i_am_alive
    WHERE m.deploymentid = p_deployment_id
      AND m.address = p_address
      AND m.port = p_port
      AND m.generation = p_generation;

    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleansmembershipversiontable
    SET version = version + 1, modifiedon = now()
    WHERE deploymentid = p_deployment_id;

    RETURN true;
END
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Creates the cluster's version row if missing. Returns one boolean: true when this call created it.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleansmembershipversiontable (deploymentid)
    VALUES (@DeploymentId)
    ON CONFLICT (deploymentid) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created) AS "Inserted";
$q$),

('InsertMembershipKey', $q$
SELECT orleans_membership_insert(
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
    @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS "Inserted";
$q$),

('UpdateMembershipKey', $q$
SELECT orleans_membership_update(
    @DeploymentId, @Address, @Port, @Generation,
    @Status, @SuspectTimes, @IAmAliveTime, @Version) AS "Updated";
$q$),

-- Heartbeat: not versioned, result not read.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleansmembershiptable
SET iamalivetime = @IAmAliveTime
WHERE deploymentid = @DeploymentId
  AND address = @Address
  AND port = @Port
  AND generation = @Generation;
$q$),

-- The version row always comes back (Orleans reads the table version from the first row), joined to the
-- requested silo row when it exists; StartTime NULL tells Orleans "no entry".
('MembershipReadRowKey', $q$
SELECT
    m.address      AS "Address",
    m.port         AS "Port",
    m.generation   AS "Generation",
    m.siloname     AS "SiloName",
    m.hostname     AS "HostName",
    m.status       AS "Status",
    m.proxyport    AS "ProxyPort",
    m.suspecttimes AS "SuspectTimes",
    m.starttime    AS "StartTime",
    m.iamalivetime AS "IAmAliveTime",
    v.version      AS "Version"
FROM orleansmembershipversiontable v
LEFT JOIN orleansmembershiptable m
    ON m.deploymentid = v.deploymentid
   AND m.address = @Address
   AND m.port = @Port
   AND m.generation = @Generation
WHERE v.deploymentid = @DeploymentId;
$q$),

('MembershipReadAllKey', $q$
SELECT
    m.address      AS "Address",
    m.port         AS "Port",
    m.generation   AS "Generation",
    m.siloname     AS "SiloName",
    m.hostname     AS "HostName",
    m.status       AS "Status",
    m.proxyport    AS "ProxyPort",
    m.suspecttimes AS "SuspectTimes",
    m.starttime    AS "StartTime",
    m.iamalivetime AS "IAmAliveTime",
    v.version      AS "Version"
FROM orleansmembershipversiontable v
LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
WHERE v.deploymentid = @DeploymentId;
$q$),

-- Silo rows go with the version row (ON DELETE CASCADE).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleansmembershipversiontable
WHERE deploymentid = @DeploymentId;
$q$),

-- Clients call this with @Status = Active (3).
('GatewaysQueryKey', $q$
SELECT
    address    AS "Address",
    proxyport  AS "ProxyPort",
    generation AS "Generation"
FROM orleansmembershiptable
WHERE deploymentid = @DeploymentId
  AND status = @Status
  AND proxyport > 0;
$q$),

-- Bulk cleanup, used only when CleanupDefunctSiloEntryKey is absent: dead (6) silos not heard from since
-- @IAmAliveTime. Kept because 10.4.2 still requires the key to exist.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleansmembershiptable
WHERE deploymentid = @DeploymentId
  AND status = 6
  AND iamalivetime < @IAmAliveTime;
$q$),

-- Optional in 10.4.2 and preferred when present: Orleans reads the table, picks dead silos old enough to
-- drop, and deletes each one only if the row is still exactly what it read (no resurrection, no new
-- suspicion votes). Suspect times compare with NULL and '' as equal, as Orleans parses both to "none".
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleansmembershiptable
WHERE deploymentid = @DeploymentId
  AND address = @Address
  AND port = @Port
  AND generation = @Generation
  AND status = 6
  AND starttime = @StartTime
  AND iamalivetime = @IAmAliveTime
  AND coalesce(suspecttimes, '') = coalesce(@SuspectTimes, '');
$q$);
