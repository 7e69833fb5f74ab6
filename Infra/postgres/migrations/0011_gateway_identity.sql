-- shipboard-gateway's identity (issue 10, item 3): users with their roles, and API tokens.
--
-- A user's name is the actor planning records (trimmed, lower-cased: PersonID). Roles are a
-- fixed set. Approver-group membership is NOT kept here: planning's approver groups are the
-- one list the gates check, and the gateway changes them through planning's commands.
-- A token is stored as the SHA-256 of the token (hex): the token itself is shown once, when
-- issued. Tokens always expire; a revoked or expired token, or a disabled user, never
-- authenticates. Passwords are bcrypt hashes (HummingbirdBcrypt), optional (API-only users).
CREATE OR REPLACE FUNCTION public.shipboard_create_gateway_identity_tables(target_schema text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %I.users (
            id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            name          text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200 AND name = lower(btrim(name))),
            display_name  text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
            roles         text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY['admin', 'release_manager', 'approver',
                              'build_engineer', 'tester', 'rollout_operator', 'viewer']::text[]),
            password_hash text CHECK (password_hash IS NULL OR password_hash LIKE '$2%%'),
            disabled      boolean NOT NULL DEFAULT false,
            created_at    timestamptz NOT NULL DEFAULT now(),
            created_by    text NOT NULL
        )$sql$, target_schema);
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS %1$I.api_tokens (
            id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            user_id      uuid NOT NULL REFERENCES %1$I.users (id),
            token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
            label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
            created_at   timestamptz NOT NULL DEFAULT now(),
            expires_at   timestamptz NOT NULL,
            revoked_at   timestamptz,
            last_used_at timestamptz,
            CHECK (expires_at > created_at)
        )$sql$, target_schema);
    EXECUTE format('CREATE INDEX IF NOT EXISTS api_tokens_by_user ON %I.api_tokens (user_id)', target_schema);
END
$$;

SELECT public.shipboard_create_gateway_identity_tables('gateway');

-- The schema existed before (0001) but had no tables; the service role's default
-- privileges (0006) cover tables created from now on by the role running migrations.
