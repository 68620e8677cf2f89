-- auth.auth-identity.deleted (spec §3.6, docs/events.md): deleting a customer deletes an identity that nothing else
-- links (AuthIdentityGrain.UnlinkActorAsync clears its state). The event is written by the transaction that clears
-- the identity's storage row, as every other event is: a clear that rolls back emits nothing. Clearing keeps the row
-- and drops its payload (0002); a deleted row counts the same.
CREATE FUNCTION orleansstorage_emit_identity_deleted()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_id text;
BEGIN
    IF OLD.payloadbinary IS NULL THEN
        RETURN NULL;
    END IF;

    IF TG_OP = 'UPDATE' AND NEW.payloadbinary IS NOT NULL THEN
        RETURN NULL;
    END IF;

    v_id := convert_from(OLD.payloadbinary, 'UTF8')::jsonb ->> 'id';
    IF v_id IS NOT NULL THEN
        INSERT INTO event_outbox (name, data, metadata)
        VALUES ('auth.auth-identity.deleted', jsonb_build_object('id', v_id),
                jsonb_build_object('source', 'auth', 'object', 'auth_identity', 'action', 'deleted'));
    END IF;

    RETURN NULL;
END
$$;

CREATE TRIGGER orleansstorage_identity_deleted_cleared
    AFTER UPDATE ON orleansstorage
    FOR EACH ROW
    WHEN (OLD.graintypestring = 'authidentity' AND OLD.payloadbinary IS NOT NULL AND NEW.payloadbinary IS NULL)
    EXECUTE FUNCTION orleansstorage_emit_identity_deleted();

CREATE TRIGGER orleansstorage_identity_deleted_removed
    AFTER DELETE ON orleansstorage
    FOR EACH ROW
    WHEN (OLD.graintypestring = 'authidentity' AND OLD.payloadbinary IS NOT NULL)
    EXECUTE FUNCTION orleansstorage_emit_identity_deleted();
