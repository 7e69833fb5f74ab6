-- shipboard-notify (issue 14): who is told what, how, and the record of every message.
--
-- The directory is not copied: people are the gateway's users (gateway.users) with their
-- contact points (gateway.contact_points, written by the gateway); groups are planning's
-- (planning.approver_group_members). Only what is notify's own lives here.
--
-- site_contacts: who speaks for a site (a person, or 'group:<name>'); sites are the CIs'.
-- subscriptions: an event-type pattern ('rollout.*'), optional release filters (a release,
--   type, priority, site) and a channel, for a person or a group. Defaults by stakeholder
--   role are rules in code (NotificationCore), not rows.
-- preferences: a person's mode for one release (release_key) or every release (''):
--   immediate, digest (one message a day) or mute.
-- templates: a stored template replaces the built-in one for (event type, channel);
--   revision counts saves.
-- events: every event received that may notify someone (the payload a template renders,
--   and what a preview renders against).
-- communication_plans: the communication plan of each built image (its text), by digest;
--   the accepted image's plan becomes scheduled_sends.
-- scheduled_sends: one per message of the plan: due at an offset from the deployment's
--   start (due_at follows the release's scheduled start) or on an outcome.
-- deliveries: one per (source, recipient, channel): the source is an event, a scheduled
--   send or a digest ('event:<id>', 'schedule:<id>', 'digest:<person>:<day>'), so a
--   repeated event or a second replica adds nothing. A delivery is recorded before it is
--   attempted (state 'sending' with a lease) and after (sent / pending again / failed):
--   a replica killed mid-send leaves a lease that expires, and the retry carries the same
--   id, which receivers use as the idempotency key.
CREATE OR REPLACE FUNCTION public.shipboard_create_notify_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.site_contacts (
            site     text NOT NULL CHECK (length(site) BETWEEN 1 AND 100),
            member   text NOT NULL CHECK (length(member) BETWEEN 1 AND 210),
            added_by text NOT NULL,
            added_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (site, member)
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.subscriptions (
            id              uuid PRIMARY KEY,
            subscriber_kind text NOT NULL CHECK (subscriber_kind IN ('person', 'group')),
            subscriber      text NOT NULL CHECK (length(subscriber) BETWEEN 1 AND 200),
            event_pattern   text NOT NULL CHECK (event_pattern ~ '^[a-z_*][a-z_.*]{0,99}$'),
            channel         text NOT NULL CHECK (channel IN ('email', 'webhook', 'chat', 'in_app')),
            release_key     text CHECK (length(release_key) BETWEEN 1 AND 40),
            release_type    text CHECK (release_type IN ('major', 'minor', 'emergency', 'standard')),
            priority        text CHECK (length(priority) BETWEEN 1 AND 20),
            site            text CHECK (length(site) BETWEEN 1 AND 100),
            created_by      text NOT NULL,
            created_at      timestamptz NOT NULL DEFAULT now(),
            UNIQUE NULLS NOT DISTINCT (subscriber_kind, subscriber, event_pattern, channel, release_key, release_type, priority, site)
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.preferences (
            person      text NOT NULL CHECK (length(person) BETWEEN 1 AND 200),
            release_key text NOT NULL CHECK (length(release_key) <= 40),
            mode        text NOT NULL CHECK (mode IN ('immediate', 'digest', 'mute')),
            updated_at  timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (person, release_key)
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.templates (
            event_type text NOT NULL CHECK (event_type ~ '^[a-z_*][a-z_.*]{0,99}$'),
            channel    text NOT NULL CHECK (channel IN ('email', 'webhook', 'chat', 'in_app')),
            subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 1000),
            text_body  text NOT NULL CHECK (octet_length(text_body) <= 65536),
            html_body  text CHECK (octet_length(html_body) <= 131072),
            revision   integer NOT NULL DEFAULT 1 CHECK (revision > 0),
            updated_by text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (event_type, channel)
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.events (
            id          uuid PRIMARY KEY,
            type        text NOT NULL,
            release_key text,
            actor       text NOT NULL,
            occurred_at timestamptz NOT NULL,
            payload     jsonb NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now()
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS events_by_release ON %I.events (release_key, occurred_at)', target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS events_by_type ON %I.events (type, occurred_at DESC)', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.communication_plans (
            release_key  text NOT NULL CHECK (length(release_key) BETWEEN 1 AND 40),
            image_sha256 text NOT NULL CHECK (image_sha256 ~ '^[0-9a-f]{64}$'),
            plan_text    text NOT NULL CHECK (octet_length(plan_text) <= 262144),
            received_at  timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (release_key, image_sha256)
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.scheduled_sends (
            id             uuid PRIMARY KEY,
            release_key    text NOT NULL CHECK (length(release_key) BETWEEN 1 AND 40),
            image_sha256   text NOT NULL,
            entry_index    integer NOT NULL CHECK (entry_index >= 0),
            offset_seconds integer,
            outcome        text CHECK (outcome IN ('started', 'completed', 'halted', 'backed_out')),
            subject        text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
            audiences      text[] NOT NULL,
            due_at         timestamptz,
            state          text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'sent', 'cancelled', 'superseded')),
            fired_at       timestamptz,
            created_at     timestamptz NOT NULL DEFAULT now(),
            UNIQUE (release_key, image_sha256, entry_index),
            CHECK ((offset_seconds IS NULL) <> (outcome IS NULL))
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE INDEX IF NOT EXISTS scheduled_sends_due ON %I.scheduled_sends (due_at) WHERE state = 'scheduled' AND due_at IS NOT NULL
        $sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.deliveries (
            id              uuid PRIMARY KEY,
            source          text NOT NULL CHECK (length(source) BETWEEN 1 AND 300),
            event_id        uuid,
            release_key     text,
            event_type      text NOT NULL,
            recipient       text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 200),
            channel         text NOT NULL CHECK (channel IN ('email', 'webhook', 'chat', 'in_app')),
            address         text CHECK (length(address) <= 2048),
            reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
            subject         text NOT NULL CHECK (length(subject) <= 1000),
            body_text       text NOT NULL CHECK (octet_length(body_text) <= 65536),
            body_html       text CHECK (octet_length(body_html) <= 131072),
            state           text NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'digest', 'digested')),
            attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            lease_until     timestamptz,
            last_error      text CHECK (length(last_error) <= 1000),
            created_at      timestamptz NOT NULL DEFAULT now(),
            sent_at         timestamptz,
            read_at         timestamptz,
            UNIQUE (source, recipient, channel)
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE INDEX IF NOT EXISTS deliveries_due ON %I.deliveries (next_attempt_at) WHERE state IN ('pending', 'sending')
        $sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS deliveries_by_release ON %I.deliveries (release_key, created_at)', target_schema);
    EXECUTE format($sql$
        CREATE INDEX IF NOT EXISTS deliveries_feed ON %I.deliveries (recipient, created_at DESC) WHERE channel = 'in_app'
        $sql$, target_schema);
    EXECUTE format($sql$
        CREATE INDEX IF NOT EXISTS deliveries_digest ON %I.deliveries (recipient, created_at) WHERE state = 'digest'
        $sql$, target_schema);
END
$$;

CREATE OR REPLACE FUNCTION public.shipboard_create_notify_schema(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.shipboard_create_messaging_tables(target_schema);
    PERFORM public.shipboard_create_notify_tables(target_schema);
END
$$;

SELECT public.shipboard_create_notify_tables('notify');

-- A person's contact points, beside their identity (the gateway writes them): one address
-- per channel. In-app needs none.
CREATE OR REPLACE FUNCTION public.shipboard_create_gateway_contact_points(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %1$I.contact_points (
            user_id    uuid NOT NULL REFERENCES %1$I.users (id) ON DELETE CASCADE,
            channel    text NOT NULL CHECK (channel IN ('email', 'webhook', 'chat')),
            address    text NOT NULL CHECK (length(address) BETWEEN 3 AND 2048),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (user_id, channel)
        )$sql$, target_schema);
END
$$;

SELECT public.shipboard_create_gateway_contact_points('gateway');
