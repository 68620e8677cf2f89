-- A sign-up (POST /store/customers) is linked by the customer's own write: the identity keeps the id its customer will
-- have, and once a customer exists under that id the identity is linked to it, without a write of the identity's own
-- (it stores the link with its next write for any other reason). So the read model has to learn the link from the
-- customer's write: a customer stored with `sign_up_identity_id` sets `customer_id` in that identity's `app_metadata`,
-- in the same transaction, so the read model never shows the customer without the link (an admin's DELETE of the
-- customer finds the identity through it).
--
-- Only on insert: a sign-up's customer is stored once under its id, and later writes leave the link as it is (the
-- identity's own writes project its app_metadata from then on, the link included). The importer's bulk inserts never
-- carry the field: an imported identity is linked in its own state.
CREATE FUNCTION orleansstorage_link_sign_up()
    RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_state jsonb := convert_from(NEW.payloadbinary, 'UTF8')::jsonb;
BEGIN
    IF v_state ->> 'sign_up_identity_id' IS NOT NULL THEN
        UPDATE auth_identity
        SET app_metadata = coalesce(app_metadata, '{}'::jsonb) || jsonb_build_object('customer_id', v_state ->> 'id')
        WHERE id = v_state ->> 'sign_up_identity_id';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER orleansstorage_read_model_sign_up
    AFTER INSERT ON orleansstorage
    FOR EACH ROW
    WHEN (NEW.graintypestring = 'customer' AND NEW.payloadbinary IS NOT NULL
          AND current_setting('customers.bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION orleansstorage_link_sign_up();
