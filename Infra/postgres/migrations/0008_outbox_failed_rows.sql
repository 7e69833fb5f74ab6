-- Outbox rows that cannot be published (issue 8, "poison rows").
--
-- A row the broker refuses (or that breaks a limit the broker enforces) no longer stops the
-- relay: it is retried a few times, then marked failed, and an operator lists, retries or
-- discards it (`shipboard-admin outbox`). Per row:
--   attempts      publish attempts that failed because of the row itself (outages never count)
--   last_error    why the last attempt failed: the client's or broker's reason, never payload values
--   retry_at      not before this time is the row tried again (set after a failed attempt)
--   failed_at     set after the last allowed attempt; the relay leaves the row alone until an
--                 operator retries it (clears it) or discards it
--   discarded_at  set by an operator on a failed row: never published, kept for the record
-- States: pending (published_at, failed_at NULL), published (published_at set), failed
-- (failed_at set, discarded_at NULL), discarded (both set). Order per correlation id: a pending
-- row whose correlation id has a failed row, or a row waiting for its retry_at, stays pending
-- behind it; other correlation ids go on.
--
-- outbox_pending now covers only rows the relay may take; outbox_held finds the correlation
-- ids that must wait (normally empty, so both the relay's claim and the metrics stay cheap).
CREATE OR REPLACE FUNCTION public.shipboard_upgrade_outbox(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($sql$
        ALTER TABLE %I.outbox
            ADD COLUMN IF NOT EXISTS attempts     integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS last_error   text,
            ADD COLUMN IF NOT EXISTS retry_at     timestamptz,
            ADD COLUMN IF NOT EXISTS failed_at    timestamptz,
            ADD COLUMN IF NOT EXISTS discarded_at timestamptz
        $sql$, target_schema);
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
        WHERE conname = 'outbox_states' AND conrelid = format('%I.outbox', target_schema)::regclass
    ) THEN
        EXECUTE format($sql$
            ALTER TABLE %I.outbox ADD CONSTRAINT outbox_states CHECK (
                attempts >= 0
                AND (published_at IS NULL OR failed_at IS NULL)
                AND (discarded_at IS NULL OR failed_at IS NOT NULL))
            $sql$, target_schema);
    END IF;
    EXECUTE format('DROP INDEX IF EXISTS %I.outbox_pending', target_schema);
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS outbox_ready ON %I.outbox (seq) WHERE published_at IS NULL AND failed_at IS NULL',
        target_schema);
    EXECUTE format($sql$
        CREATE INDEX IF NOT EXISTS outbox_held ON %I.outbox (correlation_id, seq)
        WHERE published_at IS NULL AND discarded_at IS NULL AND (failed_at IS NOT NULL OR retry_at IS NOT NULL)
        $sql$, target_schema);
END
$$;

-- Schemas created from now on (services' and tests') get the new columns at once.
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
    EXECUTE format('CREATE INDEX IF NOT EXISTS outbox_published ON %I.outbox (published_at) WHERE published_at IS NOT NULL', target_schema);
    PERFORM public.shipboard_upgrade_outbox(target_schema);
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

SELECT public.shipboard_upgrade_outbox(s)
FROM unnest(ARRAY['planning', 'build', 'testing', 'rollout', 'notify', 'gateway']) AS s;
