-- Outbox and inbox tables, one pair per service schema (ARCHITECTURE.md, "Messaging").
--
-- outbox: events and commands a service committed together with its state change; the
--   relay publishes pending rows (published_at IS NULL) in seq order per correlation id
--   and marks them. A NOTIFY on '<schema>_outbox' wakes relays at commit.
-- inbox: (consumer, message_id) of every message a consumer handled, inserted in the
--   handler's own transaction, so a redelivery has no second effect. `reply` keeps the
--   answer to a command, so a repeated request gets the same answer.
CREATE OR REPLACE FUNCTION public.shipboard_create_messaging_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.outbox (
            seq            bigserial PRIMARY KEY,
            message_id     uuid NOT NULL UNIQUE,
            exchange       text NOT NULL,
            routing_key    text NOT NULL,
            message_type   text NOT NULL,
            correlation_id text NOT NULL,
            headers        jsonb NOT NULL DEFAULT '{}'::jsonb,
            body           bytea NOT NULL,
            created_at     timestamptz NOT NULL DEFAULT now(),
            published_at   timestamptz
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS outbox_pending ON %I.outbox (seq) WHERE published_at IS NULL', target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS outbox_published ON %I.outbox (published_at) WHERE published_at IS NOT NULL', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.inbox (
            consumer    text NOT NULL,
            message_id  uuid NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            reply       bytea,
            PRIMARY KEY (consumer, message_id)
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS inbox_received ON %I.inbox (received_at)', target_schema);
END
$$;

SELECT public.shipboard_create_messaging_tables(s)
FROM unnest(ARRAY['planning', 'build', 'testing', 'rollout', 'notify', 'gateway']) AS s;
