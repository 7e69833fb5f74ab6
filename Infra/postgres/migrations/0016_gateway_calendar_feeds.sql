-- Calendar subscriptions (issue 11): a calendar client (Outlook, Google Calendar) subscribes
-- to a URL and cannot send a bearer token, so the release calendar is also served at a URL
-- holding a token of its own. It is an API token with the scope `calendar_feed`: issued,
-- hashed, expiring and revocable like any other, but good for reading the feed only (the
-- bearer check accepts `api` tokens alone), so a leaked calendar URL shows the calendar and
-- nothing else.
CREATE OR REPLACE FUNCTION public.shipboard_create_gateway_calendar_feeds(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($sql$
        ALTER TABLE %I.api_tokens ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT 'api'
            CHECK (scope IN ('api', 'calendar_feed'))$sql$, target_schema);
END
$$;

SELECT public.shipboard_create_gateway_calendar_feeds('gateway');
