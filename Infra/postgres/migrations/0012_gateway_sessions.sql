-- shipboard-gateway's interactive login (issue 10, item 3): web sessions, failed-login
-- counters for rate limiting, TOTP second factors and the roles that require one.
--
-- A session is stored as the SHA-256 of its cookie value and of its CSRF token (hex): the
-- values themselves are only ever in the browser. Sessions always expire and can be revoked.
-- login_failures counts failed logins per account and per client address in a window; the
-- gateway refuses logins (429) while a count is over its limit. A TOTP secret must be
-- readable to check codes, so it is stored as is (40 hex digits: 20 random bytes); reading
-- it needs the service role's database password, like every other secret of the gateway.
CREATE OR REPLACE FUNCTION public.shipboard_create_gateway_session_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($sql$
        ALTER TABLE %I.users ADD COLUMN IF NOT EXISTS totp_secret text
            CHECK (totp_secret IS NULL OR totp_secret ~ '^[0-9a-f]{40}$')$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %1$I.sessions (
            id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            session_hash text NOT NULL UNIQUE CHECK (session_hash ~ '^[0-9a-f]{64}$'),
            csrf_hash    text NOT NULL CHECK (csrf_hash ~ '^[0-9a-f]{64}$'),
            user_id      uuid NOT NULL REFERENCES %1$I.users (id),
            created_at   timestamptz NOT NULL DEFAULT now(),
            expires_at   timestamptz NOT NULL,
            revoked_at   timestamptz,
            CHECK (expires_at > created_at)
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS sessions_by_user ON %I.sessions (user_id)', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.login_failures (
            scope        text NOT NULL CHECK (scope IN ('account', 'address')),
            subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
            window_start timestamptz NOT NULL,
            failures     integer NOT NULL CHECK (failures >= 0),
            PRIMARY KEY (scope, subject)
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.role_policies (
            role         text PRIMARY KEY CHECK (role IN ('admin', 'release_manager', 'approver', 'build_engineer', 'tester',
                             'rollout_operator', 'viewer')),
            require_totp boolean NOT NULL DEFAULT false,
            updated_by   text NOT NULL,
            updated_at   timestamptz NOT NULL DEFAULT now()
        )$sql$, target_schema);
END
$$;

SELECT public.shipboard_create_gateway_session_tables('gateway');
