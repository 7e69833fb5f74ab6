-- shipboard-notify (issue 14): each delivery's endpoint, computed once by the database.
--
-- The endpoint is where a send goes, the unit of the dispatcher's bounds (sends at once and
-- claimed rows per endpoint): a webhook's or chat hook's authority (host and port as
-- written, lower-cased), else the channel ('email': every message goes through the one
-- SMTP server). A generated column, so the claim filters and ranks on it without parsing
-- each address again, and it has one definition (here).
--
-- deliveries_due_by_endpoint: the claim walks the endpoints with rows in flight or waiting
-- (a skip scan: one probe per endpoint), then reads each endpoint's oldest due rows, only as
-- many as it has places for; a backlog for one endpoint is never read to find another's rows.
-- It replaces deliveries_due (0020), which ordered every endpoint's rows together.
CREATE OR REPLACE FUNCTION public.shipboard_create_notify_delivery_endpoints(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($sql$
        ALTER TABLE %I.deliveries ADD COLUMN IF NOT EXISTS endpoint text NOT NULL GENERATED ALWAYS AS (
            CASE WHEN channel IN ('webhook', 'chat')
                 THEN coalesce(lower(substring(address FROM '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)')), '')
                 ELSE channel END
        ) STORED
        $sql$, target_schema);
    EXECUTE format($sql$
        CREATE INDEX IF NOT EXISTS deliveries_due_by_endpoint ON %I.deliveries (endpoint, next_attempt_at)
        WHERE state IN ('pending', 'sending')
        $sql$, target_schema);
    EXECUTE format('DROP INDEX IF EXISTS %I.deliveries_due', target_schema);
END
$$;

CREATE OR REPLACE FUNCTION public.shipboard_create_notify_schema(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.shipboard_create_messaging_tables(target_schema);
    PERFORM public.shipboard_create_notify_tables(target_schema);
    PERFORM public.shipboard_create_notify_delivery_endpoints(target_schema);
END
$$;

SELECT public.shipboard_create_notify_delivery_endpoints('notify');
