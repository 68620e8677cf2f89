-- Password reset (issue 4). Reset tokens themselves live in the auth identity grain's state (only their SHA-256
-- hash, with the expiry and the login they are for), so no table is needed for them.
--
-- Development notification sink (Customers:Notifications:DevelopmentSink; on by default only in the Development
-- environment and with the embedded database): events meant for a person, such as auth.password_reset with its
-- reset token, are recorded here instead of being e-mailed. Hosts with the option off never write to it. While the
-- sink is on, rows hold live secrets: never enable it on a database that real customers use. The events work
-- (webhooks, stream) replaces this sink.
CREATE TABLE dev_notification
(
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_name text        NOT NULL,
    data       jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Developers and tests look up the latest event of a kind for one entity.
CREATE INDEX ix_dev_notification_event_entity ON dev_notification (event_name, (data ->> 'entity_id'), id);
